// Regression floor for reviewer choice on the PyTorch tuning history: what `npm run
// eval:reviewers` prints must stay above these figures, and widening must beat the directory
// baseline measured in the same replay. The baselines are checked on a hand-made history.

import { describe, expect, it } from "vitest";
import { DEFAULT_HISTORY, evaluate, readHistoryFile, SlidingApprovals } from "../../bench/eval-reviewers.js";
import { loadRouter } from "../../src/io/files.js";

const rec = (pr: number, files: string[], approvers: string[], author: string | null = null) => ({
  pr,
  date: `2024-01-${String(pr).padStart(2, "0")}T00:00:00Z`,
  author,
  files,
  approvers,
});

describe("the naive baselines", () => {
  it("rank the approvers of the same directories, and overall, over the last N records, the author left out", () => {
    const s = new SlidingApprovals(3);
    s.add(rec(1, ["a/x"], ["old"]));
    s.add(rec(2, ["a/y"], ["ann"]));
    s.add(rec(3, ["a/z", "b/q"], ["ann", "bo"]));
    s.add(rec(4, ["b/r"], ["bo"]));
    // Record 1 has left the window of 3.
    expect(s.byDirectories(["a/new"], null)).toEqual(["ann", "bo"]);
    expect(s.byDirectories(["a/new"], "ANN")).toEqual(["bo"]);
    // Equal counts: by login.
    expect(s.top(null)).toEqual(["ann", "bo"]);
    s.add(rec(5, ["c/s"], ["bo"]));
    expect(s.top(null)).toEqual(["bo", "ann"]);
    expect(s.byDirectories(["a/new"], null)).toEqual(["ann", "bo"]);
  });
});

describe("replaying the PyTorch tuning history", () => {
  it("ranks with history well above without, and widened above the directory baseline", () => {
    const { router } = loadRouter();
    const e = evaluate(readHistoryFile(DEFAULT_HISTORY), router, { splitAt: new Date("2021-07-01T00:00:00Z") });
    const rate = (n: number) => n / e.prs;
    expect(e.prs).toBe(3461);
    // The two periods partition the replay: their hits add up to the whole's, method by method.
    expect(e.periods.map((p) => p.label)).toEqual(["before 2021-07-01", "from 2021-07-01"]);
    expect(e.periods[0]!.prs + e.periods[1]!.prs).toBe(e.prs);
    expect(e.periods[0]!.prs).toBeGreaterThan(1000);
    for (const method of ["today", "history", "widened", "directories", "overall"] as const)
      for (const field of ["first", "any", "top3", "requested"] as const)
        expect(e.periods[0]!.tallies[method][field] + e.periods[1]!.tallies[method][field]).toBe(e.tallies[method][field]);
    expect(rate(e.tallies.history.first)).toBeGreaterThanOrEqual(0.17);
    expect(rate(e.tallies.history.top3)).toBeGreaterThanOrEqual(0.24);
    expect(rate(e.tallies.history.first)).toBeGreaterThan(3 * rate(e.tallies.today.first));
    expect(rate(e.tallies.widened.first)).toBeGreaterThanOrEqual(0.25);
    expect(rate(e.tallies.widened.top3)).toBeGreaterThanOrEqual(0.45);
    expect(e.tallies.widened.first).toBeGreaterThan(e.tallies.directories.first);
    expect(e.tallies.widened.top3).toBeGreaterThan(e.tallies.directories.top3);
  }, 120_000);
});
