// How long the CLI, the sweep and the Action wait on a rate limit, read from GitHub's answer, and
// the line they end with when the limit outlasts the retries.

import { describe, expect, it } from "vitest";
import { describeGitHubError, rateLimitWait } from "../../src/app/rest.js";

const NOW = Date.UTC(2026, 0, 7, 12, 0, 0);
const refused = (status: number, message: string, headers: Record<string, string>) =>
  Object.assign(new Error(message), { status, response: { headers } });

describe("rateLimitWait", () => {
  it("takes retry-after, else the time to x-ratelimit-reset when no request is left, else a minute for a secondary limit", () => {
    expect(rateLimitWait(refused(403, "You have exceeded a secondary rate limit", { "retry-after": "7" }), NOW)).toBe(7);
    expect(rateLimitWait(refused(429, "Too many requests", { "retry-after": "2" }), NOW)).toBe(2);
    const reset = String(NOW / 1000 + 42);
    expect(rateLimitWait(refused(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }), NOW)).toBe(
      42,
    );
    expect(rateLimitWait(refused(403, "You have exceeded a secondary rate limit.", {}), NOW)).toBe(60);
  });

  it("is undefined for a 403 that is no rate limit (a token without the scope), and for other failures", () => {
    expect(rateLimitWait(refused(403, "Resource not accessible by integration", { "x-ratelimit-remaining": "4999" }), NOW)).toBeUndefined();
    expect(rateLimitWait(refused(500, "Server Error", { "retry-after": "1" }), NOW)).toBeUndefined();
    expect(rateLimitWait(new Error("socket hang up"), NOW)).toBeUndefined();
  });
});

describe("describeGitHubError", () => {
  it("names a rate limit as one, not as a missing scope", () => {
    const line = describeGitHubError(refused(403, "You have exceeded a secondary rate limit.", { "retry-after": "120" }), "acme/x", "u");
    expect(line).toMatch(
      /^GitHub's rate limit stopped the requests for acme\/x \(403 You have exceeded a secondary rate limit\.\); it asks to wait 120 s more/,
    );
    const scope = describeGitHubError(refused(403, "Resource not accessible by integration", {}), "acme/x", "u");
    expect(scope).toContain("check its scopes or permissions");
  });
});
