#!/usr/bin/env node
// `npm start`: run review-router with Probot's standard environment (APP_ID, PRIVATE_KEY or
// PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, WEBHOOK_PATH, GHE_HOST, GHE_PROTOCOL, LOG_LEVEL,
// LOG_FORMAT, and a .env file). Without credentials, outside production, Probot serves its
// setup page, which registers the app on GitHub from app.yml.

import { run } from "probot";
import { isMainModule } from "../io/is-main.js";
import { createApp } from "./index.js";
import { listenMetrics, Metrics, metricsSettingsFromEnv } from "./metrics.js";
import { createAppOctokit, octokitSettingsFromEnv } from "./octokit.js";

type ProbotServer = Awaited<ReturnType<typeof run>>;

/** Why the server must not start in this environment, or undefined when it may. */
export function startupProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_ENV === "production" && !env.WEBHOOK_SECRET) {
    return "WEBHOOK_SECRET is not set: in production every delivery must be signed. Set WEBHOOK_SECRET to the webhook secret of the GitHub App's settings.";
  }
  if (env.NODE_ENV === "production" && !octokitSettingsFromEnv(env).pacing) {
    return "GITHUB_WRITE_PACING is off: that is only for a local stand-in of GitHub. Unset it in production, where GitHub asks apps to pace writes.";
  }
  return undefined;
}

export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<ProbotServer> {
  const problem = startupProblem(env);
  if (problem) throw new Error(problem);
  // METRICS=1: /metrics on METRICS_PORT, a port of its own (see metrics.ts).
  const metricsSettings = metricsSettingsFromEnv(env);
  const metrics = metricsSettings && new Metrics();
  const server = await run(createApp({ metrics }), { Octokit: createAppOctokit(octokitSettingsFromEnv(env), metrics) });
  const metricsListener = metrics && (await listenMetrics(metrics, metricsSettings!));
  if (metricsListener) console.info(`metrics served at ${metricsListener.url}`);
  // Probot handles SIGINT for an app function; a container is stopped with SIGTERM.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`${signal} received: stopping review-router`);
    Promise.all([server.stop(), metricsListener?.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("error while stopping", err);
        process.exit(1);
      },
    );
  };
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  return server;
}


if (isMainModule(import.meta.url)) {
  // Probot reads .env when it starts; load it first so the production check sees it too.
  try {
    process.loadEnvFile?.();
  } catch {
    // no .env file: the environment alone configures the server
  }
  startServer().catch((err: unknown) => {
    console.error(`review-router: cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
