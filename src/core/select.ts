// Reviewer selection: from the touched modules' maintainers, pick the few to request, and say why
// every other candidate was not chosen. Pure and deterministic: the same pull request (repository
// and number) always gets the same choice, and different pull requests spread the load.

import type { Policy } from "./config.js";
import { loginKey, type Maintainer } from "./registry.js";

export type SkipReason =
  | "emeritus"
  | "author"
  | "unavailable"
  | "already requested"
  | "already reviewed"
  | "module covered"
  | "cap reached"
  | "author ignored"
  | "request removed"
  | "not a collaborator"
  | "overdue";

export interface SkippedCandidate {
  login: string;
  module: string;
  reason: SkipReason;
}

export interface SelectionModule {
  name: string;
  /** Number of changed files in the module; modules with more are covered first. */
  fileCount: number;
  maintainers: Maintainer[];
}

export interface SelectionInput {
  repository: string;
  prNumber: number;
  author: string;
  modules: SelectionModule[];
  requestedReviewers: string[];
  requestedTeams: string[];
  reviewedBy: string[];
  /** Logins the adapter learned must not be requested, with the reason (e.g. a human removed them). */
  blocked?: { login: string; reason: SkipReason }[];
  policy: Policy;
}

export interface ModuleCoverage {
  /** Reviewers covering the module: newly requested, already requested, or already reviewed. */
  reviewers: string[];
  /** Set when the fallback list was used because no active maintainer could be asked. */
  fallback: boolean;
}

export interface Selection {
  /** New review requests to make, in the order chosen. */
  reviewers: string[];
  coverage: Map<string, ModuleCoverage>;
  skipped: SkippedCandidate[];
  /** Modules that still lack `reviewersPerModule` reviewers, with the reason. */
  uncovered: { module: string; reason: string }[];
  notes: string[];
}

/** FNV-1a, 32 bit: a stable hash so that every replica ranks candidates the same way. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche so that keys differing only in the last characters still spread.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rank(repository: string, prNumber: number, login: string): number {
  return stableHash(`${repository.toLowerCase()}#${prNumber}@${loginKey(login)}`);
}

/** A login pattern from `ignore_authors`: exact (any case), or `*` as a wildcard, e.g. `*[bot]`. */
export function authorIgnored(author: string, patterns: readonly string[]): boolean {
  const a = loginKey(author);
  return patterns.some((p) => {
    const key = loginKey(p);
    if (!key.includes("*")) return key === a;
    const re = new RegExp(`^${key.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(a);
  });
}

export function selectReviewers(input: SelectionInput): Selection {
  const { policy } = input;
  const author = loginKey(input.author);
  const unavailable = new Set(policy.unavailable.map(loginKey));
  const blocked = new Map((input.blocked ?? []).map((b) => [loginKey(b.login), b.reason]));
  const requested = new Set(input.requestedReviewers.map(loginKey));
  const reviewed = new Set(input.reviewedBy.map(loginKey).filter((l) => l !== author));
  const chosen: string[] = [];
  const chosenKeys = new Set<string>();
  const skipped: SkippedCandidate[] = [];
  const coverage = new Map<string, ModuleCoverage>();
  const uncovered: { module: string; reason: string }[] = [];
  const notes: string[] = [];

  // Everyone already on the pull request, users and teams, counts toward the cap.
  const present = new Set([...requested, ...reviewed]);
  const alreadyOn = present.size + new Set(input.requestedTeams.map((t) => t.toLowerCase())).size;
  let budget = Math.max(0, policy.maxReviewers - alreadyOn);

  /** Why a login may never be asked on this pull request, or undefined when it may. */
  const refusal = (login: string, emeritus: boolean): SkipReason | undefined => {
    const key = loginKey(login);
    if (emeritus) return "emeritus";
    if (key === author) return "author";
    if (unavailable.has(key)) return "unavailable";
    return blocked.get(key);
  };

  const ignored = authorIgnored(input.author, policy.ignoreAuthors);
  if (ignored) notes.push(`author ${input.author} is in ignore_authors: no reviews requested`);

  // Most changed files first; ties by name so the order never depends on input order.
  const order = [...input.modules].sort((a, b) => b.fileCount - a.fileCount || a.name.localeCompare(b.name));
  for (const mod of order) {
    const cover: ModuleCoverage = { reviewers: [], fallback: false };
    coverage.set(mod.name, cover);
    const skip = (login: string, reason: SkipReason) => skipped.push({ login, module: mod.name, reason });

    // Classify every listed maintainer; those left in `eligible` may be requested.
    const eligible: string[] = [];
    for (const m of mod.maintainers) {
      const key = loginKey(m.login);
      const refused = refusal(m.login, m.emeritus);
      if (refused) skip(m.login, refused);
      else if (reviewed.has(key)) cover.reviewers.push(m.login);
      else if (requested.has(key)) cover.reviewers.push(m.login);
      else eligible.push(m.login);
    }
    const activeCount = mod.maintainers.filter((m) => !m.emeritus).length;
    let pool = eligible;
    if (eligible.length === 0 && cover.reviewers.length === 0 && policy.fallbackReviewers.length > 0) {
      pool = policy.fallbackReviewers.filter((l) => refusal(l, false) === undefined);
      cover.fallback = pool.length > 0;
    }
    // Reviewers already on the PR for this module are reported once, as such.
    for (const login of cover.reviewers) {
      skip(login, reviewed.has(loginKey(login)) ? "already reviewed" : "already requested");
    }

    // Someone chosen for an earlier module covers this one too at no cost to the cap.
    const ranked = [...pool].sort((a, b) => {
      const ca = chosenKeys.has(loginKey(a)) ? 0 : 1;
      const cb = chosenKeys.has(loginKey(b)) ? 0 : 1;
      return ca - cb || rank(input.repository, input.prNumber, a) - rank(input.repository, input.prNumber, b) || a.localeCompare(b);
    });
    let capHit = false;
    for (const login of ranked) {
      const key = loginKey(login);
      if (cover.reviewers.length >= policy.reviewersPerModule) {
        if (!cover.fallback) skip(login, capHit ? "cap reached" : "module covered");
        continue;
      }
      if (ignored) {
        if (!cover.fallback) skip(login, "author ignored");
        continue;
      }
      if (chosenKeys.has(key)) {
        cover.reviewers.push(login);
        continue;
      }
      if (budget <= 0) {
        capHit = true;
        if (!cover.fallback) skip(login, "cap reached");
        continue;
      }
      budget -= 1;
      chosen.push(login);
      chosenKeys.add(key);
      cover.reviewers.push(login);
    }
    if (cover.reviewers.length < policy.reviewersPerModule) {
      let reason: string;
      if (ignored) reason = "author is ignored";
      else if (capHit) reason = `cap of ${policy.maxReviewers} reviewer${policy.maxReviewers === 1 ? "" : "s"} reached`;
      else if (activeCount === 0) reason = policy.fallbackReviewers.length > 0 ? "no active maintainer; no fallback reviewer available" : "no active maintainer (label only)";
      else reason = "no eligible active maintainer";
      if (policy.reviewersPerModule > 0) uncovered.push({ module: mod.name, reason });
    }
  }
  // A reviewer chosen for one module covers every other touched module they maintain. Listing
  // them there too, in the module's own maintainer order, makes the coverage a function of who
  // is on the pull request, so a redelivered event reports exactly what the first one did.
  const onPr = new Set([...chosenKeys, ...requested, ...reviewed]);
  for (const mod of order) {
    const cover = coverage.get(mod.name)!;
    const fallbacks = cover.reviewers.filter((r) => !mod.maintainers.some((m) => loginKey(m.login) === loginKey(r)));
    const covering = mod.maintainers.filter((m) => refusal(m.login, m.emeritus) === undefined && onPr.has(loginKey(m.login)));
    cover.reviewers = [...covering.map((m) => m.login), ...fallbacks];
    const covers = new Set(covering.map((m) => loginKey(m.login)));
    for (let i = skipped.length - 1; i >= 0; i--) {
      const k = skipped[i]!;
      if (k.module === mod.name && covers.has(loginKey(k.login)) && (k.reason === "module covered" || k.reason === "cap reached")) skipped.splice(i, 1);
    }
  }
  return { reviewers: chosen, coverage, skipped, uncovered, notes };
}
