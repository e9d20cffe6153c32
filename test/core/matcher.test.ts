import { readFileSync } from "node:fs";
import { minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { GLOB_OPTIONS, GlobMatcher, globProblem } from "../../src/core/matcher.js";

const tree = readFileSync("test/fixtures/pytorch/tree.txt", "utf8").split("\n").filter(Boolean);

// Globs of every shape the matcher files differently: literal, prefix + star, globstar in the
// middle, leading globstar, braces with different prefixes, character classes, dot files.
const GLOBS = [
  "setup.py",
  "third_party/ideep",
  "torch/nn/**",
  "torch/nn/parallel/**",
  "torch/autograd/profiler*",
  "aten/src/ATen/native/**/*LinearAlgebra*",
  "aten/src/ATen/native/*LinearAlgebra*",
  "**/*rocm*",
  "**/*rocm*/**",
  "*.bzl",
  "test/test_jit*.py",
  "{torch,test}/fx/**",
  "torch/{nn,optim}/*.py",
  ".github/**",
  ".ci/docker/common/install_roc*.sh",
  "c10/[ch]*/**",
  "docs/source/distributed*",
  "torch/csrc/jit/passes/onnx.*",
  "torch",
  "**/*[Ww]indows*",
  "mypy*.ini",
  "test/?est_*.py",
  "**/hip/**",
];

describe("GlobMatcher", () => {
  const matcher = new GlobMatcher(GLOBS.map((glob, i) => ({ glob, tag: i })));

  it("gives exactly minimatch's answers on every path of the real tree", () => {
    let compared = 0;
    for (const path of tree) {
      const expected = GLOBS.flatMap((g, i) => (minimatch(path, g, GLOB_OPTIONS) ? [i] : []));
      const actual = matcher.match(path).map((h) => h.tag);
      expect(actual, path).toEqual(expected);
      compared += 1;
    }
    expect(compared).toBe(9018);
  });

  it("treats a folder glob and a trailing '/**' as minimatch does", () => {
    for (const path of ["torch/nn", "torch", "x/install_rocm.sh", "x/rocm/y.sh"]) {
      const expected = GLOBS.filter((g) => minimatch(path, g, GLOB_OPTIONS));
      expect(
        matcher.match(path).map((h) => h.glob),
        path,
      ).toEqual(expected);
    }
  });

  it("includes dot files and dot folders", () => {
    expect(matcher.match(".github/workflows/lint.yml").map((h) => h.glob)).toEqual([".github/**"]);
    expect(matcher.match("foo/.rocm-config").map((h) => h.glob)).toEqual(["**/*rocm*"]);
  });

  it("returns hits in the order the rules were given", () => {
    const m = new GlobMatcher([
      { glob: "a/**", tag: "second-level" },
      { glob: "**", tag: "everything" },
      { glob: "a/b.py", tag: "literal" },
    ]);
    expect(m.match("a/b.py").map((h) => h.tag)).toEqual(["second-level", "everything", "literal"]);
  });
});

describe("globProblem", () => {
  it("accepts ordinary globs", () => {
    for (const g of GLOBS) expect(globProblem(g), g).toBeUndefined();
  });
  it.each([
    ["", "empty glob"],
    ["!torch/nn/**", "negated globs"],
    ["#comment", "comment"],
    ["/torch/nn/**", "leading '/'"],
    ["./torch/**", "leading './'"],
    ["torch/nn/", "ending in '/'"],
    ["a".repeat(501), "limit is 500"],
    [Array.from({ length: 12 }, () => "**").join("/x/"), "'**' segments"],
    ["{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}", "alternatives"],
  ])("refuses %j with a reason", (glob, reason) => {
    expect(globProblem(glob)).toContain(reason);
  });
});
