#!/usr/bin/env node
// `npm start`: run review-router with Probot's standard environment (APP_ID, PRIVATE_KEY or
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, WEBHOOK_PATH, WEBHOOK_PROXY_URL, GHE_HOST,
// GHE_PROTOCOL, LOG_LEVEL, LOG_FORMAT) and a .env file that fills in only what the environment
// lacks. Without credentials, outside production, Probot serves its setup page, which registers
// the app on GitHub from app.yml.

import { join } from "node:path";
import { run, type ApplicationFunction } from "probot";
import { isMainModule } from "../io/is-main.js";
import { loadEnvFile, restoreEnv, startupProblem as envProblem, StartupError } from "./env.js";
import { createApp } from "./index.js";
import { createLog, startupFailureLine } from "./log.js";
import { listenMetrics, Metrics, metricsSettingsFromEnv } from "./metrics.js";
import { createAppOctokit, octokitSettingsFromEnv } from "./octokit.js";

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
function serverApp(metrics: Metrics | undefined): ApplicationFunction {
  const app = createApp({ metrics });
  return async (probot, options) => {
    await app(probot, options);
    options.addHandler(await probot.getNodeMiddleware({ path: "/" }));
  };
}

/**
 * Start the server from `env` (process.env, already completed from .env by the caller). Probot's
 * run() assigns .env over process.env again; that is undone at once, so a value from the shell
 * always wins, and run() itself reads its options from `env`, not from the file.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<ProbotServer> {
  const problem = startupProblem(env);
  if (problem) throw new StartupError(problem);
  const log = await createLog(env);
  // run() assigns .env over process.env synchronously before its first await; with `log` given,
  // nothing in between reads process.env (the production no-credentials branch is refused above),
  // and its options come from this copy, taken before.
  const snapshot = { ...process.env };
  const options = { ...env };
  // METRICS=1: /metrics on METRICS_PORT, a port of its own (see metrics.ts).
  const metricsSettings = metricsSettingsFromEnv(options);
  const metrics = metricsSettings ? new Metrics() : undefined;
  const starting = run(serverApp(metrics), { env: options, log, Octokit: createAppOctokit(octokitSettingsFromEnv(options), metrics) });
  restoreEnv(process.env, snapshot);
  // Probot handles SIGINT for an app function; a container is stopped with SIGTERM. The handlers
  // go on before start-up ends (a signal while connecting to WEBHOOK_PROXY_URL stops cleanly too).
  const running: { server?: ProbotServer; metrics?: { close(): Promise<void> } } = {};
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: stopping review-router`);
    Promise.all([running.server?.stop(), running.metrics?.close()]).then(
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
  const server = await starting.catch((err: unknown) => {
    // smee-client rejects with the EventSource's error event, not an Error.
    if (env.WEBHOOK_PROXY_URL && !(err instanceof Error)) {
      const url = env.WEBHOOK_PROXY_URL;
      throw new StartupError(`WEBHOOK_PROXY_URL: cannot connect to ${url}; check the channel URL (a new one: https://smee.io/new)`);
    }
    throw err;
  });
  running.server = server;
  if (metrics && metricsSettings) {
    const listener = await listenMetrics(metrics, metricsSettings);
    running.metrics = listener;
    log.info(`metrics served at ${listener.url}`);
  }
  // run() has added its own SIGINT listener by now: ours replaces it.
  onSignal();
  return server;
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
