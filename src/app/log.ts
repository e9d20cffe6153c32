// The server's logger: Probot's own (pino through @probot/pino: JSON in production or with
// LOG_FORMAT=json, readable otherwise), with two noisy lines toned down. Probot does not export
// its logger factory, so it is built here the same way and handed to run().

import { getTransformStream } from "@probot/pino";
import { pino, type Logger, type LogFn } from "pino";

const INFO = 30;
const ERROR = 50;

/** Pino's message for a successful health check (pino-http's line is "GET /ping 200 - 1ms"). */
function isPingLine(args: unknown[]): boolean {
  return args.some((a) => typeof a === "string" && /^GET \/ping 200 /.test(a));
}

/** The error @octokit/webhooks raises for a delivery whose signature is not the secret's, if that is what is logged. */
function signatureError(args: unknown[]): Error | undefined {
  const err = args[0];
  if (!(err instanceof Error)) return undefined;
  const inner: unknown[] = err instanceof AggregateError ? err.errors : [err];
  return inner.find((e): e is Error => e instanceof Error && /signature does not match/i.test(e.message));
}

// The same rejected delivery is logged twice (by the webhook middleware and by Probot's error
// handler): only the first one makes a line.
const reported = new WeakSet<Error>();

/**
 * /ping (a health check every few seconds) goes to debug; a delivery with a bad signature is one
 * warning without a stack: it is the sender's fault or an attack, not the server's.
 */
export function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
  const list = args as unknown[];
  if (level === INFO && isPingLine(list)) {
    this.debug(...args);
    return;
  }
  const badSignature = level >= ERROR ? signatureError(list) : undefined;
  if (badSignature) {
    if (reported.has(badSignature)) return;
    reported.add(badSignature);
    this.warn("webhook delivery rejected: its signature does not match WEBHOOK_SECRET (check the app's webhook secret)");
    return;
  }
  method.apply(this, args);
}

/** Whether log lines are JSON, as Probot decides it. */
export function logFormat(env: NodeJS.ProcessEnv): "json" | "pretty" {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

export async function createLog(env: NodeJS.ProcessEnv = process.env): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: logFormat(env),
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(
    { name: "probot", level: env.LOG_LEVEL || "info", messageKey: env.LOG_MESSAGE_KEY || "msg", hooks: { logMethod } },
    transform,
  );
}

/** A line for a refusal before any logger exists: JSON when the logs are JSON, plain otherwise. */
export function startupFailureLine(env: NodeJS.ProcessEnv, message: string): string {
  if (logFormat(env) === "json") {
    return JSON.stringify({ level: 60, time: Date.now(), name: "review-router", msg: `cannot start: ${message}` });
  }
  return `review-router: cannot start: ${message}`;
}
