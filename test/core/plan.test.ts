import { describe, expect, it } from "vitest";
import type { IssueDecision } from "../../src/core/issue-text.js";
import {
  afterApplying,
  CC_MARKER,
  configuredLabels,
  issueHasWork,
  planIssue,
  planPullRequest,
  signalsToFetch,
  type PullRequestFacts,
  type PullRequestPlanInput,
  type ThreadFacts,
} from "../../src/core/plan.js";
import { route } from "../../src/core/route.js";
import { REPOSITORY, smallRouter } from "../helpers/small-router.js";

const NN_FILE = "torch/nn/linear.py";
const OPTIM_FILE = "torch/optim/adam.py";
const DOCS_FILE = "docs/index.md";

function thread(over: Partial<Record<keyof ThreadFacts, readonly string[]>> = {}): ThreadFacts {
  return {
    labels: new Set(over.labels ?? []),
    labelsAddedByApp: new Set(over.labelsAddedByApp ?? []),
    labelsRemovedByHuman: new Set(over.labelsRemovedByHuman ?? []),
    requestedUsers: over.requestedUsers ?? [],
    requestedTeams: over.requestedTeams ?? [],
    requestRemovedByHuman: over.requestRemovedByHuman ?? [],
    reviewedBy: over.reviewedBy ?? [],
  };
}

function prInput(
  files: string[],
  o: { settings?: string; draft?: boolean; thread?: ThreadFacts; dryRun?: boolean; author?: string; truncatedAt?: number } = {},
): PullRequestPlanInput {
  const pr: PullRequestFacts = {
    repository: REPOSITORY,
    number: 7,
    author: o.author ?? "zed",
    draft: o.draft ?? false,
    files: files.map((path) => ({ path })),
    ...(o.truncatedAt !== undefined ? { truncatedAt: o.truncatedAt } : {}),
    thread: o.thread ?? thread(),
  };
  return { router: smallRouter(o.settings), pr, dryRun: o.dryRun ?? false };
}

describe("planPullRequest", () => {
  it("keeps the core's decision as route() made it, and requests its reviewers", () => {
    const input = prInput([NN_FILE, DOCS_FILE]);
    const plan = planPullRequest(input);
    const decision = route(input.router, { repository: REPOSITORY, prNumber: 7, author: "zed", files: input.pr.files, blocked: [] });
    expect(plan.decision).toEqual(decision);
    expect(plan.labels).toEqual({ add: ["module: nn", "docs"], remove: [] });
    expect(plan.reviews).toEqual({ users: decision.reviewers, teams: [] });
    expect(plan.reviews.users.map((l) => l.toLowerCase())).toContain("alice");
    expect(plan.deferred).toEqual([]);
    expect(plan.skipped).toEqual(decision.skipped);
    expect(plan.summary).toEqual({ mode: "check", decision, dryRun: false, draftDeferred: false });
    expect(JSON.parse(JSON.stringify(plan)), "a plan is plain data: it prints as JSON whole").toEqual(plan);
  });

  it.each([
    {
      name: "adds only the labels missing",
      thread: thread({ labels: ["module: nn"] }),
      settings: "",
      want: { add: ["module: optim"], remove: [] },
    },
    {
      name: "never adds again a label a human removed",
      thread: thread({ labelsRemovedByHuman: ["module: optim"] }),
      settings: "",
      want: { add: ["module: nn"], remove: [] },
    },
    {
      name: "with sync_labels, removes its own module label that no longer applies",
      thread: thread({ labels: ["module: nn", "docs"], labelsAddedByApp: ["module: nn", "docs"] }),
      settings: "sync_labels: true\n",
      want: { add: ["module: optim"], remove: ["docs"] },
    },
    {
      name: "with sync_labels, never removes a module label a human added",
      thread: thread({ labels: ["module: nn", "docs"], labelsAddedByApp: ["module: nn"] }),
      settings: "sync_labels: true\n",
      want: { add: ["module: optim"], remove: [] },
    },
    {
      name: "with sync_labels, never removes a label no module of the configuration adds",
      thread: thread({ labels: ["triaged"], labelsAddedByApp: ["triaged"] }),
      settings: "sync_labels: true\n",
      want: { add: ["module: nn", "module: optim"], remove: [] },
    },
    {
      name: "without sync_labels, removes nothing",
      thread: thread({ labels: ["docs"], labelsAddedByApp: ["docs"] }),
      settings: "",
      want: { add: ["module: nn", "module: optim"], remove: [] },
    },
  ])("labels: $name", ({ thread: t, settings, want }) => {
    expect(planPullRequest(prInput([NN_FILE, OPTIM_FILE], { thread: t, settings })).labels).toEqual(want);
  });

  it("labels a draft but defers its reviewers, and the summary shows no deferred reviewer as covering", () => {
    const plan = planPullRequest(prInput([NN_FILE, OPTIM_FILE], { draft: true }));
    expect(plan.labels.add).toEqual(["module: nn", "module: optim"]);
    expect(plan.reviews).toEqual({ users: [], teams: [] });
    expect(plan.deferred).toEqual(plan.decision.reviewers.map((login) => ({ login, reason: "draft" })));
    expect(plan.decision.reviewers.sort()).toEqual(["alice", "bob"]);
    expect(plan.summary?.draftDeferred).toBe(true);
    expect(plan.summary?.decision.modules.map((m) => m.reviewers)).toEqual([[], []]);
    expect(plan.summary?.decision.reviewers).toEqual([]);
  });

  it("a draft keeps showing the reviewers already on it; with skip_drafts off it is requested like any pull request", () => {
    const onIt = planPullRequest(prInput([NN_FILE, OPTIM_FILE], { draft: true, thread: thread({ requestedUsers: ["alice"] }) }));
    expect(onIt.summary?.decision.modules.map((m) => [m.name, m.reviewers])).toEqual([
      ["NN", ["alice"]],
      ["Optim", []],
    ]);
    const requested = planPullRequest(prInput([NN_FILE, OPTIM_FILE], { draft: true, settings: "skip_drafts: false\n" }));
    expect(requested.reviews.users.sort()).toEqual(["alice", "bob"]);
    expect(requested.deferred).toEqual([]);
    expect(requested.summary?.draftDeferred).toBe(false);
  });

  it("on synchronize, tops up only the module nobody on the pull request covers", () => {
    const t = thread({ labels: ["module: nn"], labelsAddedByApp: ["module: nn"], requestedUsers: ["alice"] });
    const plan = planPullRequest(prInput([NN_FILE, OPTIM_FILE], { thread: t }));
    expect(plan.labels).toEqual({ add: ["module: optim"], remove: [] });
    expect(plan.reviews.users).toEqual(["bob"]);
    expect(plan.skipped).toContainEqual({ login: "alice", module: "NN", reason: "already requested" });
  });

  it("never requests again a user whose request a human removed, and says why", () => {
    const plan = planPullRequest(prInput([DOCS_FILE], { thread: thread({ requestRemovedByHuman: ["carol"] }) }));
    expect(plan.reviews.users).toEqual(["dave"]);
    expect(plan.skipped).toContainEqual({ login: "carol", module: "Docs", reason: "request removed" });
  });

  it("chooses without the users GitHub refused, naming the reason", () => {
    const input = prInput([DOCS_FILE]);
    const first = planPullRequest(input);
    const [refused] = first.reviews.users as [string];
    const again = planPullRequest({ ...input, refused: [{ login: refused, reason: "not a collaborator" }] });
    expect(again.reviews.users).toEqual([refused === "carol" ? "dave" : "carol"]);
    expect(again.skipped).toContainEqual({ login: refused, module: "Docs", reason: "not a collaborator" });
  });

  it("in dry run still decides everything, and says so to the summary", () => {
    const plan = planPullRequest(prInput([NN_FILE], { dryRun: true, truncatedAt: 3000 }));
    expect(plan.dryRun).toBe(true);
    expect(plan.labels.add).toEqual(["module: nn"]);
    expect(plan.reviews.users).toEqual(["alice"]);
    expect(plan.summary).toMatchObject({ dryRun: true, truncatedAt: 3000 });
  });

  it("plans no summary with summary: none, and a comment with summary: comment", () => {
    expect(planPullRequest(prInput([NN_FILE], { settings: "summary: none\n" })).summary).toBeUndefined();
    expect(planPullRequest(prInput([NN_FILE], { settings: "summary: comment\n" })).summary?.mode).toBe("comment");
  });
});

describe("afterApplying", () => {
  it("counts what was applied as present, so the next plan redoes nothing and only replaces the refused", () => {
    const t = thread({ labels: ["module: optim"], labelsAddedByApp: ["module: optim"] });
    const input = prInput([NN_FILE, DOCS_FILE], { settings: "sync_labels: true\n", thread: t });
    const first = planPullRequest(input);
    expect(first.labels).toEqual({ add: ["module: nn", "docs"], remove: ["module: optim"] });
    const docsReviewer = first.reviews.users.find((l) => l !== "alice")!;
    const applied = { labelsAdded: first.labels.add, labelsRemoved: first.labels.remove, requestedUsers: ["alice"], requestedTeams: [] };
    const next = afterApplying(input, applied, [{ login: docsReviewer, reason: "not a collaborator" }]);
    expect([...next.pr.thread.labels].sort()).toEqual(["docs", "module: nn"]);
    expect(next.pr.thread.requestedUsers).toEqual(["alice"]);
    expect(next.refused).toEqual([{ login: docsReviewer, reason: "not a collaborator" }]);
    expect(input.pr.thread.labels.has("module: optim"), "the earlier input is not changed").toBe(true);
    const second = planPullRequest(next);
    expect(second.labels).toEqual({ add: [], remove: [] });
    expect(second.reviews.users).toEqual([docsReviewer === "carol" ? "dave" : "carol"]);
  });
});

describe("configuredLabels", () => {
  it("lists every module's and area's label", () => {
    const config = { modules: [{ label: "a", areas: [{ label: "b" }] }, { areas: [{ label: "c" }] }] };
    expect([...configuredLabels(config)]).toEqual(["a", "b", "c"]);
  });
});

describe("planIssue", () => {
  const decision: IssueDecision = {
    labels: ["module: nn", "module: optim"],
    modules: [
      { name: "NN", labels: ["module: nn"], areas: [], evidence: [], why: "module: nn (title)", maintainers: ["alice", "Zed"] },
      { name: "Optim", labels: ["module: optim"], areas: [], evidence: [], why: "module: optim (title)", maintainers: ["bob"] },
      { name: "Orphan", labels: [], areas: [], evidence: [], why: "", maintainers: [] },
    ],
    scores: [],
  };
  const base = {
    decision,
    author: "zed",
    thread: { labels: new Set<string>(), labelsRemovedByHuman: new Set<string>() },
    ccCommentPresent: false,
    settings: { issueComment: true },
    dryRun: false,
  };

  it("adds the missing labels, never one a human removed, and cc's the maintainers but the author", () => {
    const plan = planIssue({ ...base, thread: { labels: new Set(["module: nn"]), labelsRemovedByHuman: new Set(["module: optim"]) } });
    expect(plan.labels).toEqual({ add: [] });
    expect(plan.comment).toEqual({
      marker: CC_MARKER,
      body: `${CC_MARKER}\ncc the maintainers of the modules this issue names:\n\n- NN: @alice (module: nn (title))\n- Optim: @bob (module: optim (title))`,
    });
  });

  it.each([
    { name: "issue_comment is off", over: { settings: { issueComment: false } } },
    { name: "the cc comment is already there", over: { ccCommentPresent: true } },
    {
      name: "the author is the only maintainer",
      over: {
        author: "alice",
        decision: { labels: ["module: nn"], modules: [{ ...decision.modules[0]!, maintainers: ["Alice"] }], scores: [] },
      },
    },
  ])("writes no comment when $name", ({ over }) => {
    expect(planIssue({ ...base, ...over }).comment).toBeUndefined();
  });

  describe("needs_triage_label", () => {
    const none: IssueDecision = { labels: [], modules: [], scores: [] };
    const unsure = { ...base, decision: none, settings: { issueComment: true, needsTriageLabel: "triage review" } };
    const thread = (labels: string[], removed: string[] = []) => ({ labels: new Set(labels), labelsRemovedByHuman: new Set(removed) });

    it("adds the label to an issue that names no module and carries no label, and writes no comment", () => {
      const plan = planIssue(unsure);
      expect(plan.labels).toEqual({ add: ["triage review"] });
      expect(plan.comment).toBeUndefined();
      expect(issueHasWork(none, unsure.settings)).toBe(true);
    });

    it.each([
      { name: "the setting is absent", over: { settings: { issueComment: true } } },
      { name: "the issue already carries a label (someone triaged it, or it is there)", over: { thread: thread(["module: nn"]) } },
      { name: "the label is already on the issue", over: { thread: thread(["triage review"]) } },
      { name: "a human removed it before", over: { thread: thread([], ["triage review"]) } },
      { name: "a module was named", over: { decision } },
      {
        name: "a module owns the repository (no label, but named)",
        over: { decision: { labels: [], modules: [{ ...decision.modules[2]!, why: "owns the repository" }], scores: [] } },
      },
    ])("adds nothing more when $name", ({ over }) => {
      expect(planIssue({ ...unsure, ...over }).labels.add).not.toContain("triage review");
    });

    it("leaves an issue naming no module alone when the setting is absent", () => {
      expect(issueHasWork(none, { needsTriageLabel: undefined })).toBe(false);
    });
  });

  it("in dry run still plans the labels and comment, and marks the plan dry", () => {
    const plan = planIssue({ ...base, dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.labels.add).toEqual(["module: nn", "module: optim"]);
    expect(plan.comment).toBeDefined();
  });
});

describe("availability, load, pause and rerolls in a plan", () => {
  const busyCarol = { busy: new Map([["carol", {}]]), openReviews: new Map([["dave", 2]]) };

  it("asks for the signals of the candidates only when someone new can be requested", () => {
    expect(signalsToFetch(prInput([DOCS_FILE])).sort()).toEqual(["carol", "dave"]);
    expect(signalsToFetch(prInput([DOCS_FILE], { draft: true })), "a deferred draft").toEqual([]);
    expect(signalsToFetch(prInput([DOCS_FILE], { thread: thread({ labels: ["review-router: skip"] }) })), "paused").toEqual([]);
    expect(signalsToFetch(prInput([DOCS_FILE], { thread: thread({ requestedUsers: ["dave"] }) })), "covered").toEqual([]);
  });

  it("passes a busy candidate over with the signals, and the summary carries them and max_open_reviews", () => {
    const input = { ...prInput([DOCS_FILE]), signals: busyCarol, now: new Date("2026-12-01T00:00:00Z") };
    const plan = planPullRequest(input);
    expect(plan.reviews.users).toEqual(["dave"]);
    expect(plan.skipped).toContainEqual({ login: "carol", module: "Docs", reason: "busy" });
    expect(plan.summary).toMatchObject({ signals: busyCarol, maxOpenReviews: 15 });
  });

  it("plans with signals that know nobody busy and no load exactly as without any, summary included", () => {
    const none = { busy: new Map(), openReviews: new Map() };
    const now = new Date("2026-12-01T00:00:00Z");
    const withEmpty = planPullRequest({ ...prInput([DOCS_FILE]), signals: none, now });
    expect(withEmpty).toEqual(planPullRequest({ ...prInput([DOCS_FILE]), now }));
    expect(withEmpty.summary).not.toHaveProperty("signals");
    expect(withEmpty.summary).not.toHaveProperty("maxOpenReviews");
  });

  it("notes in the summary why the signals could not be read", () => {
    const plan = planPullRequest({ ...prInput([DOCS_FILE]), signalsUnavailable: "time-out" });
    expect(plan.reviews.users).toHaveLength(1);
    expect(plan.summary?.signalsUnavailable).toBe("time-out");
  });

  it("with the skip label on (any case), labels but defers every reviewer as paused", () => {
    const plan = planPullRequest(prInput([NN_FILE], { thread: thread({ labels: ["Review-Router: Skip"] }) }));
    expect(plan.labels.add).toEqual(["module: nn"]);
    expect(plan.reviews).toEqual({ users: [], teams: [] });
    expect(plan.deferred).toEqual([{ login: "alice", reason: "paused" }]);
    expect(plan.summary?.pausedBy).toBe("review-router: skip");
  });

  it("never chooses again someone review-router withdrew by a reroll", () => {
    const t = { ...thread(), requestRemovedByApp: ["carol"] };
    const plan = planPullRequest(prInput([DOCS_FILE], { thread: t }));
    expect(plan.reviews.users).toEqual(["dave"]);
    expect(plan.skipped).toContainEqual({ login: "carol", module: "Docs", reason: "withdrawn" });
  });
});
