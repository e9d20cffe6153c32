// An @octokit/rest client for the adapters that run without the app's credentials: the online
// CLI, the sweep and the GitHub Action. The token comes from the environment (or `gh auth token`);
// the API from GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3).

import { execFileSync } from "node:child_process";
import { Octokit } from "@octokit/rest";
import { httpStatus } from "../core/util.js";
import { isRateLimited } from "./metrics.js";

export const DEFAULT_API_URL = "https://api.github.com";

/** GITHUB_TOKEN, else GH_TOKEN, else what `gh auth token` prints (when gh is installed and logged in). */
export function resolveToken(env: NodeJS.ProcessEnv, ghToken: () => string | undefined = ghAuthToken): string | undefined {
  const fromEnv = (env.GITHUB_TOKEN ?? env.GH_TOKEN ?? "").trim();
  if (fromEnv !== "") return fromEnv;
  return ghToken();
}

function ghAuthToken(): string | undefined {
  try {
    const out = execFileSync("gh", ["auth", "token"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
    return out === "" ? undefined : out;
  } catch {
    return undefined; // gh absent or not logged in
  }
}

/** Longest retry-after (seconds) waited out on a rate limit: by a delivery (octokit.ts), and by the CLI, the sweep and the Action. */
export const MAX_SECONDARY_WAIT_S = 60;

/** Waits on a rate limit per request before giving up (each at most MAX_SECONDARY_WAIT_S, as the server waits). */
export const RATE_LIMIT_RETRIES = 3;

/**
 * How long (seconds) GitHub asks to wait before trying again, when `err` is a rate limit: its
 * `retry-after`, else the time to `x-ratelimit-reset` when no request is left, else a minute for
 * a secondary rate limit that names no time (GitHub's advice). Undefined for any other failure.
 */
export function rateLimitWait(err: unknown, nowMs: number): number | undefined {
  const status = httpStatus(err);
  if (status !== 403 && status !== 429) return undefined;
  const headers = ((err as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {}) as Record<string, unknown>;
  const message = String((err as { message?: unknown }).message ?? "");
  if (!isRateLimited(err) && !/secondary rate limit/i.test(message)) return undefined;
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return Math.max(0, Math.ceil(retryAfter));
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset)) return Math.max(0, Math.ceil(reset - nowMs / 1000));
  return 60;
}

export interface RestOptions {
  /** Hears each wait on a rate limit, as one line ("GitHub's rate limit on GET ...: waiting 3 s ..."). */
  onRateLimit?: (line: string) => void;
  /** The wait itself (tests shorten nothing: they answer with a short retry-after). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The client of the CLI, the sweep and the Action. A rate-limited request (403 or 429 with
 * retry-after, or no request left) is waited out and retried, up to RATE_LIMIT_RETRIES times and
 * MAX_SECONDARY_WAIT_S each, as the server's client does; past that the error is thrown.
 */
export function restOctokit(token: string, apiUrl: string, options: RestOptions = {}): Octokit {
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({ auth: token, baseUrl: apiUrl.replace(/\/+$/, ""), userAgent: "review-router", log: quiet });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  octokit.hook.wrap("request", async (request, params) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(params);
      } catch (err) {
        const wait = rateLimitWait(err, Date.now());
        if (wait === undefined || attempt > RATE_LIMIT_RETRIES || wait > MAX_SECONDARY_WAIT_S) throw err;
        const what = `${params.method} ${params.url}`;
        options.onRateLimit?.(
          `GitHub's rate limit on ${what} (${httpStatus(err)}): waiting ${wait} s, then trying again (${attempt} of ${RATE_LIMIT_RETRIES})`,
        );
        await sleep(wait * 1000);
      }
    }
  });
  return octokit;
}

/** One line saying what went wrong talking to GitHub about `what`, and what to do. */
export function describeGitHubError(err: unknown, what: string, apiUrl: string): string {
  const status = httpStatus(err);
  const message = (err as { message?: string }).message ?? String(err);
  // Octokit reports a connection that failed as a 500 carrying the network error's message.
  if (status === undefined || (status === 500 && /ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|fetch failed|socket|abort/i.test(message))) {
    return `cannot reach ${apiUrl} for ${what}: ${message}`;
  }
  if (status === 401) return `GitHub refused the token (401 ${message}); set GITHUB_TOKEN to a valid token`;
  const wait = rateLimitWait(err, Date.now());
  if (wait !== undefined) {
    return (
      `GitHub's rate limit stopped the requests for ${what} (${status} ${message}); ` +
      `it asks to wait ${wait} s more: run again later (each request waited out up to ${RATE_LIMIT_RETRIES} limits of at most ${MAX_SECONDARY_WAIT_S} s)`
    );
  }
  if (status === 403) return `GitHub forbids this with the token (403 ${message}); check its scopes or permissions for ${what}`;
  if (status === 404) return `${what} was not found (404): check the name, or give a token that can see it`;
  return `GitHub answered ${status} for ${what}: ${message}`;
}
