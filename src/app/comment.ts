// The issue_comment handler: commands on a pull request (`/route`, `/route explain`,
// `/route reroll [@login]`, `/route skip`, `/route resume`; the prefix is configurable). Steps:
// screen the comment, parse, gather the pull request, authorize (the commenter's permission is
// looked up only when their role does not settle it), claim, act, answer.
//
// Redelivery never acts twice: before acting, review-router puts its +1 reaction on the comment.
// GitHub answers 201 when it creates the reaction and 200 when this app's reaction is already
// there, so the reaction is the record that the comment was acted on; with 200 nothing is done.
// If acting fails, the reaction is taken back so that a redelivery can try again. Refusals are
// answered once: the reply carries a marker naming the comment, found in the timeline. A reroll
// whose target review-router already withdrew (the timeline says so) counts as done: the
// commenter is no longer a requested reviewer, and without this their redelivered reroll of
// themselves would be refused rather than recognised.

import type { Context } from "probot";
import { planReroll, parseCommands, rerollTarget, skipLabelChange, type Command } from "../core/commands.js";
import {
  decideCommands,
  explainMarker,
  explainReply,
  permissionNeeded,
  refusalsReply,
  replyMarker,
  writtenByBot,
} from "../core/command-plan.js";
import { planPullRequest, pullRequestRouteInput, type PullRequestFacts, type PullRequestPlanInput } from "../core/plan.js";
import { loginKey } from "../core/registry.js";
import type { ChangedFile } from "../core/route.js";
import { noteOutcome } from "./metrics.js";
import { createOnce } from "./summary-writer.js";
import { GITHUB_FILE_LIMIT, type ThreadState } from "./github-state.js";
import { octokitPort, type GitHubPort, type PullRequestInfo } from "./port.js";
import { routeGathered, type AppDeps } from "./pull-request.js";
import type { RepoConfigResult } from "./repo-config.js";
import { renderSummary } from "./summary.js";
import { openThread, type OpenThread } from "./thread.js";

export const COMMENT_EVENTS = ["issue_comment.created"] as const;
export type CommentContext = Context<(typeof COMMENT_EVENTS)[number]>;
type Loaded = Extract<RepoConfigResult, { kind: "ok" }>;

/** What acting on a comment needs: the thread, the port, the pull request as it is now. */
interface Acting {
  port: GitHubPort;
  open: OpenThread;
  loaded: Loaded;
  deps: AppDeps;
  pr: PullRequestInfo;
  thread: ThreadState;
  /** The changed files, read with the thread. */
  files: { files: ChangedFile[]; truncatedAt?: number };
  commentId: number;
  actor: string;
  now: Date;
}

export async function handleComment(context: CommentContext, deps: AppDeps): Promise<void> {
  const { comment, issue } = context.payload;
  // Step 1, screen: pull requests only; never a bot's or review-router's own comment.
  if (!issue.pull_request || writtenByBot(comment, deps.appId)) {
    noteOutcome("skipped");
    return;
  }
  const open = await openThread(context, deps.bundled, { kind: "pr", number: issue.number, state: issue.state ?? "open" });
  if (!open) return;
  const { loaded, log } = open;
  if (loaded.kind === "error") {
    log.error({ problems: loaded.problems }, `configuration ${loaded.file} is invalid; commands not acted on`);
    return;
  }
  // Step 2, parse with the repository's prefix: a comment without a command costs nothing more.
  const prefix = loaded.config.app.commandPrefix;
  const parsed = parseCommands(comment.body ?? "", prefix);
  if (parsed.length === 0) {
    noteOutcome("skipped");
    return;
  }
  // Step 3, gather: the pull request now, its files and state (requests, rerolls, review-router's replies).
  const port = octokitPort(context.octokit, open.ref, deps.appId);
  const pr = await port.getPullRequest(issue.number);
  const { thread, files, truncatedAt, graphqlFailed } = await port.readPullRequest({
    number: pr.number,
    headSha: pr.headSha,
    changedFiles: pr.changedFiles ?? GITHUB_FILE_LIMIT,
    thread: pr.thread,
    // Not read: one comment may route more than once, so the writer looks the run up each time.
    withCheckRuns: false,
  });
  if (graphqlFailed !== undefined) log.warn({ reason: graphqlFailed }, "the GraphQL read failed; read the pull request by REST");
  // Step 4, authorize: the commenter's permission is read only when their role does not decide it.
  const actor = comment.user?.login ?? "";
  const ctx = { author: pr.author, requestedReviewers: thread.requestedUsers };
  const withdrawn = thread.requestRemovedByApp;
  const permission = permissionNeeded(parsed, actor, ctx, withdrawn) ? await port.permissionLevel(actor) : undefined;
  const { accepted, refused, done } = decideCommands(parsed, actor, ctx, permission, withdrawn);
  const seen = { actor, accepted: accepted.map((a) => a.text), refused, done: done.map((d) => d.text), permission };
  log.info(seen, "commands on pull request");
  // Step 5, claim and act.
  const read = { files, ...(truncatedAt ? { truncatedAt } : {}) };
  const acting: Acting = { port, open, loaded, deps, pr, thread, files: read, commentId: comment.id, actor, now: new Date() };
  if (accepted.length > 0)
    refused.push(
      ...(await claimAndAct(
        acting,
        accepted.map((a) => ({ text: a.text, command: a.command })),
      )),
    );
  // Step 6, answer refusals once.
  if (refused.length > 0 && !thread.appComments.some((c) => c.body.includes(replyMarker(comment.id)))) {
    const body = refusalsReply(prefix, comment.id, refused);
    const created = await createOnce(
      () => port.createComment(issue.number, body),
      async () => (await port.listComments(issue.number)).some((c) => c.body.includes(replyMarker(comment.id))),
    );
    // Two replicas handed the same delivery may both reply: only the oldest reply stays.
    if (created) await port.keepOldestComment(issue.number, replyMarker(comment.id), created.id, body);
  }
}

/** Put the +1 reaction (the record), then act; a reaction already there means a redelivery: do nothing. */
async function claimAndAct(a: Acting, accepted: { text: string; command: Command }[]): Promise<{ text: string; reason: string }[]> {
  const claim = await a.port.addReaction(a.commentId, "+1");
  if (!claim.created) {
    a.open.log.info({ comment: a.commentId }, "review-router already reacted to this comment: redelivery, not acted on again");
    return [];
  }
  const refused: { text: string; reason: string }[] = [];
  try {
    for (const { text, command } of accepted) {
      const reason = await act(a, command);
      if (reason) refused.push({ text, reason });
    }
  } catch (err) {
    // Take the record back so that a redelivery can act; the delivery still fails and is logged.
    await a.port.deleteReaction(a.commentId, claim.id).catch(() => undefined);
    throw err;
  }
  return refused;
}

/** Carry one command out; a reason when it cannot be (e.g. a reroll of someone not requested). */
async function act(a: Acting, command: Command): Promise<string | undefined> {
  switch (command.kind) {
    case "route":
      await routeNow(a, facts(a, a.thread));
      return undefined;
    case "explain":
      await explain(a);
      return undefined;
    case "reroll":
      return reroll(a, rerollTarget(command, a.actor));
    case "skip":
    case "resume":
      await skipOrResume(a, command.kind);
      return undefined;
  }
}

function dryRun(a: Acting): boolean {
  return a.loaded.config.app.dryRun || a.deps.dryRunEnv;
}

/** The pull request's facts for planning, with `thread` as the state. */
function facts(a: Acting, thread: ThreadState): PullRequestFacts {
  const { files, truncatedAt } = a.files;
  return {
    repository: `${a.port.repo.owner}/${a.port.repo.repo}`,
    number: a.pr.number,
    author: a.pr.author,
    draft: a.pr.draft,
    files,
    ...(truncatedAt ? { truncatedAt } : {}),
    thread,
  };
}

/** `/route`: route again now, topping up as on synchronize. */
async function routeNow(a: Acting, f: PullRequestFacts): Promise<void> {
  // The check run is looked up when written: one comment may route more than once.
  await routeGathered(a.port, a.open, a.loaded, a.deps, {
    facts: f,
    headSha: a.pr.headSha,
    seen: { appComments: a.thread.appComments },
    now: a.now,
  });
}

/** `/route explain`: reply with the routing explanation (the summary's text), once per comment. */
async function explain(a: Acting): Promise<void> {
  if (a.thread.appComments.some((c) => c.body.includes(explainMarker(a.commentId)))) return;
  const f = facts(a, a.thread);
  const plan = planPullRequest({ router: a.loaded.router, pr: f, dryRun: dryRun(a), now: a.now });
  const s = plan.summary;
  const summary = renderSummary({
    decision: s?.decision ?? plan.decision,
    dryRun: plan.dryRun,
    draftDeferred: s?.draftDeferred ?? false,
    configSource: a.loaded.source,
    ...(s?.truncatedAt !== undefined ? { truncatedAt: s.truncatedAt } : {}),
    ...(s?.pausedBy !== undefined ? { pausedBy: s.pausedBy } : {}),
  });
  const body = explainReply(a.commentId, summary);
  const created = await a.port.createComment(a.pr.number, body);
  // The reaction settles redeliveries; two replicas racing on one delivery keep only the oldest answer.
  await a.port.keepOldestComment(a.pr.number, explainMarker(a.commentId), created.id, body);
}

/**
 * `/route reroll`: withdraw `target` and ask another eligible maintainer of the modules they
 * covered; the withdrawn person is blocked from then on (the timeline shows the app removed them).
 */
async function reroll(a: Acting, target: string): Promise<string | undefined> {
  const f = facts(a, a.thread);
  const input: PullRequestPlanInput = { router: a.loaded.router, pr: f, dryRun: dryRun(a), now: a.now };
  const key = loginKey(target);
  // The thread as it will be once the request is withdrawn: what the replacement is chosen from.
  const after: ThreadState = {
    ...a.thread,
    requestedUsers: a.thread.requestedUsers.filter((u) => loginKey(u) !== key),
    requestRemovedByApp: [...a.thread.requestRemovedByApp, target],
  };
  const routeInput = pullRequestRouteInput(input);
  const planned = planReroll(a.loaded.router, routeInput, target, a.thread.requestRemovedByApp);
  if (!planned.ok) return planned.reason;
  if (!input.dryRun) await a.port.removeReviewRequests(a.pr.number, { users: [planned.withdraw], teams: [] });
  await routeNow(a, { ...f, thread: after });
  return undefined;
}

/** `/route skip` / `/route resume`: put or take off the skip label; resuming routes again at once. */
async function skipOrResume(a: Acting, kind: "skip" | "resume"): Promise<void> {
  const skipLabel = a.loaded.config.app.skipLabel;
  const change = skipLabelChange(kind, [...a.thread.labels], skipLabel);
  if (dryRun(a)) return;
  if (change.add) await a.port.addLabels(a.pr.number, [change.add]);
  if (change.remove) await a.port.removeLabel(a.pr.number, change.remove);
  if (kind === "resume") {
    const labels = new Set([...a.thread.labels].filter((l) => l.toLowerCase() !== skipLabel.toLowerCase()));
    await routeNow(a, facts(a, { ...a.thread, labels }));
  }
}
