// The one pipeline every door uses: event → gather (through the port) → plan (pure, src/core) →
// apply (through the port). The Probot app, the GitHub Action, the online CLI and the sweep only
// turn their input into an event (events.ts) and the outcome into text; the offline CLI plans with
// a port that answers from files (planPullRequestEvent, apply: false). Configuration is loaded
// through the port too (repo-config.ts), so nothing reads GitHub around the runner.

import { performance } from "node:perf_hooks";
import { BudgetExceeded, deadlineIn, ROUTING_BUDGET_MS } from "../core/budget.js";
import { routeIssue, type IssueDecision } from "../core/issue-text.js";
import {
  CC_MARKER,
  issueHasWork,
  planIssue,
  planPullRequest,
  type IssuePlan,
  type PullRequestFacts,
  type PullRequestPlan,
  type PullRequestPlanInput,
} from "../core/plan.js";
import { applyIssuePlan, planAndApplyPullRequest, plannedSummary, writePlannedSummary, type PullRequestRun } from "./apply.js";
import { runComment, type CommentOutcome } from "./comment.js";
import type { RouterEvent } from "./events.js";
import { gatherForChoice, gatherPullRequest } from "./gather.js";
import { GITHUB_FILE_LIMIT, type ThreadState } from "./github-state.js";
import type { DefaultBranchFiles, GitHubPort, IssueInfo, IssueReadPort, PullRequestInfo, ReadPort, SummaryWrite } from "./port.js";
import { loadRepoConfig, type Bundled, type RepoConfigLoaded, type RepoConfigResult } from "./repo-config.js";
import { renderConfigError, type Summary } from "./summary.js";
import { budgetSummary, writeSummary } from "./summary-writer.js";
import { DEFAULT_SWEEP_LIMIT, sweepRepository, type SweepResult } from "./sweep.js";

/** Where the runner says what it did and why (pino's shape: fields, then the message). */
export interface RunLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const SILENT: RunLog = { info: () => {}, warn: () => {}, error: () => {} };

export interface RunOptions {
  bundled: Bundled;
  /** Carry the plan out (labels, review requests, withdrawals, summary); otherwise only plan. */
  apply: boolean;
  /** DRY_RUN in the environment (or the Action's dry-run input). */
  dryRunEnv: boolean;
  /** The time of the decision, taken once per event: dated `unavailable` entries, status expiry, overdue re-routing. */
  now: Date;
  log?: RunLog;
  /** Milliseconds of routing one planning may spend (default ROUTING_BUDGET_MS), in every door. */
  budgetMs?: number;
  /** The budget's monotonic clock in milliseconds (default performance.now). */
  clock?: () => number;
}

export type PullRequestOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "config-error"; file: string; loaded: Extract<RepoConfigResult, { kind: "error" }> }
  /** Routing ran past its budget: nothing was changed but (when applying) a failed summary saying so. */
  | { kind: "budget-exceeded"; limit: string; during: string }
  | { kind: "planned"; plan: PullRequestPlan; summary?: Summary; run?: PullRequestRun; configSource: string };

export type IssueOutcome =
  /** `decision`: the issue was read, and names no module (what `triage` shows). */
  | { kind: "skipped"; reason: string; decision?: IssueDecision }
  | { kind: "config-error"; file: string; loaded: Extract<RepoConfigResult, { kind: "error" }> }
  | { kind: "planned"; plan: IssuePlan; applied?: { labelsAdded: string[]; commented: boolean } };

/** What each kind of event leads to. */
export type OutcomeOf<E extends RouterEvent> = E extends { kind: "pull_request" }
  ? PullRequestOutcome
  : E extends { kind: "issue" }
    ? IssueOutcome
    : E extends { kind: "comment" }
      ? CommentOutcome
      : SweepResult;

/** Handle one event through the port: the whole pipeline, the same in every door. */
export async function runEvent<E extends RouterEvent>(port: GitHubPort, event: E, options: RunOptions): Promise<OutcomeOf<E>> {
  const e: RouterEvent = event;
  switch (e.kind) {
    case "pull_request":
      return (await runPullRequest(port, e.pr, options)) as OutcomeOf<E>;
    case "issue":
      return (await runIssue(port, e.issue, options)) as OutcomeOf<E>;
    case "comment":
      return (await runComment(port, e, options)) as OutcomeOf<E>;
    case "sweep":
      return (await sweepRepository(port, options, e.limit ?? DEFAULT_SWEEP_LIMIT)) as OutcomeOf<E>;
    default: {
      const unhandled: never = e;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Load the repository's configuration once through the port; the sweep shares it across pull requests. */
export function loadConfig(port: DefaultBranchFiles, bundled: Bundled): Promise<RepoConfigResult> {
  return loadRepoConfig(port, bundled);
}

/** The configuration for an event, or the outcome that ends it (closed thread, nothing applies, an invalid file). */
export async function configFor(
  port: DefaultBranchFiles,
  thread: { what: string; state: string },
  options: Pick<RunOptions, "bundled" | "log">,
  loaded?: RepoConfigResult,
): Promise<RepoConfigLoaded | { kind: "skipped"; reason: string } | Extract<RepoConfigResult, { kind: "error" }>> {
  const log = options.log ?? SILENT;
  if (thread.state !== "open") {
    const reason = `${thread.what} is ${thread.state}; nothing to do`;
    log.info({}, reason);
    return { kind: "skipped", reason };
  }
  const config = loaded ?? (await loadConfig(port, options.bundled));
  if (config.kind === "none") {
    log.info({}, config.reason);
    return { kind: "skipped", reason: config.reason };
  }
  if (config.kind === "error") log.error({ problems: config.problems }, `configuration ${config.file} is invalid; event not acted on`);
  return config;
}

/**
 * Plan one pull request without writing anything: the online CLI without --apply, and the
 * offline CLI with a port that answers from files and the configuration it chose (`loaded`).
 */
export async function planPullRequestEvent(
  port: ReadPort,
  pr: PullRequestInfo,
  options: Omit<RunOptions, "apply">,
  loaded?: RepoConfigResult,
): Promise<PullRequestOutcome> {
  return runPullRequestWith(port, undefined, pr, options, loaded);
}

/** Route one pull request through the port: what every door does on a pull_request event. */
export async function runPullRequest(
  port: GitHubPort,
  pr: PullRequestInfo,
  options: RunOptions,
  loaded?: RepoConfigResult,
): Promise<PullRequestOutcome> {
  return runPullRequestWith(port, options.apply ? port : undefined, pr, options, loaded);
}

/** Gather, plan, and with a `writer` apply: planning reads through `port` only. */
async function runPullRequestWith(
  port: ReadPort,
  writer: GitHubPort | undefined,
  pr: PullRequestInfo,
  options: Omit<RunOptions, "apply">,
  loaded?: RepoConfigResult,
): Promise<PullRequestOutcome> {
  const config = await configFor(port, { what: `pull request #${pr.number}`, state: pr.state }, options, loaded);
  if (config.kind === "skipped") return config;
  if (config.kind === "error") {
    if (writer) {
      const summary = renderConfigError(config.file, config.problems);
      await writeSummary(writer, pr.number, pr.headSha, { mode: "check", summary, conclusion: "failure", appComments: [] });
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
  const { facts, thread, checkRuns, graphqlFailed } = await gatherPullRequest(port, view);
  if (graphqlFailed !== undefined) options.log?.warn({ reason: graphqlFailed }, "the GraphQL read failed; read the pull request by REST");
  const seen = { appComments: thread.appComments, ...(checkRuns ? { checkRuns } : {}) };
  return routeGathered(port, writer, config, { facts, headSha: pr.headSha, seen }, options);
}

/** A gathered pull request, ready to plan: its facts, head commit and the summary state read with it. */
export interface GatheredPullRequest {
  facts: PullRequestFacts;
  headSha: string;
  seen: Pick<SummaryWrite, "appComments" | "checkRuns">;
}

/** The plan input for gathered facts: the configuration's router, dry run, the clock, and a fresh budget per planning. */
export function planInput(
  config: RepoConfigLoaded,
  facts: PullRequestFacts,
  options: Pick<RunOptions, "dryRunEnv" | "now" | "budgetMs" | "clock">,
) {
  const ms = options.budgetMs ?? ROUTING_BUDGET_MS;
  const clock = options.clock ?? (() => performance.now());
  return {
    router: config.router,
    pr: facts,
    dryRun: config.config.app.dryRun || options.dryRunEnv,
    now: options.now,
    // Each planning gets `ms` of routing; past it the event is abandoned (see budget.ts).
    budget: () => deadlineIn(ms, clock),
  } satisfies PullRequestPlanInput;
}

/**
 * Plan a gathered pull request with its candidates' availability and load and the touched
 * directories' approval history (read only when a new reviewer is needed). Throws BudgetExceeded when routing runs past the budget.
 */
export async function planGathered(port: ReadPort, config: RepoConfigLoaded, facts: PullRequestFacts, options: Omit<RunOptions, "apply">) {
  const base = planInput(config, facts, options);
  const gathered = await gatherForChoice(port, base, options.now, options.bundled.approvals);
  if (gathered.signalsUnavailable)
    options.log?.warn({ reason: gathered.signalsUnavailable }, "availability and load not read; choosing without them");
  if (gathered.historyUnavailable)
    options.log?.warn({ reason: gathered.historyUnavailable }, "approval history not read; choosing without it");
  const input: PullRequestPlanInput = { ...base, ...gathered };
  return { input, plan: planPullRequest(input) };
}

/**
 * Route a gathered pull request: plan (within the budget), then with a writer apply and write the
 * summary. A pull_request event and the `/route`, `/route reroll` and `/route resume` commands all
 * end here. `planned` is a plan already made for these facts, or the budget overrun that stopped
 * it (a command decides on its plan before it is acknowledged).
 */
export async function routeGathered(
  port: ReadPort,
  writer: GitHubPort | undefined,
  config: RepoConfigLoaded,
  g: GatheredPullRequest,
  options: Omit<RunOptions, "apply">,
  planned?: { input: PullRequestPlanInput; plan: PullRequestPlan } | BudgetExceeded,
): Promise<PullRequestOutcome> {
  const log = options.log ?? SILENT;
  const warnings = config.problems.filter((p) => p.severity === "warning");
  try {
    if (planned instanceof BudgetExceeded) throw planned;
    const { input, plan } = planned ?? (await planGathered(port, config, g.facts, options));
    if (!writer) {
      const summary = plannedSummary(plan, config.source, { warnings });
      return { kind: "planned", plan, configSource: config.source, ...(summary ? { summary } : {}) };
    }
    const run = await planAndApplyPullRequest(
      writer,
      input,
      (refused, refusedTeams) =>
        log.warn({ refused, refusedTeams }, "GitHub refused review requests; choosing again without those users and teams"),
      plan,
    );
    await writePlannedSummary(writer, { number: g.facts.number, headSha: g.headSha }, run.plan, config.source, g.seen, { warnings });
    logRun(log, run);
    const summary = plannedSummary(run.plan, config.source, { warnings });
    return { kind: "planned", plan: run.plan, run, configSource: config.source, ...(summary ? { summary } : {}) };
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    log.error({ limit: err.limit, during: err.during }, "routing budget exceeded; event abandoned");
    if (writer) {
      const summary = budgetSummary(err);
      await writeSummary(writer, g.facts.number, g.headSha, { mode: "check", summary, conclusion: "failure", ...g.seen });
    }
    return { kind: "budget-exceeded", limit: err.limit, during: err.during };
  }
}

function logRun(log: RunLog, run: PullRequestRun): void {
  const first = run.plans[0]!;
  const { decision, dryRun } = run.plan;
  log.info(
    {
      labels: decision.labels,
      added: run.applied.labelsAdded,
      removed: run.applied.labelsRemoved,
      requested: run.applied.requestedUsers,
      requestedTeams: run.applied.requestedTeams,
      wouldRequest: dryRun ? first.reviews.users : undefined,
      modules: decision.modules.map((m) => m.name),
      uncovered: decision.uncovered,
      dryRun,
    },
    "routed pull request",
  );
}

/** Label an issue by the modules it names: what every door does on an issues event. */
export async function runIssue(port: GitHubPort, issue: IssueInfo, options: RunOptions, loaded?: RepoConfigResult): Promise<IssueOutcome> {
  return runIssueWith(port, options.apply ? port : undefined, issue, options, loaded);
}

/**
 * Plan one issue without writing anything: `triage`, with a port over issues that have no state yet
 * and the configuration it chose (`loaded`). A skipped issue that was read carries its decision.
 */
export async function planIssueEvent(
  port: IssueReadPort,
  issue: IssueInfo,
  options: Omit<RunOptions, "apply">,
  loaded?: RepoConfigResult,
): Promise<IssueOutcome> {
  return runIssueWith(port, undefined, issue, options, loaded);
}

/** Decide, and with a `writer` apply: planning reads through `port` only. */
async function runIssueWith(
  port: IssueReadPort,
  writer: GitHubPort | undefined,
  issue: IssueInfo,
  options: Omit<RunOptions, "apply">,
  loaded?: RepoConfigResult,
): Promise<IssueOutcome> {
  const log = options.log ?? SILENT;
  const config = await configFor(port, { what: `issue #${issue.number}`, state: issue.state }, options, loaded);
  if (config.kind === "skipped") return config;
  if (config.kind === "error") return { kind: "config-error", file: config.file, loaded: config };
  if (!config.config.app.labelIssues) {
    const reason = "label_issues is false in this repository's configuration; issue left alone";
    log.info({}, reason);
    return { kind: "skipped", reason };
  }
  const repository = `${port.repo.owner}/${port.repo.repo}`;
  const decision = routeIssue(config.router, { repository, title: issue.title, body: issue.body });
  if (!issueHasWork(decision, config.config.app)) {
    log.info({}, "no module named in the issue");
    return { kind: "skipped", reason: "no module named in the issue", decision };
  }
  // The state is read only once there is work (a module named, or needs_triage_label set): otherwise no further call.
  const thread: ThreadState = await port.readThreadState(issue.number, { labels: issue.labels, requestedUsers: [], requestedTeams: [] });
  const plan = planIssue({
    decision,
    author: issue.author,
    thread,
    ccCommentPresent: thread.appComments.some((c) => c.body.includes(CC_MARKER)),
    settings: config.config.app,
    dryRun: config.config.app.dryRun || options.dryRunEnv,
  });
  if (!writer) return { kind: "planned", plan };
  const applied = await applyIssuePlan(writer, issue.number, plan);
  log.info(
    {
      labels: decision.labels,
      added: applied.labelsAdded,
      modules: decision.modules.map((m) => ({ name: m.name, why: m.why })),
      scores: decision.scores,
      commented: applied.commented,
      dryRun: plan.dryRun,
    },
    "labelled issue",
  );
  return { kind: "planned", plan, applied };
}
