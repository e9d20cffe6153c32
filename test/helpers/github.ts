// nock mocks for the GitHub calls review-router makes, one helper per call pattern. Write mocks
// record the request bodies so tests can assert them exactly. GraphQL requests are validated and
// executed against GitHub's public schema by the stand-in's executor, from a model the test sets.

import nock from "nock";
import { checkRunDigest } from "../../src/app/pull-request-read.js";
import {
  answerGraphql,
  answerGraphqlFrom,
  newGraphqlState,
  type GraphqlState,
  type ModelCommit,
  type ModelPullRequest,
  type StandInStatus,
} from "../e2e/graphql-stand-in.js";
import { DEFAULT_HEAD_SHA, type PullRequestPayload } from "./payloads.js";
import { APP_ID, INSTALLATION_ID } from "./probot.js";

export const API = "https://api.github.com";
export const REPO = "/repos/pytorch/pytorch";
const CONFIG_FILE = "contents/.github%2Freview-router.yml";
const NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest" };
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

function github(): nock.Scope {
  return nock(API);
}

function bodyOf<T>(body: nock.Body): T {
  return (typeof body === "string" ? JSON.parse(body) : body) as T;
}

/** The installation access token Probot asks for before the first call of an installation. */
export function mockInstallationToken(installationId = INSTALLATION_ID): void {
  github()
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, {
      token: "test",
      expires_at: "2099-01-01T00:00:00Z",
      permissions: { checks: "write", contents: "read", issues: "write", pull_requests: "write" },
    });
}

/** What the contents API answers for a file: its size, and its text in base64. */
export function contentsAnswer(text: string): Record<string, unknown> {
  const size = Buffer.byteLength(text, "utf8");
  return {
    type: "file",
    name: "review-router.yml",
    path: ".github/review-router.yml",
    size,
    encoding: "base64",
    content: Buffer.from(text, "utf8").toString("base64"),
  };
}

/** No `.github/review-router.yml` in the repository nor in the owner's `.github` repository. */
export function mockNoConfigFile(repository = "pytorch/pytorch"): void {
  const owner = repository.split("/")[0]!;
  github()
    .get(`/repos/${repository}/${CONFIG_FILE}`)
    .reply(404, NOT_FOUND)
    .get(`/repos/${owner}/.github/${CONFIG_FILE}`)
    .reply(404, NOT_FOUND);
}

/**
 * `.github/review-router.yml` with `text`, served `times` times as raw content. Returns the
 * requested paths (query string included), so tests can check which ref was read.
 */
export function mockConfigFile(text: string, times = 1): string[] {
  const paths: string[] = [];
  github()
    .get(`${REPO}/${CONFIG_FILE}`)
    .query(true)
    .times(times)
    .reply((uri) => {
      paths.push(uri);
      return [200, contentsAnswer(text), JSON_HEADERS];
    });
  return paths;
}

/** GET pulls/{n}/files, 100 per page as the app asks, every page of `files`. */
export function mockChangedFiles(pr: number, files: readonly string[]): void {
  const pages = Math.max(1, Math.ceil(files.length / 100));
  for (let page = 1; page <= pages; page++) {
    const chunk = files.slice((page - 1) * 100, page * 100);
    github()
      .get(`${REPO}/pulls/${pr}/files`)
      .query({ per_page: "100", page: String(page) })
      .reply(
        200,
        chunk.map((filename) => ({ filename, status: "modified", additions: 1, deletions: 1, changes: 2 })),
        JSON_HEADERS,
      );
  }
}

/**
 * GET pulls/{n}/files for pages 1 to `pages`, 100 files each, named by `fileAt(page, index)`, in
 * one interceptor. Returns the page numbers requested, in order; any other page is unmatched.
 */
export function mockChangedFilePages(pr: number, pages: number, fileAt: (page: number, index: number) => string): number[] {
  const requested: number[] = [];
  github()
    .get(`${REPO}/pulls/${pr}/files`)
    .query((q) => q.per_page === "100" && Number.isInteger(Number(q.page)) && Number(q.page) >= 1 && Number(q.page) <= pages)
    .times(pages)
    .reply((uri) => {
      const page = Number(new URL(uri, API).searchParams.get("page"));
      requested.push(page);
      const files = Array.from({ length: 100 }, (_, i) => ({
        filename: fileAt(page, i),
        status: "modified",
        additions: 1,
        deletions: 1,
        changes: 2,
      }));
      return [200, files, JSON_HEADERS];
    });
  return requested;
}

export interface TimelineEvent {
  [key: string]: unknown;
  event: string;
  id?: number;
  body?: string;
  label?: { name: string };
  actor?: { login: string; type: string };
  user?: { login: string; type: string };
  requested_reviewer?: { login: string; type: string };
  performed_via_github_app?: { id: number } | null;
}

/** GET issues/{n}/timeline: one page with `events`. */
export function mockTimeline(issue: number, events: readonly TimelineEvent[] = []): void {
  github().get(`${REPO}/issues/${issue}/timeline`).query({ per_page: "100", page: "1" }).reply(200, events, JSON_HEADERS);
}

const BOT = { login: "review-router[bot]", type: "Bot" };
const VIA_APP = { id: APP_ID };
const human = (login: string) => ({ login, type: "User" });

/** When the helpers' timeline events happened (GitHub stamps every event). */
const AT = "2026-11-30T12:00:00Z";

/** Timeline events, as GitHub reports them, done by review-router or by a person. */
export const timeline = {
  labeledByApp: (name: string): TimelineEvent => ({
    created_at: AT,
    event: "labeled",
    label: { name },
    actor: BOT,
    performed_via_github_app: VIA_APP,
  }),
  labeledBy: (person: string, name: string): TimelineEvent => ({
    created_at: AT,
    event: "labeled",
    label: { name },
    actor: human(person),
    performed_via_github_app: null,
  }),
  unlabeledBy: (person: string, name: string): TimelineEvent => ({
    created_at: AT,
    event: "unlabeled",
    label: { name },
    actor: human(person),
    performed_via_github_app: null,
  }),
  reviewRequestedByApp: (login: string): TimelineEvent => ({
    created_at: AT,
    event: "review_requested",
    requested_reviewer: human(login),
    actor: BOT,
    performed_via_github_app: VIA_APP,
  }),
  reviewRequestedBy: (person: string, login: string): TimelineEvent => ({
    created_at: AT,
    event: "review_requested",
    requested_reviewer: human(login),
    actor: human(person),
    performed_via_github_app: null,
  }),
  reviewRequestRemovedBy: (person: string, login: string): TimelineEvent => ({
    created_at: AT,
    event: "review_request_removed",
    requested_reviewer: human(login),
    actor: human(person),
    performed_via_github_app: null,
  }),
  /** What routing leaves on the timeline: review-router's labels, then its review requests. */
  routedByApp: (labels: readonly string[], reviewers: readonly string[]): TimelineEvent[] => [
    ...labels.map(timeline.labeledByApp),
    ...reviewers.map(timeline.reviewRequestedByApp),
  ],
  commentedByApp: (id: number, body: string): TimelineEvent => ({
    created_at: AT,
    event: "commented",
    id,
    body,
    user: BOT,
    actor: BOT,
    performed_via_github_app: VIA_APP,
  }),
};

/** What one pull_request delivery to pytorch/pytorch reads, for `mockPullRequestReads`. */
/** What GitHub's GraphQL API knows of the candidates: statuses by login, open review requests by login. */
export interface SignalsState {
  statuses?: Record<string, StandInStatus | null>;
  openReviews?: Record<string, number>;
}

/**
 * POST /graphql, once: the query is validated against GitHub's public schema and answered from
 * `state` (nobody busy, no open review requests by default), or failed with `fail` (an HTTP
 * status). Returns the request bodies.
 */
export function mockGraphql(
  state: SignalsState = {},
  o: { fail?: number; repository?: string } = {},
): { query: string; variables: Record<string, string> }[] {
  const gql: GraphqlState = newGraphqlState();
  for (const [login, status] of Object.entries(state.statuses ?? {})) gql.statuses.set(login.toLowerCase(), status);
  const repository = (o.repository ?? "pytorch/pytorch").toLowerCase();
  for (const [login, n] of Object.entries(state.openReviews ?? {})) gql.openReviews.set(`${repository}\u0000${login.toLowerCase()}`, n);
  const bodies: { query: string; variables: Record<string, string> }[] = [];
  github()
    .post("/graphql", (b: { query?: unknown }) => typeof b.query === "string" && b.query.startsWith("query CandidateSignals("))
    .reply((_uri, body) => {
      const b = bodyOf<{ query: string; variables: Record<string, string> }>(body);
      bodies.push(b);
      if (o.fail !== undefined) return [o.fail, { message: "Server Error" }, JSON_HEADERS];
      const answer = answerGraphql(gql, b);
      return [answer.status, answer.body as nock.Body, JSON_HEADERS];
    });
  return bodies;
}

export interface PullRequestReads {
  /**
   * `.github/review-router.yml`: its text; null or left out when neither the repository nor the
   * owner's `.github` repository has one; false when the test mocks the reads.
   */
  config?: string | null | false;
  /** The changed files, or `pages` full pages of 100 named by `fileAt(page, index)` (read by REST). */
  files: readonly string[] | { pages: number; fileAt: (page: number, index: number) => string };
  /** The issue timeline, as REST shows it: none when left out. */
  timeline?: readonly TimelineEvent[];
  /** review-router's check runs already on the pull request's commits (none when left out). */
  checkRuns?: readonly CheckRun[];
  /** The pull request's commits, oldest first (the head last); default: the head alone. */
  commits?: string[];
  /**
   * The one GraphQL request for the candidates' availability and load: answered from this state
   * (by default nobody busy, no open review requests); false when the delivery must make none
   * (no new reviewer is needed), and then no approval history request either.
   */
  signals?: SignalsState | false;
  /**
   * The default branch's history the approval history request is answered from (default: no
   * commits); false when the delivery must make none (every touched directory is cached).
   */
  history?: HistoryOnGitHub | false;
}

/**
 * Mock, once each, the reads a pull_request delivery of `pr` makes: the configuration file, the
 * one GraphQL read of the pull request (files, timeline, check runs; `mockPullRequestRead`), the
 * REST file pages when there are more than 100, and the candidates' signals. Writes are captured
 * by the test. Returns the configuration paths and file pages requested, and the GraphQL bodies.
 */
export function mockPullRequestReads(
  pr: PullRequestPayload,
  reads: PullRequestReads,
): {
  configReads: string[];
  filePages: number[];
  read: GraphqlBody[];
  graphql: { query: string; variables: Record<string, string> }[];
  history: GraphqlBody[];
} {
  const { config = null, files, timeline: events = [], checkRuns = [], signals = {} } = reads;
  let configReads: string[] = [];
  if (config === null) mockNoConfigFile();
  else if (config === false)
    configReads = []; // the test mocks the configuration reads itself
  else configReads = mockConfigFile(config);
  // Over 100 files, the app reads them by REST pages (the GraphQL read lists none).
  let filePages: number[] = [];
  if ("pages" in files) filePages = mockChangedFilePages(pr.number, files.pages, files.fileAt);
  else if (files.length > 100) mockChangedFiles(pr.number, files);
  const p = pr.pull_request;
  const read = mockPullRequestRead({
    number: pr.number,
    headSha: p.head.sha,
    files: "pages" in files ? [] : files,
    labels: p.labels.map((l) => l.name),
    requestedUsers: (p.requested_reviewers ?? []).flatMap((r) => (r && "login" in r ? [r.login] : [])),
    requestedTeams: (p.requested_teams as { slug?: string }[]).flatMap((t) => (t.slug ? [t.slug] : [])),
    timeline: events,
    checkRuns,
    ...(reads.commits ? { commits: reads.commits } : {}),
  });
  const graphql = signals === false ? [] : mockGraphql(signals);
  const history = signals === false || reads.history === false ? [] : mockApprovalHistory(reads.history ?? {});
  return { configReads, filePages, read, graphql, history };
}

/** What GitHub holds of a repository's default branch, for `mockApprovalHistory`. */
export interface HistoryOnGitHub {
  /** "owner/name"; default pytorch/pytorch. */
  repository?: string;
  /** Its commits, newest first. */
  commits?: readonly ModelCommit[];
  /** Pull requests the commits are associated with (merged ones with their approving reviews). */
  pullRequests?: readonly MergedPullRequest[];
  /** Answer with this HTTP status instead (a GitHub failure). */
  fail?: number;
  /** Answer with these GraphQL errors and no data (e.g. RATE_LIMITED). */
  errors?: { type: string; message: string }[];
}

/** A merged pull request and who approved it. */
export interface MergedPullRequest {
  number: number;
  author: string;
  mergedAt: string;
  approvers: readonly string[];
}

/** A merged pull request as the stand-in's model holds it: its approvals are "reviewed" events. */
export function modelMergedPullRequest(p: MergedPullRequest): ModelPullRequest {
  return {
    number: p.number,
    headSha: `sha-${p.number}`,
    files: [],
    labels: [],
    requestedUsers: [],
    requestedTeams: [],
    author: p.author,
    mergedAt: p.mergedAt,
    timeline: p.approvers.map((login) => ({
      event: "reviewed",
      state: "approved",
      user: { login, type: "User" },
      submitted_at: p.mergedAt,
    })),
  };
}

/**
 * A commit as PyTorch's merge bot lands a pull request: its own commit on the default branch, the
 * pull request and its approvers named in the message (the pull request itself is closed, not merged).
 */
export function landedByBot(o: {
  pr: number;
  oid?: string;
  date: string;
  author: string;
  files: readonly string[];
  approvers: readonly string[];
}): ModelCommit {
  const message = [
    `Change number ${o.pr} (#${o.pr})`,
    "",
    `Pull Request resolved: https://github.com/pytorch/pytorch/pull/${o.pr}`,
    `Approved by: ${o.approvers.map((a) => `https://github.com/${a}`).join(", ")}`,
  ].join("\n");
  return { oid: o.oid ?? `c${o.pr}`.padEnd(40, "0"), committedDate: o.date, message, author: o.author, files: o.files };
}

/**
 * POST /graphql, once: the app's read of the touched directories' approval history (`query
 * ReviewRouterApprovalHistory`), validated and executed against GitHub's public schema over
 * `history`. Returns the request bodies.
 */
export function mockApprovalHistory(history: HistoryOnGitHub): GraphqlBody[] {
  const [owner, name] = (history.repository ?? "pytorch/pytorch").split("/") as [string, string];
  const bodies: GraphqlBody[] = [];
  github()
    .post("/graphql", (b: { query?: unknown }) => typeof b.query === "string" && b.query.startsWith("query ReviewRouterApprovalHistory("))
    .reply((_uri, body) => {
      const b = bodyOf<GraphqlBody>(body);
      bodies.push(b);
      if (history.fail !== undefined) return [history.fail, { message: "Server Error" }, JSON_HEADERS];
      if (history.errors) return [200, { data: null, errors: history.errors }, JSON_HEADERS];
      const pullRequests = (history.pullRequests ?? []).map(modelMergedPullRequest);
      const answer = answerGraphqlFrom({ repositories: [{ owner, name, pullRequests, checkRuns: [], commits: history.commits ?? [] }] }, b);
      return [answer.status, answer.body as nock.Body, JSON_HEADERS];
    });
  return bodies;
}

export interface GraphqlBody {
  query: string;
  variables: Record<string, unknown>;
}

/** What GitHub holds of one pull request, for `mockPullRequestRead`. */
export interface PullRequestOnGitHub {
  /** "owner/name"; default pytorch/pytorch. */
  repository?: string;
  number: number;
  headSha?: string;
  /** Its commits, oldest first (the head last); default: the head alone. */
  commits?: string[];
  /** Paths (status "modified"), or files as REST lists them. */
  files: readonly (string | { filename: string; status: string; previous_filename?: string })[];
  labels?: string[];
  requestedUsers?: string[];
  /** Team slugs. */
  requestedTeams?: string[];
  timeline?: readonly TimelineEvent[];
  /** Check runs on any of its commits. */
  checkRuns?: readonly CheckRun[];
  /** Called when the request arrives (for tests that log the order of requests). */
  onRequest?: () => void;
}

/**
 * POST /graphql, once: the app's read of a pull request (`query ReviewRouterPullRequest`), validated
 * and executed against GitHub's public schema over `pr`. Returns the request bodies.
 */
export function mockPullRequestRead(pr: PullRequestOnGitHub): GraphqlBody[] {
  const headSha = pr.headSha ?? DEFAULT_HEAD_SHA;
  const model: ModelPullRequest = {
    number: pr.number,
    headSha,
    commits: pr.commits ?? [headSha],
    files: pr.files.map((f) => (typeof f === "string" ? { filename: f, status: "modified" } : f)),
    labels: pr.labels ?? [],
    requestedUsers: pr.requestedUsers ?? [],
    requestedTeams: pr.requestedTeams ?? [],
    timeline: pr.timeline ?? [],
  };
  const [owner, name] = (pr.repository ?? "pytorch/pytorch").split("/") as [string, string];
  const checkRuns = (pr.checkRuns ?? []).map((r) => ({ ...r, external_id: r.external_id ?? null, appId: r.app.id }));
  const bodies: GraphqlBody[] = [];
  github()
    .post("/graphql", (b: { query?: unknown }) => typeof b.query === "string" && b.query.startsWith("query ReviewRouterPullRequest("))
    .reply((_uri, body) => {
      const b = bodyOf<GraphqlBody>(body);
      bodies.push(b);
      pr.onRequest?.();
      const answer = answerGraphqlFrom(
        {
          appId: APP_ID,
          viewerLogin: "review-router[bot]",
          repositories: [{ owner, name, pullRequests: [model], checkRuns }],
        },
        b,
      );
      return [answer.status, answer.body as nock.Body, JSON_HEADERS];
    });
  return bodies;
}

export interface CheckRunBody {
  name: string;
  /** The digest of the content, as review-router writes it. */
  external_id?: string | null;
  head_sha?: string;
  status: string;
  conclusion: string;
  output: { title: string; summary: string };
}

export interface CheckRun extends CheckRunBody {
  id: number;
  head_sha: string;
  app: { id: number };
}

/** GET commits/{sha}/check-runs?check_name=review-router: the runs already on the head commit. */
export function mockCheckRunList(sha: string, runs: readonly CheckRun[] = []): void {
  github()
    .get(`${REPO}/commits/${sha}/check-runs`)
    .query({ check_name: "review-router", per_page: "100" })
    .reply(200, { total_count: runs.length, check_runs: runs }, JSON_HEADERS);
}

/** POST check-runs; returns the request bodies. The created run gets `id`. */
export function captureCheckRunCreate(id = 9001): CheckRunBody[] {
  const bodies: CheckRunBody[] = [];
  github()
    .post(`${REPO}/check-runs`)
    .reply(
      201,
      (_uri, body) => {
        const b = bodyOf<CheckRunBody>(body);
        bodies.push(b);
        return { id, ...b, app: { id: APP_ID } };
      },
      JSON_HEADERS,
    );
  return bodies;
}

/** The check run GitHub lists after review-router created or last wrote `body` with id `id` (its digest included). */
export function existingCheckRun(id: number, sha: string, body: CheckRunBody): CheckRun {
  return { ...body, id, head_sha: sha, app: { id: APP_ID }, external_id: checkRunDigest(body.conclusion, body.output) };
}

/** POST issues/{n}/labels; returns the request bodies. */
export function captureLabelsAdded(issue: number): { labels: string[] }[] {
  const bodies: { labels: string[] }[] = [];
  github()
    .post(`${REPO}/issues/${issue}/labels`)
    .reply(
      200,
      (_uri, body) => {
        const b = bodyOf<{ labels: string[] }>(body);
        bodies.push(b);
        return b.labels.map((name) => ({ name }));
      },
      JSON_HEADERS,
    );
  return bodies;
}

export const NOT_COLLABORATOR_MESSAGE =
  "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the pytorch/pytorch repository.";

/**
 * POST pulls/{n}/requested_reviewers, `calls` times; returns the request bodies in order. Like
 * GitHub, the whole request fails with 422 when any login is in `notCollaborators`.
 */
export function captureReviewRequests(
  pr: number,
  options: { calls?: number; notCollaborators?: string[] } = {},
): { reviewers: string[] }[] {
  const refused = new Set((options.notCollaborators ?? []).map((l) => l.toLowerCase()));
  const bodies: { reviewers: string[] }[] = [];
  github()
    .post(`${REPO}/pulls/${pr}/requested_reviewers`)
    .times(options.calls ?? 1)
    .reply((_uri, body) => {
      const b = bodyOf<{ reviewers: string[] }>(body);
      bodies.push(b);
      if (b.reviewers.some((l) => refused.has(l.toLowerCase()))) {
        return [
          422,
          { message: NOT_COLLABORATOR_MESSAGE, documentation_url: "https://docs.github.com/rest/pulls/review-requests" },
          JSON_HEADERS,
        ];
      }
      return [201, { number: pr, requested_reviewers: b.reviewers.map(human) }, JSON_HEADERS];
    });
  return bodies;
}

/** POST issues/{n}/comments; returns the request bodies. */
export function captureComments(issue: number, othersFirst: readonly { id: number; body: string }[] = []): { body: string }[] {
  const bodies: { body: string }[] = [];
  github()
    .post(`${REPO}/issues/${issue}/comments`)
    .reply(
      201,
      (_uri, body) => {
        const b = bodyOf<{ body: string }>(body);
        bodies.push(b);
        return { id: 5000 + bodies.length, ...b, user: BOT, performed_via_github_app: VIA_APP };
      },
      JSON_HEADERS,
    );
  // After creating, the app lists the thread's comments to find another replica's older one:
  // `othersFirst` (created by the app before ours), then ours.
  github()
    .get(`${REPO}/issues/${issue}/comments`)
    .query({ per_page: "100" })
    .reply(
      200,
      () => [
        ...othersFirst.map((c) => ({ ...c, user: BOT, performed_via_github_app: VIA_APP })),
        ...bodies.map((b, i) => ({ id: 5001 + i, ...b, user: BOT, performed_via_github_app: VIA_APP })),
      ],
      JSON_HEADERS,
    );
  return bodies;
}

/** DELETE issues/comments/{id}; returns how many times it was called. */
export function captureCommentDelete(id: number): { count: number } {
  const seen = { count: 0 };
  github()
    .delete(`${REPO}/issues/comments/${id}`)
    .reply(204, () => {
      seen.count++;
      return "";
    });
  return seen;
}

/** PATCH issues/comments/{id}; returns the request bodies. */
export function captureCommentUpdate(id: number): { body: string }[] {
  const bodies: { body: string }[] = [];
  github()
    .patch(`${REPO}/issues/comments/${id}`)
    .reply(
      200,
      (_uri, body) => {
        const b = bodyOf<{ body: string }>(body);
        bodies.push(b);
        return { id, ...b, user: BOT, performed_via_github_app: VIA_APP };
      },
      JSON_HEADERS,
    );
  return bodies;
}

export interface PullRequestGet {
  author: string;
  changedFiles: number;
  labels?: string[];
  requestedReviewers?: string[];
  headSha?: string;
  draft?: boolean;
}
