// Evaluation of the issue labeller: micro precision and recall, the share of issues left without
// a label, and per-label figures, for review-router and, measured in the same run on the same cases,
// a keyword baseline that adds a label when its name ("inductor" for "module: inductor") appears in
// the title or body. Two case files:
//   test/fixtures/triage/cases.jsonl       hand-written cases (splits "dev" and "holdout")
//   test/fixtures/triage/real-cases.jsonl  cases written after real pytorch/pytorch issues, each with
//                                          its URL and the labels its triagers gave (splits "real-dev"
//                                          and "real-holdout")
// A "holdout" split was written before tuning and not looked at case by case while tuning; a "dev"
// split is what the weights and thresholds were tuned on.
//
//   npm run eval:triage [-- --cases FILE]... [--config FILE] [--split NAME] [--failures]

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { routeIssue } from "../src/core/issue-text.js";
import { labelsOf } from "../src/core/route.js";
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
export const CASE_FILES = ["test/fixtures/triage/cases.jsonl", "test/fixtures/triage/real-cases.jsonl"] as const;
export const precision = (t: Tally) => ratio(t.tp, t.tp + t.fp);
export const recall = (t: Tally) => ratio(t.tp, t.tp + t.fn);

function main(): void {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", multiple: true, default: [...CASE_FILES] },
      config: { type: "string" },
      split: { type: "string" },
      failures: { type: "boolean", default: false },
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
    if (split !== "all") continue;
    console.log("\nper label (review-router | baseline): precision recall tp/fp/fn");
    const labels = [...new Set([...a.perLabel.keys(), ...b.perLabel.keys()])].sort();
    for (const l of labels) {
      const x = a.perLabel.get(l) ?? { tp: 0, fp: 0, fn: 0 };
      const y = b.perLabel.get(l) ?? { tp: 0, fp: 0, fn: 0 };
      const cell = (t: Tally) => `${precision(t).padStart(4)} ${recall(t).padStart(4)} ${`${t.tp}/${t.fp}/${t.fn}`.padEnd(9)}`;
      console.log(`  ${l.padEnd(28)} ${cell(x)} | ${cell(y)}`);
    }
  }
  if (values.failures) {
    const cases = values.split ? all.filter((c) => c.split === values.split) : all;
    for (const { c, got } of score(cases, ours, universe).failures) {
      console.log(`\n[${c.split}] ${c.title}\n  want ${JSON.stringify(c.labels)}  got ${JSON.stringify(got)}  (${c.source ?? c.why})`);
    }
  }
}

if (isMainModule(import.meta.url)) main();
