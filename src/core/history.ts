// Review history: who approved which merged pull request, touching which files. One record a
// merged pull request, whatever it was read from (a history file, a local checkout's commits, or
// GitHub's merged pull requests and commit messages); reviewer expertise is computed from these.
// Pure, no I/O.

import type { Problem } from "./problems.js";
import { loginKey } from "./registry.js";
import { isValidLogin } from "./schema.js";

/** One merged pull request: its number, merge date, author, changed files and approvers. */
export interface HistoryRecord {
  pr: number;
  /** ISO-8601 date of the merge (or of the commit that landed it). */
  date: string;
  author: string | null;
  files: string[];
  approvers: string[];
}

/** Accounts that approve or merge mechanically: never anyone's expertise. */
const BOT_LOGINS = new Set(["pytorchbot", "pytorchmergebot", "facebook-github-bot", "github-actions", "dependabot", "copilot"]);

/** A bot's login: `name[bot]`, or an automation account known to approve or land pull requests. */
export function isBotLogin(login: string): boolean {
  const key = loginKey(login);
  return key.endsWith("[bot]") || BOT_LOGINS.has(key);
}

/** A token from an approver list as a login, or undefined: `https://github.com/LOGIN`, `@LOGIN` or `LOGIN`. */
function loginOf(token: string): string | undefined {
  const t = token
    .trim()
    .replace(/^https?:\/\/github\.com\//i, "")
    .replace(/^@/, "")
    .replace(/\/+$/, "");
  return isValidLogin(t) ? t : undefined;
}

/** A `Reviewed-by: Name <email>` trailer's login, when the address is GitHub's noreply one. */
function loginFromTrailer(value: string): string | undefined {
  const m = /<(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com>/i.exec(value);
  if (m) return loginOf(m[1]!);
  // Without an address the value may be a bare login (`Reviewed-by: @someone`).
  return value.includes(" ") ? undefined : loginOf(value);
}

export interface CommitFacts {
  /** The pull request the commit landed, when its message names it. */
  pr?: number;
  /** Approvers named in the message, in order, without duplicates or bots. */
  approvers: string[];
}

/**
 * What a merge commit's message says of its pull request: the number from `Pull Request resolved:
 * .../pull/N` or a trailing `(#N)` on the subject; approvers from `Approved by:` (links or logins,
 * comma-separated), `Reviewed By:` (logins) and `Reviewed-by:` trailers whose login can be derived.
 * Linear in the message's length.
 */
export function parseCommitMessage(message: string): CommitFacts {
  const lines = message.split(/\r?\n/);
  let pr: number | undefined;
  const resolved = /^\s*Pull Request resolved:\s*\S*\/pull\/(\d+)\b/i;
  for (const line of lines) {
    const m = resolved.exec(line);
    if (m) {
      pr = Number(m[1]);
      break;
    }
  }
  if (pr === undefined) {
    const subject = /\(#(\d+)\)\s*$/.exec(lines[0] ?? "");
    if (subject) pr = Number(subject[1]);
  }
  const approvers: string[] = [];
  const seen = new Set<string>();
  const add = (login: string | undefined): void => {
    if (!login || isBotLogin(login) || seen.has(loginKey(login))) return;
    seen.add(loginKey(login));
    approvers.push(login);
  };
  for (const line of lines) {
    const list = /^\s*(?:Approved by|Reviewed By):\s*(.*)$/i.exec(line);
    if (list) {
      for (const token of list[1]!.split(/[,\s]+/)) if (token) add(loginOf(token));
      continue;
    }
    const trailer = /^\s*Reviewed-by:\s*(.+)$/i.exec(line);
    if (trailer) add(loginFromTrailer(trailer[1]!.trim()));
  }
  return { ...(pr !== undefined ? { pr } : {}), approvers };
}

/** One record from a parsed JSON value, or the problem with it (`key` names the field). */
function recordOf(value: unknown): HistoryRecord | { error: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "a record must be a JSON object" };
  const v = value as Record<string, unknown>;
  if (typeof v.pr !== "number" || !Number.isInteger(v.pr) || v.pr <= 0) return { error: '"pr" must be a positive integer' };
  if (typeof v.date !== "string" || Number.isNaN(Date.parse(v.date))) return { error: '"date" must be an ISO-8601 date' };
  if (v.author !== null && v.author !== undefined && typeof v.author !== "string") return { error: '"author" must be a login or null' };
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === "string");
  if (!strings(v.files)) return { error: '"files" must be a list of paths' };
  if (!strings(v.approvers)) return { error: '"approvers" must be a list of logins' };
  return { pr: v.pr, date: v.date, author: typeof v.author === "string" ? v.author : null, files: v.files, approvers: v.approvers };
}

/**
 * A JSONL history file: one record a line, blank lines ignored. Every malformed line is a problem
 * naming `file` and its line; the good lines are still returned. Unknown logins are kept as they are.
 */
export function parseHistory(text: string, file: string): { records: HistoryRecord[]; problems: Problem[] } {
  const records: HistoryRecord[] = [];
  const problems: Problem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ file, line: i + 1, message: "not valid JSON: each line must be one history record", severity: "error" });
      continue;
    }
    const r = recordOf(value);
    if ("error" in r) problems.push({ file, line: i + 1, message: r.error, severity: "error" });
    else records.push(r);
  }
  return { records, problems };
}

/** A record as one JSONL line, fields in the documented order. */
export function historyLine(r: HistoryRecord): string {
  return JSON.stringify({ pr: r.pr, date: r.date, author: r.author, files: r.files, approvers: r.approvers });
}
