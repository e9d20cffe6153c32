// The summary's parts added for CODEOWNERS: teams in the reviewers cell, the unowned files (first
// ten and the count) with what was done about them, and warnings bounded to ten lines.

import { describe, expect, it } from "vitest";
import { DELIVERY_NOTE_END, DELIVERY_NOTE_START, lastingText, renderSummary, type SummaryContext } from "../../src/app/summary.js";
import type { RouteDecision } from "../../src/core/route.js";

function decision(over: Partial<RouteDecision> = {}): RouteDecision {
  return {
    repository: "acme/widgets",
    prNumber: 1,
    labels: [],
    reviewers: [],
    teamReviewers: [],
    modules: [],
    unmatched: [],
    unownedReviewers: [],
    skipped: [],
    uncovered: [],
    notes: [],
    candidates: [],
    widened: [],
    ...over,
  };
}

const base: Omit<SummaryContext, "decision"> = { dryRun: false, draftDeferred: false, configSource: "CODEOWNERS" };

describe("renderSummary", () => {
  it("shows a module's teams after its users, marked as teams", () => {
    const m = {
      name: "Docs",
      label: "docs",
      labels: ["docs"],
      files: ["docs/a.md"],
      rules: [],
      areas: [],
      reviewers: ["bob"],
      teams: ["acme/docs"],
      covered: true,
      maintainersFrom: "inline",
      fallback: false,
    };
    const body = renderSummary({ ...base, decision: decision({ modules: [m] }) }).body;
    expect(body).toContain("| Docs | `docs` | `docs/a.md` | @bob, @acme/docs (team) |");
  });

  it("lists the first ten unowned files and the count, the unowned label and the default reviewers", () => {
    const unmatched = Array.from({ length: 12 }, (_, i) => `f${i}.txt`);
    const d = decision({ unmatched, unownedReviewers: ["erin", "acme/core"] });
    const body = renderSummary({ ...base, unownedLabel: "needs owner", decision: d }).body;
    const shown = unmatched
      .slice(0, 10)
      .map((f) => `\`${f}\``)
      .join(", ");
    const done = "labelled `needs owner`; default reviewers: @erin, @acme/core.";
    expect(body).toContain(`**Owned by no module** (12): ${shown} and 2 more (12); ${done}`);
    expect(body).not.toContain("f10.txt");
  });

  it("says when nobody was asked for the unowned files, and writes nothing about them when there are none", () => {
    expect(renderSummary({ ...base, decision: decision({ unmatched: ["x"] }) }).body).toContain("no reviewer asked for them");
    expect(renderSummary({ ...base, decision: decision() }).body).not.toContain("Owned by no module");
  });

  it("prints warnings as FILE:LINE lines, ten at most and the count of the rest", () => {
    const warning = (i: number) => ({ file: "CODEOWNERS", line: i + 1, severity: "warning" as const, message: `x${i}` });
    const warnings = Array.from({ length: 13 }, (_, i) => warning(i));
    const body = renderSummary({ ...base, decision: decision(), warnings }).body;
    expect(body).toContain("**Warnings** (13;");
    expect(body).toContain("CODEOWNERS:10: warning: x9");
    expect(body).not.toContain("CODEOWNERS:11:");
    expect(body).toContain("... and 3 more");
  });
});

describe("what one delivery read to choose", () => {
  const chosen = {
    login: "carol",
    score: 2.5,
    evidence: "approved 3 pull requests touching web/ in the last 180 days",
    chosen: true,
    reason: "chosen for Web",
  };
  const withHistory = decision({ historyRecords: 40, candidates: [chosen] });

  it("sets the review history's evidence and a failed read apart, and leaves them out of the text compared on GitHub", () => {
    const chose = renderSummary({ ...base, signalsUnavailable: "time-out", decision: withHistory }).body;
    const later = renderSummary({ ...base, decision: decision({ candidates: [{ ...chosen, evidence: "no review history given" }] }) }).body;
    expect(chose).toContain(
      `${DELIVERY_NOTE_START}\n\n**Why these reviewers** (ranked by who approved, or wrote, 40 merged pull requests of the review history):\n- @carol (chosen for Web): ${chosen.evidence}\n${DELIVERY_NOTE_END}`,
    );
    expect(chose).toContain(
      `${DELIVERY_NOTE_START}\n**Note**: availability and load could not be read: time-out; chose as without them.\n\n${DELIVERY_NOTE_END}\n`,
    );
    expect(later).not.toContain(DELIVERY_NOTE_START);
    expect(chose).not.toBe(later);
    expect(lastingText(chose)).toBe(later);
  });

  it.each([
    ["no notes", "a\nb", "a\nb"],
    ["two notes", `a\n${DELIVERY_NOTE_START}\nx\n${DELIVERY_NOTE_END}\nb\n${DELIVERY_NOTE_START}\ny\n${DELIVERY_NOTE_END}`, "a\nb\n"],
    ["a note clipped before its end is kept", `a\n${DELIVERY_NOTE_START}\nx`, `a\n${DELIVERY_NOTE_START}\nx`],
  ])("lastingText: %s", (_name, body, want) => {
    expect(lastingText(body)).toBe(want);
  });
});
