// Reviewer expertise from review history: the index, the back-off from a directory without history
// to its parent, the time window and decay, directory entries from the app's read, and how the
// router ranks and widens with it.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config.js";
import { addRecord, expertiseEvidence, expertiseFor, expertiseIndex, levelsOf, newExpertiseIndex } from "../../src/core/expertise.js";
import type { HistoryRecord } from "../../src/core/history.js";
import { planPullRequest } from "../../src/core/plan.js";
import { route } from "../../src/core/route.js";
import { buildRouter } from "../../src/core/router.js";
import { renderSummary } from "../../src/app/summary.js";

const SETTINGS = { windowDays: 90, halfLifeDays: 30 };
const NOW = new Date("2026-06-01T00:00:00Z");

function daysAgo(n: number): string {
  return new Date(NOW.getTime() - n * 86_400_000).toISOString();
}

let nextPr = 1;
function rec(files: string[], approvers: string[], age = 10, author: string | null = "someone"): HistoryRecord {
  return { pr: nextPr++, date: daysAgo(age), author, files, approvers };
}

/** Records oldest first, as a history file holds them. */
function history(...records: HistoryRecord[]): HistoryRecord[] {
  return [...records].sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}

function scores(records: HistoryRecord[], paths: string[], now = NOW, author?: string) {
  const found = expertiseFor(expertiseIndex(records, SETTINGS.halfLifeDays), paths, SETTINGS, now, author ? { author } : {});
  return new Map([...found].map(([k, e]) => [k, e]));
}

describe("levelsOf", () => {
  it("lists a file, its directories and the root, deepest first; a path ending in / is that directory", () => {
    expect(levelsOf("torch/nn/linear.py")).toEqual(["torch/nn/linear.py", "torch/nn/", "torch/", ""]);
    expect(levelsOf("torch/nn/")).toEqual(["torch/nn/", "torch/", ""]);
    expect(levelsOf("setup.py")).toEqual(["setup.py", ""]);
  });
});

describe("expertiseFor", () => {
  it("ranks whoever approved the most pull requests under the changed paths first, and says so", () => {
    const h = history(
      ...[1, 2, 3, 4].map((i) => rec([`torch/nn/m${i}.py`], ["Ann"], i)),
      rec(["torch/nn/m9.py"], ["bo"], 5),
      ...[1, 2, 3, 4, 5, 6].map((i) => rec([`torch/optim/o${i}.py`], ["bo"], i)),
    );
    const s = scores(h, ["torch/nn/new.py"]);
    expect(s.get("ann")!.score).toBeGreaterThan(s.get("bo")!.score);
    expect(s.get("ann")).toMatchObject({ login: "Ann", path: "torch/nn/", approvals: 4 });
    expect(expertiseEvidence(s.get("ann"), 90)).toBe("approved 4 pull requests touching torch/nn/ in the last 90 days");
  });

  it("backs off from a directory without history to its parent", () => {
    const h = history(...[1, 2, 3].map((i) => rec([`torch/nn/m${i}.py`], ["ann"], i)), rec(["docs/x.md"], ["cy"], 1));
    const s = scores(h, ["torch/nn/brand/new/dir/file.py"]);
    expect([...s.keys()]).toEqual(["ann"]);
    expect(s.get("ann")!.path).toBe("torch/nn/");
  });

  it("counts a record whose files name a directory (ending in /) as touching that directory", () => {
    const h = history(rec(["torch/nn/"], ["ann"], 3), rec(["torch/nn/"], ["ann"], 2), rec(["torch/"], ["bo"], 1));
    const s = scores(h, ["torch/nn/linear.py"]);
    expect(s.get("ann")).toMatchObject({ path: "torch/nn/", approvals: 2 });
    expect(s.get("ann")!.score).toBeGreaterThan(s.get("bo")?.score ?? 0);
  });

  it("counts only the window before the decision, and recent approvals more than old ones", () => {
    const h = history(
      ...[1, 2, 3].map((i) => rec([`a/f${i}`], ["old"], 60 + i)),
      ...[1, 2, 3].map((i) => rec([`a/g${i}`], ["new"], i)),
      rec(["a/h"], ["gone"], 200),
    );
    const s = scores(h, ["a/x"]);
    expect(s.get("new")!.score).toBeGreaterThan(s.get("old")!.score);
    expect(s.has("gone")).toBe(false);
    // As of before every record: nothing is known.
    expect(scores(h, ["a/x"], new Date(Date.parse(daysAgo(300)))).size).toBe(0);
    // Records after the decision do not count either.
    const early = scores(h, ["a/x"], new Date(Date.parse(daysAgo(30))));
    expect([...early.keys()].sort()).toEqual(["old"]);
  });

  it("counts the author's usual approvers too, and never the author or a bot", () => {
    const h = history(
      rec(["a/f"], ["ann", "pytorchbot"], 3, "zed"),
      rec(["b/f"], ["bo"], 2, "zed"),
      rec(["b/g"], ["bo"], 1, "zed"),
      rec(["a/g"], ["zed"], 1, "other"),
    );
    const s = scores(h, ["a/x"], NOW, "zed");
    expect(s.get("bo")).toMatchObject({ approvals: 0, authorApprovals: 2 });
    expect(s.has("pytorchbot")).toBe(false);
    expect(expertiseEvidence(s.get("bo"), 90)).toBe("approved no pull request touching these paths, 2 of the author's in the last 90 days");
  });

  it("counts a pull request a candidate wrote under the paths as half an approval there, and says so; never a bot's", () => {
    const h = history(
      rec(["torch/nn/a.py"], ["ann"], 3),
      ...[1, 2, 3, 4].map((i) => rec([`torch/nn/m/w${i}.py`], ["cy"], i, "bo")),
      rec(["torch/nn/d.py"], ["cy"], 2, "dee"),
      ...[1, 2, 3].map((i) => rec([`torch/nn/b${i}.py`], ["cy"], i, "nn-bot[bot]")),
    );
    // Those who only wrote are scored as the modules' maintainers are: named in `also`.
    const also = ["ann", "bo", "dee", "nn-bot[bot]"];
    const s = expertiseFor(expertiseIndex(h, 30), ["torch/nn/new.py"], SETTINGS, NOW, { author: "zed", also });
    // Four written (two approvals' worth) outweigh one approved; one written (half) does not.
    expect(s.get("bo")!.score).toBeGreaterThan(s.get("ann")!.score);
    expect(s.get("ann")!.score).toBeGreaterThan(s.get("dee")!.score);
    expect(s.get("bo")).toMatchObject({ approvals: 0, authored: 4, authoredPath: "torch/nn/" });
    expect(expertiseEvidence(s.get("bo"), 90)).toBe(
      "approved no pull request touching these paths; wrote 4 pull requests touching torch/nn/ in the last 90 days",
    );
    expect(s.has("nn-bot[bot]")).toBe(false);
    // Both kinds of evidence, and the author's, in one sentence.
    const both = { path: "torch/nn/", approvals: 7, authorApprovals: 3, authoredPath: "torch/", authored: 1 };
    expect(expertiseEvidence(both, 90)).toBe(
      "approved 7 pull requests touching torch/nn/, 3 of the author's; wrote 1 pull request touching torch/ in the last 90 days",
    );
  });

  it("refuses records out of date order when added one by one, and sorts a whole history itself", () => {
    const index = newExpertiseIndex(30);
    addRecord(index, rec(["a/f"], ["ann"], 1));
    expect(() => addRecord(index, rec(["a/f"], ["ann"], 5))).toThrow(/date order/);
    const unsorted = [rec(["a/f"], ["ann"], 1), rec(["a/g"], ["ann"], 5), rec(["a/h"], ["ann"], 3)];
    expect(expertiseIndex(unsorted, 30).records).toBe(3);
  });
});

const CONFIG = (extra = "") => `${extra}modules:
  - {name: NN, label: "module: nn", maintainers: [alice, bob, carol], paths: ["torch/nn/**"]}
  - {name: Optim, label: "module: optim", maintainers: [dave], paths: ["torch/optim/**"]}
`;
const REGISTRY = {
  entries: [
    { name: "Old", level: "module" as const, maintainers: [{ login: "retired", name: "R", emeritus: true }] },
    { name: "NN", level: "module" as const, maintainers: ["alice", "bob", "carol"].map((l) => ({ login: l, name: l, emeritus: false })) },
  ],
};
function router(extra = "") {
  const { config } = parseConfig(CONFIG(extra), "t.yml");
  return buildRouter(config!, REGISTRY);
}

/** Every NN maintainer ranks first on some pull request without history: the hash spreads them. */
const NN_HISTORY = history(
  ...[1, 2, 3, 4, 5].map((i) => rec([`torch/nn/a${i}.py`], ["carol"], i)),
  ...[1, 2].map((i) => rec([`torch/nn/b${i}.py`], ["bob"], i + 5)),
  ...[1, 2, 3, 4, 5, 6].map((i) => rec([`torch/nn/c${i}.py`], ["outsider"], i + 7)),
  ...[1, 2].map((i) => rec([`torch/nn/d${i}.py`], ["retired"], i)),
  ...[1, 2].map((i) => rec([`torch/nn/e${i}.py`], ["nn-bot[bot]"], i)),
);

describe("route with history", () => {
  const input = (pr: number, history = NN_HISTORY) => ({
    repository: "acme/w",
    prNumber: pr,
    author: "zed",
    files: [{ path: "torch/nn/linear.py" }],
    now: NOW,
    history: expertiseIndex(history, 30),
  });

  it("asks the maintainer who approved the most of these paths, whatever the hash says, and lists every candidate best first", () => {
    for (const pr of [1, 2, 3, 4, 5, 6]) {
      const d = route(router(), input(pr));
      expect(d.reviewers).toEqual(["carol"]);
      expect(d.candidates.map((c) => [c.login, c.chosen])).toEqual([
        ["carol", true],
        ["bob", false],
        ["alice", false],
      ]);
    }
    const d = route(router(), input(1));
    expect(d.candidates[0]).toMatchObject({
      reason: "chosen for NN",
      evidence: "approved 5 pull requests touching torch/nn/ in the last 180 days",
    });
    expect(d.candidates[2]).toMatchObject({
      score: 0,
      reason: "module covered",
      evidence: "approved no pull request touching these paths in the last 180 days",
    });
    expect(d.widened).toEqual([]);
  });

  it("gives today's choice with an empty or unrelated history", () => {
    const without = route(router(), { ...input(3), history: undefined });
    expect(route(router(), input(3, [])).reviewers).toEqual(without.reviewers);
    expect(route(router(), input(3, [rec(["elsewhere/x.c"], ["carol"], 1)])).reviewers).toEqual(without.reviewers);
    expect(without.candidates.every((c) => c.evidence === "no review history given")).toBe(true);
  });

  it("widened, asks the recent approver with more expertise than any listed maintainer, never emeritus, a bot or the author", () => {
    const r = router("widen_to_recent_approvers: true\n");
    const d = route(r, input(1));
    expect(d.reviewers).toEqual(["carol", "outsider"]);
    expect(d.widened).toEqual(["outsider"]);
    expect(d.candidates[0]).toMatchObject({
      login: "outsider",
      chosen: true,
      reason: "recent approver, not a listed maintainer (widening)",
    });
    const logins = d.candidates.map((c) => c.login);
    expect(logins).not.toContain("retired");
    expect(logins).not.toContain("nn-bot[bot]");
    // The author is never asked.
    const byOutsider = route(r, { ...input(1), author: "outsider" });
    expect(byOutsider.widened).toEqual([]);
    expect(byOutsider.candidates.find((c) => c.login === "outsider")).toMatchObject({ chosen: false, reason: "author" });
  });

  it("widened, asks nobody below widen_min_approvals, nor when a listed maintainer knows the paths as well", () => {
    const few = route(router("widen_to_recent_approvers: true\nwiden_min_approvals: 7\n"), input(1));
    expect(few.widened).toEqual([]);
    expect(few.candidates.find((c) => c.login === "outsider")!.reason).toMatch(/below widen_min_approvals/);
    const h = history(...NN_HISTORY, ...[1, 2, 3, 4].map((i) => rec([`torch/nn/z${i}.py`], ["carol"], i)));
    const known = route(router("widen_to_recent_approvers: true\n"), input(1, h));
    expect(known.widened).toEqual([]);
    expect(known.reviewers).toEqual(["carol"]);
  });
});

describe("candidates emeritus for one touched module", () => {
  it("are listed with the reason of a module they may review, among those who can be asked", () => {
    const registry = {
      entries: [
        {
          name: "A",
          level: "module" as const,
          maintainers: [
            { login: "ann", name: "ann", emeritus: true },
            { login: "bo", name: "bo", emeritus: false },
          ],
        },
        { name: "B", level: "module" as const, maintainers: ["ann", "cy"].map((l) => ({ login: l, name: l, emeritus: false })) },
      ],
    };
    const { config } = parseConfig(`modules:\n  - {name: A, paths: ["a/**"]}\n  - {name: B, paths: ["b/**"]}\n`, "t.yml");
    // cy knows b/ best, ann a little: cy is chosen for B, ann covered there.
    const h = history(...[1, 2, 3].map((i) => rec([`b/f${i}`], ["cy"], i)), rec(["b/g"], ["ann"], 4));
    const d = route(buildRouter(config!, registry), {
      repository: "acme/w",
      prNumber: 1,
      author: "zed",
      files: [{ path: "a/x" }, { path: "a/y" }, { path: "b/z" }],
      now: NOW,
      history: expertiseIndex(h, 30),
    });
    expect(d.reviewers.sort()).toEqual(["bo", "cy"]);
    expect(d.candidates.map((c) => [c.login, c.reason])).toEqual([
      ["cy", "chosen for B"],
      ["ann", "module covered"],
      ["bo", "chosen for A"],
    ]);
  });
});

describe("planPullRequest with history", () => {
  const facts = (files: string[]) => ({
    repository: "acme/w",
    number: 4,
    author: "zed",
    draft: false,
    files: files.map((path) => ({ path })),
    thread: {
      labels: new Set<string>(),
      labelsAddedByApp: new Set<string>(),
      labelsRemovedByHuman: new Set<string>(),
      requestedUsers: [],
      requestedTeams: [],
      requestRemovedByHuman: [],
      reviewedBy: [],
    },
  });

  it("puts the candidates on the plan, takes directory entries from the app's read, and the summary says why", () => {
    const dirs = history(...[1, 2, 3].map((i) => rec(["torch/nn/"], ["bob"], i)));
    const plan = planPullRequest({ router: router(), pr: facts(["torch/nn/conv.py"]), dryRun: false, now: NOW, history: dirs });
    expect(plan.reviews.users).toEqual(["bob"]);
    expect(plan.candidates).toEqual(plan.decision.candidates);
    expect(plan.candidates[0]).toMatchObject({ login: "bob", chosen: true });
    const body = renderSummary({ decision: plan.summary!.decision, dryRun: false, draftDeferred: false, configSource: "t.yml" }).body;
    expect(body).toContain("- @bob (chosen for NN): approved 3 pull requests touching torch/nn/ in the last 180 days");
  });

  it("counts who wrote the pull requests of the app's directory entries after who approved them, and says so", () => {
    const dirs = history(
      ...[1, 2, 3].map((i) => rec(["torch/nn/"], ["bob"], i)),
      ...[4, 5].map((i) => rec(["torch/nn/"], ["outsider"], i, "alice")),
    );
    const plan = planPullRequest({ router: router(), pr: facts(["torch/nn/conv.py"]), dryRun: false, now: NOW, history: dirs });
    expect(plan.reviews.users).toEqual(["bob"]);
    expect(plan.candidates.map((c) => [c.login, c.evidence])).toEqual([
      ["bob", "approved 3 pull requests touching torch/nn/ in the last 180 days"],
      ["alice", "approved no pull request touching these paths; wrote 2 pull requests touching torch/nn/ in the last 180 days"],
      ["carol", "approved no pull request touching these paths in the last 180 days"],
    ]);
  });

  it("says in the summary when the history could not be read, and chooses as without it", () => {
    const input = {
      router: router(),
      pr: facts(["torch/nn/conv.py"]),
      dryRun: false,
      now: NOW,
      historyUnavailable: "GraphQL: rate limited",
    };
    const plan = planPullRequest(input);
    expect(plan.reviews.users).toEqual(planPullRequest({ ...input, historyUnavailable: undefined }).reviews.users);
    expect(plan.summary!.historyUnavailable).toBe("GraphQL: rate limited");
    const body = renderSummary({
      decision: plan.summary!.decision,
      dryRun: false,
      draftDeferred: false,
      configSource: "t.yml",
      historyUnavailable: plan.summary!.historyUnavailable!,
    }).body;
    expect(body).toContain("**Note**: the review history could not be read: GraphQL: rate limited; chose as without it.");
  });

  it("names widened reviewers as recent approvers who are not listed maintainers", () => {
    const plan = planPullRequest({
      router: router("widen_to_recent_approvers: true\n"),
      pr: facts(["torch/nn/conv.py"]),
      dryRun: false,
      now: NOW,
      history: NN_HISTORY,
    });
    expect(plan.reviews.users).toEqual(["carol", "outsider"]);
    const body = renderSummary({ decision: plan.summary!.decision, dryRun: false, draftDeferred: false, configSource: "t.yml" }).body;
    expect(body).toContain("**Also asked**, as recent approvers of these paths who are not listed maintainers of the touched modules:");
    expect(body).toContain("- @outsider: approved 6 pull requests touching torch/nn/ in the last 180 days");
  });
});

describe("a long history", () => {
  it("keeps weights finite over decades of half-lives, ranking as over a short one", () => {
    const start = Date.parse("1990-01-01T00:00:00Z");
    const records: HistoryRecord[] = [];
    // Thirty years of weekly records with a 7-day half-life: 2^1565 would overflow a double.
    for (let i = 0; i < 30 * 52; i++) {
      records.push({
        pr: i + 1,
        date: new Date(start + i * 7 * 86_400_000).toISOString(),
        author: null,
        files: ["a/x"],
        approvers: [i % 3 === 0 ? "ann" : "bo"],
      });
    }
    const index = newExpertiseIndex(7);
    for (const r of records) addRecord(index, r);
    const now = new Date(Date.parse(records[records.length - 1]!.date) + 86_400_000);
    const s = expertiseFor(index, ["a/y"], { windowDays: 90, halfLifeDays: 7 }, now);
    expect(Number.isFinite(s.get("bo")!.score)).toBe(true);
    expect(s.get("bo")!.score).toBeGreaterThan(s.get("ann")!.score);
    expect(s.get("bo")!.score + s.get("ann")!.score).toBeGreaterThan(0.5);
  });
});
