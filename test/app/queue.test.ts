// The Redis queue (src/app/queue.ts) against a real redis-server: settings, the start-up check,
// storing a delivery once, one thread's deliveries one at a time in order, retries ending in the
// failed list (and a redelivery retrying it), and an entry that is no delivery. The server running
// in queue mode is tested in test/e2e/queue.e2e.test.ts.

import { Writable } from "node:stream";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Metrics } from "../../src/app/metrics.js";
import {
  checkRedis,
  DeliveryQueue,
  deliveryProblem,
  KEY_PREFIX,
  QUEUE_DEFAULTS,
  QUEUE_NAME,
  queueSettingsFromEnv,
  startWorker,
  threadKey,
  type Delivery,
  type QueueSettings,
  type RunningWorker,
} from "../../src/app/queue.js";
import { freePort } from "../e2e/harness.js";
import { startRedis, type RedisServer } from "../helpers/redis-server.js";

describe("queueSettingsFromEnv", () => {
  it("is off without REDIS_URL, and reads the role and limits with it", () => {
    expect(queueSettingsFromEnv({})).toBeUndefined();
    expect(queueSettingsFromEnv({ ROLE: "all" })).toBeUndefined();
    expect(queueSettingsFromEnv({ REDIS_URL: "redis://r:6379" })).toEqual({ redisUrl: "redis://r:6379", role: "all", ...QUEUE_DEFAULTS });
    expect(
      queueSettingsFromEnv({ REDIS_URL: "rediss://u:p@r", ROLE: "worker", WORKER_CONCURRENCY: "8", QUEUE_ATTEMPTS: "2" }),
    ).toMatchObject({
      role: "worker",
      concurrency: 8,
      attempts: 2,
    });
  });

  it("refuses a role without Redis, an unknown role, a URL that is not redis:// and a limit that is not a count", () => {
    expect(() => queueSettingsFromEnv({ ROLE: "web" })).toThrow(/^ROLE=web needs REDIS_URL/);
    expect(() => queueSettingsFromEnv({ ROLE: "both", REDIS_URL: "redis://r" })).toThrow(/^ROLE: expected all, web or worker, got "both"/);
    expect(() => queueSettingsFromEnv({ REDIS_URL: "r:6379" })).toThrow(/^REDIS_URL: expected redis:\/\//);
    expect(() => queueSettingsFromEnv({ REDIS_URL: "redis://r", WORKER_CONCURRENCY: "0" })).toThrow(
      /^WORKER_CONCURRENCY: expected a whole number/,
    );
  });
});

describe("deliveryProblem and threadKey", () => {
  it("says what a queue entry lacks", () => {
    expect(deliveryProblem({ id: "g", name: "pull_request", payload: {} })).toBeUndefined();
    expect(deliveryProblem("text")).toBe("not an object");
    expect(deliveryProblem({ name: "pull_request", payload: {} })).toBe("no delivery id");
    expect(deliveryProblem({ id: "g", name: "Bad Name", payload: {} })).toBe("no event name");
    expect(deliveryProblem({ id: "g", name: "issues", payload: [] })).toBe("no payload object");
  });

  it("names the pull request or issue a delivery is about, and nothing for others", () => {
    expect(threadKey({ repository: { full_name: "PyTorch/Vision" }, pull_request: { number: 5 } })).toBe("pytorch/vision#5");
    expect(threadKey({ repository: { full_name: "o/r" }, issue: { number: 9 }, comment: {} })).toBe("o/r#9");
    expect(threadKey({ repository: { full_name: "o/r" }, ref: "refs/heads/main" })).toBeUndefined();
  });
});

describe("checkRedis", () => {
  it("says in one line that Redis cannot be reached, with its address and without the password", async () => {
    const port = await freePort();
    const err = await checkRedis(`redis://user:hunter2@127.0.0.1:${port}/0`, 1000).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(
      new RegExp(`^REDIS_URL: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); start Redis`),
    );
    expect(err!.message).not.toMatch(/hunter2/);
    expect(err!.message).not.toContain("\n");
  });
});

describe("on a real Redis", () => {
  let redis: RedisServer;
  let admin: Redis;
  const lines: string[] = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split("\n"));
        done();
      },
    }),
  );
  const messages = () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  const open: { close(): Promise<void> }[] = [];
  let settings: QueueSettings;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    admin.on("error", () => {}); // while Redis is stopped on purpose
    settings = { redisUrl: redis.url, role: "all", concurrency: 5, attempts: 3, backoffMs: 20, lockMs: 5000 };
  });
  afterEach(async () => {
    for (const c of open.splice(0).reverse()) await c.close();
    await admin.flushall();
    lines.length = 0;
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  const queue = async () => {
    const q = await DeliveryQueue.open(settings, log);
    open.push(q);
    return q;
  };
  const worker = (handle: (d: Delivery) => Promise<void>, metrics?: Metrics, overrides: Partial<QueueSettings> = {}): RunningWorker => {
    const w = startWorker(
      { ...settings, ...overrides },
      handle,
      log,
      metrics?.queueMetrics(async () => ({})),
    );
    open.push(w);
    return w;
  };
  const pr = (id: string, number: number, repo = "o/r"): Delivery => ({
    id,
    name: "pull_request",
    payload: { action: "opened", repository: { full_name: repo }, pull_request: { number } },
  });
  const until = async (done: () => boolean | Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it("stores a delivery once: the same GUID again is 'already queued', and after it was handled 'already handled'", async () => {
    const q = await queue();
    expect(await q.enqueue(pr("guid-1", 1))).toBe("queued");
    expect(await q.enqueue(pr("guid-1", 1))).toBe("already queued");
    const handled: string[] = [];
    worker(async (d) => void handled.push(d.id));
    await until(() => handled.length === 1);
    await until(async () => (await q.counts()).completed === 1);
    expect(await q.enqueue(pr("guid-1", 1))).toBe("already handled");
    await new Promise((r) => setTimeout(r, 300));
    expect(handled).toEqual(["guid-1"]);
  });

  it("hands one thread's deliveries over one at a time, in the order they came, while other threads go on at once", async () => {
    const q = await queue();
    const events: string[] = [];
    let running = 0;
    let overlapped = false;
    const handle = async (d: Delivery) => {
      const thread = threadKey(d.payload)!;
      events.push(`start ${d.id}`);
      if (thread === "o/r#1") running += 1;
      if (running > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 30 + ((d.id.charCodeAt(d.id.length - 1) * 7) % 40)));
      if (thread === "o/r#1") running -= 1;
      events.push(`end ${d.id}`);
    };
    for (let i = 0; i < 6; i++) await q.enqueue(pr(`a${i}`, 1));
    await q.enqueue(pr("b0", 2));
    // Two workers, each taking several jobs at once: the thread's order holds across them.
    worker(handle);
    worker(handle);
    await until(() => events.filter((e) => e.startsWith("end")).length === 7);
    expect(overlapped).toBe(false);
    const order = events.filter((e) => e.startsWith("start a")).map((e) => e.slice(6));
    expect(order).toEqual(["a0", "a1", "a2", "a3", "a4", "a5"]);
    // b0 did not wait for the six deliveries of the other thread.
    expect(events.indexOf("end b0")).toBeLessThan(events.indexOf("end a5"));
  });

  it("never runs two deliveries of one thread at once, even outside its line (a job BullMQ hands out again while it runs)", async () => {
    const q = await queue();
    let running = 0;
    let most = 0;
    let done = 0;
    const handle = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 80));
      running -= 1;
      done += 1;
    };
    for (let i = 0; i < 4; i++) await q.enqueue(pr(`x${i}`, 5));
    await admin.del(`${KEY_PREFIX}:pending:o/r#5`); // out of line: only the running lock keeps them apart
    worker(handle);
    worker(handle);
    await until(() => done === 4);
    expect(most).toBe(1);
    await until(async () => (await admin.exists(`${KEY_PREFIX}:running:o/r#5`)) === 0); // released once the last one ended
  });

  it("does not handle again a delivery whose run ended already (a job BullMQ hands out once more after a lost lock)", async () => {
    const q = await queue();
    await q.enqueue(pr("again-1", 8));
    // What the first run left when it ended: the done marker, out of the thread's line.
    await admin.set(`${KEY_PREFIX}:done:again-1`, "1");
    await admin.zrem(`${KEY_PREFIX}:pending:o/r#8`, "again-1");
    // Then one of another thread: one job at a time, in order, so once it is handled, again-1's turn has passed.
    await q.enqueue(pr("other-2", 9));
    const handled: string[] = [];
    worker(async (d) => void handled.push(d.id), undefined, { concurrency: 1 });
    await until(() => handled.length === 1);
    expect(handled).toEqual(["other-2"]);
    expect(messages()).toContain("delivery again-1 (pull_request) was handled already; not handled again");
  });

  it("retries a failing delivery with back-off, then keeps it in the failed list, logged and counted; a redelivery tries it again", async () => {
    const q = await queue();
    const metrics = new Metrics({ processMetrics: false });
    let fail = true;
    let tries = 0;
    worker(async () => {
      tries += 1;
      if (fail) throw new Error("GitHub answered 502");
    }, metrics);
    await q.enqueue(pr("guid-f", 3));
    await until(async () => (await q.counts()).failed === 1);
    expect(tries).toBe(3);
    const text = (await metrics.text()).body;
    expect(text).toMatch(/^review_router_queue_failed_total 1$/m);
    expect(text).toMatch(/^review_router_queue_retried_total 2$/m);
    expect(messages()).toContain("delivery guid-f (pull_request) failed 3 times: GitHub answered 502; moved to the failed list");
    // The thread is not blocked by the failed delivery: the next one of the same pull request runs.
    fail = false;
    await q.enqueue(pr("guid-g", 3));
    await until(() => tries === 4);
    // GitHub's redelivery keeps the GUID: the failed job is tried again, with fresh tries.
    expect(await q.enqueue(pr("guid-f", 3))).toBe("retried");
    await until(() => tries === 5);
    await until(async () => (await q.counts()).failed === 0);
    expect(await q.enqueue(pr("guid-f", 3))).toBe("already handled");
  });

  it("drops a queue entry that is not a webhook delivery, with a log line, and goes on", async () => {
    const metrics = new Metrics({ processMetrics: false });
    const handled: string[] = [];
    worker(async (d) => void handled.push(d.id), metrics);
    const raw = new Queue(QUEUE_NAME, { connection: { host: "127.0.0.1", port: redis.port }, prefix: KEY_PREFIX });
    await raw.add("junk", { hello: "world" }, { jobId: "junk-1" });
    await raw.close();
    await (await queue()).enqueue(pr("guid-ok", 4));
    await until(() => handled.length === 1);
    expect(handled).toEqual(["guid-ok"]);
    expect(messages()).toContain("queue entry junk-1 (junk) is not a webhook delivery (no delivery id); dropped");
    expect((await metrics.text()).body).toMatch(/^review_router_queue_dropped_total 1$/m);
  });

  it("lets a thread go on when its first delivery's job is gone (an enqueue that failed half-way)", async () => {
    // Registered in the thread's line long ago, never added as a job.
    await admin.zadd(`${KEY_PREFIX}:pending:o/r#7`, String((Date.now() - 120_000) * 1000), "lost-guid");
    const handled: string[] = [];
    worker(async (d) => void handled.push(d.id));
    await (await queue()).enqueue(pr("guid-after", 7));
    await until(() => handled.length === 1);
    expect(await admin.zcard(`${KEY_PREFIX}:pending:o/r#7`)).toBe(0);
  });

  it("answers an enqueue with an error at once while Redis is away, and stores again once it is back", async () => {
    const q = await queue();
    await q.enqueue(pr("before", 8));
    await redis.stop(true);
    const started = Date.now();
    await expect(q.enqueue(pr("during", 8))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3500);
    await until(() => !q.ready);
    await redis.restart();
    await until(() => q.ready);
    expect(await q.enqueue(pr("after", 8))).toBe("queued");
    expect(messages().some((m) => /^Redis at 127\.0\.0\.1:\d+ unreachable \(queue\)/.test(m))).toBe(true);
  });
});
