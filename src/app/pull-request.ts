// The pull_request handler: gather the PR's files and current state, ask the core for a
// decision, then apply it: add labels, request reviews, keep one summary up to date.

import type { Context } from "probot";
import { performance } from "node:perf_hooks";
import { BudgetExceeded, deadlineIn, ROUTING_BUDGET_MS } from "../core/budget.js";
import type { RouteDecision } from "../core/route.js";
import { route } from "../core/route.js";
import type { SkipReason } from "../core/select.js";
import { listChangedFiles, readThreadState, type RepoRef } from "./github-state.js";
import type { Bundled } from "./repo-config.js";
import { openThread } from "./thread.js";
import { renderConfigError, renderSummary } from "./summary.js";
import { writeBudgetFailure, writeSummary } from "./summary-writer.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.synchronize",
] as const;

export type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

export interface AppDeps {
  bundled: Bundled;
  /** This app's id: tells review-router's own labels, requests and comments from humans'. */
  appId?: number;
  /** DRY_RUN=1 in the environment: report everything, write no label and no review request. */
  dryRunEnv: boolean;
}

/** Labels any module of the configuration can add; only these are ever removed by sync_labels. */
function moduleLabels(decisionConfig: { modules: { label?: string; areas: { label: string }[] }[] }): Set<string> {
  const out = new Set<string>();
  for (const m of decisionConfig.modules) {
    if (m.label) out.add(m.label);
    for (const a of m.areas) out.add(a.label);
  }
  return out;
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/** Drop newly chosen reviewers from a decision (draft PRs), keeping those already on the PR. */
function withoutNewReviewers(d: RouteDecision): RouteDecision {
  const fresh = new Set(d.reviewers.map((r) => r.toLowerCase()));
  return {
    ...d,
    reviewers: [],
    modules: d.modules.map((m) => ({ ...m, reviewers: m.reviewers.filter((r) => !fresh.has(r.toLowerCase())) })),
  };
}

export async function handlePullRequest(context: PullRequestContext, deps: AppDeps): Promise<void> {
  const pr = context.payload.pull_request;
  const open = await openThread(context, deps.bundled, { kind: "pr", number: pr.number, state: pr.state });
  if (!open) return;
  const { ref, repository, log, loaded } = open;
  if (loaded.kind === "error") {
    log.error({ problems: loaded.problems }, `configuration ${loaded.file} is invalid; event not acted on`);
    await writeSummary(context, ref, pr.number, pr.head.sha, "check", renderConfigError(loaded.file, loaded.problems), deps.appId, "failure", []);
    return;
  }
  const { router, config } = loaded;
  const dryRun = config.app.dryRun || deps.dryRunEnv;

  const { files, truncatedAt } = await listChangedFiles(context.octokit, ref, pr.number, pr.changed_files ?? 0);
  const state = await readThreadState(context.octokit, ref, pr.number, deps.appId, {
    labels: pr.labels.map((l) => l.name),
    requestedUsers: (pr.requested_reviewers ?? []).flatMap((r) => (r && "login" in r && r.login ? [r.login] : [])),
    requestedTeams: (pr.requested_teams ?? []).flatMap((t) => (t && "slug" in t && t.slug ? [t.slug] : [])),
  });

  const blocked: { login: string; reason: SkipReason }[] = state.requestRemovedByHuman.map((login) => ({ login, reason: "request removed" }));
  // Users this delivery has already requested: on the pull request now, so they count toward the cap.
  const requested: string[] = [];
  const decide = () =>
    route(router, {
      repository,
      prNumber: pr.number,
      author: pr.user?.login ?? "",
      files,
      requestedReviewers: [...state.requestedUsers, ...requested],
      requestedTeams: state.requestedTeams,
      reviewedBy: state.reviewedBy,
      blocked,
    }, deadlineIn(ROUTING_BUDGET_MS, () => performance.now()));
  let decision: RouteDecision;
  try {
    decision = decide();
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    log.error({ limit: err.limit, during: err.during }, "routing budget exceeded; delivery abandoned");
    await writeBudgetFailure(context, ref, pr.number, pr.head.sha, err, deps.appId);
    return;
  }
  const draftDeferred = pr.draft === true && config.app.skipDrafts;
  if (draftDeferred) decision = withoutNewReviewers(decision);

  // Labels: add what is missing, never what a human removed; remove only our own, when asked.
  const toAdd = decision.labels.filter((l) => !state.labels.has(l) && !state.labelsRemovedByHuman.has(l));
  const known = moduleLabels(config);
  const toRemove = config.app.syncLabels
    ? [...state.labelsAddedByApp].filter((l) => state.labels.has(l) && known.has(l) && !decision.labels.includes(l))
    : [];
  if (!dryRun) {
    if (toAdd.length > 0) await context.octokit.rest.issues.addLabels({ ...ref, issue_number: pr.number, labels: toAdd });
    for (const name of toRemove) {
      try {
        await context.octokit.rest.issues.removeLabel({ ...ref, issue_number: pr.number, name });
      } catch (err) {
        if (httpStatus(err) !== 404) throw err; // already gone is fine
      }
    }
    // Request reviews; GitHub refuses the whole request (422) if any one user is not a
    // collaborator, so then ask one by one, drop those refused, and choose again once.
    let pending = decision.reviewers;
    for (let round = 0; round < 2 && pending.length > 0; round++) {
      const refused = await requestReviews(context, ref, pr.number, pending, requested);
      if (refused.length === 0) break;
      blocked.push(...refused);
      log.warn({ refused }, "GitHub refused review requests; choosing again without those users");
      const again = decide();
      decision = { ...again, reviewers: requested.concat(again.reviewers.filter((r) => !requested.includes(r))) };
      pending = again.reviewers.filter((r) => !requested.includes(r));
    }
    decision = { ...decision, reviewers: requested };
  }

  if (config.app.summary !== "none") {
    const summary = renderSummary({ decision, dryRun, draftDeferred, configSource: loaded.source, ...(truncatedAt ? { truncatedAt } : {}) });
    await writeSummary(context, ref, pr.number, pr.head.sha, config.app.summary, summary, deps.appId, "neutral", state.appComments);
  }
  log.info(
    { labels: decision.labels, added: dryRun ? [] : toAdd, removed: dryRun ? [] : toRemove, requested: dryRun ? [] : requested, wouldRequest: dryRun ? decision.reviewers : undefined, modules: decision.modules.map((m) => m.name), uncovered: decision.uncovered, dryRun },
    "routed pull request",
  );
}

/**
 * Request `logins`; on a 422 for the batch, request them one by one. Returns the users GitHub
 * refused; those it accepted are appended to `requested`.
 */
async function requestReviews(
  context: PullRequestContext,
  ref: RepoRef,
  pullNumber: number,
  logins: string[],
  requested: string[],
): Promise<{ login: string; reason: SkipReason }[]> {
  try {
    await context.octokit.rest.pulls.requestReviewers({ ...ref, pull_number: pullNumber, reviewers: logins });
    requested.push(...logins);
    return [];
  } catch (err) {
    if (httpStatus(err) !== 422) throw err;
  }
  const refused: { login: string; reason: SkipReason }[] = [];
  for (const login of logins) {
    try {
      if (logins.length > 1) await context.octokit.rest.pulls.requestReviewers({ ...ref, pull_number: pullNumber, reviewers: [login] });
      else throw Object.assign(new Error("refused"), { status: 422 });
      requested.push(login);
    } catch (err) {
      if (httpStatus(err) !== 422) throw err;
      refused.push({ login, reason: "not a collaborator" });
    }
  }
  return refused;
}
