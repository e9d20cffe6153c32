// Load test: signed pull_request deliveries to the real server (src/app/server.ts) and a local
// GitHub stand-in, on loopback only. Two runs, each a fresh server and stand-in:
//
//   capacity: write pacing off (GITHUB_WRITE_PACING=off, allowed only outside production), to
//             measure the app itself: deliveries per second, webhook response times, peak RSS;
//   paced:    pacing as in production (about one write a second per installation), to measure
//             the end-to-end rate GitHub's guidance allows.
//
// Both run the built server (dist/src/app/server.js, as `npm start` does), check that every
// delivery was answered and every PR labelled and routed exactly once, and count GitHub requests
// per routed PR twice: for the first PR of each repository (the replica has not read that
// repository's configuration yet: a fresh cache) and for the others (a warm cache). The first
// PRs are delivered, and routed, before the rest. Then one PR of each installation gets a push that
// changes nothing (a synchronize to a new commit, same files), half of them with a 450-event
// timeline: what those cost is printed too. Bounded in count and time; stops by itself.
//
//   npm run loadtest [-- --deliveries 1000 --installations 50 --concurrency 50 --only capacity|paced]

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { loadRouter } from "../src/io/files.js";
import { GitHubStandIn, type RecordedRequest } from "../test/e2e/github-stand-in.js";
import { APP_ID, startApp, type RunningApp } from "../test/e2e/harness.js";
import { pullRequestEvent } from "../test/helpers/payloads.js";
import { allRouted, peakRssMiB, percentile, plan, routedProblems, seed, waitUntil, type Planned } from "./load-plan.js";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000" },
    installations: { type: "string", default: "50" },
    concurrency: { type: "string", default: "50" },
    only: { type: "string" },
    "time-limit": { type: "string", default: "900" },
  },
});
const DELIVERIES = Math.min(Number(values.deliveries), 5000);
const INSTALLATIONS = Math.max(1, Number(values.installations));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const TIME_LIMIT_MS = Number(values["time-limit"]) * 1000;
const started = Date.now();

const SERVER_JS = fileURLToPath(new URL("../dist/src/app/server.js", import.meta.url));
if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build first (npm run loadtest does)`);

const { router } = loadRouter();

async function runOnce(name: "capacity" | "paced", deliveries: Planned[]): Promise<boolean> {
  const gh = new GitHubStandIn(APP_ID);
  await gh.start();
  seed(gh, deliveries);
  const env: Record<string, string> = { LOG_LEVEL: "warn", ...(name === "capacity" ? { GITHUB_WRITE_PACING: "off" } : {}) };
  let app: RunningApp | undefined;
  try {
    app = await startApp(gh, env, { server: SERVER_JS });
    const times: number[] = [];
    const statuses = new Map<number, number>();
    // Deliveries answered 202 ("still processing") finish after their response: wait for each
    // PR's summary, the last write of a routed PR.
    const routed = (list: Planned[]) => () => allRouted(gh, list);
    const t0 = performance.now();
    const phase = async (list: Planned[]) => {
      let next = 0;
      const worker = async () => {
        while (next < list.length && Date.now() - started < TIME_LIMIT_MS) {
          const d = list[next++]!;
          const r = await app!.deliver("pull_request", undefined, { rawBody: d.payload });
          times.push(r.ms);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      };
      const from = gh.requests.length;
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const finished = await waitUntil(routed(list), started + TIME_LIMIT_MS);
      return { finished, requests: gh.requests.slice(from) };
    };
    const fresh = await phase(deliveries.filter((d) => d.number === 1));
    const warm = await phase(deliveries.filter((d) => d.number !== 1));
    const answeredMs = performance.now() - t0;
    const pushed = await pushNothing(gh, app, deliveries);
    const finished = fresh.finished && warm.finished;
    const doneMs = performance.now() - t0;
    const rss = peakRssMiB(app.proc.pid);

    const problems = routedProblems(gh, deliveries, router).count;
    const tokenRequests = gh.requests.filter((q) => q.path.includes("/access_tokens")).length;
    const sorted = [...times].sort((a, b) => a - b);
    const answered = times.length;
    console.log(
      `\n== ${name}: ${answered} deliveries over ${INSTALLATIONS} installations, ${CONCURRENCY} at a time${name === "capacity" ? " (write pacing off: the app's own capacity)" : " (write pacing on, as in production)"}`,
    );
    console.log(`answered:            ${answered}/${deliveries.length} (${[...statuses].map(([s, n]) => `${n}x ${s}`).join(", ")})`);
    console.log(
      `routed exactly once: ${finished && problems === 0 ? "yes" : `NO (${problems} PRs wrong${finished ? "" : ", not all finished in time"})`}`,
    );
    console.log(
      `deliveries/s:        ${((answered / answeredMs) * 1000).toFixed(1)} answered; ${((deliveries.length / doneMs) * 1000).toFixed(1)} fully routed (all done in ${(doneMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `response time:       p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`,
    );
    console.log(`server peak RSS:     ${rss.toFixed(0)} MiB`);
    const get = (q: RecordedRequest) => q.method === "GET" || isGraphql(q);
    const about = (requests: RecordedRequest[]) => requests.filter((q) => q.path.startsWith("/repos/") || isGraphql(q));
    /** Reads and writes per PR, on average. */
    const rate = (requests: RecordedRequest[], prs: number) => {
      const all = about(requests);
      return { reads: all.filter(get).length / Math.max(prs, 1), writes: all.filter((q) => !get(q)).length / Math.max(prs, 1) };
    };
    const perPr = (requests: RecordedRequest[], prs: number) => {
      const n = (f: (q: RecordedRequest) => boolean) => (about(requests).filter(f).length / Math.max(prs, 1)).toFixed(2);
      return (
        `${n(get)} reads + ${n((q) => !get(q))} writes (GraphQL ${n(isGraphql)}, ` +
        `config ${n((q) => get(q) && q.path.includes("/contents/"))}, files ${n((q) => get(q) && q.path.endsWith("/files"))}, ` +
        `timeline ${n((q) => get(q) && q.path.endsWith("/timeline"))}, check-run list ${n((q) => get(q) && q.path.includes("/check-runs"))})`
      );
    };
    const freshPrs = deliveries.filter((d) => d.number === 1).length;
    console.log(`GitHub requests/PR:  fresh cache ${perPr(fresh.requests, freshPrs)}`);
    console.log(
      `                     warm cache  ${perPr(warm.requests, deliveries.length - freshPrs)}; ${tokenRequests} token requests in all`,
    );
    console.log(`push, nothing changed: ${perPr(pushed.short, pushed.shortPrs)}`);
    console.log(`  450-event timeline:  ${perPr(pushed.long, pushed.longPrs)}${pushed.finished ? "" : " (NOT all answered in time)"}`);
    // Issue 13's goal, a warm opened PR at most 2 reads + 3 writes, plus the one read of the touched
    // directories' approval history that issue 17 allows when a reviewer must be chosen; a push that
    // changes nothing writes nothing.
    const w = rate(warm.requests, deliveries.length - freshPrs);
    const p = [rate(pushed.short, pushed.shortPrs), rate(pushed.long, pushed.longPrs)];
    const met = w.reads <= 3 && w.writes <= 3 && p.every((x) => x.writes === 0 && x.reads <= 2) && pushed.finished;
    console.log(
      `goal (<= 2 reads + the approval history's 1 + 3 writes per PR, warm; a push that changes nothing writes nothing): ${met ? "met" : "NOT met"}`,
    );
    return finished && problems === 0 && answered === deliveries.length;
  } finally {
    await app?.stop();
    await gh.stop();
  }
}

/** A GraphQL request (the stand-in serves GitHub Enterprise's path, /api/graphql). */
function isGraphql(q: RecordedRequest): boolean {
  return q.method === "POST" && q.path.endsWith("/graphql");
}

/** The repository ("owner/name") a request is about: from its path, or a GraphQL request's variables. */
function repoOf(q: RecordedRequest): string {
  if (q.path.startsWith("/repos/")) return q.path.split("/").slice(2, 4).join("/");
  const v = (q.body as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
  if (typeof v.owner === "string" && typeof v.name === "string") return `${v.owner}/${v.name}`;
  const search = Object.values(v).find((x) => typeof x === "string" && x.includes(" repo:")) as string | undefined;
  return search ? search.slice(search.indexOf(" repo:") + 6).split(" ")[0]! : "";
}

/**
 * A push that changes nothing, for PR 2 of each installation (routed by now): a synchronize to a
 * new commit with the same files, labels and requests. Every other installation's PR first gets a
 * 450-event timeline (people's comments and commits). Returns the requests each group made.
 */
async function pushNothing(gh: GitHubStandIn, app: RunningApp, all: Planned[]) {
  const chosen = all.filter((d) => d.number === 2);
  const long = new Set(chosen.filter((_, i) => i % 2 === 1).map((d) => d.repo));
  const payloads = chosen.map((d) => {
    const opened = JSON.parse(d.payload) as ReturnType<typeof pullRequestEvent>;
    const before = opened.pull_request.head.sha;
    const after = `f${before.slice(1)}`;
    const t = gh.thread(d.repo, d.number);
    if (long.has(d.repo))
      for (let i = 0; i < 450; i++)
        t.timeline.push(
          i % 10 === 0
            ? { event: "committed", sha: i.toString(16).padStart(40, "0") }
            : {
                event: "commented",
                id: 900000 + i,
                body: `note ${i}`,
                user: { login: `person${i % 7}`, type: "User" },
                created_at: "2026-11-30T12:00:00Z",
              },
        );
    gh.setPull(d.repo, d.number, { author: opened.pull_request.user.login, headSha: after, commits: [before, after] }, d.files);
    const p = pullRequestEvent({
      action: "synchronize",
      number: d.number,
      changedFiles: d.files.length,
      author: opened.pull_request.user.login,
      headSha: after,
      labels: [...t.labels],
      requestedReviewers: [...t.requestedUsers],
    });
    p.repository = opened.repository;
    p.installation = opened.installation;
    return { d, after, payload: JSON.stringify(p) };
  });
  const from = gh.requests.length;
  let next = 0;
  const worker = async () => {
    while (next < payloads.length && Date.now() - started < TIME_LIMIT_MS) {
      const { payload } = payloads[next++]!;
      await app.deliver("pull_request", undefined, { rawBody: payload });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, 10) }, worker));
  // Nothing is written, so "done" is: every PR's read seen, then no request for a second and a half.
  const readSeen = () =>
    payloads.every(({ after }) =>
      gh.requests.some((q) => isGraphql(q) && (q.body as { variables?: { head?: string } })?.variables?.head === after),
    );
  let finished = await waitUntil(readSeen, started + TIME_LIMIT_MS);
  let seen = gh.requests.length;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1500));
    if (gh.requests.length === seen || Date.now() > started + TIME_LIMIT_MS) break;
    seen = gh.requests.length;
  }
  finished = finished && Date.now() <= started + TIME_LIMIT_MS;
  const requests = gh.requests.slice(from);
  const of = (pick: (repo: string) => boolean) => requests.filter((q) => pick(repoOf(q)));
  return {
    short: of((r) => !long.has(r)),
    shortPrs: chosen.length - long.size,
    long: of((r) => long.has(r)),
    longPrs: long.size,
    finished,
  };
}

const deliveries = plan(DELIVERIES, INSTALLATIONS);
let ok = true;
console.log(
  `load test: ${DELIVERIES} signed pull_request deliveries, ${INSTALLATIONS} installations, ${CONCURRENCY} concurrent, loopback only, time limit ${TIME_LIMIT_MS / 1000} s`,
);
if (values.only !== "paced") ok = (await runOnce("capacity", deliveries)) && ok;
if (values.only !== "capacity") ok = (await runOnce("paced", deliveries)) && ok;
process.exitCode = ok ? 0 : 1;
