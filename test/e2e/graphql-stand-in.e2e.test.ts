// The app's GraphQL requests over HTTP against the stand-in, which validates them against GitHub's
// public schema and executes them on its state: the candidate-signals request, and the one read of
// a pull request (files, labels, review requests, timeline items, check runs). The app's queries,
// variables and parsers agree with what GitHub's schema answers.
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchCandidateSignals } from "../../src/app/candidate-signals.js";
import { foldTimeline, type TimelineEvent } from "../../src/app/github-state.js";
import { parsePullRequestRead, pullRequestReadQuery, pullRequestReadVariables } from "../../src/app/pull-request-read.js";
import { CHECK_NAME } from "../../src/app/summary.js";
import { GitHubStandIn } from "./github-stand-in.js";

describe("GraphQL on the stand-in", () => {
  const standIn = new GitHubStandIn(77);
  let octokit: Octokit;
  beforeAll(async () => {
    await standIn.start();
    octokit = new Octokit({ auth: "tok-5", baseUrl: `http://${standIn.host}/api/v3` });
  });
  afterAll(() => standIn.stop());

  it("answers the availability query: busy, expired, missing user, loads", async () => {
    standIn.graphql.statuses.set("ann", { indicatesLimitedAvailability: true, message: "Away" });
    standIn.graphql.statuses.set("bob", { indicatesLimitedAvailability: true, expiresAt: "2026-11-30T00:00:00Z" });
    standIn.graphql.statuses.set("gone", null);
    standIn.graphql.openReviews.set("pytorch/pytorch\u0000cat", 16);
    const r = await fetchCandidateSignals(
      (q, p) => octokit.graphql(q, p),
      "pytorch/pytorch",
      ["ann", "bob", "cat", "gone"],
      new Date("2026-12-01T00:00:00Z"),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.signals.busy]).toEqual([["ann", { message: "Away" }]]);
    expect([...r.signals.openReviews]).toEqual([
      ["ann", 0],
      ["bob", 0],
      ["cat", 16],
      ["gone", 0],
    ]);
    expect(r.missing).toEqual(["gone"]);
    expect(r.errors).toEqual(["Could not resolve to a User with the login of 'gone'."]);
    const sent = standIn.requests.filter((q) => q.path === "/api/graphql");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ query: r.query.query, variables: r.query.variables });
  });

  it("refuses a query GitHub's schema refuses, and the app falls back", async () => {
    const broken = (q: string, p?: Record<string, unknown>) => octokit.graphql(q.replace("issueCount", "count"), p);
    const r = await fetchCandidateSignals(broken, "pytorch/pytorch", ["ann"], new Date());
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(/^the availability query failed: [^\n]*Cannot query field "count" on type "SearchResultItemConnection"/);
  });
});

describe("the pull request read on the stand-in", () => {
  const APP = 77;
  const REPO = "pytorch/pytorch";
  const ref = { owner: "pytorch", repo: "pytorch" };
  const standIn = new GitHubStandIn(APP);
  let octokit: Octokit;
  beforeAll(async () => {
    await standIn.start();
    octokit = new Octokit({ auth: "tok-5", baseUrl: `http://${standIn.host}/api/v3` });
  });
  afterAll(() => standIn.stop());

  const graphqlCalls = () => standIn.requests.filter((q) => q.path === "/api/graphql").length;
  const read = async (number: number, headSha: string, changedFiles: number, o: { appId?: number } = { appId: APP }) => {
    const appId = o.appId;
    const before = graphqlCalls();
    const data = await octokit.graphql(
      pullRequestReadQuery({ viewer: appId !== undefined, checkRuns: appId !== undefined }),
      pullRequestReadVariables(ref, { number, headSha, changedFiles }, appId),
    );
    expect(graphqlCalls() - before).toBe(1);
    return parsePullRequestRead(data, appId);
  };
  const createRun = async (sha: string, name: string, digest: string) =>
    (
      await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
        ...ref,
        name,
        head_sha: sha,
        status: "completed",
        conclusion: "neutral",
        external_id: digest,
        output: { title: "t", summary: "s" },
      })
    ).data.id;

  it("answers the read from the stand-in's state, in the REST shapes the fold reads", async () => {
    standIn.setPull(REPO, 5, { author: "ann", headSha: "c3", commits: ["c1", "c2", "c3"] }, ["torch/a.py", "docs/b.md"]);
    standIn.repo(REPO).teams.add("core");
    await octokit.rest.issues.addLabels({ ...ref, issue_number: 5, labels: ["module: a"] });
    await octokit.rest.pulls.requestReviewers({ ...ref, pull_number: 5, reviewers: ["bob"], team_reviewers: ["core"] });
    const comment = await octokit.rest.issues.createComment({ ...ref, issue_number: 5, body: "<!-- summary -->" });
    standIn.requestReview(REPO, 5, "cat", "2026-11-30T10:00:00Z");
    const t = standIn.thread(REPO, 5);
    t.timeline.push(
      { event: "committed", sha: "c2" },
      { event: "reviewed", id: 1, user: { login: "dan", type: "User" }, state: "approved", submitted_at: "2026-11-30T11:00:00Z" },
      {
        event: "labeled",
        id: 2,
        created_at: "2026-11-30T12:00:00Z",
        label: { name: "deps" },
        actor: { login: "dependabot[bot]", type: "Bot" },
        performed_via_github_app: { id: 29110 },
      },
      { event: "cross-referenced", created_at: "2026-11-30T13:00:00Z", source: { type: "issue" } },
    );
    await createRun("c1", CHECK_NAME, "d1");
    await createRun("c2", CHECK_NAME, "d2");
    await createRun("c3", "lint", "other");

    const r = await read(5, "c3", 2);
    const at = (i: number) => t.timeline[i]!.created_at as string;
    const app = { login: "review-router[bot]", type: "Bot" };
    expect(r.files).toEqual([{ path: "torch/a.py" }, { path: "docs/b.md" }]);
    expect(r.labels).toEqual(["module: a"]);
    expect(r.requestedUsers).toEqual(["bob", "cat"]);
    expect(r.requestedTeams).toEqual(["core"]);
    expect(r.timeline).toEqual([
      { event: "labeled", label: { name: "module: a" }, actor: app, performed_via_github_app: { id: APP }, created_at: at(0) },
      {
        event: "review_requested",
        actor: app,
        performed_via_github_app: { id: APP },
        requested_reviewer: { login: "bob", type: "User" },
        created_at: at(1),
      },
      { event: "review_requested", actor: app, performed_via_github_app: { id: APP }, requested_team: { slug: "core" }, created_at: at(2) },
      {
        event: "commented",
        id: comment.data.id,
        body: "<!-- summary -->",
        user: app,
        actor: app,
        performed_via_github_app: { id: APP },
        created_at: at(3),
      },
      {
        event: "review_requested",
        actor: { login: "someone", type: "User" },
        performed_via_github_app: null,
        requested_reviewer: { login: "cat", type: "User" },
        created_at: "2026-11-30T10:00:00Z",
      },
      { event: "reviewed", user: { login: "dan", type: "User" }, state: "approved", submitted_at: "2026-11-30T11:00:00Z" },
      {
        event: "labeled",
        label: { name: "deps" },
        actor: { login: "dependabot[bot]", type: "Bot" },
        performed_via_github_app: null,
        created_at: "2026-11-30T12:00:00Z",
      },
    ]);
    // The fold reads the GraphQL answer as it reads the REST timeline.
    const initial = { labels: [], requestedUsers: [], requestedTeams: [] };
    expect(foldTimeline(r.timeline!, APP, initial)).toEqual(foldTimeline(t.timeline as TimelineEvent[], APP, initial));
    // No run on the head yet: the latest digest is the one on c2, the newest commit with a run.
    expect(r.checkRuns).toEqual({ head: null, latestDigest: "d2" });

    const head = await createRun("c3", CHECK_NAME, "d3");
    expect((await read(5, "c3", 2)).checkRuns).toEqual({
      head: { id: head, status: "completed", conclusion: "neutral", digest: "d3" },
      latestDigest: "d3",
    });
    // PATCH keeps the external_id too, and REST returns it.
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...ref,
      check_run_id: head,
      conclusion: "failure",
      external_id: "d4",
    });
    const rest = await octokit.rest.checks.listForRef({ ...ref, ref: "c3", check_name: CHECK_NAME });
    expect(rest.data.check_runs.map((c) => c.external_id)).toEqual(["d4"]);
    expect((await read(5, "c3", 2)).checkRuns).toEqual({
      head: { id: head, status: "completed", conclusion: "failure", digest: "d4" },
      latestDigest: "d4",
    });
    // Without an app id there is no viewer and no check run in the query.
    const plain = await read(5, "c3", 2, {});
    expect(plain.checkRuns).toBeUndefined();
    expect(plain.timeline).toHaveLength(7);
  });

  it("reads a 450-item timeline through the skip pages of the one request", async () => {
    standIn.setPull(REPO, 6, { author: "ann", headSha: "e1" }, ["a.py"]);
    const t = standIn.thread(REPO, 6);
    for (let i = 0; i < 450; i++) {
      t.timeline.push({
        event: "labeled",
        id: 10_000 + i,
        created_at: "2026-11-01T00:00:00Z",
        label: { name: `l${i}` },
        actor: { login: "eve", type: "User" },
      });
      // Items of types the query does not ask for are neither counted nor paged.
      if (i % 3 === 0) t.timeline.push({ event: "committed", sha: `s${i}` });
    }
    const r = await read(6, "e1", 1);
    expect(r.timeline?.map((e) => e.label?.name)).toEqual(Array.from({ length: 450 }, (_, i) => `l${i}`));
  });

  it("leaves to REST a renamed file's list and a timeline over 500 items", async () => {
    standIn.setPull(REPO, 7, { author: "ann", headSha: "f1" }, ["a.py"]);
    const t = standIn.thread(REPO, 7);
    t.files.push({ filename: "new.py", previous_filename: "old.py", status: "renamed" });
    for (let i = 0; i < 501; i++)
      t.timeline.push({
        event: "unlabeled",
        created_at: "2026-11-01T00:00:00Z",
        label: { name: `l${i}` },
        actor: { login: "eve", type: "User" },
      });
    t.labels.push("kept");
    const r = await read(7, "f1", 2);
    expect(r.files).toBeUndefined();
    expect(r.timeline).toBeUndefined();
    expect(r.labels).toEqual(["kept"]);
    expect(r.checkRuns).toEqual({ head: null });
  });

  it("answers a pull request it does not know with null and NOT_FOUND, as GitHub does", async () => {
    const vars = pullRequestReadVariables(ref, { number: 404, headSha: "x", changedFiles: 1 }, APP);
    const err = await octokit.graphql(pullRequestReadQuery({ viewer: true, checkRuns: true }), vars).catch((e: unknown) => e);
    expect(err).toMatchObject({
      data: { viewer: { login: "review-router[bot]" }, repository: { pullRequest: null, head: null } },
      errors: [
        { type: "NOT_FOUND", path: ["repository", "pullRequest"], message: "Could not resolve to a PullRequest with the number of 404." },
      ],
    });
  });

  it("refuses a query GitHub's schema refuses, and a field the stand-in does not model", async () => {
    const vars = pullRequestReadVariables(ref, { number: 5, headSha: "c3", changedFiles: 2 }, APP);
    const invalid = await octokit
      .graphql(pullRequestReadQuery({ viewer: true, checkRuns: true }).replace("changeType", "changeKind"), vars)
      .catch((e: unknown) => e);
    expect(String(invalid)).toMatch(/Cannot query field "changeKind" on type "PullRequestChangedFile"/);
    const unmodelled = await octokit
      .graphql("query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { pullRequest(number: 5) { title } } }", {
        owner: "pytorch",
        name: "pytorch",
      })
      .catch((e: unknown) => e);
    expect(unmodelled).toMatchObject({
      errors: [{ path: ["repository", "pullRequest", "title"], message: "the stand-in does not model PullRequest.title" }],
    });
  });
});
