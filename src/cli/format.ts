// Plain-text rendering of routing decisions for the terminal.

import type { RouteDecision } from "../core/route.js";

/** A table with left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

/** The first few items and how many more there are. */
export function firstFew(items: readonly string[], n: number): string {
  if (items.length <= n) return items.join(", ");
  return `${items.slice(0, n).join(", ")} (+${items.length - n} more)`;
}

/** Candidates listed before "N more" unless --verbose. */
export const CANDIDATE_ROWS = 10;

/** More skipped candidates than this are summarised by reason unless --verbose. */
export const SKIPPED_ROWS = 12;

/** "34 (emeritus 12, module covered 20, cap reached 2)": counts by reason, most frequent first. */
export function skippedSummary(skipped: RouteDecision["skipped"]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason, n]) => `${reason} ${n}`);
  return `${skipped.length} (${parts.join(", ")})`;
}

export function formatDecision(d: RouteDecision, options: { verbose?: boolean } = {}): string {
  let out = "";
  if (d.modules.length === 0) out += "No module owns any of these paths.\n";
  else {
    out += table(
      ["module", "label", "files", "reviewers"],
      d.modules.map((m) => [
        m.name,
        m.labels.join(", ") || "-",
        `${m.files.length}: ${firstFew(m.files, 3)}`,
        [...m.reviewers, ...m.teams.map((t) => `@${t}`)].join(", ") || (m.covered ? "-" : "none"),
      ]),
    );
  }
  out += `\nlabels:    ${d.labels.join(", ") || "(none)"}\n`;
  out += `reviewers: ${d.reviewers.join(", ") || "(none)"}\n`;
  if (d.teamReviewers.length > 0) out += `teams:     ${d.teamReviewers.map((t) => `@${t}`).join(", ")}\n`;
  if (d.uncovered.length > 0) {
    out += `uncovered: ${d.uncovered.map((u) => `${u.module} (${u.reason})`).join("; ")}\n`;
  }
  if (d.unmatched.length > 0) {
    out += `unowned:   ${firstFew(d.unmatched, 10)}${d.unownedReviewers.length > 0 ? ` (default reviewers: ${d.unownedReviewers.join(", ")})` : ""}\n`;
  }
  for (const note of d.notes) out += `note: ${note}\n`;
  if (d.historyRecords !== undefined && d.candidates.length > 0) {
    out += `\ncandidates, best first (review history: ${d.historyRecords} merged pull requests):\n`;
    const shown = options.verbose ? d.candidates : d.candidates.slice(0, CANDIDATE_ROWS);
    out += table(
      ["login", "score", "chosen", "reason", "evidence"],
      shown.map((c) => [c.login, c.score.toFixed(3), c.chosen ? "yes" : "no", c.reason, c.evidence]),
    );
    if (shown.length < d.candidates.length) out += `(${d.candidates.length - shown.length} more; --verbose or --json lists every one)\n`;
  }
  if (d.skipped.length > SKIPPED_ROWS && !options.verbose) {
    out += `\nskipped candidates: ${skippedSummary(d.skipped)}; --verbose lists each\n`;
  } else if (d.skipped.length > 0) {
    out += "\nskipped candidates:\n";
    out += table(
      ["login", "module", "reason"],
      d.skipped.map((s) => [s.login, s.module, s.reason]),
    );
  }
  return out;
}
