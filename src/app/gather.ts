// Gathering: what a plan needs from GitHub, read through the port. The webhook handlers start
// from a payload; a CLI or a GitHub Action that reads the pull request itself starts from the
// same plain description.

import { signalsToFetch, type PullRequestFacts, type PullRequestPlanInput } from "../core/plan.js";
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

/**
 * The candidates' availability and load, in one GraphQL request, only when the plan could request
 * someone new (signalsToFetch is not empty); otherwise no request at all. An error or time-out
 * yields `signalsUnavailable`: the plan then chooses as without signals, never nobody.
 */
export async function gatherSignals(port: ThreadReads, input: PullRequestPlanInput, now: Date): Promise<GatheredSignals> {
  const logins = signalsToFetch(input);
  if (logins.length === 0) return {};
  const result = await port.candidateSignals(logins, now);
  return result.ok ? { signals: result.signals } : { signalsUnavailable: result.reason };
}
