// Metrics: settings from the environment, route labels, the handler wrapper's outcomes, the
// Octokit hook (through the server's own Octokit against nock), a whole delivery through Probot,
// and the /metrics listener.

import { generateKeyPairSync, randomUUID } from "node:crypto";
import nock from "nock";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { createApp, loadBundled } from "../../src/app/index.js";
import {
  DEFAULT_METRICS_PORT,
  isRateLimited,
  listenMetrics,
  MAX_ROUTES,
  Metrics,
  metricsSettingsFromEnv,
  noteOutcome,
  routeTemplate,
} from "../../src/app/metrics.js";
import { createAppOctokit } from "../../src/app/octokit.js";
import { route } from "../../src/core/route.js";
import {
  API,
  captureCheckRunCreate,
  captureLabelsAdded,
  captureReviewRequests,
  mockInstallationToken,
  mockPullRequestReads,
} from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { APP_ID, INSTALLATION_ID } from "../helpers/probot.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const bundled = loadBundled();

/** The value of one series of a counter or gauge (0 when absent). */
async function valueOf(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  // A histogram's _bucket, _count and _sum series come from the histogram itself.
  const base = name.replace(/_(bucket|count|sum)$/, "");
  const metric = metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(base);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const hit = values.find((v) => {
    const labelled = v.labels as Record<string, unknown>;
    const series = (v as { metricName?: string }).metricName ?? name;
    return series === name && Object.entries(labels).every(([k, x]) => String(labelled[k]) === x);
  });
  return hit?.value ?? 0;
}

/** Every series of a metric as "label=value,...: value", sorted, to compare whole sets. */
async function seriesOf(metrics: Metrics, name: string): Promise<string[]> {
  const { values } = await metrics.registry.getSingleMetric(name)!.get();
  return values
    .map(
      (v) =>
        `${Object.entries(v.labels)
          .map(([k, x]) => `${k}=${String(x)}`)
          .join(",")}: ${v.value}`,
    )
    .sort();
}

const ctx = (name: string, action?: string) => ({ name, payload: action ? { action } : {} });

describe("metricsSettingsFromEnv", () => {
  it("is off unless METRICS is set to a true value", () => {
    expect(metricsSettingsFromEnv({})).toBeUndefined();
    expect(metricsSettingsFromEnv({ METRICS: "0", METRICS_PORT: "9100" })).toBeUndefined();
    expect(metricsSettingsFromEnv({ METRICS: "off" })).toBeUndefined();
    expect(metricsSettingsFromEnv({ METRICS: "1" })).toEqual({ port: DEFAULT_METRICS_PORT });
    expect(metricsSettingsFromEnv({ METRICS: "true", METRICS_PORT: "9100", HOST: "127.0.0.1" })).toEqual({ port: 9100, host: "127.0.0.1" });
  });

  it("names the variable and the value it cannot read", () => {
    expect(() => metricsSettingsFromEnv({ METRICS: "maybe" })).toThrow('METRICS: expected 1 (serve /metrics) or 0 (do not), got "maybe"');
    expect(() => metricsSettingsFromEnv({ METRICS: "1", METRICS_PORT: "http" })).toThrow(
      'METRICS_PORT: expected a port number from 0 to 65535, got "http"',
    );
    expect(() => metricsSettingsFromEnv({ METRICS: "1", METRICS_PORT: "70000" })).toThrow("METRICS_PORT: expected a port number");
  });

  it("refuses the webhook port, given or Probot's default", () => {
    const same = { METRICS: "1", PORT: "8080", METRICS_PORT: "8080" };
    expect(() => metricsSettingsFromEnv(same)).toThrow("METRICS_PORT: 8080 is the webhook port (PORT)");
    expect(() => metricsSettingsFromEnv({ METRICS: "1", METRICS_PORT: "3000" })).toThrow("METRICS_PORT: 3000 is the webhook port");
  });
});

describe("routeTemplate", () => {
  it("keeps Octokit's route templates and drops their query", () => {
    expect(routeTemplate("/repos/{owner}/{repo}/pulls/{pull_number}/files")).toBe("/repos/{owner}/{repo}/pulls/{pull_number}/files");
    const checkRuns = "/repos/{owner}/{repo}/commits/{ref}/check-runs";
    expect(routeTemplate(`${checkRuns}?check_name=x`)).toBe(checkRuns);
    expect(routeTemplate("/graphql")).toBe("/graphql");
  });

  it("turns the full URLs of later pages into one label per route", () => {
    const page2 = "https://api.github.com/repositories/65600975/pulls/12/files?per_page=100&page=2";
    expect(routeTemplate(page2)).toBe("/repositories/{id}/pulls/{id}/files");
    const enterprise = "http://ghe.local/api/v3/repos/pytorch/vision/issues/3/timeline?page=4";
    expect(routeTemplate(enterprise)).toBe("/repos/{owner}/{repo}/issues/{id}/timeline");
    expect(routeTemplate("http://ghe.local/api/graphql")).toBe("/graphql"); // GitHub Enterprise's GraphQL endpoint
  });
});

describe("isRateLimited", () => {
  it("is a 403 or 429 with no requests left or a retry-after, and nothing else", () => {
    expect(isRateLimited({ status: 403, response: { headers: { "x-ratelimit-remaining": "0" } } })).toBe(true);
    expect(isRateLimited({ status: 429, response: { headers: { "retry-after": "30" } } })).toBe(true);
    expect(isRateLimited({ status: 403, response: { headers: { "x-ratelimit-remaining": "12" } } })).toBe(false);
    expect(isRateLimited({ status: 500, response: { headers: { "x-ratelimit-remaining": "0" } } })).toBe(false);
    expect(isRateLimited(new Error("socket hang up"))).toBe(false);
  });
});

describe("Metrics.instrument", () => {
  it("counts each delivery by event and outcome, and times it", async () => {
    const m = new Metrics({ processMetrics: false });
    await m.instrument(async () => {})(ctx("pull_request", "opened"));
    await m.instrument(async () => {})(ctx("pull_request", "opened"));
    await m.instrument(async () => noteOutcome("skipped"))(ctx("pull_request", "synchronize"));
    await m.instrument(async () => {
      await new Promise((r) => setTimeout(r, 5));
      noteOutcome("config_error");
    })(ctx("issues", "opened"));
    const boom = new Error("boom");
    await expect(m.instrument(async () => Promise.reject(boom))(ctx("issues", "edited"))).rejects.toBe(boom);
    const limited = Object.assign(new Error("API rate limit exceeded"), {
      status: 403,
      response: { headers: { "x-ratelimit-remaining": "0" } },
    });
    await expect(m.instrument(async () => Promise.reject(limited))(ctx("pull_request", "reopened"))).rejects.toBe(limited);

    expect(await seriesOf(m, "review_router_deliveries_total")).toEqual([
      "event=issues.edited,outcome=failed: 1",
      "event=issues.opened,outcome=config_error: 1",
      "event=pull_request.opened,outcome=routed: 2",
      "event=pull_request.reopened,outcome=rate_limited: 1",
      "event=pull_request.synchronize,outcome=skipped: 1",
    ]);
    expect(await valueOf(m, "review_router_handler_duration_seconds_bucket", { event: "pull_request.opened", le: "+Inf" })).toBe(2);
    expect(await valueOf(m, "review_router_handler_duration_seconds_count", { event: "issues.edited" })).toBe(1);
    const sum = await valueOf(m, "review_router_handler_duration_seconds_sum", { event: "issues.opened" });
    expect(sum).toBeGreaterThanOrEqual(0.004);
    expect(sum).toBeLessThan(5);
  });

  it("keeps concurrent deliveries' outcomes apart", async () => {
    const m = new Metrics({ processMetrics: false });
    const slow = m.instrument(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    const skipping = m.instrument(async () => {
      await new Promise((r) => setTimeout(r, 5));
      noteOutcome("skipped");
    });
    await Promise.all([slow(ctx("pull_request", "opened")), skipping(ctx("pull_request", "opened")), slow(ctx("pull_request", "opened"))]);
    expect(await seriesOf(m, "review_router_deliveries_total")).toEqual([
      "event=pull_request.opened,outcome=routed: 2",
      "event=pull_request.opened,outcome=skipped: 1",
    ]);
  });

  it("gives each server its own registry", async () => {
    const a = new Metrics();
    const b = new Metrics();
    await a.instrument(async () => {})(ctx("issues", "opened"));
    expect(await valueOf(a, "review_router_deliveries_total", { event: "issues.opened", outcome: "routed" })).toBe(1);
    expect(await valueOf(b, "review_router_deliveries_total", { event: "issues.opened", outcome: "routed" })).toBe(0);
    expect((await a.text()).body).toContain("process_cpu_user_seconds_total");
  });
});

describe("Metrics.observeRequest", () => {
  it("counts labels and reviewers only from writes GitHub accepted", async () => {
    const m = new Metrics({ processMetrics: false });
    const labels = { method: "POST", url: "/repos/{owner}/{repo}/issues/{issue_number}/labels", labels: ["a", "b"] };
    const reviewers = { method: "POST", url: "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", reviewers: ["x", "y", "z"] };
    m.observeRequest(labels, { status: 200 });
    m.observeRequest(labels, { status: 403 });
    m.observeRequest(reviewers, { status: 422 });
    await m.instrument(async () => m.observeRequest(reviewers, { status: 201 }))(ctx("pull_request", "opened"));
    m.observeRequest({ method: "DELETE", url: "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}" }, { status: 200 });
    expect(await seriesOf(m, "review_router_labels_added_total")).toEqual(["event=none: 2"]);
    expect(await seriesOf(m, "review_router_reviewers_requested_total")).toEqual(["event=pull_request.opened: 3"]);
    expect(await seriesOf(m, "review_router_labels_removed_total")).toEqual(["event=none: 1"]);
  });

  it("bounds the route label", async () => {
    const m = new Metrics({ processMetrics: false });
    for (let i = 0; i < MAX_ROUTES + 5; i++) m.observeRequest({ method: "GET", url: `/a${i}` }, { status: 200 });
    const series = await seriesOf(m, "review_router_github_requests_total");
    expect(series).toHaveLength(MAX_ROUTES + 1);
    expect(series).toContain("method=GET,route=other,status=200: 5");
  });

  it("keeps the last rate-limit figure of installation requests, by bounded resource", async () => {
    const m = new Metrics({ processMetrics: false });
    const answer = (remaining: string, resource?: string) => ({
      status: 200,
      headers: { "x-ratelimit-remaining": remaining, ...(resource ? { "x-ratelimit-resource": resource } : {}) },
    });
    m.observeRequest({ url: "/repos/{owner}/{repo}/pulls" }, answer("4990", "core"));
    m.observeRequest({ url: "/repos/{owner}/{repo}/pulls" }, answer("4980"));
    m.observeRequest({ method: "POST", url: "/graphql" }, answer("4000", "graphql"));
    m.observeRequest({ url: "/x" }, answer("7", "made-up"));
    m.observeRequest({ method: "POST", url: "/app/installations/{installation_id}/access_tokens" }, answer("1"));
    expect(await seriesOf(m, "review_router_github_rate_limit_remaining")).toEqual([
      "resource=core: 4980",
      "resource=graphql: 4000",
      "resource=other: 7",
    ]);
  });
});

describe("through the server's Octokit and Probot", () => {
  useStrictNock();

  /** Reads an issue's labels through the installation's client, as a handler would. */
  async function labelReader(probot: Probot) {
    const octokit = await probot.auth(INSTALLATION_ID);
    return (issue: number) =>
      octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner: "pytorch", repo: "pytorch", issue_number: issue });
  }

  function probotWith(m: Metrics): Probot {
    const Octokit = createAppOctokit({ requestTimeoutMs: 5000, pacing: false, retryBaseMs: 100 }, m);
    return new Probot({ appId: APP_ID, privateKey, Octokit, logLevel: "fatal" });
  }

  it("counts each request once after its retries, errors by status, and reads x-ratelimit-remaining", async () => {
    const m = new Metrics({ processMetrics: false });
    const probot = probotWith(m);
    mockInstallationToken();
    nock(API)
      .get("/repos/pytorch/pytorch/issues/5/labels")
      .reply(502, { message: "Bad Gateway" })
      .get("/repos/pytorch/pytorch/issues/5/labels")
      .reply(200, [], { "x-ratelimit-remaining": "4321", "x-ratelimit-resource": "core" })
      .get("/repos/pytorch/pytorch/issues/6/labels")
      .reply(404, { message: "Not Found" }, { "x-ratelimit-remaining": "4320" });
    const labelsOf = await labelReader(probot);
    await labelsOf(5);
    await expect(labelsOf(6)).rejects.toMatchObject({ status: 404 });
    expect(await seriesOf(m, "review_router_github_requests_total")).toEqual([
      "method=GET,route=/repos/{owner}/{repo}/issues/{issue_number}/labels,status=200: 1",
      "method=GET,route=/repos/{owner}/{repo}/issues/{issue_number}/labels,status=404: 1",
      "method=POST,route=/app/installations/{installation_id}/access_tokens,status=201: 1",
    ]);
    expect(await seriesOf(m, "review_router_github_rate_limit_remaining")).toEqual(["resource=core: 4320"]);
  });

  it("counts a request refused at connection level, after its retries, as no_response (not 500)", async () => {
    const m = new Metrics({ processMetrics: false });
    const probot = probotWith(m);
    mockInstallationToken();
    nock(API)
      .get("/repos/pytorch/pytorch/issues/7/labels")
      .times(3) // the first try and both retries
      .replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:443" })
      .get("/repos/pytorch/pytorch/issues/8/labels")
      .times(3)
      .reply(500, { message: "Server Error" });
    const labelsOf = await labelReader(probot);
    await expect(labelsOf(7)).rejects.toMatchObject({ status: 500 });
    await expect(labelsOf(8)).rejects.toMatchObject({ status: 500 });
    expect(await seriesOf(m, "review_router_github_requests_total")).toEqual([
      "method=GET,route=/repos/{owner}/{repo}/issues/{issue_number}/labels,status=500: 1",
      "method=GET,route=/repos/{owner}/{repo}/issues/{issue_number}/labels,status=no_response: 1",
      "method=POST,route=/app/installations/{installation_id}/access_tokens,status=201: 1",
    ]);
  });

  it("counts a routed pull_request.opened delivery, its labels, reviewers and GitHub requests", async () => {
    const m = new Metrics({ processMetrics: false });
    const probot = probotWith(m);
    await probot.load(createApp({ appId: APP_ID, bundled, metrics: m }));
    const files = ["torch/nn/modules/linear.py", "torch/optim/adam.py"];
    const pr = pullRequestEvent({ number: 31, changedFiles: files.length });
    const author = pr.pull_request.user.login;
    const want = route(bundled.router, { repository: "pytorch/pytorch", prNumber: 31, author, files: files.map((path) => ({ path })) });
    mockInstallationToken();
    mockPullRequestReads(pr, { files });
    const labels = captureLabelsAdded(31);
    const reviews = captureReviewRequests(31);
    captureCheckRunCreate();

    await probot.receive({ id: randomUUID(), name: "pull_request", payload: pr } as unknown as Parameters<Probot["receive"]>[0]);

    expect(labels).toEqual([{ labels: want.labels }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(want.reviewers.length).toBeGreaterThan(0);
    expect(await seriesOf(m, "review_router_deliveries_total")).toEqual(["event=pull_request.opened,outcome=routed: 1"]);
    expect(await seriesOf(m, "review_router_labels_added_total")).toEqual([`event=pull_request.opened: ${want.labels.length}`]);
    expect(await seriesOf(m, "review_router_reviewers_requested_total")).toEqual([`event=pull_request.opened: ${want.reviewers.length}`]);
    expect(await valueOf(m, "review_router_handler_duration_seconds_count", { event: "pull_request.opened" })).toBe(1);
    const posts = (route: string) => valueOf(m, "review_router_github_requests_total", { method: "POST", route, status: "201" });
    expect(await posts("/repos/{owner}/{repo}/check-runs")).toBe(1);
    expect(await posts("/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers")).toBe(1);
  });
});

describe("listenMetrics", () => {
  it("serves GET /metrics in Prometheus' text format and nothing else", async () => {
    const m = new Metrics({ processMetrics: false });
    await m.instrument(async () => {})(ctx("issues", "opened"));
    const listener = await listenMetrics(m, { port: 0, host: "127.0.0.1" });
    try {
      const r = await fetch(listener.url);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const text = await r.text();
      expect(text).toContain("# TYPE review_router_deliveries_total counter");
      expect(text).toContain('review_router_deliveries_total{event="issues.opened",outcome="routed"} 1');
      expect(text).toContain('review_router_handler_duration_seconds_count{event="issues.opened"} 1');
      expect((await fetch(listener.url.replace("/metrics", "/"))).status).toBe(404);
      expect((await fetch(listener.url, { method: "POST" })).status).toBe(405);
    } finally {
      await listener.close();
    }
    await expect(fetch(listener.url)).rejects.toThrow();
  });

  it("says which port it cannot listen on", async () => {
    const m = new Metrics({ processMetrics: false });
    const first = await listenMetrics(m, { port: 0, host: "127.0.0.1" });
    const port = Number(new URL(first.url).port);
    try {
      await expect(listenMetrics(m, { port, host: "127.0.0.1" })).rejects.toThrow(`METRICS_PORT: cannot listen on 127.0.0.1:${port}`);
    } finally {
      await first.close();
    }
  });
});
