// Durable deliveries on Redis, on when REDIS_URL is set (without it, one process handles each
// delivery in memory, inside its HTTP request, as before).
//
// The web role verifies a delivery's signature (Probot's middleware), stores it as a BullMQ job
// whose id is the X-GitHub-Delivery GUID, and answers; the worker role takes jobs and hands each
// to the app's handlers. What is kept in Redis, under the "review-router:" prefix:
//
// - the BullMQ queue "deliveries": waiting, active, delayed (retries) and failed jobs;
// - pending:<owner/repo#number>, a sorted set of the thread's delivery GUIDs in arrival order
//   (Redis's clock). Only its first member may run: deliveries of one pull request or issue are
//   handled one at a time, in order, by whichever workers take them. (BullMQ's own groups are a
//   paid feature.) A job that is not first goes back to the delayed set for a moment; a first
//   member whose job is gone, finished or failed for good is dropped, so nothing waits forever;
// - running:<owner/repo#number>, held (and renewed) by the worker handling the thread's delivery:
//   a delivery BullMQ hands out a second time while its first run is still going (a worker too
//   busy to renew its job's lock) waits for that run to end instead of writing beside it;
// - done:<GUID>, a small marker kept 3 days (as long as GitHub lets a delivery be redelivered) once
//   a delivery was handled. A redelivery (same GUID) of a handled delivery is not handled again; one
//   of a delivery that failed for good is retried; one still queued is not queued twice.

import { randomUUID } from "node:crypto";
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { StartupError } from "./env.js";
import type { QueueMetrics } from "./metrics.js";

export const ROLES = ["all", "web", "worker"] as const;
export type Role = (typeof ROLES)[number];

export const KEY_PREFIX = "review-router";
export const QUEUE_NAME = "deliveries";
/** How long a handled delivery's GUID is remembered: GitHub redelivers deliveries up to 3 days old. */
export const DONE_TTL_S = 3 * 24 * 3600;
/** How long a job waits before asking again whether its thread's earlier delivery has finished. */
export const TURN_WAIT_MS = 250;
/** A first-in-line GUID whose job does not exist this long after it was registered is an orphan (its enqueue failed). */
export const ORPHAN_MS = 60_000;
/** The web answers 503 when Redis has not stored a delivery within this time (well inside GitHub's 10 s). */
export const ENQUEUE_TIMEOUT_MS = 3000;

export interface QueueSettings {
  redisUrl: string;
  role: Role;
  /** WORKER_CONCURRENCY: deliveries one worker process handles at once. */
  concurrency: number;
  /** QUEUE_ATTEMPTS: tries of a delivery before it goes to the failed list. */
  attempts: number;
  /** QUEUE_BACKOFF_MS: first retry delay, doubled at each further try. */
  backoffMs: number;
  /** QUEUE_LOCK_MS: how long a job of a worker that died stays locked before another worker takes it over. */
  lockMs: number;
}

export const QUEUE_DEFAULTS = { concurrency: 50, attempts: 5, backoffMs: 2000, lockMs: 30_000 } as const;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  const v = (value ?? "").trim();
  if (v === "") return fallback;
  if (!/^[1-9][0-9]*$/.test(v)) throw new StartupError(`${name}: expected a whole number above 0, got "${value}"`);
  return Number(v);
}

/** host:port of a Redis URL, for messages: never its password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "127.0.0.1"}:${u.port || 6379}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** The queue settings, or undefined without REDIS_URL (everything in one process, in memory). */
export function queueSettingsFromEnv(env: NodeJS.ProcessEnv): QueueSettings | undefined {
  const role = (env.ROLE ?? "").trim() || "all";
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new StartupError(`ROLE: expected all, web or worker, got "${env.ROLE}"`);
  }
  const redisUrl = (env.REDIS_URL ?? "").trim();
  if (redisUrl === "") {
    if (role !== "all") {
      throw new StartupError(
        `ROLE=${role} needs REDIS_URL: web and worker share their deliveries through Redis; set REDIS_URL or unset ROLE`,
      );
    }
    return undefined;
  }
  if (!/^rediss?:\/\/[^/]/.test(redisUrl)) {
    throw new StartupError("REDIS_URL: expected redis://[user:password@]host[:port][/db] (or rediss:// for TLS)");
  }
  return {
    redisUrl,
    role: role as Role,
    concurrency: positiveInt("WORKER_CONCURRENCY", env.WORKER_CONCURRENCY, QUEUE_DEFAULTS.concurrency),
    attempts: positiveInt("QUEUE_ATTEMPTS", env.QUEUE_ATTEMPTS, QUEUE_DEFAULTS.attempts),
    backoffMs: positiveInt("QUEUE_BACKOFF_MS", env.QUEUE_BACKOFF_MS, QUEUE_DEFAULTS.backoffMs),
    lockMs: positiveInt("QUEUE_LOCK_MS", env.QUEUE_LOCK_MS, QUEUE_DEFAULTS.lockMs),
  };
}

/** Refuse to start when Redis does not answer: one line naming the address (not the password). */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let first: Error | undefined; // the cause (ECONNREFUSED...); connect() itself rejects with "Connection is closed."
  probe.on("error", (err: Error) => (first ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const why = (first ?? (err as Error)).message || String(err);
    throw new StartupError(`REDIS_URL: cannot reach Redis at ${redisAddress(url)} (${why}); start Redis or correct REDIS_URL`);
  } finally {
    probe.disconnect();
  }
}

/**
 * A long-lived connection. Losing Redis is logged once (not at each reconnection attempt) and its
 * return once; ioredis reconnects by itself.
 */
export function redisClient(url: string, log: Logger, purpose: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { connectTimeout: 5000, ...options });
  let lost = false;
  const lose = (why: string) => {
    if (lost || closing.has(client)) return;
    lost = true;
    log.error(`Redis at ${redisAddress(url)} unreachable (${purpose}): ${why}; reconnecting`);
  };
  client.on("error", (err: Error) => lose(err.message));
  client.on("close", () => lose("connection closed"));
  client.on("ready", () => {
    if (!lost) return;
    lost = false;
    log.info(`Redis at ${redisAddress(url)} reachable again (${purpose})`);
  });
  return client;
}

const closing = new WeakSet<Redis>();

/** Close a connection made by redisClient, without logging it as lost. */
export function closeRedis(client: Redis): void {
  closing.add(client);
  client.disconnect();
}

/** One webhook delivery, as the worker hands it to the app: GitHub's GUID, event name and parsed payload. */
export interface Delivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/** Why a queue entry is not a delivery, or undefined when it is one. */
export function deliveryProblem(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "not an object";
  const d = data as Record<string, unknown>;
  if (typeof d.id !== "string" || d.id.trim() === "") return "no delivery id";
  if (typeof d.name !== "string" || !/^[a-z_]+$/.test(d.name)) return "no event name";
  if (typeof d.payload !== "object" || d.payload === null || Array.isArray(d.payload)) return "no payload object";
  return undefined;
}

/** The thread a delivery is about ("owner/repo#12"), or undefined for one about no pull request or issue. */
export function threadKey(payload: Record<string, unknown>): string | undefined {
  const repo = (payload.repository as { full_name?: unknown } | undefined)?.full_name;
  const thread = (payload.pull_request ?? payload.issue) as { number?: unknown } | undefined;
  const number = thread?.number;
  if (typeof repo !== "string" || typeof number !== "number") return undefined;
  return `${repo.toLowerCase()}#${number}`;
}

const pendingKey = (thread: string) => `${KEY_PREFIX}:pending:${thread}`;
const runningKey = (thread: string) => `${KEY_PREFIX}:running:${thread}`;
const doneKey = (id: string) => `${KEY_PREFIX}:done:${id}`;

/** Register a GUID as its thread's latest, scored by Redis's clock (microseconds), so every web replica agrees on the order. */
const REGISTER = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'NX', tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[1])
return 1`;

/** Renew (ARGV[2] ms) or release (ARGV[2] = 0) a thread's running lock, only if this holder (ARGV[1]) has it. */
const HOLD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

/**
 * A worker's turn on a thread, in one round trip. KEYS: done, pending, running; ARGV: GUID,
 * holder, lock ms. "done": the delivery was handled already (a job BullMQ handed out again after its
 * run ended); "behind" with the first GUID and its score: an earlier delivery is in line; "busy":
 * another run of the thread holds it; "run": the running lock is now this holder's.
 */
const TAKE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'done'} end
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if first[1] and first[1] ~= ARGV[1] and redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {'behind', first[1], first[2]} end
if redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3], 'NX') then return {'run'} end
return {'busy'}`;

/** A handled delivery, in one round trip: its done marker (ARGV[2] s), out of its thread's line, the thread's lock released if this holder (ARGV[3]) has it. KEYS: done, pending, running. */
const FINISH = `
redis.call('SET', KEYS[1], '1', 'EX', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
return 1`;

type Registering = Redis & {
  registerPending(key: string, id: string): Promise<number>;
  holdRunning(key: string, holder: string, ms: number): Promise<number>;
  takeTurn(done: string, pending: string, running: string, id: string, holder: string, ms: number): Promise<string[]>;
  finishTurn(done: string, pending: string, running: string, id: string, ttlS: number, holder: string): Promise<number>;
};

function withScripts(client: Redis): Registering {
  client.defineCommand("registerPending", { numberOfKeys: 1, lua: REGISTER });
  client.defineCommand("holdRunning", { numberOfKeys: 1, lua: HOLD });
  client.defineCommand("takeTurn", { numberOfKeys: 3, lua: TAKE });
  client.defineCommand("finishTurn", { numberOfKeys: 3, lua: FINISH });
  return client as Registering;
}

/** Jobs by state, for /metrics. */
function jobCounts(queue: Queue): Promise<Record<string, number>> {
  return queue.getJobCounts("waiting", "active", "delayed", "failed", "completed");
}

/** What an enqueue came to. */
export type Enqueued = "queued" | "retried" | "already queued" | "already handled";

function jobOptions(settings: QueueSettings) {
  return {
    attempts: settings.attempts,
    backoff: { type: "exponential" as const, delay: settings.backoffMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** The web side: stores deliveries. Redis commands fail at once while Redis is away (no offline queue). */
export class DeliveryQueue {
  private constructor(
    readonly queue: Queue,
    private readonly client: Registering,
    private readonly settings: QueueSettings,
  ) {}

  static async open(settings: QueueSettings, log: Logger): Promise<DeliveryQueue> {
    const client = withScripts(redisClient(settings.redisUrl, log, "queue", { enableOfflineQueue: false, maxRetriesPerRequest: 1 }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        closeRedis(client);
        reject(new StartupError(`REDIS_URL: Redis at ${redisAddress(settings.redisUrl)} did not get ready within 10 s`));
      }, 10_000);
      client.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: KEY_PREFIX, defaultJobOptions: jobOptions(settings) });
    queue.on("error", () => {}); // the client's listener logs it
    return new DeliveryQueue(queue, client, settings);
  }

  get ready(): boolean {
    return this.client.status === "ready";
  }

  /** Store a delivery; rejects within ENQUEUE_TIMEOUT_MS when Redis does not take it. */
  enqueue(d: Delivery): Promise<Enqueued> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    return Promise.race([this.store(d), late]).finally(() => clearTimeout(timer));
  }

  private async store(d: Delivery): Promise<Enqueued> {
    // Both look-ups at once (one round trip).
    const [handled, existing] = await Promise.all([this.client.exists(doneKey(d.id)), this.queue.getJob(d.id)]);
    if (handled === 1) return "already handled";
    const thread = threadKey(d.payload);
    if (existing) {
      const state = await existing.getState();
      if (state !== "failed") return state === "completed" ? "already handled" : "already queued";
      if (thread) await this.client.registerPending(pendingKey(thread), d.id);
      await existing.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return "retried";
    }
    // Registered before it is added: a worker never sees a job of a thread that does not know it.
    // (Not sent together: ioredis may send a script a second time, after a command sent later.)
    if (thread) await this.client.registerPending(pendingKey(thread), d.id);
    await this.queue.add(d.name, d, { jobId: d.id });
    return "queued";
  }

  counts(): Promise<Record<string, number>> {
    return jobCounts(this.queue);
  }

  async close(): Promise<void> {
    await this.queue.close();
    closeRedis(this.client);
  }
}

export interface RunningWorker {
  readonly ready: boolean;
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * The worker side: takes jobs and hands each delivery to `handle` (the app's handlers, as an
 * in-memory delivery would reach them). A delivery that throws is retried with back-off, up to
 * `attempts` tries, then stays in the failed list (logged, counted). A job whose worker stops
 * answering is taken over after `lockMs`.
 */
export function startWorker(
  settings: QueueSettings,
  handle: (d: Delivery) => Promise<void>,
  log: Logger,
  metrics?: QueueMetrics,
): RunningWorker {
  const client = withScripts(redisClient(settings.redisUrl, log, "worker", { maxRetriesPerRequest: null }));
  const queue = new Queue(QUEUE_NAME, { connection: client, prefix: KEY_PREFIX });
  queue.on("error", () => {});

  /**
   * Whether this delivery may run now ("run", with the thread's running lock taken), must wait
   * ("wait"), or was handled already ("done"). First members of the line that will never run (job
   * finished, failed for good, or never stored) are dropped on the way.
   */
  const takeTurn = async (thread: string, id: string, holder: string): Promise<"run" | "wait" | "done"> => {
    for (;;) {
      const [verdict, first, score] = await client.takeTurn(
        doneKey(id),
        pendingKey(thread),
        runningKey(thread),
        id,
        holder,
        settings.lockMs,
      );
      if (verdict === "run" || verdict === "done") return verdict;
      if (verdict === "busy") return "wait";
      const job = await queue.getJob(first!);
      const state = job ? await job.getState() : "unknown";
      const registeredMs = Number(score) / 1000;
      const gone = state === "completed" || state === "failed" || (state === "unknown" && Date.now() - registeredMs > ORPHAN_MS);
      if (!gone) return "wait";
      await client.zrem(pendingKey(thread), first!);
    }
  };

  const processor = async (job: Job, token?: string): Promise<void> => {
    const problem = deliveryProblem(job.data);
    if (problem) {
      log.error(`queue entry ${job.id} (${job.name}) is not a webhook delivery (${problem}); dropped`);
      metrics?.dropped.inc();
      return;
    }
    const d = job.data as Delivery;
    const thread = threadKey(d.payload);
    const holder = randomUUID();
    if (thread) {
      const turn = await takeTurn(thread, d.id, holder);
      if (turn === "done") {
        log.debug(`delivery ${d.id} (${d.name}) was handled already; not handled again`);
        return;
      }
      if (turn === "wait") {
        await job.moveToDelayed(Date.now() + TURN_WAIT_MS, token);
        throw new DelayedError();
      }
    }
    const renew = thread
      ? setInterval(() => void client.holdRunning(runningKey(thread), holder, settings.lockMs).catch(() => {}), settings.lockMs / 3)
      : undefined;
    let finished = false;
    try {
      await handle(d);
      if (thread) await client.finishTurn(doneKey(d.id), pendingKey(thread), runningKey(thread), d.id, DONE_TTL_S, holder);
      else await client.set(doneKey(d.id), "1", "EX", DONE_TTL_S);
      finished = true;
    } finally {
      clearInterval(renew);
      if (thread && !finished) await client.holdRunning(runningKey(thread), holder, 0).catch(() => {});
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: client,
    prefix: KEY_PREFIX,
    concurrency: settings.concurrency,
    lockDuration: settings.lockMs,
    stalledInterval: settings.lockMs,
    maxStalledCount: 1,
  });
  worker.on("error", (err) => log.error({ err }, "queue worker error"));
  worker.on("stalled", (id) => log.warn(`delivery ${id}: its worker stopped answering; another worker takes it over`));
  worker.on("failed", (job, err) => {
    if (!job) return;
    const tries = job.attemptsMade;
    const final = tries >= (job.opts.attempts ?? 1);
    const where = `delivery ${job.id} (${job.name})`;
    if (!final) {
      metrics?.retried.inc();
      log.warn(`${where} failed (try ${tries} of ${job.opts.attempts}): ${err.message}; retrying later`);
      return;
    }
    metrics?.failed.inc();
    log.error(`${where} failed ${tries} times: ${err.message}; moved to the failed list`);
    const thread = deliveryProblem(job.data) ? undefined : threadKey((job.data as Delivery).payload);
    if (thread) client.zrem(pendingKey(thread), String(job.id)).catch(() => {});
  });
  return {
    get ready() {
      return client.status === "ready" && worker.isRunning();
    },
    counts: () => jobCounts(queue),
    async close() {
      await worker.close();
      await queue.close();
      closeRedis(client);
    },
  };
}
