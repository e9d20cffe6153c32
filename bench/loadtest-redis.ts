// Load test of queue mode (REDIS_URL): one web process and 1, 2 or 3 worker processes over one real
// redis-server, against the local GitHub stand-in, on loopback only, beside today's one-process
// server as the baseline, all in the same run. Each run is a fresh stand-in and an empty Redis,
// with the same signed pull_request deliveries (1,000 over 50 installations by default):
//
//   capacity runs: write pacing off (GITHUB_WRITE_PACING=off), to measure the app itself:
//                  the one-process baseline, then 1, 2 and 3 workers;
//   paced runs:    pacing on as in production, the baseline and 3 workers, one of which is killed
//                  (SIGKILL) a third of the way through the burst.
//
// Each run checks that every delivery was answered and every pull request routed exactly once
// (one label write, one review request, one check run, the right labels), and prints: deliveries
// per second fully routed, the webhook answer's p50/p99, and from the stand-in's request log the
// most writes any installation received within one second. Bounded in count and time.
//
//   npm run loadtest:redis [-- --deliveries 1000 --installations 50 --workers 1,2,3 --only capacity|paced --profile DIR]

import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { loadRouter } from "../src/io/files.js";
import { GitHubStandIn, type RecordedRequest } from "../test/e2e/github-stand-in.js";
import { startApp, type RunningApp } from "../test/e2e/harness.js";
import { startRedis } from "../test/helpers/redis-server.js";
import { allRouted, percentile, plan, routedProblems, seed, waitUntil, type Planned, type Problems } from "./load-plan.js";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000" },
    installations: { type: "string", default: "50" },
    concurrency: { type: "string", default: "50" },
    workers: { type: "string", default: "1,2,3" },
    only: { type: "string" },
    "lock-ms": { type: "string", default: "30000" },
    "time-limit": { type: "string", default: "1200" },
    /** A directory: each web and worker process writes a V8 CPU profile there when it stops (node --cpu-prof). */
    profile: { type: "string" },
  },
});
const DELIVERIES = Math.min(Number(values.deliveries), 5000);
const INSTALLATIONS = Math.max(1, Number(values.installations));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const WORKER_COUNTS = values.workers.split(",").map((n) => Math.min(Math.max(Number(n), 1), 4));
const started = Date.now();
const deadline = started + Number(values["time-limit"]) * 1000;

const SERVER_JS = fileURLToPath(new URL("../dist/src/app/server.js", import.meta.url));
if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first (npm run loadtest:redis does)`);

const { router } = loadRouter();
const start = { server: SERVER_JS, nodeArgs: values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [] };
const redis = await startRedis();

interface Run {
  name: string;
  workers: number;
  paced: boolean;
  kill: boolean;
}

interface Result {
  run: Run;
  answered: number;
  statuses: Map<number, number>;
  p50: number;
  p99: number;
  routedPerS: number;
  doneS: number;
  problems: Problems;
  finished: boolean;
  /** CPU seconds spent during the run by the web, the workers, redis-server and this process (the stand-in and the senders). */
  cpu: { web: number; workers: number; redis: number; standIn: number };
  /** Most writes one installation received within any one second, and how many installations ever had more than one. */
  writesPerS: { max: number; installationsOver: number; gaps: number[] };
}

/** Writes each installation received (stand-in log), and the most within any 1,000 ms. */
function writePace(requests: readonly RecordedRequest[]): Result["writesPerS"] {
  const byInstallation = new Map<number, number[]>();
  for (const q of requests) {
    if (q.installation === undefined || q.method === "GET" || q.path.endsWith("/graphql") || q.status >= 400) continue;
    byInstallation.set(q.installation, [...(byInstallation.get(q.installation) ?? []), q.at]);
  }
  let max = 0;
  let installationsOver = 0;
  const gaps: number[] = [];
  for (const at of byInstallation.values()) {
    at.sort((a, b) => a - b);
    for (let i = 1; i < at.length; i++) gaps.push(at[i]! - at[i - 1]!);
    let most = 0;
    for (let i = 0, j = 0; i < at.length; i++) {
      while (at[i]! - at[j]! >= 1000) j++;
      most = Math.max(most, i - j + 1);
    }
    max = Math.max(max, most);
    if (most > 1) installationsOver += 1;
  }
  return { max, installationsOver, gaps: gaps.sort((a, b) => a - b) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 when it is gone). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second on Linux)
  } catch {
    return 0;
  }
}

async function runOnce(run: Run, deliveries: Planned[]): Promise<Result> {
  const flush = new Redis(redis.url);
  await flush.flushall();
  flush.disconnect();
  const gh = new GitHubStandIn(4242);
  await gh.start();
  seed(gh, deliveries);
  const env: Record<string, string> = {
    LOG_LEVEL: "warn",
    ...(run.paced ? {} : { GITHUB_WRITE_PACING: "off" }),
  };
  const apps: RunningApp[] = [];
  try {
    const queue = { REDIS_URL: redis.url, QUEUE_LOCK_MS: String(values["lock-ms"]) };
    const web = await startApp(gh, run.workers === 0 ? env : { ...env, ...queue, ROLE: "web" }, start);
    apps.push(web);
    const workers = await Promise.all(Array.from({ length: run.workers }, () => startApp(gh, { ...env, ...queue, ROLE: "worker" }, start)));
    apps.push(...workers);
    const times: number[] = [];
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    const cpu0 = {
      redis: cpuSeconds(redis.proc.pid),
      web: cpuSeconds(web.proc.pid),
      workers: workers.map((w) => cpuSeconds(w.proc.pid)),
      self: process.cpuUsage(),
    };
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (next < deliveries.length && Date.now() < deadline) {
        const d = deliveries[next++]!;
        if (run.kill && !killed && next >= deliveries.length / 3) {
          killed = true;
          workers[workers.length - 1]!.proc.kill("SIGKILL");
        }
        const r = await web.deliver("pull_request", undefined, { rawBody: d.payload });
        times.push(r.ms);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const finished = await waitUntil(() => allRouted(gh, deliveries), deadline);
    const doneMs = performance.now() - t0;
    const self = process.cpuUsage(cpu0.self);
    const cpu = {
      web: cpuSeconds(web.proc.pid) - cpu0.web,
      // A killed worker's share is lost (its /proc entry is gone).
      workers: workers.reduce((sum, w, i) => sum + Math.max(0, cpuSeconds(w.proc.pid) - cpu0.workers[i]!), 0),
      redis: cpuSeconds(redis.proc.pid) - cpu0.redis,
      standIn: (self.user + self.system) / 1e6,
    };
    // Writes that a worker killed mid-way might repeat would come after; give them a moment to show.
    await new Promise((r) => setTimeout(r, 1500));
    const sorted = [...times].sort((a, b) => a - b);
    return {
      run,
      answered: times.length,
      statuses,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      routedPerS: (deliveries.length / doneMs) * 1000,
      doneS: doneMs / 1000,
      problems: routedProblems(gh, deliveries, router),
      finished,
      cpu,
      writesPerS: writePace(gh.requests),
    };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await gh.stop();
  }
}

/** The gaps between one installation's consecutive writes, as they arrived: the smallest, the 1st percentile and how many were under a second. */
function gapLine(gaps: number[]): string {
  if (gaps.length === 0) return "(no two writes to one installation)";
  const under = gaps.filter((g) => g < 1000).length;
  return `smallest ${gaps[0]} ms, 1st percentile ${percentile(gaps, 1)} ms, ${under} of ${gaps.length} under 1,000 ms`;
}

/** The workers' CPU per delivery (the one-process server's, for the baseline): what a worker can do with a core to itself. */
function perDelivery(r: Result): string {
  const cpu = r.run.workers === 0 ? r.cpu.web : r.cpu.workers;
  const ms = (cpu * 1000) / DELIVERIES;
  return ` (${r.run.workers === 0 ? "the server's" : "theirs"} ${ms.toFixed(1)} ms a delivery: ${(1000 / ms).toFixed(0)}/s on a free CPU)`;
}

function report(r: Result, baseline?: Result): string {
  // 202: the web's "stored" (queue mode) or the one-process server's "still processing" after 9 s: answered, not refused.
  const accepted = (r.statuses.get(200) ?? 0) + (r.statuses.get(202) ?? 0);
  const ok = r.finished && r.problems.count === 0 && r.answered === DELIVERIES && accepted === DELIVERIES;
  const kinds = Object.entries(r.problems.byKind)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  const ratio = baseline ? ` (${(r.routedPerS / baseline.routedPerS).toFixed(2)}x baseline)` : "";
  return [
    `== ${r.run.name}`,
    `  answered:              ${r.answered}/${DELIVERIES} (${[...r.statuses].map(([s, n]) => `${n}x ${s}`).join(", ")})`,
    `  routed exactly once:   ${ok ? "yes" : `NO (${r.problems.count} pull requests wrong: ${kinds}${r.finished ? "" : "; not all finished in time"})`}`,
    `  deliveries/s routed:   ${r.routedPerS.toFixed(1)}${ratio}, all done in ${r.doneS.toFixed(1)} s`,
    `  webhook answer:        p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`,
    `  CPU seconds:           web ${r.cpu.web.toFixed(1)}, workers ${r.cpu.workers.toFixed(1)}${perDelivery(r)}, redis-server ${r.cpu.redis.toFixed(1)}, ` +
      `stand-in and senders ${r.cpu.standIn.toFixed(1)} (over ${r.doneS.toFixed(1)} s on ${cpus().length} CPUs)`,
    `  writes/installation:   at most ${r.writesPerS.max} within one second (${r.writesPerS.installationsOver} of ${INSTALLATIONS} installations ever had more than one)`,
    `  gap between writes:    ${gapLine(r.writesPerS.gaps)}`,
  ].join("\n");
}

const deliveries = plan(DELIVERIES, INSTALLATIONS);
console.log(
  `load test, queue mode: ${DELIVERIES} signed pull_request deliveries, ${INSTALLATIONS} installations, ${CONCURRENCY} sent at a time, ` +
    `redis-server on 127.0.0.1:${redis.port}, worker lock ${values["lock-ms"]} ms, loopback only`,
);
const load = () => `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`;
console.log(`machine: ${load()} at the start (figures are only comparable within one run)`);
let ok = true;
try {
  const check = (r: Result) => {
    ok = ok && r.finished && r.problems.count === 0 && r.answered === DELIVERIES;
    return r;
  };
  if (values.only !== "paced") {
    const baseline = check(
      await runOnce({ name: "capacity, one process (today's baseline), pacing off", workers: 0, paced: false, kill: false }, deliveries),
    );
    console.log(report(baseline));
    for (const n of WORKER_COUNTS) {
      const run = { name: `capacity, web + ${n} worker${n > 1 ? "s" : ""} over Redis, pacing off`, workers: n, paced: false, kill: false };
      console.log(report(check(await runOnce(run, deliveries)), baseline));
    }
  }
  if (values.only !== "capacity") {
    const baseline = check(
      await runOnce({ name: "paced, one process (today's baseline)", workers: 0, paced: true, kill: false }, deliveries),
    );
    console.log(report(baseline));
    const n = Math.max(...WORKER_COUNTS);
    const kill = n > 1; // the others take over the killed worker's deliveries
    const name = `paced, web + ${n} worker${n > 1 ? "s" : ""} over Redis${kill ? ", one worker killed (SIGKILL) a third of the way through" : ""}`;
    const run = { name, workers: n, paced: true, kill };
    console.log(report(check(await runOnce(run, deliveries)), baseline));
  }
} finally {
  console.log(`machine: ${load()} at the end`);
  await redis.stop();
}
process.exitCode = ok ? 0 : 1;
