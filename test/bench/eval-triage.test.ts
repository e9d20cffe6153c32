// Regression floor for the issue labeller on the evaluation sets: the figures `npm run eval:triage`
// prints must not fall below these, on the tuned parts and on the held-out parts, and the labeller
// must beat the keyword baseline measured on the same cases. The real-* splits were written after
// real pytorch/pytorch issues; their floors are what the labeller reaches, not the target.

import { describe, expect, it } from "vitest";
import {
  CASE_FILES,
  chooseColumn,
  crossValidate,
  emittableLabels,
  foldOf,
  keywordBaseline,
  operatingPoints,
  readCases,
  score,
  sweepCases,
  withTriage,
  type TriageCase,
} from "../../bench/eval-triage.js";
import { routeIssue } from "../../src/core/issue-text.js";
import { loadRouter } from "../../src/io/files.js";

const { router } = loadRouter();
const universe = emittableLabels(router);
const cases = CASE_FILES.flatMap((f) => readCases(new URL(`../../${f}`, import.meta.url).pathname));
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

  it("has 965 cases written after real issues, each naming its own issue, a third or more held out", () => {
    const real = cases.filter((c) => /^(real|fresh\d?|old\d?)-/.test(c.split));
    expect(real.length).toBeGreaterThanOrEqual(965);
    for (const c of real) expect(c.source, c.title).toMatch(/^https:\/\/github\.com\/pytorch\/pytorch\/issues\/\d+$/);
    expect(new Set(real.map((c) => c.source)).size).toBe(real.length);
    expect(real.filter((c) => c.split.endsWith("-holdout")).length).toBeGreaterThanOrEqual(real.length / 3);
  });

  for (const [split, minP, minR, maxUnlabelled] of [
    ["dev", 0.9, 0.85, 0.2],
    ["holdout", 0.8, 0.7, 0.2],
    ["real-dev", 0.82, 0.8, 0.2],
    ["real-holdout", 0.72, 0.72, 0.2],
    ["fresh-dev", 0.78, 0.7, 0.2],
    ["fresh-holdout", 0.78, 0.63, 0.2],
    ["fresh3-dev", 0.82, 0.65, 0.15],
    ["fresh3-holdout", 0.8, 0.58, 0.2],
    ["fresh4-dev", 0.75, 0.62, 0.15],
    ["fresh4-holdout", 0.78, 0.65, 0.2],
    ["old-dev", 0.76, 0.58, 0.15],
    ["old-holdout", 0.7, 0.58, 0.2],
    ["old2-dev", 0.78, 0.6, 0.15],
    ["old2-holdout", 0.78, 0.58, 0.2],
  ] as const) {
    it(`${split}: precision >= ${minP}, recall >= ${minR}, above the keyword baseline, <= ${maxUnlabelled * 100}% left unlabelled`, () => {
      const part = cases.filter((c) => c.split === split);
      const a = score(part, ours, universe);
      const b = score(part, baseline, universe).micro;
      expect(p(a.micro)).toBeGreaterThanOrEqual(minP);
      expect(r(a.micro)).toBeGreaterThanOrEqual(minR);
      expect(p(a.micro)).toBeGreaterThan(p(b) + 0.2);
      expect(a.noLabel / part.length).toBeLessThanOrEqual(maxUnlabelled);
    });
  }

  it("the baseline counts a label's name as a word only", () => {
    expect(keywordBaseline(["module: onnx", "oncall: pt2", "module: nn"], "ONNX export", "pt2 and cnn")).toEqual([
      "module: onnx",
      "oncall: pt2",
    ]);
  });

  it("the operating point: the best recall at the precision asked, else the best precision; chosen on other folds than it is scored on", () => {
    // Two cases, two points: the first point has recall 1 and precision 0.5, the second recall 0.5 and precision 1.
    const rows = [
      [
        { tp: 1, fp: 1, fn: 0, unlabelled: 0 },
        { tp: 1, fp: 0, fn: 0, unlabelled: 0 },
      ],
      [
        { tp: 1, fp: 1, fn: 0, unlabelled: 0 },
        { tp: 0, fp: 0, fn: 1, unlabelled: 1 },
      ],
    ];
    expect(chooseColumn(rows, 2, { minPrecision: 0.5, maxUnlabelled: 1 })).toBe(0);
    expect(chooseColumn(rows, 2, { minPrecision: 0.9, maxUnlabelled: 1 })).toBe(1);
    expect(chooseColumn(rows, 2, { minPrecision: 0.9, maxUnlabelled: 0.2 })).toBe(1); // none meets it: the best precision
    const two = [
      { split: "x", source: "https://github.com/pytorch/pytorch/issues/1", title: "a", body: "", labels: [], why: "w" },
      { split: "x", source: "https://github.com/pytorch/pytorch/issues/2", title: "b", body: "", labels: [], why: "w" },
    ];
    expect(foldOf(two[0]!, 2)).not.toBe(foldOf(two[1]!, 2)); // so each case is held out once, scored at the other's choice
    const cv = crossValidate(two, rows, 2, { minPrecision: 0.9, maxUnlabelled: 1 }, 2);
    expect(cv.total).toMatchObject({ cases: 2 });
    expect(cv.total.tp + cv.total.fn).toBe(2);
  });

  it("a sweep point changes only the settings it names, and the threshold sweep moves every threshold", () => {
    const [low] = operatingPoints("threshold");
    const at = withTriage(router, low!.patch);
    expect(at.config.triage.threshold).toBeCloseTo(router.config.triage.threshold * 0.8);
    expect(at.config.triage.passingThreshold).toBeCloseTo(router.config.triage.passingThreshold * 0.8);
    expect(at.config.triage.labelThresholds[0]!.threshold).toBeCloseTo(router.config.triage.labelThresholds[0]!.threshold * 0.8);
    expect(at.config.triage.weights).toBe(router.config.triage.weights);
    expect(router.config.triage.threshold).toBe(3);
    const part = cases.filter((c) => c.split === "real-dev");
    const withRules = withTriage(router, () => ({ broadLabelThreshold: 8, secondLabelShare: 0.5 }));
    const off = operatingPoints("evidence").find((p) => p.name === "broad  0, share 0.0")!;
    // The point is applied over the router it is given: "off" turns off rules the router has on.
    const swept = sweepCases(withRules, part, universe, [off]);
    const plain = score(
      part,
      (c) => routeIssue(withTriage(router, off.patch), { repository: "pytorch/pytorch", title: c.title, body: c.body }).labels,
      universe,
    );
    expect(swept.reduce((n, r) => n + r[0]!.fp, 0)).toBe(plain.micro.fp);
    const on = score(part, (c) => routeIssue(withRules, { repository: "pytorch/pytorch", title: c.title, body: c.body }).labels, universe);
    expect(on.micro.fp).toBeLessThan(plain.micro.fp);
    expect(() => operatingPoints("nope")).toThrow(/expected threshold or evidence/);
  });
});
