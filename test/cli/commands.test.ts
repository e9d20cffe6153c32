// The CLI's commands in-process (runCli with a captured CliIO and a chosen working directory):
// checkout discovery, --repo inference, path forms, output formats, help and version.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, runCli } from "../../src/cli/main.js";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { decisionOf } from "../helpers/cli.js";
import { tempCheckout } from "../helpers/git.js";

async function run(args: string[], o: { cwd?: string; stdin?: string } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => o.stdin ?? "",
    ...(o.cwd ? { cwd: o.cwd } : {}),
  });
  return { code, stdout, stderr };
}

const SMALL = "modules:\n  - name: Web\n    label: web\n    maintainers: [alice]\n    paths: [web/**]\n";

/** A checkout of me/proj holding SMALL as its .github/review-router.yml, and a web/ directory. */
function projCheckout(url = "git@github.com:me/proj.git"): string {
  const root = tempCheckout(url);
  mkdirSync(join(root, ".github"));
  writeFileSync(join(root, ".github", "review-router.yml"), SMALL);
  mkdirSync(join(root, "web", "lib"), { recursive: true });
  return root;
}

const outside = () => realpathSync(mkdtempSync(join(tmpdir(), "review-router-nogit-")));

describe("in a checkout", () => {
  it("uses the checkout's own file and origin, and reads ./, absolute and name-status paths from there", async () => {
    const root = projCheckout("https://github.com/me/proj.git");
    const r = await run(["route", "--json", "./app.js", `${root}/web/lib/x.js`, "docs/index.md"], { cwd: join(root, "web") });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      repository: "me/proj",
      configuration: ".github/review-router.yml merged over the bundled PyTorch configuration".replace(".github", `${root}/.github`),
    });
    const out = decisionOf(r.stdout);
    expect(out.repository).toBe("me/proj");
    expect(out.modules.map((m: { name: string; files: string[] }) => [m.name, m.files])).toEqual([["Web", ["web/app.js", "web/lib/x.js"]]]);
    // Outside the bundled organisations the bundled Docs module does not apply.
    expect(out.unmatched).toEqual(["docs/index.md"]);
    expect(out.reviewers).toEqual(["alice"]);
    const status = await run(["route", "--format", "logins"], { cwd: root, stdin: "R100\told/a.js\tweb/a.js\nM\tweb/b.js\nD\tgone.txt\n" });
    expect(status).toEqual({ code: 0, stdout: "alice\n", stderr: "" });
  });

  it("reports each path it cannot read on stderr, routes the rest and exits 1", async () => {
    const root = projCheckout();
    const r = await run(["route", "--format", "logins", "web/a.js", "/etc/passwd", "../../x", ""], { cwd: join(root, "web") });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("alice\n");
    expect(r.stderr.split("\n")).toEqual([
      `review-router: cannot read path "/etc/passwd": outside the checkout ${root}`,
      `review-router: cannot read path "../../x": outside the checkout ${root}`,
      'review-router: cannot read path "": empty path',
      "",
    ]);
  });

  it("takes the origin's repository inside a bundled organisation even without a file, and upstream's for a fork", async () => {
    const vision = await run(["route", "--json", "torchvision/models/resnet.py"], {
      cwd: tempCheckout("git@github.com:pytorch/vision.git"),
    });
    expect(decisionOf(vision.stdout).modules.map((m: { name: string }) => m.name)).toEqual(["TorchVision"]);
    const forkRoot = tempCheckout("git@github.com:someone/pytorch.git");
    execFileSync("git", ["-C", forkRoot, "remote", "add", "upstream", "https://github.com/pytorch/pytorch.git"]);
    const fork = await run(["route", "--json", "torch/nn/functional.py"], { cwd: forkRoot });
    expect(JSON.parse(fork.stdout)).toMatchObject({ repository: "pytorch/pytorch", configuration: "bundled PyTorch configuration" });
    expect(decisionOf(fork.stdout).labels).toEqual(["module: nn"]);
  });

  it("validates the checkout's file as the app reads it in origin's repository", async () => {
    const root = projCheckout();
    writeFileSync(join(root, ".github", "review-router.yml"), "modules:\n  - name: NN APIs (torch.nn)\n    maintainers: [alice]\n");
    const r = await run(["validate", ".github/review-router.yml"], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: modules[0].label: module "NN APIs (torch.nn)" has no label');
    // In pytorch/pytorch the same file completes the bundled NN module.
    expect((await run(["validate", "--repo", "pytorch/pytorch", ".github/review-router.yml"], { cwd: root })).code).toBe(0);
  });
});

describe("zero configuration, as the app treats a repository outside the bundled organisations", () => {
  it("routes from the checkout's CODEOWNERS under the default policy, never from PyTorch's map, and says so", async () => {
    const root = tempCheckout("git@github.com:acme/widgets.git");
    mkdirSync(join(root, ".github"));
    writeFileSync(join(root, ".github", "CODEOWNERS"), "* @zoe\n/torch/ @yan @xia\n");
    for (const args of [[], ["--repo", "acme/widgets"]]) {
      const r = await run(["route", "--json", ...args, "torch/nn/functional.py"], { cwd: root });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toMatchObject({
        repository: "acme/widgets",
        configuration: ".github/CODEOWNERS with review-router's default policy (no .github/review-router.yml)",
      });
      const d = decisionOf(r.stdout);
      expect(d.modules.map((m) => m.name)).toEqual(["@yan @xia"]);
      expect(d.labels).toEqual([]);
      expect(d.reviewers).toHaveLength(1);
      expect(["yan", "xia"]).toContain(d.reviewers[0]);
    }
    const text = await run(["route", "torch/nn/functional.py"], { cwd: root });
    expect(text.stdout.trimEnd().split("\n").at(-1)).toBe(
      "configuration: .github/CODEOWNERS with review-router's default policy (no .github/review-router.yml)",
    );
  });

  it("says in one line that nothing applies without a configuration or a CODEOWNERS, and exits 0", async () => {
    const root = tempCheckout("git@github.com:acme/widgets.git");
    const r = await run(["route", "torch/nn/functional.py"], { cwd: root });
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "acme/widgets has no .github/review-router.yml and the bundled configuration is for pytorch, and no CODEOWNERS in " +
        ".github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS: nothing applies\n",
    });
    // Outside any checkout, --repo names the repository; there is no CODEOWNERS to read.
    const named = await run(["route", "--repo", "acme/widgets", "torch/nn/functional.py"], { cwd: outside() });
    expect(named.stdout).toMatch(/: nothing applies; run inside its checkout to use its CODEOWNERS, or give --config FILE\n$/);
    expect(named.stdout.split("\n")).toHaveLength(2);
    // --format logins prints no login, and says why on stderr.
    const logins = await run(["route", "--format", "logins", "torch/nn/functional.py"], { cwd: root });
    expect(logins.stdout).toBe("");
    expect(logins.stderr).toMatch(/^review-router: acme\/widgets has no .*nothing applies\n$/);
    expect((await run(["explain", "torch/nn/functional.py"], { cwd: root })).stdout).toMatch(/nothing applies\n$/);
  });

  it("routes as the bundled configuration in a fork only when its upstream is in a bundled organisation", async () => {
    const fork = tempCheckout("git@github.com:someone/pytorch.git");
    expect((await run(["route", "torch/nn/functional.py"], { cwd: fork })).stdout).toMatch(/^someone\/pytorch has no .*nothing applies\n$/);
  });
});

describe("explain -z", () => {
  it("reads NUL-separated paths and names the configuration it used", async () => {
    const r = await run(["explain", "-z", "--repo", "pytorch/pytorch"], { cwd: outside(), stdin: "torch/nn/a b.py\0docs/x.md\0" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^torch\/nn\/a b\.py\n/);
    expect(r.stdout).toContain("\ndocs/x.md\n");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("configuration: bundled PyTorch configuration");
  });
});

describe("--config layering follows --repo, as the app does", () => {
  it("gives a non-bundled repository only the file's modules", async () => {
    const file = join(outside(), "small.yml");
    writeFileSync(file, SMALL);
    const mine = decisionOf((await run(["route", "--json", "--config", file, "--repo", "me/proj", "docs/index.md", "web/a.js"])).stdout);
    expect(mine.labels).toEqual(["web"]);
    expect(mine.unmatched).toEqual(["docs/index.md"]);
    const upstream = decisionOf(
      (await run(["route", "--json", "--config", file, "--repo", "pytorch/pytorch", "docs/index.md", "web/a.js"])).stdout,
    );
    expect(upstream.labels).toContain("web");
    expect(upstream.unmatched).toEqual([]);
  });
});

describe("outside any checkout", () => {
  it("routes with the bundled configuration and says nothing", async () => {
    const r = await run(["route", "--format", "logins", "--pr", "3", "torch/nn/functional.py"], { cwd: outside() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const d = route(loadRouter().router, {
      repository: "pytorch/pytorch",
      prNumber: 3,
      author: "",
      files: [{ path: "torch/nn/functional.py" }],
    });
    expect(r.stdout).toBe(`${d.reviewers.join(",")}\n`);
  });

  it("says in one line that an absolute path needs a checkout", async () => {
    const r = await run(["route", "/tmp/x.py"], { cwd: outside() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'review-router: cannot read path "/tmp/x.py": an absolute path needs a git checkout to be read from; run inside the checkout or give the path from the repository root\n',
    );
  });
});

describe("output that fits a terminal", () => {
  const many = [
    "torch/nn/a.py",
    "torch/optim/a.py",
    "torch/autograd/a.py",
    "torch/distributed/a.py",
    "torch/_dynamo/a.py",
    "torch/fx/a.py",
  ];

  it("summarises a long skipped-candidate list by reason unless --verbose", async () => {
    const json = decisionOf((await run(["route", "--json", ...many], { cwd: outside() })).stdout);
    expect(json.skipped.length).toBeGreaterThan(12);
    const short = await run(["route", ...many], { cwd: outside() });
    const line = short.stdout.split("\n").find((l) => l.startsWith("skipped candidates:"))!;
    expect(line).toMatch(
      new RegExp(`^skipped candidates: ${json.skipped.length} \\((\\w[\\w ]* \\d+, )*\\w[\\w ]* \\d+\\); --verbose lists each$`),
    );
    const counted = [...line.matchAll(/ (\d+)[,)]/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(json.skipped.length);
    const verbose = await run(["route", "--verbose", ...many], { cwd: outside() });
    expect(verbose.stdout).toContain("skipped candidates:\nlogin");
    expect(verbose.stdout.split("\n").filter((l) => /\s(emeritus|module covered|cap reached|author)$/.test(l)).length).toBe(
      json.skipped.length,
    );
  });

  it("refuses an unknown format and a contradictory --json", async () => {
    expect((await run(["route", "--format", "xml", "a.py"])).code).toBe(2);
    expect((await run(["route", "--json", "--format", "logins", "a.py"])).code).toBe(2);
  });
});

describe("help and version", () => {
  it("prints the version of package.json", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(await run(["--version"])).toEqual({ code: 0, stdout: `review-router ${version}\n`, stderr: "" });
  });

  it("gives each command's help with `help COMMAND`, the same as `COMMAND --help`", async () => {
    for (const name of Object.keys(COMMANDS)) {
      const a = await run(["help", name]);
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(new RegExp(`^Usage: review-router ${name}`));
      expect((await run([name, "--help"])).stdout).toBe(a.stdout);
    }
    const bad = await run(["help", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'review-router: no command "nope"; the commands are: route, explain, validate, triage, import-governance, codeowners, history, maintainers, init, sweep, redeliver\n',
    );
  });
});
