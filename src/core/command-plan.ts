// Deciding what a comment's commands do, before any of them is carried out: which lines are
// accepted, which are refused and why, whether the commenter's permission must be looked up,
// and the one reply a comment gets. Pure: the handler (src/app/comment.ts) gathers and applies.

import { acceptedForms, authorize, needsPermissionLevel, type Command, type CommandContext, type ParsedCommand } from "./commands.js";

/** Marks review-router's reply to one comment's commands, so a redelivered comment is not answered twice. */
export function replyMarker(commentId: number): string {
  return `<!-- review-router:reply ${commentId} -->`;
}

/** Marks the `/route explain` answer to one comment. */
export function explainMarker(commentId: number): string {
  return `<!-- review-router:explain ${commentId} -->`;
}

/** Whether a comment was written by review-router itself or by any bot: such comments never run commands. */
export function writtenByBot(comment: { user?: { type?: string } | null; performed_via_github_app?: { id?: number } | null }, appId?: number): boolean {
  if (comment.user?.type === "Bot") return true;
  return appId !== undefined && comment.performed_via_github_app?.id === appId;
}

/** Whether any parsed command needs the commenter's permission level from GitHub to be decided. */
export function permissionNeeded(parsed: readonly ParsedCommand[], actor: string, ctx: CommandContext): boolean {
  return parsed.some((p) => p.command !== undefined && needsPermissionLevel(p.command, actor, ctx));
}

export interface CommandDecisions {
  accepted: { text: string; command: Command }[];
  refused: { text: string; reason: string }[];
}

/** Sort a comment's command lines into accepted and refused (malformed, or not allowed for `actor`). */
export function decideCommands(parsed: readonly ParsedCommand[], actor: string, ctx: CommandContext, permission?: string): CommandDecisions {
  const out: CommandDecisions = { accepted: [], refused: [] };
  for (const p of parsed) {
    if (!p.command) {
      out.refused.push({ text: p.text, reason: p.error ?? "not a command" });
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
