import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compilePattern,
  decidingIndex,
  decidingRule,
  findCodeownersPath,
  ownersOf,
  parseCodeowners,
  parseOwner,
  patternMatches,
} from "../../src/core/codeowners.js";
import { formatProblem } from "../../src/core/problems.js";

/** [pattern, path, matches] — each row one rule of GitHub's documentation or gitignore's it relies on. */
const PATTERNS: [string, string, boolean][] = [
  // '*' alone owns everything, at any depth.
  ["*", "README.md", true],
  ["*", "a/b/c.txt", true],
  // '*.js': no slash, so any depth; '*' never crosses '/'.
  ["*.js", "app.js", true],
  ["*.js", "src/deep/app.js", true],
  ["*.js", "app.jsx", false],
  ["*.js", "src/app.ts", false],
  // A leading '/' anchors at the root.
  ["/build/logs/", "build/logs/x.log", true],
  ["/build/logs/", "build/logs/deeper/x.log", true],
  ["/build/logs/", "src/build/logs/x.log", false],
  // A trailing '/' names a directory: its contents at any depth, never a file of that name.
  ["/build/logs/", "build/logs", false],
  ["apps/", "apps/main.go", true],
  ["apps/", "services/apps/main.go", true],
  ["apps/", "apps", false],
  ["apps/", "myapps/x", false],
  // 'docs/*': direct files of docs only, anchored (it has a slash).
  ["docs/*", "docs/getting-started.md", true],
  ["docs/*", "docs/build-app/troubleshooting.md", false],
  ["docs/*", "src/docs/x.md", false],
  ["/*", "README.md", true],
  ["/*", "src/README.md", false],
  // A pattern without a trailing '/' names a file or a directory and everything below it.
  ["/docs", "docs", true],
  ["/docs", "docs/a/b.md", true],
  ["/docs", "docsite/a.md", false],
  ["/apps/github", "apps/github/x.rb", true],
  // A slash in the middle anchors too.
  ["docs/guide", "docs/guide/a.md", true],
  ["docs/guide", "src/docs/guide/a.md", false],
  // Leading '**/': in any directory.
  ["**/logs", "build/logs/x", true],
  ["**/logs", "scripts/logs/y", true],
  ["**/logs", "deeply/nested/logs/z", true],
  ["**/logs", "logs/a", true],
  ["**/logs", "catalogs/a", false],
  // Trailing '/**': everything inside, not the directory itself.
  ["/abc/**", "abc/x", true],
  ["/abc/**", "abc/x/y/z", true],
  ["/abc/**", "abc", false],
  ["/abc/**", "xabc/x", false],
  // Middle '/**/': zero or more directories.
  ["a/**/b", "a/b", true],
  ["a/**/b", "a/x/b", true],
  ["a/**/b", "a/x/y/b", true],
  ["a/**/b", "a/x/y/bb", false],
  ["/aten/src/ATen/native/**/*LinearAlgebra*", "aten/src/ATen/native/cuda/BatchLinearAlgebra.cpp", true],
  ["/aten/src/ATen/native/**/*LinearAlgebra*", "aten/src/ATen/native/LinearAlgebra.cpp", true],
  ["/aten/src/ATen/native/**/*LinearAlgebra*", "aten/src/ATen/LinearAlgebra.cpp", false],
  // '?' is one character, never '/'.
  ["/file?.txt", "file1.txt", true],
  ["/file?.txt", "file12.txt", false],
  ["a?b", "a/b", false],
  // Several '*' in one segment.
  ["/x*y*z", "xAyBz", true],
  ["/x*y*z", "xzy", false],
  ["/x*y*z", "xyz", true],
  ["/x*y*z", "xyzyz", true],
  // Paths are case sensitive.
  ["/Docs/", "docs/a.md", false],
  // A backslash makes the next character plain, as in gitignore.
  ["/notes/\\*", "notes/*", true],
  ["/notes/\\*", "notes/todo.md", false],
  ["/what\\?.md", "what?.md", true],
  ["/what\\?.md", "whatX.md", false],
  ["docs/\\#pinned.md", "docs/#pinned.md", true],
  ["docs/a\\#b", "docs/a#b", true],
  ["/My\\ Documents/", "My Documents/cv.pdf", true],
  ["/My\\ Documents/", "My/cv.pdf", false],
  ["/back\\\\slash", "back\\slash", true],
  ["\\[draft\\].md", "notes/[draft].md", true],
  ["/star\\**", "star*", true], // an escaped '*' then a wildcard one
  ["/star\\**", "star*x", true],
  ["/star\\**", "starx", false],
  ["/a\\*b*c", "a*bXc", true],
  ["/a\\*b*c", "aXbXc", false],
];

describe("CODEOWNERS patterns", () => {
  it.each(PATTERNS)("%s against %s → %s", (pattern, path, expected) => {
    const { matcher, error } = compilePattern(pattern);
    expect(error).toBeUndefined();
    expect(patternMatches(matcher!, path)).toBe(expected);
  });

  it.each(PATTERNS)("%s against %s → %s, as a line of a file too (literal lines are matched uncompiled)", (pattern, path, expected) => {
    const one = parseCodeowners(`${pattern} @owner\n`, "CODEOWNERS");
    expect(one.problems).toEqual([]);
    expect(ownersOf(one, path).line).toBe(expected ? 1 : null);
  });

  it.each([
    ["!docs/", "negation"],
    ["\\#file", "escaping '#'"],
    ["docs/[ab].md", "character ranges"],
    ["a//b", "empty segment"],
    ["/", "names no path"],
    ["/docs\\", "lone '\\'"],
    ["/a/\\./b", "'.' and '..'"],
  ])("refuses %s (%s)", (pattern, reason) => {
    expect(compilePattern(pattern).error).toContain(reason);
  });

  it("costs no more than path length times pattern length on hostile input", () => {
    const pattern = `/${"*a".repeat(400)}b`;
    const path = "a".repeat(20000);
    const { matcher } = compilePattern(pattern);
    const t = performance.now();
    expect(patternMatches(matcher!, path)).toBe(false);
    const deep = `/${"**/a/".repeat(50)}b`;
    expect(patternMatches(compilePattern(deep).matcher!, "a/".repeat(5000) + "c")).toBe(false);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe("parseCodeowners", () => {
  // GitHub's documented example, lines numbered as in the text.
  const text = [
    "# This is a comment.", // 1
    "*       @global-owner1 @global-owner2", // 2
    "*.js    @js-owner #This is an inline comment.", // 3
    "*.go docs@example.com", // 4
    "*.txt @octo-org/octocats", // 5
    "/build/logs/ @doctocat", // 6
    "docs/*  docs@example.com", // 7
    "apps/ @octocat", // 8
    "/docs/ @doctocat", // 9
    "/scripts/ @doctocat @octocat", // 10
    "**/logs @octocat", // 11
    "/apps/ @octocat", // 12
    "/apps/github", // 13
    "/content/ @octocat", // 14
    "/content/github @doctocat", // 15
  ].join("\n");
  const co = parseCodeowners(text, ".github/CODEOWNERS");

  it.each([
    ["README.md", ["@global-owner1", "@global-owner2"], 2],
    ["src/index.js", ["@js-owner"], 3],
    ["cmd/main.go", ["docs@example.com"], 4],
    ["notes/a.txt", ["@octo-org/octocats"], 5],
    ["build/logs/today.log", ["@octocat"], 11], // '**/logs' comes later and wins
    ["docs/build-app/troubleshooting.md", ["@doctocat"], 9],
    ["scripts/run.sh", ["@doctocat", "@octocat"], 10],
    ["apps/web/x.rb", ["@octocat"], 12],
    ["apps/github/x.rb", [], null], // line 13 has no owners: the path is unowned
    ["content/github/page.md", ["@doctocat"], 15],
    ["content/other.md", ["@octocat"], 14],
  ])("%s is owned by %j (line %s)", (path, owners, line) => {
    expect(co.problems).toEqual([]);
    expect(ownersOf(co, path)).toEqual({ path, owners, line });
  });

  it("reports an unowned path with line null, and the ownerless line that decided it", () => {
    const only = parseCodeowners("/src/ @a\n", "CODEOWNERS");
    expect(ownersOf(only, "lib/x.c")).toEqual({ path: "lib/x.c", owners: [], line: null });
    expect(decidingRule(co, "apps/github/x.rb")!.line).toBe(13);
  });

  it("reports bad owners and unsupported syntax with FILE:LINE and skips those lines", () => {
    const bad = parseCodeowners(
      ["/a/ @ok", "/b/ alice", "!/c/ @x", "/d/[xy] @x", "\\#e @x", "/f/ @org/team @-bad-"].join("\n"),
      "CODEOWNERS",
    );
    expect(bad.problems.map(formatProblem)).toEqual([
      'CODEOWNERS:2: error: "alice" is not an owner: write @login, @org/team-name or an email address (GitHub skips this line)',
      expect.stringMatching(/^CODEOWNERS:3: error: negation/),
      expect.stringMatching(/^CODEOWNERS:4: error: character ranges/),
      expect.stringMatching(/^CODEOWNERS:5: error: escaping '#'/),
      expect.stringMatching(/^CODEOWNERS:6: error: "@-bad-" is not an owner/),
    ]);
    expect(bad.rules.map((r) => r.line)).toEqual([1]);
  });

  it("the last matching line wins between lines filed apart (by directory, by name, by extension, the rest)", () => {
    const lines = ["* @all", "/src/ @src", "*.js @js", "Makefile @make", "/src/gen/ @gen", "build/ @build", "*.min.js @min"];
    const mixed = parseCodeowners(lines.join("\n"), "CODEOWNERS");
    expect(
      ["src/a.js", "src/gen/a.js", "src/gen/x.c", "src/Makefile", "lib/build/a.py", "build", "a.min.js", "src/gen/b.min.js", "x.c"].map(
        (p) => ownersOf(mixed, p).line,
      ),
    ).toEqual([3, 5, 5, 4, 6, 1, 7, 7, 1]);
  });

  it("meets only the lines that can match a path: filed by leading directories, by the last segment's name or extension", () => {
    // 12,000 lines no path below meets but the last few; lookups count the lines met (every 64, a tick).
    const lines = Array.from({ length: 3000 }, (_, i) => [`/d${i}/ @a`, `**/*.x${i} @b`, `/*/n${i} @c`, `*/**/m${i}.txt @d`]).flat();
    const co = parseCodeowners([...lines, "**/*.py @py", "/*/Makefile @make", "*.md @md"].join("\n"), "CODEOWNERS");
    expect(co.problems).toEqual([]);
    let ticks = 0;
    const tick = () => void ticks++;
    const lineOf = (path: string) => decidingIndex(co, path, tick) + 1;
    expect([lineOf("src/a.py"), lineOf("src/Makefile"), lineOf("docs/x/y.md"), lineOf("d7/q/m5.txt"), lineOf("e/f.x2999")]).toEqual([
      12001,
      12002,
      12003,
      1 + 4 * 7,
      2 + 4 * 2999,
    ]);
    expect(lineOf("x/m5.txt")).toBe(4 * 5 + 4);
    expect(lineOf("lib/Makefile/notes.txt")).toBe(12002); // a directory named by the last segment, and all below it
    expect(lineOf("Makefile")).toBe(0); // '/*/Makefile' wants a directory above
    expect(ticks).toBe(0);
  });

  it("reads an escaped space as part of the pattern, not as the end of it", () => {
    const spaced = parseCodeowners("/My\\ Documents/ @alice\n/a\\ b\\#c @bob # comment\n", "CODEOWNERS");
    expect(spaced.problems).toEqual([]);
    expect(spaced.rules.map((r) => [r.pattern, r.owners.map((o) => o.text)])).toEqual([
      ["/My\\ Documents/", ["@alice"]],
      ["/a\\ b\\#c", ["@bob"]],
    ]);
    expect(ownersOf(spaced, "My Documents/x.txt").owners).toEqual(["@alice"]);
    expect(ownersOf(spaced, "a b#c").owners).toEqual(["@bob"]);
  });

  it("stops reading with BudgetExceeded, naming the line, once the deadline has passed", () => {
    let clock = 0;
    const deadline = { now: () => clock++, at: 3, limit: "200 ms of routing" }; // checked every 4096 lines: the 5th check is late
    const text = Array.from({ length: 50_000 }, (_, i) => `/d${i}/ @a`).join("\n");
    expect(() => parseCodeowners(text, "CODEOWNERS", deadline)).toThrow(
      /the routing budget \(200 ms of routing\) was exceeded while reading CODEOWNERS \(line \d+ of 50000\)/,
    );
  });

  it("reads owners of the three kinds", () => {
    expect(parseOwner("@alice")).toEqual({ text: "@alice", kind: "user", name: "alice" });
    expect(parseOwner("@pytorch/pytorch-dev-infra")).toEqual({
      text: "@pytorch/pytorch-dev-infra",
      kind: "team",
      name: "pytorch/pytorch-dev-infra",
    });
    expect(parseOwner("a.b@example.com")).toEqual({ text: "a.b@example.com", kind: "email", name: "a.b@example.com" });
    expect(parseOwner("alice")).toBeUndefined();
    expect(parseOwner("@")).toBeUndefined();
  });

  it("gives rules the labels of the '# label:' line above their group", () => {
    const labelled = parseCodeowners(
      [
        "/a @x",
        "# [sec]",
        "# label: module: a, oncall: b",
        "/b @y",
        "# some comment",
        "/c @z",
        "# label: module: d",
        "/d @w",
        "#",
        "# [next]",
        "/e @v",
        "# label: l",
        "",
        "/f @u",
      ].join("\n"),
    );
    expect(labelled.rules.map((r) => [r.pattern, r.labels])).toEqual([
      ["/a", []],
      ["/b", ["module: a", "oncall: b"]],
      ["/c", ["module: a", "oncall: b"]],
      ["/d", ["module: d"]],
      ["/e", []],
      ["/f", []],
    ]);
  });

  it("looks the file up where GitHub does, first found", () => {
    expect(findCodeownersPath((p) => p === "CODEOWNERS" || p === "docs/CODEOWNERS")).toBe("CODEOWNERS");
    expect(findCodeownersPath((p) => p === "docs/CODEOWNERS" || p === ".github/CODEOWNERS")).toBe(".github/CODEOWNERS");
    expect(findCodeownersPath(() => false)).toBeUndefined();
  });

  it("reads PyTorch's CODEOWNERS without problems, with its labels and teams", () => {
    const py = parseCodeowners(readFileSync("test/fixtures/pytorch/CODEOWNERS", "utf8"), "CODEOWNERS");
    expect(py.problems).toEqual([]);
    expect(ownersOf(py, "torch/_functorch/_aot_autograd/complex_decomposition.py")).toEqual({
      path: "torch/_functorch/_aot_autograd/complex_decomposition.py",
      owners: ["@hameerabbasi", "@amjames"],
      line: expect.any(Number),
    });
    const rule = py.rules.find((r) => r.pattern === "/torch/_functorch/_aot_autograd/complex_decomposition.py")!;
    expect(rule.labels).toEqual(["oncall: pt2", "module: aotdispatch", "module: complex"]);
    const merge = py.rules.find((r) => r.pattern === "/.github/merge_rules.yaml")!;
    expect(merge.owners.map((o) => o.kind)).toEqual(["team", "user", "user"]);
  });
});
