// The plan/apply logic against an in-memory GitHub (test/helpers/fake-github.ts): which calls are
// made, in which order, and what the next plan is when GitHub refuses. The exact wire requests are
// asserted with nock in test/app/index.test.ts and test/app/port.test.ts.

import { describe, expect, it } from "vitest";
import { applyIssuePlan, applyPullRequestPlan, planAndApplyPullRequest, requestReviews, writePlannedSummary } from "../../src/app/apply.js";
import { CC_MARKER, planIssue, planPullRequest, type PullRequestPlan, type PullRequestPlanInput } from "../../src/core/plan.js";
import { gatherPullRequest } from "../../src/app/gather.js";
import { FakeGitHub, type FakeThread } from "../helpers/fake-github.js";
import { REPOSITORY, smallRouter } from "../helpers/small-router.js";
import { threadFacts } from "../helpers/thread.js";

const NN_FILE = "torch/nn/linear.py";
const OPTIM_FILE = "torch/optim/adam.py";
const DOCS_FILE = "docs/index.md";
const PR = 7;

/** Gather from the fake as the handler does, then build the plan input. */
async function gathered(
  github: FakeGitHub,
  o: { settings?: string; draft?: boolean; dryRun?: boolean } = {},
): Promise<PullRequestPlanInput> {
  const thread = { labels: [], requestedUsers: [], requestedTeams: [] };
  const { facts } = await gatherPullRequest(github, {
    number: PR,
    headSha: "abc",
    withCheckRuns: true,
    author: "zed",
    draft: o.draft ?? false,
    changedFiles: 3,
    thread,
  });
  return { router: smallRouter(o.settings), pr: facts, dryRun: o.dryRun ?? false };
}

const other = (login: string) => (login === "carol" ? "dave" : "carol");

describe("planAndApplyPullRequest", () => {
  it("on a 422 for the batch, requests each alone, then plans again without the refused user and requests the replacement", async () => {
    const github = new FakeGitHub({ files: [NN_FILE, DOCS_FILE] });
    const input = await gathered(github);
    const first = planPullRequest(input).reviews.users;
    const refused = first.find((l) => l !== "alice")!;
    github.notCollaborators.add(refused);
    const log: unknown[] = [];

    const run = await planAndApplyPullRequest(github, input, (r) => log.push(r));

    expect(github.writes()).toEqual([
      { call: "addLabels", number: PR, labels: ["module: nn", "docs"] },
      { call: "requestReviews", number: PR, users: first, teams: [] },
      ...first.map((login) => ({ call: "requestReviews", number: PR, users: [login], teams: [] })),
      { call: "requestReviews", number: PR, users: [other(refused)], teams: [] },
    ]);
    expect(run.plans).toHaveLength(2);
    expect(run.plans[1]!.labels, "the second plan redoes no label").toEqual({ add: [], remove: [] });
    expect(run.applied).toEqual({
      labelsAdded: ["module: nn", "docs"],
      labelsRemoved: [],
      requestedUsers: ["alice", other(refused)],
      requestedTeams: [],
    });
    expect(run.refused).toEqual([{ login: refused, reason: "not a collaborator" }]);
    expect(log).toEqual([[{ login: refused, reason: "not a collaborator" }]]);
    expect(run.plan.skipped).toContainEqual({ login: refused, module: "Docs", reason: "not a collaborator" });
    expect(run.plan.decision.modules.find((m) => m.name === "Docs")!.reviewers).toEqual([other(refused)]);
    expect(github.requestedUsers.sort()).toEqual(["alice", other(refused)].sort());
  });

  it("makes at most two rounds of requests: a refused replacement leaves the module uncovered", async () => {
    const github = new FakeGitHub({ files: [DOCS_FILE] });
    github.notCollaborators.add("carol").add("dave");
    const input = await gathered(github);
    const first = planPullRequest(input).reviews.users as [string];

    const run = await planAndApplyPullRequest(github, input);

    // A batch of one refused is not asked again alone.
    expect(github.writes()).toEqual([
      { call: "addLabels", number: PR, labels: ["docs"] },
      { call: "requestReviews", number: PR, users: first, teams: [] },
      { call: "requestReviews", number: PR, users: [other(first[0])], teams: [] },
    ]);
    expect(run.plans).toHaveLength(3);
    expect(run.refused.map((r) => r.login)).toEqual([first[0], other(first[0])]);
    expect(run.applied.requestedUsers).toEqual([]);
    expect(run.plan.reviews.users).toEqual([]);
    expect(run.plan.decision.uncovered).toEqual([{ module: "Docs", reason: "no eligible active maintainer" }]);
  });

  it("labels a draft and requests nobody", async () => {
    const github = new FakeGitHub({ files: [NN_FILE, OPTIM_FILE] });
    const run = await planAndApplyPullRequest(github, await gathered(github, { draft: true }));
    expect(github.writes()).toEqual([{ call: "addLabels", number: PR, labels: ["module: nn", "module: optim"] }]);
    expect(run.plan.deferred.map((d) => d.login).sort()).toEqual(["alice", "bob"]);
  });

  it("on synchronize, adds the new module's label and requests only its reviewer", async () => {
    const github = new FakeGitHub({
      files: [NN_FILE, OPTIM_FILE],
      labels: ["module: nn"],
      labelsAddedByApp: ["module: nn"],
      requestedUsers: ["alice"],
    });
    await planAndApplyPullRequest(github, await gathered(github));
    expect(github.writes()).toEqual([
      { call: "addLabels", number: PR, labels: ["module: optim"] },
      { call: "requestReviews", number: PR, users: ["bob"], teams: [] },
    ]);
  });

  it("never redoes a label or a review request a human removed", async () => {
    const github = new FakeGitHub({
      files: [NN_FILE, DOCS_FILE],
      labels: ["docs"],
      labelsRemovedByHuman: ["module: nn"],
      requestRemovedByHuman: ["alice"],
    });
    const run = await planAndApplyPullRequest(github, await gathered(github));
    const docs = run.plan.reviews.users;
    expect(docs).toHaveLength(1);
    expect(github.writes()).toEqual([{ call: "requestReviews", number: PR, users: docs, teams: [] }]);
    expect(run.plan.skipped).toContainEqual({ login: "alice", module: "NN", reason: "request removed" });
  });

  it("with sync_labels, removes its own stale label and takes a label already gone (404) in its stride", async () => {
    const github = new FakeGitHub({
      files: [NN_FILE],
      labels: ["module: nn", "docs", "module: optim"],
      labelsAddedByApp: ["docs", "module: optim"],
    });
    const input = await gathered(github, { settings: "sync_labels: true\n" });
    github.labels.delete("module: optim"); // someone removed it after the timeline was read
    const run = await planAndApplyPullRequest(github, input);
    expect(github.writes()).toEqual([
      { call: "removeLabel", number: PR, name: "docs" },
      { call: "removeLabel", number: PR, name: "module: optim" },
      { call: "requestReviews", number: PR, users: ["alice"], teams: [] },
    ]);
    expect(run.applied.labelsRemoved).toEqual(["docs", "module: optim"]);
    expect([...github.labels]).toEqual(["module: nn"]);
  });

  it("in dry run writes nothing, and the plan still says what it would do", async () => {
    const github = new FakeGitHub({ files: [NN_FILE, OPTIM_FILE] });
    const run = await planAndApplyPullRequest(github, await gathered(github, { dryRun: true }));
    expect(github.writes()).toEqual([]);
    expect(run.applied).toEqual({ labelsAdded: [], labelsRemoved: [], requestedUsers: [], requestedTeams: [] });
    expect(run.plan.reviews.users.sort()).toEqual(["alice", "bob"]);
    expect(run.plan.summary?.dryRun).toBe(true);
  });

  it.each([
    { call: "addLabels" as const, status: 500, writes: 1 },
    { call: "removeLabel" as const, status: 403, writes: 2 },
    { call: "requestReviews" as const, status: 500, writes: 3 },
  ])("lets a $status on $call fail the delivery, writing nothing after it", async ({ call, status, writes }) => {
    const github = new FakeGitHub({ files: [NN_FILE], labels: ["docs"], labelsAddedByApp: ["docs"] });
    github.failNext(call, status);
    const input = await gathered(github, { settings: "sync_labels: true\n" });
    await expect(planAndApplyPullRequest(github, input)).rejects.toMatchObject({ status });
    expect(github.writes().map((c) => c.call)).toEqual(["addLabels", "removeLabel", "requestReviews"].slice(0, writes));
  });
});

describe("applyPullRequestPlan", () => {
  it("requests the plan's teams with its users, and reports refusals without planning again", async () => {
    const github = new FakeGitHub({ files: [NN_FILE] });
    github.notCollaborators.add("ghosts");
    const plan = planPullRequest(await gathered(github));
    const withTeams: PullRequestPlan = { ...plan, reviews: { users: plan.reviews.users, teams: ["core", "ghosts"] } };
    const done = await applyPullRequestPlan(github, PR, withTeams);
    expect(done).toEqual({
      labelsAdded: ["module: nn"],
      labelsRemoved: [],
      requestedUsers: ["alice"],
      requestedTeams: ["core"],
      refused: [],
      refusedTeams: ["ghosts"],
      withdrawn: [],
    });
    expect(github.requestedTeams).toEqual(["core"]);
  });
});

describe("requestReviews", () => {
  it("on a 422, requests users and teams one by one and reports those refused", async () => {
    const github = new FakeGitHub();
    github.notCollaborators.add("mallory").add("ghosts");
    const outcome = await requestReviews(github, PR, { users: ["alice", "mallory"], teams: ["core", "ghosts"] });
    expect(github.writes().map((c) => (c.call === "requestReviews" ? [c.users, c.teams] : c.call))).toEqual([
      [
        ["alice", "mallory"],
        ["core", "ghosts"],
      ],
      [["alice"], []],
      [["mallory"], []],
      [[], ["core"]],
      [[], ["ghosts"]],
    ]);
    expect(outcome).toEqual({
      users: ["alice"],
      teams: ["core"],
      refused: [{ login: "mallory", reason: "not a collaborator" }],
      refusedTeams: ["ghosts"],
    });
  });

  it("asks nothing for an empty request, and rethrows any other error", async () => {
    const github = new FakeGitHub();
    expect(await requestReviews(github, PR, { users: [], teams: [] })).toEqual({ users: [], teams: [], refused: [], refusedTeams: [] });
    expect(github.calls).toEqual([]);
    github.failNext("requestReviews", 422).failNext("requestReviews", 502);
    await expect(requestReviews(github, PR, { users: ["alice", "bob"], teams: [] })).rejects.toMatchObject({ status: 502 });
  });
});

describe("writePlannedSummary", () => {
  const plan = (settings: string, draft = false): PullRequestPlan =>
    planPullRequest({
      router: smallRouter(settings),
      pr: {
        repository: REPOSITORY,
        number: PR,
        author: "zed",
        draft,
        files: [{ path: NN_FILE }],
        thread: threadFacts(),
      },
      dryRun: false,
    });

  it("renders the plan's summary into the mode it names, and writes none for summary: none", async () => {
    const comments = [{ id: 3, body: "<!-- review-router:summary -->" }];
    const github = new FakeGitHub({ comments });
    await writePlannedSummary(github, { number: PR, headSha: "abc" }, plan("summary: comment\n", true), "small.yml", {
      appComments: comments,
    });
    await writePlannedSummary(github, { number: PR, headSha: "abc" }, plan("summary: none\n"), "small.yml", { appComments: comments });
    // The summary comment already there is edited in place: one write, no check run.
    expect(github.calls.map((c) => c.call)).toEqual(["updateComment"]);
    const body = github.comments[0]!.body;
    expect(body).toMatch(/^<!-- review-router:summary -->\n### review-router: 1 module: NN\n/);
    expect(body).toContain("This pull request is a draft");
    expect(body).toContain("| NN | `module: nn` | `torch/nn/linear.py` | - |");
    expect(body).toContain("<sub>Configuration: small.yml.");
  });
});

describe("applyIssuePlan", () => {
  const decision = {
    labels: ["module: nn"],
    modules: [{ name: "NN", labels: ["module: nn"], areas: [], evidence: [], why: "module: nn (title)", maintainers: ["alice"] }],
    scores: [],
  };
  const issuePlan = (thread: FakeThread, dryRun = false) =>
    planIssue({
      decision,
      author: "zed",
      thread: { labels: new Set(thread.labels ?? []), labelsRemovedByHuman: new Set(thread.labelsRemovedByHuman ?? []) },
      ccCommentPresent: (thread.comments ?? []).some((c) => c.body.includes(CC_MARKER)),
      settings: { issueComment: true },
      dryRun,
    });

  it("adds the labels, then writes the cc comment", async () => {
    const github = new FakeGitHub();
    expect(await applyIssuePlan(github, 3, issuePlan({}))).toEqual({ labelsAdded: ["module: nn"], commented: true });
    expect(github.writes().map((c) => c.call)).toEqual(["addLabels", "createComment"]);
    expect(github.comments[0]!.body.startsWith(CC_MARKER)).toBe(true);
  });

  it("when a comment's creation fails with a 5xx but was done, finds it and writes no second one", async () => {
    const github = new FakeGitHub();
    github.loseCreateAnswer = true;
    github.failNext("createComment", 502);
    await applyIssuePlan(github, 3, issuePlan({}));
    expect(github.calls.map((c) => c.call)).toEqual(["addLabels", "createComment", "listComments"]);
    expect(github.comments).toHaveLength(1);
  });

  it("when a comment's creation fails with a 5xx and was not done, creates it again once", async () => {
    const github = new FakeGitHub();
    github.failNext("createComment", 503);
    await applyIssuePlan(github, 3, issuePlan({}));
    expect(github.calls.map((c) => c.call)).toEqual(["addLabels", "createComment", "listComments", "createComment", "listComments"]);
    expect(github.comments).toHaveLength(1);
  });

  it("writes nothing in dry run, nor a second cc comment", async () => {
    const github = new FakeGitHub({ comments: [{ id: 1, body: `${CC_MARKER}\ncc` }] });
    expect(await applyIssuePlan(github, 3, issuePlan({}, true))).toEqual({ labelsAdded: [], commented: false });
    const again = issuePlan({ labels: ["module: nn"], comments: github.comments });
    expect(await applyIssuePlan(github, 3, again)).toEqual({ labelsAdded: [], commented: false });
    expect(github.calls).toEqual([]);
  });
});
