// Benchmark: route() of one path through the bundled PyTorch configuration, with a 10,000-record
// review history (its index built once, as the CLI and the app do) and, in the same run, without
// one. The history is the PyTorch tuning file repeated with its dates shifted, to 10,000 records.
// The target: with history at most 2x without.
//
//   npm run bench:history [-- --records N] [--runs N]

import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { expertiseIndex } from "../src/core/expertise.js";
import type { HistoryRecord } from "../src/core/history.js";
import { route, type RouteInput } from "../src/core/route.js";
import { withPolicy } from "../src/core/router.js";
import { loadRouter } from "../src/io/files.js";
import { DEFAULT_HISTORY, readHistoryFile } from "./eval-reviewers.js";

const { values } = parseArgs({ options: { records: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } } });
const wanted = Number(values.records);

/** The file's records repeated, each copy moved past the previous one, to `n` records. */
function history(n: number): HistoryRecord[] {
  const base = readHistoryFile(DEFAULT_HISTORY);
  const first = Date.parse(base[0]!.date);
  const span = Date.parse(base[base.length - 1]!.date) - first + 86_400_000;
  const out: HistoryRecord[] = [];
  for (let copy = 0; out.length < n; copy++) {
    for (const r of base) {
      if (out.length >= n) break;
      out.push({ ...r, pr: r.pr + copy * 1_000_000, date: new Date(Date.parse(r.date) + copy * span).toISOString() });
    }
  }
  return out;
}

// The listed maintainers' choice, and the widened one (the bundled configuration widens).
const bundled = loadRouter().router;
const router = withPolicy(bundled, { widenToRecentApprovers: false });
const records = history(wanted);
const now = new Date(Date.parse(records[records.length - 1]!.date) + 3_600_000);
let t = performance.now();
const index = expertiseIndex(records, router.config.policy.expertiseHalfLifeDays);
const buildMs = performance.now() - t;
const input: RouteInput = {
  repository: "pytorch/pytorch",
  prNumber: 1,
  author: "someone",
  files: [{ path: "torch/nn/modules/conv.py" }],
  now,
};
const widened = withPolicy(bundled, { widenToRecentApprovers: true });

function perRoute(run: (pr: number) => unknown): number {
  const iterations = 2000;
  for (let i = 0; i < 200; i++) run(i); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run(i);
  return ((performance.now() - start) * 1000) / iterations;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const without: number[] = [];
const withHistory: number[] = [];
const withWidening: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  without.push(perRoute((pr) => route(router, { ...input, prNumber: pr + 1 })));
  withHistory.push(perRoute((pr) => route(router, { ...input, prNumber: pr + 1, history: index })));
  withWidening.push(perRoute((pr) => route(widened, { ...input, prNumber: pr + 1, history: index })));
}
t = median(without);
console.log(`history: ${index.records} records, index built once in ${buildMs.toFixed(0)} ms`);
console.log(`route of one path (torch/nn/modules/conv.py), median of ${values.runs} runs of 2,000:`);
console.log(`  without history   ${t.toFixed(1)} µs`);
console.log(`  with history      ${median(withHistory).toFixed(1)} µs  (${(median(withHistory) / t).toFixed(2)}x; target <= 2x)`);
console.log(`  with history, widened  ${median(withWidening).toFixed(1)} µs  (${(median(withWidening) / t).toFixed(2)}x)`);
