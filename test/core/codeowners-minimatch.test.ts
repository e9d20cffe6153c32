// The CODEOWNERS matcher (patterns read in place from the file's text, literal ones never
// compiled, rules found through the index) against minimatch, the reference for what a glob
// means, on many generated patterns and paths. A CODEOWNERS pattern is a glob plus gitignore's
// placement rules, which `asGlobs` spells out in minimatch's terms.

import { Minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { compilePattern, ownersOf, parseCodeowners, patternMatches } from "../../src/core/codeowners.js";

/** The minimatch globs (dot files included) that together match what the CODEOWNERS pattern does. */
function asGlobs(pattern: string): Minimatch[] {
  return globsOf(pattern).map((g) => new Minimatch(g, { dot: true }));
}

function globsOf(pattern: string): string[] {
  const dirOnly = pattern.endsWith("/");
  const body = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  // No '/' but a trailing one: at any depth. Any other '/' anchors the pattern at the root.
  const anchored = pattern.slice(0, pattern.length - (dirOnly ? 1 : 0)).includes("/");
  const glob = anchored ? body : `**/${body}`;
  const last = body.split("/").pop()!;
  if (dirOnly) return [`${glob}/**`]; // what is inside the directory, never a file of that name
  if (last === "**") return [glob]; // everything inside, not the directory itself
  if (anchored && /^\*+$/.test(last)) return [glob]; // `docs/*`: the directory's own files only
  return [glob, `${glob}/**`]; // a file of that name, or a directory and all below it
}

/** A small deterministic generator, so a failure names a pattern that can be tried again. */
function generator(seed: number) {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  return <T>(choices: readonly T[]) => choices[Math.floor(next() * choices.length)]!;
}

const PATTERN_SEGMENTS = ["a", "b", "ab", "x.py", "*", "**", "?", "a*", "*b", "*.py", "a?b", "*a*", "a**", "***", "\\*", "a\\?", "b\\ c"];
const PATH_SEGMENTS = ["a", "b", "ab", "aab", "ba", "acb", "x.py", "a.py", ".py", "*", "?", "a?", "b c", "a*b"];
const COUNTS = [1, 1, 2, 2, 3, 4];

describe("CODEOWNERS patterns agree with minimatch", () => {
  it("on 3,000 generated patterns, each against 40 generated paths, as a compiled pattern and as a line of a file", () => {
    const pick = generator(21);
    const diffs: string[] = [];
    let matched = 0;
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      const segments = Array.from({ length: pick(COUNTS) }, () => pick(PATTERN_SEGMENTS));
      const pattern = `${pick(["", "", "/"])}${segments.join("/")}${pick(["", "", "/"])}`;
      const globs = asGlobs(pattern);
      const { matcher, error } = compilePattern(pattern);
      expect(error, pattern).toBeUndefined();
      const file = parseCodeowners(`${pattern} @owner\n`, "CODEOWNERS");
      for (let k = 0; k < 40; k++) {
        const path = Array.from({ length: pick([1, 2, 3, 4, 5]) }, () => pick(PATH_SEGMENTS)).join("/");
        const expected = globs.some((g) => g.match(path));
        const compiled = patternMatches(matcher!, path);
        const asLine = ownersOf(file, path).line === 1;
        compared++;
        if (expected) matched++;
        if ((compiled !== expected || asLine !== expected) && diffs.length < 10) {
          diffs.push(`${pattern} ~ ${path}: minimatch ${expected}, compiled ${compiled}, as a line ${asLine}`);
        }
      }
    }
    expect(diffs).toEqual([]);
    // Enough of both answers to mean something.
    expect(matched).toBeGreaterThan(compared / 20);
    expect(compared - matched).toBeGreaterThan(compared / 20);
  });

  it("gives a file of many generated lines the last matching line's owners, as minimatch decides line by line", () => {
    const pick = generator(7);
    const lines = Array.from({ length: 400 }, () => {
      const segments = Array.from({ length: pick(COUNTS) }, () => pick(PATTERN_SEGMENTS));
      return `${pick(["", "/"])}${segments.join("/")}${pick(["", "/"])}`;
    });
    const file = parseCodeowners(lines.map((l, i) => `${l} @o${i}`).join("\n"), "CODEOWNERS");
    expect(file.problems).toEqual([]);
    const globs = lines.map(asGlobs);
    let owned = 0;
    for (let k = 0; k < 1000; k++) {
      const path = Array.from({ length: pick([1, 2, 3, 4, 5]) }, () => pick(PATH_SEGMENTS)).join("/");
      let last = -1;
      globs.forEach((g, i) => {
        if (g.some((glob) => glob.match(path))) last = i;
      });
      expect(ownersOf(file, path).line, path).toBe(last < 0 ? null : last + 1);
      if (last >= 0) owned++;
    }
    expect(owned).toBeGreaterThan(50);
  });
});
