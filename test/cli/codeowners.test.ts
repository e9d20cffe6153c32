// `review-router codeowners`, `codeowners export`, `codeowners check` and `init`, run as child processes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decisionOf } from "../helpers/cli.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const TREE = resolve("test/fixtures/pytorch/tree.txt");

function cli(args: string[], cwd = process.cwd(), input = "") {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], { cwd, input, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "review-router-codeowners-"));
}

const SAMPLE = ["* @alice", "/docs/ @bob @acme/docs", "/docs/generated/", "bad-line alice"].join("\n");

describe("review-router codeowners", () => {
  it("prints each path's owners and deciding line as JSON, warning about skipped lines", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "CODEOWNERS"), SAMPLE);
    const r = cli(["codeowners", join(dir, "CODEOWNERS"), "a/b.py", "docs/x.md", "docs/generated/y.md", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { path: "a/b.py", owners: ["@alice"], line: 1 },
      { path: "docs/x.md", owners: ["@bob", "@acme/docs"], line: 2 },
      { path: "docs/generated/y.md", owners: [], line: null },
    ]);
    expect(r.stderr).toMatch(/CODEOWNERS:4: warning: "alice" is not an owner/);
    const plain = cli(["codeowners", join(dir, "CODEOWNERS")], process.cwd(), "docs/x.md\ndocs/generated/y.md\n");
    expect(plain.stdout).toBe("docs/x.md  @bob @acme/docs  line 2\ndocs/generated/y.md  (no owners)  line 3 leaves it unowned\n");
  });

  it("exports the configuration, and check finds no drift in the export but lists every difference in an edited copy", () => {
    const dir = tempDir();
    const out = join(dir, "CODEOWNERS");
    const exp = cli(["codeowners", "export", "--tree", TREE, "-o", out]);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toMatch(/^wrote .*CODEOWNERS \(\d+ exact-path lines for overlaps\)\n$/);
    const text = readFileSync(out, "utf8");
    expect(text).toContain("# label: module: nn\n/torch/nn/ ");
    const ok = cli(["codeowners", "check", "--tree", TREE, out]);
    expect(ok.stdout).toBe(`${out}: matches the configuration for all 9018 paths\n`);
    expect(ok.code).toBe(0);
    writeFileSync(out, `${text}/torch/optim/ @someone-else\n`);
    const drift = cli(["codeowners", "check", "--tree", TREE, out]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/: not a maintainer: @someone-else maintains no module of the configuration/);
    expect(drift.stdout).toMatch(/: path: torch\/optim\/adam\.py: CODEOWNERS line \d+ gives @someone-else; the configuration gives @/);
  }, 240_000);

  it("refuses unknown usage with exit 2", () => {
    expect(cli(["codeowners"]).code).toBe(2);
    expect(cli(["codeowners", "check"]).code).toBe(2);
  });
});

describe("review-router init", () => {
  it("writes a configuration from the repository's CODEOWNERS, validates it, and will not overwrite it without --force", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "docs"));
    writeFileSync(join(dir, "docs", "CODEOWNERS"), SAMPLE);
    const r = cli(["init"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("wrote .github/review-router.yml (modules from docs/CODEOWNERS): valid\n");
    const written = readFileSync(join(dir, ".github", "review-router.yml"), "utf8");
    expect(written).toMatch(/^codeowners: true$/m);
    const routed = cli([
      "route",
      "--json",
      "--config",
      join(dir, ".github", "review-router.yml"),
      "--repo",
      "acme/app",
      "docs/x.md",
      "src/a.c",
    ]);
    expect(routed.code).toBe(0);
    const d = decisionOf(routed.stdout);
    expect([d.reviewers, d.teamReviewers]).toEqual([["alice", "bob"], []]);
    const again = cli(["init"], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(cli(["init", "--force"], dir).code).toBe(0);
  }, 120_000);

  it("writes an example module when there is no CODEOWNERS", () => {
    const dir = tempDir();
    const r = cli(["init"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("wrote .github/review-router.yml: valid\n");
    expect(existsSync(join(dir, ".github", "review-router.yml"))).toBe(true);
    expect(readFileSync(join(dir, ".github", "review-router.yml"), "utf8")).not.toMatch(/^codeowners:/m);
  }, 120_000);
});
