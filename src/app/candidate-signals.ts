// Gathering the candidates' availability and load for the selection policy: ONE GraphQL request
// per pull request that needs a new reviewer, with two aliased fields per candidate: the user's
// status (busy, with expiry) and the number of open pull requests of the repository awaiting
// their review. Logins travel as GraphQL variables, never spliced into the query text; aliases
// are numbered, so they are valid names whatever the login. Any error or time-out yields a
// fallback marker: the caller then chooses as before (stable hash), logs it and notes it in the
// summary, and never ends up requesting nobody because of it.

import { isValidLogin, loginKey } from "../core/registry.js";
import type { BusyStatus, CandidateSignals } from "../core/signals.js";

/** Octokit's `graphql` (and anything shaped like it): the query and its variables in, `data` out. */
export type GraphqlCall = (query: string, parameters?: Record<string, unknown>) => Promise<unknown>;

/** At most this many candidates are asked about; the rest keep an unknown load (ranked after known ones). */
export const MAX_SIGNAL_LOGINS = 50;
/** How long the request may take before the caller falls back to today's choice. */
export const SIGNALS_TIMEOUT_MS = 5000;

export interface SignalsQuery {
  query: string;
  variables: Record<string, string>;
  /** The logins asked about, in alias order (`user0`/`load0` is the first). */
  logins: string[];
}

/** The query for the candidates `logins` (deduplicated in any case; invalid logins are dropped). */
export function buildSignalsQuery(repository: string, logins: readonly string[]): SignalsQuery {
  const seen = new Set<string>();
  const asked: string[] = [];
  for (const login of logins) {
    const key = loginKey(login);
    if (!isValidLogin(login) || seen.has(key) || asked.length >= MAX_SIGNAL_LOGINS) continue;
    seen.add(key);
    asked.push(login);
  }
  const params: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, string> = {};
  asked.forEach((login, i) => {
    params.push(`$login${i}: String!`, `$search${i}: String!`);
    variables[`login${i}`] = login;
    variables[`search${i}`] = `is:pr is:open review-requested:${login} repo:${repository}`;
    fields.push(
      `  user${i}: user(login: $login${i}) { status { indicatesLimitedAvailability expiresAt message } }`,
      `  load${i}: search(query: $search${i}, type: ISSUE) { issueCount }`,
    );
  });
  const query = `query CandidateSignals(${params.join(", ")}) {\n${fields.join("\n")}\n}`;
  return { query, variables, logins: asked };
}

export interface ParsedSignals {
  signals: CandidateSignals;
  /** Logins GitHub knows no user for (the `user` field came back null). */
  missing: string[];
  /** Logins whose status or load could not be read (a partial error): treated as unknown. */
  unknown: string[];
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Read the `data` of the response into signals. A null user, a missing alias or a field of the
 * wrong shape makes that login's status or load unknown; it never throws.
 */
export function parseSignalsResponse(asked: readonly string[], data: unknown, now: Date): ParsedSignals {
  const d = record(data) ?? {};
  const busy = new Map<string, BusyStatus>();
  const openReviews = new Map<string, number>();
  const missing: string[] = [];
  const unknown = new Set<string>();
  asked.forEach((login, i) => {
    const userField = d[`user${i}`];
    const user = record(userField);
    if (userField === null) missing.push(login);
    else if (!user) unknown.add(login);
    else {
      const status = record(user.status);
      if (status?.indicatesLimitedAvailability === true) {
        const expiresAt = typeof status.expiresAt === "string" ? status.expiresAt : undefined;
        // A status that has expired by now no longer says anything.
        if (!expiresAt || Date.parse(expiresAt) > now.getTime()) {
          busy.set(login, {
            ...(expiresAt ? { expiresAt } : {}),
            ...(typeof status.message === "string" && status.message !== "" ? { message: status.message } : {}),
          });
        }
      }
    }
    const count = record(d[`load${i}`])?.issueCount;
    if (typeof count === "number" && Number.isInteger(count) && count >= 0) openReviews.set(login, count);
    else if (userField !== null) unknown.add(login);
  });
  return { signals: { busy, openReviews }, missing, unknown: [...unknown] };
}

export type SignalsResult =
  | ({ ok: true; query: SignalsQuery; errors: string[] } & ParsedSignals)
  /** Fall back to today's choice; `reason` is for the log and the summary. */
  | { ok: false; reason: string };

/** The `data` and error messages of a GraphQL error that carries a partial response (Octokit's GraphqlResponseError). */
function partialResponse(err: unknown): { data: unknown; errors: string[] } | undefined {
  const e = record(err);
  if (!e || !record(e.data)) return undefined;
  const errors = Array.isArray(e.errors) ? e.errors.map((x) => String(record(x)?.message ?? x)) : [String(e.message ?? err)];
  return { data: e.data, errors };
}

/** How one GraphQL request ended: its data, a partial answer (data with errors), a time-out, or an error. */
export type GraphqlOutcome =
  | { kind: "data"; data: unknown }
  | { kind: "partial"; data: unknown; errors: string[] }
  | { kind: "timeout" }
  /** `message` is one line; `types` are the errors' GitHub types (RATE_LIMITED, NOT_FOUND, ...). */
  | { kind: "error"; message: string; types: string[] };

/**
 * One GraphQL request, abandoned (and aborted) after `timeoutMs`; never throws. The review-router
 * reads that may fall back to today's choice (availability and load, approval history) share it.
 */
export async function graphqlWithin(
  graphql: GraphqlCall,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
): Promise<GraphqlOutcome> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve("timeout");
    }, timeoutMs);
  });
  try {
    const data = await Promise.race([graphql(query, { ...variables, request: { signal: abort.signal } }), timedOut]);
    return data === "timeout" ? { kind: "timeout" } : { kind: "data", data };
  } catch (err) {
    if (abort.signal.aborted) return { kind: "timeout" };
    const partial = partialResponse(err);
    if (partial) return { kind: "partial", ...partial };
    const errors = record(err)?.errors;
    const types = Array.isArray(errors)
      ? errors.flatMap((x) => (typeof record(x)?.type === "string" ? [record(x)!.type as string] : []))
      : [];
    // One line, for the log and the summary's note.
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").slice(0, 300);
    return { kind: "error", message, types };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetch the signals for `logins` of `repository` (owner/name) in one GraphQL request. Partial
 * errors keep what came back; anything else (an error without data, a time-out) returns the
 * fallback marker. With no valid login, no request is made and the signals are empty.
 */
export async function fetchCandidateSignals(
  graphql: GraphqlCall,
  repository: string,
  logins: readonly string[],
  now: Date,
  timeoutMs = SIGNALS_TIMEOUT_MS,
): Promise<SignalsResult> {
  const q = buildSignalsQuery(repository, logins);
  if (q.logins.length === 0) {
    return { ok: true, query: q, errors: [], signals: { busy: new Map(), openReviews: new Map() }, missing: [], unknown: [] };
  }
  const outcome = await graphqlWithin(graphql, q.query, q.variables, timeoutMs);
  switch (outcome.kind) {
    case "timeout":
      return { ok: false, reason: `GitHub did not answer the availability query within ${timeoutMs} ms` };
    case "error":
      return { ok: false, reason: `the availability query failed: ${outcome.message}` };
    case "partial":
      return { ok: true, query: q, errors: outcome.errors, ...parseSignalsResponse(q.logins, outcome.data, now) };
    case "data":
      return { ok: true, query: q, errors: [], ...parseSignalsResponse(q.logins, outcome.data, now) };
  }
}
