// `review-router sweep` against the local GitHub stand-in: it lists the open pull requests with
// overdue reviewers (reading the timeline only where someone is requested), writes nothing
// without --apply, and with --apply replaces the overdue reviewer where another maintainer can
// take over; a second sweep finds nothing more to do.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import type { OnlineDeps } from "../../src/cli/online.js";
import { sweepCommand } from "../../src/cli/sweep.js";
import { GitHubStandIn } from "../e2e/github-stand-in.js";

const APP_ID = 4242;
const gh = new GitHubStandIn(APP_ID);
const REPO = "acme/sweep";
const CONFIG = `use_default_modules: false
reroute_after_hours: 8
modules:
  - {name: Docs, label: "module: docs", maintainers: [carol, dave], paths: ["docs/**"]}
  - {name: NN, label: "module: nn", maintainers: [alice], paths: ["nn/**"]}
`;
// Wednesday noon: a request from Monday is two business days old, one from this morning is not.
const NOW = new Date("2026-01-07T12:00:00Z");
const MONDAY = "2026-01-05T09:00:00Z";

beforeAll(async () => {
  await gh.start();
  gh.repo(REPO).files.set(".github/review-router.yml", CONFIG);
  gh.setPull(REPO, 1, { author: "zed" }, ["docs/a.md"]);
  gh.requestReview(REPO, 1, "carol", MONDAY); // overdue; dave can take over
  gh.setPull(REPO, 2, { author: "zed" }, ["docs/b.md"]);
  gh.requestReview(REPO, 2, "dave", "2026-01-07T08:00:00Z"); // not yet overdue
  gh.setPull(REPO, 3, { author: "zed" }, ["nn/x.py"]);
  gh.requestReview(REPO, 3, "alice", MONDAY); // overdue, but NN has nobody else
  gh.setPull(REPO, 4, { author: "zed" }, ["docs/c.md"]); // nobody requested: not even its timeline is read
});
afterAll(() => gh.stop());

function run(args: string[]) {
  const out = { stdout: "", stderr: "" };
  const io: CliIO = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), readStdin: async () => "" };
  const deps: OnlineDeps = {
    env: { GITHUB_TOKEN: "tok-1", GITHUB_API_URL: `http://${gh.host}/api/v3`, REVIEW_ROUTER_APP_ID: String(APP_ID) },
    ghToken: () => undefined,
    now: () => NOW,
  };
  return sweepCommand(args, io, deps).then((code) => ({ code, ...out }));
}

describe("review-router sweep", () => {
  it("lists the overdue pull requests and writes nothing without --apply", async () => {
    const r = await run(["--repo", REPO]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${REPO}: 4 open pull requests looked at, 2 with overdue reviewers\n` +
        "\n#3\n  alice: requested 2026-01-05T09:00:00Z, 8+ business hours without review or comment; no other eligible maintainer: stays requested\n" +
        "\n#1\n  carol: requested 2026-01-05T09:00:00Z, 8+ business hours without review or comment; would be replaced by dave\n" +
        "\nNothing was changed on GitHub; run again with --apply to do this.\n",
    );
    expect(gh.writes(REPO)).toEqual([]);
    expect(gh.requests.some((q) => q.path === `/repos/${REPO}/issues/4/timeline`)).toBe(false);
  });

  it("--apply replaces the overdue reviewer (request, then withdraw) and says so in the summary; a second sweep changes nothing", async () => {
    const r = await run(["--repo", REPO, "--apply"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("  carol: requested 2026-01-05T09:00:00Z, 8+ business hours without review or comment; replaced by dave\n");
    const writes = gh.writes(REPO).map((q) => `${q.method} ${q.path} ${JSON.stringify(q.body ?? null)}`);
    expect(writes.filter((w) => w.includes("/pulls/1/requested_reviewers"))).toEqual([
      `POST /repos/${REPO}/pulls/1/requested_reviewers {"reviewers":["dave"]}`,
      `DELETE /repos/${REPO}/pulls/1/requested_reviewers {"reviewers":["carol"]}`,
    ]);
    expect(writes.filter((w) => w.includes("/pulls/3/requested_reviewers"))).toEqual([]);
    expect(gh.thread(REPO, 1).requestedUsers).toEqual(["dave"]);
    expect(gh.thread(REPO, 3).requestedUsers).toEqual(["alice"]);
    const summary = gh.repo(REPO).checkRuns.find((c) => c.head_sha === "sha-1")!.output.summary;
    expect(summary).toContain("**Re-routed**: @carol neither reviewed nor commented within 8 business hours");

    const before = gh.writes(REPO).length;
    const again = await run(["--repo", REPO, "--apply"]);
    expect(again.stdout).toContain(`${REPO}: 4 open pull requests looked at, 1 with overdue reviewers`);
    expect(gh.writes(REPO).length, "carol is not asked again; alice stays; summaries unchanged").toBe(before);
  });

  it("a withdrawal GitHub failed is made by the next sweep, without asking the replacement again", async () => {
    const repo = "acme/sweep-fault";
    gh.repo(repo).files.set(".github/review-router.yml", CONFIG);
    gh.setPull(repo, 1, { author: "zed" }, ["docs/a.md"]);
    gh.requestReview(repo, 1, "carol", MONDAY);
    gh.fail({ method: "DELETE", path: /\/pulls\/1\/requested_reviewers$/, status: 502 }); // the CLI does not retry a 5xx
    const first = await run(["--repo", repo, "--apply"]);
    expect(first.code).toBe(1);
    expect(gh.thread(repo, 1).requestedUsers).toEqual(["carol", "dave"]);
    const reviewCalls = () =>
      gh
        .repoRequests(repo)
        .filter((q) => q.path.endsWith("/requested_reviewers"))
        .map((q) => `${q.method} ${JSON.stringify(q.body)} ${q.status}`);
    const before = reviewCalls().length;
    const again = await run(["--repo", repo, "--apply"]);
    expect(again.stderr).toBe("");
    expect(reviewCalls().slice(before)).toEqual(['DELETE {"reviewers":["carol"]} 200']);
    expect(gh.thread(repo, 1).requestedUsers).toEqual(["dave"]);
  });

  it("waits out a secondary rate limit (403 with retry-after) and carries on, saying so; gives up after three", async () => {
    const repo = "acme/sweep-limited";
    gh.repo(repo).files.set(".github/review-router.yml", CONFIG);
    gh.setPull(repo, 1, { author: "zed" }, ["docs/a.md"]);
    gh.requestReview(repo, 1, "carol", MONDAY);
    const limited = {
      status: 403,
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
      headers: { "retry-after": "1" },
    };
    gh.fail({ method: "GET", path: /\/repos\/acme\/sweep-limited\/pulls$/, ...limited });
    const r = await run(["--repo", repo, "--apply"]);
    expect(r.stderr).toBe(
      "review-router: GitHub's rate limit on GET /repos/{owner}/{repo}/pulls (403): waiting 1 s, then trying again (1 of 3)\n",
    );
    expect(r.code).toBe(0);
    const lists = gh.repoRequests(repo).filter((q) => q.method === "GET" && q.path === `/repos/${repo}/pulls`);
    expect(lists.map((q) => q.status)).toEqual([403, 200]);
    expect(lists[1]!.at - lists[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(gh.thread(repo, 1).requestedUsers).toEqual(["dave"]);

    gh.fail({ method: "GET", path: /\/repos\/acme\/sweep-limited\/pulls$/, ...limited, headers: { "retry-after": "0" }, times: 4 });
    const gaveUp = await run(["--repo", repo]);
    expect(gaveUp.code).toBe(1);
    const lines = gaveUp.stderr.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(
      /^review-router: GitHub's rate limit stopped the requests for acme\/sweep-limited \(403 You have exceeded a secondary rate limit/,
    );
    expect(lines[3]).not.toContain("scopes");
  }, 20_000);

  it("says so when reroute_after_hours is off, and needs --repo", async () => {
    gh.repo("acme/off").files.set(".github/review-router.yml", "use_default_modules: false\nmodules: []\n");
    const off = await run(["--repo", "acme/off"]);
    expect(off.stdout).toBe(
      "acme/off: reroute_after_hours is not set in .github/review-router.yml merged over the bundled PyTorch configuration: no review request is ever overdue\n",
    );
    const bad = await run([]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("review-router sweep: needs --repo OWNER/NAME; see `review-router sweep --help`\n");
  });
});
