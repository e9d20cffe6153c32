// CODEOWNERS as the app's module source: where it is looked up and in what order, the memoised
// router, and the app end to end (a real Probot, GitHub mocked with nock) on a repository that has
// only a CODEOWNERS, one whose review-router file says `codeowners: true`, a team GitHub refuses,
// and a team already requested. Every request is asserted, in order.

import nock from "nock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  codeownersCacheSize,
  codeownersRouting,
  defaultsWithoutModules,
  fetchCodeowners,
  routeFromCodeowners,
} from "../../src/app/codeowners-source.js";
import { loadBundled } from "../../src/app/index.js";
import { octokitPort } from "../../src/app/port.js";
import { BudgetExceeded } from "../../src/core/budget.js";
import { route } from "../../src/core/route.js";
import {
  API,
  contentsAnswer,
  mockApprovalHistory,
  mockGraphql,
  mockInstallationToken,
  mockNoConfigFile,
  mockPullRequestRead,
} from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { APP_ID, deliver, startApp } from "../helpers/probot.js";

const bundled = loadBundled();
const REPOSITORY = "acme/widgets";
const R = `/repos/${REPOSITORY}`;
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const TEXT_HEADERS = { "content-type": "text/plain; charset=utf-8" };
const NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest" };

// Line 6 uses a character range, which GitHub does not support: it is skipped with a warning.
const CODEOWNERS = [
  "# label: docs", // 1
  "/docs/ @acme/docs-team", // 2
  "", // 3
  "# label: core, api", // 4
  "src/core/ @alice @bob", // 5
  "[abc].py @zed", // 6
  "src/core/vendored/", // 7
  "",
].join("\n");

/** The port over a client whose contents reads answer from `files` (404 otherwise), recording each path asked. */
function fakeContext(files: Record<string, unknown>, fail?: { path: string; status: number }) {
  const asked: string[] = [];
  const octokit = {
    async request(_route: string, params: Record<string, unknown>) {
      const path = params.path as string;
      asked.push(path);
      if (fail?.path === path) throw Object.assign(new Error("boom"), { status: fail.status });
      if (!(path in files)) throw Object.assign(new Error("Not Found"), { status: 404 });
      return { data: files[path] };
    },
  };
  const port = octokitPort(octokit as unknown as Parameters<typeof octokitPort>[0], { owner: "acme", repo: "widgets" }, undefined);
  return Object.assign(port, { asked });
}

describe("fetchCodeowners", () => {
  it("looks in .github/, the root, docs/ in that order and stops at the first found", async () => {
    const ctx = fakeContext({ CODEOWNERS: "* @root", "docs/CODEOWNERS": "* @docs" });
    expect(await fetchCodeowners(ctx)).toEqual({ path: "CODEOWNERS", text: "* @root" });
    expect(ctx.asked).toEqual([".github/CODEOWNERS", "CODEOWNERS"]);
  });

  it("reads one file when .github/CODEOWNERS exists, three when none does", async () => {
    const first = fakeContext({ ".github/CODEOWNERS": "* @a", CODEOWNERS: "* @b" });
    expect((await fetchCodeowners(first))?.path).toBe(".github/CODEOWNERS");
    expect(first.asked).toHaveLength(1);
    const none = fakeContext({});
    expect(await fetchCodeowners(none)).toBeUndefined();
    expect(none.asked).toEqual([".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]);
  });

  it("passes over a directory of that name (the API lists it) as GitHub does", async () => {
    const ctx = fakeContext({ ".github/CODEOWNERS": [{ name: "x", type: "file" }], "docs/CODEOWNERS": "* @d" });
    expect((await fetchCodeowners(ctx))?.path).toBe("docs/CODEOWNERS");
  });

  it("throws any failure but a 404, rather than routing without the owners", async () => {
    const ctx = fakeContext({ "docs/CODEOWNERS": "* @d" }, { path: "CODEOWNERS", status: 500 });
    await expect(fetchCodeowners(ctx)).rejects.toMatchObject({ status: 500 });
    expect(ctx.asked).toEqual([".github/CODEOWNERS", "CODEOWNERS"]);
  });
});

describe("codeownersRouting", () => {
  const defaults = defaultsWithoutModules(bundled.raw, bundled.registry);

  it("starts from the bundled policy with none of the bundled modules", () => {
    expect(defaults.modules).toEqual([]);
    // Its catch-all reviewers are the bundled registry's people, like its modules: not carried over.
    const { defaultReviewersEntry, ...policy } = bundled.config.policy;
    expect(defaultReviewersEntry).toBe("Core Maintainers");
    expect(defaults.policy).toEqual(policy);
    expect(defaults.app).toEqual(bundled.config.app);
  });

  it("compiles once per distinct text: the same text gives the same router, another text a new one", () => {
    const before = codeownersCacheSize();
    const a = codeownersRouting(defaults, bundled.registry, { path: "CODEOWNERS", text: CODEOWNERS });
    const again = codeownersRouting(defaults, bundled.registry, { path: "CODEOWNERS", text: `${CODEOWNERS}` });
    expect(again).toBe(a);
    const other = codeownersRouting(defaults, bundled.registry, { path: "CODEOWNERS", text: `${CODEOWNERS}*.md @carol\n` });
    expect(other).not.toBe(a);
    expect(codeownersCacheSize()).toBe(before + 2);
  });

  it("keeps routing past lines GitHub skips, reporting each as a FILE:LINE warning", () => {
    const r = codeownersRouting(defaults, bundled.registry, { path: "CODEOWNERS", text: CODEOWNERS });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: "CODEOWNERS", line: 6, severity: "warning" });
    expect(r.router.config.modules.map((m) => m.name)).toEqual(["@acme/docs-team [docs]", "@alice @bob [core, api]"]);
  });

  it("counts reading the file against the routing budget: past it, BudgetExceeded and nothing memoised", () => {
    const before = codeownersCacheSize();
    const big = { path: "CODEOWNERS", text: Array.from({ length: 10_000 }, (_, i) => `/d${i}/ @alice`).join("\n") };
    const spent = () => ({ now: () => 1, at: 0, limit: "200 ms of routing" });
    expect(() => codeownersRouting(defaults, bundled.registry, big, spent)).toThrow(BudgetExceeded);
    expect(codeownersCacheSize()).toBe(before);
    expect(codeownersRouting(defaults, bundled.registry, big).router.config.modules).toHaveLength(1);
  });

  it("counts making the modules and building the router against the same budget as reading", () => {
    const before = codeownersCacheSize();
    // 10,000 lines, each with its own owner: 10,000 modules. Reading checks the clock twice
    // (every 4,096 lines), making modules twice more, building the router every 1,024 modules.
    const many = { path: "CODEOWNERS", text: Array.from({ length: 10_000 }, (_, i) => `/d${i}/ @user${i}`).join("\n") };
    const clockPassingAfter = (checks: number) => () => {
      let calls = 0;
      return { now: () => ++calls, at: checks, limit: "200 ms of routing" };
    };
    expect(() => codeownersRouting(defaults, bundled.registry, many, clockPassingAfter(2))).toThrow(
      /exceeded while making modules of CODEOWNERS \(rule 4096 of 10000\)/,
    );
    expect(() => codeownersRouting(defaults, bundled.registry, many, clockPassingAfter(4))).toThrow(
      /exceeded while building the router \(module 1024 of 10000\)/,
    );
    expect(codeownersCacheSize()).toBe(before);
    expect(codeownersRouting(defaults, bundled.registry, many, clockPassingAfter(100)).router.config.modules).toHaveLength(10_000);
  });

  it("takes the budget from codeownersBudgetMs: the server's 200 ms by default, none for the command line", async () => {
    // Distinct text per case, so that neither is served from the memo.
    const files = (tag: string) => ({
      readRawFile: async (path: string) =>
        path === "CODEOWNERS" ? Array.from({ length: 9_000 }, (_, i) => `/${tag}${i}/ @user${i}`).join("\n") : undefined,
    });
    const spentAtOnce = await routeFromCodeowners(files("a"), { ...bundled, codeownersBudgetMs: 0 }, "acme/widgets has no file");
    expect(spentAtOnce).toEqual({
      kind: "none",
      reason: expect.stringMatching(/^acme\/widgets has no file, and the routing budget \(0 ms of routing\) was exceeded while/),
    });
    const unlimited = await routeFromCodeowners(files("b"), { ...bundled, codeownersBudgetMs: Infinity }, "acme/widgets has no file");
    expect(unlimited).toMatchObject({
      kind: "ok",
      source: "CODEOWNERS with review-router's default policy (no .github/review-router.yml)",
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The app, end to end against nock

/** Every request the app made, "METHOD path" in order (query strings dropped). */
let requests: string[] = [];
const note = (method: string, uri: string) => requests.push(`${method} ${uri.split("?")[0]}`);

function onGet(path: string, status: number, body: unknown, headers = JSON_HEADERS, query = true): void {
  nock(API)
    .get(path)
    .query(query)
    .reply((uri) => {
      note("GET", uri);
      return [status, body, headers];
    });
}

/** A POST that records its body and answers `answer(body)` (201 with the body by default). */
function onPost<B>(path: string, bodies: B[], answer: (b: B) => [number, unknown] = (b) => [201, b]): void {
  nock(API)
    .post(path)
    .reply((uri, body) => {
      note("POST", uri);
      const b = (typeof body === "string" ? JSON.parse(body) : body) as B;
      bodies.push(b);
      const [status, data] = answer(b);
      return [status, data, JSON_HEADERS];
    });
}

/** The one GraphQL read of pull request `n` (its files; no timeline, no check run yet). */
function pullRequestRead(n: number, files: readonly string[], requestedTeams: string[] = []): void {
  mockPullRequestRead({
    repository: REPOSITORY,
    number: n,
    files,
    requestedTeams,
    onRequest: () => requests.push("POST /graphql (the pull request read)"),
  });
}

function codeownersAt(location: string, text: string): void {
  const order = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];
  for (const l of order.slice(0, order.indexOf(location))) onGet(`${R}/contents/${encodeURIComponent(l)}`, 404, NOT_FOUND);
  onGet(`${R}/contents/${encodeURIComponent(location)}`, 200, text, TEXT_HEADERS);
}

interface CheckRunBody {
  name: string;
  conclusion: string;
  output: { title: string; summary: string };
}

/** The check-run create (the read found none), whose bodies are returned. */
function checkRun(): CheckRunBody[] {
  const bodies: CheckRunBody[] = [];
  onPost<CheckRunBody>(`${R}/check-runs`, bodies, (b) => [201, { id: 77, ...b, app: { id: APP_ID } }]);
  return bodies;
}

interface ReviewBody {
  reviewers?: string[];
  team_reviewers?: string[];
}

useStrictNock();
beforeEach(() => {
  requests = [];
});

describe("a repository with only a CODEOWNERS", () => {
  it("is routed from it: `# label:` labels, users and teams in one request, not the author, warnings in the summary", async () => {
    const files = ["docs/intro.md", "src/core/router.ts", "src/core/vendored/lib.js", "Makefile"];
    const pr = pullRequestEvent({ number: 5, changedFiles: files.length, repository: REPOSITORY, author: "alice" });
    const probot = await startApp();
    mockInstallationToken();
    mockGraphql({}, { repository: REPOSITORY }); // one request for the candidates' status and load
    mockApprovalHistory({ repository: REPOSITORY }); // one for the touched directories' approvers
    mockNoConfigFile(REPOSITORY); // the repository's and the organisation's .github repository's
    codeownersAt("CODEOWNERS", CODEOWNERS);
    pullRequestRead(5, files);
    const labels: { labels: string[] }[] = [];
    onPost(`${R}/issues/5/labels`, labels, (b) => [200, b.labels.map((name) => ({ name }))]);
    const reviews: ReviewBody[] = [];
    onPost(`${R}/pulls/5/requested_reviewers`, reviews, () => [201, { number: 5 }]);
    const runs = checkRun();

    await deliver(probot, "pull_request", pr);

    expect(requests).toEqual([
      `GET ${R}/contents/.github%2FCODEOWNERS`,
      `GET ${R}/contents/CODEOWNERS`,
      "POST /graphql (the pull request read)",
      `POST ${R}/issues/5/labels`,
      `POST ${R}/pulls/5/requested_reviewers`,
      `POST ${R}/check-runs`,
    ]);
    expect(labels).toEqual([{ labels: ["docs", "core", "api"] }]);
    // alice wrote it: bob covers src/core; the docs team covers docs/ as one reviewer; the team goes by slug.
    expect(reviews).toEqual([{ reviewers: ["bob"], team_reviewers: ["docs-team"] }]);
    expect(runs).toHaveLength(1);
    const summary = runs[0]!.output.summary;
    expect(runs[0]!.conclusion).toBe("neutral");
    expect(summary).toContain("| @acme/docs-team [docs] | `docs` | `docs/intro.md` | @acme/docs-team (team) |");
    expect(summary).toContain("| @alice @bob [core, api] | `core`, `api` | `src/core/router.ts` | @bob |");
    expect(summary).toContain("**Owned by no module** (2): `src/core/vendored/lib.js`, `Makefile`; no reviewer asked for them");
    expect(summary).toContain("CODEOWNERS:6: warning: character ranges ('[ ]') are not supported in CODEOWNERS");
    expect(summary).toContain("Configuration: CODEOWNERS with review-router's default policy (no .github/review-router.yml)");
  });

  it("a team already requested (the payload names it by slug) covers its paths: no team request, only users", async () => {
    const files = ["docs/intro.md", "src/core/router.ts"];
    const pr = pullRequestEvent({ number: 6, changedFiles: files.length, repository: REPOSITORY, author: "carol" });
    pr.pull_request.requested_teams = [{ name: "Docs team", slug: "docs-team", id: 1 }];
    const probot = await startApp();
    mockInstallationToken();
    mockGraphql({}, { repository: REPOSITORY }); // one request for the candidates' status and load
    mockApprovalHistory({ repository: REPOSITORY }); // one for the touched directories' approvers
    mockNoConfigFile(REPOSITORY);
    codeownersAt(".github/CODEOWNERS", CODEOWNERS);
    pullRequestRead(6, files, ["docs-team"]);
    const labels: { labels: string[] }[] = [];
    onPost(`${R}/issues/6/labels`, labels, (b) => [200, b.labels.map((name) => ({ name }))]);
    const reviews: ReviewBody[] = [];
    onPost(`${R}/pulls/6/requested_reviewers`, reviews, () => [201, { number: 6 }]);
    const runs = checkRun();

    await deliver(probot, "pull_request", pr);

    expect(requests.filter((r) => r.includes("CODEOWNERS"))).toEqual([`GET ${R}/contents/.github%2FCODEOWNERS`]);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.team_reviewers).toBeUndefined();
    expect(reviews[0]!.reviewers).toHaveLength(1);
    expect(["alice", "bob"]).toContain(reviews[0]!.reviewers![0]);
    expect(runs[0]!.output.summary).toContain("| `docs/intro.md` | @acme/docs-team (team) |");
  });

  it("asks again without a team GitHub refuses (422), choosing the module's other team", async () => {
    const text = "/docs/ @acme/docs-team @acme/writers\nsrc/ @bob\n";
    const files = ["docs/a.md", "src/b.ts"];
    const pr = pullRequestEvent({ number: 7, changedFiles: files.length, repository: REPOSITORY, author: "carol" });
    // Which team the stable hash picks first comes from the core: that is the one GitHub refuses.
    const defaults = defaultsWithoutModules(bundled.raw, bundled.registry);
    const routing = codeownersRouting(defaults, bundled.registry, { path: ".github/CODEOWNERS", text });
    const first = route(routing.router, { repository: REPOSITORY, prNumber: 7, author: "carol", files: files.map((path) => ({ path })) });
    expect(first.teamReviewers).toHaveLength(1);
    const refused = first.teamReviewers[0]!.split("/")[1]!;
    const other = refused === "docs-team" ? "writers" : "docs-team";
    const probot = await startApp();
    mockInstallationToken();
    mockGraphql({}, { repository: REPOSITORY }); // one request for the candidates' status and load
    mockApprovalHistory({ repository: REPOSITORY }); // one for the touched directories' approvers
    mockNoConfigFile(REPOSITORY);
    codeownersAt(".github/CODEOWNERS", text);
    pullRequestRead(7, files);
    const reviews: ReviewBody[] = [];
    const answer = (b: ReviewBody): [number, unknown] =>
      (b.team_reviewers ?? []).includes(refused)
        ? [422, { message: "Reviews may only be requested from collaborators." }]
        : [201, { number: 7 }];
    for (let i = 0; i < 4; i++) onPost(`${R}/pulls/7/requested_reviewers`, reviews, answer);
    const runs = checkRun();

    await deliver(probot, "pull_request", pr);

    expect(reviews).toEqual([
      { reviewers: ["bob"], team_reviewers: [refused] }, // refused as a whole
      { reviewers: ["bob"] }, // each alone, to learn which
      { team_reviewers: [refused] },
      { team_reviewers: [other] }, // the re-plan, the refused team blocked
    ]);
    const summary = runs[0]!.output.summary;
    expect(summary).toContain(`@acme/${other} (team)`);
    expect(summary).toContain(`| acme/${refused} | @acme/docs-team @acme/writers | not a collaborator |`);
  });

  it("never requests another organisation's team: skipped with the reason, the module left to its users", async () => {
    const text = "/docs/ @dana @other-org/writers\n";
    const pr = pullRequestEvent({ number: 8, changedFiles: 1, repository: REPOSITORY, author: "dana" });
    const probot = await startApp();
    mockInstallationToken();
    mockNoConfigFile(REPOSITORY);
    codeownersAt(".github/CODEOWNERS", text);
    pullRequestRead(8, ["docs/a.md"]);
    const runs = checkRun();

    await deliver(probot, "pull_request", pr);

    // dana wrote it and the other organisation's team cannot be asked: no request at all.
    expect(requests.some((r) => r.includes("requested_reviewers"))).toBe(false);
    expect(runs[0]!.output.summary).toContain("| other-org/writers | @dana @other-org/writers | other organisation |");
  });
});

describe("a repository file with codeowners: true", () => {
  it("adds the CODEOWNERS modules to the file's own, with its policy on top (unowned label, default reviewers)", async () => {
    const config = [
      "codeowners: true",
      'unowned_label: "needs: owner"',
      "default_reviewers: [erin]",
      "modules:",
      "  - name: Build",
      "    label: build",
      "    maintainers: [frank]",
      "    paths: [Makefile]",
      "",
    ].join("\n");
    const files = ["Makefile", "src/core/x.ts", "scripts/run.sh"];
    const pr = pullRequestEvent({ number: 9, changedFiles: files.length, repository: REPOSITORY, author: "bob" });
    const probot = await startApp();
    mockInstallationToken();
    mockGraphql({}, { repository: REPOSITORY }); // one request for the candidates' status and load
    mockApprovalHistory({ repository: REPOSITORY }); // one for the touched directories' approvers
    onGet(`${R}/contents/.github%2Freview-router.yml`, 200, contentsAnswer(config));
    codeownersAt(".github/CODEOWNERS", CODEOWNERS);
    pullRequestRead(9, files);
    const labels: { labels: string[] }[] = [];
    onPost(`${R}/issues/9/labels`, labels, (b) => [200, b.labels.map((name) => ({ name }))]);
    const reviews: ReviewBody[] = [];
    onPost(`${R}/pulls/9/requested_reviewers`, reviews, () => [201, { number: 9 }]);
    const runs = checkRun();

    await deliver(probot, "pull_request", pr);

    expect(requests.slice(0, 2)).toEqual([`GET ${R}/contents/.github%2Freview-router.yml`, `GET ${R}/contents/.github%2FCODEOWNERS`]);
    expect(labels).toEqual([{ labels: ["needs: owner", "build", "core", "api"] }]);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.team_reviewers).toBeUndefined();
    expect([...reviews[0]!.reviewers!].sort()).toEqual(["alice", "erin", "frank"]); // bob wrote it
    const summary = runs[0]!.output.summary;
    expect(summary).toContain("**Owned by no module** (1): `scripts/run.sh`; labelled `needs: owner`; default reviewers: @erin.");
    expect(summary).toContain("merged over the bundled PyTorch configuration, with modules from .github/CODEOWNERS");
  });
});
