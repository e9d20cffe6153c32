// What the load tests share (bench/loadtest.ts, one process; bench/loadtest-redis.ts, queue mode):
// the planned deliveries, the exactly-once check against the stand-in, and small measuring helpers.

import { readFileSync } from "node:fs";
import type { Router } from "../src/core/router.js";
import { route } from "../src/core/route.js";
import type { GitHubStandIn, RecordedRequest } from "../test/e2e/github-stand-in.js";
import { pullRequestEvent } from "../test/helpers/payloads.js";

export interface Planned {
  repo: string;
  installation: number;
  number: number;
  files: string[];
  payload: string;
  /** The pull request's head commit, as the payload has it (kept apart: the "all routed?" poll reads it often). */
  headSha: string;
}

/** The same deliveries for every run: PR i of installation i % installations, three real paths each. */
export function plan(deliveries: number, installations: number): Planned[] {
  const tree = readFileSync("test/fixtures/pytorch/tree.txt", "utf8").split("\n").filter(Boolean);
  const out: Planned[] = [];
  for (let i = 0; i < deliveries; i++) {
    const installation = 1000 + (i % installations);
    const repo = `pytorch/load-${installation}`;
    const number = Math.floor(i / installations) + 1;
    const files = [0, 1, 2].map((k) => tree[(i * 997 + k * 3041) % tree.length]!);
    const headSha = `${i.toString(16).padStart(8, "0")}${"a".repeat(32)}`;
    const p = pullRequestEvent({ number, changedFiles: files.length, author: `author${i % 17}`, headSha });
    p.repository.owner.login = "pytorch";
    p.repository.name = repo.split("/")[1]!;
    p.repository.full_name = repo;
    p.installation = { id: installation };
    out.push({ repo, installation, number, files, payload: JSON.stringify(p), headSha });
  }
  return out;
}

/** Make the stand-in know each planned pull request, with a configuration file in its repository. */
export function seed(gh: GitHubStandIn, deliveries: readonly Planned[]): void {
  for (const d of deliveries) {
    gh.setPullFiles(d.repo, d.number, d.files);
    // An installed repository usually has its own file; without one, Probot also probes the
    // organisation's .github repository: one more read per delivery.
    gh.repo(d.repo).files.set(".github/review-router.yml", "max_reviewers: 3\n");
  }
}

/** Every planned pull request has its summary (the last write of a routed pull request). */
export function allRouted(gh: GitHubStandIn, list: readonly Planned[]): boolean {
  return list.every((d) => gh.repo(d.repo).checkRuns.some((r) => r.head_sha === d.headSha));
}

/** What is wrong with the pull requests not routed exactly once, by kind; empty when all are right. */
export interface Problems {
  /** Pull requests with anything wrong. */
  count: number;
  byKind: Record<string, number>;
}

/**
 * Pull requests not routed exactly once: per PR at most one label write and one review request,
 * exactly one check run, and the labels routing gives.
 */
export function routedProblems(gh: GitHubStandIn, deliveries: readonly Planned[], router: Router): Problems {
  const byPr = new Map<string, RecordedRequest[]>();
  for (const q of gh.requests) {
    const m = /^\/repos\/([^/]+\/[^/]+)\/(?:issues|pulls)\/(\d+)(?:\/|$)/.exec(q.path);
    if (!m) continue;
    const key = `${m[1]}#${m[2]}`;
    byPr.set(key, [...(byPr.get(key) ?? []), q]);
  }
  const problems: Problems = { count: 0, byKind: {} };
  for (const d of deliveries) {
    const mine = byPr.get(`${d.repo}#${d.number}`) ?? [];
    const runs = gh.repo(d.repo).checkRuns.filter((r) => r.head_sha === d.headSha);
    const expected = route(router, {
      repository: d.repo,
      prNumber: d.number,
      author: (JSON.parse(d.payload) as { pull_request: { user: { login: string } } }).pull_request.user.login,
      files: d.files.map((path) => ({ path })),
    });
    const wrong = [
      mine.filter((q) => q.method === "POST" && q.path.endsWith("/labels")).length > 1 ? "two label writes" : "",
      mine.filter((q) => q.method === "POST" && q.path.endsWith("/requested_reviewers")).length > 1 ? "two review requests" : "",
      runs.length !== 1 ? `${runs.length} check runs` : "",
      JSON.stringify(gh.thread(d.repo, d.number).labels) !== JSON.stringify(expected.labels) ? "wrong labels" : "",
    ].filter(Boolean);
    if (wrong.length > 0) problems.count += 1;
    for (const w of wrong) problems.byKind[w] = (problems.byKind[w] ?? 0) + 1;
  }
  return problems;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

export async function waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}
