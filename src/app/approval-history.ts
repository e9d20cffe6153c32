// Who recently approved changes to the directories a pull request touches: ONE GraphQL request
// per routed pull request (only when a reviewer must be chosen), read from the default branch's
// commit history per directory (`Commit.history(path:)`, one alias a directory), each commit with
// its message and the pull request it came from, with that pull request's approving reviews.
// Where a project lands pull requests as new commits (PyTorch's merge bot), the commit message's
// `Approved by:` line is the record; where GitHub merged the pull request, its approving reviews
// are; both are read in the same request. Answers are cached per repository and directory
// (ApprovalHistoryCache). Any failure falls back to today's choice: never a throw.

import { isBotLogin, parseCommitMessage, type HistoryRecord } from "../core/history.js";
import { loginKey } from "../core/registry.js";
import { graphqlWithin, type GraphqlCall } from "./candidate-signals.js";

/**
 * At most this many directories are read for one pull request, with their parents (historyEntries),
 * each its most recent HISTORY_COMMITS commits within the configuration's expertise_window_days.
 * GitHub costs a query by the connections it must fill: 16 x (1 history + 50 associated pull
 * requests + 50 review lists) = 1,616, about 16 points of the 5,000 an hour an installation has,
 * and at most 16 x 50 x 20 = 16,000 review nodes. Most pull requests touch one to three
 * directories (two to five entries with the parents, which other pull requests share in the
 * cache); a larger one is read at coarser directories.
 */
export const MAX_HISTORY_DIRECTORIES = 8;
/** Commits read per directory: enough for a busy directory's last weeks and a quiet one's year. */
export const HISTORY_COMMITS = 50;
/** Approving reviews read per pull request: more than any pull request has in practice. */
const REVIEWS_PER_PR = 20;
/** How long the request may take before the caller chooses without it (as the availability read). */
export const HISTORY_TIMEOUT_MS = 5000;

/** A directory entry's parent ("torch/nn/" → "torch/"); a top-level one has none (""). */
function parentEntry(entry: string): string {
  const i = entry.slice(0, -1).lastIndexOf("/");
  return i < 0 ? "" : entry.slice(0, i + 1);
}

/** The path `Commit.history(path:)` is asked for an entry: the directory without its trailing "/". */
export function entryPath(entry: string): string {
  return entry.endsWith("/") ? entry.slice(0, -1) : entry;
}

/**
 * What is read for `paths`, as entries of a record's `files`: each file's directory with a trailing
 * "/" (a file at the root: the file itself), deduplicated; more than MAX_HISTORY_DIRECTORIES are
 * coarsened to their parents, deepest first, and past the top level those holding the most changed
 * files are kept. Linear in the paths' total length (times the directory depth).
 */
export function historyDirectories(paths: readonly string[], max = MAX_HISTORY_DIRECTORIES): string[] {
  // Entry → how many changed files are under it.
  let counts = new Map<string, number>();
  for (const path of paths) {
    const i = path.lastIndexOf("/");
    const entry = i < 0 ? path : path.slice(0, i + 1);
    if (entry === "" || entry === "/") continue;
    counts.set(entry, (counts.get(entry) ?? 0) + 1);
  }
  const depth = (e: string) => entryPath(e).split("/").length;
  while (counts.size > max) {
    const deepest = Math.max(...[...counts.keys()].map(depth));
    if (deepest <= 1) break;
    const next = new Map<string, number>();
    for (const [e, n] of counts) {
      const to = depth(e) === deepest ? parentEntry(e) : e;
      next.set(to, (next.get(to) ?? 0) + n);
    }
    counts = next;
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, max)
    .map(([e]) => e)
    .sort();
}

/**
 * The entries one pull request's read asks about: its directories (historyDirectories) and the
 * parent of each, so that a directory without approvals backs off to its parent in the app as the
 * ranking does with a whole history file (expertise.ts). Sorted; at most 2 x MAX_HISTORY_DIRECTORIES.
 */
export function historyEntries(paths: readonly string[], max = MAX_HISTORY_DIRECTORIES): string[] {
  const entries = new Set<string>();
  for (const e of historyDirectories(paths, max)) {
    entries.add(e);
    const parent = e.endsWith("/") ? parentEntry(e) : "";
    if (parent !== "") entries.add(parent);
  }
  return [...entries].sort();
}

export interface ApprovalHistoryQuery {
  query: string;
  variables: Record<string, string>;
  /** The entries asked about (historyEntries), in alias order (`d0` is the first). */
  entries: string[];
}

/** The query for `entries` of `owner/name` since `since`; paths travel as variables, aliases are numbered. */
export function approvalHistoryQuery(owner: string, name: string, entries: readonly string[], since: Date): ApprovalHistoryQuery {
  const params = ["$owner: String!", "$name: String!", "$since: GitTimestamp!"];
  const variables: Record<string, string> = { owner, name, since: since.toISOString() };
  const fields: string[] = [];
  entries.forEach((entry, i) => {
    params.push(`$path${i}: String!`);
    variables[`path${i}`] = entryPath(entry);
    fields.push(`          d${i}: history(path: $path${i}, since: $since, first: ${HISTORY_COMMITS}) { nodes { ...Landed } }`);
  });
  const query = [
    `query ReviewRouterApprovalHistory(${params.join(", ")}) {`,
    "  repository(owner: $owner, name: $name) {",
    "    defaultBranchRef {",
    "      target {",
    "        ... on Commit {",
    ...fields,
    "        }",
    "      }",
    "    }",
    "  }",
    "}",
    "fragment Landed on Commit {",
    "  committedDate",
    "  message",
    "  author { user { login } }",
    "  associatedPullRequests(first: 1) {",
    `    nodes { number mergedAt author { login } reviews(states: APPROVED, first: ${REVIEWS_PER_PR}) { nodes { author { login } } } }`,
    "  }",
    "}",
  ].join("\n");
  return { query, variables, entries: [...entries] };
}

/** `approvers` followed by the logins of `more` not among them yet (case-insensitively), bots and blanks dropped. */
export function withApprovers(approvers: readonly string[], more: Iterable<string | null | undefined>): string[] {
  const out = [...approvers];
  const seen = new Set(out.map(loginKey));
  for (const login of more) {
    if (!login || isBotLogin(login) || seen.has(loginKey(login))) continue;
    seen.add(loginKey(login));
    out.push(login);
  }
  return out;
}

interface LandedCommit {
  committedDate?: string;
  message?: string;
  author?: { user?: { login?: string } | null } | null;
  associatedPullRequests?: {
    nodes?: ({
      number?: number;
      mergedAt?: string | null;
      author?: { login?: string } | null;
      reviews?: { nodes?: ({ author?: { login?: string } | null } | null)[] } | null;
    } | null)[];
  } | null;
}

/**
 * One commit of a directory's history as a record, or undefined when it names no pull request.
 * The pull request GitHub associates with the commit counts when it was merged or when the message
 * names it (a merge bot closes the pull request it lands); its approving reviews and the message's
 * approvers are both the record's approvers (bots dropped, each login once).
 */
export function recordOfCommit(commit: LandedCommit, entry: string): HistoryRecord | undefined {
  const facts = parseCommitMessage(commit.message ?? "");
  const associated = commit.associatedPullRequests?.nodes?.[0] ?? undefined;
  const pr =
    associated && typeof associated.number === "number" && (associated.mergedAt || associated.number === facts.pr) ? associated : undefined;
  const number = pr?.number ?? facts.pr;
  const date = pr?.mergedAt ?? commit.committedDate;
  if (number === undefined || !Number.isSafeInteger(number) || number <= 0 || !date) return undefined;
  const approvers = withApprovers(
    facts.approvers,
    (pr?.reviews?.nodes ?? []).map((review) => review?.author?.login),
  );
  const author = pr?.author?.login ?? commit.author?.user?.login ?? null;
  return { pr: number, date, author, files: [entry], approvers };
}

export type ApprovalHistoryResult =
  /** Each entry asked about, with its records (newest first; none: no merged pull request there in the window). */
  | { ok: true; byEntry: Map<string, HistoryRecord[]> }
  /** Choose without history; `reason` is for the log and the summary. */
  | { ok: false; reason: string };

/**
 * The answer's records per directory. A missing default branch (an empty repository) is an empty
 * history; a missing alias or a field of the wrong shape makes the whole answer unusable.
 */
export function parseApprovalHistory(q: ApprovalHistoryQuery, data: unknown): ApprovalHistoryResult {
  const repository = (data as { repository?: { defaultBranchRef?: { target?: Record<string, unknown> | null } | null } | null } | null)
    ?.repository;
  if (!repository) return { ok: false, reason: "the approval history answer has no repository" };
  const byEntry = new Map<string, HistoryRecord[]>();
  const target = repository.defaultBranchRef?.target;
  for (const [i, entry] of q.entries.entries()) {
    if (!repository.defaultBranchRef) {
      byEntry.set(entry, []);
      continue;
    }
    const nodes = (target?.[`d${i}`] as { nodes?: unknown } | undefined)?.nodes;
    if (!Array.isArray(nodes)) return { ok: false, reason: `the approval history answer has no history for ${entry}` };
    byEntry.set(
      entry,
      nodes.flatMap((n) => {
        const r = n && typeof n === "object" ? recordOfCommit(n as LandedCommit, entry) : undefined;
        return r ? [r] : [];
      }),
    );
  }
  return { ok: true, byEntry };
}

/**
 * Read the approval history of `entries` (historyEntries) of `owner/name` since `since` in one GraphQL request.
 * Anything short of a whole answer (an error, a time-out, a partial answer, RATE_LIMITED) is a
 * fallback marker, never a throw; without directories no request is made.
 */
export async function fetchApprovalHistory(
  graphql: GraphqlCall,
  repo: { owner: string; repo: string },
  entries: readonly string[],
  since: Date,
  timeoutMs = HISTORY_TIMEOUT_MS,
): Promise<ApprovalHistoryResult> {
  if (entries.length === 0) return { ok: true, byEntry: new Map() };
  const q = approvalHistoryQuery(repo.owner, repo.repo, entries, since);
  const outcome = await graphqlWithin(graphql, q.query, q.variables, timeoutMs);
  switch (outcome.kind) {
    case "timeout":
      return { ok: false, reason: `GitHub did not answer the approval history query within ${timeoutMs} ms` };
    case "error":
      return outcome.types.includes("RATE_LIMITED")
        ? { ok: false, reason: "GitHub's GraphQL rate limit is used up (RATE_LIMITED)" }
        : { ok: false, reason: `the approval history query failed: ${outcome.message}` };
    case "partial":
      return { ok: false, reason: `the approval history answer was partial: ${outcome.errors.join("; ").slice(0, 300)}` };
    case "data":
      return parseApprovalHistory(q, outcome.data);
  }
}

/** How long a directory's history is used without asking GitHub again. */
export const HISTORY_MAX_AGE_MS = 60 * 60_000;
const HISTORY_CACHE_ENTRIES = 2000;

/**
 * Directories' approval histories a server replica has read, by repository and directory. A
 * history moves by one merged pull request at a time and is weighed over months, so an hour-old
 * one chooses as well as a fresh one, while the pull requests of a busy module, which touch the
 * same directories, cost one read an hour instead of one each. Bounded: the least recently read
 * entry goes first past HISTORY_CACHE_ENTRIES (at most 50 records each). Failures are not cached.
 * A replica with an empty cache decides the same, one read later.
 */
export class ApprovalHistoryCache {
  private readonly entries = new Map<string, { records: HistoryRecord[]; at: number }>();
  constructor(
    private readonly now: () => number = Date.now,
    readonly maxAgeMs: number = HISTORY_MAX_AGE_MS,
    private readonly maxEntries: number = HISTORY_CACHE_ENTRIES,
  ) {}

  /** Records read over one window do not serve another: the window is part of the key. */
  private static key(repository: string, windowDays: number, entry: string): string {
    return `${repository.toLowerCase()}\u0000${windowDays}\u0000${entry}`;
  }

  /** An entry's records while fresh; undefined when unknown or stale. */
  get(repository: string, windowDays: number, entry: string): HistoryRecord[] | undefined {
    const key = ApprovalHistoryCache.key(repository, windowDays, entry);
    const hit = this.entries.get(key);
    if (!hit || this.now() - hit.at >= this.maxAgeMs) return undefined;
    this.entries.delete(key); // most recently used goes last
    this.entries.set(key, hit);
    return hit.records;
  }

  set(repository: string, windowDays: number, entry: string, records: HistoryRecord[]): void {
    const key = ApprovalHistoryCache.key(repository, windowDays, entry);
    this.entries.delete(key);
    this.entries.set(key, { records, at: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Records of the same pull request (read under several directories) as one, its directories together; oldest first. */
export function mergeByPullRequest(lists: readonly (readonly HistoryRecord[])[]): HistoryRecord[] {
  const byPr = new Map<number, HistoryRecord>();
  for (const list of lists) {
    for (const r of list) {
      const known = byPr.get(r.pr);
      if (!known) {
        byPr.set(r.pr, { ...r, files: [...r.files], approvers: [...r.approvers] });
        continue;
      }
      for (const f of r.files) if (!known.files.includes(f)) known.files.push(f);
      known.approvers = withApprovers(known.approvers, r.approvers);
    }
  }
  return [...byPr.values()].sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.pr - b.pr);
}
