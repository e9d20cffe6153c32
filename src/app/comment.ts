// Commands on a pull request (`/route`, `/route explain`, `/route reroll [@login]`, `/route skip`,
// `/route resume`; the prefix is configurable), the same in every door that receives comments (the
// app and the Action). Steps: screen the comment, parse, gather the pull request, authorize (the
// commenter's permission is looked up only when their role does not settle it), plan every
// accepted command (pure: src/core/command-plan.ts, then the routing it leads to), and only then
// acknowledge and apply; refusals are answered once.
//
// Redelivery never acts twice: before applying, review-router puts its +1 reaction on the comment.
// GitHub answers 201 when it creates the reaction and 200 when this app's reaction is already
// there, so the reaction is the record that the comment was acted on; with 200 nothing is done.
// If applying fails, the reaction is taken back so that a redelivery can try again. A command
// refused in planning (a reroll of someone not requested) gets no reaction: decide, then
// acknowledge. Refusals are answered once: the reply carries a marker naming the comment, found in
// the timeline. A reroll whose target review-router already withdrew (the timeline says so) counts
// as done: the commenter is no longer a requested reviewer, and without this their redelivered
// reroll of themselves would be refused rather than recognised.

import { BudgetExceeded } from "../core/budget.js";
import {
  commandAction,
  decideCommands,
  explainMarker,
  explainReply,
  permissionNeeded,
  refusalsReply,
  replyMarker,
  rerollRefusal,
  type CommandAction,
} from "../core/command-plan.js";
import { parseCommands } from "../core/commands.js";
import type { PullRequestFacts, PullRequestPlan, PullRequestPlanInput } from "../core/plan.js";
import { plannedSummary } from "./apply.js";
import type { RouterEvent } from "./events.js";
import { GITHUB_FILE_LIMIT } from "./github-state.js";
import type { GitHubPort } from "./port.js";
import type { RepoConfigResult } from "./repo-config.js";
import { configFor, planGathered, routeGathered, type GatheredPullRequest, type PullRequestOutcome, type RunOptions } from "./run.js";
import { renderSummary, type Summary } from "./summary.js";
import { budgetSummary, createOnce, keepOldestComment } from "./summary-writer.js";

type Loaded = Extract<RepoConfigResult, { kind: "ok" }>;
type Planned = { input: PullRequestPlanInput; plan: PullRequestPlan } | BudgetExceeded;

export type CommentOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "config-error"; file: string; loaded: Extract<RepoConfigResult, { kind: "error" }> }
  | {
      kind: "commands";
      /** Command lines carried out (or, on a redelivery, already carried out). */
      accepted: string[];
      refused: { text: string; reason: string }[];
      /** Rerolls found already done: a redelivery. */
      done: string[];
      /** The +1 was already there: the comment had been acted on, nothing was done again. */
      redelivery: boolean;
      /** What each routing command led to. */
      routed: PullRequestOutcome[];
    };

/** An accepted command, planned: its action, and the plan of the routing it leads to. */
interface Step {
  text: string;
  action: CommandAction;
  planned?: Planned;
}

/** Handle a comment's commands: decide everything, then acknowledge, then apply. */
export async function runComment(
  port: GitHubPort,
  event: Extract<RouterEvent, { kind: "comment" }>,
  options: RunOptions,
): Promise<CommentOutcome> {
  const log = options.log;
  // Screen: pull requests only; never a bot's or review-router's own comment.
  if (!event.onPullRequest) return { kind: "skipped", reason: "a comment on an issue: commands act on pull requests" };
  if (event.comment.byBot) return { kind: "skipped", reason: "a comment by a bot or by review-router: never a command" };
  const config = await configFor(port, { what: `pull request #${event.number}`, state: event.state }, options);
  if (config.kind === "skipped") return config;
  if (config.kind === "error") return { kind: "config-error", file: config.file, loaded: config };
  // Parse with the repository's prefix: a comment without a command costs nothing more.
  const prefix = config.config.app.commandPrefix;
  const parsed = parseCommands(event.comment.body, prefix);
  if (parsed.length === 0) return { kind: "skipped", reason: "no command in the comment" };
  // Gather: the pull request now, its files and state (requests, rerolls, review-router's replies).
  const pr = await port.getPullRequest(event.number);
  const read = await port.readPullRequest({
    number: pr.number,
    headSha: pr.headSha,
    changedFiles: pr.changedFiles ?? GITHUB_FILE_LIMIT,
    thread: pr.thread,
    // Not read: one comment may route more than once, so the writer looks the run up each time.
    withCheckRuns: false,
  });
  if (read.graphqlFailed !== undefined) log?.warn({ reason: read.graphqlFailed }, "the GraphQL read failed; read the pull request by REST");
  const { thread } = read;
  // Authorize: the commenter's permission is read only when their role does not decide it.
  const actor = event.comment.author;
  const ctx = { author: pr.author, requestedReviewers: thread.requestedUsers };
  const withdrawn = thread.requestRemovedByApp;
  const permission = permissionNeeded(parsed, actor, ctx, withdrawn) ? await port.permissionLevel(actor) : undefined;
  const { accepted, refused, done } = decideCommands(parsed, actor, ctx, permission, withdrawn);
  log?.info(
    { actor, accepted: accepted.map((a) => a.text), refused, done: done.map((d) => d.text), permission },
    "commands on pull request",
  );
  const g: GatheredPullRequest = {
    facts: {
      repository: `${port.repo.owner}/${port.repo.repo}`,
      number: pr.number,
      author: pr.author,
      draft: pr.draft,
      files: read.files,
      ...(read.truncatedAt ? { truncatedAt: read.truncatedAt } : {}),
      thread,
    },
    headSha: pr.headSha,
    // The check run is looked up when written: one comment may route more than once.
    seen: { appComments: thread.appComments },
  };
  // Plan every accepted command before anything is written; a command refused here is not acknowledged.
  const steps: Step[] = [];
  for (const a of accepted) {
    const planned = commandAction(a.command, actor, g.facts.thread, config.config.app.skipLabel);
    if ("refused" in planned) {
      refused.push({ text: a.text, reason: planned.refused });
      continue;
    }
    const step = await planStep(port, config, g, { text: a.text, action: planned.action }, options);
    if (typeof step === "string") refused.push({ text: a.text, reason: step });
    else steps.push(step);
  }
  let redelivery = false;
  const routed: PullRequestOutcome[] = [];
  if (steps.length > 0 && options.apply) {
    const claim = await port.addReaction(event.comment.id, "+1");
    if (!claim.created) {
      log?.info({ comment: event.comment.id }, "review-router already reacted to this comment: redelivery, not acted on again");
      redelivery = true;
    } else {
      try {
        for (const step of steps) {
          const outcome = await applyStep(port, config, g, step, event.comment.id, options);
          if (outcome) routed.push(outcome);
        }
      } catch (err) {
        // Take the record back so that a redelivery can act; the event still fails and is logged.
        await port.deleteReaction(event.comment.id, claim.id).catch(() => undefined);
        throw err;
      }
    }
  }
  // Answer refusals once.
  if (options.apply && refused.length > 0 && !thread.appComments.some((c) => c.body.includes(replyMarker(event.comment.id)))) {
    const body = refusalsReply(prefix, event.comment.id, refused);
    const created = await createOnce(
      () => port.createComment(event.number, body),
      async () => (await port.listComments(event.number)).some((c) => c.mine && c.body.includes(replyMarker(event.comment.id))),
    );
    // Two replicas handed the same delivery may both reply: only the oldest reply stays.
    if (created) await keepOldestComment(port, event.number, replyMarker(event.comment.id), created.id, body);
  }
  return { kind: "commands", accepted: steps.map((s) => s.text), refused, done: done.map((d) => d.text), redelivery, routed };
}

/** The plan of routing `facts`, or the budget overrun that stopped it. */
async function tryPlan(port: GitHubPort, config: Loaded, facts: PullRequestFacts, options: RunOptions): Promise<Planned> {
  try {
    return await planGathered(port, config, facts, options);
  } catch (err) {
    if (err instanceof BudgetExceeded) return err;
    throw err;
  }
}

/** Plan the routing a command leads to; a string when planning shows it cannot be done (why). */
async function planStep(port: GitHubPort, config: Loaded, g: GatheredPullRequest, step: Step, options: RunOptions): Promise<Step | string> {
  const { action } = step;
  const withThread = (thread: PullRequestFacts["thread"]) => ({ ...g.facts, thread });
  switch (action.kind) {
    case "route":
    case "explain":
      return { ...step, planned: await tryPlan(port, config, withThread(g.facts.thread), options) };
    case "reroll": {
      // One routing of the thread after the withdrawal: it chooses the replacement and shows which modules were theirs.
      const planned = await tryPlan(port, config, withThread(action.thread), options);
      const refusal = planned instanceof BudgetExceeded ? undefined : rerollRefusal(planned.plan.decision, action.withdraw);
      return refusal ?? { ...step, planned };
    }
    case "label":
      return action.routeWith ? { ...step, planned: await tryPlan(port, config, withThread(action.routeWith), options) } : step;
  }
}

/** Carry one planned command out. */
async function applyStep(
  port: GitHubPort,
  config: Loaded,
  g: GatheredPullRequest,
  step: Step,
  commentId: number,
  options: RunOptions,
): Promise<PullRequestOutcome | undefined> {
  const { action, planned } = step;
  const dryRun = config.config.app.dryRun || options.dryRunEnv;
  const route = (thread: PullRequestFacts["thread"]) =>
    routeGathered(port, port, config, { ...g, facts: { ...g.facts, thread } }, options, planned);
  switch (action.kind) {
    case "route":
      return route(action.thread);
    case "reroll":
      if (!dryRun) await port.removeReviewRequests(g.facts.number, { users: [action.withdraw], teams: [] });
      return route(action.thread);
    case "explain": {
      const marker = explainMarker(commentId);
      if (g.seen.appComments.some((c) => c.body.includes(marker))) return undefined;
      const body = explainReply(commentId, explained(planned!, config));
      const created = await port.createComment(g.facts.number, body);
      // The reaction settles redeliveries; two replicas racing on one delivery keep only the oldest answer.
      await keepOldestComment(port, g.facts.number, marker, created.id, body);
      return undefined;
    }
    case "label":
      if (dryRun) return undefined;
      if (action.add) await port.addLabels(g.facts.number, [action.add]);
      if (action.remove) await port.removeLabel(g.facts.number, action.remove);
      return action.routeWith ? route(action.routeWith) : undefined;
    default: {
      const unhandled: never = action;
      throw new Error(`unhandled command action ${JSON.stringify(unhandled)}`);
    }
  }
}

/** `/route explain`: the summary of the plan `/route` would carry out now (the same plan, signals and all). */
function explained(planned: Planned, config: Loaded): Summary {
  if (planned instanceof BudgetExceeded) return budgetSummary(planned);
  const warnings = config.problems.filter((p) => p.severity === "warning");
  const summary = plannedSummary(planned.plan, config.source, { warnings });
  if (summary) return summary;
  // `summary: none` writes no summary, but an explanation is asked for: the same decision, rendered.
  const { plan } = planned;
  return renderSummary({ decision: plan.decision, dryRun: plan.dryRun, draftDeferred: false, configSource: config.source });
}
