// One pull request or issue handled through the GitHub port alone, for the adapters that hold no
// Probot context: the online CLI, the sweep and the GitHub Action. The steps are the app's own:
// load the configuration, gather (src/app/gather.ts), plan (src/core/plan.ts), apply
// (src/app/apply.ts) and write the summary. Without `apply` the plan is only computed.

import { routeIssue } from "../core/issue-text.js";
import { CC_MARKER, issueHasWork, planIssue, planPullRequest, type IssuePlan, type PullRequestPlan } from "../core/plan.js";
import { applyIssuePlan, planAndApplyPullRequest, plannedSummary, writePlannedSummary, type PullRequestRun } from "./apply.js";
import { gatherForChoice, gatherPullRequest } from "./gather.js";
import { GITHUB_FILE_LIMIT, type ThreadState } from "./github-state.js";
import type { GitHubPort, IssueInfo, PullRequestInfo } from "./port.js";
import type { Bundled, RepoConfigResult } from "./repo-config.js";
import { renderConfigError, type Summary } from "./summary.js";

export interface RunOptions {
  bundled: Bundled;
  /** Carry the plan out (labels, review requests, withdrawals, summary); otherwise only plan. */
  apply: boolean;
  /** DRY_RUN in the environment (or the Action's dry-run input). */
  dryRunEnv: boolean;
  /** The clock for overdue re-routing. */
  now: Date;
}

export type PullRequestOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "config-error"; file: string; loaded: Extract<RepoConfigResult, { kind: "error" }> }
  | { kind: "planned"; plan: PullRequestPlan; summary?: Summary; run?: PullRequestRun; configSource: string };

/** Load the repository's configuration once; the sweep shares it across pull requests. */
export function loadConfig(port: GitHubPort, bundled: Bundled): Promise<RepoConfigResult> {
  return port.loadConfig(bundled);
}

/** Route one pull request through the port: exactly what the app does on a pull_request event. */
export async function runPullRequest(
  port: GitHubPort,
  pr: PullRequestInfo,
  options: RunOptions,
  loaded?: RepoConfigResult,
): Promise<PullRequestOutcome> {
  if (pr.state !== "open") return { kind: "skipped", reason: `pull request #${pr.number} is ${pr.state}; nothing to do` };
  const config = loaded ?? (await loadConfig(port, options.bundled));
  if (config.kind === "none") return { kind: "skipped", reason: config.reason };
  if (config.kind === "error") {
    if (options.apply) {
      const summary = renderConfigError(config.file, config.problems);
      await port.writeSummary(pr.number, pr.headSha, { mode: "check", summary, conclusion: "failure", appComments: [] });
    }
    return { kind: "config-error", file: config.file, loaded: config };
  }
  const view = {
    number: pr.number,
    headSha: pr.headSha,
    withCheckRuns: config.config.app.summary === "check",
    author: pr.author,
    draft: pr.draft,
    changedFiles: pr.changedFiles ?? GITHUB_FILE_LIMIT,
    thread: pr.thread,
  };
  const { facts, thread, checkRuns } = await gatherPullRequest(port, view);
  const base = { router: config.router, pr: facts, dryRun: config.config.app.dryRun || options.dryRunEnv, now: options.now };
  // The candidates' availability and load, and the approval history, read as the app reads them (only when needed).
  const input = { ...base, ...(await gatherForChoice(port, base, options.now, options.bundled.approvals)) };
  if (!options.apply) {
    const plan = planPullRequest(input);
    return { kind: "planned", plan, configSource: config.source, ...summaryOf(plan, config) };
  }
  const run = await planAndApplyPullRequest(port, input);
  const warnings = config.problems.filter((p) => p.severity === "warning");
  await writePlannedSummary(
    port,
    { number: pr.number, headSha: pr.headSha },
    run.plan,
    config.source,
    {
      appComments: thread.appComments,
      ...(checkRuns ? { checkRuns } : {}),
    },
    { warnings },
  );
  return { kind: "planned", plan: run.plan, run, configSource: config.source, ...summaryOf(run.plan, config) };
}

/** The summary text a plan leads to, with the configuration's warnings, as the app writes it. */
function summaryOf(plan: PullRequestPlan, config: Extract<RepoConfigResult, { kind: "ok" }>): { summary?: Summary } {
  const summary = plannedSummary(plan, config.source, { warnings: config.problems.filter((p) => p.severity === "warning") });
  return summary ? { summary } : {};
}

export type IssueOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "config-error"; file: string; loaded: Extract<RepoConfigResult, { kind: "error" }> }
  | { kind: "planned"; plan: IssuePlan; applied?: { labelsAdded: string[]; commented: boolean } };

/** Label an issue by the modules it names, as the app's issues handler does. */
export async function runIssue(port: GitHubPort, issue: IssueInfo, options: RunOptions): Promise<IssueOutcome> {
  if (issue.state !== "open") return { kind: "skipped", reason: `issue #${issue.number} is ${issue.state}; nothing to do` };
  const config = await loadConfig(port, options.bundled);
  if (config.kind === "none") return { kind: "skipped", reason: config.reason };
  if (config.kind === "error") return { kind: "config-error", file: config.file, loaded: config };
  const repository = `${port.repo.owner}/${port.repo.repo}`;
  const decision = routeIssue(config.router, { repository, title: issue.title, body: issue.body });
  if (!issueHasWork(decision, config.config.app)) return { kind: "skipped", reason: "no module named in the issue" };
  const thread: ThreadState = await port.readThreadState(issue.number, { labels: issue.labels, requestedUsers: [], requestedTeams: [] });
  const plan = planIssue({
    decision,
    author: issue.author,
    thread,
    ccCommentPresent: thread.appComments.some((c) => c.body.includes(CC_MARKER)),
    settings: config.config.app,
    dryRun: config.config.app.dryRun || options.dryRunEnv,
  });
  if (!options.apply) return { kind: "planned", plan };
  return { kind: "planned", plan, applied: await applyIssuePlan(port, issue.number, plan) };
}
