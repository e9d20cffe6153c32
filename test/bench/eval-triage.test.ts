// Regression floor for the issue labeller on the hand-written evaluation set: the figures
// `npm run eval:triage` prints must not fall below these, on the tuned part and on the held-out
// part, and the labeller must beat the keyword baseline measured on the same cases.

import { describe, expect, it } from "vitest";
import { emittableLabels, keywordBaseline, readCases, score, type TriageCase } from "../../bench/eval-triage.js";
import { routeIssue } from "../../src/core/issue-text.js";
import { loadRouter } from "../../src/io/files.js";

const { router } = loadRouter();
const universe = emittableLabels(router);
const cases = readCases(new URL("../fixtures/triage/cases.jsonl", import.meta.url).pathname);
const ours = (c: TriageCase) => routeIssue(router, { repository: "pytorch/pytorch", title: c.title, body: c.body }).labels;
const baseline = (c: TriageCase) => keywordBaseline(universe, c.title, c.body);
const p = (t: { tp: number; fp: number }) => t.tp / (t.tp + t.fp);
const r = (t: { tp: number; fn: number }) => t.tp / (t.tp + t.fn);

describe("the evaluation set", () => {
  it("has at least 150 cases, a held-out part of 50, each with a reason and only labels the configuration emits", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(cases.filter((c) => c.split === "holdout").length).toBeGreaterThanOrEqual(50);
    for (const c of cases) {
      expect(c.why.length, c.title).toBeGreaterThan(3);
      for (const l of c.labels) expect(universe.has(l), `${c.title}: ${l}`).toBe(true);
    }
    expect(cases.filter((c) => c.labels.length === 0).length, "cases that should get no label").toBeGreaterThanOrEqual(15);
  });

  for (const [split, minP, minR] of [
    ["dev", 0.9, 0.85],
    ["holdout", 0.8, 0.7],
  ] as const) {
    it(`${split}: precision >= ${minP} and recall >= ${minR}, above the keyword baseline`, () => {
      const part = cases.filter((c) => c.split === split);
      const a = score(part, ours, universe).micro;
      const b = score(part, baseline, universe).micro;
      expect(p(a)).toBeGreaterThanOrEqual(minP);
      expect(r(a)).toBeGreaterThanOrEqual(minR);
      expect(p(a)).toBeGreaterThan(p(b) + 0.2);
    });
  }

  it("the baseline counts a label's name as a word only", () => {
    expect(keywordBaseline(["module: onnx", "oncall: pt2", "module: nn"], "ONNX export", "pt2 and cnn")).toEqual([
      "module: onnx",
      "oncall: pt2",
    ]);
  });
});
