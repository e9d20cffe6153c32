// Prometheus metrics for the server, off unless METRICS=1. They are served on a port of their own
// (METRICS_PORT), never on the webhook port, so opening the webhook to GitHub never exposes them.
//
// Each server gets its own prom-client Registry (not the library's global one), so tests can run
// several servers in one process. What a delivery did is noted in an AsyncLocalStorage scope the
// handler wrapper opens, so neither handlers nor the GitHub client need a metrics object passed
// down: the wrapper reads the outcome, and the Octokit request hook reads the delivery's event.

import { AsyncLocalStorage } from "node:async_hooks";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export const DEFAULT_METRICS_PORT = 9464;

export const OUTCOMES = ["routed", "skipped", "config_error", "failed", "rate_limited", "budget_exceeded"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Distinct GitHub routes kept as label values; any further one is counted as "other". */
export const MAX_ROUTES = 200;

/** The rate-limit resources GitHub names in `x-ratelimit-resource`; anything else is "other". */
const RATE_LIMIT_RESOURCES = new Set([
  "core",
  "search",
  "code_search",
  "graphql",
  "integration_manifest",
  "source_import",
  "code_scanning_upload",
  "code_scanning_autofix",
  "actions_runner_registration",
  "scim",
  "dependency_snapshots",
  "dependency_sbom",
  "audit_log",
  "audit_log_streaming",
]);

export interface MetricsSettings {
  port: number;
  /** Interface to bind; undefined binds all, as Probot does for the webhook port without HOST. */
  host?: string;
}

function envFlag(name: string, value: string | undefined): boolean {
  const v = (value ?? "").trim();
  if (v === "" || /^(0|false|no|off)$/i.test(v)) return false;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  throw new Error(`${name}: expected 1 (serve /metrics) or 0 (do not), got "${value}"`);
}

function envPort(name: string, value: string | undefined, fallback: number): number {
  const v = (value ?? "").trim();
  if (v === "") return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new Error(`${name}: expected a port number from 0 to 65535, got "${value}"`);
  return n;
}

/**
 * Undefined unless METRICS=1. Throws, naming the variable, on a value it cannot read, and when
 * METRICS_PORT is the webhook port: the metrics must never be served where GitHub delivers.
 */
export function metricsSettingsFromEnv(env: NodeJS.ProcessEnv): MetricsSettings | undefined {
  if (!envFlag("METRICS", env.METRICS)) return undefined;
  const port = envPort("METRICS_PORT", env.METRICS_PORT, DEFAULT_METRICS_PORT);
  const webhookPort = Number(env.PORT ?? 3000); // Probot's default
  if (port !== 0 && port === webhookPort) {
    throw new Error(
      `METRICS_PORT: ${port} is the webhook port (PORT); choose another port so that /metrics is never served where GitHub delivers`,
    );
  }
  const host = env.HOST?.trim();
  return { port, ...(host ? { host } : {}) };
}

interface DeliveryScope {
  event: string;
  outcome?: Outcome;
}

const scope = new AsyncLocalStorage<DeliveryScope>();

/**
 * Say what the delivery being handled came to, when it did not route (skipped, configuration
 * error). A no-op outside a delivery (the CLI) and when metrics are off. The last note wins.
 */
export function noteOutcome(outcome: Outcome): void {
  const s = scope.getStore();
  if (s) s.outcome = outcome;
}

function headerOf(headers: unknown, name: string): string | undefined {
  const v = (headers as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** A failure because GitHub's request budget ran out: a 403 or 429 with no requests left, or a retry-after. */
export function isRateLimited(err: unknown): boolean {
  const e = err as { status?: unknown; response?: { headers?: unknown } } | null;
  if (!e || (e.status !== 403 && e.status !== 429)) return false;
  const headers = e.response?.headers;
  return headerOf(headers, "x-ratelimit-remaining") === "0" || headerOf(headers, "retry-after") !== undefined;
}

/**
 * A bounded label for a GitHub request's URL. Octokit passes route templates
 * (`/repos/{owner}/{repo}/pulls/{pull_number}/files`), kept as they are; pagination passes full
 * URLs (`https://api.github.com/repositories/65600975/pulls/1/files?page=2`), whose origin, query
 * and ids are dropped so that every page of a route counts under one label.
 */
export function routeTemplate(url: string): string {
  let path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0]!;
  path = path.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api(?=\/graphql$)/, ""); // GitHub Enterprise's prefixes
  if (!path.startsWith("/")) path = `/${path}`;
  if (path.includes("{")) return path;
  const parts = path.split("/");
  if (parts[1] === "repos" && parts.length > 3) {
    parts[2] = "{owner}";
    parts[3] = "{repo}";
  }
  return parts.map((p) => (/^\d+$/.test(p) ? "{id}" : p)).join("/");
}

export class Metrics {
  readonly registry = new Registry();
  private readonly routes = new Set<string>();

  readonly deliveries = new Counter({
    name: "review_router_deliveries_total",
    help: "Webhook deliveries handled, by event (name.action) and outcome",
    labelNames: ["event", "outcome"] as const,
    registers: [this.registry],
  });

  readonly handlerSeconds = new Histogram({
    name: "review_router_handler_duration_seconds",
    help: "Time a handler took for one delivery, GitHub requests included, by event",
    labelNames: ["event"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly labelsAdded = new Counter({
    name: "review_router_labels_added_total",
    help: "Labels GitHub accepted from review-router, by event",
    labelNames: ["event"] as const,
    registers: [this.registry],
  });

  readonly labelsRemoved = new Counter({
    name: "review_router_labels_removed_total",
    help: "Labels review-router removed (sync_labels), by event",
    labelNames: ["event"] as const,
    registers: [this.registry],
  });

  readonly reviewersRequested = new Counter({
    name: "review_router_reviewers_requested_total",
    help: "Review requests GitHub accepted from review-router, by event",
    labelNames: ["event"] as const,
    registers: [this.registry],
  });

  readonly githubRequests = new Counter({
    name: "review_router_github_requests_total",
    help: "Requests to GitHub's API by method, route template and status (no_response: time-out or network error)",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });

  readonly rateLimitRemaining = new Gauge({
    name: "review_router_github_rate_limit_remaining",
    help: "x-ratelimit-remaining of the last GitHub answer to an installation request, by rate-limit resource",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });

  /** processMetrics: also prom-client's process_* and nodejs_* metrics (CPU, memory, event-loop lag). */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Wrap a Probot event handler: time it, and count the delivery with its outcome (what the
   * handler noted, else "routed"; a throw is "failed", or "rate_limited" when GitHub's rate
   * limit ran out). The error is rethrown for Probot to log.
   */
  instrument<C extends { name: string; payload: { action?: string } }>(
    handler: (context: C) => Promise<void>,
  ): (context: C) => Promise<void> {
    return async (context) => {
      const event = context.payload.action ? `${context.name}.${context.payload.action}` : context.name;
      const s: DeliveryScope = { event };
      const stop = this.handlerSeconds.startTimer({ event });
      try {
        await scope.run(s, () => handler(context));
      } catch (err) {
        s.outcome = isRateLimited(err) ? "rate_limited" : "failed";
        throw err;
      } finally {
        stop();
        this.deliveries.inc({ event, outcome: s.outcome ?? "routed" });
      }
    };
  }

  private routeLabel(url: string): string {
    const route = routeTemplate(url);
    if (this.routes.has(route)) return route;
    if (this.routes.size >= MAX_ROUTES) return "other";
    this.routes.add(route);
    return route;
  }

  /** Record one GitHub request as the Octokit request hook sees it (after its retries). */
  observeRequest(options: RequestOptions, outcome: { status?: number; headers?: unknown }): void {
    const method = (options.method ?? "GET").toUpperCase();
    const route = this.routeLabel(options.url ?? "");
    this.githubRequests.inc({ method, route, status: outcome.status === undefined ? "no_response" : String(outcome.status) });
    // App-level requests (/app/...) are limited separately from installations; they would mix two budgets.
    const remaining = Number(headerOf(outcome.headers, "x-ratelimit-remaining") ?? NaN);
    if (Number.isFinite(remaining) && !route.startsWith("/app/")) {
      const resource = headerOf(outcome.headers, "x-ratelimit-resource") ?? "core";
      this.rateLimitRemaining.set({ resource: RATE_LIMIT_RESOURCES.has(resource) ? resource : "other" }, remaining);
    }
    if (outcome.status === undefined || outcome.status >= 300) return;
    const event = scope.getStore()?.event ?? "none";
    // Octokit's hook sees the parameters before they become the body (`labels`, `reviewers`).
    const body = options as { labels?: unknown; reviewers?: unknown };
    const call = `${method} ${route}`;
    if (call === "POST /repos/{owner}/{repo}/issues/{issue_number}/labels" && Array.isArray(body.labels)) {
      this.labelsAdded.inc({ event }, body.labels.length);
    } else if (call === "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}") {
      this.labelsRemoved.inc({ event });
    } else if (call === "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers" && Array.isArray(body.reviewers)) {
      this.reviewersRequested.inc({ event }, body.reviewers.length);
    }
  }

  /** The Octokit plugin that feeds observeRequest; hooks added last wrap retries and throttling. */
  octokitPlugin(): (octokit: OctokitHooks) => void {
    return (octokit) => {
      octokit.hook.after("request", (response, options) => this.observeRequest(options, response));
      octokit.hook.error("request", (error, options) => {
        // Octokit gives a request that got no answer (refused connection, reset, time-out) status 500
        // and no response: that is no_response, not a server error.
        const e = error as { status?: number; response?: { status?: number; headers?: unknown } };
        const status = e.response ? (e.response.status ?? e.status) : undefined;
        this.observeRequest(options, { ...(typeof status === "number" ? { status } : {}), headers: e.response?.headers });
        throw error;
      });
    };
  }

  /**
   * Queue mode (REDIS_URL): the shared queue's jobs by state, read from Redis at each scrape, and
   * what this process's worker did with the deliveries it took.
   */
  queueMetrics(counts: () => Promise<Record<string, number>>): QueueMetrics {
    new Gauge({
      name: "review_router_queue_jobs",
      help: "Deliveries in the shared Redis queue by state (waiting, active, delayed, failed, completed)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        const byState = await counts().catch(() => undefined); // Redis away: no sample rather than a failed scrape
        for (const [state, n] of Object.entries(byState ?? {})) this.set({ state }, n);
      },
    });
    const counter = (name: string, help: string) => new Counter({ name, help, registers: [this.registry] });
    return {
      failed: counter("review_router_queue_failed_total", "Deliveries this worker moved to the failed list after their last try"),
      retried: counter("review_router_queue_retried_total", "Tries of a delivery that failed and will be tried again"),
      dropped: counter("review_router_queue_dropped_total", "Queue entries that were not webhook deliveries, dropped"),
    };
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

export interface QueueMetrics {
  failed: Counter;
  retried: Counter;
  dropped: Counter;
}

/** The part of Octokit's hook collection the plugin uses. */
export interface OctokitHooks {
  hook: {
    after(name: "request", fn: (response: { status: number; headers: unknown }, options: RequestOptions) => void): void;
    error(name: "request", fn: (error: unknown, options: RequestOptions) => never): void;
  };
}
/** What the hook passes: method, URL (usually a route template) and the request's parameters. */
type RequestOptions = { method?: string; url?: string } & Record<string, unknown>;

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/** Serve GET /metrics (and nothing else) on its own port. */
export async function listenMetrics(metrics: Metrics, settings: MetricsSettings): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found: metrics are at /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("Method Not Allowed\n");
      return;
    }
    metrics.text().then(
      ({ contentType, body }) => res.writeHead(200, { "content-type": contentType }).end(req.method === "HEAD" ? undefined : body),
      (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`cannot collect metrics: ${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => {
      reject(new Error(`METRICS_PORT: cannot listen on ${settings.host ?? "*"}:${settings.port}: ${err.message}`));
    });
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
