// Gathering: what a plan needs from GitHub, read through the port. The webhook handlers start
// from a payload; a CLI or a GitHub Action that reads the pull request itself starts from the
// same plain description.

import { signalsToFetch, type PullRequestFacts, type PullRequestPlanInput } from "../core/plan.js";
import type { HistoryRecord } from "../core/history.js";
import type { ChangedFile } from "../core/route.js";
import { historyEntries, mergeByPullRequest, type ApprovalHistoryCache } from "./approval-history.js";
import type { ThreadState } from "./github-state.js";
import type { ThreadReads } from "./port.js";
import type { CheckRunsSeen, PullRequestView } from "./pull-request-read.js";

/** A pull request as an event shows it; the read's state overrides what `thread` says. */
export type PullRequestEventView = PullRequestView & { author: string; draft: boolean };

/** The pull request's changed files, its state now (over the event's view) and review-router's check runs. */
export async function gatherPullRequest(
  port: ThreadReads,
  pr: PullRequestEventView,
): Promise<{ facts: PullRequestFacts; thread: ThreadState; checkRuns?: CheckRunsSeen; graphqlFailed?: string }> {
  const { files, truncatedAt, thread, checkRuns, graphqlFailed } = await port.readPullRequest(pr);
  const facts: PullRequestFacts = {
    repository: `${port.repo.owner}/${port.repo.repo}`,
    number: pr.number,
    author: pr.author,
    draft: pr.draft,
    files,
    ...(truncatedAt ? { truncatedAt } : {}),
    thread,
  };
  return { facts, thread, ...(checkRuns ? { checkRuns } : {}), ...(graphqlFailed !== undefined ? { graphqlFailed } : {}) };
}

/** What the candidates' availability and load add to a plan: the signals, or why they could not be read. */
export type GatheredSignals = Pick<PullRequestPlanInput, "signals" | "signalsUnavailable">;
/** What the touched directories' approval history adds to a plan: the records, or why they could not be read. */
export type GatheredHistory = Pick<PullRequestPlanInput, "history" | "historyUnavailable">;

/**
 * What choosing a new reviewer reads, only when the plan could request someone new (signalsToFetch
 * is not empty; otherwise no request at all): the candidates' availability and load, and the
 * touched directories' approval history, one GraphQL request each, side by side. A failure of
 * either yields `signalsUnavailable` or `historyUnavailable`: the plan then chooses without it, never nobody.
 */
export async function gatherForChoice(
  port: ThreadReads,
  input: PullRequestPlanInput,
  now: Date,
  cache?: ApprovalHistoryCache,
): Promise<GatheredSignals & GatheredHistory> {
  const logins = signalsToFetch(input);
  if (logins.length === 0) return {};
  const [signals, history] = await Promise.all([
    port.candidateSignals(logins, now),
    gatherHistory(port, input.pr.files, now, input.router.config.policy.expertiseWindowDays, cache),
  ]);
  return { ...(signals.ok ? { signals: signals.signals } : { signalsUnavailable: signals.reason }), ...history };
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * The approval history of the directories `files` touch and their parents (historyEntries), from `cache` while
 * fresh, the rest in ONE request (none when every directory is cached), merged by pull request;
 * nothing when no pull request touched them in the window.
 */
export async function gatherHistory(
  port: ThreadReads,
  files: readonly ChangedFile[],
  now: Date,
  /** expertise_window_days: the ranking counts no approval older than this, so none is read. */
  windowDays: number,
  cache?: ApprovalHistoryCache,
): Promise<GatheredHistory> {
  const entries = historyEntries(files.map((f) => f.path));
  const repository = `${port.repo.owner}/${port.repo.repo}`;
  const lists: (readonly HistoryRecord[])[] = [];
  const missing: string[] = [];
  for (const entry of entries) {
    const hit = cache?.get(repository, windowDays, entry);
    if (hit) lists.push(hit);
    else missing.push(entry);
  }
  if (missing.length > 0) {
    const read = await port.approvalHistory(missing, new Date(now.getTime() - windowDays * DAY_MS));
    if (!read.ok) return { historyUnavailable: read.reason };
    for (const [entry, records] of read.byEntry) {
      cache?.set(repository, windowDays, entry, records);
      lists.push(records);
    }
  }
  const history = mergeByPullRequest(lists);
  // No record is no expertise: the plan (and its summary) is exactly the one without history.
  return history.length > 0 ? { history } : {};
}
