// Commands on a pull request: `/route`, `/route explain`, `/route reroll [@login]`, `/route skip`,
// `/route resume` (the prefix is configurable). Pure: parsing a comment and deciding who may run a
// command; what each one does is planned in command-plan.ts. The runner gathers the state (comment,
// permission level, requested reviewers, earlier rerolls from the timeline, labels) and applies.

import { isValidLogin, loginKey } from "./registry.js";

export type Command = { kind: "route" } | { kind: "explain" } | { kind: "reroll"; login?: string } | { kind: "skip" } | { kind: "resume" };

export interface ParsedCommand {
  /** 1-based line of the comment the command is on. */
  line: number;
  /** The command line as written (trimmed). */
  text: string;
  command?: Command;
  /** Why the line is not a valid command; reply with it and `acceptedForms`. */
  error?: string;
}

/** A comment acts on at most this many command lines; later ones are ignored. */
export const MAX_COMMANDS_PER_COMMENT = 5;

/** The accepted forms, one per line, for a reply to a malformed or refused command. */
export function acceptedForms(prefix: string): string {
  return [
    `- \`${prefix}\`: route again now (request reviewers where a module lacks one)`,
    `- \`${prefix} explain\`: reply with the routing explanation`,
    `- \`${prefix} reroll [@login]\`: withdraw @login's review request (default: yours) and ask another maintainer of the module`,
    `- \`${prefix} skip\`: stop automatic review requests on this pull request (labels still apply)`,
    `- \`${prefix} resume\`: resume automatic review requests`,
  ].join("\n");
}

/**
 * The one short reply to a malformed or refused command: the command as written (in a code span,
 * so a quoted @login pings nobody), why, and the accepted forms.
 */
export function refusalReply(prefix: string, commandText: string, reason: string): string {
  const quoted = commandText.replace(/[`\r\n]/g, "").slice(0, 100);
  return `\`${quoted}\`: ${reason.replace(/\.$/, "")}.\n\nAccepted forms:\n${acceptedForms(prefix)}\n`;
}

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE_RE = /^ {0,3}>/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The command lines of a comment body: lines starting with `prefix` (after at most three
 * spaces) and followed by a space or the end, outside fenced code blocks, quotes and HTML
 * comments. One pass over the lines: linear in the body's length.
 */
export function parseCommands(body: string, prefix: string): ParsedCommand[] {
  const commandRe = new RegExp(`^ {0,3}${escapeRegExp(prefix)}(?:[ \\t]+(.*))?$`);
  const out: ParsedCommand[] = [];
  let fence: { char: string; length: number } | undefined;
  let inHtmlComment = false;
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length && out.length < MAX_COMMANDS_PER_COMMENT; i++) {
    const line = lines[i]!;
    const f = FENCE_RE.exec(line);
    if (fence) {
      // A closing fence: the same character, at least as long, nothing after but spaces.
      if (f && f[1]![0] === fence.char && f[1]!.length >= fence.length && line.slice(f[0].length).trim() === "") fence = undefined;
      continue;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      continue;
    }
    if (f) {
      fence = { char: f[1]![0]!, length: f[1]!.length };
      continue;
    }
    if (QUOTE_RE.test(line)) continue;
    const open = line.lastIndexOf("<!--");
    if (open >= 0 && !line.includes("-->", open + 4)) {
      inHtmlComment = true;
      if (!line.slice(0, open).trim()) continue;
    }
    const m = commandRe.exec(line.trimEnd());
    if (!m) continue;
    out.push({ line: i + 1, text: line.trim(), ...parseArgs(prefix, (m[1] ?? "").trim()) });
  }
  return out;
}

function parseArgs(prefix: string, rest: string): { command: Command } | { error: string } {
  const args = rest === "" ? [] : rest.split(/\s+/);
  const sub = args[0]?.toLowerCase();
  if (sub === undefined) return { command: { kind: "route" } };
  if (sub === "explain" || sub === "skip" || sub === "resume") {
    if (args.length > 1) return { error: `\`${prefix} ${sub}\` takes no argument` };
    return { command: { kind: sub } };
  }
  if (sub === "reroll") {
    if (args.length > 2) return { error: `\`${prefix} reroll\` takes at most one @login` };
    if (args.length === 1) return { command: { kind: "reroll" } };
    const login = args[1]!.replace(/^@/, "");
    if (!isValidLogin(login)) return { error: `"${args[1]!.slice(0, 60)}" is not a GitHub login` };
    return { command: { kind: "reroll", login } };
  }
  return { error: `unknown subcommand "${args[0]!.slice(0, 40)}"` };
}

/** Permission levels GitHub reports for a collaborator (`role_name`, or the older `permission`). */
export type PermissionLevel = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const WRITERS = new Set(["admin", "maintain", "write"]);

export interface CommandContext {
  /** Author of the pull request. */
  author: string;
  /** Users whose review is requested on the pull request now. */
  requestedReviewers: readonly string[];
}

export type Permission = { allowed: true; as: "author" | "reviewer" | "writer" } | { allowed: false; reason: string };

/** Whom `/route reroll` withdraws: the named login, else the commenter. */
export function rerollTarget(command: Extract<Command, { kind: "reroll" }>, actor: string): string {
  return command.login ?? actor;
}

/** Allowed without asking GitHub for the actor's permission: the author, or a requested reviewer rerolling themselves. */
function allowedByRole(command: Command, actor: string, ctx: CommandContext): Permission | undefined {
  const key = loginKey(actor);
  if (key === loginKey(ctx.author)) return { allowed: true, as: "author" };
  if (
    command.kind === "reroll" &&
    loginKey(rerollTarget(command, actor)) === key &&
    ctx.requestedReviewers.some((r) => loginKey(r) === key)
  ) {
    return { allowed: true, as: "reviewer" };
  }
  return undefined;
}

/** Whether the handler must look up the actor's permission level before `authorize`. */
export function needsPermissionLevel(command: Command, actor: string, ctx: CommandContext): boolean {
  return allowedByRole(command, actor, ctx) === undefined;
}

/**
 * Who may run a command: the pull request's author, a requested reviewer about themselves
 * (`reroll` without a login, or with their own), and anyone with write, maintain or admin
 * permission on the repository. `permission` is the actor's level (undefined: not looked up).
 */
export function authorize(command: Command, actor: string, ctx: CommandContext, permission?: string): Permission {
  const byRole = allowedByRole(command, actor, ctx);
  if (byRole) return byRole;
  if (permission !== undefined && WRITERS.has(permission)) return { allowed: true, as: "writer" };
  const what = command.kind === "reroll" ? "reroll someone else's review request" : `run \`${command.kind}\``;
  return {
    allowed: false,
    reason: `@${actor} may not ${what} here: only the author, a requested reviewer about themselves, and people with write access may`,
  };
}

/** The `blocked` entries for logins withdrawn by rerolls: every later routing of the pull request passes them too. */
export function rerolledBlocked(rerolled: readonly string[]): { login: string; reason: "withdrawn" }[] {
  return rerolled.map((login) => ({ login, reason: "withdrawn" as const }));
}

/** Whether automatic review requests are stopped on a pull request (`/route skip` put the label). */
export function reviewsPaused(labels: readonly string[], skipLabel: string): boolean {
  return labels.some((l) => l.toLowerCase() === skipLabel.toLowerCase());
}

/** The label change for `/route skip` or `/route resume`; nothing when the pull request is already so. */
export function skipLabelChange(kind: "skip" | "resume", labels: readonly string[], skipLabel: string): { add?: string; remove?: string } {
  const paused = reviewsPaused(labels, skipLabel);
  if (kind === "skip") return paused ? {} : { add: skipLabel };
  const present = labels.find((l) => l.toLowerCase() === skipLabel.toLowerCase());
  return present ? { remove: present } : {};
}
