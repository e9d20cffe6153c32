// Carrying plans out through the GitHub port's write verbs. Only the port is used, never Probot's
// context, so every door applies plans alike.

import {
  afterApplying,
  planPullRequest,
  type Applied,
  type IssuePlan,
  type PullRequestPlan,
  type PullRequestPlanInput,
  type Refusal,
  type Reroute,
} from "../core/plan.js";
import type { Problem } from "../core/problems.js";
import { httpStatus } from "../core/util.js";
import type { Comments, SummaryWrite, ThreadWrites } from "./port.js";
import { renderSummary, type Summary } from "./summary.js";
import { createOnce, keepOldestComment, writeSummary, type SummaryPort } from "./summary-writer.js";

/** Review requests are made in at most this many rounds per delivery: the plan, then one re-plan after refusals. */
export const REQUEST_ROUNDS = 2;

export interface RequestOutcome {
  users: string[];
  teams: string[];
  /** Users GitHub refused to request (not collaborators). */
  refused: Refusal[];
  /** Teams GitHub refused to request. */
  refusedTeams: string[];
}

/**
 * Request reviews. GitHub refuses the whole request (422) if any one user or team cannot be
 * asked, so on a 422 each is requested alone to learn which; a request of one is not repeated.
 */
export async function requestReviews(
  port: ThreadWrites,
  pullNumber: number,
  request: { users: readonly string[]; teams: readonly string[] },
): Promise<RequestOutcome> {
  const outcome: RequestOutcome = { users: [], teams: [], refused: [], refusedTeams: [] };
  const count = request.users.length + request.teams.length;
  if (count === 0) return outcome;
  try {
    await port.requestReviews(pullNumber, request);
    return { ...outcome, users: [...request.users], teams: [...request.teams] };
  } catch (err) {
    if (httpStatus(err) !== 422) throw err;
  }
  /** Whether GitHub accepts `one` alone; a batch of one was already refused. */
  const acceptsAlone = async (one: { users: readonly string[]; teams: readonly string[] }): Promise<boolean> => {
    if (count === 1) return false;
    try {
      await port.requestReviews(pullNumber, one);
      return true;
    } catch (err) {
      if (httpStatus(err) !== 422) throw err;
      return false;
    }
  };
  for (const login of request.users) {
    if (await acceptsAlone({ users: [login], teams: [] })) outcome.users.push(login);
    else outcome.refused.push({ login, reason: "not a collaborator" });
  }
  for (const team of request.teams) {
    if (await acceptsAlone({ users: [], teams: [team] })) outcome.teams.push(team);
    else outcome.refusedTeams.push(team);
  }
  return outcome;
}

/** Labels first (add, then remove; a label already gone is fine), then review requests. */
export async function applyPullRequestPlan(
  port: ThreadWrites,
  pullNumber: number,
  plan: PullRequestPlan,
): Promise<Applied & { refused: Refusal[]; refusedTeams: string[]; withdrawn: string[] }> {
  const none = { labelsAdded: [], labelsRemoved: [], requestedUsers: [], requestedTeams: [], refused: [], refusedTeams: [], withdrawn: [] };
  if (plan.dryRun) return none;
  if (plan.labels.add.length > 0) await port.addLabels(pullNumber, plan.labels.add);
  for (const name of plan.labels.remove) {
    try {
      await port.removeLabel(pullNumber, name);
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  }
  const requested = await requestReviews(port, pullNumber, plan.reviews);
  // An overdue reviewer's request is withdrawn only once a replacement was requested: now, or by
  // an earlier delivery that could not withdraw it (this completes that delivery's work).
  const asked = new Set(requested.users.map((u) => u.toLowerCase()));
  const replaced = (r: Reroute) => (r.alreadyRequested ?? []).length > 0 || r.by.some((b) => asked.has(b.toLowerCase()));
  const withdrawn = (plan.reroute ?? []).filter(replaced).map((r) => r.login);
  if (withdrawn.length > 0) await port.removeReviewRequests(pullNumber, { users: withdrawn, teams: [] });
  return {
    withdrawn,
    labelsAdded: [...plan.labels.add],
    labelsRemoved: [...plan.labels.remove],
    requestedUsers: requested.users,
    requestedTeams: requested.teams,
    refused: requested.refused,
    refusedTeams: requested.refusedTeams,
  };
}

export interface PullRequestRun {
  /** The last plan made: the one the summary shows. */
  plan: PullRequestPlan;
  /** Every plan made, in order (more than one when GitHub refused review requests). */
  plans: PullRequestPlan[];
  /** Everything this delivery changed on GitHub. */
  applied: Applied;
  refused: Refusal[];
  refusedTeams: string[];
  /** Overdue reviewers whose request was withdrawn (replaced). */
  withdrawn: string[];
}

/**
 * Plan, apply, and when GitHub refuses review requests plan again with those users and teams blocked, in
 * at most REQUEST_ROUNDS rounds of requests. `onRefused` hears of each refusal (for the log);
 * `first` is the plan already made from `input`, when the caller decided on it before applying.
 */
export async function planAndApplyPullRequest(
  port: ThreadWrites,
  input: PullRequestPlanInput,
  onRefused: (refused: Refusal[], refusedTeams: string[]) => void = () => {},
  first: PullRequestPlan = planPullRequest(input),
): Promise<PullRequestRun> {
  const applied: Applied = { labelsAdded: [], labelsRemoved: [], requestedUsers: [], requestedTeams: [] };
  const refused: Refusal[] = [];
  const refusedTeams: string[] = [];
  const withdrawn: string[] = [];
  let plan = first;
  const plans = [plan];
  for (let round = 0; round < REQUEST_ROUNDS; round++) {
    const done = await applyPullRequestPlan(port, input.pr.number, plan);
    applied.labelsAdded.push(...done.labelsAdded);
    applied.labelsRemoved.push(...done.labelsRemoved);
    applied.requestedUsers.push(...done.requestedUsers);
    applied.requestedTeams.push(...done.requestedTeams);
    refusedTeams.push(...done.refusedTeams);
    withdrawn.push(...done.withdrawn);
    if (done.refused.length === 0 && done.refusedTeams.length === 0) break;
    refused.push(...done.refused);
    onRefused(done.refused, done.refusedTeams);
    input = afterApplying(input, done, done.refused, done.withdrawn, done.refusedTeams);
    plan = planPullRequest(input);
    plans.push(plan);
  }
  return { plan, plans, applied, refused, refusedTeams, withdrawn };
}

/** Write the summary a plan describes, if any. */
export async function writePlannedSummary(
  port: SummaryPort,
  pr: { number: number; headSha: string },
  plan: PullRequestPlan,
  configSource: string,
  seen: Pick<SummaryWrite, "appComments" | "checkRuns">,
  extra: { warnings?: readonly Problem[] } = {},
): Promise<void> {
  const s = plan.summary;
  if (!s) return;
  const summary = plannedSummary(plan, configSource, extra)!;
  await writeSummary(port, pr.number, pr.headSha, { mode: s.mode, summary, conclusion: "neutral", ...seen });
}

/** The summary text a plan leads to: what writePlannedSummary writes, and what the online CLI prints. */
export function plannedSummary(
  plan: PullRequestPlan,
  configSource: string,
  extra: { warnings?: readonly Problem[] } = {},
): Summary | undefined {
  const s = plan.summary;
  if (!s) return undefined;
  return renderSummary({
    decision: s.decision,
    dryRun: s.dryRun,
    draftDeferred: s.draftDeferred,
    configSource,
    ...(s.truncatedAt !== undefined ? { truncatedAt: s.truncatedAt } : {}),
    ...(s.rerouteAfterHours !== undefined ? { rerouteAfterHours: s.rerouteAfterHours } : {}),
    ...(s.unownedLabel !== undefined ? { unownedLabel: s.unownedLabel } : {}),
    ...(extra.warnings && extra.warnings.length > 0 ? { warnings: extra.warnings } : {}),
    ...(s.pausedBy !== undefined ? { pausedBy: s.pausedBy } : {}),
    ...(s.signalsUnavailable !== undefined ? { signalsUnavailable: s.signalsUnavailable } : {}),
    ...(s.historyUnavailable !== undefined ? { historyUnavailable: s.historyUnavailable } : {}),
    ...(s.signals ? { signals: s.signals } : {}),
    ...(s.maxOpenReviews !== undefined ? { maxOpenReviews: s.maxOpenReviews } : {}),
  });
}

/** Add the issue's labels, then write the cc comment once (a lost answer is checked before writing again). */
export async function applyIssuePlan(
  port: ThreadWrites & Comments,
  issueNumber: number,
  plan: IssuePlan,
): Promise<{ labelsAdded: string[]; commented: boolean }> {
  if (plan.dryRun) return { labelsAdded: [], commented: false };
  if (plan.labels.add.length > 0) await port.addLabels(issueNumber, plan.labels.add);
  const comment = plan.comment;
  if (comment) {
    const created = await createOnce(
      () => port.createComment(issueNumber, comment.body),
      async () => (await port.listComments(issueNumber)).some((c) => c.body.includes(comment.marker)),
    );
    // Another replica may have cc'd at the same moment: only the oldest comment stays.
    if (created) await keepOldestComment(port, issueNumber, comment.marker, created.id, comment.body);
  }
  return { labelsAdded: [...plan.labels.add], commented: comment !== undefined };
}
