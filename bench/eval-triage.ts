// Evaluation of the issue labeller: micro precision and recall, the share of issues left without
// a label, and per-label figures, for review-router and, measured in the same run on the same cases,
// a keyword baseline that adds a label when its name ("inductor" for "module: inductor") appears in
// the title or body. The case files:
//   test/fixtures/triage/cases.jsonl       hand-written cases (splits "dev" and "holdout")
//   test/fixtures/triage/real-cases.jsonl  cases written after real pytorch/pytorch issues, each with
//                                          its URL and the labels its triagers gave (splits "real-dev"
//                                          and "real-holdout")
//   test/fixtures/triage/real-cases-fresh.jsonl, real-cases-fresh-2.jsonl  84 and 122 more, written after
//                                          the labeller was tuned on those (splits "fresh-dev" and
//                                          "fresh-holdout"; docs/triage.md)
//   test/fixtures/triage/real-cases-fresh-3.jsonl, real-cases-fresh-4.jsonl  121 and 121 more, each
//                                          written after the labeller was tuned on all before it
//                                          (splits "fresh3-dev"/"fresh3-holdout", "fresh4-dev"/"fresh4-holdout")
//   test/fixtures/triage/real-cases-old.jsonl, real-cases-old-2.jsonl  122 and 115 after issues opened
//                                          2018-2021 (splits "old-dev"/"old-holdout", "old2-dev"/"old2-holdout"),
//                                          each written after the labeller was tuned on all before it
// A "holdout" split was written before tuning and not looked at case by case while tuning; a "dev"
// split is what the weights and thresholds were tuned on.
//
//   npm run eval:triage [-- --cases FILE]... [--config FILE] [--split NAME] [--failures] [--speed]
//                          [--sweep threshold|evidence] [--folds K] [--min-precision P] [--max-unlabelled U] [--labels]
//
// --sweep moves the operating point and prints precision, recall and the unlabelled share at each
// point on the tuning split (--split, default real-dev): "threshold" multiplies every score the
// decision compares against (threshold, label_thresholds, passing_threshold) by 0.8 to 2; "evidence"
// tries broad_label_threshold against second_label_share. --folds K adds a K-fold cross-validation
// within that split: on each K-1 folds, the point with the best recall among those with precision >=
// --min-precision (0.85) and unlabelled <= --max-unlabelled (0.15) is chosen, and scored on the held
// fold; the held folds' tallies, summed, estimate how the chosen point does on cases it was not
// chosen on. --labels prints the per-label table of each split, not only of all of them.
//
// --speed times `review-router triage --jsonl` (in process: configuration load, JSON in and out) on
// 1,000 issues made from the cases, beside the keyword baseline on the same issues, and hostile bodies
// at the size cap beside an ordinary report of the same size (the ratios show no input costs more
// than linear time).

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { triageCommand } from "../src/cli/triage.js";
import { MAX_ISSUE_TEXT, routeIssue } from "../src/core/issue-text.js";
import { labelsOf } from "../src/core/route.js";
import type { TriageSettings } from "../src/core/config.js";
import type { Router } from "../src/core/router.js";
import { loadRouter } from "../src/io/files.js";
import { isMainModule } from "../src/io/is-main.js";

export interface TriageCase {
  split: string;
  /** The real issue the case was written after (real-cases.jsonl). */
  source?: string;
  title: string;
  body: string;
  labels: string[];
  why: string;
}

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

export function readCases(file: string): TriageCase[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as TriageCase;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not a JSON object: ${(err as Error).message}`);
      }
    });
}

/** Every label the configuration can add: what the evaluation counts. */
export function emittableLabels(router: Router): Set<string> {
  const out = new Set<string>();
  for (const { spec } of router.modules) {
    for (const l of labelsOf(
      spec,
      true,
      spec.areas.map((_, i) => i),
    ))
      out.add(l);
  }
  return out;
}

/** The baseline: a label is added when its name, without "module: " or "oncall: ", is in the text as a word. */
export function keywordBaseline(labels: Iterable<string>, title: string, body: string): string[] {
  const text = `${title}\n${body}`.toLowerCase();
  return [...labels].filter((l) => {
    const name = l.replace(/^(?:module|oncall):\s*/i, "").toLowerCase();
    const re = new RegExp(`(?<![\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w])`);
    return re.test(text);
  });
}

export function score(cases: readonly TriageCase[], predict: (c: TriageCase) => string[], universe: Set<string>) {
  const micro: Tally = { tp: 0, fp: 0, fn: 0 };
  const perLabel = new Map<string, Tally>();
  const failures: { c: TriageCase; got: string[] }[] = [];
  const tally = (l: string) => {
    let t = perLabel.get(l);
    if (!t) perLabel.set(l, (t = { tp: 0, fp: 0, fn: 0 }));
    return t;
  };
  for (const c of cases) {
    const want = new Set(c.labels.filter((l) => universe.has(l)));
    const got = new Set(predict(c));
    for (const l of got) {
      const k = want.has(l) ? "tp" : "fp";
      micro[k]++;
      tally(l)[k]++;
    }
    for (const l of want) {
      if (got.has(l)) continue;
      micro.fn++;
      tally(l).fn++;
    }
    if (want.size !== got.size || [...want].some((l) => !got.has(l))) failures.push({ c, got: [...got] });
  }
  return { micro, perLabel, failures, noLabel: cases.filter((c) => predict(c).length === 0).length };
}

const ratio = (a: number, b: number) => (b === 0 ? "-" : (a / b).toFixed(2));
const share = (a: number, b: number) => (b === 0 ? "-" : `${Math.round((100 * a) / b)}%`);

/** The case files, relative to the repository root. */
export const CASE_FILES = [
  "test/fixtures/triage/cases.jsonl",
  "test/fixtures/triage/real-cases.jsonl",
  "test/fixtures/triage/real-cases-fresh.jsonl",
  "test/fixtures/triage/real-cases-fresh-2.jsonl",
  "test/fixtures/triage/real-cases-fresh-3.jsonl",
  "test/fixtures/triage/real-cases-fresh-4.jsonl",
  "test/fixtures/triage/real-cases-old.jsonl",
  "test/fixtures/triage/real-cases-old-2.jsonl",
] as const;
export const precision = (t: Tally) => ratio(t.tp, t.tp + t.fp);
export const recall = (t: Tally) => ratio(t.tp, t.tp + t.fn);

/** The router with other triage settings. */
export function withTriage(router: Router, patch: (t: TriageSettings) => Partial<TriageSettings>): Router {
  const t = router.config.triage;
  return { ...router, config: { ...router.config, triage: { ...t, ...patch(t) } } };
}

/** An operating point: a name for the report and the settings it changes. */
export interface OperatingPoint {
  name: string;
  patch: (t: TriageSettings) => Partial<TriageSettings>;
}

/**
 * The operating points --sweep tries. "threshold": every score the decision compares against (threshold,
 * label_thresholds, passing_threshold) times a multiplier from 0.8 to 2. "evidence": broad_label_threshold
 * (0: off, 4 to 12) against second_label_share (0: off, 0.3 to 0.7), the two rules that ask a label
 * beside the issue's subject for more.
 */
export function operatingPoints(kind: string): OperatingPoint[] {
  if (kind === "threshold") {
    return Array.from({ length: 25 }, (_, i) => Math.round((0.8 + 0.05 * i) * 100) / 100).map((f) => ({
      name: `thresholds x${f.toFixed(2)}`,
      patch: (t) => ({
        threshold: t.threshold * f,
        passingThreshold: t.passingThreshold * f,
        labelThresholds: t.labelThresholds.map((x) => ({ ...x, threshold: x.threshold * f })),
      }),
    }));
  }
  if (kind === "evidence") {
    return [0, 4, 5, 6, 7, 8, 9, 10, 12].flatMap((broad) =>
      [0, 0.3, 0.4, 0.5, 0.6, 0.7].map((share) => ({
        name: `broad ${String(broad).padStart(2)}, share ${share.toFixed(1)}`,
        patch: () => ({ broadLabelThreshold: broad, secondLabelShare: share }),
      })),
    );
  }
  throw new Error(`--sweep ${kind}: expected threshold or evidence`);
}

/** One case's tally at one operating point: what micro precision, recall and the unlabelled share sum. */
interface CasePoint extends Tally {
  unlabelled: number;
}

/** Each case's tally at each operating point (rows: cases, columns: points). */
export function sweepCases(
  router: Router,
  cases: readonly TriageCase[],
  universe: Set<string>,
  points: readonly OperatingPoint[],
): CasePoint[][] {
  const rows: CasePoint[][] = cases.map(() => []);
  for (const point of points) {
    const at = withTriage(router, point.patch);
    cases.forEach((c, i) => {
      const { micro, noLabel } = score(
        [c],
        (x) => routeIssue(at, { repository: "pytorch/pytorch", title: x.title, body: x.body }).labels,
        universe,
      );
      rows[i]!.push({ ...micro, unlabelled: noLabel });
    });
  }
  return rows;
}

const sum = (rows: readonly CasePoint[][], column: number): CasePoint & { cases: number } => {
  const t = { tp: 0, fp: 0, fn: 0, unlabelled: 0, cases: rows.length };
  for (const r of rows) {
    const x = r[column]!;
    t.tp += x.tp;
    t.fp += x.fp;
    t.fn += x.fn;
    t.unlabelled += x.unlabelled;
  }
  return t;
};

export interface Target {
  minPrecision: number;
  maxUnlabelled: number;
}

/** The column with the best recall among those meeting the target (ties: the better precision); none meeting it, the best precision. */
export function chooseColumn(rows: readonly CasePoint[][], columns: number, target: Target): number {
  const all = Array.from({ length: columns }, (_, i) => ({ i, t: sum(rows, i) }));
  const p = (t: Tally) => t.tp / Math.max(1, t.tp + t.fp);
  const r = (t: Tally) => t.tp / Math.max(1, t.tp + t.fn);
  const ok = all.filter(({ t }) => p(t) >= target.minPrecision && t.unlabelled / Math.max(1, t.cases) <= target.maxUnlabelled);
  const pool = ok.length > 0 ? ok : all;
  const key = ok.length > 0 ? (t: Tally) => [r(t), p(t)] : (t: Tally) => [p(t), r(t)];
  return pool.reduce((best, x) => {
    const [a1, a2] = key(x.t);
    const [b1, b2] = key(best.t);
    return a1! > b1! || (a1 === b1 && a2! > b2!) ? x : best;
  }).i;
}

/** A case's fold: the SHA-1 of its source (or title), so a fold does not depend on the order of the file. */
export function foldOf(c: TriageCase, folds: number): number {
  return (
    createHash("sha1")
      .update(c.source ?? c.title)
      .digest()
      .readUInt32BE(0) % folds
  );
}

/** K-fold cross-validation of the operating point: chosen on K-1 folds, scored on the held one; the held folds' tallies summed. */
export function crossValidate(cases: readonly TriageCase[], rows: readonly CasePoint[][], folds: number, target: Target, columns: number) {
  const total = { tp: 0, fp: 0, fn: 0, unlabelled: 0, cases: 0 };
  const chosen: number[] = [];
  for (let k = 0; k < folds; k++) {
    const train = rows.filter((_, i) => foldOf(cases[i]!, folds) !== k);
    const held = rows.filter((_, i) => foldOf(cases[i]!, folds) === k);
    const column = chooseColumn(train, columns, target);
    chosen.push(column);
    const t = sum(held, column);
    total.tp += t.tp;
    total.fp += t.fp;
    total.fn += t.fn;
    total.unlabelled += t.unlabelled;
    total.cases += t.cases;
  }
  return { total, chosen };
}

function sweepReport(
  router: Router,
  cases: readonly TriageCase[],
  universe: Set<string>,
  kind: string,
  folds: number,
  target: Target,
): void {
  const points = operatingPoints(kind);
  const rows = sweepCases(router, cases, universe, points);
  const line = (t: CasePoint & { cases: number }) =>
    `precision ${precision(t)}  recall ${recall(t)}  unlabelled ${share(t.unlabelled, t.cases)}  (tp ${t.tp}, fp ${t.fp}, fn ${t.fn})`;
  console.log(`\n== operating points (${kind}) on ${cases.length} cases`);
  points.forEach((p, i) => console.log(`  ${p.name}  ${line(sum(rows, i))}`));
  const best = chooseColumn(rows, points.length, target);
  console.log(
    `chosen on all ${cases.length} (best recall with precision >= ${target.minPrecision}, unlabelled <= ${target.maxUnlabelled * 100}%): ` +
      `${points[best]!.name}: ${line(sum(rows, best))}`,
  );
  if (folds < 2) return;
  const { total, chosen } = crossValidate(cases, rows, folds, target, points.length);
  console.log(`${folds}-fold cross-validation (chosen on ${folds - 1} folds, scored on the held one): ${line(total)}`);
  console.log(`  chosen per fold: ${chosen.map((c) => points[c]!.name).join("; ")}`);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", multiple: true, default: [...CASE_FILES] },
      config: { type: "string" },
      split: { type: "string" },
      failures: { type: "boolean", default: false },
      speed: { type: "boolean", default: false },
      sweep: { type: "string" },
      folds: { type: "string", default: "0" },
      "min-precision": { type: "string", default: "0.85" },
      "max-unlabelled": { type: "string", default: "0.15" },
      labels: { type: "boolean", default: false },
    },
  });
  const { router } = loadRouter(values.config ? resolve(values.config) : undefined);
  const universe = emittableLabels(router);
  const all = values.cases.flatMap((f) => readCases(resolve(f)));
  const splits = values.split ? [values.split] : [...new Set(all.map((c) => c.split)), "all"];
  const ours = (c: TriageCase) => routeIssue(router, { repository: "pytorch/pytorch", title: c.title, body: c.body }).labels;
  const baseline = (c: TriageCase) => keywordBaseline(universe, c.title, c.body);
  for (const split of splits) {
    const cases = split === "all" ? all : all.filter((c) => c.split === split);
    const a = score(cases, ours, universe);
    const b = score(cases, baseline, universe);
    console.log(`\n== ${split}: ${cases.length} cases`);
    const line = (name: string, x: ReturnType<typeof score>) =>
      `${name.padEnd(18)}precision ${precision(x.micro)}  recall ${recall(x.micro)}  ` +
      `unlabelled ${share(x.noLabel, cases.length)}  (tp ${x.micro.tp}, fp ${x.micro.fp}, fn ${x.micro.fn}; ${x.noLabel} cases with no label)`;
    console.log(line("review-router", a));
    console.log(line("keyword baseline", b));
    if (split !== "all" && !values.labels) continue;
    console.log("\nper label (review-router | baseline): precision recall tp/fp/fn");
    const labels = [...new Set([...a.perLabel.keys(), ...b.perLabel.keys()])].sort();
    for (const l of labels) {
      const x = a.perLabel.get(l) ?? { tp: 0, fp: 0, fn: 0 };
      const y = b.perLabel.get(l) ?? { tp: 0, fp: 0, fn: 0 };
      const cell = (t: Tally) => `${precision(t).padStart(4)} ${recall(t).padStart(4)} ${`${t.tp}/${t.fp}/${t.fn}`.padEnd(9)}`;
      console.log(`  ${l.padEnd(28)} ${cell(x)} | ${cell(y)}`);
    }
  }
  if (values.sweep) {
    const tuning = all.filter((c) => c.split === (values.split ?? "real-dev"));
    const target = { minPrecision: Number(values["min-precision"]), maxUnlabelled: Number(values["max-unlabelled"]) };
    sweepReport(router, tuning, universe, values.sweep, Number(values.folds), target);
  }
  if (values.speed) speed(router, universe, all, values.config);
  if (values.failures) {
    const cases = values.split ? all.filter((c) => c.split === values.split) : all;
    for (const { c, got } of score(cases, ours, universe).failures) {
      console.log(`\n[${c.split}] ${c.title}\n  want ${JSON.stringify(c.labels)}  got ${JSON.stringify(got)}  (${c.source ?? c.why})`);
    }
  }
}

/** Bodies at the size cap built to make a careless regex backtrack: long runs of what a pattern starts with. */
function hostileBodies(): Record<string, string> {
  const fill = (unit: string) => unit.repeat(Math.ceil(MAX_ISSUE_TEXT / unit.length)).slice(0, MAX_ISSUE_TEXT);
  return {
    "one dotted run": fill("torch.a."),
    "native frame starts": fill("#1 frame #2: 0000000000000000 aaaa.so "),
    "path-like run": fill("a/b/"),
    "spaces, then a word": `${" ".repeat(MAX_ISSUE_TEXT - 10)}inductor`,
    "error-line prefix": fill("Aa.Bb.Cc.Dd.Ee.Ff.Gg.Hh.Ii."),
    "keyword halves": fill("build from build fails to "),
    "keyword inside a longer one": fill("compiled autograd autograd "),
    "fenced code run": fill("```\n~~~\n"),
  };
}

const time = (f: () => void) => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

function speed(router: Router, universe: Set<string>, all: readonly TriageCase[], config: string | undefined): void {
  const issues = Array.from({ length: 1000 }, (_, i) => {
    const c = all[i % all.length]!;
    return { title: `${c.title} (${i})`, body: c.body };
  });
  const dir = mkdtempSync(join(tmpdir(), "eval-triage-"));
  const file = join(dir, "issues.jsonl");
  writeFileSync(file, issues.map((i) => JSON.stringify(i)).join("\n") + "\n");
  let out = 0;
  const io = { stdout: (t: string) => void (out += t.length), stderr: () => {}, readStdin: async () => "" };
  const args = ["--jsonl", file, ...(config ? ["--config", resolve(config)] : [])];
  const start = performance.now();
  void triageCommand(args, io).then((code) => {
    const cli = performance.now() - start;
    rmSync(dir, { recursive: true });
    const keywords = time(() => issues.forEach((i) => keywordBaseline(universe, i.title, i.body)));
    console.log(`\n== speed (same run)`);
    console.log(`triage --jsonl, 1,000 issues: ${cli.toFixed(0)} ms (target < 5000; exit ${code}, ${out} bytes out)`);
    console.log(`keyword baseline, same issues: ${keywords.toFixed(0)} ms (triage / baseline: ${(cli / keywords).toFixed(1)}x)`);
    // An ordinary report at the size cap: the cases' bodies joined.
    let ordinary = "";
    for (let i = 0; ordinary.length < MAX_ISSUE_TEXT; i++) ordinary += `${all[i % all.length]!.body}\n`;
    const route = (body: string) => time(() => routeIssue(router, { repository: "pytorch/pytorch", title: "bug", body }));
    route(ordinary); // warm
    const base = route(ordinary);
    console.log(`an ordinary ${MAX_ISSUE_TEXT / 1024} KB report: ${base.toFixed(1)} ms`);
    for (const [name, body] of Object.entries(hostileBodies())) {
      const t = route(body);
      console.log(`  hostile "${name}": ${t.toFixed(1)} ms (${(t / base).toFixed(1)}x the ordinary report)`);
    }
  });
}

if (isMainModule(import.meta.url)) main();
