// The pull_request handler, in three steps: gather the PR's files and current state through the
// GitHub port, plan (pure: src/core/plan.ts), then apply the plan and write the summary.

import type { Context } from "probot";
import { performance } from "node:perf_hooks";
import { BudgetExceeded, deadlineIn, ROUTING_BUDGET_MS } from "../core/budget.js";
import { planAndApplyPullRequest, writePlannedSummary, type PullRequestRun } from "./apply.js";
import { gatherForChoice, gatherPullRequest, type PullRequestEventView } from "./gather.js";
import { octokitPort, type GitHubPort, type SummaryWrite } from "./port.js";
import type { PullRequestFacts } from "../core/plan.js";
import type { Bundled, RepoConfigResult } from "./repo-config.js";
import { openThread, type OpenThread } from "./thread.js";
import { renderConfigError } from "./summary.js";
import { budgetSummary } from "./summary-writer.js";
import { noteOutcome } from "./metrics.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.synchronize",
] as const;

export type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;
type PullRequestPayload = PullRequestContext["payload"]["pull_request"];

export interface AppDeps {
  bundled: Bundled;
  /** This app's id: tells review-router's own labels, requests and comments from humans'. */
  appId?: number;
  /** DRY_RUN=1 in the environment: report everything, write no label and no review request. */
  dryRunEnv: boolean;
}

export async function handlePullRequest(context: PullRequestContext, deps: AppDeps): Promise<void> {
  const pr = context.payload.pull_request;
  const open = await openThread(context, deps.bundled, { kind: "pr", number: pr.number, state: pr.state });
  if (!open) return;
  const port = octokitPort(context.octokit, open.ref, deps.appId);
  const { loaded, log } = open;
  if (loaded.kind === "error") {
    log.error({ problems: loaded.problems }, `configuration ${loaded.file} is invalid; event not acted on`);
    const summary = renderConfigError(loaded.file, loaded.problems);
    await port.writeSummary(pr.number, pr.head.sha, { mode: "check", summary, conclusion: "failure", appComments: [] });
    return;
  }
  // One clock reading per delivery: dated `unavailable` entries and status expiry are read against it.
  const now = new Date();
  const { facts, thread, checkRuns, graphqlFailed } = await gatherPullRequest(port, eventView(pr, loaded.config.app.summary === "check"));
  if (graphqlFailed !== undefined) log.warn({ reason: graphqlFailed }, "the GraphQL read failed; read the pull request by REST");
  await routeGathered(port, open, loaded, deps, {
    facts,
    headSha: pr.head.sha,
    seen: { appComments: thread.appComments, ...(checkRuns ? { checkRuns } : {}) },
    now,
  });
}

/**
 * Route a gathered pull request: read the candidates' availability and load and the touched
 * directories' approval history when a new reviewer is needed, plan, apply, write the summary, log. The pull_request handler and the `/route`,
 * `/route reroll` and `/route resume` commands all end here.
 */
export async function routeGathered(
  port: GitHubPort,
  open: OpenThread,
  loaded: Extract<RepoConfigResult, { kind: "ok" }>,
  deps: AppDeps,
  g: { facts: PullRequestFacts; headSha: string; seen: Pick<SummaryWrite, "appComments" | "checkRuns">; now: Date },
): Promise<PullRequestRun | undefined> {
  const { log } = open;
  const dryRun = loaded.config.app.dryRun || deps.dryRunEnv;
  // Each planning gets ROUTING_BUDGET_MS of routing; past it the delivery is abandoned (see budget.ts).
  const budget = () => deadlineIn(ROUTING_BUDGET_MS, () => performance.now());
  const base = { router: loaded.router, pr: g.facts, dryRun, now: g.now, budget };
  let run: PullRequestRun;
  try {
    const gathered = await gatherForChoice(port, base, g.now, deps.bundled.approvals);
    if (gathered.signalsUnavailable)
      log.warn({ reason: gathered.signalsUnavailable }, "availability and load not read; choosing without them");
    if (gathered.historyUnavailable) log.warn({ reason: gathered.historyUnavailable }, "approval history not read; choosing without it");
    run = await planAndApplyPullRequest(port, { ...base, ...gathered }, (refused, refusedTeams) =>
      log.warn({ refused, refusedTeams }, "GitHub refused review requests; choosing again without those users and teams"),
    );
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    log.error({ limit: err.limit, during: err.during }, "routing budget exceeded; delivery abandoned");
    noteOutcome("budget_exceeded");
    const summary = budgetSummary(err);
    await port.writeSummary(g.facts.number, g.headSha, { mode: "check", summary, conclusion: "failure", ...g.seen });
    return undefined;
  }
  const warnings = loaded.problems.filter((p) => p.severity === "warning");
  await writePlannedSummary(port, { number: g.facts.number, headSha: g.headSha }, run.plan, loaded.source, g.seen, { warnings });
  logRun(open, run);
  return run;
}

/** What the payload shows of the pull request, in the shape gathering starts from; `withCheckRuns` when the summary is a check run. */
export function eventView(pr: PullRequestPayload, withCheckRuns: boolean): PullRequestEventView {
  return {
    number: pr.number,
    withCheckRuns,
    headSha: pr.head.sha,
    author: pr.user?.login ?? "",
    draft: pr.draft === true,
    changedFiles: pr.changed_files ?? 0,
    thread: {
      labels: pr.labels.map((l) => l.name),
      requestedUsers: (pr.requested_reviewers ?? []).flatMap((r) => (r && "login" in r && r.login ? [r.login] : [])),
      requestedTeams: (pr.requested_teams ?? []).flatMap((t) => (t && "slug" in t && t.slug ? [t.slug] : [])),
    },
  };
}

function logRun(open: OpenThread, run: PullRequestRun): void {
  const first = run.plans[0]!;
  const { decision, dryRun } = run.plan;
  open.log.info(
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
