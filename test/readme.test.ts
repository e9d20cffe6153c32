// Keeps the examples of the README and of the reference in docs/ true: every ```yaml block is a
// repository's configuration file that the app accepts (or a workflow), and the command synopsis
// names only options the commands take.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadBundled } from "../src/app/index.js";
import { COMMANDS, runCli } from "../src/cli/main.js";
import { baseModulesApplyTo, resolveLayered } from "../src/core/layering.js";
import { formatProblem } from "../src/core/problems.js";
import type { PullRequestPlanDocument } from "../src/core/plan-document.js";
import { parseYaml } from "../src/core/yaml.js";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
const README = read("README.md");

/** The reference documents whose examples are checked with the README's (other docs hold no configuration). */
const DOCS = ["docs/cli.md", "docs/configuration.md", "docs/codeowners.md", "docs/issue-triage.md", "docs/app.md", "docs/action.md"];
const TEXTS = new Map([["README.md", README], ...DOCS.map((f) => [f, read(f)] as const)]);

interface Block {
  file: string;
  line: number;
  text: string;
}

/** Fenced blocks of `lang` in the README and the docs, with the file and line each starts on. */
function blocks(lang: string): Block[] {
  return [...TEXTS].flatMap(([file, text]) => blocksOf(file, text, lang));
}

function blocksOf(file: string, text: string, lang: string): Block[] {
  const out: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```" + lang) continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1] !== "```") i++;
    out.push({ file, line: start + 1, text: lines.slice(start, i + 1).join("\n") + "\n" });
    i++;
  }
  return out;
}

/** A block whose first line is "# .github/workflows/NAME.yml" is a workflow, not a configuration. */
const isWorkflow = (text: string) => /^# \.github\/workflows\/[\w.-]+\.ya?ml\s*$/.test(text.split("\n")[0]!);

describe("README", () => {
  const bundled = loadBundled();
  const yamlBlocks = blocks("yaml").filter((b) => !isWorkflow(b.text));

  for (const block of blocks("yaml").filter((b) => isWorkflow(b.text))) {
    it(`reads the workflow at ${block.file}:${block.line} as YAML with triggers, permissions and jobs`, () => {
      const parsed = parseYaml(block.text, `${block.file}:${block.line}`);
      if (!parsed.ok) throw new Error(formatProblem(parsed.problem));
      const doc = parsed.doc.value as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(expect.arrayContaining(["on", "permissions", "jobs"]));
    });
  }

  it("has configuration examples", () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(2);
  });

  for (const block of yamlBlocks) {
    it(`accepts the yaml block at ${block.file}:${block.line} as a repository's file`, () => {
      // A first line "# .github/review-router.yml in OWNER/NAME" names the repository; else pytorch/pytorch.
      const repository =
        /^# \.github\/review-router\.yml in ([^/\s]+\/[^/\s]+)\s*$/m.exec(block.text.split("\n")[0]!)?.[1] ?? "pytorch/pytorch";
      const parsed = parseYaml(block.text, `${block.file}:${block.line}`);
      if (!parsed.ok) throw new Error(formatProblem(parsed.problem));
      const r = resolveLayered(bundled.raw, bundled.registry, parsed.doc, `${block.file} block at ${block.line}`, {
        baseModules: baseModulesApplyTo(bundled.owners, repository),
      });
      expect(r.problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]);
      expect(r.config).toBeDefined();
      // Each module the block names is in the result.
      const names = new Set(r.config!.modules.map((m) => m.name.toLowerCase()));
      for (const m of (parsed.doc.value as { modules?: { name: string }[] }).modules ?? [])
        expect(names.has(m.name.toLowerCase())).toBe(true);
      if (!baseModulesApplyTo(bundled.owners, repository))
        expect(r.config!.modules.length).toBe(((parsed.doc.value as { modules?: unknown[] }).modules ?? []).length);
    });
  }

  it("lists in the command synopsis only options each command takes", async () => {
    const synopsis = blocks("text").find((b) => b.text.startsWith("review-router route"));
    expect(synopsis).toBeDefined();
    // `help COMMAND` prints what `COMMAND --help` does, for commands loaded on use too.
    const helpOf = async (command: string) => {
      let out = "";
      await runCli(["help", command], { stdout: (t) => void (out += t), stderr: () => {}, readStdin: async () => "" });
      return out;
    };
    let current = "";
    for (const line of synopsis!.text.split("\n")) {
      const named = /^review-router ([a-z-]+)/.exec(line)?.[1];
      if (named) current = named;
      if (!COMMANDS[current]) continue;
      const help = await helpOf(current);
      for (const flag of line.match(/--[a-z-]+/g) ?? []) expect(help, `${current} ${flag}`).toContain(flag);
    }
  });

  it("shows in the --json example of docs/cli.md what route prints for the README's first command", async () => {
    const first = /npx review-router route ([^\n]+)/.exec(README)![1]!.trim().split(/\s+/);
    let stdout = "";
    const code = await runCli(["route", "--json", ...first], {
      stdout: (t) => void (stdout += t),
      stderr: () => {},
      readStdin: async () => "",
    });
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as PullRequestPlanDocument;
    const example = blocksOf("docs/cli.md", TEXTS.get("docs/cli.md")!, "json")[0]!.text;
    // Every key of the document is shown, in the order it is printed.
    const shownKeys = [...example.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1]);
    expect(shownKeys).toEqual(Object.keys(out));
    for (const key of ["kind", "source", "target", "repository", "configuration"] as const)
      expect(example).toContain(`"${key}": ${JSON.stringify(out[key])}`);
    const list = (key: string) => JSON.parse(new RegExp(`"${key}": (\\[[^\\]]*\\])`).exec(example)![1]!) as string[];
    const d = out.plan.decision;
    expect(list("labels")).toEqual(d.labels);
    expect(list("reviewers")).toEqual(d.reviewers);
    expect(example).toContain(`"name": ${JSON.stringify(d.modules[0]!.name)}`);
    expect(list("files")).toEqual(d.modules[0]!.files);
    expect(example).toContain(`"labels": {"add": ${JSON.stringify(out.plan.labels.add).replace(/","/g, '", "')}, "remove": []}`);
  });

  it("fits on a first screen or so: at most 300 lines, the two commands before any reference", () => {
    const lines = README.split("\n");
    expect(lines.length).toBeLessThanOrEqual(300);
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(at("npm ci && npm test")).toBeGreaterThan(0);
    expect(at("npx review-router route")).toBeGreaterThan(0);
    expect(at("npm ci && npm test")).toBeLessThan(60);
    expect(at("npx review-router route")).toBeLessThan(60);
  });

  it("shows under its first command lines that route prints for it", async () => {
    const first = /npx review-router route ([^\n]+)/.exec(README)![1]!.trim().split(/\s+/);
    let stdout = "";
    const code = await runCli(["route", ...first], { stdout: (t) => void (stdout += t), stderr: () => {}, readStdin: async () => "" });
    expect(code).toBe(0);
    const shown = blocksOf("README.md", README, "text")[0]!
      .text.split("\n")
      .filter((l) => l !== "");
    expect(shown.length).toBeGreaterThan(3);
    const printed = stdout.split("\n");
    for (const line of shown) expect(printed, line).toContain(line);
  });

  it("links only to documents that exist", () => {
    for (const [file, text] of TEXTS)
      for (const [, target] of text.matchAll(/\]\(([^)#:]+\.md)(?:#[^)]*)?\)/g)) {
        const from = new URL(`../${file}`, import.meta.url);
        expect(() => readFileSync(new URL(target!, from)), `${file} links to ${target}`).not.toThrow();
      }
  });

  it("names the tarball npm pack writes for this version", () => {
    const { name, version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      name: string;
      version: string;
    };
    const named = [...TEXTS.values()].flatMap((text) => text.match(/review-router-[\w.-]+?\.tgz/g) ?? []);
    expect(named.length).toBeGreaterThan(0);
    for (const t of named) expect(t).toBe(`${name}-${version}.tgz`);
  });
});
