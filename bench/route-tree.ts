// Benchmark: route every path of a real pytorch/pytorch tree through the bundled module map with
// the compiled matcher (trie + prefilters + linear-time glob matching), and with baselines
// measured in the same run so the ratios hold on a noisy shared machine:
//   - the previous matcher (same trie, minimatch's match() per glob), kept in previous-matcher.ts;
//   - one precompiled Minimatch object per glob, every glob tested (what actions/labeler does);
//   - one regular expression per module (its globs' makeRe() joined), every module tested;
//   - the naive loop that calls minimatch(path, glob), rebuilding the glob, for every pair.
// Every baseline but the regex one must give identical results (makeRe() reads a trailing '/**'
// differently from match(), so that one reports its differences instead).
//
//   npm run bench [-- --tree FILE] [--runs N]

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Minimatch, minimatch } from "minimatch";
import { GLOB_OPTIONS } from "../src/core/matcher.js";
import { buildRouter, matchPath, type Router, type RuleTag } from "../src/core/router.js";
import { loadConfigFile } from "../src/io/files.js";
import { GlobMatcher as PreviousMatcher } from "./previous-matcher.js";

const { values } = parseArgs({
  options: {
    tree: { type: "string", default: "test/fixtures/pytorch/tree.txt" },
    runs: { type: "string", default: "7" },
    "cli-runs": { type: "string", default: "9" },
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

/** matchPath's semantics over any "does this glob list match this path" test. */
function routeWith(
  router: Router,
  paths: string[],
  any: (p: string, module: number, area: number, kind: "paths" | "exclude") => boolean,
): Result[] {
  return paths.map((p) => {
    const parts: string[] = [];
    router.modules.forEach((m, i) => {
      if (any(p, i, -1, "exclude")) return;
      const areas: number[] = [];
      m.spec.areas.forEach((_a, j) => {
        if (any(p, i, j, "paths") && !any(p, i, j, "exclude")) areas.push(j);
      });
      if (any(p, i, -1, "paths") || areas.length > 0) parts.push(`${i}[${areas.join(",")}]`);
    });
    return parts.join("|");
  });
}

function globsOf(router: Router, module: number, area: number, kind: "paths" | "exclude"): string[] {
  const spec = router.modules[module]!.spec;
  return area < 0 ? spec[kind] : spec.areas[area]![kind];
}

/** Precompiled Minimatch objects, one per glob; every glob of every module tested. */
function minimatchObjects(router: Router): (p: string, m: number, a: number, k: "paths" | "exclude") => boolean {
  const cache = new Map<string, Minimatch[]>();
  return (p, m, a, k) => {
    const key = `${m}/${a}/${k}`;
    let list = cache.get(key);
    if (!list) {
      list = globsOf(router, m, a, k).map((g) => new Minimatch(g, GLOB_OPTIONS));
      cache.set(key, list);
    }
    return list.some((mm) => mm.match(p));
  };
}

/** One regex per glob list (a module's paths, excludes, each area's): the globs' makeRe() joined. */
function regexPerModule(router: Router): (p: string, m: number, a: number, k: "paths" | "exclude") => boolean {
  const cache = new Map<string, RegExp | null>();
  return (p, m, a, k) => {
    const key = `${m}/${a}/${k}`;
    let re = cache.get(key);
    if (re === undefined) {
      const sources = globsOf(router, m, a, k).flatMap((g) => {
        const r = new Minimatch(g, GLOB_OPTIONS).makeRe();
        return r ? [r.source] : [];
      });
      re = sources.length ? new RegExp(sources.map((x) => `(?:${x})`).join("|")) : null;
      cache.set(key, re);
    }
    return re !== null && re.test(p);
  };
}

/** The same router, with the previous matcher in place of the current one (same rules, same order). */
function previousRouter(router: Router): Router {
  const rules: { glob: string; tag: RuleTag }[] = [];
  router.modules.forEach(({ spec }, module) => {
    for (const glob of spec.paths) rules.push({ glob, tag: { module, area: -1, kind: "include" } });
    for (const glob of spec.exclude) rules.push({ glob, tag: { module, area: -1, kind: "exclude" } });
    spec.areas.forEach((area, a) => {
      for (const glob of area.paths) rules.push({ glob, tag: { module, area: a, kind: "include" } });
      for (const glob of area.exclude) rules.push({ glob, tag: { module, area: a, kind: "exclude" } });
    });
  });
  return { ...router, matcher: new PreviousMatcher(rules) as unknown as Router["matcher"] };
}

function timed<T>(runs: number, f: () => T): { ms: number; out: T } {
  let out = f(); // warm up the JIT once, then take the median
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    out = f();
    times.push(performance.now() - s);
  }
  return { ms: median(times), out };
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

// The current and previous matchers alternate run by run, so load on the machine hits both alike.
const oldRouter = previousRouter(router);
let compiled = compiledRoute(router, paths);
const previous = { ms: 0, out: compiledRoute(oldRouter, paths) };
const currentTimes: number[] = [];
const previousTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  compiled = compiledRoute(router, paths);
  currentTimes.push(performance.now() - t);
  t = performance.now();
  previous.out = compiledRoute(oldRouter, paths);
  previousTimes.push(performance.now() - t);
}
const compiledMs = median(currentTimes);
previous.ms = median(previousTimes);
const objects = timed(Math.min(runs, 3), () => routeWith(router, paths, minimatchObjects(router)));
const regex = timed(Math.min(runs, 3), () => routeWith(router, paths, regexPerModule(router)));
const s = performance.now();
const naive = naiveRoute(router, paths);
const naiveMs = performance.now() - s;

function differences(name: string, other: Result[], report: boolean): number {
  let n = 0;
  for (let i = 0; i < paths.length; i++) {
    if (compiled[i] !== other[i]) {
      if (report && n < 10) console.error(`MISMATCH (${name}) ${paths[i]}: compiled=${compiled[i]} ${name}=${other[i]}`);
      n += 1;
    }
  }
  return n;
}
const mismatches =
  differences("naive", naive, true) + differences("previous", previous.out, true) + differences("minimatch objects", objects.out, true);
const regexDiffers = differences("regex", regex.out, false);
const routed = compiled.filter((r) => r !== "").length;
const ratio = (ms: number) => `${(ms / compiledMs).toFixed(1)}x the compiled matcher's time`;
console.log(`tree:              ${paths.length} paths (${treeFile})`);
console.log(`configuration:     ${loaded.config.modules.length} modules, ${globCount} globs`);
console.log(`routed:            ${routed} paths in at least one module, ${paths.length - routed} unmatched`);
console.log(
  `compile:           ${compileMs.toFixed(1)} ms (once per configuration; each glob's matchers are built when a path first reaches it)`,
);
console.log(
  `compiled match:    ${compiledMs.toFixed(1)} ms for the whole tree (median of ${runs} runs; ${((compiledMs * 1e6) / paths.length).toFixed(0)} ns/path)`,
);
console.log(`previous matcher:  ${previous.ms.toFixed(1)} ms (same trie, minimatch's match() per glob): ${ratio(previous.ms)}`);
console.log(`minimatch objects: ${objects.ms.toFixed(1)} ms (one precompiled Minimatch per glob, all tested): ${ratio(objects.ms)}`);
console.log(
  `regex per module:  ${regex.ms.toFixed(1)} ms (makeRe() of a module's globs joined): ${ratio(regex.ms)}; ${regexDiffers} paths routed differently (trailing '/**')`,
);
console.log(`naive minimatch:   ${naiveMs.toFixed(1)} ms (one run, ${paths.length * globCount} minimatch() calls): ${ratio(naiveMs)}`);
console.log(`identical:         ${mismatches === 0 ? "yes (naive, previous, minimatch objects)" : `NO, ${mismatches} differences`}`);
console.log(
  `targets:           whole tree < 50 ms: ${compiledMs < 50 ? "met" : "MISSED"}; >= 50x naive: ${naiveMs / compiledMs >= 50 ? "met" : "MISSED"}; ` +
    `no slower than the previous matcher: ${compiledMs <= previous.ms * 1.05 ? "met" : "MISSED"}`,
);

// The CLI's start-up: `route` with one path against `--help` (and a bare `node -e 0`), spawned
// processes taken in turn so load on the machine hits all alike; medians of --cli-runs each. They
// run in a scratch directory: outside a checkout, `route` reads the bundled configuration only.
const CLI = resolve("dist/src/cli/main.js");
const scratch = mkdtempSync(join(tmpdir(), "review-router-bench-"));
const cliRuns = Math.max(1, Number(values["cli-runs"]));
const starts: Record<"node" | "help" | "route", number[]> = { node: [], help: [], route: [] };
const argvOf = { node: ["-e", "0"], help: [CLI, "--help"], route: [CLI, "route", "torch/nn/functional.py"] };
for (let i = 0; i < cliRuns; i++) {
  for (const kind of ["node", "help", "route"] as const) {
    const t = performance.now();
    const r = spawnSync(process.execPath, argvOf[kind], { encoding: "utf8", cwd: scratch });
    starts[kind].push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${kind} exited ${r.status}: ${r.stderr}`);
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [nodeMs, helpMs, routeMs] = [med(starts.node), med(starts.help), med(starts.route)];
console.log(
  `cli start:         node -e 0 ${nodeMs.toFixed(0)} ms; review-router --help ${helpMs.toFixed(0)} ms; route with one path ${routeMs.toFixed(0)} ms (medians of ${cliRuns})`,
);
console.log(
  `cli target:        route <= 1.5x --help: ${(routeMs / helpMs).toFixed(2)}x, ${routeMs <= helpMs * 1.5 ? "met" : "MISSED"} (${(routeMs / nodeMs).toFixed(2)}x node -e 0)`,
);
if (mismatches > 0) process.exitCode = 1;
