// The matcher gives minimatch's answers ({dot: true}) without ever backtracking: on the real
// PyTorch tree against every glob of the bundled configuration, and on generated globs and paths.

import { readFileSync } from "node:fs";
import { braceExpand, Minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { countBraceAlternatives, GLOB_OPTIONS, GlobMatcher, globProblem, MAX_ALTERNATIVES } from "../../src/core/matcher.js";
import { MAX_GLOBS_TOTAL, parseConfig } from "../../src/core/config.js";
import { formatProblem } from "../../src/core/problems.js";
import { loadConfigFile } from "../../src/io/files.js";

const tree = readFileSync("test/fixtures/pytorch/tree.txt", "utf8").split("\n").filter(Boolean);

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomSegmentGlob(r: () => number, depth = 0): string {
  const n = 1 + Math.floor(r() * 4);
  let out = "";
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.3) out += pick(r, ["a", "b", "."]);
    else if (k < 0.5) out += "*";
    else if (k < 0.62) out += "?";
    else if (k < 0.8) out += pick(r, ["[ab]", "[!a]", "[a-c]", "[.b]", "[^b.]", "[]a]"]);
    else if (depth === 0) out += `{${randomSegmentGlob(r, 1)},${randomSegmentGlob(r, 1)}}`;
    else out += "b";
  }
  return out;
}

function randomGlob(r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  const segs: string[] = [];
  for (let i = 0; i < n; i++) segs.push(r() < 0.25 ? "**" : randomSegmentGlob(r));
  return segs.join("/");
}

function randomPath(r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  const segs: string[] = [];
  for (let i = 0; i < n; i++) {
    // Dot files yes; '.' and '..' segments never occur in a repository path GitHub lists.
    let s = "";
    do {
      s = "";
      const len = 1 + Math.floor(r() * 4);
      for (let j = 0; j < len; j++) s += pick(r, ["a", "b", "c", ".", "]"]);
    } while (s === "." || s === "..");
    segs.push(s);
  }
  return segs.join("/");
}

describe("GlobMatcher agrees with minimatch", () => {
  it("on every path of the PyTorch tree against every glob of the bundled configuration", () => {
    const { config } = loadConfigFile();
    const globs = [
      ...new Set(config.modules.flatMap((m) => [...m.paths, ...m.exclude, ...m.areas.flatMap((a) => [...a.paths, ...a.exclude])])),
    ];
    expect(globs.length).toBeGreaterThan(200);
    expect(tree.length).toBeGreaterThan(9000);
    // One matcher per glob: each is checked alone, not through the rules around it.
    const matcher = new GlobMatcher(globs.map((glob, i) => ({ glob, tag: i })));
    const reference = globs.map((glob) => new Minimatch(glob, GLOB_OPTIONS));
    let hits = 0;
    const diffs: string[] = [];
    for (const path of tree) {
      const mine = new Set(matcher.match(path).map((h) => h.tag));
      globs.forEach((glob, i) => {
        const ref = reference[i]!.match(path);
        if (ref) hits++;
        if (ref !== mine.has(i) && diffs.length < 10) diffs.push(`${path} ~ ${glob}: minimatch ${ref}`);
      });
    }
    expect(diffs).toEqual([]);
    expect(hits).toBeGreaterThan(5000);
  });

  it("on generated globs (*, ?, **, classes, braces, dots) and paths", () => {
    const r = rng(8);
    let compared = 0;
    let matched = 0;
    const diffs: string[] = [];
    for (let g = 0; g < 1500; g++) {
      const glob = randomGlob(r);
      if (globProblem(glob) !== undefined) continue;
      const matcher = new GlobMatcher([{ glob, tag: 0 }]);
      const reference = new Minimatch(glob, GLOB_OPTIONS);
      for (let p = 0; p < 40; p++) {
        const path = randomPath(r);
        const ref = reference.match(path);
        const mine = matcher.match(path).length === 1;
        compared++;
        if (ref) matched++;
        if (ref !== mine && diffs.length < 10) diffs.push(`${path} ~ ${glob}: minimatch ${ref}`);
      }
    }
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(30_000);
    expect(matched, "enough generated cases match for the comparison to mean something").toBeGreaterThan(2000);
  });
});

describe("matching cost", () => {
  it("matches the backtracking-bomb glob against a 48-character name at once", () => {
    const glob = "*a*a*a*a*a*a*a*a*a*a*a*a*b";
    expect(globProblem(glob)).toBeUndefined();
    const matcher = new GlobMatcher([
      { glob, tag: 0 },
      { glob: "**/*a*a*a*a*a*a*a*a*a*a*a*a*b/**/x", tag: 1 },
    ]);
    const start = process.hrtime.bigint();
    expect(matcher.match("a".repeat(48))).toEqual([]);
    expect(matcher.match(`${"a".repeat(5000)}`)).toEqual([]);
    expect(matcher.match(`${"a/".repeat(300)}${"a".repeat(300)}b/x`).map((h) => h.tag)).toEqual([1]);
    expect(matcher.match(`${"a".repeat(47)}b`).map((h) => h.tag)).toEqual([0]);
    // A generous bound (a backtracking matcher takes minutes here); the bench measures speed.
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(2000);
  });
});

describe("globProblem", () => {
  it("refuses extglobs, which cannot be matched without backtracking", () => {
    for (const glob of ["+(a|aa)+(a|aa)x", "src/@(a|b).py", "*(x)", "?(y)z", "a/!(b)"]) {
      expect(globProblem(glob), glob).toMatch(/^extglob patterns like '\+\(a\|b\)' or '@\(x\)' are not supported/);
    }
    expect(globProblem("a\\+(b)")).toBeUndefined();
    expect(globProblem("src/(a).py")).toBeUndefined();
  });

  it("counts brace alternatives without expanding them", () => {
    const huge = `{${Array.from({ length: 249 }, (_, i) => String(i % 10)).join(",")}}`;
    expect(huge.length).toBeLessThanOrEqual(500);
    const bomb = "{a,b}".repeat(100);
    expect(bomb.length).toBe(500);
    const start = process.hrtime.bigint();
    expect(globProblem(bomb)).toBe(`glob expands to more than ${MAX_ALTERNATIVES} alternatives; the limit is ${MAX_ALTERNATIVES}`);
    expect(globProblem(huge)).toBe(`glob expands to more than ${MAX_ALTERNATIVES} alternatives; the limit is ${MAX_ALTERNATIVES}`);
    expect(globProblem("{1..100000000}/x")).toMatch(/more than 64 alternatives/);
    // Expanding 2^100 alternatives would never finish; counting is immediate.
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(500);
    expect(globProblem("{a,b}/{c,d}/{e,f}/{g,h}/{i,j}/{k,l}")).toBeUndefined(); // exactly 64
    expect(globProblem("{a,b}/{c,d}/{e,f}/{g,h}/{i,j}/{k,l,m}")).toMatch(/more than 64/);
    expect(globProblem("a/{b}/c,d")).toMatch(/every '\{' needs a matching '\}'/);
  });

  it("counts what brace expansion gives, on generated brace globs", () => {
    const r = rng(64);
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const glob = randomGlob(r);
      const counted = countBraceAlternatives(glob, 1000);
      if (counted.irregular) continue;
      expect(counted.count, glob).toBe(braceExpand(glob).length);
      compared++;
    }
    for (const glob of ["{1..3}{a..c..2}", "a{,b}", "{a,{b,c}}x{1,2}", "x{0..20..5}", "\\{a,b}"]) {
      expect(countBraceAlternatives(glob).count, glob).toBe(braceExpand(glob).length);
    }
    expect(compared).toBeGreaterThan(2000);
  });
});

describe("configuration check", () => {
  it("names file, line and key of an extglob and of an oversized brace glob", () => {
    const text = [
      "modules:",
      "  - name: M",
      "    label: m",
      "    maintainers: [alice]",
      "    paths:",
      '      - "+(a|aa)+(a|aa)x"',
      `      - "${"{a,b}".repeat(7)}"`,
      "",
    ].join("\n");
    const { problems } = parseConfig(text, "review-router.yml");
    expect(problems.map(formatProblem)).toEqual([
      "review-router.yml:6: error: modules[0].paths[0]: bad glob \"+(a|aa)+(a|aa)x\": extglob patterns like '+(a|b)' or '@(x)' are not supported " +
        "(they cannot be matched in linear time); use braces '{a,b}' instead",
      'review-router.yml:7: error: modules[0].paths[1]: bad glob "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}": glob expands to more than 64 alternatives; the limit is 64',
    ]);
  });

  it("refuses more than 5,000 globs in all before checking any of them", () => {
    const lines = ["modules:"];
    for (let m = 0; m < 26; m++) {
      lines.push(`  - name: M${m}`, `    label: m${m}`, "    maintainers: [alice]", "    paths:");
      for (let g = 0; g < 200; g++) lines.push(`      - "d${m}/f${g}/**"`);
    }
    const { problems } = parseConfig(`${lines.join("\n")}\n`, "c.yml");
    expect(problems.map(formatProblem)).toEqual([
      `c.yml:${2 + 25 * 204 + 3}: error: modules[25].paths: the configuration has more than ${MAX_GLOBS_TOTAL} globs in all; the limit is ${MAX_GLOBS_TOTAL}`,
    ]);
  });
});
