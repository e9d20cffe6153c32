import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importGovernanceCommand } from "../../src/cli/import-governance.js";
import { EXIT } from "../../src/cli/io.js";
import { detectGovernanceFormat, parseGovernancePage } from "../../src/core/governance.js";
import type { Problem } from "../../src/core/problems.js";
import { countMaintainers, findEntry, type Registry } from "../../src/core/registry.js";
import { captureIO } from "../helpers/cli-io.js";

const SEED_PATH = "test/fixtures/pytorch/pytorch-governance-maintainers.txt";
const RST_PATH = "test/fixtures/pytorch/persons_of_interest.rst";
const seedText = readFileSync(SEED_PATH, "utf8");
const rstText = readFileSync(RST_PATH, "utf8");

function levelCounts(registry: Registry): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of registry.entries) counts[e.level] = (counts[e.level] ?? 0) + 1;
  return counts;
}

function maintainer(registry: Registry, entry: string, login: string) {
  return findEntry(registry, entry)?.maintainers.find((m) => m.login === login);
}

/** Line and severity of each problem, the parts a test can pin down exactly. */
function where(problems: Problem[]): string[] {
  return problems.map((p) => `${p.line}:${p.severity}`);
}

describe("parseGovernancePage on the rendered seed page", () => {
  const { registry, problems } = parseGovernancePage(seedText, SEED_PATH);

  it("reads every entry and maintainer, with no problems", () => {
    expect(detectGovernanceFormat(seedText.split("\n"))).toBe("text");
    expect(problems).toEqual([]);
    expect(registry.source).toBe("PyTorch Governance | Maintainers");
    expect(registry.entries).toHaveLength(37);
    expect(levelCounts(registry)).toEqual({ lead: 1, core: 1, module: 27, library: 8 });
    expect(countMaintainers(registry)).toEqual({ listed: 182, emeritus: 54 });
  });

  it("names entries after their headings, without the pilcrow", () => {
    const names = registry.entries.map((e) => e.name);
    expect(names.slice(0, 3)).toEqual(["Lead Core Maintainer (BDFL)", "Core Maintainers", "NN APIs (torch.nn)"]);
    expect(names).toContain("Distributions & RNG");
    expect(names.at(-1)).toBe("TorchData / TorchArrow");
    expect(names.some((n) => n.includes("¶"))).toBe(false);
    expect(findEntry(registry, "XLA")?.level).toBe("library");
    expect(findEntry(registry, "Docs / Tutorials")?.level).toBe("module");
  });

  it("keeps the emeritus flag per entry", () => {
    expect(maintainer(registry, "NN APIs (torch.nn)", "colesbury")).toEqual({ login: "colesbury", name: "Sam Gross", emeritus: true });
    expect(maintainer(registry, "NN APIs (torch.nn)", "apaszke")?.emeritus).toBe(true);
    expect(maintainer(registry, "Autograd (torch.autograd)", "apaszke")?.emeritus).toBe(true);
    expect(maintainer(registry, "Build + CI", "ezyang")?.emeritus).toBe(true);
    expect(maintainer(registry, "Autograd (torch.autograd)", "ezyang")?.emeritus).toBe(false);
    expect(maintainer(registry, "Core Maintainers", "ezyang")?.emeritus).toBe(false);
  });

  it("keeps logins as written: albanD and alband both appear", () => {
    expect(maintainer(registry, "NN APIs (torch.nn)", "albanD")?.name).toBe("Alban Desmaison");
    expect(maintainer(registry, "Autograd (torch.autograd)", "alband")?.name).toBe("Alban Desmaison");
    expect(maintainer(registry, "Build + CI", "alband")).toBeDefined();
    expect(maintainer(registry, "Distributed", "H-Huang")).toBeDefined();
  });

  it("does not read the navigation, the Responsibilities bullets or the trailing table of contents", () => {
    const logins = registry.entries.flatMap((e) => e.maintainers.map((m) => m.login));
    expect(registry.entries.map((e) => e.name)).not.toContain("Responsibilities");
    expect(logins.every((l) => /^[A-Za-z0-9-]+$/.test(l))).toBe(true);
    // Without the "Next" link and the footer rule, the repeated table of contents still ends the content.
    const lines = seedText.split("\n");
    const next = lines.findIndex((l) => l.startsWith("Next "));
    const toc = lines.findIndex((l, i) => i > next && l === "  * PyTorch Governance | Maintainers");
    const withoutFooter = [...lines.slice(0, next), ...lines.slice(toc)].join("\n");
    const again = parseGovernancePage(withoutFooter, "page.txt");
    expect(again.problems).toEqual([]);
    expect(countMaintainers(again.registry)).toEqual({ listed: 182, emeritus: 54 });
  });
});

describe("parseGovernancePage on the reStructuredText source", () => {
  const { registry, problems } = parseGovernancePage(rstText, RST_PATH);

  it("reads the older revision with no problems", () => {
    expect(detectGovernanceFormat(rstText.split("\n"))).toBe("rst");
    expect(problems).toEqual([]);
    expect(registry.source).toBe("PyTorch Governance | Maintainers");
    expect(registry.entries).toHaveLength(36);
    expect(levelCounts(registry)).toEqual({ lead: 1, core: 1, module: 26, library: 8 });
    expect(countMaintainers(registry)).toEqual({ listed: 160, emeritus: 43 });
  });

  it("has the older headings and links", () => {
    const names = registry.entries.map((e) => e.name);
    expect(names).toContain("NVIDIA / CUDA");
    expect(names).toContain("Intel / MKLDNN");
    expect(names).toContain("CPU Performance / SIMD");
    expect(names).not.toContain("NestedTensor (torch.nested)");
    expect(findEntry(registry, "NVIDIA / CUDA")?.level).toBe("module");
    expect(maintainer(registry, "NN APIs (torch.nn)", "colesbury")).toEqual({ login: "colesbury", name: "Sam Gross", emeritus: true });
    expect(maintainer(registry, "Linear Algebra (torch.linalg)", "Lezcano")?.emeritus).toBe(false);
    expect(maintainer(registry, "Distributed", "kiukchung")?.emeritus).toBe(true);
    // "Docs / Tutorials" uses a single space after the dash; still a list item.
    expect(maintainer(registry, "Docs / Tutorials", "svekars")).toBeDefined();
  });
});

describe("parseGovernancePage reports what it cannot read", () => {
  it("reports malformed rendered entries by line and still reads the good ones", () => {
    const page = [
      "# PyTorch Governance | Maintainers¶", // 1
      "", // 2
      "## Module-level maintainers¶", // 3
      "", // 4
      "### NN APIs (torch.nn)¶", // 5
      "", // 6
      "  * Soumith Chintala (soumith)", // 7
      "", // 8
      "  * Greg Chanan gchanan", // 9
      "", // 10
      "  * (emeritus) Sam Gross (colesbury)", // 11
      "  * Bad Person (bad login!)", // 12
      "  * Sam Gross (colesbury) (emeritus)", // 13
      "  * (albanD)", // 14
      "  * Alban Desmaison (albanD", // 15
      "Some prose that is ignored.", // 16
      "  * Joel Schlosser (jbschlosser)", // 17
    ].join("\n");
    const { registry, problems } = parseGovernancePage(page, "page.txt");
    expect(where(problems)).toEqual(["9:error", "12:error", "13:error", "14:error", "15:error"]);
    expect(problems.every((p) => p.file === "page.txt")).toBe(true);
    expect(problems[0]!.message).toContain('"Greg Chanan gchanan"');
    expect(problems[0]!.message).toContain("no GitHub login in parentheses");
    expect(problems[0]!.message).toContain('expected "* Name (login)"');
    expect(problems[1]!.message).toContain('"bad login!" is not a valid GitHub login');
    expect(problems[2]!.message).toContain('"(emeritus)" must come before the name');
    expect(problems[3]!.message).toContain("name is missing");
    expect(problems[4]!.message).toContain("not closed");
    expect(findEntry(registry, "NN APIs (torch.nn)")?.maintainers).toEqual([
      { login: "soumith", name: "Soumith Chintala", emeritus: false },
      { login: "colesbury", name: "Sam Gross", emeritus: true },
      { login: "jbschlosser", name: "Joel Schlosser", emeritus: false },
    ]);
  });

  it("reports malformed reStructuredText entries by line and still reads the good ones", () => {
    const page = [
      "PyTorch Governance | Maintainers", // 1
      "================================", // 2
      "", // 3
      "Core Maintainers", // 4
      "----------------", // 5
      "", // 6
      "-  Soumith Chintala (`soumith <https://github.com/soumith>`__)", // 7
      "-  Greg Chanan (`gchanan <https://github.com/gchanan>`__", // 8
      "-  (emeritus) Edward Yang (`ezyang <https://github.com/ezyang>`__)", // 9
      "-  Bad Person (`bad login! <https://github.com/bad>`__)", // 10
      "-  Dmytro Dzhulgakov (`dzhulgakov <https://github.com/someoneelse>`__)", // 11
      "-  Nikita Shulga (`malfet https://github.com/malfet`__)", // 12
      "-  (emeritus) Raghuraman Krishnamoorthi", // 13
      "   (`raghuramank100 <https://github.com/raghuramank100>`__)", // 14
      "-  Alban Desmaison (`albanD <https://github.com/alband>`__)", // 15
    ].join("\n");
    const { registry, problems } = parseGovernancePage(page, "poi.rst");
    expect(where(problems)).toEqual(["8:error", "10:error", "11:error", "12:error"]);
    expect(problems[0]!.message).toContain("not closed");
    expect(problems[0]!.message).toContain('expected "- Name (`login <https://github.com/login>`__)"');
    expect(problems[1]!.message).toContain('"bad login!" is not a valid GitHub login');
    expect(problems[2]!.message).toContain("name different accounts");
    expect(problems[3]!.message).toContain("is not a reStructuredText link");
    expect(findEntry(registry, "Core Maintainers")?.maintainers).toEqual([
      { login: "soumith", name: "Soumith Chintala", emeritus: false },
      { login: "ezyang", name: "Edward Yang", emeritus: true },
      // A wrapped list item is read as one entry.
      { login: "raghuramank100", name: "Raghuraman Krishnamoorthi", emeritus: true },
      // Logins are case-insensitive, so the link may spell it differently; the text is kept.
      { login: "albanD", name: "Alban Desmaison", emeritus: false },
    ]);
  });

  it("reports list items outside maintainer sections, empty and unknown sections, duplicates", () => {
    const page = [
      "  * Site navigation", // 1  before the title: navigation, not read
      "# PyTorch Governance | Maintainers¶", // 2
      "  * Early Person (early)", // 3  before any section
      "## Responsibilities¶", // 4
      "  * Triage and fix high priority issues", // 5  ignored
      "## Core Maintainers¶", // 6  lists no maintainers
      "### Stray subsection¶", // 7  not under a group
      "  * Ignored Person (ignored)", // 8  its items are not read
      "## Module-level maintainers¶", // 9
      "  * Direct Person (direct)", // 10 directly under the group
      "### Autograd¶", // 11
      "  * Edward Yang (ezyang)", // 12
      "  * Edward Yang (EZYang)", // 13 listed twice
      "Alban Desmaison (alband)", // 14 a maintainer without its bullet
      "### autograd¶", // 15 duplicate entry name
      "  * Jeffrey Wan (soulitzer)", // 16
      "## Library-level maintainers¶", // 17 no subsections
      "## Ecosystem maintainers¶", // 18 unknown section
      "  * Someone (someone)", // 19 not read
    ].join("\n");
    const { registry, problems } = parseGovernancePage(page, "page.txt");
    expect(where(problems)).toEqual([
      "3:error",
      "6:warning",
      "7:error",
      "10:error",
      "13:warning",
      "14:warning",
      "15:error",
      "17:warning",
      "18:warning",
    ]);
    expect(problems[0]!.message).toContain("before any maintainer section");
    expect(problems[1]!.message).toContain('"Core Maintainers" lists no maintainers');
    expect(problems[2]!.message).toContain('"Stray subsection" is not under');
    expect(problems[3]!.message).toContain('directly under "Module-level maintainers"');
    expect(problems[4]!.message).toContain("listed twice");
    expect(problems[5]!.message).toContain("not a list item");
    expect(problems[6]!.message).toContain("duplicate section");
    expect(problems[7]!.message).toContain('"Library-level maintainers" has no subsections');
    expect(problems[8]!.message).toContain('"Ecosystem maintainers" is not a maintainer section');
    expect(registry.entries.map((e) => `${e.level}:${e.name}:${e.maintainers.map((m) => m.login).join(",")}`)).toEqual([
      "core:Core Maintainers:",
      "module:Autograd:ezyang",
      "module:autograd:soulitzer",
    ]);
  });

  it("reports text that holds no maintainer sections at all", () => {
    const { registry, problems } = parseGovernancePage("just some notes\n", "notes.txt");
    expect(registry.entries).toEqual([]);
    expect(where(problems)).toEqual(["1:error"]);
  });
});

describe("importGovernanceCommand", () => {
  it("regenerates exactly the committed config/pytorch/registry.yml from the seed", async () => {
    const io = captureIO();
    const code = await importGovernanceCommand([SEED_PATH], io);
    expect(code).toBe(EXIT.ok);
    expect(io.out).toBe(readFileSync("config/pytorch/registry.yml", "utf8"));
    expect(io.out).toContain("from pytorch-governance-maintainers.txt");
    expect(io.out).not.toContain("/work");
    expect(io.err).toBe("imported 37 entries with 182 maintainers listed (54 emeritus); 0 errors, 0 warnings\n");
  });

  it("writes to -o OUT and still writes the registry when some lines cannot be read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "import-governance-"));
    const page = join(dir, "page.txt");
    const out = join(dir, "registry.yml");
    writeFileSync(page, "# Maintainers¶\n## Core Maintainers¶\n  * Greg Chanan gchanan\n  * Edward Yang (ezyang)\n");
    const io = captureIO();
    const code = await importGovernanceCommand([page, "-o", out], io);
    expect(code).toBe(EXIT.problems);
    expect(io.out).toBe("");
    expect(io.err).toContain(`${page}:3: error: cannot read maintainer "Greg Chanan gchanan"`);
    expect(io.err).toContain("1 errors, 0 warnings");
    const written = readFileSync(out, "utf8");
    expect(written).toContain("login: ezyang");
    expect(written).toContain("from page.txt");
  });

  it("exits with the usage code for bad arguments or an unreadable file", async () => {
    for (const args of [[], ["--nope", SEED_PATH], [SEED_PATH, "extra"], [SEED_PATH, "-o"], ["test/fixtures/pytorch/no-such-file.txt"]]) {
      const io = captureIO();
      expect(await importGovernanceCommand(args, io), args.join(" ")).toBe(EXIT.usage);
      expect(io.err).toMatch(/^review-router import-governance: /);
      expect(io.out).toBe("");
    }
    const help = captureIO();
    expect(await importGovernanceCommand(["--help"], help)).toBe(EXIT.ok);
    expect(help.out).toContain("Usage: review-router import-governance FILE [-o OUT]");
  });
});
