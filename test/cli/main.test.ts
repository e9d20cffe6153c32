// The CLI end to end: each case runs `review-router` as a child process, from source.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { CLI_MAIN, decisionOf, outsideCheckout, runCliProcess, TSX } from "../helpers/cli.js";
import { tempCheckout } from "../helpers/git.js";

/** The CLI outside any checkout, where the bundled configuration and pytorch/pytorch are the defaults. */
function cli(args: string[], input?: string) {
  return runCliProcess(args, input === undefined ? {} : { input });
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "review-router-cli-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("review-router CLI", () => {
  it("routes paths given as arguments, as JSON of the documented shape", () => {
    const r = cli([
      "route",
      "--json",
      "--pr",
      "42",
      "--author",
      "someone",
      "torch/nn/modules/linear.py",
      "torch/optim/adam.py",
      "README.md",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      kind: "pull_request",
      source: "offline",
      target: "pytorch/pytorch#42",
      configuration: "bundled PyTorch configuration",
    });
    const out = decisionOf(r.stdout);
    expect(out.labels).toEqual(["module: nn", "module: optimizer"]);
    expect(out.unmatched).toEqual(["README.md"]);
    expect(out.modules.map((m: { name: string; label: string; files: string[] }) => [m.name, m.label, m.files])).toEqual([
      ["NN APIs (torch.nn)", "module: nn", ["torch/nn/modules/linear.py"]],
      ["Optimizers (torch.optim)", "module: optimizer", ["torch/optim/adam.py"]],
    ]);
    for (const m of out.modules) {
      expect(typeof m.name).toBe("string");
      expect(Array.isArray(m.reviewers)).toBe(true);
    }
    // The same decision the core makes in-process.
    const { router } = loadRouter();
    const d = route(router, {
      repository: "pytorch/pytorch",
      prNumber: 42,
      author: "someone",
      files: [{ path: "torch/nn/modules/linear.py" }, { path: "torch/optim/adam.py" }, { path: "README.md" }],
    });
    expect(out.reviewers).toEqual(d.reviewers);
    expect(out.reviewers.length).toBeGreaterThan(0);
  });

  it("reads paths from standard input, one per line", () => {
    const r = cli(
      ["route", "--json", "--repo", "pytorch/pytorch"],
      "torch/distributed/distributed_c10d.py\n\ntorch/nn/parallel/distributed.py\n",
    );
    expect(r.code).toBe(0);
    const out = decisionOf(r.stdout);
    expect(out.modules.map((m: { name: string }) => m.name)).toEqual(["Distributed"]);
    expect(out.modules[0]!.files).toEqual(["torch/distributed/distributed_c10d.py", "torch/nn/parallel/distributed.py"]);
  });

  it("never requests the author, whatever the letter case", () => {
    for (let pr = 1; pr <= 5; pr++) {
      const out = decisionOf(
        cli([
          "route",
          "--json",
          "--pr",
          String(pr),
          "--author",
          "ALBAND",
          "torch/nn/functional.py",
          "torch/optim/sgd.py",
          "torch/autograd/grad_mode.py",
        ]).stdout,
      );
      expect(out.reviewers.map((r: string) => r.toLowerCase())).not.toContain("alband");
      expect(out.skipped.filter((s: { reason: string }) => s.reason === "author").length).toBeGreaterThan(0);
    }
  }, 90_000); // several children, each seconds long on a loaded machine

  it("prints a readable table with skipped candidates and reasons", () => {
    const r = cli(["route", "--pr", "7", "torch/nn/modules/linear.py"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^module\s+label\s+files\s+reviewers$/m);
    expect(r.stdout).toMatch(/^NN APIs \(torch\.nn\)\s+module: nn\s+1: torch\/nn\/modules\/linear\.py\s+\S+$/m);
    expect(r.stdout).toMatch(/^colesbury\s+NN APIs \(torch\.nn\)\s+emeritus$/m);
  });

  it("routes a library repository to its library module", () => {
    const out = decisionOf(cli(["route", "--json", "--repo", "pytorch/vision", "torchvision/models/resnet.py"]).stdout);
    expect(out.modules.map((m: { name: string }) => m.name)).toEqual(["TorchVision"]);
    expect(out.labels).toEqual([]);
    expect(out.reviewers).toHaveLength(1);
  });

  it("explains which rules matched and which excluded", () => {
    const r = cli(["explain", "torch/nn/parallel/distributed.py"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/excluded\s+NN APIs \(torch\.nn\)\s+-\s+torch\/nn\/\*\*/);
    expect(r.stdout).toMatch(/excludes\s+NN APIs \(torch\.nn\)\s+-\s+exclude: torch\/nn\/parallel\/\*\*/);
    expect(r.stdout).toContain("=> Distributed");
  });

  it("validates the bundled files and exits 0", () => {
    const r = runCliProcess(["validate", "config/pytorch/review-router.yml", "config/pytorch/registry.yml"], { cwd: process.cwd() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("config/pytorch/review-router.yml: ok");
    expect(r.stdout).toContain("config/pytorch/registry.yml: ok");
  });

  it("reports every problem of a bad configuration with file:line and key, and exits 1", () => {
    // No `registry:`: read as a repository's .github/review-router.yml, over the bundled modules.
    const file = tempFile(
      "bad.yml",
      `max_reviewers: lots
modules:
  - name: NN APIs (torch.nn)
    label: "module: nn"
    paths: ["!torch/nn/**"]
  - name: nn apis (torch.nn)
    maintainers: [gchanan]
  - name: Made Up
    label: x
    paths: [x/**]
  - name: Unlabelled
    maintainers: [gchanan]
    paths: [y/**]
`,
    );
    const r = cli(["validate", file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain(`${file}:1: error: max_reviewers: must be a whole number from 0 to 15`);
    expect(lines).toContain(
      `${file}:5: error: modules[0].paths[0]: bad glob "!torch/nn/**": negated globs are not supported; list the path under \`exclude\` instead`,
    );
    expect(lines).toContain(`${file}:6: error: modules[1].name: duplicate module name "nn apis (torch.nn)" (first at modules[0])`);
    expect(lines).toContain(
      `${file}:8: error: modules[2].name: no registry entry named "Made Up": set \`registry_entry\` to an entry of the registry, or list \`maintainers\``,
    );
    expect(lines).toContain(
      `${file}:11: error: modules[3].label: module "Unlabelled" has no label: give it \`label\` (or areas with labels)`,
    );
  });

  it("reads a file without a registry as the app reads a repository's file: over the bundled modules", () => {
    const file = tempFile(
      "repo.yml",
      `max_reviewers: 1
modules:
  - name: NN APIs (torch.nn)
    maintainers: [someone-else]
`,
    );
    expect(cli(["validate", file]).code).toBe(0);
    const out = decisionOf(cli(["route", "--json", "--config", file, "torch/nn/functional.py", "torch/optim/sgd.py"]).stdout);
    expect(out.labels).toEqual(["module: nn", "module: optimizer"]);
    expect(out.modules[0]!.reviewers).toEqual(["someone-else"]);
    expect(out.reviewers).toEqual(["someone-else"]);
    expect(out.uncovered).toEqual([{ module: "Optimizers (torch.optim)", reason: "cap of 1 reviewer reached" }]);
  });

  it("refuses to route with a bad configuration, naming the problems", () => {
    const file = tempFile("bad.yml", "modules: [unclosed\n");
    const r = cli(["route", "--config", file, "torch/nn/functional.py"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2: error: invalid YAML`);
  });

  it("routes with a custom configuration and inline maintainers", () => {
    const file = tempFile(
      "mine.yml",
      `max_reviewers: 1
modules:
  - name: Frontend
    label: "area: frontend"
    maintainers: [alice, bob]
    paths: ["web/**"]
`,
    );
    const out = decisionOf(cli(["route", "--json", "--config", file, "--author", "alice", "web/app.ts"]).stdout);
    expect(out.labels).toEqual(["area: frontend"]);
    expect(out.reviewers).toEqual(["bob"]);
  });

  it("gives --help for every command and usage errors exit 2", () => {
    for (const cmd of ["route", "explain", "validate", "import-governance"]) {
      const r = cli([cmd, "--help"]);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(new RegExp(`^Usage: review-router ${cmd}`));
    }
    expect(cli(["--help"]).stdout).toContain("Commands:");
    expect(cli(["frobnicate"]).code).toBe(2);
    expect(cli(["route", "--pr", "zero", "a.py"]).code).toBe(2);
    expect(cli(["route"]).code).toBe(2);
  }, 90_000); // several children, each seconds long on a loaded machine

  it("imports a governance page", () => {
    const out = tempFile("registry.yml", "");
    const r = cli([
      "import-governance",
      fileURLToPath(new URL("../fixtures/pytorch/pytorch-governance-maintainers.txt", import.meta.url)),
      "-o",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("182");
  });
});

describe("a command line that behaves", () => {
  it("ends quietly with status 0 when the reader of its output has gone (| head -1)", async () => {
    const child = spawn(process.execPath, ["--import", TSX, CLI_MAIN, "route", "--verbose", "torch/nn/a.py", "torch/optim/a.py"], {
      cwd: outsideCheckout(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The reader closes its end before the command writes a byte: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("reads git diff -z output with -z: names with spaces, renames with --name-status", () => {
    const root = tempCheckout("https://github.com/pytorch/pytorch.git");
    const git = (...args: string[]) => execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
    mkdirSync(join(root, "torch", "optim"), { recursive: true });
    mkdirSync(join(root, "torch", "nn"), { recursive: true });
    writeFileSync(join(root, "torch", "optim", "old name.py"), "x = 1\n");
    git("add", ".");
    git("commit", "-qm", "base");
    git("mv", "torch/optim/old name.py", "torch/nn/new name.py");
    const names = git("diff", "--cached", "--no-renames", "-z", "--name-only").toString();
    expect(names).toBe("torch/nn/new name.py\0torch/optim/old name.py\0");
    const byName = decisionOf(runCliProcess(["route", "-z", "--json"], { cwd: root, input: names }).stdout);
    expect(byName.labels).toEqual(["module: nn", "module: optimizer"]);
    const status = git("diff", "--cached", "-z", "-M", "--name-status").toString();
    expect(status).toMatch(/^R100\0torch\/optim\/old name\.py\0torch\/nn\/new name\.py\0$/);
    const renamed = decisionOf(runCliProcess(["route", "-z", "--json"], { cwd: root, input: status }).stdout);
    // The new name is in NN; the old one still counts for the optimizer.
    expect(renamed.modules.map((m) => [m.name, m.files])).toEqual([
      ["NN APIs (torch.nn)", ["torch/nn/new name.py"]],
      ["Optimizers (torch.optim)", ["torch/nn/new name.py"]],
    ]);
  }, 60_000);

  it("refuses a path with control characters and prints it escaped, never raw", () => {
    const r = cli(["route", "--format", "logins"], "torch/nn/a\u001b]0;pwned\u0007.py\ntorch/nn/b.py\n");
    expect(r.code).toBe(1);
    expect(r.stdout).not.toBe("\n");
    expect(r.stderr).toBe(
      'review-router: cannot read path "torch/nn/a\\u001b]0;pwned\\u0007.py": contains the control character U+001B; no repository path does\n',
    );
  });

  it("answers a usage error in one line that points at --help", () => {
    for (const args of [["route", "--frobnicate", "a.py"], ["route", "--pr", "zero", "a.py"], ["triage"], ["frobnicate"], []]) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n"), args.join(" ")).toHaveLength(2);
      expect(r.stderr).toMatch(/; see `review-router( [a-z-]+)? --help`\n$/);
    }
    expect(cli(["route", "--frobnicate", "a.py"]).stderr).toBe(
      "review-router route: unknown option --frobnicate; see `review-router route --help`\n",
    );
  }, 90_000); // several children, each seconds long on a loaded machine
});
