// Reading a pull request in ONE GraphQL request: its changed files, the timeline items the state
// fold needs (labels, review requests, reviews, comments; up to 500 of them, through five
// `skip`-offset pages in the same query), and review-router's check run on the head commit and on
// the pull request's latest commits. REST is the fallback, per part: files when there are more than
// 100 or a rename (GraphQL does not give a renamed file's previous path), the timeline when it has
// more than 500 of those items, everything when the GraphQL request fails.

import { createHash } from "node:crypto";
import type { ChangedFile } from "../core/route.js";
import type { GraphqlCall } from "./candidate-signals.js";
import {
  foldTimeline,
  listChangedFiles,
  readThreadState,
  type AppOctokit,
  type RepoRef,
  type ThreadState,
  type TimelineEvent,
} from "./github-state.js";
import { CHECK_NAME } from "./summary.js";

/** Timeline items read per page, and pages read in the one request. */
const PAGE = 100;
const TIMELINE_PAGES = 5;
/** The most timeline items the one request reads (PAGE x TIMELINE_PAGES). */
export const GRAPHQL_TIMELINE_LIMIT = PAGE * TIMELINE_PAGES;
/** The latest commits searched for review-router's last check run. */
const RECENT_COMMITS = 10;

const REVIEWER =
  "requestedReviewer { __typename ... on User { login } ... on Bot { login } ... on Mannequin { login } ... on Team { slug } }";

/**
 * The query. `viewer`: who the token is (known app id: its own actions are told apart by it);
 * `checkRuns`: review-router's check runs too, filtered by the app's id.
 */
export function pullRequestReadQuery(o: { viewer: boolean; checkRuns: boolean }): string {
  const withChecks = o.checkRuns;
  const pages = Array.from(
    { length: TIMELINE_PAGES },
    (_, i) =>
      `      t${i}: timelineItems(first: ${PAGE}, skip: ${i * PAGE}, itemTypes: [LABELED_EVENT, UNLABELED_EVENT, REVIEW_REQUESTED_EVENT, REVIEW_REQUEST_REMOVED_EVENT, PULL_REQUEST_REVIEW, ISSUE_COMMENT]) { ${i === 0 ? "totalCount " : ""}nodes { ...Item } }`,
  );
  // An app usually has one suite a commit; GitHub Actions (the Action's token) has one a workflow run.
  const runs = (suites: number, first: number, fields: string) =>
    `checkSuites(first: ${suites}, filterBy: { appId: $appId }) { nodes { checkRuns(first: ${first}, filterBy: { checkName: $checkName, checkType: LATEST }) { nodes { ${fields} } } } }`;
  return [
    `query ReviewRouterPullRequest($owner: String!, $name: String!, $number: Int!, $withFiles: Boolean!${withChecks ? ", $head: GitObjectID!, $appId: Int!, $checkName: String!" : ""}) {`,
    ...(o.viewer ? ["  viewer { login }"] : []),
    "  repository(owner: $owner, name: $name) {",
    "    pullRequest(number: $number) {",
    `      files(first: ${PAGE}) @include(if: $withFiles) { totalCount nodes { path changeType } }`,
    `      labels(first: ${PAGE}) { nodes { name } }`,
    `      reviewRequests(first: ${PAGE}) { nodes { ${REVIEWER} } }`,
    ...pages,
    ...(withChecks ? [`      commits(last: ${RECENT_COMMITS}) { nodes { commit { oid ${runs(10, 1, "externalId")} } } }`] : []),
    "    }",
    ...(withChecks ? [`    head: object(oid: $head) { ... on Commit { ${runs(20, 5, "databaseId status conclusion externalId")} } }`] : []),
    "  }",
    "}",
    "fragment Item on PullRequestTimelineItems {",
    "  __typename",
    "  ... on LabeledEvent { createdAt actor { __typename login } label { name } }",
    "  ... on UnlabeledEvent { createdAt actor { __typename login } label { name } }",
    `  ... on ReviewRequestedEvent { createdAt actor { __typename login } ${REVIEWER} }`,
    `  ... on ReviewRequestRemovedEvent { createdAt actor { __typename login } ${REVIEWER} }`,
    "  ... on PullRequestReview { state submittedAt author { __typename login } }",
    "  ... on IssueComment { fullDatabaseId body createdAt viewerDidAuthor author { __typename login } }",
    "}",
  ].join("\n");
}

/** The query's variables; `checksOf`: the app whose check runs are read, if they are. */
export function pullRequestReadVariables(
  ref: { owner: string; repo: string },
  pr: { number: number; headSha: string; changedFiles: number },
  checksOf: number | undefined,
): Record<string, unknown> {
  return {
    owner: ref.owner,
    name: ref.repo,
    number: pr.number,
    // More files than one page: the REST list is read anyway, so GraphQL does not list them.
    withFiles: pr.changedFiles <= PAGE,
    ...(checksOf !== undefined ? { head: pr.headSha, appId: checksOf, checkName: CHECK_NAME } : {}),
  };
}

/** review-router's check run on a commit, as far as deciding whether to write it needs. */
export interface KnownCheckRun {
  /** Absent when GitHub did not give it: the writer then looks the run up by REST before updating. */
  id?: number;
  status: string;
  conclusion: string | null;
  /** The digest of the content it was written with (its external_id); absent for runs written before digests. */
  digest?: string;
}

export interface CheckRunsSeen {
  /** review-router's run on the head commit; null: there is none. */
  head: KnownCheckRun | null;
  /** The digest of review-router's run on the latest of the pull request's recent commits that has one. */
  latestDigest?: string;
}

/** What the request gave, each part undefined when REST must read it instead. */
export interface PullRequestRead {
  files?: ChangedFile[];
  timeline?: TimelineEvent[];
  labels: string[];
  requestedUsers: string[];
  requestedTeams: string[];
  /** Undefined when not read (no app id: the writer looks by REST). */
  checkRuns?: CheckRunsSeen;
}

interface Actor {
  __typename?: string;
  login?: string;
}
interface Reviewer extends Actor {
  slug?: string;
}
interface Item {
  __typename?: string;
  createdAt?: string;
  actor?: Actor | null;
  label?: { name?: string } | null;
  requestedReviewer?: Reviewer | null;
  state?: string;
  submittedAt?: string | null;
  author?: Actor | null;
  fullDatabaseId?: string | number | null;
  body?: string;
  viewerDidAuthor?: boolean;
}
interface Runs {
  nodes?: ({
    checkRuns?: {
      nodes?: ({ databaseId?: number | null; status?: string; conclusion?: string | null; externalId?: string | null } | null)[];
    };
  } | null)[];
}
interface ReadData {
  viewer?: { login?: string };
  repository?: {
    pullRequest?: {
      files?: { totalCount?: number; nodes?: ({ path?: string; changeType?: string } | null)[] };
      labels?: { nodes?: ({ name?: string } | null)[] };
      reviewRequests?: { nodes?: ({ requestedReviewer?: Reviewer | null } | null)[] };
      commits?: { nodes?: ({ commit?: { checkSuites?: Runs } } | null)[] };
      [page: string]: unknown;
    } | null;
    head?: { checkSuites?: Runs } | null;
  } | null;
}

/** A bot's login as GraphQL gives it ("name") and as REST or `viewer` may ("name[bot]"): compared without the suffix. */
function botKey(login: string): string {
  return login.toLowerCase().replace(/\[bot\]$/, "");
}

/**
 * The request's answer in the shapes the rest of the app uses: timeline items become REST timeline
 * events (so one fold reads both), an action by review-router's own bot (the `viewer` of the app's
 * token) carries `performed_via_github_app: { id: appId }` as REST would. Throws when the pull
 * request is missing from the answer.
 */
export function parsePullRequestRead(data: unknown, appId: number | undefined, checkRunsRead = appId !== undefined): PullRequestRead {
  const d = data as ReadData;
  const pr = d.repository?.pullRequest;
  if (!pr) throw new Error("the GraphQL answer has no pull request");
  const self = appId !== undefined && d.viewer?.login ? botKey(d.viewer.login) : undefined;
  const viaApp = (actor: Actor | null | undefined) =>
    self !== undefined && actor?.__typename === "Bot" && actor.login !== undefined && botKey(actor.login) === self ? { id: appId! } : null;
  const person = (a: Actor | null | undefined) =>
    a?.login
      ? {
          login: a.__typename === "Bot" && !a.login.endsWith("[bot]") ? `${a.login}[bot]` : a.login,
          type: a.__typename === "Bot" ? "Bot" : "User",
        }
      : null;

  const out: PullRequestRead = {
    labels: (pr.labels?.nodes ?? []).flatMap((l) => (l?.name ? [l.name] : [])),
    // A requested bot as REST names it ("name[bot]"), so that it matches the timeline's events.
    requestedUsers: (pr.reviewRequests?.nodes ?? []).flatMap((r) => {
      const who = r?.requestedReviewer?.slug ? null : person(r?.requestedReviewer);
      return who ? [who.login] : [];
    }),
    requestedTeams: (pr.reviewRequests?.nodes ?? []).flatMap((r) => (r?.requestedReviewer?.slug ? [r.requestedReviewer.slug] : [])),
  };

  const files = pr.files;
  const total = files?.totalCount ?? 0;
  const listed = (files?.nodes ?? []).flatMap((f) => (f?.path ? [f] : []));
  // A rename or copy needs its previous path (REST has it); more than a page needs REST's pages.
  if (files && total <= PAGE && listed.length === total && !listed.some((f) => f.changeType === "RENAMED" || f.changeType === "COPIED")) {
    out.files = listed.map((f) => ({ path: f.path! }));
  }

  const first = pr.t0 as { totalCount?: number } | undefined;
  if (first && (first.totalCount ?? 0) <= GRAPHQL_TIMELINE_LIMIT) {
    const items: Item[] = [];
    for (let i = 0; i < TIMELINE_PAGES; i++)
      items.push(...((pr[`t${i}`] as { nodes?: (Item | null)[] } | undefined)?.nodes ?? []).filter((n): n is Item => n !== null));
    out.timeline = items.flatMap((item) => timelineEvent(item, viaApp, person, appId));
  }

  if (checkRunsRead) {
    const runsOf = (suites: Runs | undefined) =>
      (suites?.nodes ?? []).flatMap((s) => (s?.checkRuns?.nodes ?? []).filter((r): r is NonNullable<typeof r> => r !== null));
    const head = runsOf(d.repository?.head?.checkSuites)[0];
    let latestDigest: string | undefined;
    for (const c of pr.commits?.nodes ?? []) {
      const run = runsOf(c?.commit?.checkSuites)[0];
      if (run) latestDigest = run.externalId ?? undefined; // commits come oldest first: the last one wins
    }
    out.checkRuns = {
      head: head
        ? {
            ...(typeof head.databaseId === "number" && Number.isSafeInteger(head.databaseId) && head.databaseId > 0
              ? { id: head.databaseId }
              : {}),
            status: (head.status ?? "").toLowerCase(),
            conclusion: head.conclusion ? head.conclusion.toLowerCase() : null,
            ...(head.externalId ? { digest: head.externalId } : {}),
          }
        : null,
      ...(latestDigest ? { latestDigest } : {}),
    };
  }
  return out;
}

function timelineEvent(
  item: Item,
  viaApp: (a: Actor | null | undefined) => { id: number } | null,
  person: (a: Actor | null | undefined) => { login: string; type: string } | null,
  appId: number | undefined,
): TimelineEvent[] {
  const reviewer = (r: Reviewer | null | undefined) =>
    r?.slug ? { requested_team: { slug: r.slug } } : r?.login ? { requested_reviewer: person(r) } : {};
  const at = item.createdAt !== undefined ? { created_at: item.createdAt } : {};
  switch (item.__typename) {
    case "LabeledEvent":
    case "UnlabeledEvent":
      return [
        {
          event: item.__typename === "LabeledEvent" ? "labeled" : "unlabeled",
          label: { name: item.label?.name ?? "" },
          actor: person(item.actor),
          performed_via_github_app: viaApp(item.actor),
          ...at,
        },
      ];
    case "ReviewRequestedEvent":
    case "ReviewRequestRemovedEvent":
      return [
        {
          event: item.__typename === "ReviewRequestedEvent" ? "review_requested" : "review_request_removed",
          actor: person(item.actor),
          performed_via_github_app: viaApp(item.actor),
          ...reviewer(item.requestedReviewer),
          ...at,
        },
      ];
    case "PullRequestReview":
      // A pending review is the viewer's draft: GitHub's REST timeline does not show it either.
      if (item.state === "PENDING") return [];
      return [
        {
          event: "reviewed",
          user: person(item.author),
          state: item.state?.toLowerCase(),
          ...(item.submittedAt ? { submitted_at: item.submittedAt } : {}),
        },
      ];
    case "IssueComment": {
      const id = Number(item.fullDatabaseId);
      return [
        {
          event: "commented",
          ...(Number.isSafeInteger(id) && id > 0 ? { id } : {}),
          body: item.body ?? "",
          user: person(item.author),
          actor: person(item.author),
          // The comment's author is the token's own user: for the app, review-router itself.
          performed_via_github_app: appId !== undefined && item.viewerDidAuthor ? { id: appId } : viaApp(item.author),
          ...at,
        },
      ];
    }
    default:
      return [];
  }
}

/** The digest a check run's content is written with (its external_id): equal digests, equal content. */
export function checkRunDigest(conclusion: string, output: { title: string; summary: string }): string {
  return `rr1-${createHash("sha256").update(`${conclusion}\u0000${output.title}\u0000${output.summary}`).digest("hex").slice(0, 32)}`;
}

/** A pull request as the reader starts from it: the event's (or a REST read's) view. */
export interface PullRequestView {
  number: number;
  headSha: string;
  /** The number of changed files announced: above 100 the files are read by REST pages. */
  changedFiles: number;
  /**
   * Read review-router's check runs too (the summary is a check run); false for `summary: comment`
   * or `none`, where a workflow's token may have no checks permission at all.
   */
  withCheckRuns: boolean;
  thread: { labels: string[]; requestedUsers: string[]; requestedTeams: string[] };
}

export interface PullRequestState {
  files: ChangedFile[];
  truncatedAt?: number;
  thread: ThreadState;
  checkRuns?: CheckRunsSeen;
  /** Set when the GraphQL request failed and everything was read by REST: why. */
  graphqlFailed?: string;
}

/**
 * The pull request's files, state and review-router's check runs: one GraphQL request, and REST
 * reads only for what it cannot give (see the top of this file). A failed GraphQL request is not
 * fatal: REST reads everything, as before the GraphQL read existed.
 */
export async function readPullRequest(
  octokit: AppOctokit & { graphql: GraphqlCall },
  ref: RepoRef,
  pr: PullRequestView,
  appId: number | undefined,
): Promise<PullRequestState> {
  let read: PullRequestRead | undefined;
  let graphqlFailed: string | undefined;
  // Check runs are read only for the app's own id and when the summary is one.
  const checksOf = pr.withCheckRuns ? appId : undefined;
  try {
    const query = pullRequestReadQuery({ viewer: appId !== undefined, checkRuns: checksOf !== undefined });
    const data = await octokit.graphql(query, pullRequestReadVariables(ref, pr, checksOf));
    read = parsePullRequestRead(data, appId, checksOf !== undefined);
  } catch (err) {
    graphqlFailed = err instanceof Error ? err.message : String(err);
  }
  const listed = read?.files ? { files: read.files } : await listChangedFiles(octokit, ref, pr.number, pr.changedFiles);
  const initial = read ? { labels: read.labels, requestedUsers: read.requestedUsers, requestedTeams: read.requestedTeams } : pr.thread;
  const thread = read?.timeline
    ? foldTimeline(read.timeline, appId, initial)
    : await readThreadState(octokit, ref, pr.number, appId, initial);
  return {
    ...listed,
    thread,
    ...(read?.checkRuns ? { checkRuns: read.checkRuns } : {}),
    ...(graphqlFailed !== undefined ? { graphqlFailed } : {}),
  };
}
