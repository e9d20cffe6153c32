// The Octokit the server gives Probot. Three changes to Probot's own:
//
// 1. Write pacing per installation. @octokit/plugin-throttling keeps its limiters per throttle
//    `id` (one process-wide set of Bottleneck groups, keyed by id); Probot's event clients get no
//    id, so every installation shares one "no-id" write queue: one content-creating request a
//    second for the whole process. GitHub asks for about one a second per user or installation
//    token, so each installation gets its own id, hence its own queue, and no stricter.
// 2. A time-out on every request, so a GitHub call that never answers ends the delivery with an
//    error instead of holding it open.
// 3. Two retries of a server error instead of three (see below); a write that timed out is not
//    retried (writeTimedOut).
// 4. A secondary rate limit (403 with retry-after) is waited out and retried once when the wait
//    is short, instead of failing the delivery outright.
// 5. GraphQL queries are not paced. GitHub asks apps to pause between mutative requests (POST,
//    PATCH, PUT, DELETE; in GraphQL, mutations); the throttling plugin paces every GraphQL request
//    as a write because it cannot tell a query from a mutation. review-router's GraphQL requests
//    are reads (a pull request's files and state, candidates' availability), so a query goes
//    through a sibling client with throttling off: same token, retries, time-outs and metrics.
// 6. A write that notifies people (a review request, a comment) waits for its 3 s notification
//    pace *before* its 1 s write slot, not after: the plugin takes the write slot first and then
//    waits for the notification slot, so the request left beside the next write, two writes within
//    a second. The plugin's own notification wait is made a pass-through; the same pace (3 s per
//    installation) is kept by a group of ours, in Redis with the plugin's when REDIS_URL is set.
// 7. Writes to one installation go one at a time, and the next leaves a second after the answer to
//    the one before: GitHub asks for serial writes with at least a second between them. The
//    plugin only starts writes a second apart (its slot is over before the request even leaves),
//    so a write held up on its way (its process busy, the per-installation concurrency queue in
//    Redis) left beside the next one: up to 3 writes to one installation within a second with 3
//    workers. Here the slot is taken at the fetch and held until a second after the answer; the
//    plugin's write group is a pass-through, and writes do not queue in its concurrency group
//    (they hold no concurrency slot while they wait for the write slot; they are one at a time).

import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";
import type { Metrics } from "./metrics.js";
import { MAX_SECONDARY_WAIT_S } from "./rest.js";

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const MAX_RETRIES = 2;
/** Retry back-off unit: a 5xx is retried after 1 x and 4 x this many milliseconds. */
export const DEFAULT_RETRY_BASE_MS = 1000;

export interface OctokitSettings {
  requestTimeoutMs: number;
  /** false only against a local stand-in for GitHub (load tests): writes are not paced at all. */
  pacing: boolean;
  /** Back-off unit of the 5xx retries (GITHUB_RETRY_BASE_MS; tests shorten it, the retries stay). */
  retryBaseMs: number;
}

export function octokitSettingsFromEnv(env: NodeJS.ProcessEnv): OctokitSettings {
  const timeout = Number(env.GITHUB_REQUEST_TIMEOUT_MS);
  const retryBase = Number(env.GITHUB_RETRY_BASE_MS);
  return {
    requestTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_REQUEST_TIMEOUT_MS,
    pacing: !/^(0|false|off|no)$/i.test((env.GITHUB_WRITE_PACING ?? "").trim()),
    retryBaseMs: Number.isFinite(retryBase) && retryBase > 0 ? retryBase : DEFAULT_RETRY_BASE_MS,
  };
}

type Options = Record<string, unknown> & {
  auth?: { installationId?: number | string };
  throttle?: Record<string, unknown> & { enabled?: boolean };
  request?: Record<string, unknown>;
};

interface ThrottledRequest {
  method: string;
  url: string;
  request: { retryCount: number };
}

interface Logger {
  warn: (msg: string) => void;
}

export function createAppOctokit(settings: OctokitSettings, metrics?: Metrics): typeof ProbotOctokit {
  const Octokit = ProbotOctokit.defaults((instance: Options) => {
    const installationId = instance.auth?.installationId;
    const throttle = { ...instance.throttle };
    if (!settings.pacing) {
      throttle.enabled = false;
    } else if (throttle.enabled !== false) {
      if (installationId !== undefined) throttle.id = `installation-${installationId}`;
      throttle.notifications = PASS_THROUGH; // see 6.: waited for first, in notifyingFirst
      throttle.write = PASS_THROUGH; // see 7.: the write slot is taken at the fetch
      throttle.global = readsOnly(globalGroup(throttle));
      throttle.onSecondaryRateLimit = (retryAfter: number, options: ThrottledRequest, octokit: { log: Logger }) => {
        const retry = options.request.retryCount === 0 && retryAfter <= MAX_SECONDARY_WAIT_S;
        octokit.log.warn(
          `secondary rate limit on ${options.method} ${options.url}: ${retry ? `retrying in ${retryAfter} s` : "giving up"}`,
        );
        return retry;
      };
    }
    // The time-out goes on each fetch, so that every retry gets a fresh one.
    // A sibling (see 5.) is given its parent's options: it wraps the fetch its parent wrapped, not the parent's.
    const given = instance.request?.fetch as (typeof fetch & { [UNWRAPPED]?: typeof fetch }) | undefined;
    const baseFetch = given?.[UNWRAPPED] ?? given ?? fetch;
    const writeSlot = settings.pacing && throttle.enabled !== false ? writeSlots(throttle, settings.requestTimeoutMs) : undefined;
    const send: typeof fetch = async (input, init) => {
      const signal = init?.signal ?? AbortSignal.timeout(settings.requestTimeoutMs);
      try {
        return await baseFetch(input, { ...init, signal });
      } catch (err) {
        throw writeTimedOut(input, init?.method, signal, settings.requestTimeoutMs) ?? err;
      }
    };
    const timedFetch: typeof fetch = async (input, init) => {
      if (!writeSlot || !isPacedWrite(input, init?.method)) return send(input, init);
      const release = await writeSlot();
      try {
        return await send(input, init);
      } finally {
        releaseAfter(release, WRITE_PACE_MS);
      }
    };
    // Two retries of a 5xx (after 1 s and 4 s by default), not Probot's three: a failing token request is
    // retried inside every retried call, so each retry multiplies how long a delivery can hang.
    const retry = { retries: MAX_RETRIES, retryAfterBaseValue: settings.retryBaseMs, ...(instance.retry as object | undefined) };
    return { ...instance, throttle, retry, request: { ...instance.request, fetch: Object.assign(timedFetch, { [UNWRAPPED]: baseFetch }) } };
  }) as unknown as typeof ProbotOctokit;
  // With METRICS=1, every request is counted once, after its retries (see metrics.ts).
  const Counted = metrics ? (Octokit.plugin(metrics.octokitPlugin() as (o: unknown) => void) as unknown as typeof ProbotOctokit) : Octokit;
  if (!settings.pacing) return Counted;
  const Paced = Counted.plugin(notifyingFirst as unknown as (o: unknown) => void) as unknown as typeof ProbotOctokit;
  return Paced.plugin(unpacedQueries as unknown as (o: unknown) => void) as unknown as typeof ProbotOctokit;
}

/**
 * A write (POST, PATCH, PUT, DELETE) our time-out ended is not sent again by Octokit's retry: GitHub
 * may have carried it out and only answered late, and a second POST adds a second comment or check
 * run (or labels and reviewers again). Octokit does not retry a request aborted by its caller (an
 * AbortError), so the write's failure is one: the delivery fails, and its next try (the queue's, with
 * back-off) reads GitHub's state first and writes only what is missing. A read that timed out is
 * retried as before.
 */
function writeTimedOut(input: Parameters<typeof fetch>[0], method: string | undefined, signal: AbortSignal, ms: number): Error | undefined {
  if (!isWrite(method) || !signal.aborted || (signal.reason as Error | undefined)?.name !== "TimeoutError") return undefined;
  const url = urlOf(input);
  const err = new DOMException(
    `request timeout: no answer within ${ms} ms to a ${method.toUpperCase()}; GitHub may have carried it out, so it is not sent again`,
    "AbortError",
  );
  // What the logs show of a failed request (as Octokit's RequestError has it), without the headers and their token.
  return Object.assign(err, { request: { method: method.toUpperCase(), url } });
}

/** Whether a request of `method` writes (POST, PATCH, PUT, DELETE): anything but GET and HEAD. */
function isWrite(method: string | undefined): method is string {
  return method !== undefined && !/^(GET|HEAD)$/i.test(method);
}

/** On the fetch createAppOctokit gives an instance: the fetch it wraps. */
const UNWRAPPED = Symbol("unwrapped fetch");

/** The URL a fetch is given, as a string. */
function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

/**
 * A request that takes a write slot (see 7.): a content-creating request, or a GraphQL mutation (a
 * query goes through the unpaced sibling, see 5.). Not an installation token's request, which the
 * plugin does not pace either.
 */
function isPacedWrite(input: Parameters<typeof fetch>[0], method: string | undefined): boolean {
  if (!isWrite(method)) return false;
  return !/\/app\/installations\/[^/]+\/access_tokens$/.test(new URL(urlOf(input)).pathname);
}

/** GitHub's pause between content-creating requests of one installation: a second (from the answer to the next request). */
export const WRITE_PACE_MS = 1000;

const writeGroups = new Map<Connection | undefined, Bottleneck.Group>();

/**
 * The write slot of an installation (see 7.): one write at a time, released by the caller a
 * second after the answer. Kept in Redis when the plugin's throttling has a connection (shared by
 * replicas), else in memory. In Redis a slot whose process died is freed after the longest a
 * request can take plus the pause.
 */
function writeSlots(throttle: Record<string, unknown>, requestTimeoutMs: number): () => Promise<() => void> {
  const { B, connection, id } = throttleParts(throttle);
  const limiter = sharedGroup(writeGroups, B, connection, { id: "review-router-write", maxConcurrent: 1 }).key(id);
  const options = connection ? { expiration: requestTimeoutMs + WRITE_PACE_MS + 5000 } : {};
  return () =>
    new Promise((granted, refused) => {
      limiter.schedule(options, () => new Promise<void>((release) => granted(release))).catch(refused);
    });
}

/** Call `release` once `ms` have passed by the clock (a timer alone may fire a few milliseconds early by it). */
function releaseAfter(release: () => void, ms: number): void {
  const due = Date.now() + ms;
  const check = () => {
    const left = due - Date.now();
    if (left > 0) setTimeout(check, left);
    else release();
  };
  setTimeout(check, ms);
}

const globalGroups = new Map<Connection | undefined, Bottleneck.Group>();

/** The plugin's per-installation concurrency group (10 requests at a time), with the same id and Redis keys. */
function globalGroup(throttle: Record<string, unknown>): Bottleneck.Group {
  const { B, connection } = throttleParts(throttle);
  const timeoutMs = (throttle.timeout as number | undefined) ?? GROUP_TIMEOUT_MS;
  return sharedGroup(globalGroups, B, connection, { id: "octokit-global", maxConcurrent: 10 }, timeoutMs);
}

type Scheduled = (options: Bottleneck.JobOptions, request: (o: RequestOptions) => Promise<unknown>, o: RequestOptions) => Promise<unknown>;

/** The plugin's concurrency group for reads; a write goes straight on to its write slot (see 7.). */
function readsOnly(group: Bottleneck.Group): { key(id: string): { schedule: Scheduled } } {
  return {
    key: (id: string) => ({
      schedule: (options, request, o) => (isWrite(o.method) ? request(o) : group.key(id).schedule(options, request, o)),
    }),
  };
}

/** The plugin's notification group, replaced: no wait (the wait happens before, in notifyingFirst). */
const PASS_THROTTLE_ID = "review-router-pass-through";
const PASS_THROUGH = new Bottleneck.Group({ id: PASS_THROTTLE_ID });

/** GitHub's pace for writes that notify people, per installation: one every 3 s (as @octokit/plugin-throttling keeps it). */
export const NOTIFICATION_PACE_MS = 3000;

type Connection = Bottleneck.RedisConnection | Bottleneck.IORedisConnection;

/** How long Redis keeps the state of a group's idle key (Bottleneck's `timeout`). */
const GROUP_TIMEOUT_MS = 2 * 60_000;

/** Where a throttle's groups live: the Bottleneck it uses, its Redis connection (none: in memory), the installation's id. */
function throttleParts(throttle: Record<string, unknown>): { B: typeof Bottleneck; connection: Connection | undefined; id: string } {
  return {
    B: (throttle.Bottleneck as typeof Bottleneck | undefined) ?? Bottleneck,
    connection: throttle.connection as Connection | undefined,
    id: (throttle.id as string | undefined) ?? "no-id",
  };
}

/** One group of `options` per Redis connection (shared by replicas), or one in memory without Redis, kept in `groups`. */
function sharedGroup(
  groups: Map<Connection | undefined, Bottleneck.Group>,
  B: typeof Bottleneck,
  connection: Connection | undefined,
  options: Bottleneck.ConstructorOptions & { id: string },
  timeoutMs: number = GROUP_TIMEOUT_MS,
): Bottleneck.Group {
  let group = groups.get(connection);
  if (!group) {
    group = new B.Group({ ...options, ...(connection ? { connection, timeout: timeoutMs } : {}) });
    groups.set(connection, group);
  }
  return group;
}

const notificationGroups = new Map<Connection | undefined, Bottleneck.Group>();

interface HookedOctokit {
  hook: { wrap(name: "request", fn: (request: (o: RequestOptions) => Promise<unknown>, o: RequestOptions) => Promise<unknown>): void };
}
type RequestOptions = { method: string; url: string } & Record<string, unknown>;

/** See 6. above: the notification wait, outside (before) the plugin's write slot. */
function notifyingFirst(octokit: HookedOctokit, options: Options): void {
  const throttle = options.throttle ?? {};
  if (throttle.enabled === false) return;
  const { B, connection, id } = throttleParts(throttle);
  const notifications = { id: "review-router-notifications", maxConcurrent: 1, minTime: NOTIFICATION_PACE_MS };
  octokit.hook.wrap("request", async (request, o) => {
    const { pathname } = new URL(o.url, "http://github.test");
    if (isWrite(o.method) && throttling.triggersNotification(pathname)) {
      await sharedGroup(notificationGroups, B, connection, notifications)
        .key(id)
        .schedule(connection ? { expiration: 60_000 } : {}, () => Promise.resolve());
    }
    return request(o);
  });
}

type Graphql = ((query: unknown, parameters?: unknown) => Promise<unknown>) & Record<string, unknown>;

/** A GraphQL document that is a query (no mutation, no subscription): `query ...` or a bare `{ ... }`. */
export function isGraphqlQuery(query: unknown): boolean {
  const text = typeof query === "string" ? query : (query as { query?: unknown } | null)?.query;
  if (typeof text !== "string") return false;
  const start = text.replace(/^(?:\s|#[^\n]*)*/, "");
  return /^(query\b|\{)/.test(start);
}

/** See 5. above: `graphql` sends queries through an unthrottled sibling, anything else as before. */
function unpacedQueries(octokit: { graphql: Graphql; constructor: unknown }, options: Options): { graphql?: Graphql } {
  if (options.throttle?.enabled === false) return {}; // the sibling itself
  const Sibling = octokit.constructor as new (o: Options) => { graphql: Graphql };
  const sibling = new Sibling({ ...options, throttle: { ...options.throttle, enabled: false } });
  const paced = octokit.graphql;
  const graphql = Object.assign(
    (query: unknown, parameters?: unknown) => (isGraphqlQuery(query) ? sibling.graphql : paced)(query, parameters),
    paced,
  );
  return { graphql };
}
