// The candidate-signals request over HTTP against the stand-in, which validates it against
// GitHub's public schema and answers from its state: the app's query, variables and parser agree.
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchCandidateSignals } from "../../src/app/candidate-signals.js";
import { GitHubStandIn } from "./github-stand-in.js";

describe("GraphQL on the stand-in", () => {
  const standIn = new GitHubStandIn(77);
  let octokit: Octokit;
  beforeAll(async () => {
    await standIn.start();
    octokit = new Octokit({ auth: "tok-5", baseUrl: `http://${standIn.host}/api/v3` });
  });
  afterAll(() => standIn.stop());

  it("answers the availability query: busy, expired, missing user, loads", async () => {
    standIn.graphql.statuses.set("ann", { indicatesLimitedAvailability: true, message: "Away" });
    standIn.graphql.statuses.set("bob", { indicatesLimitedAvailability: true, expiresAt: "2026-11-30T00:00:00Z" });
    standIn.graphql.statuses.set("gone", null);
    standIn.graphql.openReviews.set("pytorch/pytorch\u0000cat", 16);
    const r = await fetchCandidateSignals(
      (q, p) => octokit.graphql(q, p),
      "pytorch/pytorch",
      ["ann", "bob", "cat", "gone"],
      new Date("2026-12-01T00:00:00Z"),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.signals.busy]).toEqual([["ann", { message: "Away" }]]);
    expect([...r.signals.openReviews]).toEqual([
      ["ann", 0],
      ["bob", 0],
      ["cat", 16],
      ["gone", 0],
    ]);
    expect(r.missing).toEqual(["gone"]);
    expect(r.errors).toEqual(["Could not resolve to a User with the login of 'gone'."]);
    const sent = standIn.requests.filter((q) => q.path === "/api/graphql");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ query: r.query.query, variables: r.query.variables });
  });

  it("refuses a query GitHub's schema refuses, and the app falls back", async () => {
    const broken = (q: string, p?: Record<string, unknown>) => octokit.graphql(q.replace("issueCount", "count"), p);
    const r = await fetchCandidateSignals(broken, "pytorch/pytorch", ["ann"], new Date());
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(/^the availability query failed: [^\n]*Cannot query field "count" on type "SearchResultItemConnection"/);
  });
});
