// Deciding what a comment's commands do, before any of them is carried out: which lines are
// accepted, which are refused and why, whether the commenter's permission must be looked up,
// and the one reply a comment gets. Pure: the handler (src/app/comment.ts) gathers and applies.

import {
  acceptedForms,
  authorize,
  needsPermissionLevel,
  rerollTarget,
  type Command,
  type CommandContext,
  type ParsedCommand,
} from "./commands.js";
import { loginKey } from "./registry.js";

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
