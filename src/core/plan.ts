// Decide, then act: from a pull request's or issue's gathered state, what review-router should
// do, as plain data. Pure, no I/O: the app, the CLI and a GitHub Action carry a plan out through
// the same port. Whatever GitHub answers while a plan is carried out (a 422 refusing a review
// request) becomes a new input, and the planner is asked again; a plan is never patched.

import type { Deadline } from "./budget.js";
import { rerolledBlocked, reviewsPaused } from "./commands.js";
import { isTeamName, type AppSettings, type SummaryMode } from "./config.js";
import { expertiseIndex } from "./expertise.js";
import type { HistoryRecord } from "./history.js";
import type { IssueDecision } from "./issue-text.js";
import { loginKey } from "./registry.js";
import {
  candidatesToFetch,
  route,
  type ChangedFile,
  type ModuleDecision,
  type RankedCandidate,
  type RouteDecision,
  type RouteInput,
} from "./route.js";
import type { Router } from "./router.js";
import { overdueReviewers, requestedWhileOverdue, type ActivityFact, type Overdue, type RequestFact } from "./overdue.js";
import type { SkipReason } from "./select.js";
import type { CandidateSignals } from "./signals.js";

/** What is on a pull request or issue now, as read from GitHub (its timeline folded over the payload). */
export interface ThreadFacts {
  labels: ReadonlySet<string>;
  /** Labels review-router added (and that nobody removed since). */
  labelsAddedByApp: ReadonlySet<string>;
  /** Labels a human removed: never added again. */
  labelsRemovedByHuman: ReadonlySet<string>;
  requestedUsers: readonly string[];
  requestedTeams: readonly string[];
  /** Users whose review request a human removed: never requested again. */
  requestRemovedByHuman: readonly string[];
  /** Users whose review request review-router withdrew (`/route reroll`): not chosen again. */
  requestRemovedByApp?: readonly string[];
  reviewedBy: readonly string[];
  /** Overdue re-routing (src/core/overdue.ts): when each requested user was last requested, reviews and comments, and who was replaced. */
  requestTimes?: readonly RequestFact[];
  activity?: readonly ActivityFact[];
  /** Users whose request review-router withdrew to replace them: never requested again. */
  replacedByApp?: readonly string[];
}

export interface PullRequestFacts {
  repository: string;
  number: number;
  author: string;
  draft: boolean;
  files: ChangedFile[];
  /** Set when the pull request has more files than GitHub lists. */
  truncatedAt?: number;
  thread: ThreadFacts;
}

/** A review request GitHub refused, and why; fed back into the next plan. */
export interface Refusal {
  login: string;
  reason: SkipReason;
}

export interface PullRequestPlanInput {
  router: Router;
  pr: PullRequestFacts;
  /** The configuration's dry_run, or the environment's DRY_RUN. */
  dryRun: boolean;
  /** Users GitHub refused earlier in this delivery: never chosen again. */
  refused?: readonly Refusal[];
  /** A fresh routing deadline for each planning (the app's CPU budget); none: unbounded (the CLI). */
  budget?: () => Deadline;
  /** The time of the decision, taken once per delivery by the adapter: dated `unavailable` entries,
   * status expiry and overdue re-routing are read against it (without it no reviewer is ever overdue). */
  now?: Date;
  /** Teams (slug or `org/team`) GitHub refused earlier in this delivery: never chosen again. */
  refusedTeams?: readonly string[];
  /** Candidates' availability and load, as fetched for this delivery (absent: the stable hash alone). */
  signals?: CandidateSignals;
  /** Why the signals could not be read: the choice is made without them, and the summary says so. */
  signalsUnavailable?: string;
  /**
   * Merged pull requests touching the changed paths, with their approvers (src/core/history.ts):
   * the candidates' expertise. A record's `files` may name a directory (ending in `/`) when the
   * source knew only that the pull request touched something under it. Absent: no expertise.
   */
  history?: readonly HistoryRecord[];
  /** Why the history could not be read: the choice is made without it, and the summary says so. */
  historyUnavailable?: string;
}

export interface ReviewRequest {
  users: string[];
  /** Team slugs. */
  teams: string[];
}

/**
 * Where a summary is written, spelt out rather than derived from the configuration's declaration
 * (SummaryMode), so that the plan document's schema can be generated from these types; the
 * assertion below stops compiling when the two differ.
 */
export type SummaryWhere = "check" | "comment";
const summaryWhereIsSummaryMode: [SummaryWhere, Exclude<SummaryMode, "none">] extends [Exclude<SummaryMode, "none">, SummaryWhere]
  ? true
  : never = true;
void summaryWhereIsSummaryMode;

export interface SummaryPlan {
  mode: SummaryWhere;
  /** What the summary shows: the decision, with each module's reviewers as they will be on the pull request. */
  decision: RouteDecision;
  dryRun: boolean;
  draftDeferred: boolean;
  truncatedAt?: number;
  /** Set with reroute_after_hours: the summary explains an "overdue" candidate. */
  rerouteAfterHours?: number;
  /** The `unowned_label` the decision adds, when some file is owned by no module. */
  unownedLabel?: string;
  /** Set when `/route skip` paused automatic review requests: the skip label's name. */
  pausedBy?: string;
  /** Set when availability and load could not be read: why. */
  signalsUnavailable?: string;
  /** Set when the review history could not be read: why. */
  historyUnavailable?: string;
  /** The signals the choice used, for the reasons shown with busy and overloaded candidates. */
  signals?: CandidateSignals;
  maxOpenReviews?: number;
}

export interface PullRequestPlan {
  /** The core's routing decision, as route() returned it. */
  decision: RouteDecision;
  /** Nothing is written but the summary. */
  dryRun: boolean;
  labels: { add: string[]; remove: string[] };
  /** Review requests to make now. */
  reviews: ReviewRequest;
  /** Chosen reviewers not requested now, with the reason (a draft's reviewers wait until it is ready; `/route skip`). */
  deferred: { login: string; reason: "draft" | "paused" }[];
  /** Every candidate not chosen, with the reason (from the routing decision). */
  skipped: RouteDecision["skipped"];
  /** Every candidate reviewer, best first, with their expertise and why they were chosen or not (from the routing decision). */
  candidates: RankedCandidate[];
  /** Overdue reviewers to withdraw once a replacement is requested (absent when none). */
  reroute?: Reroute[];
  summary?: SummaryPlan;
}

/** An overdue reviewer and who replaces them. */
export interface Reroute extends Overdue {
  /** Modules the reviewer was covering. */
  modules: string[];
  /** Who replaces them for those modules: the request is withdrawn once one of them is requested. */
  by: string[];
  /**
   * Those of `by` an earlier delivery already requested (after the deadline) while its withdrawal
   * failed: the withdrawal is what is missing, and is done now. Absent when none.
   */
  alreadyRequested?: string[];
}

/** Labels any module of the configuration can add; only these are ever removed by sync_labels. */
export function configuredLabels(config: { modules: { label?: string; areas: { label: string }[] }[] }): Set<string> {
  const out = new Set<string>();
  for (const m of config.modules) {
    if (m.label) out.add(m.label);
    for (const a of m.areas) out.add(a.label);
  }
  return out;
}

/**
 * Logins never to request: those a human removed, those rerolled away, those review-router
 * replaced as overdue (not requested again since), those being replaced now, then those GitHub refused.
 */
function blockedLogins(pr: PullRequestFacts, refused: readonly Refusal[], replacing: readonly string[]): Refusal[] {
  const requested = new Set(pr.thread.requestedUsers.map(loginKey));
  // The timeline does not say why review-router withdrew someone: one withdrawn and not asked
  // again since is blocked once, as rerolled; "overdue" is for those replaced in this delivery.
  const rerolled = new Set((pr.thread.requestRemovedByApp ?? []).map(loginKey));
  const replaced = (pr.thread.replacedByApp ?? []).filter((l) => !requested.has(loginKey(l)) && !rerolled.has(loginKey(l)));
  return [
    ...pr.thread.requestRemovedByHuman.map((login): Refusal => ({ login, reason: "request removed" })),
    ...rerolledBlocked(pr.thread.requestRemovedByApp ?? []),
    ...[...replaced, ...replacing].map((login): Refusal => ({ login, reason: "overdue" })),
    ...refused,
  ];
}

/**
 * A team as `org/team`. Payloads and the timeline name a requested team by its slug alone, and
 * GitHub only requests the repository's own organisation's teams, so a bare slug is that org's.
 */
export function qualifiedTeam(repository: string, team: string): string {
  return team.includes("/") ? team : `${repository.split("/")[0]}/${team}`;
}

/** The slug the API's `team_reviewers` takes: the part after `org/`. */
export function teamSlug(team: string): string {
  return team.slice(team.indexOf("/") + 1);
}

/** Teams never to request: those of another organisation (GitHub cannot), then those GitHub refused. */
function blockedTeams(router: Router, repository: string, refusedTeams: readonly string[]): { team: string; reason: SkipReason }[] {
  const org = repository.split("/")[0]!.toLowerCase();
  const named = [...router.config.modules.flatMap((m) => m.teams ?? []), ...router.config.policy.defaultReviewers.filter(isTeamName)];
  const other = [...new Set(named.filter((t) => t.split("/")[0]!.toLowerCase() !== org))];
  return [
    ...other.map((team) => ({ team, reason: "other organisation" as const })),
    ...refusedTeams.map((t) => ({ team: qualifiedTeam(repository, t), reason: "not a collaborator" as const })),
  ];
}

/**
 * The routing input of a pull request plan (also what `/route reroll` plans from); `replacing` are
 * overdue reviewers routed as if their request were gone.
 */
export function pullRequestRouteInput(input: PullRequestPlanInput, replacing: readonly string[] = []): RouteInput {
  const { pr } = input;
  const gone = new Set(replacing.map(loginKey));
  const teams = blockedTeams(input.router, pr.repository, input.refusedTeams ?? []);
  return {
    repository: pr.repository,
    prNumber: pr.number,
    author: pr.author,
    files: pr.files,
    requestedReviewers: pr.thread.requestedUsers.filter((l) => !gone.has(loginKey(l))),
    requestedTeams: pr.thread.requestedTeams.map((t) => qualifiedTeam(pr.repository, t)),
    reviewedBy: [...pr.thread.reviewedBy],
    blocked: blockedLogins(pr, input.refused ?? [], replacing),
    ...(teams.length > 0 ? { blockedTeams: teams } : {}),
    ...(input.signals ? { signals: input.signals } : {}),
    ...(input.now ? { now: input.now } : {}),
    // An empty history is no history: the same choice and the same words as without one, in every door.
    ...(input.history && input.history.length > 0
      ? { history: expertiseIndex(input.history, input.router.config.policy.expertiseHalfLifeDays) }
      : {}),
  };
}

function routePullRequest(input: PullRequestPlanInput, replacing: readonly string[] = []): RouteDecision {
  return route(input.router, pullRequestRouteInput(input, replacing), input.budget?.());
}

/** Whether `/route skip` paused automatic review requests on the pull request (its skip label is on). */
export function pausedPullRequest(input: Pick<PullRequestPlanInput, "router" | "pr">): boolean {
  return reviewsPaused([...input.pr.thread.labels], input.router.config.app.skipLabel);
}

/**
 * Whose availability and load to fetch before planning: none when no review request can be made
 * now (a deferred draft, paused reviews, every module covered, the cap reached).
 */
export function signalsToFetch(input: PullRequestPlanInput): string[] {
  const app = input.router.config.app;
  if ((input.pr.draft && app.skipDrafts) || pausedPullRequest(input)) return [];
  // Overdue reviewers are routed as gone: their replacements are candidates too.
  const replacing = overdueOf(input).map((o) => o.login);
  return candidatesToFetch(input.router, pullRequestRouteInput(input, replacing), input.budget?.());
}

/** Requested reviewers past reroute_after_hours; none for a draft whose requests wait. */
export function overdueOnThread(app: AppSettings, draft: boolean, thread: ThreadFacts, now: Date): Overdue[] {
  if (app.reroute.afterHours <= 0 || (draft && app.skipDrafts)) return [];
  const requested = new Set(thread.requestedUsers.map(loginKey));
  return overdueReviewers({
    requests: (thread.requestTimes ?? []).filter((r) => requested.has(loginKey(r.login))),
    activity: thread.activity ?? [],
    replaced: thread.replacedByApp ?? [],
    settings: app.reroute,
    now,
  });
}

function overdueOf(input: PullRequestPlanInput): Overdue[] {
  return input.now ? overdueOnThread(input.router.config.app, input.pr.draft, input.pr.thread, input.now) : [];
}

/**
 * The overdue reviewers this decision replaces: a module they were blocked from got a new
 * reviewer, or is covered by one requested since they became overdue (an earlier delivery
 * requested the replacement but could not withdraw them).
 */
function reroutesOf(decision: RouteDecision, overdue: readonly Overdue[], input: PullRequestPlanInput): Reroute[] {
  const fresh = new Set(decision.reviewers.map(loginKey));
  const thread = input.pr.thread;
  const requested = new Set(thread.requestedUsers.map(loginKey));
  const requestedAt = new Map((thread.requestTimes ?? []).map((r) => [loginKey(r.login), r.at]));
  const settings = input.router.config.app.reroute;
  const out: Reroute[] = [];
  for (const o of overdue) {
    const modules = [
      ...new Set(decision.skipped.filter((s) => s.reason === "overdue" && loginKey(s.login) === loginKey(o.login)).map((s) => s.module)),
    ];
    const covering = [...new Set(decision.modules.filter((m) => modules.includes(m.name)).flatMap((m) => m.reviewers))];
    const by = covering.filter((r) => fresh.has(loginKey(r)));
    const already = covering.filter((r) => {
      const at = requestedAt.get(loginKey(r));
      return !fresh.has(loginKey(r)) && requested.has(loginKey(r)) && at !== undefined && requestedWhileOverdue(o, at, settings);
    });
    if (by.length + already.length > 0) {
      out.push({ ...o, modules, by: [...by, ...already], ...(already.length > 0 ? { alreadyRequested: already } : {}) });
    }
  }
  return out;
}

/** Route with the overdue reviewers replaced; those nobody can replace stay requested. */
function routeWithReroutes(input: PullRequestPlanInput): { decision: RouteDecision; reroute: Reroute[] } {
  const overdue = overdueOf(input);
  if (overdue.length === 0) return { decision: routePullRequest(input), reroute: [] };
  let decision = routePullRequest(
    input,
    overdue.map((o) => o.login),
  );
  let reroute = reroutesOf(decision, overdue, input);
  if (reroute.length < overdue.length) {
    decision = routePullRequest(
      input,
      reroute.map((r) => r.login),
    );
    reroute = reroutesOf(decision, reroute, input);
  }
  return { decision, reroute };
}

/** Add what is missing, never what a human removed; with sync_labels, remove our own that no longer apply. */
function planLabels(decision: RouteDecision, thread: ThreadFacts, router: Router): { add: string[]; remove: string[] } {
  const add = decision.labels.filter((l) => !thread.labels.has(l) && !thread.labelsRemovedByHuman.has(l));
  if (!router.config.app.syncLabels) return { add, remove: [] };
  const known = configuredLabels(router.config);
  const remove = [...thread.labelsAddedByApp].filter((l) => thread.labels.has(l) && known.has(l) && !decision.labels.includes(l));
  return { add, remove };
}

/** A draft (with skip_drafts) or a paused pull request gets no new review request: the chosen reviewers are deferred. */
function planReviews(
  decision: RouteDecision,
  pr: PullRequestFacts,
  app: AppSettings,
  paused: boolean,
): Pick<PullRequestPlan, "reviews" | "deferred"> {
  if (pr.draft && app.skipDrafts) {
    // Teams wait too, named `org/team`.
    const waiting = [...decision.reviewers, ...decision.teamReviewers];
    return { reviews: { users: [], teams: [] }, deferred: waiting.map((login) => ({ login, reason: "draft" })) };
  }
  if (paused) {
    const waiting = [...decision.reviewers, ...decision.teamReviewers];
    return { reviews: { users: [], teams: [] }, deferred: waiting.map((login) => ({ login, reason: "paused" })) };
  }
  // Teams go by slug in `team_reviewers`; route() never chooses another organisation's.
  return { reviews: { users: [...decision.reviewers], teams: decision.teamReviewers.map(teamSlug) }, deferred: [] };
}

/** The decision as the summary shows it: a deferred reviewer does not cover a module yet. */
function shownDecision(decision: RouteDecision, deferred: readonly { login: string }[]): RouteDecision {
  if (deferred.length === 0) return decision;
  const waiting = new Set(deferred.map((d) => loginKey(d.login)));
  const modules = decision.modules.map((m): ModuleDecision => ({
    ...m,
    reviewers: m.reviewers.filter((r) => !waiting.has(loginKey(r))),
    teams: m.teams.filter((t) => !waiting.has(loginKey(t))),
  }));
  return { ...decision, reviewers: [], teamReviewers: [], modules };
}

function planSummary(
  app: AppSettings,
  decision: RouteDecision,
  input: PullRequestPlanInput,
  deferred: readonly { login: string }[],
): SummaryPlan | undefined {
  if (app.summary === "none") return undefined;
  const { pr } = input;
  const unownedLabel = input.router.config.policy.unownedLabel;
  return {
    mode: app.summary,
    decision: shownDecision(decision, deferred),
    dryRun: input.dryRun,
    draftDeferred: pr.draft && app.skipDrafts,
    ...(pr.truncatedAt !== undefined ? { truncatedAt: pr.truncatedAt } : {}),
    ...(app.reroute.afterHours > 0 ? { rerouteAfterHours: app.reroute.afterHours } : {}),
    ...(unownedLabel && decision.labels.includes(unownedLabel) ? { unownedLabel } : {}),
    ...(pausedPullRequest(input) ? { pausedBy: app.skipLabel } : {}),
    ...(input.signalsUnavailable ? { signalsUnavailable: input.signalsUnavailable } : {}),
    ...(input.historyUnavailable ? { historyUnavailable: input.historyUnavailable } : {}),
    // Signals with nobody busy and no load known explain nothing (the offline CLI without --busy or
    // --load): the same summary as without them, in every door.
    ...(input.signals && (input.signals.busy.size > 0 || input.signals.openReviews.size > 0)
      ? { signals: input.signals, maxOpenReviews: input.router.config.policy.maxOpenReviews }
      : {}),
  };
}

/** Route the pull request, then decide the labels, review requests and summary. */
export function planPullRequest(input: PullRequestPlanInput): PullRequestPlan {
  const app = input.router.config.app;
  const { decision, reroute } = routeWithReroutes(input);
  const labels = planLabels(decision, input.pr.thread, input.router);
  const { reviews, deferred } = planReviews(decision, input.pr, app, pausedPullRequest(input));
  const summary = planSummary(app, decision, input, deferred);
  return {
    decision,
    dryRun: input.dryRun,
    labels,
    reviews,
    deferred,
    skipped: decision.skipped,
    candidates: decision.candidates,
    ...(reroute.length > 0 ? { reroute } : {}),
    ...(summary ? { summary } : {}),
  };
}

/** What carrying out a plan changed on GitHub. */
export interface Applied {
  labelsAdded: string[];
  labelsRemoved: string[];
  requestedUsers: string[];
  requestedTeams: string[];
}

/**
 * The input of the next plan once `applied` is done and GitHub refused `refused` (users) and
 * `refusedTeams`: the thread as it now is (the labels and requests made count as present), and
 * the refused users and teams blocked.
 */
export function afterApplying(
  input: PullRequestPlanInput,
  applied: Applied,
  refused: readonly Refusal[],
  withdrawn: readonly string[] = [],
  refusedTeams: readonly string[] = [],
): PullRequestPlanInput {
  const t = input.pr.thread;
  const labels = new Set(t.labels);
  const byApp = new Set(t.labelsAddedByApp);
  for (const l of applied.labelsAdded) {
    labels.add(l);
    byApp.add(l);
  }
  for (const l of applied.labelsRemoved) {
    labels.delete(l);
    byApp.delete(l);
  }
  const gone = new Set(withdrawn.map(loginKey));
  const thread: ThreadFacts = {
    ...t,
    labels,
    labelsAddedByApp: byApp,
    requestedUsers: [...t.requestedUsers.filter((l) => !gone.has(loginKey(l))), ...applied.requestedUsers],
    requestedTeams: [...t.requestedTeams, ...applied.requestedTeams],
    ...(withdrawn.length > 0 ? { replacedByApp: [...(t.replacedByApp ?? []), ...withdrawn] } : {}),
  };
  const teams = [...(input.refusedTeams ?? []), ...refusedTeams];
  return {
    ...input,
    pr: { ...input.pr, thread },
    refused: [...(input.refused ?? []), ...refused],
    ...(teams.length > 0 ? { refusedTeams: teams } : {}),
  };
}

/** Marks the one comment that cc's the maintainers of an issue's modules. */
export const CC_MARKER = "<!-- review-router:cc -->";

export interface IssuePlanInput {
  decision: IssueDecision;
  author: string;
  thread: Pick<ThreadFacts, "labels" | "labelsRemovedByHuman">;
  /** Whether review-router's cc comment is already on the issue. */
  ccCommentPresent: boolean;
  settings: Pick<AppSettings, "issueComment" | "needsTriageLabel">;
  dryRun: boolean;
}

export interface IssuePlan {
  decision: IssueDecision;
  dryRun: boolean;
  labels: { add: string[] };
  /** The cc comment to write, when one is due. */
  comment?: { marker: string; body: string };
}

/** The cc comment: each module with maintainers, and its maintainers but the author; none when that leaves nobody. */
function ccComment(decision: IssueDecision, author: string): string | undefined {
  const notAuthor = (l: string) => loginKey(l) !== loginKey(author);
  if (!decision.modules.some((m) => m.maintainers.some(notAuthor))) return undefined;
  const lines = decision.modules
    .filter((m) => m.maintainers.length > 0)
    .map(
      (m) =>
        `- ${m.name}: ${m.maintainers
          .filter(notAuthor)
          .map((l) => `@${l}`)
          .join(" ")} (${m.why})`,
    );
  return `${CC_MARKER}\ncc the maintainers of the modules this issue names:\n\n${lines.join("\n")}`;
}

/** Label an issue by the modules it names (never re-adding one a human removed); cc their maintainers once. */
/**
 * Whether an issue's decision leaves anything to do: a module it names, or, with needs_triage_label,
 * an issue that names none (it may get that label). The handlers read no state when it is false.
 */
export function issueHasWork(decision: IssueDecision, settings: Pick<AppSettings, "needsTriageLabel">): boolean {
  return decision.modules.length > 0 || settings.needsTriageLabel !== undefined;
}

/**
 * The needs-triage label, when it is due: the issue names no module confidently, carries no label yet
 * (a label a human put there means someone triaged it), and no human removed this one before.
 */
function needsTriage(input: IssuePlanInput): string[] {
  const label = input.settings.needsTriageLabel;
  if (label === undefined || input.decision.modules.length > 0 || input.decision.labels.length > 0) return [];
  return input.thread.labels.size === 0 && !input.thread.labelsRemovedByHuman.has(label) ? [label] : [];
}

export function planIssue(input: IssuePlanInput): IssuePlan {
  const { decision, thread } = input;
  const add = [...decision.labels.filter((l) => !thread.labels.has(l) && !thread.labelsRemovedByHuman.has(l)), ...needsTriage(input)];
  const body = input.settings.issueComment && !input.ccCommentPresent ? ccComment(decision, input.author) : undefined;
  return { decision, dryRun: input.dryRun, labels: { add }, ...(body ? { comment: { marker: CC_MARKER, body } } : {}) };
}
