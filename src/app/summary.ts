// The summary review-router keeps on each routed pull request: a check run or one comment.
// It describes the resulting state (who covers each module), not the actions of one delivery,
// so a redelivered event renders the same text and the summary is left untouched. What one
// delivery read to choose (the review history's evidence, a read that failed) is set apart between
// markers and left out when the text is compared (lastingText).

import type { Problem } from "../core/problems.js";
import { formatProblem } from "../core/problems.js";
import { loginKey } from "../core/registry.js";
import type { RouteDecision } from "../core/route.js";
import type { SkippedCandidate } from "../core/select.js";
import type { CandidateSignals } from "../core/signals.js";
import { plural } from "../core/util.js";

export const CHECK_NAME = "review-router";
/** Marks review-router's own summary comment so it can be found and edited in place. */
export const COMMENT_MARKER = "<!-- review-router:summary -->";
/**
 * Around what one delivery read to choose. A later delivery that needs nobody new reads none of it,
 * so these parts never decide whether the summary on GitHub is rewritten (a push that changes
 * nothing writes nothing); they are shown as written by the delivery that chose.
 */
export const DELIVERY_NOTE_START = "<!-- review-router:this-delivery -->";
export const DELIVERY_NOTE_END = "<!-- /review-router:this-delivery -->";

function deliveryNote(lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : [DELIVERY_NOTE_START, ...lines, DELIVERY_NOTE_END];
}

/** The summary without its delivery notes: the text compared with the summary on GitHub. Linear. */
export function lastingText(body: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const start = body.indexOf(DELIVERY_NOTE_START, from);
    const end = start < 0 ? -1 : body.indexOf(DELIVERY_NOTE_END, start);
    if (end < 0) return out + body.slice(from);
    out += body.slice(from, start);
    // The line break after a note goes with it, so the text reads as if the note was never written.
    from = end + DELIVERY_NOTE_END.length;
    if (body[from] === "\n") from++;
  }
}

export interface SummaryContext {
  decision: RouteDecision;
  /** Nothing was labelled or requested: the summary says so. */
  dryRun: boolean;
  /** Set when the PR has more files than GitHub lists (3,000). */
  truncatedAt?: number;
  /** Review requests deferred because the pull request is a draft. */
  draftDeferred: boolean;
  /** Where the configuration came from, named at the foot of the summary. */
  configSource: string;
  /** reroute_after_hours, when set: explains the reviewers skipped as "overdue". */
  rerouteAfterHours?: number;
  /** The `unowned_label` added because some file is owned by no module. */
  unownedLabel?: string;
  /** Problems that did not stop routing (CODEOWNERS lines GitHub skips too), as FILE:LINE warnings. */
  warnings?: readonly Problem[];
  /** Set when `/route skip` paused automatic review requests: the skip label's name. */
  pausedBy?: string;
  /** Set when the candidates' availability and load could not be read: why. */
  signalsUnavailable?: string;
  /** Set when the review history could not be read: why. */
  historyUnavailable?: string;
  /** The availability and load the choice used: shown with busy and overloaded candidates. */
  signals?: CandidateSignals;
  maxOpenReviews?: number;
}

export interface Summary {
  title: string;
  /** Markdown. */
  body: string;
}

const FILES_SHOWN = 3;
/** Unowned files and warnings listed before "and N more". */
const UNOWNED_SHOWN = 10;
const WARNINGS_SHOWN = 10;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function code(text: string): string {
  return "`" + text.replace(/`/g, "'") + "`";
}

function fileList(files: readonly string[], limit = FILES_SHOWN): string {
  const shown = files.slice(0, limit).map(code).join(", ");
  return files.length > limit ? `${shown} and ${files.length - limit} more (${files.length})` : shown;
}

/** A module's reviewers cell: users, then teams marked as such. */
function reviewerCell(m: RouteDecision["modules"][number]): string {
  const who = [...m.reviewers.map((r) => `@${r}`), ...(m.teams ?? []).map((t) => `@${t} (team)`)];
  return who.join(", ") || (m.covered ? "-" : "none");
}

/** Which changed files no module owns, and what was done about them. */
function unownedLines(s: SummaryContext): string[] {
  const d = s.decision;
  if (d.unmatched.length === 0) return [];
  const what: string[] = [];
  if (s.unownedLabel !== undefined) what.push(`labelled ${code(s.unownedLabel)}`);
  if (d.unownedReviewers.length > 0) what.push(`default reviewers: ${d.unownedReviewers.map((r) => `@${r}`).join(", ")}`);
  else what.push("no reviewer asked for them (`default_reviewers`, `default_reviewers_entry`)");
  return ["", `**Owned by no module** (${d.unmatched.length}): ${fileList(d.unmatched, UNOWNED_SHOWN)}; ${what.join("; ")}.`];
}

function warningLines(warnings: readonly Problem[] | undefined): string[] {
  if (!warnings || warnings.length === 0) return [];
  const shown = warnings.slice(0, WARNINGS_SHOWN).map(formatProblem);
  const more = warnings.length > WARNINGS_SHOWN ? [`... and ${warnings.length - WARNINGS_SHOWN} more`] : [];
  const head = `**Warnings** (${warnings.length}; routing went on without these lines, as GitHub does):`;
  return ["", head, "", "```", ...shown, ...more, "```"];
}

export function renderSummary(s: SummaryContext): Summary {
  const d = s.decision;
  const covering = new Set(d.modules.flatMap((m) => m.reviewers.map((r) => `${m.name}\u0000${r.toLowerCase()}`)));
  const lines: string[] = [];
  if (s.dryRun) lines.push("**Dry run**: nothing was labelled and no review was requested.", "");
  if (s.truncatedAt !== undefined) {
    lines.push(`**Note**: GitHub lists at most ${s.truncatedAt} changed files of a pull request; files beyond that were not routed.`, "");
  }
  if (s.pausedBy !== undefined) {
    const label = code(s.pausedBy);
    lines.push(`**Paused**: automatic review requests are stopped on this pull request (label ${label}); labels still apply.`, "");
  }
  if (s.signalsUnavailable !== undefined) {
    lines.push(
      ...deliveryNote([`**Note**: availability and load could not be read: ${cell(s.signalsUnavailable)}; chose as without them.`, ""]),
    );
  }
  if (s.historyUnavailable !== undefined) {
    lines.push(
      ...deliveryNote([`**Note**: the review history could not be read: ${cell(s.historyUnavailable)}; chose as without it.`, ""]),
    );
  }
  if (s.draftDeferred) lines.push("This pull request is a draft: reviews will be requested when it is marked ready for review.", "");
  if (d.modules.length === 0) {
    lines.push("No module owns any changed file.");
  } else {
    lines.push("| module | label | files | reviewers |", "| --- | --- | --- | --- |");
    for (const m of d.modules) {
      const reviewers = reviewerCell(m);
      lines.push(`| ${cell(m.name)} | ${cell(m.labels.map(code).join(", ") || "-")} | ${cell(fileList(m.files))} | ${cell(reviewers)} |`);
    }
  }
  if (d.uncovered.length > 0) {
    lines.push("", "**Not covered**: " + d.uncovered.map((u) => `${u.module} (${u.reason})`).join("; "));
  }
  lines.push(...unownedLines(s));
  lines.push(...deliveryNote(expertiseLines(d)));
  for (const note of d.notes) lines.push("", `Note: ${note}`);
  const overdue = [...new Set(d.skipped.filter((k) => k.reason === "overdue").map((k) => k.login))];
  if (overdue.length > 0) {
    const within = s.rerouteAfterHours !== undefined ? `${plural(s.rerouteAfterHours, "business hour")}` : "the configured business hours";
    lines.push(
      "",
      `**Re-routed**: ${overdue.map((l) => `@${l}`).join(", ")} neither reviewed nor commented within ${within} of being requested; another maintainer of the module was asked instead (once per reviewer).`,
    );
  }
  // Reviewers shown above as covering a module are not repeated as "skipped".
  const skipped = d.skipped.filter((k) => !covering.has(`${k.module}\u0000${k.login.toLowerCase()}`));
  if (skipped.length > 0) {
    lines.push("", "<details><summary>Candidates not chosen</summary>", "", "| login | module | reason |", "| --- | --- | --- |");
    for (const k of skipped) lines.push(`| ${cell(k.login)} | ${cell(k.module)} | ${cell(skipReason(k, s))} |`);
    lines.push("", "</details>");
  }
  lines.push(...warningLines(s.warnings));
  lines.push(
    "",
    `<sub>Configuration: ${cell(s.configSource)}. Run \`review-router route\` with the same paths to see this decision offline.</sub>`,
  );
  const n = d.modules.length;
  const title = n === 0 ? "No module touched" : `${plural(n, "module")}: ${d.modules.map((m) => m.name).join(", ")}`;
  return { title: title.length > 200 ? `${title.slice(0, 197)}...` : title, body: lines.join("\n") };
}

/**
 * Why the chosen reviewers were chosen, from the review history: each one's evidence, and those
 * widening asked named as recent approvers who are not listed maintainers. Nothing without history.
 */
export function expertiseLines(d: RouteDecision): string[] {
  if (d.historyRecords === undefined) return [];
  const widened = new Set(d.widened.map(loginKey));
  const chosen = d.candidates.filter((c) => c.chosen);
  const listed = chosen.filter((c) => !widened.has(loginKey(c.login)));
  const asked = chosen.filter((c) => widened.has(loginKey(c.login)));
  const out: string[] = [];
  if (listed.length > 0) {
    out.push(
      "",
      `**Why these reviewers** (ranked by who approved, or wrote, ${plural(d.historyRecords, "merged pull request")} of the review history):`,
    );
    for (const c of listed) out.push(`- @${c.login} (${cell(c.reason)}): ${cell(c.evidence)}`);
  }
  if (asked.length > 0) {
    out.push("", "**Also asked**, as recent approvers of these paths who are not listed maintainers of the touched modules:");
    for (const c of asked) out.push(`- @${c.login}: ${cell(c.evidence)}`);
  }
  return out;
}

/** A skip reason, with what GitHub said for `busy` (status message, until when) and `overloaded` (the count). */
function skipReason(k: SkippedCandidate, s: SummaryContext): string {
  if (k.reason === "busy") {
    const status = [...(s.signals?.busy ?? [])].find(([l]) => loginKey(l) === loginKey(k.login))?.[1];
    const message = status?.message ? `"${status.message.slice(0, 80)}"` : "";
    const until = status?.expiresAt ? `until ${status.expiresAt.slice(0, 10)}` : "";
    const shown = [message, until].filter(Boolean).join(", ");
    return `busy (GitHub status${shown ? `: ${shown}` : ""})`;
  }
  if (k.reason === "overloaded") {
    const n = [...(s.signals?.openReviews ?? [])].find(([l]) => loginKey(l) === loginKey(k.login))?.[1];
    if (n === undefined) return "overloaded";
    const limit = s.maxOpenReviews !== undefined ? `; max_open_reviews: ${s.maxOpenReviews}` : "";
    return `overloaded (${plural(n, "open review request")}${limit})`;
  }
  return k.reason;
}

export function renderConfigError(file: string, problems: readonly Problem[]): Summary {
  const errors = problems.filter((p) => p.severity === "error");
  const body = [
    `review-router did not act on this event: its configuration \`${file}\` has ${plural(errors.length, "error")}.`,
    "",
    "```",
    ...errors.slice(0, 50).map(formatProblem),
    ...(errors.length > 50 ? [`... and ${errors.length - 50} more`] : []),
    "```",
    "",
    "Fix the file on the default branch (check it with `review-router validate FILE`); the next event will be routed.",
  ].join("\n");
  return { title: "Configuration error", body };
}
