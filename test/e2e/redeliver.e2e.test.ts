// Recovery end to end: the stand-in delivers webhooks to the running server (queue mode, real
// Redis) as GitHub does and keeps its delivery log; deliveries sent while the server was stopped
// fail; `review-router redeliver` lists them, --apply has the stand-in send them again, the
// restarted server routes them, and a second run finds nothing to do.

import { afterAll, beforeAll, expect, it } from "vitest";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { redeliverCommand } from "../../src/cli/redeliver.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { startRedis, type RedisServer } from "../helpers/redis-server.js";
import { GitHubStandIn } from "./github-stand-in.js";
import { APP_ID, generatePrivateKey, startApp, WEBHOOK_SECRET, type RunningApp } from "./harness.js";
import { caseMaker, repoint, type Case } from "./serve.js";

const FILES = ["torch/nn/modules/linear.py"];
const { router } = loadRouter();
const freshCase = caseMaker("redeliver", 900, 5);
const gh = new GitHubStandIn(APP_ID);
let redis: RedisServer;
let app: RunningApp | undefined;

async function serve(): Promise<void> {
  app = await startApp(gh, { REDIS_URL: redis.url, GITHUB_REQUEST_TIMEOUT_MS: "1500", GITHUB_RETRY_BASE_MS: "100" });
  gh.hook.url = `http://127.0.0.1:${app.port}/api/github/webhooks`;
}

beforeAll(async () => {
  redis = await startRedis();
  await gh.start();
  gh.hook.secret = WEBHOOK_SECRET;
  await serve();
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await gh.stop();
  await redis.stop();
}, 30_000);

function opened(c: Case): string {
  gh.setPullFiles(c.repo, c.number, FILES);
  return JSON.stringify(repoint(c, pullRequestEvent({ number: c.number, changedFiles: FILES.length, author: "contributor" })));
}

const routed = (c: Case) =>
  JSON.stringify(gh.thread(c.repo, c.number).labels) ===
  JSON.stringify(
    route(router, { repository: c.repo, prNumber: c.number, author: "contributor", files: FILES.map((path) => ({ path })) }).labels,
  );

async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const KEY = generatePrivateKey();
async function redeliver(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = {
    stdout: (t: string) => void (out += t),
    stderr: (t: string) => void (err += t),
    readStdin: async () => "",
    cwd: "/nonexistent",
  };
  const env = { APP_ID: String(APP_ID), PRIVATE_KEY: KEY, GHE_HOST: gh.host, GHE_PROTOCOL: "http" };
  const code = await redeliverCommand(args, io, env);
  return { code, out, err };
}

it("recovers the deliveries that failed while the server was stopped, once", async () => {
  const before = freshCase();
  expect((await gh.sendHook("pull_request", opened(before))).status_code).toBe(202);
  await until(() => routed(before), "the first pull request routed");

  await app!.stop();
  const missed = [freshCase(), freshCase()];
  for (const c of missed) expect((await gh.sendHook("pull_request", opened(c))).status_code).toBe(0);
  await serve();
  await new Promise((r) => setTimeout(r, 1500));
  for (const c of missed) expect(routed(c)).toBe(false);

  const listed = await redeliver("--since", "1h");
  expect(listed.err).toBe("");
  expect(listed.code).toBe(0);
  const failedGuids = gh.hook.deliveries.filter((d) => d.status_code === 0).map((d) => d.guid);
  expect(listed.out).toMatch(/^3 deliveries since \S+; 0 failed and were delivered later; 2 failed and not delivered since$/m);
  for (const guid of failedGuids) expect(listed.out).toContain(`  ${guid}  pull_request.opened  `);
  expect(listed.out).toContain("run again with --apply");
  expect(gh.requests.filter((q) => q.path.endsWith("/attempts"))).toHaveLength(0);

  const applied = await redeliver("--since", "1h", "--apply");
  expect(applied.code).toBe(0);
  expect(applied.out).toContain("2 of 2 redeliveries asked");
  await until(() => missed.every(routed), "the missed pull requests routed");
  const redelivered = gh.hook.deliveries.filter((d) => d.redelivery);
  expect(redelivered.map((d) => [d.guid, d.status_code])).toEqual(failedGuids.map((g) => [g, 202]));

  // Again: every failed GUID has a later successful attempt, so nothing new is asked.
  const again = await redeliver("--since", "1h", "--apply");
  expect(again.code).toBe(0);
  expect(again.out).toMatch(/^5 deliveries since \S+; 2 failed and were delivered later; 0 failed and not delivered since$/m);
  expect(gh.requests.filter((q) => q.path.endsWith("/attempts"))).toHaveLength(2);
}, 90_000);
