// The stand-in's GraphQL endpoint. Every query is validated against GitHub's public schema (a query
// GitHub would refuse fails here too), then EXECUTED against that schema (graphql-js) with a root
// built from a plain model of GitHub's state: repositories' pull requests (files, labels, review
// requests, the REST-shaped timeline, commits and check runs), the viewer, and the candidates'
// statuses and open review requests. A field the model does not describe is a GraphQL error, never
// a silent null, so a query that drifts from what the stand-in knows fails loudly.
//
// GitHub's documented behaviour followed here: connections need `first` or `last` (1..100, not
// both), `skip` skips the first n items, `after` starts past the item whose cursor it is (cursors
// are opaque; `pageInfo.endCursor` gives one); a missing repository, pull request or user is null
// plus a NOT_FOUND error; a Bot's GraphQL login has no "[bot]" suffix (REST's "dependabot[bot]" is
// "dependabot"); enums are upper case. `before` is refused: nothing reads it.

import { schema as githubSchema, validate } from "@octokit/graphql-schema";
import {
  buildClientSchema,
  execute,
  GraphQLError,
  isUnionType,
  parse,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";

export interface StandInStatus {
  indicatesLimitedAvailability: boolean;
  expiresAt?: string | null;
  message?: string | null;
}

export interface GraphqlState {
  /** login (lower case) → status; absent: no status set; null: no such user. */
  statuses: Map<string, StandInStatus | null>;
  /** "owner/name\0login" (lower case) → open pull requests awaiting the login's review. */
  openReviews: Map<string, number>;
}

export function newGraphqlState(): GraphqlState {
  return { statuses: new Map(), openReviews: new Map() };
}

/** A user or bot as REST shows it: a bot's login ends with "[bot]" and its type is "Bot". */
export interface RestUser {
  login?: string;
  type?: string;
}

/** One event of the REST issue timeline (GET issues/{n}/timeline), as far as the model reads it. */
export interface RestTimelineEvent {
  event: string;
  id?: number;
  created_at?: string;
  actor?: RestUser | null;
  user?: RestUser | null;
  performed_via_github_app?: { id?: number } | null;
  label?: { name?: string };
  requested_reviewer?: RestUser | null;
  requested_team?: { slug?: string; name?: string } | null;
  state?: string;
  submitted_at?: string;
  body?: string;
  [key: string]: unknown;
}

/** A check run as REST shows it, with the id of the app that wrote it. */
export interface ModelCheckRun {
  id: number;
  head_sha: string;
  name: string;
  /** REST's lower-case status and conclusion ("completed", "neutral"). */
  status: string;
  conclusion: string | null;
  external_id?: string | null;
  appId: number;
}

export interface ModelPullRequest {
  number: number;
  headSha: string;
  /** The pull request's commits, oldest first (the head last); default: the head commit alone. */
  commits?: readonly string[];
  /** As REST lists them: status added, removed, modified, renamed, copied or changed. */
  files: readonly { filename: string; status: string; previous_filename?: string }[];
  labels: readonly string[];
  /** Logins; a bot's ends with "[bot]". */
  requestedUsers: readonly string[];
  requestedTeams: readonly string[];
  timeline: readonly RestTimelineEvent[];
  /** The author's login (`author { login }`); unknown when left out. */
  author?: string;
  /** When it was merged (ISO); left out or null: not merged. */
  mergedAt?: string | null;
  /** Closed without being merged (a merge bot closes the pull request it lands as a new commit). */
  closed?: boolean;
  /** When it last changed (ISO); default: when it was merged, else 2026-01-01. */
  updatedAt?: string;
}

/** A commit of the default branch, for `Commit.history(path:)`. */
export interface ModelCommit {
  oid: string;
  /** ISO time. */
  committedDate: string;
  message: string;
  /** The GitHub login the commit's author is linked to, when it is. */
  author?: string | null;
  /** The paths it changed: `history(path:)` lists it for any of them or a directory above them. */
  files: readonly string[];
  /** The pull request GitHub associates with it (its number), when there is one. */
  pullRequest?: number;
}

export interface ModelRepository {
  owner: string;
  name: string;
  pullRequests: readonly ModelPullRequest[];
  /** Check runs on the repository's commits, in the order they were created. */
  checkRuns: readonly ModelCheckRun[];
  /** The default branch's commits, newest first (none when left out). */
  commits?: readonly ModelCommit[];
}

/** What `rateLimit` answers; the test may change it between requests. */
export interface ModelRateLimit {
  limit: number;
  remaining: number;
  /** ISO time the limit resets. */
  resetAt: string;
  /** What each query costs (default 1). */
  cost?: number;
}

/** What the GraphQL endpoint knows: everything it answers comes from here. */
export interface GraphqlModel {
  /** The app whose installation token asks: its timeline actions and comments are the viewer's. */
  appId?: number;
  /** `viewer { login }`: for an app's installation token, "<slug>[bot]". */
  viewerLogin?: string;
  repositories: readonly ModelRepository[];
  signals?: GraphqlState;
  rateLimit?: ModelRateLimit;
}

/** An error as GitHub adds it to `errors`: `type` (e.g. NOT_FOUND) when GitHub gives one. */
class GitHubFieldError extends Error {
  constructor(
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

let built: { schema: GraphQLSchema; ms: number } | undefined;

/**
 * GitHub's public schema, executable; built once per process, on first use (`ms`: how long that
 * took). Built from the package's introspection JSON, the very schema its `validate` checks against:
 * its SDL (schema.idl) defines some fields twice, which graphql-js's buildSchema refuses unless told
 * to assume valid SDL, and building from the SDL takes about five times as long.
 */
export function executableSchema(): { schema: GraphQLSchema; ms: number } {
  if (!built) {
    const start = performance.now();
    const schema = buildClientSchema(githubSchema.json as unknown as IntrospectionQuery);
    built = { schema, ms: performance.now() - start };
  }
  return built;
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  skip?: number | null;
  after?: string | null;
  before?: string | null;
}

/** The opaque cursor of the item at `index` (as GitHub's, base64). */
function cursorOf(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString("base64");
}

function indexOfCursor(cursor: string, name: string): number {
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  if (!m) throw new GitHubFieldError(`\`${name}\`: the cursor "${cursor}" is not valid`);
  return Number(m[1]);
}

/**
 * Which items a connection `name` returns for `args`, as GitHub pages: `first` or `last` is required
 * (1..100, not both), `after` starts past its item, `skip` drops the first n items, then `first`
 * keeps the first n of the rest or `last` the last n. `before` is refused.
 */
function pageRange(length: number, args: PageArgs, name: string): { from: number; to: number } {
  const { first, last, skip } = args;
  if (args.before != null) throw new GitHubFieldError(`the stand-in does not page \`${name}\` backwards (before)`);
  if (first == null && last == null)
    throw new GitHubFieldError(`You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`);
  if (first != null && last != null)
    throw new GitHubFieldError(`Passing both \`first\` and \`last\` to paginate the \`${name}\` connection is not supported.`);
  const [arg, n] = first != null ? ["first", first] : ["last", last!];
  if (n > 100)
    throw new GitHubFieldError(`Requesting ${n} records on the \`${name}\` connection exceeds the \`${arg}\` limit of 100 records.`);
  if (n < 0 || (skip ?? 0) < 0) throw new GitHubFieldError(`\`${name}\`: \`${arg}\` and \`skip\` must not be negative`);
  const start = Math.min(length, (args.after != null ? indexOfCursor(args.after, name) + 1 : 0) + (skip ?? 0));
  return first != null ? { from: start, to: Math.min(length, start + n) } : { from: Math.max(start, length - n), to: length };
}

/** The items a connection `name` returns for `args` (see pageRange). */
export function pageOf<T>(items: readonly T[], args: PageArgs, name: string): T[] {
  const { from, to } = pageRange(items.length, args, name);
  return items.slice(from, to);
}

/** A connection object: `totalCount` counts every item (before paging), `nodes` the page, `pageInfo` its cursors. */
export function connectionOf<T>(
  items: readonly T[],
  args: PageArgs,
  name: string,
): { totalCount: number; nodes: T[]; pageInfo: Record<string, unknown> } {
  const { from, to } = pageRange(items.length, args, name);
  const pageInfo = {
    __typename: "PageInfo",
    hasNextPage: to < items.length,
    hasPreviousPage: from > 0,
    startCursor: to > from ? cursorOf(from) : null,
    endCursor: to > from ? cursorOf(to - 1) : null,
  };
  return { totalCount: items.length, nodes: items.slice(from, to), pageInfo };
}

/** The resolver for every field: the model object's property (a function gets the field's arguments); absent: an error. */
const modelField: GraphQLFieldResolver<unknown, unknown> = (source, args, _context, info: GraphQLResolveInfo) => {
  const object = source as Record<string, unknown> | null;
  if (object === null || typeof object !== "object" || !Object.hasOwn(object, info.fieldName))
    throw new GitHubFieldError(`the stand-in does not model ${info.parentType.name}.${info.fieldName}`);
  const value = object[info.fieldName];
  return typeof value === "function" ? (value as (a: unknown) => unknown).call(object, args) : value;
};

const BOT_SUFFIX = /\[bot\]$/i;

/** REST status of a changed file → GraphQL's PatchStatus. */
const CHANGE_TYPES: Record<string, string> = {
  added: "ADDED",
  removed: "DELETED",
  modified: "MODIFIED",
  renamed: "RENAMED",
  copied: "COPIED",
  changed: "CHANGED",
};

/** REST timeline event names whose GraphQL type is not "<PascalCase>Event". */
const ITEM_TYPES: Record<string, string> = {
  reviewed: "PullRequestReview",
  commented: "IssueComment",
  committed: "PullRequestCommit",
};

/** The GraphQL type of a REST timeline event; undefined when the pull request timeline has no such item. */
function itemTypeOf(event: string, schema: GraphQLSchema): string | undefined {
  const name =
    ITEM_TYPES[event] ??
    `${event
      .split(/[-_]/)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join("")}Event`;
  const union = schema.getType("PullRequestTimelineItems");
  return isUnionType(union) && union.getTypes().some((t) => t.name === name) ? name : undefined;
}

/** "LabeledEvent" → "LABELED_EVENT": the PullRequestTimelineItemsItemType value. */
function itemTypeEnum(typename: string): string {
  return typename.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function updatedAtOf(pr: ModelPullRequest): string {
  return pr.updatedAt ?? pr.mergedAt ?? "2026-01-01T00:00:00Z";
}

/** The executor's root for `model`. */
function rootOf(model: GraphqlModel, schema: GraphQLSchema): Record<string, unknown> {
  const appId = model.appId;
  const viewerKey = model.viewerLogin?.toLowerCase().replace(BOT_SUFFIX, "");
  const byApp = (e: RestTimelineEvent) => appId !== undefined && e.performed_via_github_app?.id === appId;

  /** A REST user as a GraphQL Actor: a bot (or the app acting) is a Bot whose login lacks "[bot]". */
  const actorOf = (user: RestUser | null | undefined, viaApp: boolean): Record<string, unknown> | null => {
    const login = user?.login ?? (viaApp ? model.viewerLogin : undefined);
    if (login === undefined) return null;
    const bot = viaApp || user?.type === "Bot" || BOT_SUFFIX.test(login);
    return bot ? { __typename: "Bot", login: login.replace(BOT_SUFFIX, "") } : { __typename: "User", login };
  };
  const teamOf = (team: { slug?: string; name?: string }) => ({ __typename: "Team", slug: team.slug, name: team.name ?? team.slug });
  const reviewerOf = (e: RestTimelineEvent) =>
    e.requested_team ? teamOf(e.requested_team) : e.requested_reviewer ? actorOf(e.requested_reviewer, false) : null;
  const at = (e: RestTimelineEvent) => (e.created_at !== undefined ? { createdAt: e.created_at } : {});

  /** A REST timeline event as its GraphQL timeline item: only what REST says is given. */
  const itemOf = (e: RestTimelineEvent): Record<string, unknown> | undefined => {
    const typename = itemTypeOf(e.event, schema);
    if (typename === undefined) return undefined;
    switch (typename) {
      case "LabeledEvent":
      case "UnlabeledEvent":
        return { __typename: typename, ...at(e), actor: actorOf(e.actor, byApp(e)), label: { __typename: "Label", name: e.label?.name } };
      case "ReviewRequestedEvent":
      case "ReviewRequestRemovedEvent":
        return { __typename: typename, ...at(e), actor: actorOf(e.actor, byApp(e)), requestedReviewer: reviewerOf(e) };
      case "PullRequestReview":
        return {
          __typename: typename,
          state: e.state?.toUpperCase(),
          submittedAt: e.submitted_at ?? null,
          author: actorOf(e.user ?? e.actor, byApp(e)),
          ...(e.body !== undefined ? { body: e.body } : {}),
        };
      case "IssueComment": {
        const author = e.user ?? e.actor;
        const mine = byApp(e) || (viewerKey !== undefined && author?.login?.toLowerCase().replace(BOT_SUFFIX, "") === viewerKey);
        return {
          __typename: typename,
          ...(e.id !== undefined ? { fullDatabaseId: String(e.id), databaseId: e.id } : {}),
          body: e.body ?? "",
          ...at(e),
          author: actorOf(author, byApp(e)),
          viewerDidAuthor: mine,
        };
      }
      default:
        // Other items (commits, cross-references, ...) are there to be filtered and counted; their fields are not modelled.
        return { __typename: typename, ...at(e) };
    }
  };

  const commitOf = (repo: ModelRepository, oid: string) => ({
    __typename: "Commit",
    oid,
    checkSuites: (args: PageArgs & { filterBy?: { appId?: number | null; checkName?: string | null } | null }) => {
      if (args.filterBy?.checkName != null) throw new GitHubFieldError("the stand-in does not filter check suites by name");
      const runs = repo.checkRuns.filter((r) => r.head_sha === oid);
      // One suite per app that ran checks on the commit.
      const apps = [...new Set(runs.map((r) => r.appId))].filter((id) => args.filterBy?.appId == null || id === args.filterBy.appId);
      const suites = apps.map((id) => suiteOf(runs.filter((r) => r.appId === id)));
      return connectionOf(suites, args, "checkSuites");
    },
  });
  const suiteOf = (runs: readonly ModelCheckRun[]) => ({
    __typename: "CheckSuite",
    checkRuns: (
      args: PageArgs & {
        filterBy?: {
          appId?: number | null;
          checkName?: string | null;
          checkType?: string | null;
          status?: string | null;
          statuses?: string[] | null;
          conclusions?: string[] | null;
        } | null;
      },
    ) => {
      const f = args.filterBy ?? {};
      let kept = runs.filter(
        (r) =>
          (f.appId == null || r.appId === f.appId) &&
          (f.checkName == null || r.name === f.checkName) &&
          (f.statuses != null ? f.statuses.includes(r.status.toUpperCase()) : f.status == null || f.status === r.status.toUpperCase()) &&
          (f.conclusions == null || (r.conclusion !== null && f.conclusions.includes(r.conclusion.toUpperCase()))),
      );
      // LATEST: the most recent run of each name.
      if (f.checkType === "LATEST") kept = kept.filter((r) => !kept.some((s) => s.name === r.name && s.id > r.id));
      return connectionOf(
        kept.map((r) => ({
          __typename: "CheckRun",
          databaseId: r.id,
          name: r.name,
          status: r.status.toUpperCase(),
          conclusion: r.conclusion === null ? null : r.conclusion.toUpperCase(),
          externalId: r.external_id ?? null,
        })),
        args,
        "checkRuns",
      );
    },
  });

  const pullRequestOf = (repo: ModelRepository, pr: ModelPullRequest, timelines = new Map<string, Record<string, unknown>[]>()) => ({
    __typename: "PullRequest",
    number: pr.number,
    headRefOid: pr.headSha,
    mergedAt: pr.mergedAt ?? null,
    updatedAt: updatedAtOf(pr),
    author: pr.author !== undefined ? actorOf({ login: pr.author }, false) : null,
    // Approving (and other) reviews from the timeline's "reviewed" events; a pending one is the viewer's alone.
    reviews: (args: PageArgs & { states?: string[] | null; author?: string | null }) => {
      if (args.author != null) throw new GitHubFieldError("the stand-in does not filter reviews by author");
      const reviews = pr.timeline
        .filter((e) => e.event === "reviewed" && e.state !== undefined && e.state.toUpperCase() !== "PENDING")
        .filter((e) => args.states == null || args.states.includes(e.state!.toUpperCase()))
        .map((e) => ({ __typename: "PullRequestReview", state: e.state!.toUpperCase(), author: actorOf(e.user ?? e.actor, byApp(e)) }));
      return connectionOf(reviews, args, "reviews");
    },
    files: (args: PageArgs) =>
      connectionOf(
        pr.files.map((f) => {
          const changeType = CHANGE_TYPES[f.status];
          if (changeType === undefined)
            throw new GitHubFieldError(`the stand-in has no PatchStatus for the REST file status "${f.status}"`);
          return { __typename: "PullRequestChangedFile", path: f.filename, changeType };
        }),
        args,
        "files",
      ),
    labels: (args: PageArgs) =>
      connectionOf(
        pr.labels.map((name) => ({ __typename: "Label", name })),
        args,
        "labels",
      ),
    reviewRequests: (args: PageArgs) =>
      connectionOf(
        [
          ...pr.requestedUsers.map((login) => ({ __typename: "ReviewRequest", requestedReviewer: actorOf({ login }, false) })),
          ...pr.requestedTeams.map((slug) => ({ __typename: "ReviewRequest", requestedReviewer: teamOf({ slug }) })),
        ],
        args,
        "reviewRequests",
      ),
    timelineItems: (args: PageArgs & { itemTypes?: string[] | null; since?: string | null }) => {
      if (args.since != null) throw new GitHubFieldError("the stand-in does not filter timeline items by `since`");
      // The query's pages ask for the same item types: map the timeline once per request and types.
      const key = args.itemTypes ? args.itemTypes.join(",") : "*";
      let items = timelines.get(key);
      if (!items) {
        const wanted = args.itemTypes ? new Set(args.itemTypes) : undefined;
        items = pr.timeline.flatMap((e) => {
          const item = itemOf(e);
          return item && (!wanted || wanted.has(itemTypeEnum(item.__typename as string))) ? [item] : [];
        });
        timelines.set(key, items);
      }
      return connectionOf(items, args, "timelineItems");
    },
    commits: (args: PageArgs) =>
      connectionOf(
        (pr.commits ?? [pr.headSha]).map((oid) => ({ __typename: "PullRequestCommit", commit: commitOf(repo, oid) })),
        args,
        "commits",
      ),
  });

  /** A default-branch commit as `history` lists it: its message, author and associated pull request. */
  const landedOf = (repo: ModelRepository, c: ModelCommit) => ({
    __typename: "Commit",
    oid: c.oid,
    committedDate: c.committedDate,
    message: c.message,
    author: { __typename: "GitActor", user: c.author ? { __typename: "User", login: c.author } : null },
    associatedPullRequests: (args: PageArgs) => {
      const pr = repo.pullRequests.find((p) => p.number === c.pullRequest);
      return connectionOf(pr ? [pullRequestOf(repo, pr)] : [], args, "associatedPullRequests");
    },
  });
  const defaultBranchOf = (repo: ModelRepository) => ({
    __typename: "Ref",
    name: "main",
    target: {
      __typename: "Commit",
      oid: repo.commits?.[0]?.oid ?? "0".repeat(40),
      history: (args: PageArgs & { path?: string | null; since?: string | null; until?: string | null; author?: unknown }) => {
        if (args.until != null || args.author != null)
          throw new GitHubFieldError("the stand-in filters history by `path` and `since` only");
        const path = args.path ?? "";
        const under = (f: string) => path === "" || f === path || f.startsWith(`${path}/`);
        const since = args.since != null ? Date.parse(args.since) : -Infinity;
        const commits = (repo.commits ?? []).filter((c) => Date.parse(c.committedDate) >= since && c.files.some(under));
        return connectionOf(
          commits.map((c) => landedOf(repo, c)),
          args,
          "history",
        );
      },
    },
  });

  const repositoryOf = (repo: ModelRepository) => ({
    __typename: "Repository",
    name: repo.name,
    nameWithOwner: `${repo.owner}/${repo.name}`,
    defaultBranchRef: defaultBranchOf(repo),
    pullRequests: (
      args: PageArgs & {
        states?: string[] | null;
        orderBy?: { field: string; direction: string } | null;
        labels?: unknown;
        headRefName?: unknown;
        baseRefName?: unknown;
      },
    ) => {
      if (args.labels != null || args.headRefName != null || args.baseRefName != null)
        throw new GitHubFieldError("the stand-in filters pull requests by `states` only");
      if (args.orderBy != null && args.orderBy.field !== "UPDATED_AT")
        throw new GitHubFieldError(`the stand-in orders pull requests by UPDATED_AT only, not ${args.orderBy.field}`);
      const stateOf = (p: ModelPullRequest) => (p.mergedAt ? "MERGED" : p.closed ? "CLOSED" : "OPEN");
      const kept = repo.pullRequests.filter((p) => args.states == null || args.states.includes(stateOf(p)));
      // GitHub's default order is by creation; the model's order stands for it.
      const ordered =
        args.orderBy == null
          ? kept
          : [...kept].sort(
              (a, b) => (Date.parse(updatedAtOf(a)) - Date.parse(updatedAtOf(b))) * (args.orderBy!.direction === "DESC" ? -1 : 1),
            );
      return connectionOf(
        ordered.map((p) => pullRequestOf(repo, p)),
        args,
        "pullRequests",
      );
    },
    pullRequest: ({ number }: { number: number }) => {
      const pr = repo.pullRequests.find((p) => p.number === number);
      if (!pr) throw new GitHubFieldError(`Could not resolve to a PullRequest with the number of ${number}.`, "NOT_FOUND");
      return pullRequestOf(repo, pr);
    },
    object: ({ oid, expression }: { oid?: string | null; expression?: string | null }) => {
      if (expression != null || oid == null) throw new GitHubFieldError("the stand-in finds objects by `oid` only");
      const known =
        repo.pullRequests.some((p) => (p.commits ?? [p.headSha]).includes(oid)) || repo.checkRuns.some((r) => r.head_sha === oid);
      return known ? commitOf(repo, oid) : null;
    },
  });

  const signals = model.signals;
  return {
    rateLimit: () => {
      if (!model.rateLimit) throw new GitHubFieldError("the stand-in's model has no rate limit");
      const r = model.rateLimit;
      return {
        __typename: "RateLimit",
        limit: r.limit,
        remaining: r.remaining,
        resetAt: r.resetAt,
        cost: r.cost ?? 1,
        used: r.limit - r.remaining,
      };
    },
    viewer: () => {
      if (model.viewerLogin === undefined) throw new GitHubFieldError("the stand-in's model has no viewer");
      return { __typename: "User", login: model.viewerLogin };
    },
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = model.repositories.find((r) => `${r.owner}/${r.name}`.toLowerCase() === `${owner}/${name}`.toLowerCase());
      if (!repo) throw new GitHubFieldError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, "NOT_FOUND");
      return repositoryOf(repo);
    },
    user: ({ login }: { login: string }) => {
      if (!signals) throw new GitHubFieldError("the stand-in's model has no users");
      const status = signals.statuses.get(login.toLowerCase());
      if (status === null) throw new GitHubFieldError(`Could not resolve to a User with the login of '${login}'.`, "NOT_FOUND");
      return { __typename: "User", login, status: status ? { expiresAt: null, message: null, ...status } : null };
    },
    search: ({ query, type }: { query: string; type: string }) => {
      if (!signals) throw new GitHubFieldError("the stand-in's model has no search");
      // Only the search the app makes is understood: is:pr is:open review-requested:LOGIN repo:OWNER/NAME.
      const m = /^is:pr is:open review-requested:(\S+) repo:(\S+)$/.exec(query);
      if (type !== "ISSUE" || !m) throw new GitHubFieldError(`the stand-in does not answer the search "${query}" (type ${type})`);
      return { issueCount: signals.openReviews.get(`${m[2]!.toLowerCase()}\u0000${m[1]!.toLowerCase()}`) ?? 0 };
    },
  };
}

/** An executor error as GitHub writes it: type (when GitHub gives one), path, locations, message. */
function githubError(e: GraphQLError): Record<string, unknown> {
  const type = e.originalError instanceof GitHubFieldError ? e.originalError.type : undefined;
  return {
    ...(type ? { type } : {}),
    ...(e.path ? { path: e.path } : {}),
    ...(e.locations ? { locations: e.locations } : {}),
    message: e.message,
  };
}

/** Validated and parsed queries by text: the app sends the same few queries, and validating against GitHub's schema costs milliseconds each time. */
const checkedQueries = new Map<string, { document: DocumentNode } | { errors: Record<string, unknown>[] }>();

/** The query's validation errors against GitHub's schema, or its parsed document. */
function checkedQuery(query: string): { document: DocumentNode } | { errors: Record<string, unknown>[] } {
  let checked = checkedQueries.get(query);
  if (!checked) {
    const problems = validate(query);
    if (problems.length > 0) checked = { errors: problems.map((p) => ({ message: p.message, locations: p.locations })) };
    else {
      try {
        checked = { document: parse(query) };
      } catch (e) {
        checked = { errors: [{ message: (e as Error).message }] };
      }
    }
    checkedQueries.set(query, checked);
    if (checkedQueries.size > 256) checkedQueries.delete(checkedQueries.keys().next().value!);
  }
  return checked;
}

/** The HTTP status and body GitHub would send for the GraphQL request `body`, answered from `model`. */
export function answerGraphqlFrom(model: GraphqlModel, body: unknown): { status: number; body: unknown } {
  const request = body as { query?: unknown; variables?: Record<string, unknown>; operationName?: string } | undefined;
  if (typeof request?.query !== "string") return { status: 400, body: { message: "Problems parsing JSON" } };
  const checked = checkedQuery(request.query);
  if ("errors" in checked) return { status: 200, body: { errors: checked.errors } };
  const { schema } = executableSchema();
  const document = checked.document;
  const result = execute({
    schema,
    document,
    rootValue: rootOf(model, schema),
    variableValues: request.variables ?? {},
    ...(request.operationName ? { operationName: request.operationName } : {}),
    fieldResolver: modelField,
  });
  if (result instanceof Promise) throw new Error("the stand-in's resolvers are synchronous");
  const errors = result.errors?.map(githubError);
  return { status: 200, body: { ...(result.data !== undefined ? { data: result.data } : {}), ...(errors?.length ? { errors } : {}) } };
}

/** The candidates' statuses and loads alone (no repositories), for the signals query. */
export function answerGraphql(state: GraphqlState, body: unknown): { status: number; body: unknown } {
  return answerGraphqlFrom({ repositories: [], signals: state }, body);
}

/** GitHub's GraphQL answer for a pull request that does not exist. */
export function notFoundPullRequest(n: number) {
  const message = `Could not resolve to a PullRequest with the number of ${n}.`;
  return { data: { repository: { pullRequest: null } }, errors: [{ type: "NOT_FOUND", path: ["repository", "pullRequest"], message }] };
}
