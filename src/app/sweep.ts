// The sweep: find a repository's open pull requests with overdue review requests and handle each
// one as the app handles an event of it (src/app/run.ts), which replaces the overdue reviewers.
// For a scheduled job, so that a pull request nobody touches still gets re-routed.

import type { Overdue } from "../core/overdue.js";
import { overdueOnThread } from "../core/plan.js";
import type { GitHubPort } from "./port.js";
import type { RepoConfigResult } from "./repo-config.js";
import { loadConfig, runPullRequest, type PullRequestOutcome, type RunOptions } from "./run.js";

/** Open pull requests looked at per sweep (newest first). */
export const DEFAULT_SWEEP_LIMIT = 300;

export interface SweptPullRequest {
  number: number;
  overdue: Overdue[];
  outcome: PullRequestOutcome;
}

export type SweepResult =
  | { kind: "skipped"; reason: string }
  | { kind: "config-error"; loaded: Extract<RepoConfigResult, { kind: "error" }> }
  | { kind: "swept"; open: number; pullRequests: SweptPullRequest[] };

export async function sweepRepository(port: GitHubPort, options: RunOptions, limit = DEFAULT_SWEEP_LIMIT): Promise<SweepResult> {
  const config = await loadConfig(port, options.bundled);
  if (config.kind === "none") return { kind: "skipped", reason: config.reason };
  if (config.kind === "error") return { kind: "config-error", loaded: config };
  const { app } = config.config;
  if (app.reroute.afterHours <= 0) {
    return { kind: "skipped", reason: `reroute_after_hours is not set in ${config.source}: no review request is ever overdue` };
  }
  const open = await port.listOpenPullRequests(limit);
  const pullRequests: SweptPullRequest[] = [];
  for (const pr of open) {
    // Only a pull request with a pending user request can have an overdue one: no further read otherwise.
    if (pr.thread.requestedUsers.length === 0) continue;
    const thread = await port.readThreadState(pr.number, pr.thread);
    const overdue = overdueOnThread(app, pr.draft, thread, options.now);
    if (overdue.length === 0) continue;
    pullRequests.push({ number: pr.number, overdue, outcome: await runPullRequest(port, pr, options, config) });
  }
  return { kind: "swept", open: open.length, pullRequests };
}
