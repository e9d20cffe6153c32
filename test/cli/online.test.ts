// `review-router route URL` against the local GitHub stand-in: it prints the plan without writing,
// `--apply` carries it out (labels, review requests, summary) and a second --apply writes nothing;
// a missing token, a bad URL, a 401 and a 404 each end in one clear line and a non-zero exit.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { onlineRouteCommand, parseTargetUrl, type OnlineDeps } from "../../src/cli/online.js";
import { wantsOnline } from "../../src/cli/online-args.js";
import type { CliIO } from "../../src/cli/io.js";
import { GitHubStandIn } from "../e2e/github-stand-in.js";

const gh = new GitHubStandIn(4242);
const REPO = "acme/widgets";
const CONFIG = `use_default_modules: false
modules:
  - {name: Docs, label: "module: docs", maintainers: [carol, dave], paths: ["docs/**"]}
  - {name: Build, label: "module: build", maintainers: [erin], paths: ["build/**"]}
`;

beforeAll(async () => {
  await gh.start();
  gh.repo(REPO).files.set(".github/review-router.yml", CONFIG);
  gh.setPull(REPO, 3, { author: "zed", headSha: "h3" }, ["docs/index.md", "build/ci.sh", "README"]);
});
afterAll(() => gh.stop());

function io() {
  const out = { stdout: "", stderr: "" };
  const cli: CliIO = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), readStdin: async () => "" };
  return { out, cli };
}

const url = (n: number) => `http://${gh.host}/${REPO}/pull/${n}`;
const deps = (env: NodeJS.ProcessEnv = { GITHUB_TOKEN: "tok-1" }): OnlineDeps => ({ env, ghToken: () => undefined });

describe("parseTargetUrl", () => {
  it.each([
    ["https://github.com/pytorch/pytorch/pull/12", { owner: "pytorch", repo: "pytorch", kind: "pull", number: 12 }],
    ["https://github.com/pytorch/pytorch/pull/12/files", { owner: "pytorch", repo: "pytorch", kind: "pull", number: 12 }],
    ["https://github.com/pytorch/pytorch/issues/7", { owner: "pytorch", repo: "pytorch", kind: "issue", number: 7 }],
    ["https://ghe.example.com/a/b/pull/1", { owner: "a", repo: "b", kind: "pull", number: 1, apiUrl: "https://ghe.example.com/api/v3" }],
    ["https://github.com/pytorch/pytorch", undefined],
    ["https://github.com/pytorch/pytorch/pull/0", undefined],
    ["not a url", undefined],
  ])("%s", (text, target) => {
    expect(parseTargetUrl(text)).toEqual(target);
  });
});

describe("wantsOnline", () => {
  it.each([
    [["torch/nn/linear.py"], false],
    [["--pr", "3", "--repo", "a/b"], false],
    [["--online", "--pr", "3", "--repo", "a/b"], true],
    [["https://github.com/a/b/pull/3"], true],
  ])("%j: %s", (args, online) => {
    expect(wantsOnline(args)).toBe(online);
  });
});

describe("review-router route URL (online)", () => {
  it("prints what the app would do and writes nothing", async () => {
    const { out, cli } = io();
    const code = await onlineRouteCommand([url(3)], cli, deps());
    expect(out.stderr).toBe("");
    expect(code).toBe(0);
    expect(out.stdout).toContain("add labels:      module: docs, module: build");
    expect(out.stdout).toMatch(/request reviews: erin, (carol|dave)\n/);
    expect(out.stdout).toContain("summary (check run, as it would be written): 2 modules: Docs, Build");
    expect(out.stdout).toContain("Nothing was changed on GitHub; run again with --apply to do this.");
    expect(out.stdout).toContain("configuration: .github/review-router.yml merged over the bundled PyTorch configuration");
    expect(gh.writes(REPO)).toEqual([]);
  });

  it("--json prints the plan as data", async () => {
    const { out, cli } = io();
    expect(
      await onlineRouteCommand(["--online", "--repo", REPO, "--pr", "3", "--json"], cli, {
        ...deps(),
        env: { GITHUB_TOKEN: "tok-1", GITHUB_API_URL: `http://${gh.host}/api/v3` },
      }),
    ).toBe(0);
    const json = JSON.parse(out.stdout) as { target: string; plan: { labels: { add: string[] }; reviews: { users: string[] } } };
    expect(json.target).toBe(`${REPO}#3`);
    expect(json.plan.labels.add).toEqual(["module: docs", "module: build"]);
    expect(json.plan.reviews.users).toHaveLength(2);
  });

  it("--apply labels, requests and writes the summary through the app's apply code; a second --apply writes nothing", async () => {
    const { out, cli } = io();
    vi.stubEnv("GITHUB_TOKEN", "tok-1");
    vi.stubEnv("GITHUB_API_URL", "");
    try {
      expect(await runCli(["route", url(3), "--apply"], cli)).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(out.stderr).toBe("");
    const writes = gh.writes(REPO).map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([
      `POST /repos/${REPO}/issues/3/labels`,
      `POST /repos/${REPO}/pulls/3/requested_reviewers`,
      `POST /repos/${REPO}/check-runs`,
    ]);
    const t = gh.thread(REPO, 3);
    expect(t.labels).toEqual(["module: docs", "module: build"]);
    expect(t.requestedUsers).toHaveLength(2);
    expect(out.stdout).toContain("labels added:      module: docs, module: build");
    expect(gh.repo(REPO).checkRuns.map((r) => r.output.title)).toEqual(["2 modules: Docs, Build"]);

    const before = gh.writes(REPO).length;
    expect(await onlineRouteCommand([url(3), "--apply"], io().cli, deps())).toBe(0);
    expect(gh.writes(REPO).length, "nothing left to do").toBe(before);
  });

  it.each([
    ["no token", [3], {}, 1, "review-router: no GitHub token: set GITHUB_TOKEN (or log in with `gh auth login`)\n"],
    [
      "a bad token (401)",
      [3],
      { GITHUB_TOKEN: "bad" },
      1,
      "review-router: GitHub refused the token (401 Bad credentials); set GITHUB_TOKEN to a valid token\n",
    ],
    [
      "no such pull request (404)",
      [99],
      { GITHUB_TOKEN: "tok-1" },
      1,
      `review-router: ${REPO}#99 was not found (404): check the name, or give a token that can see it\n`,
    ],
    [
      "not a pull request URL",
      ["https://github.com/acme/widgets"],
      { GITHUB_TOKEN: "tok-1" },
      2,
      `review-router: "https://github.com/acme/widgets" is not a pull request or issue URL (https://github.com/OWNER/NAME/pull/N)\n`,
    ],
    [
      "--online without --pr",
      ["--online", "--repo", REPO],
      { GITHUB_TOKEN: "tok-1" },
      2,
      "review-router: --online needs --pr N, a positive whole number\n",
    ],
  ] as [string, (string | number)[], NodeJS.ProcessEnv, number, string][])(
    "%s: one line, non-zero exit",
    async (_name, args, env, code, line) => {
      const { out, cli } = io();
      // A number stands for the stand-in's URL of that pull request (its port is known only once started).
      const argv = args.map((a) => (typeof a === "number" ? url(a) : a));
      expect(await onlineRouteCommand(argv, cli, deps(env))).toBe(code);
      expect(out.stderr).toBe(line);
      expect(out.stdout).toBe("");
    },
  );
});
