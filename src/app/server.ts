#!/usr/bin/env node
// `npm start`: run review-router with Probot's standard environment (APP_ID, PRIVATE_KEY or
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, WEBHOOK_PATH, WEBHOOK_PROXY_URL, GHE_HOST,
// GHE_PROTOCOL, LOG_LEVEL, LOG_FORMAT) and a .env file that fills in only what the environment
// lacks. Without credentials, outside production, Probot serves its setup page, which registers
// the app on GitHub from app.yml.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import type { Logger } from "pino";
import { createProbot, run, type ApplicationFunction, type Probot } from "probot";
import { isMainModule } from "../io/is-main.js";
import { loadEnvFile, restoreEnv, startupProblem as envProblem, StartupError } from "./env.js";
import { createApp, MAX_PAYLOAD_BYTES } from "./index.js";
import { createLog, startupFailureLine } from "./log.js";
import { listenMetrics, Metrics, metricsSettingsFromEnv } from "./metrics.js";
import { createAppOctokit, octokitSettingsFromEnv } from "./octokit.js";
import { checkRedis, DeliveryQueue, queueSettingsFromEnv, redisAddress, startWorker, type Delivery } from "./queue.js";

type ProbotServer = Awaited<ReturnType<typeof run>>;

/** Why the server must not start in this environment, or undefined when it may. */
export function startupProblem(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined {
  const problem = envProblem(env, cwd);
  if (problem) return problem;
  if (env.NODE_ENV === "production" && !octokitSettingsFromEnv(env).pacing) {
    return "GITHUB_WRITE_PACING is off: that is only for a local stand-in of GitHub. Unset it in production, where GitHub asks apps to pace writes.";
  }
  return undefined;
}

/**
 * The app, plus deliveries accepted at `/` too: Probot's setup page registers the app with the
 * webhook URL `<base>/`, while Probot's own middleware listens on WEBHOOK_PATH only.
 */
function serverApp(app: ApplicationFunction): ApplicationFunction {
  return async (probot, options) => {
    await app(probot, options);
    options.addHandler(await probot.getNodeMiddleware({ path: "/" }));
  };
}

/** GET /ready: 200 while Redis is reachable, else 503 (a readiness probe takes the replica out of service). */
function readyHandler(ready: () => boolean) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? "").split("?")[0] !== "/ready") return false;
    const ok = ready();
    res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ready\n" : "Redis unreachable\n");
    return true;
  };
}

const JSON_CONTENT = /^\s*application\/json\s*(?:;|$)/i;
const WEBHOOK_HEADERS = ["x-github-event", "x-hub-signature-256", "x-github-delivery"] as const;

/**
 * The request's body, or undefined past MAX_PAYLOAD_BYTES (GitHub never sends more): what is over is
 * not kept, so a sender that is not GitHub cannot fill the web's memory before its signature is checked.
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => resolve(size <= MAX_PAYLOAD_BYTES ? Buffer.concat(chunks).toString("utf8") : undefined));
    req.on("error", reject);
  });
}

/**
 * The web role's webhook endpoint. It checks what Probot's middleware checks (POST, a JSON body,
 * GitHub's three headers, the signature: 404, 415, 400 and 400 as Probot answers them), stores the
 * delivery in Redis and answers 202 Accepted: the delivery is handled later, by a worker. Probot's
 * middleware would answer 200, as if it had been handled. Not stored (Redis away or slow): 503,
 * never a 2xx, so that GitHub marks it failed and `review-router redeliver` can send it again.
 */
function acceptDeliveries(path: string, probot: Probot, deliveries: DeliveryQueue, log: Logger) {
  const at = path.replace(/\/+$/, "") || "/";
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const pathname = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "") || "/";
    if (pathname !== at) return false;
    const answer = (status: number, body: Record<string, string>) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      return true;
    };
    if (req.method !== "POST") return answer(404, { error: `Unknown route: ${req.method} ${pathname}` });
    if (!JSON_CONTENT.test(req.headers["content-type"] ?? "")) {
      return answer(415, { error: 'Unsupported "Content-Type" header value. Must be "application/json"' });
    }
    const missing = WEBHOOK_HEADERS.filter((h) => typeof req.headers[h] !== "string");
    if (missing.length > 0) return answer(400, { error: `Required headers missing: ${missing.join(", ")}` });
    const [name, signature, id] = WEBHOOK_HEADERS.map((h) => req.headers[h] as string) as [string, string, string];
    const body = await readBody(req);
    if (body === undefined) {
      log.warn(`delivery ${id} (${name}): larger than GitHub's 25 MB limit for a payload; not stored`);
      return answer(413, { error: "payload larger than 25 MB, GitHub's limit for a webhook payload" });
    }
    if (!(await probot.webhooks.verify(body, signature))) {
      log.warn(`delivery ${id} (${name}): signature does not match the payload and WEBHOOK_SECRET; not stored`);
      return answer(400, { error: "signature does not match event payload and secret" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      payload = undefined;
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      return answer(400, { error: "the payload is not a JSON object" });
    }
    let outcome: string;
    try {
      outcome = await deliveries.enqueue({ id, name, payload: payload as Record<string, unknown> });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      log.error(`delivery ${id} not stored (${why}); answered 503 so that GitHub marks it failed`);
      return answer(503, { error: `delivery not stored: ${why}` });
    }
    log.debug(`delivery ${id} (${name}): ${outcome}`);
    return answer(202, { delivery: id, outcome });
  };
}

/**
 * The web role: deliveries are stored in Redis, not handled here. Probot's server asks its Probot
 * for the webhook middleware when it starts (and serverApp asks again for `/`): this Probot hands
 * out acceptDeliveries instead.
 */
function enqueueApp(deliveries: DeliveryQueue, log: Logger, webhookPath: string): ApplicationFunction {
  return (probot, options) => {
    probot.getNodeMiddleware = async ({ path } = {}) => acceptDeliveries(path ?? webhookPath, probot, deliveries, log);
    options.addHandler(readyHandler(() => deliveries.ready));
  };
}

/** The worker role's own small HTTP server: GET /ping (alive) and GET /ready (Redis reachable), for probes. */
async function listenHealth(env: NodeJS.ProcessEnv, ready: () => boolean): Promise<{ close(): Promise<void> }> {
  const isReady = readyHandler(ready);
  const server = createServer((req, res) => {
    if ((req.url ?? "").split("?")[0] === "/ping") res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
    else if (!isReady(req, res)) res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new StartupError(`PORT: cannot listen on ${env.PORT ?? 3000}: ${err.message}`)));
    server.listen(Number(env.PORT) || 3000, env.HOST || undefined, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Start the server from `env` (process.env, already completed from .env by the caller). Probot's
 * run() assigns .env over process.env again; that is undone at once, so a value from the shell
 * always wins, and run() itself reads its options from `env`, not from the file.
 *
 * Without REDIS_URL, one process does everything. With it (see queue.ts), ROLE=web stores
 * deliveries, ROLE=worker handles them, and ROLE=all (the default) does both in one process.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<ProbotServer | undefined> {
  const problem = startupProblem(env);
  if (problem) throw new StartupError(problem);
  const queued = queueSettingsFromEnv(env);
  if (queued) await checkRedis(queued.redisUrl);
  const log = await createLog(env);
  // run() assigns .env over process.env synchronously before its first await; with `log` given,
  // nothing in between reads process.env (the production no-credentials branch is refused above),
  // and its options come from this copy, taken before.
  const snapshot = { ...process.env };
  const options = { ...env };
  // METRICS=1: /metrics on METRICS_PORT, a port of its own (see metrics.ts).
  const metricsSettings = metricsSettingsFromEnv(options);
  const metrics = metricsSettings ? new Metrics() : undefined;
  const Octokit = createAppOctokit(octokitSettingsFromEnv(options), metrics);
  const deliveries = queued && queued.role !== "worker" ? await DeliveryQueue.open(queued, log) : undefined;
  const webhookPath = options.WEBHOOK_PATH || "/api/github/webhooks";
  const handlers = deliveries ? enqueueApp(deliveries, log, webhookPath) : createApp({ metrics });
  const starting = queued?.role === "worker" ? undefined : run(serverApp(handlers), { env: options, log, Octokit });
  restoreEnv(process.env, snapshot);
  // Probot handles SIGINT for an app function; a container is stopped with SIGTERM. The handlers
  // go on before start-up ends (a signal while connecting to WEBHOOK_PROXY_URL stops cleanly too).
  const running: { server?: ProbotServer; closers: { close(): Promise<void> }[] } = { closers: [] };
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: stopping review-router`);
    Promise.all([running.server?.stop(), ...running.closers.map((c) => c.close())]).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  const onSignal = () => {
    process.removeAllListeners("SIGINT");
    process.on("SIGINT", () => stop("SIGINT"));
  };
  onSignal();
  process.on("SIGTERM", () => stop("SIGTERM"));
  if (deliveries) running.closers.push(deliveries);
  const server = await starting?.catch((err: unknown) => {
    // smee-client rejects with the EventSource's error event, not an Error.
    if (env.WEBHOOK_PROXY_URL && !(err instanceof Error)) {
      const url = env.WEBHOOK_PROXY_URL;
      throw new StartupError(`WEBHOOK_PROXY_URL: cannot connect to ${url}; check the channel URL (a new one: https://smee.io/new)`);
    }
    throw err;
  });
  running.server = server;
  if (queued) {
    // /metrics counts the shared queue's jobs (from Redis, at each scrape), whichever role serves it.
    let source: { counts(): Promise<Record<string, number>> } | undefined = deliveries;
    const queueMetrics = metrics?.queueMetrics(() => source?.counts() ?? Promise.resolve({}));
    if (queued.role !== "web") {
      // The worker's own Probot: the app's handlers, fed from the queue instead of an HTTP request.
      const probot = createProbot({ env: options, overrides: { log, Octokit } });
      await probot.load(createApp({ metrics }));
      const worker = startWorker(queued, (d) => handleDelivery(probot, d), log, queueMetrics);
      source ??= worker;
      running.closers.unshift(worker); // stop taking jobs first; the active ones finish
      if (queued.role === "worker") running.closers.push(await listenHealth(options, () => worker.ready));
      log.info(`worker taking deliveries from Redis at ${redisAddress(queued.redisUrl)}, ${queued.concurrency} at a time`);
    }
  }
  if (metrics && metricsSettings) {
    const listener = await listenMetrics(metrics, metricsSettings);
    running.closers.push(listener);
    log.info(`metrics served at ${listener.url}`);
  }
  // run() has added its own SIGINT listener by now: ours replaces it.
  onSignal();
  return server;
}

/** The one seam between the queue and the app: hand a stored delivery to the app's handlers, as an HTTP delivery reaches them. */
export function handleDelivery(probot: Probot, d: Delivery): Promise<void> {
  return probot.receive({ id: d.id, name: d.name, payload: d.payload } as unknown as Parameters<Probot["receive"]>[0]);
}

if (isMainModule(import.meta.url)) {
  const fail = (err: unknown) => {
    const message = err instanceof StartupError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`${startupFailureLine(process.env, message)}\n`);
    process.exit(1);
  };
  try {
    // The one .env loader: it never overrides a value the environment already has.
    loadEnvFile(join(process.cwd(), ".env"), process.env);
    startServer().catch(fail);
  } catch (err) {
    fail(err);
  }
}
