// Reviewer expertise: who approved the merged pull requests that touched the paths a change
// touches, recently. An index is built once per history (linear in records × path depth); asking
// it about a change costs a few binary searches per changed path and directory level, whatever the
// history's length. Pure, no I/O.
//
// A record counts once for every directory above each of its files (and for the file itself), so
// "approved 7 pull requests touching torch/nn/" means 7 pull requests that changed something under
// torch/nn/. A changed path is scored at its deepest level with enough recent history (the file,
// then its directory, then the parent...): a new directory backs off to its parent. At that level a
// candidate's weight is their share of its recent approvals, each approval decayed by its age
// (half-life), so a narrow directory's few reviewers are not drowned by a wide one's many; a pull
// request they wrote there counts as half an approval. The pull request's score is the mean over
// its changed paths.

import { isBotLogin, type HistoryRecord } from "./history.js";
import { loginKey } from "./registry.js";
import { plural } from "./util.js";

const DAY_MS = 86_400_000;

export interface ExpertiseSettings {
  /** Approvals older than this many days before the decision do not count. */
  windowDays: number;
  /** An approval weighs half as much every this many days. */
  halfLifeDays: number;
}

/**
 * How many pull requests' worth a level's estimate borrows from its parent's: a level with few
 * recent pull requests mostly repeats its parent (a new directory backs off to its parent), one
 * with many speaks for itself.
 */
export const SMOOTHING = 3;

/** How much the author's usual approvers count beside the paths' (both are shares: an even mixture). */
export const AUTHOR_WEIGHT = 1;

/**
 * What a pull request a candidate wrote under a path counts for, in approvals there: who writes the
 * code of a directory knows it and is often its reviewer too, but approving is what is predicted,
 * so writing counts as weaker evidence. (A record's author is never among its approvers: no pull
 * request counts twice for one person.)
 */
export const AUTHORED_WEIGHT = 0.5;

/** Times (ms) in date order with prefix sums of their decayed weights: window sums by two binary searches. */
interface Series {
  times: number[];
  /** cum[i]: the weights of the first i entries; cum[0] = 0. */
  cum: number[];
}

/**
 * One login's pull requests at a level, in one series so that scoring reads both kinds at once: those
 * they approved (weight 1) and, at a path's level, those they wrote (AUTHORED_WEIGHT).
 */
interface Mine {
  /** The login as first written. */
  login: string;
  series: Series;
  /** approved[i]: how many of the first i entries they approved (they wrote the others); approved[0] = 0. */
  approved: number[];
  /** They approved some pull request here: widening scores approvers, not those who only wrote. */
  approver: boolean;
}

interface Level {
  all: Series;
  /** Per login (loginKey). */
  by: Map<string, Mine>;
}

export interface ExpertiseIndex {
  halfLifeDays: number;
  /** The time weights are relative to (the first record's), so they stay finite. */
  origin: number;
  /** The newest record's time: records are added in date order. */
  newest: number;
  /** Files and directories ("torch/nn/"; "" is the repository root) by path. */
  levels: Map<string, Level>;
  /** Per author (loginKey): their pull requests, and who approved them. */
  authors: Map<string, Level>;
  records: number;
}

/** A candidate's expertise on one change. */
export interface Expertise {
  login: string;
  /**
   * The mean over changed paths of the candidate's decayed share of the path's recent approvals
   * (their own pull requests there counting AUTHORED_WEIGHT each), plus AUTHOR_WEIGHT times their
   * share of the author's recent pull requests: 0 to 2.
   */
  score: number;
  /** The deepest directory (a file only when no directory) the candidate approved under, "" for the root only. */
  path: string;
  /** Pull requests the candidate approved there within the window. */
  approvals: number;
  /** The deepest directory (as `path`) the candidate wrote pull requests under. */
  authoredPath: string;
  /** Pull requests the candidate wrote there within the window. */
  authored: number;
  /** The author's pull requests (any path) the candidate approved within the window. */
  authorApprovals: number;
}

export function newExpertiseIndex(halfLifeDays: number): ExpertiseIndex {
  return { halfLifeDays, origin: Number.NaN, newest: -Infinity, levels: new Map(), authors: new Map(), records: 0 };
}

/**
 * The levels a path is scored at, deepest first: the file, its directory, each parent, the root ("").
 * A path ending in "/" is a directory (a history source that only knew a directory was touched).
 */
export function levelsOf(path: string): string[] {
  const out: string[] = [];
  const clean = path.replace(/^\/+/, "");
  if (clean !== "" && !clean.endsWith("/")) out.push(clean);
  let end = clean.endsWith("/") ? clean.length - 1 : clean.lastIndexOf("/");
  while (end > 0) {
    out.push(clean.slice(0, end + 1));
    end = clean.lastIndexOf("/", end - 1);
  }
  out.push("");
  return out;
}

function push(series: Series, time: number, weight: number): void {
  series.times.push(time);
  series.cum.push(series.cum[series.cum.length - 1]! + weight);
}

/** One pull request more for `key` of `by` (written `login`): approved by them, or written. */
function pushFor(by: Map<string, Mine>, key: string, login: string, time: number, weight: number, approved: boolean): void {
  let mine = by.get(key);
  if (!mine) by.set(key, (mine = { login, series: { times: [], cum: [0] }, approved: [0], approver: false }));
  push(mine.series, time, approved ? weight : AUTHORED_WEIGHT * weight);
  mine.approved.push(mine.approved[mine.approved.length - 1]! + (approved ? 1 : 0));
  if (approved) mine.approver = true;
}

/**
 * Add one merged pull request. Records must come in date order (an earlier one than the newest is
 * refused): the eval replays a history by adding each record after routing it.
 */
export function addRecord(index: ExpertiseIndex, record: HistoryRecord): void {
  const time = Date.parse(record.date);
  if (Number.isNaN(time)) return;
  if (time < index.newest)
    throw new Error(`history records must be added in date order: #${record.pr} (${record.date}) is older than the previous one`);
  if (Number.isNaN(index.origin)) index.origin = time;
  rebase(index, time);
  index.newest = time;
  index.records++;
  const author = record.author ? loginKey(record.author) : undefined;
  const approvers = new Map<string, string>();
  for (const a of record.approvers) {
    const key = loginKey(a);
    if (key !== "" && key !== author && !isBotLogin(a) && !approvers.has(key)) approvers.set(key, a);
  }
  const weight = 2 ** ((time - index.origin) / (index.halfLifeDays * DAY_MS));
  // A bot's pull requests are no one's expertise.
  const writer = author && !isBotLogin(record.author!) ? author : undefined;
  // One pull request more at `key` of `levels`, with its approvers (and, at a path's level, its author).
  const count = (levels: Map<string, Level>, key: string, withAuthor: boolean) => {
    let node = levels.get(key);
    if (!node) levels.set(key, (node = { all: { times: [], cum: [0] }, by: new Map() }));
    push(node.all, time, weight);
    for (const [approver, login] of approvers) pushFor(node.by, approver, login, time, weight, true);
    if (withAuthor && writer) pushFor(node.by, writer, record.author!, time, weight, false);
  };
  if (author) count(index.authors, author, false);
  const seen = new Set<string>();
  for (const file of record.files) {
    for (const level of levelsOf(file)) {
      // A parent is reached from every file below it: stop at the first one already counted.
      if (seen.has(level)) break;
      seen.add(level);
      count(index.levels, level, true);
    }
  }
}

/** Half-lives past the origin after which the weights are rebased, far below a double's 2^1023. */
const REBASE_AFTER = 256;

/**
 * Keep weights finite over a long history: once `time` is REBASE_AFTER half-lives past the origin,
 * move the origin to it and scale every prefix sum down to match (linear, and rare: amortised free).
 */
function rebase(index: ExpertiseIndex, time: number): void {
  const halfLives = (time - index.origin) / (index.halfLifeDays * DAY_MS);
  if (halfLives < REBASE_AFTER) return;
  const factor = 2 ** -halfLives;
  const scaleSeries = (series: Series) => {
    for (let i = 0; i < series.cum.length; i++) series.cum[i] = series.cum[i]! * factor;
  };
  for (const levels of [index.levels, index.authors]) {
    for (const node of levels.values()) {
      scaleSeries(node.all);
      for (const { series } of node.by.values()) scaleSeries(series);
    }
  }
  index.origin = time;
}

/** Cached per history array and half-life: the app plans the same pull request more than once per delivery. */
const built = new WeakMap<readonly HistoryRecord[], Map<number, ExpertiseIndex>>();

/** The index of a whole history (sorted by date first when it is not already). */
export function expertiseIndex(records: readonly HistoryRecord[], halfLifeDays: number): ExpertiseIndex {
  const cached = built.get(records)?.get(halfLifeDays);
  if (cached) return cached;
  let sorted = true;
  for (let i = 1; i < records.length && sorted; i++) sorted = Date.parse(records[i]!.date) >= Date.parse(records[i - 1]!.date);
  const ordered = sorted ? records : [...records].sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
  const index = newExpertiseIndex(halfLifeDays);
  for (const r of ordered) addRecord(index, r);
  const byHalfLife = built.get(records) ?? new Map<number, ExpertiseIndex>();
  byHalfLife.set(halfLifeDays, index);
  built.set(records, byHalfLife);
  return index;
}

/** The first index whose time is >= t (the length when every time is before t: a decision after the history, the usual case). */
function lowerBound(times: readonly number[], t: number): number {
  let hi = times.length;
  if (hi === 0 || times[hi - 1]! < t) return hi;
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scratch results of windowOf: it runs for every candidate at every level, so it allocates nothing. */
let windowCount = 0;
let windowWeight = 0;
/** The window's entries are [windowLo, windowHi) of the series. */
let windowLo = 0;
let windowHi = 0;

/** Count and decayed weight of a series' entries in [from, to), left in windowCount and windowWeight. */
function windowOf(series: Series | undefined, from: number, to: number): void {
  if (!series) {
    windowCount = windowWeight = windowLo = windowHi = 0;
    return;
  }
  windowLo = lowerBound(series.times, from);
  windowHi = lowerBound(series.times, to);
  windowCount = windowHi - windowLo;
  windowWeight = series.cum[windowHi]! - series.cum[windowLo]!;
}

/** Who the change is by, and whom to score even without approvals under its paths (the modules' maintainers). */
export interface ExpertiseQuery {
  author?: string;
  also?: readonly string[];
  /** Score `also` only, not every approver under the paths (when nobody else may be asked: no widening). */
  onlyAlso?: boolean;
}

/**
 * Every approver's expertise on a change touching `paths`, as of `now` (only pull requests merged
 * in the window before it count), keyed by loginKey: the approvers under the paths, the author's
 * recent approvers, and `also`. Without `now` the window ends after the newest record. Empty when
 * the history has nothing in the window.
 */
export function expertiseFor(
  index: ExpertiseIndex,
  paths: readonly string[],
  settings: ExpertiseSettings,
  now?: Date,
  query: ExpertiseQuery = {},
): Map<string, Expertise> {
  const out = new Map<string, Expertise>();
  if (index.records === 0 || paths.length === 0) return out;
  const to = now ? now.getTime() : index.newest + 1;
  const from = to - settings.windowDays * DAY_MS;
  // Decayed weights as counts: a pull request merged at `to` weighs 1.
  const scale = 2 ** (-(to - index.origin) / (index.halfLifeDays * DAY_MS));
  const entry = (key: string, login: string): Expertise => {
    let e = out.get(key);
    if (!e) out.set(key, (e = { login, score: 0, path: "", approvals: 0, authoredPath: "", authored: 0, authorApprovals: 0 }));
    return e;
  };
  const also = new Map((query.also ?? []).map((l) => [loginKey(l), l]));
  for (const p of paths) {
    // The path's levels with history in the window, root first.
    const chain: { level: string; node: Level; total: number }[] = [];
    for (const level of levelsOf(p).reverse()) {
      const node = index.levels.get(level);
      windowOf(node?.all, from, to);
      if (!node || windowCount === 0) break;
      chain.push({ level, node, total: windowWeight * scale });
    }
    // Only the root: nothing in the history touched this path's directories (the root is a prior, not evidence).
    if (chain.length <= 1) continue;
    // Whom to score: `also`, and the approvers under the path's second-level directory (torch/nn/ for
    // torch/nn/modules/conv.py), or its top-level one when nothing deeper has history; those who
    // approved only elsewhere under torch/ would score little, and there are many of them.
    const who = query.onlyAlso ? also : new Map(also);
    if (!query.onlyAlso)
      for (const c of chain.slice(chain.length > 2 ? 2 : 1))
        for (const [key, { login, approver }] of c.node.by) if (approver && !who.has(key)) who.set(key, login);
    for (const [key, login] of who) {
      // Each level's estimate leans on its parent's with the weight of SMOOTHING pull requests.
      let estimate = 0;
      // The evidence shown: the deepest directory (a file only at the top) they approved, and wrote, under.
      const approved = { level: "", count: 0 };
      const wrote = { level: "", count: 0 };
      for (const c of chain) {
        const mine = c.node.by.get(key);
        windowOf(mine?.series, from, to);
        const approvedHere = mine ? mine.approved[windowHi]! - mine.approved[windowLo]! : 0;
        shown(approved, c.level, approvedHere);
        shown(wrote, c.level, windowCount - approvedHere);
        estimate = (windowWeight * scale + SMOOTHING * estimate) / (c.total + SMOOTHING);
      }
      if (estimate <= 0) continue;
      const e = entry(key, login);
      e.score += estimate / paths.length;
      if (better(approved, e.path, e.approvals)) {
        e.path = approved.level;
        e.approvals = approved.count;
      }
      if (better(wrote, e.authoredPath, e.authored)) {
        e.authoredPath = wrote.level;
        e.authored = wrote.count;
      }
    }
  }
  // The author's recent approvers know the author's work: their share of the author's pull requests counts too.
  const theirs = query.author ? index.authors.get(loginKey(query.author)) : undefined;
  windowOf(theirs?.all, from, to);
  const total = windowWeight;
  for (const [key, { login, series }] of total > 0 ? theirs!.by : []) {
    windowOf(series, from, to);
    if (windowCount === 0) continue;
    const e = entry(key, login);
    e.score += (AUTHOR_WEIGHT * windowWeight) / total;
    e.authorApprovals = windowCount;
  }
  return out;
}

/** What a path's chain shows of one kind of evidence: the deepest directory with some, a file only when none. */
interface Shown {
  level: string;
  count: number;
}

/** Record `count` pull requests at `level` (root first, deeper each call) when it is the one to show. */
function shown(s: Shown, level: string, count: number): void {
  if (count > 0 && (level.endsWith("/") || s.count === 0)) {
    s.level = level;
    s.count = count;
  }
}

/** One path's evidence is shown over the changed paths' so far when it counts more pull requests, or as many deeper. */
function better(s: Shown, path: string, count: number): boolean {
  return s.count > count || (s.count > 0 && s.count === count && s.level.length > path.length);
}

/**
 * "approved 7 pull requests touching torch/nn/, 3 of the author's; wrote 2 pull requests touching torch/nn/modules/
 * in the last 90 days": the evidence the score rests on.
 */
export function expertiseEvidence(e: Omit<Expertise, "login" | "score"> | undefined, windowDays: number): string {
  const where = (path: string) => (path !== "" ? path : "this repository");
  const paths =
    e && e.approvals > 0
      ? `approved ${plural(e.approvals, "pull request")} touching ${where(e.path)}`
      : "approved no pull request touching these paths";
  const author = e && e.authorApprovals > 0 ? `, ${e.authorApprovals} of the author's` : "";
  const wrote = e && e.authored > 0 ? `; wrote ${plural(e.authored, "pull request")} touching ${where(e.authoredPath)}` : "";
  return `${paths}${author}${wrote} in the last ${windowDays} days`;
}
