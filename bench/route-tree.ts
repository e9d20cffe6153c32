// Benchmark: route every path of a real pytorch/pytorch tree through the bundled module map,
// once with the compiled matcher and once with the naive loop that calls minimatch(path, glob)
// for every path and glob. Both must give identical results; the figures are measured in the
// same run so the ratio holds on a noisy shared machine.
//
//   npm run bench [-- --tree FILE] [--runs N]

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { minimatch } from "minimatch";
import { GLOB_OPTIONS } from "../src/core/matcher.js";
import { buildRouter, matchPath, type Router } from "../src/core/router.js";
import { loadConfigFile } from "../src/io/files.js";

const { values } = parseArgs({
  options: {
    tree: { type: "string", default: "test/fixtures/pytorch/tree.txt" },
    runs: { type: "string", default: "7" },
  },
});
const REPO = "pytorch/pytorch";

/** A path's modules and areas as one comparable string, e.g. "3[0,2]|7[]". */
type Result = string;

function compiledRoute(router: Router, paths: string[]): Result[] {
  return paths.map((p) =>
    matchPath(router, REPO, p)
      .map((m) => `${m.module}[${m.areas.join(",")}]`)
      .join("|"),
  );
}

/** The same semantics as matchPath, one minimatch() call per path and glob. */
function naiveRoute(router: Router, paths: string[]): Result[] {
  const any = (p: string, globs: string[]) => globs.some((g) => minimatch(p, g, GLOB_OPTIONS));
  return paths.map((p) => {
    const parts: string[] = [];
    router.modules.forEach((m, i) => {
      const spec = m.spec;
      if (spec.repositories.some((r) => r.toLowerCase() === REPO)) throw new Error("bench assumes no module owns the benchmark repository");
      if (any(p, spec.exclude)) return;
      const areas: number[] = [];
      spec.areas.forEach((a, j) => {
        if (any(p, a.paths) && !any(p, a.exclude)) areas.push(j);
      });
      if (any(p, spec.paths) || areas.length > 0) parts.push(`${i}[${areas.join(",")}]`);
    });
    return parts.join("|");
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const treeFile = resolve(values.tree);
const paths = readFileSync(treeFile, "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "");
const runs = Math.max(1, Number(values.runs) || 7);
const loaded = loadConfigFile();
const globCount = loaded.config.modules.reduce(
  (n, m) => n + m.paths.length + m.exclude.length + m.areas.reduce((k, a) => k + a.paths.length + a.exclude.length, 0),
  0,
);

const t0 = performance.now();
const router = buildRouter(loaded.config, loaded.registry);
const compileMs = performance.now() - t0;

// Warm up the JIT once, then take the median of several runs.
let compiled = compiledRoute(router, paths);
const compiledTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  compiled = compiledRoute(router, paths);
  compiledTimes.push(performance.now() - s);
}
const s = performance.now();
const naive = naiveRoute(router, paths);
const naiveMs = performance.now() - s;

let mismatches = 0;
for (let i = 0; i < paths.length; i++) {
  if (compiled[i] !== naive[i]) {
    if (mismatches < 10) console.error(`MISMATCH ${paths[i]}: compiled=${compiled[i]} naive=${naive[i]}`);
    mismatches += 1;
  }
}
const routed = compiled.filter((r) => r !== "").length;
const compiledMs = median(compiledTimes);
console.log(`tree:            ${paths.length} paths (${treeFile})`);
console.log(`configuration:   ${loaded.config.modules.length} modules, ${globCount} globs`);
console.log(`routed:          ${routed} paths in at least one module, ${paths.length - routed} unmatched`);
console.log(`compile:         ${compileMs.toFixed(1)} ms (once per configuration)`);
console.log(`compiled match:  ${compiledMs.toFixed(1)} ms for the whole tree (median of ${runs} runs; ${((compiledMs * 1e6) / paths.length).toFixed(0)} ns/path)`);
console.log(`naive minimatch: ${naiveMs.toFixed(1)} ms for the whole tree (one run, ${paths.length * globCount} minimatch calls)`);
console.log(`ratio:           ${(naiveMs / compiledMs).toFixed(1)}x faster`);
console.log(`identical:       ${mismatches === 0 ? "yes" : `NO, ${mismatches} paths differ`}`);
console.log(`targets:         whole tree < 50 ms: ${compiledMs < 50 ? "met" : "MISSED"}; >= 50x naive: ${naiveMs / compiledMs >= 50 ? "met" : "MISSED"}`);
if (mismatches > 0) process.exitCode = 1;
