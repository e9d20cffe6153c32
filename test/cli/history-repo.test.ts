// `review-router history --repo`: merged pull requests from GitHub's GraphQL API as history
// records, against the local stand-in (which validates every query against GitHub's public schema
// and executes it): paging of pull requests and of a large pull request's files, --since, the
// rate limit, a bad repository name, and the progress line only on a terminal.
import { validate } from "@octokit/graphql-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../src/core/history.js";
import { HISTORY_REPO_HELP, historyRepoCommand, MERGED_PULL_REQUESTS_QUERY, PULL_REQUEST_FILES_QUERY } from "../../src/cli/history-repo.js";
import { runCli } from "../../src/cli/main.js";
import { captureIO } from "../helpers/cli-io.js";
import { GitHubStandIn } from "../e2e/github-stand-in.js";

const gh = new GitHubStandIn(77);
beforeAll(() => gh.start());
afterAll(() => gh.stop());

const env = () => ({ GITHUB_TOKEN: "tok-3", GITHUB_API_URL: `http://${gh.host}/api/v3` });
const graphqlRequests = () => gh.requests.filter((r) => r.path === "/api/graphql");

/** Day `d` of July 2026 at `h` o'clock, ISO. */
const july = (d: number, h = 12) => `2026-07-${String(d).padStart(2, "0")}T${String(h).padStart(2, "0")}:00:00Z`;

describe("the queries", () => {
  it("are valid against GitHub's public schema", () => {
    expect(validate(MERGED_PULL_REQUESTS_QUERY)).toEqual([]);
    expect(validate(PULL_REQUEST_FILES_QUERY)).toEqual([]);
  });
});

describe("history --repo against the stand-in", () => {
  const REPO = "acme/busy";
  beforeAll(() => {
    // 120 merged pull requests, #1 merged first (July 1) and #120 last; each updated an hour after its merge.
    for (let n = 1; n <= 120; n++) {
      const mergedAt = new Date(Date.parse(july(1)) + n * 3600_000).toISOString().replace(".000", "");
      const updatedAt = new Date(Date.parse(mergedAt) + 3600_000).toISOString().replace(".000", "");
      const files = n === 7 ? Array.from({ length: 230 }, (_, i) => `big/f${i}.py`) : [`src/m${n % 3}/a.py`];
      gh.setPull(REPO, n, { author: `dev${n % 4}`, mergedAt, updatedAt, state: "closed" }, files);
      gh.approve(REPO, n, "ann", mergedAt);
      if (n % 2 === 0) gh.approve(REPO, n, "pytorchmergebot", mergedAt);
      if (n % 5 === 0) gh.approve(REPO, n, "Bob", mergedAt);
    }
    // Neither an open pull request nor one closed unmerged is history.
    gh.setPull(REPO, 500, { author: "dev1" }, ["src/open.py"]);
    gh.setPull(REPO, 501, { author: "dev1", state: "closed", updatedAt: july(30) }, ["src/closed.py"]);
  });

  it("writes every merged pull request oldest first, paging pull requests and a large one's files by cursor", async () => {
    const io = captureIO();
    const before = graphqlRequests().length;
    const code = await historyRepoCommand(["--repo", REPO], io, { env: env(), stderrIsTTY: false });
    expect(io.err).toBe("");
    expect(code).toBe(0);
    const { records, problems } = parseHistory(io.out, "stdout");
    expect(problems).toEqual([]);
    expect(records.map((r) => r.pr)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(records[9]).toEqual({ pr: 10, date: "2026-07-01T22:00:00Z", author: "dev2", files: ["src/m1/a.py"], approvers: ["ann", "Bob"] });
    expect(records[6]!.files).toHaveLength(230);
    expect(records[6]!.files.at(-1)).toBe("big/f229.py");
    // Three pages of 50 pull requests, and two more pages of #7's files.
    const sent = graphqlRequests()
      .slice(before)
      .map((r) => (r.body as { query: string }).query.split("(")[0]);
    expect(sent).toEqual([
      "query ReviewRouterMergedPullRequests",
      "query ReviewRouterMergedPullRequests",
      "query ReviewRouterMergedPullRequests",
      "query ReviewRouterPullRequestFiles",
      "query ReviewRouterPullRequestFiles",
    ]);
  });

  it("stops paging at --since", async () => {
    const io = captureIO();
    const before = graphqlRequests().length;
    // #100 was merged on July 5 at 16:00: 21 pull requests from there on, all within the first page.
    const code = await historyRepoCommand(["--repo", REPO, "--since", "2026-07-05T16:00:00Z"], io, { env: env(), stderrIsTTY: false });
    expect(code).toBe(0);
    const { records } = parseHistory(io.out, "stdout");
    expect(records.map((r) => r.pr)).toEqual(Array.from({ length: 21 }, (_, i) => i + 100));
    expect(graphqlRequests().length - before).toBe(1);
  });

  it("draws a progress line on a terminal only, on stderr", async () => {
    const io = captureIO();
    expect(await historyRepoCommand(["--repo", REPO, "--since", "2026-07-05"], io, { env: env(), stderrIsTTY: true })).toBe(0);
    // #84 was merged first on July 5 (at midnight).
    expect(io.err).toBe("\racme/busy: 37 merged pull requests read, back to 2026-07-05\n");
    expect(io.out.split("\n").filter(Boolean)).toHaveLength(37);
  });

  it("waits for the rate limit's reset when few points are left, and says so", async () => {
    const io = captureIO();
    const waits: number[] = [];
    gh.graphqlRateLimit = { limit: 5000, remaining: 11, resetAt: new Date(Date.now() + 600_000).toISOString(), cost: 1 };
    try {
      const sleep = async (ms: number) => {
        waits.push(ms);
        gh.graphqlRateLimit!.remaining = 5000;
      };
      const code = await historyRepoCommand(["--repo", REPO, "--since", "2026-07-04"], io, { env: env(), stderrIsTTY: false, sleep });
      expect(code).toBe(0);
    } finally {
      gh.graphqlRateLimit = undefined;
    }
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(590_000);
    expect(waits[0]).toBeLessThanOrEqual(601_000);
    expect(io.err).toMatch(/^review-router: acme\/busy: 9 GraphQL points left; waiting until \S+ for the rate limit to reset\n$/);
    expect(parseHistory(io.out, "stdout").records.length).toBeGreaterThan(50);
  });
});

describe("history --repo: bad input", () => {
  it("refuses a malformed repository name before asking GitHub", async () => {
    for (const bad of ["acme", "acme/", "acme/widgets/x", "-acme/widgets", "acme/.."]) {
      const io = captureIO();
      expect(await historyRepoCommand([`--repo=${bad}`], io, { env: env() })).toBe(2);
      expect(io.err).toContain(`history needs --repo OWNER/NAME, not "${bad}"`);
    }
    const io = captureIO();
    expect(await historyRepoCommand(["--repo", "acme/widgets", "--since", "last week"], io, { env: env() })).toBe(2);
    expect(io.err).toBe('review-router: --since must be a date (YYYY-MM-DD or ISO time), not "last week"\n');
  });

  it("names a repository GitHub does not know, and writes nothing", async () => {
    const io = captureIO();
    expect(await historyRepoCommand(["--repo", "acme/nope"], io, { env: env(), stderrIsTTY: false })).toBe(1);
    expect(io.err).toBe("review-router: acme/nope: no such repository, or the token cannot see it\n");
    expect(io.out).toBe("");
  });

  it("asks for a token when there is none", async () => {
    const io = captureIO();
    expect(await historyRepoCommand(["--repo", "acme/widgets"], io, { env: {}, ghToken: () => undefined })).toBe(1);
    expect(io.err).toContain("no GitHub token");
  });

  it("is the `history` command with --repo, with its help", async () => {
    const io = captureIO();
    expect(await runCli(["history", "--repo", "acme/widgets", "--help"], io)).toBe(0);
    expect(io.out).toBe(HISTORY_REPO_HELP);
  });
});
