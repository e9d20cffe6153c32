// Overdue review requests: a reviewer who has neither reviewed nor commented within
// `reroute_after_hours` business hours of being requested is replaced by another maintainer of
// the module. Business hours are the hours of Monday to Friday in `reroute_timezone` (the whole
// day: a reviewer anywhere in the world may answer at any hour of a working day; Saturday and
// Sunday do not count). Pure: the clock is passed in, times come from the timeline.

import type { AppSettings } from "./config.js";

/** reroute_after_hours and reroute_timezone, declared (with their defaults) in src/core/config.ts. */
export type RerouteSettings = AppSettings["reroute"];

const HOUR_MS = 3_600_000;

/** Formatters by time zone: building one costs far more than using it (memoised by zone name). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function validTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** The local wall-clock time read as if it were UTC, in ms: local minus the zone's offset. */
  wallMs: number;
}

function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return { year, month, day, wallMs: Date.UTC(year, month - 1, day, hour, minute, second) };
}

/** The zone's offset from UTC at instant `ms` (whole seconds; sub-second precision is not needed). */
function offsetAt(ms: number, timeZone: string): number {
  const s = Math.floor(ms / 1000) * 1000;
  return localTime(s, timeZone).wallMs - s;
}

/** The instant the local day starting at wall-clock midnight `wallMidnight` begins (DST-aware). */
function instantOfLocalMidnight(wallMidnight: number, timeZone: string): number {
  const first = wallMidnight - offsetAt(wallMidnight, timeZone);
  const second = wallMidnight - offsetAt(first, timeZone);
  return second;
}

/**
 * Business hours between two instants (ms since the epoch) in `timeZone`: the time that falls on
 * a Monday to Friday there. Linear in the days spanned; stops counting at `capHours` (and returns it).
 */
export function businessHoursBetween(fromMs: number, toMs: number, timeZone: string, capHours = Infinity): number {
  let t = fromMs;
  let total = 0;
  const cap = capHours * HOUR_MS;
  while (t < toMs && total < cap) {
    const local = localTime(t, timeZone);
    const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay(); // 0 Sunday .. 6 Saturday
    let next = instantOfLocalMidnight(Date.UTC(local.year, local.month - 1, local.day + 1), timeZone);
    if (next <= t) next = t + HOUR_MS; // a zone whose midnight does not exist that day: still move on
    const end = Math.min(next, toMs);
    if (weekday >= 1 && weekday <= 5) total += Math.min(end - t, cap - total);
    t = end;
  }
  return total / HOUR_MS;
}

/** A review request on the pull request now, with when it was (last) made. */
export interface RequestFact {
  login: string;
  /** ISO time of the latest review_requested event for the login. */
  at: string;
}

/** Someone reviewing or commenting on the pull request, and when. */
export interface ActivityFact {
  login: string;
  at: string;
}

export interface OverdueInput {
  requests: readonly RequestFact[];
  activity: readonly ActivityFact[];
  /** Logins already replaced once on this pull request: never replaced again. */
  replaced: readonly string[];
  settings: RerouteSettings;
  now: Date;
}

export interface Overdue {
  login: string;
  requestedAt: string;
  /** Business hours since the request (capped at the threshold: counting stops there). */
  businessHours: number;
}

const key = (login: string) => login.toLowerCase();

/** The requested reviewers past the deadline with no review or comment since their request; in request order. */
export function overdueReviewers(input: OverdueInput): Overdue[] {
  const { afterHours, timeZone } = input.settings;
  if (afterHours <= 0) return [];
  const now = input.now.getTime();
  const replaced = new Set(input.replaced.map(key));
  const lastActive = new Map<string, number>();
  for (const a of input.activity) {
    const at = Date.parse(a.at);
    if (Number.isNaN(at)) continue;
    const k = key(a.login);
    if (at > (lastActive.get(k) ?? -Infinity)) lastActive.set(k, at);
  }
  const out: Overdue[] = [];
  for (const r of input.requests) {
    const at = Date.parse(r.at);
    if (Number.isNaN(at) || replaced.has(key(r.login))) continue;
    if ((lastActive.get(key(r.login)) ?? -Infinity) >= at) continue;
    const hours = businessHoursBetween(at, now, timeZone, afterHours);
    if (hours >= afterHours) out.push({ login: r.login, requestedAt: r.at, businessHours: hours });
  }
  return out;
}

/**
 * Whether a request made at `at` (ISO) came once `overdue` was past the deadline: a replacement
 * asked for by an earlier delivery, whose withdrawal of the overdue request is still to be done.
 */
export function requestedWhileOverdue(overdue: Pick<Overdue, "requestedAt">, at: string, settings: RerouteSettings): boolean {
  const from = Date.parse(overdue.requestedAt);
  const to = Date.parse(at);
  if (Number.isNaN(from) || Number.isNaN(to) || settings.afterHours <= 0) return false;
  return businessHoursBetween(from, to, settings.timeZone, settings.afterHours) >= settings.afterHours;
}
