// `review-router history --repo OWNER/NAME [--since DATE]`: a repository's merged pull requests
// as history records (src/core/history.ts), one JSON object a line, oldest first, read from
// GitHub's GraphQL API: merged pull requests newest first by last update, 50 a page by cursor, each
// with its changed files (more than 100 paged by cursor too) and its APPROVED reviews. Pages stop
// at --since: a pull request updated before it was merged before it too. Every answer's
// `rateLimit` is read; when too little is left the command waits for the reset, saying so.

import { parseArgs } from "node:util";
import { historyLine, type HistoryRecord } from "../core/history.js";
import { withApprovers } from "../app/approval-history.js";
import type { GraphqlCall } from "../app/candidate-signals.js";
import { DEFAULT_API_URL, describeGitHubError, resolveToken, restOctokit } from "../app/rest.js";
import { dateOption } from "./history-file.js";
import { EXIT, type CliIO } from "./io.js";

export const HISTORY_REPO_HELP = `Usage: review-router history --repo OWNER/NAME [--since DATE]

Write the repository's merged pull requests as history records, one JSON object a line, oldest
first: {"pr", "date" (merged), "author", "files", "approvers" (APPROVED reviews, bots dropped)}.
Read from GitHub's GraphQL API, newest first, until --since; a progress line is shown on a terminal.
A project that lands pull requests as new commits (PyTorch's merge bot closes them unmerged) has
its history in the commit messages instead.

Options:
  --repo OWNER/NAME  repository
  --since DATE       only pull requests merged on or after DATE (YYYY-MM-DD or ISO time)
  -h, --help         show this help

Environment: GITHUB_TOKEN (else GH_TOKEN, else \`gh auth token\`), GITHUB_API_URL (default ${DEFAULT_API_URL}).
`;

/** Pull requests a page: each costs its files and reviews connections, so a page costs about one point. */
const PR_PAGE = 50;
const FILES_PAGE = 100;
const REVIEWS_PAGE = 50;
/** Below this many points left, wait for the reset rather than be refused mid-way. */
export const RATE_LIMIT_RESERVE = 10;

const FILES = `pageInfo { hasNextPage endCursor } nodes { path }`;

export const MERGED_PULL_REQUESTS_QUERY = `query ReviewRouterMergedPullRequests($owner: String!, $name: String!, $after: String) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    pullRequests(states: MERGED, orderBy: { field: UPDATED_AT, direction: DESC }, first: ${PR_PAGE}, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        mergedAt
        updatedAt
        author { login }
        files(first: ${FILES_PAGE}) { ${FILES} }
        reviews(states: APPROVED, first: ${REVIEWS_PAGE}) { nodes { author { login } } }
      }
    }
  }
}`;

export const PULL_REQUEST_FILES_QUERY = `query ReviewRouterPullRequestFiles($owner: String!, $name: String!, $number: Int!, $after: String!) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) { files(first: ${FILES_PAGE}, after: $after) { ${FILES} } }
  }
}`;

interface Page<T> {
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
  nodes?: (T | null)[];
}
interface MergedNode {
  number?: number;
  mergedAt?: string | null;
  updatedAt?: string;
  author?: { login?: string } | null;
  files?: Page<{ path?: string }> | null;
  reviews?: Page<{ author?: { login?: string } | null }> | null;
}
interface RateLimit {
  cost?: number;
  remaining?: number;
  resetAt?: string;
}

export interface HistoryReadOptions {
  owner: string;
  name: string;
  /** Only pull requests merged at or after this time. */
  since?: Date;
  /** Waits (for the rate limit's reset); replaceable in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told after each page: records so far and the oldest merge date read. */
  progress?: (records: number, oldest: string | undefined) => void;
  /** Told when the command waits for the rate limit. */
  notice?: (line: string) => void;
}

/** A GraphQL error GitHub answered (not a transport failure): its message and types. */
export class HistoryReadError extends Error {}

function errorTypes(err: unknown): string[] {
  const errors = (err as { errors?: unknown }).errors;
  return Array.isArray(errors)
    ? errors.flatMap((e) => (typeof (e as { type?: unknown }).type === "string" ? [(e as { type: string }).type] : []))
    : [];
}

/**
 * Read every merged pull request of the repository (since `since`) through `graphql`, paging by
 * cursor, waiting for the rate limit's reset when fewer than RATE_LIMIT_RESERVE points are left
 * or GitHub answers RATE_LIMITED (once a request). Returns the records oldest first.
 */
export async function readMergedHistory(graphql: GraphqlCall, o: HistoryReadOptions): Promise<HistoryRecord[]> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  let resetAt: string | undefined;
  const waitForReset = async (why: string) => {
    const until = resetAt !== undefined ? Date.parse(resetAt) : now() + 60_000;
    const ms = Math.max(0, until - now()) + 1000;
    o.notice?.(`${why}; waiting until ${new Date(now() + ms).toISOString()} for the rate limit to reset`);
    await sleep(ms);
  };
  /** One request; its rateLimit read, a reset waited for when the reserve is reached. */
  const ask = async (query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> => {
    let data: Record<string, unknown>;
    try {
      data = (await graphql(query, variables)) as Record<string, unknown>;
    } catch (err) {
      if (!errorTypes(err).includes("RATE_LIMITED")) throw err;
      await waitForReset("GitHub's GraphQL rate limit is used up (RATE_LIMITED)");
      data = (await graphql(query, variables)) as Record<string, unknown>;
    }
    const limit = data.rateLimit as RateLimit | null | undefined;
    if (limit?.resetAt) resetAt = limit.resetAt;
    if (typeof limit?.remaining === "number" && limit.remaining < RATE_LIMIT_RESERVE)
      await waitForReset(`${limit.remaining} GraphQL points left`);
    return data;
  };

  const since = o.since?.getTime();
  const records: HistoryRecord[] = [];
  let oldest: string | undefined;
  let after: string | null = null;
  for (;;) {
    const data = await ask(MERGED_PULL_REQUESTS_QUERY, { owner: o.owner, name: o.name, after });
    const repository = data.repository as { pullRequests?: Page<MergedNode> } | null | undefined;
    if (!repository?.pullRequests) throw new HistoryReadError(`GitHub's answer has no pull requests of ${o.owner}/${o.name}`);
    const page = repository.pullRequests;
    let done = false;
    for (const node of page.nodes ?? []) {
      if (!node || typeof node.number !== "number") continue;
      // Newest update first: once one was last updated before --since, every later one was merged before it.
      if (since !== undefined && node.updatedAt !== undefined && Date.parse(node.updatedAt) < since) {
        done = true;
        break;
      }
      if (!node.mergedAt || (since !== undefined && Date.parse(node.mergedAt) < since)) continue;
      const files = (node.files?.nodes ?? []).flatMap((f) => (f?.path ? [f.path] : []));
      let filesPage = node.files?.pageInfo;
      while (filesPage?.hasNextPage && filesPage.endCursor) {
        const more = await ask(PULL_REQUEST_FILES_QUERY, { owner: o.owner, name: o.name, number: node.number, after: filesPage.endCursor });
        const next = (more.repository as { pullRequest?: { files?: Page<{ path?: string }> } | null } | null)?.pullRequest?.files;
        files.push(...(next?.nodes ?? []).flatMap((f) => (f?.path ? [f.path] : [])));
        filesPage = next?.pageInfo;
      }
      const approvers = withApprovers(
        [],
        (node.reviews?.nodes ?? []).map((review) => review?.author?.login),
      );
      records.push({ pr: node.number, date: node.mergedAt, author: node.author?.login ?? null, files, approvers });
      if (oldest === undefined || Date.parse(node.mergedAt) < Date.parse(oldest)) oldest = node.mergedAt;
    }
    o.progress?.(records.length, oldest);
    if (done || !page.pageInfo?.hasNextPage || !page.pageInfo.endCursor) break;
    after = page.pageInfo.endCursor;
  }
  return records.sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.pr - b.pr);
}

export interface HistoryRepoDeps {
  env: NodeJS.ProcessEnv;
  ghToken?: () => string | undefined;
  /** Whether stderr is a terminal (the progress line is drawn only there). */
  stderrIsTTY?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** `history --repo`: the arguments checked, the records read, written to stdout. */
export async function historyRepoCommand(args: string[], io: CliIO, deps: HistoryRepoDeps = { env: process.env }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { repo: { type: "string" }, since: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (err) {
    io.stderr(`review-router: ${(err as Error).message}\n\n${HISTORY_REPO_HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(HISTORY_REPO_HELP);
    return EXIT.ok;
  }
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})\/([A-Za-z0-9_.-]+)$/.exec(values.repo ?? "");
  if (!m || m[2] === "." || m[2] === "..") {
    io.stderr(
      `review-router: history needs --repo OWNER/NAME${values.repo !== undefined ? `, not "${values.repo}"` : ""}\n\n${HISTORY_REPO_HELP}`,
    );
    return EXIT.usage;
  }
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = dateOption(values.since);
    if (since === undefined) {
      io.stderr(`review-router: --since must be a date (YYYY-MM-DD or ISO time), not "${values.since}"\n`);
      return EXIT.usage;
    }
  }
  const repo = `${m[1]}/${m[2]}`;
  const apiUrl = (deps.env.GITHUB_API_URL ?? "").trim() || DEFAULT_API_URL;
  const token = resolveToken(deps.env, deps.ghToken);
  if (!token) {
    io.stderr("review-router: no GitHub token: set GITHUB_TOKEN (or log in with `gh auth login`)\n");
    return EXIT.problems;
  }
  const octokit = restOctokit(token, apiUrl);
  const tty = deps.stderrIsTTY ?? process.stderr.isTTY === true;
  let drawn = false;
  let records: HistoryRecord[];
  try {
    records = await readMergedHistory((q, p) => octokit.graphql(q, p), {
      owner: m[1]!,
      name: m[2]!,
      ...(since ? { since } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      progress: (n, oldest) => {
        if (!tty) return;
        io.stderr(`\r${repo}: ${n} merged pull request${n === 1 ? "" : "s"} read${oldest ? `, back to ${oldest.slice(0, 10)}` : ""}`);
        drawn = true;
      },
      notice: (line) => io.stderr(`${drawn ? "\n" : ""}review-router: ${repo}: ${line}\n`),
    });
  } catch (err) {
    if (drawn) io.stderr("\n");
    const types = errorTypes(err);
    if (types.includes("NOT_FOUND")) io.stderr(`review-router: ${repo}: no such repository, or the token cannot see it\n`);
    else if (err instanceof HistoryReadError || Array.isArray((err as { errors?: unknown }).errors))
      io.stderr(`review-router: ${repo}: ${(err as Error).message}\n`);
    else io.stderr(`review-router: ${describeGitHubError(err, repo, apiUrl)}\n`);
    return EXIT.problems;
  }
  if (drawn) io.stderr("\n");
  io.stdout(records.map((r) => historyLine(r) + "\n").join(""));
  return EXIT.ok;
}
