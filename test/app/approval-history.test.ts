// The touched directories' approval history: which directories are read, the one query (valid
// against GitHub's public schema), its answer from the stand-in's model of commits and pull
// requests (merge-bot commits and merged pull requests alike), every failure falling back, the
// per-replica cache, and the gathering step that reads only what the cache lacks.
import { validate } from "@octokit/graphql-schema";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  ApprovalHistoryCache,
  approvalHistoryQuery,
  fetchApprovalHistory,
  HISTORY_COMMITS,
  HISTORY_MAX_AGE_MS,
  historyDirectories,
  historyEntries,
  MAX_HISTORY_DIRECTORIES,
  mergeByPullRequest,
  recordOfCommit,
} from "../../src/app/approval-history.js";
import type { GraphqlCall } from "../../src/app/candidate-signals.js";
import { gatherForChoice, gatherHistory } from "../../src/app/gather.js";
import type { HistoryRecord } from "../../src/core/history.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { API, landedByBot, mockApprovalHistory } from "../helpers/github.js";
import { smallRouter } from "../helpers/small-router.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import { threadFacts } from "../helpers/thread.js";

const REF = { owner: "pytorch", repo: "pytorch" };
const SINCE = new Date("2026-06-01T00:00:00Z");
const graphqlOf =
  (o: Octokit): GraphqlCall =>
  (query, parameters) =>
    o.graphql(query, parameters);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const octokit = () => new Octokit({ auth: "test-token", log: quiet });

describe("historyDirectories", () => {
  it("reads each file's directory once, and a file at the root by itself", () => {
    expect(historyDirectories(["torch/nn/linear.py", "torch/nn/conv.py", "setup.py", "torch/optim/sgd.py", "/odd"])).toEqual([
      "setup.py",
      "torch/nn/",
      "torch/optim/",
    ]);
    expect(historyDirectories([])).toEqual([]);
  });

  it("coarsens the deepest directories first when there are too many, then keeps the most touched", () => {
    const deep = Array.from({ length: 6 }, (_, i) => `torch/nn/m${i}/a.py`);
    expect(historyDirectories([...deep, "torch/optim/sgd.py", "docs/a.md", "test/x/y.py"], 4)).toEqual([
      "docs/",
      "test/x/",
      "torch/nn/",
      "torch/optim/",
    ]);
    // Past the top level: the directories with the most changed files stay.
    const tops = ["a/1", "a/2", "a/3", "b/1", "b/2", "c/1", "d/1", "e/1"];
    expect(historyDirectories(tops, 2)).toEqual(["a/", "b/"]);
    expect(historyDirectories(Array.from({ length: 40 }, (_, i) => `d${i}/f.py`))).toHaveLength(MAX_HISTORY_DIRECTORIES);
  });
});

describe("historyEntries", () => {
  it("adds each directory's parent, once, so a quiet directory backs off to it; a top-level one and a root file have none", () => {
    expect(historyEntries(["torch/nn/modules/linear.py", "torch/nn/functional.py", "docs/a.md", "setup.py"])).toEqual([
      "docs/",
      "setup.py",
      "torch/",
      "torch/nn/",
      "torch/nn/modules/",
    ]);
    expect(historyEntries([])).toEqual([]);
    const many = Array.from({ length: 40 }, (_, i) => `a/d${i}/f.py`);
    expect(historyEntries(many).length).toBeLessThanOrEqual(2 * MAX_HISTORY_DIRECTORIES);
  });
});

describe("approvalHistoryQuery", () => {
  it("is valid against GitHub's public schema, one alias a directory, paths as variables", () => {
    const one = approvalHistoryQuery("pytorch", "pytorch", ["torch/nn/"], SINCE);
    expect(validate(one.query)).toEqual([]);
    expect(one.variables).toEqual({ owner: "pytorch", name: "pytorch", since: "2026-06-01T00:00:00.000Z", path0: "torch/nn" });
    const many = Array.from({ length: MAX_HISTORY_DIRECTORIES }, (_, i) => `dir${i}/"quoted"/`);
    const q = approvalHistoryQuery("pytorch", "pytorch", many, SINCE);
    expect(validate(q.query)).toEqual([]);
    expect(q.query).not.toContain("quoted");
    expect(q.query.match(/: history\(/g)).toHaveLength(MAX_HISTORY_DIRECTORIES);
    expect(q.query).toContain(`first: ${HISTORY_COMMITS}`);
  });
});

describe("recordOfCommit", () => {
  it("takes a merge bot's commit: the message names the pull request and its approvers; its closed pull request adds reviews", () => {
    const message =
      "Fix (#12)\n\nPull Request resolved: https://github.com/pytorch/pytorch/pull/12\nApproved by: https://github.com/ann, https://github.com/pytorchbot";
    const closed = {
      number: 12,
      mergedAt: null,
      author: { login: "zed" },
      reviews: { nodes: [{ author: { login: "bob" } }, { author: { login: "ANN" } }] },
    };
    expect(
      recordOfCommit(
        { committedDate: "2026-07-01T00:00:00Z", message, author: { user: { login: "zed" } }, associatedPullRequests: { nodes: [closed] } },
        "torch/nn/",
      ),
    ).toEqual({ pr: 12, date: "2026-07-01T00:00:00Z", author: "zed", files: ["torch/nn/"], approvers: ["ann", "bob"] });
  });

  it("ignores an associated pull request that was neither merged nor named by the message, and a commit naming none", () => {
    const other = { number: 99, mergedAt: null, author: { login: "x" }, reviews: { nodes: [{ author: { login: "bob" } }] } };
    expect(
      recordOfCommit({ committedDate: "2026-07-01T00:00:00Z", message: "Fix (#12)", associatedPullRequests: { nodes: [other] } }, "a/"),
    ).toEqual({ pr: 12, date: "2026-07-01T00:00:00Z", author: null, files: ["a/"], approvers: [] });
    expect(recordOfCommit({ committedDate: "2026-07-01T00:00:00Z", message: "Bump version" }, "a/")).toBeUndefined();
  });
});

describe("fetchApprovalHistory against the stand-in's executor", () => {
  useStrictNock();

  it("reads merge-bot commits and merged pull requests of each directory since the date, in one request", async () => {
    const bodies = mockApprovalHistory({
      commits: [
        landedByBot({
          pr: 30,
          date: "2026-07-03T00:00:00Z",
          author: "zed",
          files: ["torch/nn/a.py"],
          approvers: ["ann", "pytorchmergebot"],
        }),
        {
          oid: "b".repeat(40),
          committedDate: "2026-07-02T00:00:00Z",
          message: "Merge pull request #29",
          files: ["torch/optim/sgd.py"],
          pullRequest: 29,
        },
        { oid: "c".repeat(40), committedDate: "2026-07-01T00:00:00Z", message: "Typo", files: ["torch/nn/b.py"] },
        landedByBot({ pr: 20, date: "2026-05-01T00:00:00Z", author: "zed", files: ["torch/nn/a.py"], approvers: ["old"] }),
      ],
      pullRequests: [{ number: 29, author: "yan", mergedAt: "2026-07-02T00:00:05Z", approvers: ["bob", "dependabot[bot]"] }],
    });
    const r = await fetchApprovalHistory(graphqlOf(octokit()), REF, ["torch/nn/", "torch/optim/", "docs/"], SINCE);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.variables).toMatchObject({ path0: "torch/nn", path1: "torch/optim", path2: "docs" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.byEntry]).toEqual([
      ["torch/nn/", [{ pr: 30, date: "2026-07-03T00:00:00Z", author: "zed", files: ["torch/nn/"], approvers: ["ann"] }]],
      ["torch/optim/", [{ pr: 29, date: "2026-07-02T00:00:05Z", author: "yan", files: ["torch/optim/"], approvers: ["bob"] }]],
      ["docs/", []],
    ]);
  });

  it("falls back on a server error, RATE_LIMITED, a partial answer and a time-out", async () => {
    mockApprovalHistory({ fail: 502 });
    expect(await fetchApprovalHistory(graphqlOf(octokit()), REF, ["a/"], SINCE)).toEqual({
      ok: false,
      reason: "the approval history query failed: Server Error",
    });
    mockApprovalHistory({ errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded for installation ID 1." }] });
    expect(await fetchApprovalHistory(graphqlOf(octokit()), REF, ["a/"], SINCE)).toEqual({
      ok: false,
      reason: "GitHub's GraphQL rate limit is used up (RATE_LIMITED)",
    });
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: { repository: { defaultBranchRef: { target: { d0: { nodes: [] }, d1: null } } } },
        errors: [{ path: ["repository", "defaultBranchRef", "target", "d1"], message: "Something went wrong" }],
      });
    expect(await fetchApprovalHistory(graphqlOf(octokit()), REF, ["a/", "b/"], SINCE)).toEqual({
      ok: false,
      reason: "the approval history answer was partial: Something went wrong",
    });
    nock(API).post("/graphql").delay(2000).reply(200, { data: {} });
    expect(await fetchApprovalHistory(graphqlOf(octokit()), REF, ["a/"], SINCE, 100)).toEqual({
      ok: false,
      reason: "GitHub did not answer the approval history query within 100 ms",
    });
  });

  it("reads an empty repository (no default branch) as no history, and asks nothing without directories", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, { data: { repository: { defaultBranchRef: null } } });
    const r = await fetchApprovalHistory(graphqlOf(octokit()), REF, ["a/"], SINCE);
    expect(r.ok && [...r.byEntry]).toEqual([["a/", []]]);
    expect(await fetchApprovalHistory(graphqlOf(octokit()), REF, [], SINCE)).toEqual({ ok: true, byEntry: new Map() });
  });
});

const record = (pr: number, date: string, files: string[], approvers: string[]): HistoryRecord => ({
  pr,
  date,
  author: "zed",
  files,
  approvers,
});

describe("ApprovalHistoryCache", () => {
  it("keeps a directory's records for its age, per repository, and drops the least recently used past its size", () => {
    let now = 0;
    const cache = new ApprovalHistoryCache(() => now, HISTORY_MAX_AGE_MS, 2);
    const r = [record(1, "2026-07-01T00:00:00Z", ["a/"], ["ann"])];
    cache.set("pytorch/pytorch", 180, "a/", r);
    expect(cache.get("PyTorch/PyTorch", 180, "a/")).toBe(r);
    expect(cache.get("pytorch/vision", 180, "a/")).toBeUndefined();
    now = HISTORY_MAX_AGE_MS - 1;
    expect(cache.get("pytorch/pytorch", 180, "a/")).toBe(r);
    now = HISTORY_MAX_AGE_MS;
    expect(cache.get("pytorch/pytorch", 180, "a/")).toBeUndefined();
    cache.set("pytorch/pytorch", 180, "a/", r);
    cache.set("pytorch/pytorch", 180, "b/", []);
    cache.get("pytorch/pytorch", 180, "a/"); // a/ is now the most recently used
    cache.set("pytorch/pytorch", 180, "c/", []);
    expect(cache.size).toBe(2);
    expect(cache.get("pytorch/pytorch", 180, "b/")).toBeUndefined();
    expect(cache.get("pytorch/pytorch", 180, "a/")).toBe(r);
  });
});

describe("mergeByPullRequest", () => {
  it("makes one record of a pull request read under several directories, oldest first", () => {
    const merged = mergeByPullRequest([
      [record(7, "2026-07-02T00:00:00Z", ["a/"], ["ann"]), record(5, "2026-07-01T00:00:00Z", ["a/"], ["bob"])],
      [record(7, "2026-07-02T00:00:00Z", ["b/"], ["Ann", "cat"])],
    ]);
    expect(merged).toEqual([
      record(5, "2026-07-01T00:00:00Z", ["a/"], ["bob"]),
      record(7, "2026-07-02T00:00:00Z", ["a/", "b/"], ["ann", "cat"]),
    ]);
  });
});

describe("gatherHistory", () => {
  const NOW = new Date("2026-12-01T00:00:00Z");
  const files = [{ path: "torch/nn/a.py" }, { path: "torch/optim/sgd.py" }];

  it("asks only for the directories the cache lacks, in one call, 180 days back, and caches the answer", async () => {
    const github = new FakeGitHub({});
    github.historyResult = (entries) => ({
      ok: true,
      byEntry: new Map(entries.map((e) => [e, [record(3, "2026-11-01T00:00:00Z", [e], ["ann"])]])),
    });
    const cache = new ApprovalHistoryCache(() => NOW.getTime());
    cache.set("acme/widgets", 180, "torch/nn/", [record(2, "2026-10-01T00:00:00Z", ["torch/nn/"], ["bob"])]);
    const first = await gatherHistory(github, files, NOW, 180, cache);
    // The parent is read too (a directory without approvals backs off to it), and one pull request
    // read under two entries is one record touching both.
    expect(github.calls).toEqual([{ call: "approvalHistory", entries: ["torch/", "torch/optim/"], since: "2026-06-04T00:00:00.000Z" }]);
    expect(first).toEqual({
      history: [
        record(2, "2026-10-01T00:00:00Z", ["torch/nn/"], ["bob"]),
        record(3, "2026-11-01T00:00:00Z", ["torch/", "torch/optim/"], ["ann"]),
      ],
    });
    expect(await gatherHistory(github, files, NOW, 180, cache)).toEqual(first);
    expect(github.calls).toHaveLength(1);
  });

  it("reads as far back as expertise_window_days says, and records read over one window do not serve another", async () => {
    const github = new FakeGitHub({});
    const cache = new ApprovalHistoryCache(() => NOW.getTime());
    await gatherHistory(github, files, NOW, 180, cache);
    await gatherHistory(github, files, NOW, 365, cache);
    await gatherHistory(github, files, NOW, 365, cache);
    expect(github.calls.map((c) => (c as { since?: string }).since)).toEqual(["2026-06-04T00:00:00.000Z", "2025-12-01T00:00:00.000Z"]);
  });

  it("adds no history when no pull request touched the directories (the plan is today's), and remembers that", async () => {
    const github = new FakeGitHub({});
    const cache = new ApprovalHistoryCache(() => NOW.getTime());
    expect(await gatherHistory(github, files, NOW, 180, cache)).toEqual({});
    expect(await gatherHistory(github, files, NOW, 180, cache)).toEqual({});
    expect(github.calls).toHaveLength(1);
  });

  it("says why when the read fails, and caches nothing then", async () => {
    const github = new FakeGitHub({});
    github.historyResult = { ok: false, reason: "the approval history query failed: Server Error" };
    const cache = new ApprovalHistoryCache(() => NOW.getTime());
    expect(await gatherHistory(github, files, NOW, 180, cache)).toEqual({
      historyUnavailable: "the approval history query failed: Server Error",
    });
    expect(cache.size).toBe(0);
  });
});

describe("gatherForChoice", () => {
  const pr = (draft: boolean) => ({
    repository: "acme/widgets",
    number: 1,
    author: "zed",
    draft,
    files: [{ path: "torch/nn/a.py" }],
    thread: threadFacts(),
  });

  it("reads availability and the touched directories' history side by side when a reviewer must be chosen", async () => {
    const github = new FakeGitHub({});
    github.historyResult = { ok: false, reason: "GitHub did not answer the approval history query within 5000 ms" };
    const now = new Date("2026-12-01T00:00:00Z");
    const gathered = await gatherForChoice(github, { router: smallRouter(), pr: pr(false), dryRun: false }, now);
    expect(github.calls).toEqual([
      { call: "candidateSignals", logins: ["alice"] },
      { call: "approvalHistory", entries: ["torch/", "torch/nn/"], since: "2026-06-04T00:00:00.000Z" },
    ]);
    expect(gathered).toMatchObject({ historyUnavailable: "GitHub did not answer the approval history query within 5000 ms" });
    expect(gathered.signals).toBeDefined();
  });

  it("reads neither when nobody new can be requested (a draft)", async () => {
    const github = new FakeGitHub({});
    expect(await gatherForChoice(github, { router: smallRouter(), pr: pr(true), dryRun: false }, new Date())).toEqual({});
    expect(github.calls).toEqual([]);
  });
});
