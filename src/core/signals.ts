// What the adapters learn about each candidate reviewer right now: whether their GitHub status
// says they are busy, and how many open pull requests of the repository await their review. The
// app fetches these (src/app/candidate-signals.ts); the CLI takes them as flags or a JSON file, so
// the same decision can be reproduced offline. Pure: no clock is read here, `now` is passed in.

import { isValidLogin, loginKey } from "./registry.js";

export interface BusyStatus {
  /** When the status stops showing (ISO 8601); absent: until the user clears it. */
  expiresAt?: string;
  message?: string;
}

export interface CandidateSignals {
  /** Users whose status indicates limited availability, keyed by login (any case). */
  busy: ReadonlyMap<string, BusyStatus>;
  /** Open pull requests of the repository on which the user's review is requested. Absent: unknown. */
  openReviews: ReadonlyMap<string, number>;
}

/** Signals keyed by `loginKey`, with statuses that expired by `now` dropped. */
export function normalizeSignals(signals: CandidateSignals, now?: Date): CandidateSignals {
  const busy = new Map<string, BusyStatus>();
  for (const [login, status] of signals.busy) {
    if (status.expiresAt && now && Date.parse(status.expiresAt) <= now.getTime()) continue;
    busy.set(loginKey(login), status);
  }
  const openReviews = new Map<string, number>();
  for (const [login, n] of signals.openReviews) openReviews.set(loginKey(login), n);
  return { busy, openReviews };
}

/**
 * Signals from a JSON document (the CLI's `--signals FILE`):
 * `{"busy": ["alice", {"login": "bob", "expiresAt": "2026-12-20T00:00:00Z"}], "openReviews": {"carol": 4}}`.
 * Throws an Error naming the bad key and what to write instead.
 */
export function signalsFromJson(value: unknown): CandidateSignals {
  const busy = new Map<string, BusyStatus>();
  const openReviews = new Map<string, number>();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`must be a JSON object with "busy" (a list of logins) and "openReviews" (login: count)`);
  }
  const doc = value as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (key !== "busy" && key !== "openReviews") throw new Error(`${key}: unknown key; expected busy, openReviews`);
  }
  if (doc.busy !== undefined) {
    if (!Array.isArray(doc.busy)) throw new Error("busy: must be a list of logins or {login, expiresAt} objects");
    doc.busy.forEach((item: unknown, i: number) => {
      if (typeof item === "string") {
        if (!isValidLogin(item)) throw new Error(`busy[${i}]: "${item}" is not a GitHub login`);
        busy.set(item, {});
        return;
      }
      const entry = item as Record<string, unknown> | null;
      if (entry === null || typeof entry !== "object" || typeof entry.login !== "string" || !isValidLogin(entry.login)) {
        throw new Error(`busy[${i}]: must be a login or {"login": LOGIN, "expiresAt": DATE}`);
      }
      if (entry.expiresAt !== undefined && (typeof entry.expiresAt !== "string" || Number.isNaN(Date.parse(entry.expiresAt)))) {
        throw new Error(`busy[${i}].expiresAt: must be a date such as 2026-12-20T00:00:00Z`);
      }
      busy.set(entry.login, {
        ...(typeof entry.expiresAt === "string" ? { expiresAt: entry.expiresAt } : {}),
        ...(typeof entry.message === "string" ? { message: entry.message } : {}),
      });
    });
  }
  if (doc.openReviews !== undefined) {
    if (doc.openReviews === null || typeof doc.openReviews !== "object" || Array.isArray(doc.openReviews)) {
      throw new Error('openReviews: must be an object of login: count, e.g. {"alice": 3}');
    }
    for (const [login, n] of Object.entries(doc.openReviews as Record<string, unknown>)) {
      if (!isValidLogin(login)) throw new Error(`openReviews: "${login}" is not a GitHub login`);
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new Error(`openReviews.${login}: must be a whole number >= 0`);
      openReviews.set(login, n);
    }
  }
  return { busy, openReviews };
}
