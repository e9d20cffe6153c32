import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type Policy } from "../../src/core/config.js";
import type { Maintainer } from "../../src/core/registry.js";
import { authorIgnored, selectReviewers, stableHash, type SelectionInput, type SelectionModule } from "../../src/core/select.js";

const m = (login: string, emeritus = false): Maintainer => ({ login, name: login, emeritus });

const NN: SelectionModule = {
  name: "NN",
  fileCount: 3,
  maintainers: [m("gchanan"), m("soumith"), m("jbschlosser"), m("albanD"), m("colesbury", true)],
};
const OPTIM: SelectionModule = {
  name: "Optim",
  fileCount: 2,
  maintainers: [m("albanD"), m("jbschlosser"), m("soumith"), m("vincentqb", true)],
};
const AUTOGRAD: SelectionModule = {
  name: "Autograd",
  fileCount: 1,
  maintainers: [m("ezyang"), m("alband"), m("soulitzer"), m("apaszke", true)],
};
const FFT: SelectionModule = { name: "FFT", fileCount: 1, maintainers: [m("mruberry"), m("peterbell10")] };
const ONNX: SelectionModule = { name: "ONNX", fileCount: 5, maintainers: [m("BowenBao"), m("abock"), m("garymm", true)] };
const ALL_EMERITUS: SelectionModule = { name: "Old", fileCount: 4, maintainers: [m("zdevito", true)] };

function input(over: Partial<Omit<SelectionInput, "policy">> & { policy?: Partial<Policy> } = {}): SelectionInput {
  return {
    repository: "pytorch/pytorch",
    prNumber: 1,
    author: "someone",
    modules: [NN],
    requestedReviewers: [],
    requestedTeams: [],
    reviewedBy: [],
    ...over,
    policy: { ...DEFAULT_POLICY, ...over.policy },
  };
}

const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

describe("selectReviewers", () => {
  it("never picks an emeritus maintainer and says why each was skipped", () => {
    for (let pr = 1; pr <= 200; pr++) {
      const s = selectReviewers(
        input({ prNumber: pr, modules: [NN, OPTIM, AUTOGRAD, ONNX], policy: { reviewersPerModule: 3, maxReviewers: 15 } }),
      );
      for (const r of lower(s.reviewers)) expect(["colesbury", "vincentqb", "apaszke", "garymm"]).not.toContain(r);
      for (const login of ["colesbury", "vincentqb", "apaszke", "garymm"]) {
        expect(s.skipped.some((k) => k.login === login && k.reason === "emeritus")).toBe(true);
      }
    }
  });

  it("never picks the author, in any letter case", () => {
    for (const author of ["albanD", "ALBAND", "alband", "AlBaNd"]) {
      for (let pr = 1; pr <= 100; pr++) {
        const s = selectReviewers(input({ prNumber: pr, author, modules: [NN, OPTIM, AUTOGRAD], policy: { reviewersPerModule: 3 } }));
        expect(lower(s.reviewers)).not.toContain("alband");
        expect(
          s.skipped
            .filter((k) => k.reason === "author")
            .map((k) => k.module)
            .sort(),
        ).toEqual(["Autograd", "NN", "Optim"]);
      }
    }
  });

  it("respects the cap, counting reviewers and teams already requested", () => {
    for (let pr = 1; pr <= 100; pr++) {
      const s = selectReviewers(input({ prNumber: pr, modules: [NN, OPTIM, AUTOGRAD, FFT, ONNX], policy: { maxReviewers: 3 } }));
      expect(s.reviewers.length).toBeLessThanOrEqual(3);
      const t = selectReviewers(
        input({ prNumber: pr, modules: [NN, FFT, ONNX], requestedReviewers: ["outsider"], requestedTeams: ["pytorch/core"] }),
      );
      expect(t.reviewers.length).toBeLessThanOrEqual(1);
    }
  });

  it("covers the modules with the most changed files first and names those left uncovered", () => {
    // ONNX (5 files) > NN (3) > Optim (2) > FFT (1): with a cap of 2 and no shared maintainers
    // between ONNX, NN and FFT, FFT cannot be covered.
    const s = selectReviewers(input({ modules: [FFT, NN, ONNX], policy: { maxReviewers: 2 } }));
    expect(s.reviewers).toHaveLength(2);
    expect(["bowenbao", "abock"]).toContain(s.reviewers[0]!.toLowerCase());
    expect(s.uncovered).toEqual([{ module: "FFT", reason: "cap of 2 reviewers reached" }]);
    expect(s.skipped.filter((k) => k.module === "FFT").map((k) => k.reason)).toEqual(["cap reached", "cap reached"]);
  });

  it("lets one reviewer cover several modules at no extra cost", () => {
    // albanD maintains NN, Optim and Autograd (as "alband"): once chosen for one, the others reuse him.
    let shared = 0;
    for (let pr = 1; pr <= 100; pr++) {
      const s = selectReviewers(input({ prNumber: pr, modules: [NN, OPTIM, AUTOGRAD], policy: { maxReviewers: 3 } }));
      const cover = [...s.coverage.values()].map((c) => lower(c.reviewers));
      expect(cover.every((c) => c.length >= 1)).toBe(true);
      // Every covering reviewer maintains the module, and was requested for this PR.
      for (const mod of [NN, OPTIM, AUTOGRAD]) {
        const c = lower(s.coverage.get(mod.name)!.reviewers);
        for (const r of c) expect(lower(mod.maintainers.map((x) => x.login))).toContain(r);
        for (const r of c) expect(lower(s.reviewers)).toContain(r);
      }
      if (s.reviewers.length < 3) shared += 1;
      expect(s.reviewers.length).toBe(new Set(cover.flat()).size);
    }
    expect(shared).toBeGreaterThan(0);
  });

  it("is deterministic for a repository and PR number", () => {
    for (let pr = 1; pr <= 50; pr++) {
      const a = selectReviewers(input({ prNumber: pr, modules: [NN, OPTIM, ONNX] }));
      const b = selectReviewers(input({ prNumber: pr, modules: [ONNX, OPTIM, NN] }));
      expect(b.reviewers).toEqual(a.reviewers);
      expect(b.skipped).toEqual(a.skipped);
    }
  });

  it("spreads the load over the active maintainers across many PRs", () => {
    const counts = new Map<string, number>();
    for (let pr = 1; pr <= 1000; pr++) {
      const s = selectReviewers(input({ prNumber: pr, modules: [NN] }));
      expect(s.reviewers).toHaveLength(1);
      counts.set(s.reviewers[0]!, (counts.get(s.reviewers[0]!) ?? 0) + 1);
    }
    // Four active NN maintainers: each should get roughly a quarter (at least 15%).
    expect([...counts.keys()].sort()).toEqual(["albanD", "gchanan", "jbschlosser", "soumith"]);
    for (const n of counts.values()) expect(n).toBeGreaterThan(150);
    // And a different repository with the same PR numbers makes different choices.
    let differ = 0;
    for (let pr = 1; pr <= 100; pr++) {
      const a = selectReviewers(input({ prNumber: pr })).reviewers[0];
      const b = selectReviewers(input({ prNumber: pr, repository: "someone/fork" })).reviewers[0];
      if (a !== b) differ += 1;
    }
    expect(differ).toBeGreaterThan(30);
  });

  it("does not re-request someone already requested or who already reviewed; they cover the module", () => {
    const s = selectReviewers(input({ modules: [NN], requestedReviewers: ["GCHANAN"] }));
    expect(s.reviewers).toEqual([]);
    expect(s.coverage.get("NN")!.reviewers).toEqual(["gchanan"]);
    expect(s.skipped).toContainEqual({ login: "gchanan", module: "NN", reason: "already requested" });
    const t = selectReviewers(input({ modules: [NN], reviewedBy: ["soumith"] }));
    expect(t.reviewers).toEqual([]);
    expect(t.skipped).toContainEqual({ login: "soumith", module: "NN", reason: "already reviewed" });
  });

  it("skips unavailable maintainers", () => {
    const s = selectReviewers(input({ modules: [FFT], policy: { unavailable: [{ login: "MRUBERRY" }] } }));
    expect(s.reviewers).toEqual(["peterbell10"]);
    expect(s.skipped).toContainEqual({ login: "mruberry", module: "FFT", reason: "unavailable" });
  });

  it("labels only a module without active maintainers, unless a fallback is configured", () => {
    const s = selectReviewers(input({ modules: [ALL_EMERITUS] }));
    expect(s.reviewers).toEqual([]);
    expect(s.uncovered).toEqual([{ module: "Old", reason: "no active maintainer (label only)" }]);
    const t = selectReviewers(input({ modules: [ALL_EMERITUS], policy: { fallbackReviewers: ["ezyang", "malfet"] } }));
    expect(t.reviewers).toHaveLength(1);
    expect(["ezyang", "malfet"]).toContain(t.reviewers[0]);
    expect(t.coverage.get("Old")!.fallback).toBe(true);
    expect(t.uncovered).toEqual([]);
  });

  it("requests nobody for an ignored author", () => {
    const s = selectReviewers(input({ author: "dependabot[bot]", modules: [NN], policy: { ignoreAuthors: ["*[bot]"] } }));
    expect(s.reviewers).toEqual([]);
    expect(s.notes[0]).toContain("ignore_authors");
    expect(authorIgnored("PyTorchBot", ["pytorchbot"])).toBe(true);
    expect(authorIgnored("pytorchbotx", ["pytorchbot"])).toBe(false);
  });

  it("requests nobody when the cap is already used up by humans", () => {
    const s = selectReviewers(input({ modules: [NN], requestedReviewers: ["a", "b"], requestedTeams: ["t"] }));
    expect(s.reviewers).toEqual([]);
    expect(s.uncovered[0]!.reason).toContain("cap");
  });

  it("hashes stably", () => {
    expect(stableHash("pytorch/pytorch#1@albans")).toBe(stableHash("pytorch/pytorch#1@albans"));
    expect(stableHash("a")).not.toBe(stableHash("b"));
  });
});
