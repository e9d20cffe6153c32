// Overdue re-routing through the planner and apply: who is replaced, by whom, and when the
// overdue request is withdrawn (src/core/overdue.ts decides who is overdue).

import { describe, expect, it } from "vitest";
import { planAndApplyPullRequest } from "../../src/app/apply.js";
import { gatherPullRequest } from "../../src/app/gather.js";
import { renderSummary } from "../../src/app/summary.js";
import { afterApplying, planPullRequest, type PullRequestPlanInput, type ThreadFacts } from "../../src/core/plan.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { REPOSITORY, smallRouter } from "../helpers/small-router.js";
import { threadFacts } from "../helpers/thread.js";

const DOCS_FILE = "docs/index.md";
const NN_FILE = "torch/nn/linear.py";
const REROUTE = "reroute_after_hours: 24\n";
const MONDAY = "2026-01-05T09:00:00Z";
const WEDNESDAY = new Date("2026-01-07T10:00:00Z");

const thread = threadFacts;

function input(files: string[], t: ThreadFacts, o: { settings?: string; now?: Date | null; draft?: boolean } = {}): PullRequestPlanInput {
  return {
    router: smallRouter(o.settings ?? REROUTE),
    pr: { repository: REPOSITORY, number: 7, author: "zed", draft: o.draft ?? false, files: files.map((path) => ({ path })), thread: t },
    dryRun: false,
    ...(o.now === null ? {} : { now: o.now ?? WEDNESDAY }),
  };
}

const carolRequestedMonday = thread({ requestedUsers: ["carol"], requestTimes: [{ login: "carol", at: MONDAY }] });

describe("planPullRequest with reroute_after_hours", () => {
  it("replaces an overdue reviewer by another maintainer of the module, and says so in the summary", () => {
    const plan = planPullRequest(input([DOCS_FILE], carolRequestedMonday));
    expect(plan.reviews.users).toEqual(["dave"]);
    expect(plan.reroute).toEqual([{ login: "carol", requestedAt: MONDAY, businessHours: 24, modules: ["Docs"], by: ["dave"] }]);
    expect(plan.skipped).toContainEqual({ login: "carol", module: "Docs", reason: "overdue" });
    expect(plan.summary?.rerouteAfterHours).toBe(24);
    const text = renderSummary({
      decision: plan.summary!.decision,
      dryRun: false,
      draftDeferred: false,
      configSource: "x",
      rerouteAfterHours: 24,
    });
    expect(text.body).toContain("**Re-routed**: @carol neither reviewed nor commented within 24 business hours");
    expect(plan.decision.modules[0]!.reviewers).toEqual(["dave"]);
  });

  it.each([
    ["off by default", { settings: "" }],
    ["without a clock", { now: null }],
    ["before the deadline", { now: new Date("2026-01-06T08:00:00Z") }],
    ["a draft whose requests wait", { draft: true }],
  ])("replaces nobody: %s", (_name, o) => {
    const plan = planPullRequest(input([DOCS_FILE], carolRequestedMonday, o));
    expect(plan.reroute).toBeUndefined();
    expect(plan.reviews.users).toEqual([]);
  });

  it("keeps an overdue reviewer nobody can replace (the module's only maintainer)", () => {
    const t = thread({ requestedUsers: ["alice"], requestTimes: [{ login: "alice", at: MONDAY }] });
    const plan = planPullRequest(input([NN_FILE], t));
    expect(plan.reroute).toBeUndefined();
    expect(plan.reviews.users).toEqual([]);
    expect(plan.decision.modules[0]!.reviewers).toEqual(["alice"]);
    expect(plan.skipped).not.toContainEqual(expect.objectContaining({ reason: "overdue" }));
  });

  it("a comment since the request keeps the reviewer", () => {
    const t = { ...carolRequestedMonday, activity: [{ login: "carol", at: "2026-01-06T12:00:00Z" }] };
    expect(planPullRequest(input([DOCS_FILE], t)).reroute).toBeUndefined();
  });

  it("once per reviewer: someone review-router replaced is never requested again, and their replacement is not replaced by them", () => {
    const t = thread({ requestedUsers: ["dave"], requestTimes: [{ login: "dave", at: MONDAY }], replacedByApp: ["carol"] });
    const plan = planPullRequest(input([DOCS_FILE], t));
    expect(plan.reroute).toBeUndefined(); // dave is overdue too, but carol may not come back
    expect(plan.reviews.users).toEqual([]);
    expect(plan.skipped).toContainEqual({ login: "carol", module: "Docs", reason: "overdue" });
  });

  it("after the withdrawal, the next plan sees the replacement requested and the overdue reviewer blocked", () => {
    const first = input([DOCS_FILE], carolRequestedMonday);
    const applied = { labelsAdded: ["docs"], labelsRemoved: [], requestedUsers: ["dave"], requestedTeams: [] };
    const next = afterApplying(first, applied, [], ["carol"]);
    expect(next.pr.thread.requestedUsers).toEqual(["dave"]);
    expect(next.pr.thread.replacedByApp).toEqual(["carol"]);
    const plan = planPullRequest(next);
    expect(plan.reroute).toBeUndefined();
    expect(plan.reviews.users).toEqual([]);
  });
});

describe("a replacement requested by an earlier delivery whose withdrawal failed", () => {
  // carol's 24 business hours ran out on Tuesday at 09:00; dave was asked after that.
  const bothRequested = (daveAt: string) =>
    thread({
      labels: new Set(["docs"]),
      requestedUsers: ["carol", "dave"],
      requestTimes: [
        { login: "carol", at: MONDAY },
        { login: "dave", at: daveAt },
      ],
    });

  it("plans the missing withdrawal of the overdue reviewer, and no new request", () => {
    const plan = planPullRequest(input([DOCS_FILE], bothRequested("2026-01-07T09:30:00Z")));
    expect(plan.reviews.users).toEqual([]);
    expect(plan.reroute).toEqual([
      { login: "carol", requestedAt: MONDAY, businessHours: 24, modules: ["Docs"], by: ["dave"], alreadyRequested: ["dave"] },
    ]);
    expect(plan.skipped).toContainEqual({ login: "carol", module: "Docs", reason: "overdue" });
  });

  it("is not assumed of a reviewer requested before the deadline passed: both stay", () => {
    const plan = planPullRequest(input([DOCS_FILE], bothRequested("2026-01-05T10:00:00Z")));
    expect(plan.reroute).toBeUndefined();
    expect(plan.reviews.users).toEqual([]);
  });

  it("apply withdraws the overdue request without asking anyone again", async () => {
    const github = new FakeGitHub({ files: [DOCS_FILE], labels: ["docs"], requestedUsers: ["carol", "dave"] });
    const run = await planAndApplyPullRequest(github, input([DOCS_FILE], bothRequested("2026-01-07T09:30:00Z")));
    expect(github.writes()).toEqual([{ call: "removeReviewRequests", number: 7, users: ["carol"], teams: [] }]);
    expect(run.withdrawn).toEqual(["carol"]);
    expect(github.requestedUsers).toEqual(["dave"]);
  });
});

describe("planAndApplyPullRequest with an overdue reviewer", () => {
  async function gathered(github: FakeGitHub): Promise<PullRequestPlanInput> {
    const view = {
      number: 7,
      headSha: "abc",
      withCheckRuns: true,
      author: "zed",
      draft: false,
      changedFiles: 1,
      thread: { labels: [], requestedUsers: [], requestedTeams: [] },
    };
    const { facts } = await gatherPullRequest(github, view);
    return { router: smallRouter(REROUTE), pr: facts, dryRun: false, now: WEDNESDAY };
  }

  it("requests the replacement, then withdraws the overdue request", async () => {
    const github = new FakeGitHub({
      files: [DOCS_FILE],
      labels: ["docs"],
      requestedUsers: ["carol"],
      requestTimes: [{ login: "carol", at: MONDAY }],
    });
    const run = await planAndApplyPullRequest(github, await gathered(github));
    expect(github.writes()).toEqual([
      { call: "requestReviews", number: 7, users: ["dave"], teams: [] },
      { call: "removeReviewRequests", number: 7, users: ["carol"], teams: [] },
    ]);
    expect(run.withdrawn).toEqual(["carol"]);
    expect(github.requestedUsers).toEqual(["dave"]);
  });

  it("withdraws nothing when GitHub refuses the replacement", async () => {
    const github = new FakeGitHub({
      files: [DOCS_FILE],
      labels: ["docs"],
      requestedUsers: ["carol"],
      requestTimes: [{ login: "carol", at: MONDAY }],
    });
    github.notCollaborators.add("dave");
    const run = await planAndApplyPullRequest(github, await gathered(github));
    expect(github.writes()).toEqual([{ call: "requestReviews", number: 7, users: ["dave"], teams: [] }]);
    expect(run.withdrawn).toEqual([]);
    expect(run.refused).toEqual([{ login: "dave", reason: "not a collaborator" }]);
    expect(github.requestedUsers).toEqual(["carol"]);
  });
});
