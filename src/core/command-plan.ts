// Deciding what a comment's commands do, before any of them is carried out: which lines are
// accepted, which are refused and why, whether the commenter's permission must be looked up,
// what each accepted command does (commandAction), and the one reply a comment gets. Pure: the
// runner (src/app/comment.ts) gathers, plans, acknowledges, then applies.

import {
  acceptedForms,
  authorize,
  needsPermissionLevel,
  rerollTarget,
  skipLabelChange,
  type Command,
  type CommandContext,
  type ParsedCommand,
} from "./commands.js";
import type { ThreadFacts } from "./plan.js";
import { loginKey } from "./registry.js";
import type { RouteDecision } from "./route.js";

/** Marks review-router's reply to one comment's commands, so a redelivered comment is not answered twice. */
export function replyMarker(commentId: number): string {
  return `<!-- review-router:reply ${commentId} -->`;
}

/** Marks the `/route explain` answer to one comment. */
export function explainMarker(commentId: number): string {
  return `<!-- review-router:explain ${commentId} -->`;
}

/** Whether a comment was written by review-router itself or by any bot: such comments never run commands. */
export function writtenByBot(
  comment: { user?: { type?: string } | null; performed_via_github_app?: { id?: number } | null },
  appId?: number,
): boolean {
  if (comment.user?.type === "Bot") return true;
  return appId !== undefined && comment.performed_via_github_app?.id === appId;
}

/** Whether any parsed command needs the commenter's permission level from GitHub to be decided. */
export function permissionNeeded(
  parsed: readonly ParsedCommand[],
  actor: string,
  ctx: CommandContext,
  withdrawnByApp: readonly string[] = [],
): boolean {
  return parsed.some(
    (p) => p.command !== undefined && !rerollDone(p.command, actor, ctx, withdrawnByApp) && needsPermissionLevel(p.command, actor, ctx),
  );
}

export interface CommandDecisions {
  accepted: { text: string; command: Command }[];
  refused: { text: string; reason: string }[];
  /** Rerolls already carried out (the target withdrawn by review-router, not requested since): a redelivery, nothing to do. */
  done: { text: string }[];
}

/** Whether a reroll of `target` was already done: review-router withdrew them and nobody requested them since. */
function rerollDone(command: Command, actor: string, ctx: CommandContext, withdrawnByApp: readonly string[]): boolean {
  if (command.kind !== "reroll") return false;
  const key = loginKey(rerollTarget(command, actor));
  return withdrawnByApp.some((l) => loginKey(l) === key) && !ctx.requestedReviewers.some((r) => loginKey(r) === key);
}

/**
 * Sort a comment's command lines into accepted, refused (malformed, or not allowed for `actor`),
 * and done (a reroll whose target review-router already withdrew: the comment was acted on).
 */
export function decideCommands(
  parsed: readonly ParsedCommand[],
  actor: string,
  ctx: CommandContext,
  permission?: string,
  withdrawnByApp: readonly string[] = [],
): CommandDecisions {
  const out: CommandDecisions = { accepted: [], refused: [], done: [] };
  for (const p of parsed) {
    if (!p.command) {
      out.refused.push({ text: p.text, reason: p.error ?? "not a command" });
      continue;
    }
    if (rerollDone(p.command, actor, ctx, withdrawnByApp)) {
      out.done.push({ text: p.text });
      continue;
    }
    const allowed = authorize(p.command, actor, ctx, permission);
    if (allowed.allowed) out.accepted.push({ text: p.text, command: p.command });
    else out.refused.push({ text: p.text, reason: allowed.reason });
  }
  return out;
}

/** The one reply to a comment's refused commands: each line as written (in a code span: no pings) and why, then the accepted forms. */
export function refusalsReply(prefix: string, commentId: number, refused: readonly { text: string; reason: string }[]): string {
  const lines = refused.map((r) => `\`${r.text.replace(/[`\r\n]/g, "").slice(0, 100)}\`: ${r.reason.replace(/\.$/, "")}.`);
  return `${replyMarker(commentId)}\n${lines.join("\n")}\n\nAccepted forms:\n${acceptedForms(prefix)}\n`;
}

/** The `/route explain` answer: the summary's text under a heading. */
export function explainReply(commentId: number, summary: { title: string; body: string }): string {
  return `${explainMarker(commentId)}\n### review-router: ${summary.title}\n\n${summary.body}`;
}

/**
 * What an accepted command does, as data: route with a thread (a reroll's is the thread once the
 * request is withdrawn; a resume's, once the skip label is off), or reply with the explanation.
 */
export type CommandAction =
  | { kind: "route"; thread: ThreadFacts }
  | { kind: "explain" }
  | { kind: "reroll"; withdraw: string; thread: ThreadFacts }
  | { kind: "label"; add?: string; remove?: string; routeWith?: ThreadFacts };

/**
 * Plan one command over the pull request's thread. A command kind without a case here fails to
 * compile (the `never` below), so a new subcommand cannot be parsed and then silently ignored.
 */
export function commandAction(
  command: Command,
  actor: string,
  thread: ThreadFacts,
  skipLabel: string,
): { action: CommandAction } | { refused: string } {
  switch (command.kind) {
    case "route":
      return { action: { kind: "route", thread } };
    case "explain":
      return { action: { kind: "explain" } };
    case "reroll": {
      const target = rerollTarget(command, actor);
      const key = loginKey(target);
      const withdraw = thread.requestedUsers.find((r) => loginKey(r) === key);
      if (!withdraw) return { refused: `@${target} is not a requested reviewer of this pull request` };
      // The replacement is chosen from the thread as it will be once the request is withdrawn.
      const after: ThreadFacts = {
        ...thread,
        requestedUsers: thread.requestedUsers.filter((u) => loginKey(u) !== key),
        requestRemovedByApp: [...(thread.requestRemovedByApp ?? []), withdraw],
      };
      return { action: { kind: "reroll", withdraw, thread: after } };
    }
    case "skip":
      return { action: { kind: "label", ...skipLabelChange("skip", [...thread.labels], skipLabel) } };
    case "resume": {
      const labels = new Set([...thread.labels].filter((l) => l.toLowerCase() !== skipLabel.toLowerCase()));
      return { action: { kind: "label", ...skipLabelChange("resume", [...thread.labels], skipLabel), routeWith: { ...thread, labels } } };
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * Why a reroll of `withdrawn` cannot be done, judged on the routing of the thread after the
 * withdrawal (where they are blocked as "withdrawn" in each module they maintain): none of the
 * touched modules is theirs, so there is no one to ask instead. Undefined: the reroll stands.
 */
export function rerollRefusal(after: RouteDecision, withdrawn: string): string | undefined {
  const key = loginKey(withdrawn);
  if (after.skipped.some((s) => s.reason === "withdrawn" && loginKey(s.login) === key)) return undefined;
  return `@${withdrawn} is not a maintainer of a module this pull request touches, so review-router has no one to ask instead`;
}
