// The server in queue mode (REDIS_URL), end to end: a web process stores signed deliveries in a
// real redis-server and answers at once; worker processes route them against the GitHub stand-in.
// A worker killed in the middle of a delivery is taken over without writing twice; Redis lost
// makes the web answer 503 and come back with Redis; a delivery that keeps failing ends in the
// failed list, shown in /metrics.

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { startRedis, type RedisServer } from "../helpers/redis-server.js";
import { GitHubStandIn } from "./github-stand-in.js";
import { APP_ID, freePort, startApp, type RunningApp } from "./harness.js";
import { caseMaker, repoint, type Case } from "./serve.js";

const NN_OPTIM = ["torch/nn/modules/linear.py", "torch/optim/adam.py"];
const { router } = loadRouter();
const freshCase = caseMaker("queued", 700, 3);

let redis: RedisServer;
const gh = new GitHubStandIn(APP_ID);
let web: RunningApp;
const workers: RunningApp[] = [];
/** Short locks, so that a killed worker's delivery is taken over within seconds (30 s by default). */
const QUICK = { GITHUB_REQUEST_TIMEOUT_MS: "1500", GITHUB_RETRY_BASE_MS: "100", QUEUE_LOCK_MS: "2000", QUEUE_BACKOFF_MS: "200" };

async function startWorker(extra: Record<string, string> = {}): Promise<RunningApp> {
  const w = await startApp(gh, { REDIS_URL: redis.url, ROLE: "worker", ...QUICK, ...extra });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  redis = await startRedis();
  await gh.start();
  web = await startApp(gh, { REDIS_URL: redis.url, ROLE: "web", ...QUICK });
}, 60_000);

afterAll(async () => {
  const codes = await Promise.all([web?.stop(), ...workers.map((w) => w.stop())]);
  await gh.stop();
  await redis.stop();
  // Every process still running at the end stops cleanly (a killed one already exited).
  expect(codes.filter((c) => c !== null)).toEqual(codes.filter((c) => c !== null).map(() => 0));
}, 60_000);

function opened(c: Case) {
  gh.setPullFiles(c.repo, c.number, NN_OPTIM);
  return repoint(c, pullRequestEvent({ number: c.number, changedFiles: NN_OPTIM.length, author: "contributor" }));
}

function expectedLabels(c: Case): string[] {
  return route(router, { repository: c.repo, prNumber: c.number, author: "contributor", files: NN_OPTIM.map((path) => ({ path })) }).labels;
}

async function until(done: () => boolean, ms = 30_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function redisKeys(pattern: string): Promise<string[]> {
  const client = new Redis(redis.url);
  try {
    return await client.keys(pattern);
  } finally {
    client.disconnect();
  }
}

const posts = (c: Case, suffix: string) => gh.requests.filter((q) => q.method === "POST" && q.path === `/repos/${c.repo}/${suffix}`);
const checkRuns = (c: Case) => gh.repo(c.repo).checkRuns.length;

/** A moment later (for a late second write to show), the pull request is labelled, requested and summarised once. */
async function expectWrittenOnce(c: Case): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
  expect(gh.thread(c.repo, c.number).labels).toEqual(expectedLabels(c));
  expect(posts(c, `issues/${c.number}/labels`)).toHaveLength(1);
  expect(posts(c, `pulls/${c.number}/requested_reviewers`).length).toBeLessThanOrEqual(1);
  expect(checkRuns(c)).toBe(1);
}

describe("queue mode", () => {
  it("stores a delivery and answers 202 within a second; a worker routes it; the same GUID again changes nothing", async () => {
    await startWorker();
    const c = freshCase();
    const id = randomUUID();
    // A delivery whose signature does not match is refused and not stored.
    const forged = await web.deliver("pull_request", opened(c), { id, signature: `sha256=${"0".repeat(64)}` });
    expect(forged.status).toBe(400);
    const r = await web.deliver("pull_request", opened(c), { id });
    // 202 Accepted: stored, to be handled by a worker.
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body)).toEqual({ delivery: id, outcome: "queued" });
    expect(r.ms).toBeLessThan(1000);
    await until(() => checkRuns(c) === 1, 30_000, "the check run");
    expect(gh.thread(c.repo, c.number).labels).toEqual(expectedLabels(c));
    // The web process handled nothing itself: every GitHub request came from the worker, after the answer.
    const writes = gh.writes(c.repo).length;
    const again = await web.deliver("pull_request", opened(c), { id });
    expect(again.status).toBe(202);
    expect(JSON.parse(again.body)).toEqual({ delivery: id, outcome: "already handled" });
    await new Promise((r) => setTimeout(r, 1500));
    expect(gh.writes(c.repo).length).toBe(writes);
  });

  it("refuses what is not a GitHub delivery as Probot does, a body over GitHub's 25 MB with 413, and stores none of it", async () => {
    const url = `http://127.0.0.1:${web.port}/api/github/webhooks`;
    expect((await fetch(url)).status).toBe(404);
    const text = await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    const ids = Array.from({ length: 3 }, () => randomUUID());
    const unsigned = await web.deliver("pull_request", opened(freshCase()), { id: ids[0], signature: null });
    expect(unsigned).toMatchObject({ status: 400, body: JSON.stringify({ error: "Required headers missing: x-hub-signature-256" }) });
    const notAnObject = await web.deliver("pull_request", undefined, { id: ids[1], rawBody: "[1, 2]" });
    expect(notAnObject).toMatchObject({ status: 400, body: JSON.stringify({ error: "the payload is not a JSON object" }) });
    const huge = await web.deliver("pull_request", undefined, { id: ids[2], rawBody: `{"x": "${"a".repeat(25 * 1024 * 1024)}"}` });
    expect(huge.status).toBe(413);
    for (const id of ids) expect(await redisKeys(`*${id}*`)).toEqual([]);
  });

  it("paces writes per installation across workers: two workers, one installation, at most one write a second", async () => {
    for (const w of workers) await w.stop();
    // One job at a time each, so that both workers take some of the deliveries.
    const pair = [await startWorker({ WORKER_CONCURRENCY: "1" }), await startWorker({ WORKER_CONCURRENCY: "1" })];
    const c = freshCase();
    const numbers = [11, 12, 13, 14];
    for (const number of numbers) expect((await web.deliver("pull_request", opened({ ...c, number }))).status).toBe(202);
    const routed = (w: RunningApp) => w.logs.filter((l) => l.msg === "routed pull request").length;
    await until(() => routed(pair[0]!) + routed(pair[1]!) === numbers.length, 60_000, "four routed pull requests");
    for (const w of pair) expect(routed(w)).toBeGreaterThan(0);
    const writes = gh.writes(c.repo);
    expect(writes.length).toBeGreaterThanOrEqual(numbers.length * 2);
    // One write at a time per installation, whichever worker sends it, the next a second after the
    // answer to the one before (a review request waits for its 3 s notification pace first: see
    // octokit.ts), so they arrive here at least a second apart.
    const at = writes.map((q) => q.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(at[at.length - 1]! - at[0]!).toBeGreaterThanOrEqual((at.length - 1) * 1000 - 100);
    // The pace lives in Redis (Probot's throttling cluster mode), with the Redis client installed, not fetched.
    expect(await redisKeys(`b_review-router-write-installation-${c.installation}*`)).not.toEqual([]);
    expect(await redisKeys(`b_review-router-notifications-installation-${c.installation}*`)).not.toEqual([]);
    for (const w of pair) expect(w.logs.some((l) => String(l.msg).includes("[NPXI]"))).toBe(false);
  }, 90_000);

  it("hands the delivery of a worker killed mid-way (kill -9) to another worker, which writes nothing twice", async () => {
    const doomed = await startWorker();
    // The label write is held for 3 s by the stand-in (then carried out): the worker dies while waiting for it.
    const c = freshCase();
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/issues/${c.number}/labels$`), delayMs: 3000 });
    // Only the doomed worker takes jobs at first: the others are stopped.
    for (const w of workers.filter((w) => w !== doomed)) await w.stop();
    expect((await web.deliver("pull_request", opened(c))).status).toBe(202);
    await until(() => posts(c, `issues/${c.number}/labels`).length === 1, 20_000, "the label write");
    doomed.proc.kill("SIGKILL");
    await startWorker();
    await until(() => checkRuns(c) === 1, 40_000, "the check run from the second worker");
    await expectWrittenOnce(c);
  }, 90_000);

  it("does not send a write again that GitHub carried out but answered too late: the delivery is retried from a fresh read", async () => {
    for (const w of workers) await w.stop();
    await startWorker();
    const c = freshCase();
    // GitHub adds the labels but its answer never comes: the worker's request times out (1.5 s here).
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/issues/${c.number}/labels$`), applied: true, hang: true });
    expect((await web.deliver("pull_request", opened(c))).status).toBe(202);
    await until(() => checkRuns(c) === 1, 40_000, "the check run after the timed-out write");
    // The label write sent once: not resent blindly by Octokit's retry (which would write it twice),
    // and not again by the delivery's second try, which read the labels already there.
    await expectWrittenOnce(c);
    const retried =
      /^delivery \S+ \(pull_request\) failed \(try 1 of 5\): request timeout: no answer within 1500 ms to a POST; GitHub may have carried it out, so it is not sent again; retrying later$/;
    expect(workers.some((w) => w.logs.some((l) => retried.test(String(l.msg))))).toBe(true);
  }, 60_000);

  it("answers 503 while Redis is away (nothing stored, /ready 503), and stores again once it is back", async () => {
    await redis.stop(true);
    const c = freshCase();
    const r = await web.deliver("pull_request", opened(c));
    expect(r.status).toBe(503);
    expect(r.ms).toBeLessThan(4000);
    expect((await fetch(`http://127.0.0.1:${web.port}/ready`)).status).toBe(503);
    await redis.restart();
    await until(
      () => web.logs.some((l) => /^Redis at .* reachable again \(queue\)$/.test(String(l.msg))),
      20_000,
      "the web's reconnection",
    );
    expect((await fetch(`http://127.0.0.1:${web.port}/ready`)).status).toBe(200);
    // GitHub's redelivery of the refused delivery (a new attempt) is stored and routed.
    expect((await web.deliver("pull_request", opened(c))).status).toBe(202);
    await until(() => checkRuns(c) === 1, 40_000, "the check run after Redis came back");
  }, 90_000);

  it("retries a delivery that keeps failing, then moves it to the failed list: a log line, and the count in /metrics", async () => {
    // Tries and back-off are the web's (QUEUE_ATTEMPTS, QUEUE_BACKOFF_MS): they go with the job. Here 5 tries, 0.2 s doubling.
    const metricsPort = await freePort();
    await startWorker({ METRICS: "1", METRICS_PORT: String(metricsPort) });
    const c = freshCase();
    // Its changed files cannot be read, by GraphQL or by REST (the fallback): GitHub keeps answering 500.
    gh.fail({ method: "POST", path: /\/graphql$/, status: 500, times: 1000 });
    gh.fail({ method: "GET", path: new RegExp(`^/repos/${c.repo}/pulls/${c.number}/files$`), status: 500, times: 1000 });
    const id = randomUUID();
    expect((await web.deliver("pull_request", opened(c), { id })).status).toBe(202);
    const failedLine = new RegExp(`^delivery ${id} \\(pull_request\\) failed 5 times: Injected fault; moved to the failed list$`);
    await until(() => workers.some((x) => x.logs.some((l) => failedLine.test(String(l.msg)))), 60_000, "the failed-list log line");
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/^review_router_queue_jobs\{state="failed"\} 1$/m);
    const retries = workers.flatMap((x) => x.logs).filter((l) => String(l.msg).startsWith(`delivery ${id} (pull_request) failed (try `));
    expect(retries).toHaveLength(4);
  }, 90_000);
});
