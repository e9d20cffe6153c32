// Reviewer selection: from the touched modules' maintainers, pick the few to request, and say why
// every other candidate was not chosen. Pure and deterministic: the same pull request (repository
// and number) with the same signals (who is busy, how loaded) and history (who approved these
// paths) always gets the same choice, and different pull requests spread the load.

import type { Policy, UnavailableEntry } from "./config.js";
import type { Expertise } from "./expertise.js";
import { loginKey, type Maintainer } from "./registry.js";
import { normalizeSignals, type CandidateSignals } from "./signals.js";

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
  /** A team of another organisation than the repository's: GitHub cannot request it. */
  | "other organisation"
  /** GitHub status says limited availability ("Busy"). */
  | "busy"
  /** `max_open_reviews` or more open review requests in the repository. */
  | "overloaded"
  /** Withdrawn by review-router on this pull request (`/route reroll`, or replaced as overdue): not asked again there. */
  | "withdrawn"
  /** Requested, and silent past `reroute_after_hours`: replaced by another maintainer. */
  | "overdue"
  /** A recent approver (widening) not asked: a reviewer already on the pull request knows these paths as well or better. */
  | "not needed"
  /** A recent approver (widening) with fewer approvals of the changed paths than `widen_min_approvals`. */
  | "few approvals";

/** The group widened candidates (recent approvers who are not listed maintainers) are reported under. */
export const RECENT_APPROVERS = "(recent approvers)";

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
  /** Availability and load of the candidates; absent: choose by the stable hash alone. */
  signals?: CandidateSignals;
  /** The time of the decision (dated `unavailable` entries, status expiry); absent: dated entries hold. */
  now?: Date;
  /** Candidates' expertise on the change, keyed by loginKey: ranks before load; absent: load and the stable hash alone. */
  expertise?: ReadonlyMap<string, Expertise>;
  /**
   * Widening: recent approvers of the changed paths who are not listed maintainers of the touched
   * modules (already filtered for emeritus and bots). The best of them with `widen_min_approvals`
   * is asked too when no reviewer on the pull request has as much expertise.
   */
  widen?: readonly Expertise[];
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
  /** Recent approvers asked by widening (also in `reviewers`). */
  widened: string[];
  /** Recent approvers widening did not ask, and why (kept out of `skipped`: they are not the modules' candidates). */
  widenSkipped: SkippedCandidate[];
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

export function rank(repository: string, prNumber: number, login: string): number {
  return stableHash(`${repository.toLowerCase()}#${prNumber}@${loginKey(login)}`);
}

/** A login pattern from `ignore_authors`: exact (any case), or `*` as a wildcard, e.g. `*[bot]`. */
export function authorIgnored(author: string, patterns: readonly string[]): boolean {
  const a = loginKey(author);
  return patterns.some((p) => {
    const key = loginKey(p);
    if (!key.includes("*")) return key === a;
    const re = new RegExp(
      `^${key
        .split("*")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return re.test(a);
  });
}

/** An `unavailable` entry still in force at `now`: plain logins always, dated ones through their `until` day (UTC). */
export function unavailableNow(entries: readonly UnavailableEntry[], now?: Date): Set<string> {
  const today = now?.toISOString().slice(0, 10);
  return new Set(entries.filter((e) => !e.until || !today || today <= e.until).map((e) => loginKey(e.login)));
}

/** What every step of one selection shares: the pull request's facts and the choice so far. */
interface Selecting {
  input: SelectionInput;
  policy: Policy;
  author: string;
  ignored: boolean;
  unavailable: Set<string>;
  blocked: Map<string, SkipReason>;
  requested: Set<string>;
  reviewed: Set<string>;
  signals?: CandidateSignals;
  /** New review requests still allowed by `max_reviewers`. */
  budget: number;
  chosen: string[];
  chosenKeys: Set<string>;
  skipped: SkippedCandidate[];
  notes: string[];
}

function start(input: SelectionInput): Selecting {
  const { policy } = input;
  const author = loginKey(input.author);
  const requested = new Set(input.requestedReviewers.map(loginKey));
  const reviewed = new Set(input.reviewedBy.map(loginKey).filter((l) => l !== author));
  // Everyone already on the pull request, users and teams, counts toward the cap.
  const present = new Set([...requested, ...reviewed]);
  const alreadyOn = present.size + new Set(input.requestedTeams.map((t) => t.toLowerCase())).size;
  const ignored = authorIgnored(input.author, policy.ignoreAuthors);
  const notes: string[] = [];
  if (ignored) notes.push(`author ${input.author} is in ignore_authors: no reviews requested`);
  return {
    input,
    policy,
    author,
    ignored,
    unavailable: unavailableNow(policy.unavailable, input.now),
    blocked: new Map((input.blocked ?? []).map((b) => [loginKey(b.login), b.reason])),
    requested,
    reviewed,
    ...(input.signals ? { signals: normalizeSignals(input.signals, input.now) } : {}),
    budget: Math.max(0, policy.maxReviewers - alreadyOn),
    chosen: [],
    chosenKeys: new Set(),
    skipped: [],
    notes,
  };
}

/** Why a login may never be asked on this pull request, or undefined when it may. */
function refusal(s: Selecting, login: string, emeritus: boolean): SkipReason | undefined {
  const key = loginKey(login);
  if (emeritus) return "emeritus";
  if (key === s.author) return "author";
  if (s.unavailable.has(key)) return "unavailable";
  return s.blocked.get(key);
}

/** Sort a module's maintainers into those covering it already and those who may be requested. */
function classify(s: Selecting, mod: SelectionModule, cover: ModuleCoverage, skip: (login: string, r: SkipReason) => void): string[] {
  const eligible: string[] = [];
  for (const m of mod.maintainers) {
    const key = loginKey(m.login);
    const refused = refusal(s, m.login, m.emeritus);
    if (refused) skip(m.login, refused);
    else if (s.reviewed.has(key) || s.requested.has(key)) cover.reviewers.push(m.login);
    else eligible.push(m.login);
  }
  return eligible;
}

/** The module's eligible maintainers, or the fallback reviewers when none is eligible or on the PR. */
function candidatePool(s: Selecting, eligible: string[], cover: ModuleCoverage): string[] {
  if (eligible.length > 0 || cover.reviewers.length > 0 || s.policy.fallbackReviewers.length === 0) return eligible;
  const pool = s.policy.fallbackReviewers.filter((l) => refusal(s, l, false) === undefined);
  cover.fallback = pool.length > 0;
  return pool;
}

/**
 * Leave out busy candidates, and overloaded ones (at or above `max_open_reviews`) unless every
 * candidate left is: then all stay and the ranking asks the least loaded. Someone already chosen
 * for another module costs nothing more and stays. Without signals the pool is unchanged.
 */
function applySignals(s: Selecting, mod: SelectionModule, pool: string[], skip: (login: string, r: SkipReason) => void): string[] {
  const signals = s.signals;
  if (!signals) return pool;
  const free = pool.filter((l) => {
    if (!signals.busy.has(loginKey(l))) return true;
    skip(l, "busy");
    return false;
  });
  const overloaded = (l: string) =>
    !s.chosenKeys.has(loginKey(l)) && (signals.openReviews.get(loginKey(l)) ?? -1) >= s.policy.maxOpenReviews;
  const under = free.filter((l) => !overloaded(l));
  if (under.length > 0) {
    for (const l of free) if (overloaded(l)) skip(l, "overloaded");
    return under;
  }
  if (free.length > 0) {
    s.notes.push(`every candidate for ${mod.name} has ${s.policy.maxOpenReviews} or more open review requests: the least loaded is asked`);
  }
  return free;
}

/** A candidate's expertise score on this change (0 without history). */
export function expertiseScore(expertise: ReadonlyMap<string, Expertise> | undefined, login: string): number {
  return expertise?.get(loginKey(login))?.score ?? 0;
}

/**
 * Order logins by: most expertise on the change, then known loads (least loaded first), then the
 * stable hash of the pull request, so replicas agree on ties. `first` puts some ahead of all;
 * `amongEqual` puts some ahead of others with the same expertise.
 */
export function byExpertise(
  input: Pick<SelectionInput, "repository" | "prNumber" | "expertise">,
  logins: readonly string[],
  load: (login: string) => number | undefined,
  prefer: { first?: (login: string) => boolean; amongEqual?: (login: string) => boolean } = {},
): string[] {
  const key = (l: string) => {
    const n = load(l);
    return [
      prefer.first?.(l) ? 0 : 1,
      -expertiseScore(input.expertise, l),
      prefer.amongEqual?.(l) ? 0 : 1,
      n === undefined ? 1 : 0,
      n ?? 0,
      rank(input.repository, input.prNumber, l),
    ];
  };
  const keys = new Map(logins.map((l) => [l, key(l)]));
  return [...logins].sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.localeCompare(b);
  });
}

/** Best first: someone already chosen for an earlier module (no extra request), then byExpertise. */
function rankPool(s: Selecting, pool: string[], byLoad: boolean): string[] {
  const load = (l: string) => (byLoad ? s.signals?.openReviews.get(loginKey(l)) : undefined);
  return byExpertise(s.input, pool, load, { first: (l) => s.chosenKeys.has(loginKey(l)) });
}

/** Request from the ranked pool until the module is covered or the cap is hit; true when the cap stopped it. */
function pick(s: Selecting, ranked: string[], cover: ModuleCoverage, skip: (login: string, r: SkipReason) => void): boolean {
  let capHit = false;
  for (const login of ranked) {
    const key = loginKey(login);
    if (cover.reviewers.length >= s.policy.reviewersPerModule) {
      if (!cover.fallback) skip(login, capHit ? "cap reached" : "module covered");
    } else if (s.ignored) {
      if (!cover.fallback) skip(login, "author ignored");
    } else if (s.chosenKeys.has(key)) {
      cover.reviewers.push(login);
    } else if (s.budget <= 0) {
      capHit = true;
      if (!cover.fallback) skip(login, "cap reached");
    } else {
      s.budget -= 1;
      s.chosen.push(login);
      s.chosenKeys.add(key);
      cover.reviewers.push(login);
    }
  }
  return capHit;
}

function uncoveredReason(s: Selecting, mod: SelectionModule, capHit: boolean): string {
  const { policy } = s;
  if (s.ignored) return "author is ignored";
  if (capHit) return `cap of ${policy.maxReviewers} reviewer${policy.maxReviewers === 1 ? "" : "s"} reached`;
  if (!mod.maintainers.some((m) => !m.emeritus)) {
    return policy.fallbackReviewers.length > 0
      ? "no active maintainer; no fallback reviewer available"
      : "no active maintainer (label only)";
  }
  return "no eligible active maintainer";
}

/**
 * A reviewer chosen for one module covers every other touched module they maintain. Listing
 * them there too, in the module's own maintainer order, makes the coverage a function of who
 * is on the pull request, so a redelivered event reports exactly what the first one did.
 */
function settleCoverage(s: Selecting, order: SelectionModule[], coverage: Map<string, ModuleCoverage>): void {
  const onPr = new Set([...s.chosenKeys, ...s.requested, ...s.reviewed]);
  for (const mod of order) {
    const cover = coverage.get(mod.name)!;
    const fallbacks = cover.reviewers.filter((r) => !mod.maintainers.some((m) => loginKey(m.login) === loginKey(r)));
    const covering = mod.maintainers.filter((m) => refusal(s, m.login, m.emeritus) === undefined && onPr.has(loginKey(m.login)));
    cover.reviewers = [...covering.map((m) => m.login), ...fallbacks];
    const covers = new Set(covering.map((m) => loginKey(m.login)));
    const superseded: SkipReason[] = ["module covered", "cap reached", "overloaded"];
    s.skipped = s.skipped.filter((k) => !(k.module === mod.name && covers.has(loginKey(k.login)) && superseded.includes(k.reason)));
  }
}

/**
 * The logins whose availability and load could change this selection: the candidate pools of
 * the modules that still need a reviewer. Empty when no new review request can be made (every
 * module covered, cap reached, author ignored): then nothing needs fetching.
 */
export function signalCandidates(input: SelectionInput): string[] {
  const s = start(input);
  if (s.ignored || s.budget <= 0) return [];
  const out = new Map<string, string>();
  for (const mod of input.modules) {
    const cover: ModuleCoverage = { reviewers: [], fallback: false };
    const pool = candidatePool(
      s,
      classify(s, mod, cover, () => {}),
      cover,
    );
    if (cover.reviewers.length >= s.policy.reviewersPerModule) continue;
    for (const login of pool) if (!out.has(loginKey(login))) out.set(loginKey(login), login);
  }
  for (const e of input.widen ?? []) {
    if (e.approvals >= s.policy.widenMinApprovals && !out.has(loginKey(e.login)) && refusal(s, e.login, false) === undefined) {
      out.set(loginKey(e.login), e.login);
    }
  }
  return [...out.values()];
}

/**
 * Widening: ask the recent approver with the most expertise too, when no reviewer on the pull
 * request (chosen, requested or reviewed) has as much. The others are reported as not asked.
 */
function widen(s: Selecting): { asked: string[]; skipped: SkippedCandidate[] } {
  const widen = s.input.widen ?? [];
  const approvals = new Map(widen.map((e) => [loginKey(e.login), e.approvals]));
  const experts = byExpertise(
    s.input,
    widen.map((e) => e.login),
    () => undefined,
  );
  const skipped: SkippedCandidate[] = [];
  const skip = (login: string, reason: SkipReason) => skipped.push({ login, module: RECENT_APPROVERS, reason });
  const onPr = [...s.chosenKeys, ...s.requested, ...s.reviewed];
  const known = Math.max(0, ...onPr.map((k) => expertiseScore(s.input.expertise, k)));
  const asked: string[] = [];
  for (const login of experts) {
    const key = loginKey(login);
    const refused = refusal(s, login, false);
    if (refused) skip(login, refused);
    else if (onPr.includes(key)) continue;
    else if (s.ignored) skip(login, "author ignored");
    else if (approvals.get(key)! < s.policy.widenMinApprovals) skip(login, "few approvals");
    else if (asked.length > 0 || expertiseScore(s.input.expertise, login) <= known) skip(login, "not needed");
    else if (s.signals?.busy.has(key)) skip(login, "busy");
    else if ((s.signals?.openReviews.get(key) ?? -1) >= s.policy.maxOpenReviews) skip(login, "overloaded");
    else if (s.budget <= 0) skip(login, "cap reached");
    else {
      s.budget -= 1;
      s.chosen.push(login);
      s.chosenKeys.add(key);
      asked.push(login);
    }
  }
  return { asked, skipped };
}

export function selectReviewers(input: SelectionInput): Selection {
  const s = start(input);
  const coverage = new Map<string, ModuleCoverage>();
  const uncovered: { module: string; reason: string }[] = [];
  // Most changed files first; ties by name so the order never depends on input order.
  const order = [...input.modules].sort((a, b) => b.fileCount - a.fileCount || a.name.localeCompare(b.name));
  for (const mod of order) {
    const cover: ModuleCoverage = { reviewers: [], fallback: false };
    coverage.set(mod.name, cover);
    const skip = (login: string, reason: SkipReason) => s.skipped.push({ login, module: mod.name, reason });
    const eligible = classify(s, mod, cover, skip);
    let pool = candidatePool(s, eligible, cover);
    // Reviewers already on the PR for this module are reported once, as such.
    for (const login of cover.reviewers) skip(login, s.reviewed.has(loginKey(login)) ? "already reviewed" : "already requested");
    // Availability and load matter only where someone new may be requested (as signalCandidates says).
    const requesting = cover.reviewers.length < s.policy.reviewersPerModule && !s.ignored && s.budget > 0;
    if (requesting) pool = applySignals(s, mod, pool, skip);
    const capHit = pick(s, rankPool(s, pool, requesting), cover, skip);
    if (cover.reviewers.length < s.policy.reviewersPerModule && s.policy.reviewersPerModule > 0) {
      uncovered.push({ module: mod.name, reason: uncoveredReason(s, mod, capHit) });
    }
  }
  const widened = widen(s);
  settleCoverage(s, order, coverage);
  return {
    reviewers: s.chosen,
    coverage,
    skipped: s.skipped,
    uncovered,
    notes: s.notes,
    widened: widened.asked,
    widenSkipped: widened.skipped,
  };
}
