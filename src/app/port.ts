// The GitHub seam: every call the handlers make, as one small interface for one repository.
// Implemented once over Octokit (Probot's context.octokit, or @octokit/rest's Octokit for a CLI
// or a GitHub Action); tests of the plan/apply logic use an in-memory fake.

import type { PermissionLevel } from "../core/commands.js";
import type { SummaryMode } from "../core/config.js";
import { fetchApprovalHistory, type ApprovalHistoryResult } from "./approval-history.js";
import { fetchCandidateSignals, type GraphqlCall, type SignalsResult } from "./candidate-signals.js";
import { readThreadState, type AppOctokit, type RepoRef, type ThreadState } from "./github-state.js";
import { readPullRequest, type CheckRunsSeen, type PullRequestState, type PullRequestView } from "./pull-request-read.js";
import { CHECK_NAME, type Summary } from "./summary.js";
import { httpStatus } from "../core/util.js";
import { YAML_LIMITS } from "../core/yaml.js";

/** A configuration file larger than this is refused from its size alone, before it is read or parsed. */
export const MAX_CONFIG_BYTES = YAML_LIMITS.maxBytes;

/** The reactions review-router puts on a command comment. */
export type Reaction = "+1" | "eyes";

/** What a webhook payload shows of a thread; the timeline read overrides whatever it mentions. */
export interface InitialThread {
  labels: string[];
  requestedUsers: string[];
  requestedTeams: string[];
}

export interface SummaryWrite {
  mode: Exclude<SummaryMode, "none">;
  summary: Summary;
  conclusion: "neutral" | "failure";
  /** review-router's comments already on the thread (from its timeline): the summary comment is found among them. */
  appComments: readonly { id: number; body: string }[];
  /** review-router's check runs as the pull request read found them; unknown (left out): looked up by REST. */
  checkRuns?: CheckRunsSeen;
}

/** A file on a repository's default branch: the repository's own, its owner's `.github`, or an `_extends` target. */
export interface FileAt {
  owner: string;
  repo: string;
  path: string;
}

/** A file as the contents API answered for it. */
export type Fetched = { kind: "missing" } | { kind: "file"; text: string } | { kind: "refused"; message: string };

export interface FileRead {
  fetched: Fetched;
  /** The answer's ETag, to ask again cheaply. */
  etag?: string;
  /** GitHub answered 304 to the ETag sent: the file did not change (`fetched` says nothing then). */
  notModified?: boolean;
}

/** review-router's check run on a commit, as GitHub lists it. */
export interface CheckRunFound {
  id: number;
  status: string;
  conclusion: string | null;
  externalId?: string;
  output: { title?: string | null; summary?: string | null };
}

/** A completed check run's content; `externalId` carries the digest of the content. */
export interface CheckRunWrite {
  externalId: string;
  conclusion: "neutral" | "failure";
  output: { title: string; summary: string };
}

/** A comment on an issue or pull request; `mine` when review-router wrote it (every comment, when the app id is unknown). */
export interface CommentFound {
  id: number;
  body: string;
  mine: boolean;
}

/*
 * The calls review-router makes on one repository, as small verbs split by concern; a consumer
 * asks for the parts it uses. Failures throw the client's error, with the HTTP `status` GitHub
 * answered (a 422 refusing review requests, a 404 for a label already gone).
 */

/** Files on the default branch: what loading the configuration reads (repo-config.ts, codeowners-source.ts). */
export interface DefaultBranchFiles {
  readonly repo: RepoRef;
  /**
   * A file through the contents API, whose JSON answer gives the size first: a file over the
   * configuration limit is refused without decoding it. 404: missing. `etag`: asked conditionally.
   */
  readFile(at: FileAt, etag?: string): Promise<FileRead>;
  /** A file of this repository as raw text (any size GitHub serves); undefined when there is none (404, or a directory). */
  readRawFile(path: string): Promise<string | undefined>;
}

/** Reading pull requests and issues: what gathering needs. */
export interface ThreadReads {
  readonly repo: RepoRef;
  /**
   * A pull request's changed files (up to GitHub's limit), its state now and review-router's check
   * runs: one GraphQL request when it can give them all, REST reads for the rest (pull-request-read.ts).
   */
  readPullRequest(pr: PullRequestView): Promise<PullRequestState>;
  /** What is on the pull request or issue now, from its REST timeline: labels, requests, reviews, review-router's comments. */
  readThreadState(issueNumber: number, initial: InitialThread): Promise<ThreadState>;
  /** A pull request as GitHub shows it now (a comment event carries only the issue; online CLI, sweep, Action). */
  getPullRequest(pullNumber: number): Promise<PullRequestInfo>;
  /** Open pull requests, newest first, up to `limit`. */
  listOpenPullRequests(limit: number): Promise<PullRequestInfo[]>;
  /** An issue as GitHub shows it now. */
  getIssue(issueNumber: number): Promise<IssueInfo>;
  /**
   * The candidates' availability and load for this repository, in ONE GraphQL request (see
   * candidate-signals.ts); `{ ok: false, reason }` on an error or time-out, never a throw.
   */
  candidateSignals(logins: readonly string[], now: Date): Promise<SignalsResult>;
  /**
   * Who approved the merged pull requests touching `entries` (directories ending in "/", or
   * root-level files) on the default branch since `since`, in ONE GraphQL request (see
   * approval-history.ts); `{ ok: false, reason }` on an error, time-out or partial answer, never a throw.
   */
  approvalHistory(entries: readonly string[], since: Date): Promise<ApprovalHistoryResult>;
}

/** Labels and review requests: what applying a plan writes. */
export interface ThreadWrites {
  addLabels(issueNumber: number, labels: readonly string[]): Promise<void>;
  removeLabel(issueNumber: number, name: string): Promise<void>;
  requestReviews(pullNumber: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void>;
  /** Withdraw review requests (users by login, teams by slug). */
  removeReviewRequests(pullNumber: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void>;
}

/** Comments: the summary comment, the cc comment, command replies. */
export interface Comments {
  /** Every comment of an issue or pull request, oldest first. */
  listComments(issueNumber: number): Promise<CommentFound[]>;
  /** Create a comment, without retrying: creating is not idempotent (see createOnce). */
  createComment(issueNumber: number, body: string): Promise<{ id: number }>;
  updateComment(commentId: number, body: string): Promise<void>;
  /** Delete a comment; one already gone (404) is fine. */
  deleteComment(commentId: number): Promise<void>;
}

/** review-router's check run (the summary in `check` mode). */
export interface CheckRuns {
  /** review-router's check runs on a commit (its name, made by this app when the app id is known). */
  listCheckRuns(headSha: string): Promise<CheckRunFound[]>;
  /** Create a completed check run on `headSha`, without retrying (see createOnce). */
  createCheckRun(headSha: string, run: CheckRunWrite): Promise<void>;
  updateCheckRun(checkRunId: number, run: CheckRunWrite): Promise<void>;
}

/** What deciding and acknowledging a command needs. */
export interface CommandChecks {
  /** A user's permission on the repository (`role_name`, else `permission`); "none" when GitHub knows no such collaborator. */
  permissionLevel(login: string): Promise<PermissionLevel | string>;
  /**
   * Put review-router's reaction on an issue comment. GitHub answers 201 when it creates the
   * reaction and 200 when this app's reaction of that kind is already there: `created` tells
   * them apart, which makes the reaction the record that the comment was acted on.
   */
  addReaction(commentId: number, content: Reaction): Promise<{ created: boolean; id: number }>;
  deleteReaction(commentId: number, reactionId: number): Promise<void>;
}

/** What planning reads: enough for a plan without writing anything (the online CLI without --apply; a port over local files). */
export interface ReadPort extends ThreadReads, DefaultBranchFiles {}

/** What planning an issue reads: its thread's state and the configuration's files (`triage`'s port over no GitHub). */
export type IssueReadPort = Pick<ReadPort, "repo" | "readThreadState" | "readFile" | "readRawFile">;

/** Every verb: what carrying out events needs. */
export interface GitHubPort extends ReadPort, ThreadWrites, Comments, CheckRuns, CommandChecks {}

/** What review-router reads of a pull request it was not sent in an event. */
export interface PullRequestInfo {
  number: number;
  state: string;
  author: string;
  draft: boolean;
  headSha: string;
  /** Unknown in a pull request list: read the files until a short page then. */
  changedFiles?: number;
  thread: InitialThread;
}

export interface IssueInfo {
  number: number;
  state: string;
  author: string;
  title: string;
  body: string;
  labels: string[];
  /** Set when the "issue" is a pull request. */
  isPullRequest: boolean;
}

export interface RawPull {
  number: number;
  state: string;
  user?: { login?: string } | null;
  draft?: boolean;
  head: { sha: string };
  changed_files?: number;
  labels?: ({ name?: string } | string)[];
  requested_reviewers?: ({ login?: string } | null)[] | null;
  requested_teams?: ({ slug?: string } | null)[] | null;
}

/** A pull request as the REST API (or an event payload) shows it. */
export function pullInfo(p: RawPull): PullRequestInfo {
  return {
    number: p.number,
    state: p.state,
    author: p.user?.login ?? "",
    draft: p.draft === true,
    headSha: p.head.sha,
    ...(typeof p.changed_files === "number" ? { changedFiles: p.changed_files } : {}),
    thread: {
      labels: labelNames(p.labels),
      requestedUsers: (p.requested_reviewers ?? []).flatMap((r) => (r?.login ? [r.login] : [])),
      requestedTeams: (p.requested_teams ?? []).flatMap((t) => (t?.slug ? [t.slug] : [])),
    },
  };
}

/** Not retried: creating is not idempotent, so a failed create is looked for before it is made again (createOnce). */
const NO_RETRY = { retries: 0 };

/** The port over an Octokit client for `repo`. `appId` tells review-router's own labels, requests and comments from humans'. */
export function octokitPort(octokit: AppOctokit & { graphql: GraphqlCall }, repo: RepoRef, appId: number | undefined): GitHubPort {
  const ref: RepoRef = { owner: repo.owner, repo: repo.repo };
  const byThisApp = (via: { id?: number } | null | undefined) => appId === undefined || via?.id === appId;
  return {
    repo: ref,
    readPullRequest: (pr) => readPullRequest(octokit, ref, pr, appId),
    readThreadState: (issueNumber, initial) => readThreadState(octokit, ref, issueNumber, appId, initial),
    async addLabels(issueNumber, labels) {
      await octokit.rest.issues.addLabels({ ...ref, issue_number: issueNumber, labels: [...labels] });
    },
    async removeLabel(issueNumber, name) {
      await octokit.rest.issues.removeLabel({ ...ref, issue_number: issueNumber, name });
    },
    async requestReviews(pullNumber, request) {
      // The body names only what is requested: no empty team list on the wire.
      await octokit.rest.pulls.requestReviewers({
        ...ref,
        pull_number: pullNumber,
        ...(request.users.length > 0 ? { reviewers: [...request.users] } : {}),
        ...(request.teams.length > 0 ? { team_reviewers: [...request.teams] } : {}),
      });
    },
    async removeReviewRequests(pullNumber, request) {
      await octokit.rest.pulls.removeRequestedReviewers({
        ...ref,
        pull_number: pullNumber,
        // The body names only what is withdrawn: no empty list on the wire.
        ...(request.users.length > 0 ? { reviewers: [...request.users] } : {}),
        ...(request.teams.length > 0 ? { team_reviewers: [...request.teams] } : {}),
      } as Parameters<typeof octokit.rest.pulls.removeRequestedReviewers>[0]);
    },
    async listComments(issueNumber) {
      const all = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: issueNumber, per_page: 100 });
      return all.map((c) => ({ id: c.id, body: c.body ?? "", mine: byThisApp(c.performed_via_github_app) }));
    },
    async createComment(issueNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body, request: NO_RETRY });
      return { id: data.id };
    },
    async updateComment(commentId, body) {
      await octokit.rest.issues.updateComment({ ...ref, comment_id: commentId, body });
    },
    async deleteComment(commentId) {
      try {
        await octokit.rest.issues.deleteComment({ ...ref, comment_id: commentId });
      } catch (err) {
        if (httpStatus(err) !== 404) throw err; // already gone is fine
      }
    },
    async listCheckRuns(headSha) {
      const { data } = await octokit.rest.checks.listForRef({ ...ref, ref: headSha, check_name: CHECK_NAME, per_page: 100 });
      return data.check_runs
        .filter((r) => appId === undefined || !r.app || r.app.id === appId)
        .map((r) => ({
          id: r.id,
          status: r.status,
          conclusion: r.conclusion,
          ...(r.external_id ? { externalId: r.external_id } : {}),
          output: { title: r.output?.title ?? null, summary: r.output?.summary ?? null },
        }));
    },
    async createCheckRun(headSha, run) {
      await octokit.rest.checks.create({
        ...ref,
        name: CHECK_NAME,
        head_sha: headSha,
        external_id: run.externalId,
        status: "completed",
        conclusion: run.conclusion,
        output: run.output,
        request: NO_RETRY,
      });
    },
    async updateCheckRun(checkRunId, run) {
      await octokit.rest.checks.update({
        ...ref,
        check_run_id: checkRunId,
        external_id: run.externalId,
        status: "completed",
        conclusion: run.conclusion,
        output: run.output,
      });
    },
    candidateSignals: (logins, now) => fetchCandidateSignals((q, p) => octokit.graphql(q, p), `${ref.owner}/${ref.repo}`, logins, now),
    approvalHistory: (entries, since) => fetchApprovalHistory((q, p) => octokit.graphql(q, p), ref, entries, since),
    async permissionLevel(login) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...ref, username: login });
        return (data as { role_name?: string }).role_name || data.permission;
      } catch (err) {
        if (httpStatus(err) === 404) return "none";
        throw err;
      }
    },
    async addReaction(commentId, content) {
      // Not retried: a retry after a lost answer would read as "already there" and skip the command.
      const r = await octokit.rest.reactions.createForIssueComment({ ...ref, comment_id: commentId, content, request: NO_RETRY });
      return { created: r.status === 201, id: r.data.id };
    },
    async deleteReaction(commentId, reactionId) {
      await octokit.rest.reactions.deleteForIssueComment({ ...ref, comment_id: commentId, reaction_id: reactionId });
    },
    readFile: (at, etag) => readContents(octokit, at, etag),
    async readRawFile(path) {
      try {
        const { data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...ref, path, mediaType: { format: "raw" } });
        return typeof data === "string" ? data : undefined;
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
        return undefined;
      }
    },
    async getPullRequest(pullNumber) {
      const { data } = await octokit.rest.pulls.get({ ...ref, pull_number: pullNumber });
      return pullInfo(data as RawPull);
    },
    async listOpenPullRequests(limit) {
      const out: PullRequestInfo[] = [];
      for (let page = 1; out.length < limit; page++) {
        const { data } = await octokit.rest.pulls.list({ ...ref, state: "open", sort: "created", direction: "desc", per_page: 100, page });
        out.push(...(data as RawPull[]).map(pullInfo));
        if (data.length < 100) break;
      }
      return out.slice(0, limit);
    },
    async getIssue(issueNumber) {
      const { data } = await octokit.rest.issues.get({ ...ref, issue_number: issueNumber });
      return {
        number: data.number,
        state: data.state,
        author: data.user?.login ?? "",
        title: data.title ?? "",
        body: data.body ?? "",
        labels: labelNames(data.labels),
        isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
      };
    },
  };
}

/** Label names from a payload's or an answer's labels (objects or plain names). */
export function labelNames(labels: readonly ({ name?: string } | string)[] | undefined): string[] {
  return (labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : []));
}

/**
 * One file through the contents API. Its JSON answer gives the size first: a file over the cap
 * is refused without decoding it (GitHub sends no content at all past 1 MB).
 */
async function readContents(octokit: AppOctokit, at: FileAt, etag?: string): Promise<FileRead> {
  let data: unknown;
  let headers: Record<string, unknown> | undefined;
  try {
    const params = { ...at, ...(etag !== undefined ? { headers: { "if-none-match": etag } } : {}) };
    ({ data, headers } = (await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", params)) as {
      data: unknown;
      headers?: Record<string, unknown>;
    });
  } catch (err) {
    const status = httpStatus(err);
    if (status === 304) return { fetched: { kind: "missing" }, notModified: true };
    if (status === 404) return { fetched: { kind: "missing" } };
    throw err; // a GitHub failure: let the delivery fail and be logged
  }
  const tag = typeof headers?.etag === "string" ? headers.etag : undefined;
  return { fetched: decodeFile(at, data), ...(tag !== undefined ? { etag: tag } : {}) };
}

function decodeFile(at: FileAt, data: unknown): Fetched {
  const where = `${at.owner}/${at.repo}:${at.path}`;
  const file = data as { type?: unknown; size?: unknown; encoding?: unknown; content?: unknown };
  if (Array.isArray(data) || file.type !== "file")
    return { kind: "refused", message: `${where} is a directory or a submodule, not a file` };
  const tooLarge = sizeRefusal(typeof file.size === "number" ? file.size : Number.POSITIVE_INFINITY);
  if (tooLarge) return tooLarge;
  if (file.encoding !== "base64" || typeof file.content !== "string") {
    return { kind: "refused", message: `GitHub sent ${where} without its content` };
  }
  return { kind: "file", text: Buffer.from(file.content, "base64").toString("utf8") };
}

/** A configuration file refused from its size alone, before it is decoded or parsed; undefined when it may be read. */
export function sizeRefusal(bytes: number): Extract<Fetched, { kind: "refused" }> | undefined {
  if (bytes <= MAX_CONFIG_BYTES) return undefined;
  return { kind: "refused", message: `file is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES} bytes: split it or remove unused entries` };
}
