// /metrics on the running server: with METRICS=1 it is served on METRICS_PORT (never on the
// webhook port) and counts signed deliveries, their outcomes, GitHub requests by status, handler
// time and the rate limit the stand-in reports; without METRICS=1 no port serves it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "../helpers/payloads.js";
import { GitHubStandIn } from "./github-stand-in.js";
import { notFoundPullRequest } from "./graphql-stand-in.js";
import { APP_ID, freePort, startApp, type RunningApp } from "./harness.js";

const gh = new GitHubStandIn(APP_ID);
const FILES = ["torch/nn/modules/linear.py", "torch/optim/adam.py"];

beforeAll(async () => {
  await gh.start();
}, 30_000);

afterAll(async () => {
  await gh.stop();
});

/** Parse Prometheus text: "name{a="x",b="y"}" (labels sorted) → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    out.set(`${m[1]}{${labels.join(",")}}`, Number(m[3]));
  }
  return out;
}

function key(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(",")}}`;
}

function prPayload(repo: string, installation: number, number: number, state = "open") {
  gh.setPullFiles(repo, number, FILES);
  const p = pullRequestEvent({ action: "opened", number, changedFiles: FILES.length });
  const [owner, name] = repo.split("/") as [string, string];
  p.repository.owner.login = owner;
  p.repository.name = name;
  p.repository.full_name = repo;
  p.installation = { id: installation };
  (p.pull_request as { state: string }).state = state;
  return p;
}

describe("with METRICS=1", () => {
  let app: RunningApp;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    app = await startApp(gh, { METRICS: "1", METRICS_PORT: String(port), GITHUB_WRITE_PACING: "off" });
  }, 60_000);

  afterAll(async () => {
    expect(await app?.stop("SIGTERM")).toBe(0);
  }, 30_000);

  async function scrape(): Promise<Map<string, number>> {
    const r = await fetch(metricsUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/plain");
    return parse(await r.text());
  }

  it("counts deliveries by event and outcome, GitHub requests by status, handler time and the rate limit", async () => {
    const before = await scrape();
    const opened = { event: "pull_request.opened" };
    expect(before.get(key("review_router_deliveries_total", { ...opened, outcome: "routed" })) ?? 0).toBe(0);

    // Routed: labels and reviewers written.
    const routed = await app.deliver("pull_request", prPayload("pytorch/metrics-routed", 501, 7));
    expect(routed.status).toBe(200);
    const thread = gh.thread("pytorch/metrics-routed", 7);
    expect(thread.labels).toEqual(["module: nn", "module: optimizer"]);
    // Skipped: the pull request is closed.
    expect((await app.deliver("pull_request", prPayload("pytorch/metrics-closed", 502, 7, "closed"))).status).toBe(200);
    // Configuration error: the repository's file is not YAML.
    gh.repo("pytorch/metrics-bad-config").files.set(".github/review-router.yml", "modules: [\n");
    expect((await app.deliver("pull_request", prPayload("pytorch/metrics-bad-config", 503, 7))).status).toBe(200);
    // Failed: the pull request is gone. GraphQL says NOT_FOUND, so the app reads by REST, and GitHub
    // answers 404 to the changed-files list, which is not retried.
    gh.fail({ method: "POST", path: /^\/api\/graphql$/, status: 200, body: notFoundPullRequest(7) });
    gh.fail({ method: "GET", path: /^\/repos\/pytorch\/metrics-failed\/pulls\/7\/files$/, status: 404 });
    // (Probot answers a failed delivery with the failed request's status.)
    expect((await app.deliver("pull_request", prPayload("pytorch/metrics-failed", 504, 7))).status).toBe(404);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (after.get(key(name, labels)) ?? 0) - (before.get(key(name, labels)) ?? 0);
    expect(delta("review_router_deliveries_total", { ...opened, outcome: "routed" })).toBe(1);
    expect(delta("review_router_deliveries_total", { ...opened, outcome: "skipped" })).toBe(1);
    expect(delta("review_router_deliveries_total", { ...opened, outcome: "config_error" })).toBe(1);
    expect(delta("review_router_deliveries_total", { ...opened, outcome: "failed" })).toBe(1);
    expect(delta("review_router_handler_duration_seconds_count", opened)).toBe(4);
    expect(delta("review_router_handler_duration_seconds_bucket", { ...opened, le: "+Inf" })).toBe(4);
    expect(delta("review_router_labels_added_total", opened)).toBe(2);
    expect(delta("review_router_reviewers_requested_total", opened)).toBe(thread.requestedUsers.length);
    expect(thread.requestedUsers.length).toBeGreaterThan(0);

    const requests = (method: string, route: string, status: string) =>
      delta("review_router_github_requests_total", { method, route, status });
    expect(requests("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "200")).toBe(1);
    expect(requests("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", "201")).toBe(1);
    // The routed PR's read, availability and approval history, the failed one's read; the bad configuration stops before.
    expect(requests("POST", "/graphql", "200")).toBe(4);
    expect(requests("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "200")).toBe(0);
    expect(requests("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "404")).toBe(1);
    expect(requests("POST", "/app/installations/{installation_id}/access_tokens", "201")).toBe(3); // the closed PR needs no token
    // The stand-in counts each installation's requests; the gauge holds the last answer's figure,
    // here the failed delivery's 404.
    const last = gh.requests.filter((r) => r.installation !== undefined).at(-1)!;
    const used = gh.requests.filter((r) => r.installation === last.installation).length;
    expect(after.get(key("review_router_github_rate_limit_remaining", { resource: "core" }))).toBe(GitHubStandIn.RATE_LIMIT - used);
  });

  it("is not served on the webhook port", async () => {
    const r = await fetch(`http://127.0.0.1:${app.port}/metrics`);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain("review_router_");
  });
});

describe("without METRICS=1", () => {
  it("no port serves /metrics, METRICS_PORT included", async () => {
    const port = await freePort();
    const app = await startApp(gh, { METRICS_PORT: String(port) });
    try {
      const r = await fetch(`http://127.0.0.1:${app.port}/metrics`);
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain("review_router_");
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      expect(await app.stop("SIGTERM")).toBe(0);
    }
  }, 60_000);

  it("refuses to start with METRICS_PORT on the webhook port, and says why", async () => {
    const port = await freePort();
    await expect(startApp(gh, { METRICS: "1", PORT: String(port), METRICS_PORT: String(port) })).rejects.toThrow(
      `METRICS_PORT: ${port} is the webhook port (PORT)`,
    );
  }, 60_000);
});
