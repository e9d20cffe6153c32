// `review-router triage`, run in-process with captured output.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { TRIAGE_HELP, triageCommand } from "../../src/cli/triage.js";
import { outsideCheckout } from "../helpers/cli.js";
import { tempCheckout } from "../helpers/git.js";

/** The command in `cwd` (default: outside any checkout, where pytorch/pytorch and the bundled configuration apply). */
async function run(args: string[], stdin = "", cwd = outsideCheckout()) {
  let stdout = "";
  let stderr = "";
  const code = await triageCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: async () => stdin, cwd });
  return { code, stdout, stderr };
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "review-router-triage-")), name);
  writeFileSync(file, text);
  return file;
}

const TRACEBACK = [
  "```",
  "Traceback (most recent call last):",
  '  File "/opt/conda/lib/python3.11/site-packages/torch/_dynamo/convert_frame.py", line 1, in f',
  '  File "/opt/conda/lib/python3.11/site-packages/torch/_inductor/lowering.py", line 2, in g',
  "AssertionError: boom",
  "```",
].join("\n");

describe("review-router triage", () => {
  it("prints the labels and each scored label's evidence, weight by weight", async () => {
    const r = await run(["--title", "torch.compile crash", "--body-file", tempFile("body.md", TRACEBACK)]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "labels: oncall: pt2",
        "",
        "scores (a label is added at 3):",
        "  + oncall: pt2  8",
        '      title "torch.compile" +4',
        "      innermost frame torch/_inductor/lowering.py +3",
        "      frame torch/_dynamo/convert_frame.py +1",
        "  - module: inductor  3  (below threshold 5)",
        "      innermost frame torch/_inductor/lowering.py +3",
        "  - module: dynamo  1  (below threshold 5)",
        "      frame torch/_dynamo/convert_frame.py +1",
        "",
        "configuration: bundled PyTorch configuration",
        "",
      ].join("\n"),
    });
  });

  it("says what a broad label beside a specific one needed", async () => {
    const r = await run(["--title", "nn.Conv2d on a sparse CSR tensor gives wrong results", "--body-file", tempFile("body.md", "")]);
    expect(r.stdout).toContain(
      [
        "labels: module: sparse",
        "",
        "scores (a label is added at 3):",
        "  - module: nn  4  (a broad label beside a specific one: needs 8)",
      ].join("\n"),
    );
  });

  it("says which queue took the issue when a label yields to another (yields_to), in text and JSON", async () => {
    const body = tempFile("body.md", "");
    const title = "ONNX export with Dynamo fails on a model with nn.Conv2d";
    const r = await run(["--title", title, "--body-file", body]);
    expect(r.stdout).toContain("labels: module: onnx\n");
    expect(r.stdout).toContain("  - module: nn  4  (yields to module: onnx)\n");
    expect(r.stdout).toContain("  - oncall: pt2  4  (yields to module: onnx)\n");
    const json = JSON.parse((await run(["--title", title, "--body-file", body, "--json"])).stdout);
    expect(json.evidence.find((e: { label: string }) => e.label === "oncall: pt2")).toMatchObject({
      added: false,
      dropped: "yields to another label",
      yieldedTo: "module: onnx",
    });
  });

  it("reads the body from standard input with --body-file -, and prints JSON", async () => {
    const r = await run(["--title", "crash", "--body-file", "-", "--json"], TRACEBACK);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["labels", "evidence", "modules"]);
    expect(out.labels).toEqual(["oncall: pt2"]);
    expect(out.evidence[1]).toEqual({
      label: "module: inductor",
      score: 3,
      threshold: 5,
      added: false,
      dropped: "below threshold",
      items: [
        {
          signal: "frame_innermost",
          kind: "path",
          text: "/opt/conda/lib/python3.11/site-packages/torch/_inductor/lowering.py",
          path: "torch/_inductor/lowering.py",
          weight: 3,
        },
      ],
    });
    expect(out.modules.map((m: { name: string }) => m.name)).toEqual(["Compilers (JIT / TorchScript / FX / TorchDynamo)"]);
  });

  it("labels a JSON-lines batch, one result a line, and keeps bad lines in place as errors", async () => {
    const file = tempFile(
      "in.jsonl",
      ['{"title":"DataLoader hangs","body":""}', "not json", '{"title":"How do I print a tensor?"}', ""].join("\n"),
    );
    const r = await run(["--jsonl", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${file}:2: error: not a JSON object with a string "title" (and "body")\n`);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.labels ?? l.error)).toEqual([
      ["module: dataloader"],
      'not a JSON object with a string "title" (and "body")',
      [],
    ]);
    expect((await run(["--jsonl", "-"], '{"title":"[ONNX] export fails"}\n')).stdout).toContain('"labels":["module: onnx"]');
  });

  it("uses --config and --repo as the app would", async () => {
    const config = tempFile(
      "review-router.yml",
      "use_default_modules: false\ntriage: {threshold: 2}\nmodules:\n  - name: Web\n    label: web\n    maintainers: [gchanan]\n    keywords: [browser]\n",
    );
    expect((await run(["--config", config, "--title", "", "--body-file", tempFile("b.md", "the browser freezes")])).stdout).toContain(
      "labels: web\n",
    );
    // A module that owns the repository: no label, no text read.
    expect((await run(["--repo", "pytorch/vision", "--title", "DataLoader hangs"])).stdout).toBe(
      "labels: (none)\nno evidence for any label\n\nconfiguration: bundled PyTorch configuration\n",
    );
  });

  it("labels nothing where the configuration sets label_issues: false, and says why, as the app leaves such issues alone", async () => {
    const config = tempFile(
      "review-router.yml",
      "use_default_modules: false\nlabel_issues: false\nmodules:\n  - name: Web\n    label: web\n    maintainers: [gchanan]\n    keywords: [browser]\n",
    );
    const r = await run(["--config", config, "--title", "The browser freezes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^label_issues is false in this repository's configuration; issue left alone\n\nconfiguration: .*review-router\.yml merged/,
    );
    const lines = await run(["--config", config, "--jsonl", "-"], '{"title":"The browser freezes"}\n');
    expect(JSON.parse(lines.stdout)).toEqual({
      labels: [],
      evidence: [],
      modules: [],
      skipped: "label_issues is false in this repository's configuration; issue left alone",
    });
  });

  it("reads the checkout's own configuration, as route and explain do", async () => {
    const root = tempCheckout("git@github.com:acme/widgets.git");
    mkdirSync(join(root, ".github"));
    writeFileSync(
      join(root, ".github", "review-router.yml"),
      "modules:\n  - name: Web\n    label: web\n    maintainers: [gchanan]\n    keywords: [browser]\n",
    );
    const r = await run(["--title", "The browser freezes"], "", join(root, ".github"));
    expect(r.stdout).toBe(
      [
        "labels: web",
        "",
        "scores (a label is added at 3):",
        "  + web  4",
        '      title "browser" +4',
        "",
        `configuration: ${join(root, ".github", "review-router.yml")} merged over the bundled PyTorch configuration`,
        "",
      ].join("\n"),
    );
    // In acme/widgets the bundled modules do not apply: a PyTorch issue gets nothing there.
    expect((await run(["--title", "torch.compile crash"], "", root)).stdout).toMatch(/^labels: \(none\)\n/);
  });

  it("says in one line that nothing applies to a repository with no configuration, as the app does nothing there", async () => {
    const r = await run(["--repo", "acme/widgets", "--title", "torch.compile crash"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toHaveLength(2);
    expect(r.stdout).toMatch(/^acme\/widgets has no \.github\/review-router\.yml .*nothing applies/);
  });

  it("refuses bad usage with exit code 2, and shows its help", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["--jsonl", "x", "--title", "t"])).code).toBe(2);
    expect((await run(["--repo", "nope", "--title", "t"])).code).toBe(2);
    expect((await run(["--frobnicate"])).code).toBe(2);
    expect(await run(["--help"])).toEqual({ code: 0, stdout: TRIAGE_HELP, stderr: "" });
    const missing = await run(["--title", "t", "--body-file", "/nonexistent/body.md"]);
    expect(missing).toMatchObject({ code: 1, stderr: "review-router: cannot read /nonexistent/body.md: ENOENT\n" });
  });

  it("is a command of review-router", async () => {
    let stdout = "";
    expect(await runCli(["triage", "--help"], { stdout: (t) => (stdout += t), stderr: () => {}, readStdin: async () => "" })).toBe(0);
    expect(stdout).toBe(TRIAGE_HELP);
  });
});
