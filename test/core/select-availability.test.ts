// Availability and load in reviewer selection: table tests of the policy of issue 11.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type Policy } from "../../src/core/config.js";
import type { Maintainer } from "../../src/core/registry.js";
import { selectReviewers, signalCandidates, unavailableNow, type SelectionInput, type SelectionModule } from "../../src/core/select.js";
import type { BusyStatus, CandidateSignals } from "../../src/core/signals.js";

const m = (login: string, emeritus = false): Maintainer => ({ login, name: login, emeritus });
const FFT: SelectionModule = { name: "FFT", fileCount: 1, maintainers: [m("mruberry"), m("peterbell10")] };
const TRIO: SelectionModule = { name: "Trio", fileCount: 2, maintainers: [m("ann"), m("bob"), m("cat"), m("old", true)] };
const PAIR: SelectionModule = { name: "Pair", fileCount: 1, maintainers: [m("bob"), m("dan")] };

function signals(busy: Record<string, BusyStatus> = {}, load: Record<string, number> = {}): CandidateSignals {
  return { busy: new Map(Object.entries(busy)), openReviews: new Map(Object.entries(load)) };
}

function input(over: Partial<Omit<SelectionInput, "policy">> & { policy?: Partial<Policy> } = {}): SelectionInput {
  return {
    repository: "pytorch/pytorch",
    prNumber: 1,
    author: "someone",
    modules: [TRIO],
    requestedReviewers: [],
    requestedTeams: [],
    reviewedBy: [],
    ...over,
    policy: { ...DEFAULT_POLICY, ...over.policy },
  };
}

const PRS = Array.from({ length: 60 }, (_, i) => i + 1);

describe("selectReviewers with availability and load", () => {
  const cases: {
    name: string;
    signals?: CandidateSignals;
    now?: Date;
    policy?: Partial<Policy>;
    /** Who is requested on every pull request; undefined: the hash decides (checked separately). */
    want?: string[];
    skipped?: { login: string; reason: string }[];
  }[] = [
    {
      name: "busy is never asked",
      signals: signals({ ann: {}, bob: {} }),
      want: ["cat"],
      skipped: [
        { login: "ann", reason: "busy" },
        { login: "bob", reason: "busy" },
      ],
    },
    {
      name: "a status that expired is not busy",
      signals: signals(
        { ann: { expiresAt: "2026-12-01T00:00:00Z" }, bob: { expiresAt: "2026-12-09T00:00:00Z" } },
        { ann: 0, bob: 1, cat: 2 },
      ),
      now: new Date("2026-12-05T00:00:00Z"),
      want: ["ann"],
      skipped: [{ login: "bob", reason: "busy" }],
    },
    {
      name: "overloaded at the limit, not below it",
      signals: signals({}, { ann: 15, bob: 14, cat: 20 }),
      want: ["bob"],
      skipped: [
        { login: "ann", reason: "overloaded" },
        { login: "cat", reason: "overloaded" },
      ],
    },
    {
      name: "max_open_reviews is the policy's",
      signals: signals({}, { ann: 3, bob: 5, cat: 1 }),
      policy: { maxOpenReviews: 2 },
      want: ["cat"],
      skipped: [
        { login: "ann", reason: "overloaded" },
        { login: "bob", reason: "overloaded" },
      ],
    },
    { name: "all overloaded: the least loaded is asked", signals: signals({}, { ann: 40, bob: 16, cat: 30 }), want: ["bob"], skipped: [] },
    {
      name: "all overloaded or busy: the least loaded free one",
      signals: signals({ bob: {} }, { ann: 40, bob: 1, cat: 30 }),
      want: ["cat"],
    },
    { name: "the least loaded is preferred", signals: signals({}, { ann: 7, bob: 3, cat: 9 }), want: ["bob"] },
    { name: "a known load is preferred to an unknown one", signals: signals({}, { cat: 10 }), want: ["cat"] },
    { name: "everyone busy: nobody is asked", signals: signals({ ann: {}, bob: {}, cat: {} }), want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const pr of PRS) {
        const s = selectReviewers(
          input({ prNumber: pr, ...(c.signals ? { signals: c.signals } : {}), ...(c.now ? { now: c.now } : {}), policy: c.policy ?? {} }),
        );
        if (c.want) expect(s.reviewers).toEqual(c.want);
        const signalSkips = s.skipped
          .filter((k) => k.reason === "busy" || k.reason === "overloaded")
          .map(({ login, reason }) => ({ login, reason }));
        if (c.skipped) expect(signalSkips).toEqual(c.skipped);
      }
    });
  }

  it("says when every candidate was overloaded", () => {
    const s = selectReviewers(input({ signals: signals({}, { ann: 40, bob: 16, cat: 30 }) }));
    expect(s.notes).toEqual(["every candidate for Trio has 15 or more open review requests: the least loaded is asked"]);
    expect(s.skipped.find((k) => k.login === "ann")?.reason).toBe("module covered");
  });

  it("breaks ties in load by today's stable hash, so without signals nothing changes", () => {
    const chosen = new Set<string>();
    for (const pr of PRS) {
      const plain = selectReviewers(input({ prNumber: pr }));
      const empty = selectReviewers(input({ prNumber: pr, signals: signals() }));
      const tied = selectReviewers(input({ prNumber: pr, signals: signals({}, { ann: 4, bob: 4, cat: 4 }) }));
      expect(empty).toEqual(plain);
      expect(tied.reviewers).toEqual(plain.reviewers);
      expect(tied.skipped).toEqual(plain.skipped);
      chosen.add(plain.reviewers[0]!);
    }
    // Ties still spread over the candidates.
    expect([...chosen].sort()).toEqual(["ann", "bob", "cat"]);
  });

  it("ranks only the tied ones by the hash", () => {
    for (const pr of PRS) {
      const s = selectReviewers(input({ prNumber: pr, signals: signals({}, { ann: 9, bob: 2, cat: 2 }) }));
      const plain = selectReviewers(input({ prNumber: pr, modules: [{ ...TRIO, maintainers: [m("bob"), m("cat")] }] }));
      expect(s.reviewers).toEqual(plain.reviewers);
    }
  });

  it("matches logins in any letter case", () => {
    const s = selectReviewers(input({ signals: signals({ ANN: {}, Bob: {} }, { CAT: 99 }) }));
    expect(s.reviewers).toEqual(["cat"]);
    expect(s.notes).toHaveLength(1);
  });

  it("keeps a busy reviewer who is already requested: they still cover the module", () => {
    const s = selectReviewers(input({ requestedReviewers: ["bob"], signals: signals({ bob: {} }, { bob: 50 }) }));
    expect(s.reviewers).toEqual([]);
    expect(s.coverage.get("Trio")!.reviewers).toEqual(["bob"]);
    expect(s.skipped.map((k) => k.reason)).not.toContain("busy");
  });

  it("lets an overloaded reviewer chosen for one module cover another at no cost", () => {
    // In Trio everyone is overloaded and bob is least loaded; in Pair dan is free, but bob covers Pair already.
    const s = selectReviewers(input({ modules: [TRIO, PAIR], signals: signals({}, { ann: 40, bob: 16, cat: 30, dan: 0 }) }));
    expect(s.reviewers).toEqual(["bob"]);
    expect(s.coverage.get("Pair")!.reviewers).toEqual(["bob"]);
    expect(s.skipped.filter((k) => k.module === "Pair")).toEqual([{ login: "dan", module: "Pair", reason: "module covered" }]);
  });

  it("leaves a module that needs nobody as today: signals change nothing there", () => {
    for (const pr of PRS) {
      const plain = selectReviewers(input({ prNumber: pr, requestedReviewers: ["ann"] }));
      const s = selectReviewers(input({ prNumber: pr, requestedReviewers: ["ann"], signals: signals({ bob: {} }, { cat: 99 }) }));
      expect(s).toEqual(plain);
    }
  });

  it("applies availability to fallback reviewers too", () => {
    const orphan: SelectionModule = { name: "Orphan", fileCount: 1, maintainers: [m("gone", true)] };
    const s = selectReviewers(input({ modules: [orphan], policy: { fallbackReviewers: ["fa", "fb"] }, signals: signals({ fa: {} }) }));
    expect(s.reviewers).toEqual(["fb"]);
    expect(s.skipped).toContainEqual({ login: "fa", module: "Orphan", reason: "busy" });
    expect(s.coverage.get("Orphan")).toEqual({ reviewers: ["fb"], fallback: true });
  });

  it("never asks again someone withdrawn by a reroll", () => {
    for (const pr of PRS) {
      const s = selectReviewers(input({ prNumber: pr, blocked: [{ login: "Ann", reason: "withdrawn" }] }));
      expect(s.reviewers).not.toContain("ann");
      expect(s.skipped).toContainEqual({ login: "ann", module: "Trio", reason: "withdrawn" });
    }
  });
});

describe("dated unavailable entries", () => {
  const policy = { unavailable: [{ login: "mruberry", until: "2026-12-20" }, { login: "ghost" }] };
  const cases: { now?: string; away: boolean }[] = [
    { now: "2026-12-01T00:00:00Z", away: true },
    { now: "2026-12-20T23:59:59Z", away: true },
    { now: "2026-12-21T00:00:00Z", away: false },
    { now: undefined, away: true },
  ];
  for (const c of cases) {
    it(`at ${c.now ?? "no given time"} mruberry is ${c.away ? "away" : "back"}`, () => {
      const s = selectReviewers(input({ modules: [FFT], policy, ...(c.now ? { now: new Date(c.now) } : {}) }));
      expect(s.skipped.some((k) => k.login === "mruberry" && k.reason === "unavailable")).toBe(c.away);
      expect(unavailableNow(policy.unavailable, c.now ? new Date(c.now) : undefined).has("ghost")).toBe(true);
    });
  }
});

describe("signalCandidates: whom to ask GitHub about", () => {
  const orphan: SelectionModule = { name: "Orphan", fileCount: 1, maintainers: [m("gone", true)] };
  const table: { name: string; over: Partial<Omit<SelectionInput, "policy">> & { policy?: Partial<Policy> }; want: string[] }[] = [
    { name: "every eligible maintainer of a module needing a reviewer", over: {}, want: ["ann", "bob", "cat"] },
    {
      name: "not the author, the unavailable or the blocked",
      over: { author: "ANN", blocked: [{ login: "bob", reason: "withdrawn" }] },
      want: ["cat"],
    },
    { name: "nobody when the module is covered", over: { requestedReviewers: ["cat"] }, want: [] },
    {
      name: "only the modules still needing one",
      over: { modules: [TRIO, PAIR, FFT], reviewedBy: ["bob"] },
      want: ["mruberry", "peterbell10"],
    },
    { name: "nobody when the cap is reached", over: { requestedReviewers: ["x", "y", "z"] }, want: [] },
    { name: "nobody for an ignored author", over: { author: "dependabot[bot]", policy: { ignoreAuthors: ["*[bot]"] } }, want: [] },
    {
      name: "the fallback reviewers of a module without maintainers",
      over: { modules: [orphan], policy: { fallbackReviewers: ["fa", "FB", "fb"] } },
      want: ["fa", "FB"],
    },
    { name: "each login once", over: { modules: [TRIO, PAIR] }, want: ["ann", "bob", "cat", "dan"] },
  ];
  for (const c of table) it(c.name, () => expect(signalCandidates(input(c.over))).toEqual(c.want));

  it("is enough: signals for these alone decide as signals for everyone would", () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const everyone = ["ann", "bob", "cat", "dan", "mruberry", "peterbell10"];
    for (let pr = 1; pr <= 200; pr++) {
      const load = Object.fromEntries(everyone.map((l) => [l, rand(25)]));
      const busy = Object.fromEntries(everyone.filter(() => rand(4) === 0).map((l) => [l, {}]));
      const base = input({
        prNumber: pr,
        modules: [TRIO, PAIR, FFT],
        requestedReviewers: rand(2) ? ["bob"] : [],
        policy: { maxReviewers: 1 + rand(3) },
      });
      const asked = new Set(signalCandidates(base));
      const only = (rec: Record<string, unknown>) => Object.fromEntries(Object.entries(rec).filter(([l]) => asked.has(l)));
      const full = selectReviewers({ ...base, signals: signals(busy, load) });
      const partial = selectReviewers({
        ...base,
        signals: signals(only(busy) as Record<string, BusyStatus>, only(load) as Record<string, number>),
      });
      expect(partial).toEqual(full);
    }
  });
});
