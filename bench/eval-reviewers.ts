// Evaluation of reviewer choice on real history: replay a history file (JSONL, oldest first) in
// date order; route each merged pull request through the real router (the bundled PyTorch
// configuration) with only the records before it, and count a pick as a hit when that login is
// among the pull request's approvers. Measured in the same run, on the same pull requests:
//   - review-router without history (the stable hash among the modules' maintainers);
//   - review-router's default choice with history (expertise ranks the maintainers);
//   - review-router widened (widen_to_recent_approvers: true);
//   - the directory baseline: the top approvers of the same directories in the previous 1,000 PRs;
//   - the overall baseline: the top approvers of the previous 1,000 PRs.
// Every pull request in the file counts in every denominator: one without approvers is a miss for
// every method; one whose author is unknown (null) is routed with no author to leave out.
//
// `--split-at DATE` also prints the figures of the pull requests merged before DATE and of those
// from DATE on (each still routed with every record before it): a change that helps only one
// period is tuned to it.
//
//   npm run eval:reviewers [-- FILE] [--limit N] [--window-days N] [--half-life-days N] [--min-approvals N] [--split-at DATE]

import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { RouterConfig } from "../src/core/config.js";
import { addRecord, newExpertiseIndex, type ExpertiseIndex } from "../src/core/expertise.js";
import { parseHistory, type HistoryRecord } from "../src/core/history.js";
import { HISTORY_COMMITS, historyEntries, mergeByPullRequest } from "../src/app/approval-history.js";
import { recordsForEntry } from "../src/app/offline-port.js";
import { formatProblem } from "../src/core/problems.js";
import { loginKey } from "../src/core/registry.js";
import { route, type RouteDecision } from "../src/core/route.js";
import { buildRouter, type Router } from "../src/core/router.js";
import { loadRouter } from "../src/io/files.js";
import { isMainModule } from "../src/io/is-main.js";

export const DEFAULT_HISTORY = "test/fixtures/pytorch/history-2021.jsonl";
const REPOSITORY = "pytorch/pytorch";
/** How many previous pull requests the naive baselines look at. */
export const BASELINE_WINDOW = 1000;

/** Hits of one method: first pick, any pick (every reviewer it requests), the first three it ranks. */
export interface Tally {
  first: number;
  any: number;
  top3: number;
  /** Reviewers requested, summed (the mean is shown). */
  requested: number;
}

/** What a method says about one pull request: whom it requests, and its ranking best first. */
interface Picks {
  requested: string[];
  ranked: string[];
}

function tallyOf(): Tally {
  return { first: 0, any: 0, top3: 0, requested: 0 };
}

function count(t: Tally, picks: Picks, approvers: ReadonlySet<string>): void {
  const hit = (l: string) => approvers.has(loginKey(l));
  if (picks.requested.length > 0 && hit(picks.requested[0]!)) t.first++;
  if (picks.requested.some(hit)) t.any++;
  if (picks.ranked.slice(0, 3).some(hit)) t.top3++;
  t.requested += picks.requested.length;
}

/** review-router's picks: the chosen candidates in the order `candidates` ranks them, and that ranking. */
export function routerPicks(decision: RouteDecision): Picks {
  return { requested: decision.candidates.filter((c) => c.chosen).map((c) => c.login), ranked: decision.candidates.map((c) => c.login) };
}

/** Counts of approvals per login over a sliding window of the last `size` records, overall and per directory. */
export class SlidingApprovals {
  private readonly window: HistoryRecord[] = [];
  private readonly overall = new Map<string, { login: string; n: number }>();
  private readonly byDir = new Map<string, Map<string, { login: string; n: number }>>();
  constructor(private readonly size: number) {}

  private bump(map: Map<string, { login: string; n: number }>, login: string, by: number): void {
    const key = loginKey(login);
    const cur = map.get(key) ?? { login, n: 0 };
    cur.n += by;
    if (cur.n === 0) map.delete(key);
    else map.set(key, cur);
  }

  private apply(r: HistoryRecord, by: number): void {
    for (const a of r.approvers) this.bump(this.overall, a, by);
    for (const dir of directoriesOf(r.files)) {
      let m = this.byDir.get(dir);
      if (!m) this.byDir.set(dir, (m = new Map()));
      for (const a of r.approvers) this.bump(m, a, by);
    }
  }

  add(r: HistoryRecord): void {
    this.window.push(r);
    this.apply(r, 1);
    if (this.window.length > this.size) this.apply(this.window.shift()!, -1);
  }

  /** Most approvals first (ties by login); the author left out. */
  private ranked(counts: Map<string, number>, names: Map<string, string>, author: string | null): string[] {
    const a = author ? loginKey(author) : undefined;
    return [...counts]
      .filter(([k]) => k !== a)
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .map(([k]) => names.get(k)!);
  }

  /** The directory baseline: approvals of records touching the same directories. */
  byDirectories(files: readonly string[], author: string | null): string[] {
    const counts = new Map<string, number>();
    const names = new Map<string, string>();
    for (const dir of directoriesOf(files)) {
      for (const [k, v] of this.byDir.get(dir) ?? []) {
        counts.set(k, (counts.get(k) ?? 0) + v.n);
        names.set(k, v.login);
      }
    }
    return this.ranked(counts, names, author);
  }

  /** The overall baseline: the most frequent approvers. */
  top(author: string | null): string[] {
    const counts = new Map([...this.overall].map(([k, v]) => [k, v.n]));
    const names = new Map([...this.overall].map(([k, v]) => [k, v.login]));
    return this.ranked(counts, names, author);
  }
}

/**
 * The history as the app reads it (approval-history.ts): for each directory entry a change touches
 * and their parents (historyEntries), only the newest HISTORY_COMMITS merged pull requests under it
 * within the window, each known by that entry alone. The file's full records rank better than
 * the app can; this says by how much.
 */
class AppReads {
  /** Entry ("dir/" at every depth, or a root-level file itself) → the records under it, oldest first. */
  private readonly byEntry = new Map<string, HistoryRecord[]>();

  add(r: HistoryRecord): void {
    const entries = new Set<string>();
    for (const f of r.files) {
      if (!f.includes("/")) entries.add(f);
      for (let i = f.indexOf("/"); i >= 0; i = f.indexOf("/", i + 1)) entries.add(f.slice(0, i + 1));
    }
    for (const e of entries) {
      const list = this.byEntry.get(e);
      if (list) list.push(r);
      else this.byEntry.set(e, [r]);
    }
  }

  read(paths: readonly string[], since: Date): HistoryRecord[] {
    // The lists are in date order: the newest HISTORY_COMMITS within the window are among the last ones.
    const lists = historyEntries(paths).map((entry) =>
      recordsForEntry((this.byEntry.get(entry) ?? []).slice(-HISTORY_COMMITS), entry, since),
    );
    return mergeByPullRequest(lists);
  }
}

/** The distinct directories of some files ("" for the root). */
function directoriesOf(files: readonly string[]): Set<string> {
  return new Set(files.map((f) => (f.endsWith("/") ? f : f.slice(0, f.lastIndexOf("/") + 1))));
}

export interface Options {
  limit?: number;
  windowDays?: number;
  halfLifeDays?: number;
  minApprovals?: number;
  /** Tally the pull requests merged before this date and those from it on apart too. */
  splitAt?: Date;
}

type Tallies = Record<"today" | "history" | "widened" | "app" | "appWidened" | "directories" | "overall", Tally>;

/** The figures of the pull requests merged in one period of the replay. */
export interface Period {
  /** "before 2021-07-01", "from 2021-07-01". */
  label: string;
  prs: number;
  tallies: Tallies;
}

export interface Evaluation {
  prs: number;
  tallies: Tallies;
  /** With `splitAt`: before it, and from it on. */
  periods: Period[];
  seconds: number;
}

function talliesOf(): Tallies {
  return {
    today: tallyOf(),
    history: tallyOf(),
    widened: tallyOf(),
    app: tallyOf(),
    appWidened: tallyOf(),
    directories: tallyOf(),
    overall: tallyOf(),
  };
}

/** The router with the expertise settings overridden (for tuning), widened or not. */
function variant(base: Router, widen: boolean, o: Options): Router {
  const p = base.config.policy;
  const policy = {
    ...p,
    expertiseWindowDays: o.windowDays ?? p.expertiseWindowDays,
    expertiseHalfLifeDays: o.halfLifeDays ?? p.expertiseHalfLifeDays,
    widenMinApprovals: o.minApprovals ?? p.widenMinApprovals,
    widenToRecentApprovers: widen,
  };
  return buildRouter({ ...base.config, policy } as RouterConfig, base.registry);
}

export function evaluate(records: readonly HistoryRecord[], base: Router, options: Options = {}): Evaluation {
  const plain = variant(base, false, options);
  const widened = variant(base, true, options);
  const index: ExpertiseIndex = newExpertiseIndex(plain.config.policy.expertiseHalfLifeDays);
  const sliding = new SlidingApprovals(BASELINE_WINDOW);
  const app = new AppReads();
  const windowMs = plain.config.policy.expertiseWindowDays * 24 * 3600 * 1000;
  const tallies = talliesOf();
  const split = options.splitAt;
  const day = split?.toISOString().slice(0, 10);
  const periods: Period[] = split
    ? [
        { label: `before ${day}`, prs: 0, tallies: talliesOf() },
        { label: `from ${day}`, prs: 0, tallies: talliesOf() },
      ]
    : [];
  const replay = options.limit !== undefined ? records.slice(0, options.limit) : records;
  const started = performance.now();
  for (const r of replay) {
    const approvers = new Set(r.approvers.map(loginKey));
    const period = split ? periods[Date.parse(r.date) < split.getTime() ? 0 : 1] : undefined;
    if (period) period.prs++;
    // One method's picks, counted for the whole replay and for the pull request's period.
    const tally = (method: keyof Tallies, picks: Picks) => {
      count(tallies[method], picks, approvers);
      if (period) count(period.tallies[method], picks, approvers);
    };
    const input = {
      repository: REPOSITORY,
      prNumber: r.pr,
      author: r.author ?? "",
      files: r.files.map((path) => ({ path })),
      now: new Date(r.date),
    };
    tally("today", routerPicks(route(plain, input)));
    tally("history", routerPicks(route(plain, { ...input, history: index })));
    tally("widened", routerPicks(route(widened, { ...input, history: index })));
    const read = app.read(r.files, new Date(input.now.getTime() - windowMs));
    const appIndex = newExpertiseIndex(plain.config.policy.expertiseHalfLifeDays);
    for (const h of read) addRecord(appIndex, h);
    tally("app", routerPicks(route(plain, { ...input, history: appIndex })));
    tally("appWidened", routerPicks(route(widened, { ...input, history: appIndex })));
    const dirs = sliding.byDirectories(r.files, r.author);
    tally("directories", { requested: dirs.slice(0, 1), ranked: dirs });
    const top = sliding.top(r.author);
    tally("overall", { requested: top.slice(0, 1), ranked: top });
    // Only now does the pull request become history for the next ones.
    addRecord(index, r);
    sliding.add(r);
    app.add(r);
  }
  return { prs: replay.length, tallies, periods, seconds: (performance.now() - started) / 1000 };
}

export function readHistoryFile(file: string): HistoryRecord[] {
  const { records, problems } = parseHistory(readFileSync(file, "utf8"), file);
  if (problems.length > 0) throw new Error(problems.map(formatProblem).join("\n"));
  return records;
}

const pct = (n: number, of: number) => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}%`);

/** One Markdown table of `prs` pull requests' tallies. */
function table(tallies: Tallies, prs: number): string[] {
  const rows: [string, Tally, boolean][] = [
    ["review-router without history", tallies.today, true],
    ["review-router, default choice (listed maintainers)", tallies.history, true],
    ["review-router, widened (the bundled PyTorch setting)", tallies.widened, true],
    [`the app's read (newest ${HISTORY_COMMITS} a directory): default choice`, tallies.app, true],
    [`the app's read (newest ${HISTORY_COMMITS} a directory): widened`, tallies.appWidened, true],
    [`baseline: top approvers of the same directories, previous ${BASELINE_WINDOW} PRs`, tallies.directories, false],
    [`baseline: top approvers overall, previous ${BASELINE_WINDOW} PRs`, tallies.overall, false],
  ];
  const lines = rows.map(([name, t, router]) => {
    const mean = router ? (t.requested / Math.max(1, prs)).toFixed(2) : "1 (top 3 ranked)";
    return `| ${name} | ${pct(t.first, prs)} | ${router ? pct(t.any, prs) : "-"} | ${pct(t.top3, prs)} | ${mean} |`;
  });
  return ["| who is asked | first pick | any pick | top 3 | requested per PR |", "| --- | ---: | ---: | ---: | ---: |", ...lines];
}

export function report(e: Evaluation): string {
  const periods = e.periods.flatMap((p) => ["", `Of these, the ${p.prs} merged ${p.label}:`, "", ...table(p.tallies, p.prs)]);
  return [
    `${e.prs} pull requests replayed in ${e.seconds.toFixed(1)} s (${((e.seconds * 2000) / Math.max(1, e.prs)).toFixed(1)} s per 2,000)`,
    "",
    ...table(e.tallies, e.prs),
    ...periods,
  ].join("\n");
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      limit: { type: "string" },
      "window-days": { type: "string" },
      "half-life-days": { type: "string" },
      "min-approvals": { type: "string" },
      "split-at": { type: "string" },
    },
  });
  const file = resolve(positionals[0] ?? DEFAULT_HISTORY);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const options: Options = {};
  for (const [key, v] of [
    ["limit", values.limit],
    ["windowDays", values["window-days"]],
    ["halfLifeDays", values["half-life-days"]],
    ["minApprovals", values["min-approvals"]],
  ] as const) {
    const n = num(v);
    if (n !== undefined) options[key] = n;
  }
  if (values["split-at"] !== undefined) {
    const at = new Date(values["split-at"]);
    if (Number.isNaN(at.getTime())) throw new Error(`--split-at: not a date: ${values["split-at"]} (use YYYY-MM-DD)`);
    options.splitAt = at;
  }
  const { router } = loadRouter();
  const records = readHistoryFile(file);
  const p = variant(router, false, options).config.policy;
  console.log(
    `history: ${file} (${records.length} records); expertise_window_days ${p.expertiseWindowDays}, ` +
      `expertise_half_life_days ${p.expertiseHalfLifeDays}, widen_min_approvals ${p.widenMinApprovals}`,
  );
  console.log(report(evaluate(records, router, options)));
}

if (isMainModule(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
