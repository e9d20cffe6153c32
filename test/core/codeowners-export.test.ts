import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ownersOf, parseCodeowners } from "../../src/core/codeowners.js";
import { compareCodeowners, configOwnership, exportCodeowners, globToCodeowners, sameOwners } from "../../src/core/codeowners-export.js";
import { withCodeowners } from "../../src/core/codeowners-modules.js";
import { buildRouter } from "../../src/core/router.js";
import { loadRouter } from "../../src/io/files.js";

const REPO = "pytorch/pytorch";
const tree = readFileSync("test/fixtures/pytorch/tree.txt", "utf8").split("\n").filter(Boolean);
const { router } = loadRouter();

describe("globToCodeowners", () => {
  it.each([
    ["torch/nn/**", ["/torch/nn/"]],
    ["setup.py", ["/setup.py"]],
    ["torch/*.py", ["/torch/*.py"]],
    ["**/*.bzl", ["/**/*.bzl"]],
    ["a/{b,c}/*.h", ["/a/b/*.h", "/a/c/*.h"]],
    ["**/*[Ww]indows*", ["/**/*Windows*", "/**/*windows*"]],
    ["**", ["*"]],
  ])("%s → %j", (glob, patterns) => {
    expect(globToCodeowners(glob)).toEqual({ patterns });
  });
  it.each([["a/[a-z].py"], ["a/[!x].py"], ["a/+(x|y)"], ["a b/c"]])("cannot write %s", (glob) => {
    expect(globToCodeowners(glob).error).toBeDefined();
  });
});

describe("export → read → same routing, on every path of the PyTorch tree", () => {
  const exported = exportCodeowners(router, REPO, tree);
  const co = parseCodeowners(exported.text, "CODEOWNERS");

  it("writes a file GitHub reads without a problem, listing active maintainers only", () => {
    expect(co.problems).toEqual([]);
    expect(exported.unexpressed).toEqual([]);
    expect(exported.remaining).toEqual([]);
    const emeritus = new Set(
      router.registry.entries.flatMap((e) => e.maintainers.filter((m) => m.emeritus).map((m) => m.login.toLowerCase())),
    );
    const active = new Set(
      router.registry.entries.flatMap((e) => e.maintainers.filter((m) => !m.emeritus).map((m) => m.login.toLowerCase())),
    );
    for (const rule of co.rules)
      for (const o of rule.owners) expect(active.has(o.name.toLowerCase()) || !emeritus.has(o.name.toLowerCase())).toBe(true);
  });

  it("gives every path the configuration's owners and labels", () => {
    const reread = buildRouter(withCodeowners({ ...router.config, modules: [] }, co), router.registry);
    const differ: string[] = [];
    for (const path of tree) {
      const want = configOwnership(router, REPO, path);
      const got = configOwnership(reread, REPO, path);
      const direct = ownersOf(co, path).owners;
      if (
        !sameOwners(want.owners, got.owners) ||
        !sameOwners(want.owners, direct) ||
        [...want.labels].sort().join() !== [...got.labels].sort().join()
      ) {
        differ.push(path);
      }
    }
    expect(differ).toEqual([]);
    // Not vacuous: most of the tree is owned, and the exact lines are a minority of the file.
    expect(tree.filter((p) => configOwnership(router, REPO, p).owners.length > 0).length).toBeGreaterThan(4000);
    expect(exported.exactLines).toBeLessThan(co.rules.length);
  });

  it("without a tree, says nothing about paths it cannot check", () => {
    const plain = exportCodeowners(router, REPO);
    expect(plain.exactLines).toBe(0);
    expect(plain.text).toContain("# label: module: nn\n/torch/nn/ ");
  });
});

describe("compareCodeowners", () => {
  it("finds no difference between the configuration and its export", () => {
    const co = parseCodeowners(exportCodeowners(router, REPO, tree).text, "CODEOWNERS");
    expect(compareCodeowners(router, REPO, co, tree)).toEqual([]);
  });

  it("lists emeritus owners, owners who maintain nothing, skipped lines and paths owned differently", () => {
    const emeritus = router.registry.entries
      .flatMap((e) => e.maintainers)
      .find(
        (m) =>
          m.emeritus &&
          !router.registry.entries.some((e) => e.maintainers.some((x) => !x.emeritus && x.login.toLowerCase() === m.login.toLowerCase())),
      )!;
    const co = parseCodeowners([`/torch/nn/ @${emeritus.login}`, "/torch/optim/ @nobody-here-xyz", "/bad/ owner"].join("\n"), "CODEOWNERS");
    const diffs = compareCodeowners(router, REPO, co, ["torch/nn/functional.py", "torch/optim/adam.py", "README.md"]);
    expect(diffs.map((d) => [d.kind, d.line ?? null, d.path ?? d.owner ?? null])).toEqual([
      ["problem", 3, null],
      ["emeritus", 1, `@${emeritus.login}`],
      ["not a maintainer", 2, "@nobody-here-xyz"],
      ["path", 1, "torch/nn/functional.py"],
      ["path", 2, "torch/optim/adam.py"],
    ]);
  });
});
