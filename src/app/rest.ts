// An @octokit/rest client for the adapters that run without the app's credentials: the online
// CLI, the sweep and the GitHub Action. The token comes from the environment (or `gh auth token`);
// the API from GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3).

import { execFileSync } from "node:child_process";
import { Octokit } from "@octokit/rest";
import { httpStatus } from "../core/util.js";

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

export function restOctokit(token: string, apiUrl: string): Octokit {
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return new Octokit({ auth: token, baseUrl: apiUrl.replace(/\/+$/, ""), userAgent: "review-router", log: quiet });
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
  if (status === 403) return `GitHub forbids this with the token (403 ${message}); check its scopes or permissions for ${what}`;
  if (status === 404) return `${what} was not found (404): check the name, or give a token that can see it`;
  return `GitHub answered ${status} for ${what}: ${message}`;
}
