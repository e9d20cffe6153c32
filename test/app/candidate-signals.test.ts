// The candidates' availability and load: query builder and parser (pure), the query against
// GitHub's public schema, and the one request against nock.
import { validate } from "@octokit/graphql-schema";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  buildSignalsQuery,
  fetchCandidateSignals,
  MAX_SIGNAL_LOGINS,
  parseSignalsResponse,
  type GraphqlCall,
} from "../../src/app/candidate-signals.js";
import { API } from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const REPO = "pytorch/pytorch";

const EXPECTED_QUERY = `query CandidateSignals($login0: String!, $search0: String!, $login1: String!, $search1: String!) {
  user0: user(login: $login0) { status { indicatesLimitedAvailability expiresAt message } }
  load0: search(query: $search0, type: ISSUE) { issueCount }
  user1: user(login: $login1) { status { indicatesLimitedAvailability expiresAt message } }
  load1: search(query: $search1, type: ISSUE) { issueCount }
}`;

describe("buildSignalsQuery", () => {
  it("asks about each candidate once, through variables and numbered aliases", () => {
    const q = buildSignalsQuery(REPO, ["albanD", "ALBAND", "not a login", "mruberry", "-bad-"]);
    expect(q.logins).toEqual(["albanD", "mruberry"]);
    expect(q.query).toBe(EXPECTED_QUERY);
    expect(q.variables).toEqual({
      login0: "albanD",
      search0: "is:pr is:open review-requested:albanD repo:pytorch/pytorch",
      login1: "mruberry",
      search1: "is:pr is:open review-requested:mruberry repo:pytorch/pytorch",
    });
  });

  it("caps the number of candidates asked about", () => {
    const many = Array.from({ length: MAX_SIGNAL_LOGINS + 10 }, (_, i) => `user${i}`);
    expect(buildSignalsQuery(REPO, many).logins).toEqual(many.slice(0, MAX_SIGNAL_LOGINS));
  });

  it("is valid against GitHub's public GraphQL schema", () => {
    for (const logins of [["alice"], ["alice", "bob", "carol-d"]]) {
      expect(validate(buildSignalsQuery(REPO, logins).query).map((e) => e.message)).toEqual([]);
    }
    // The check can fail: a field GitHub does not have, or a wrong variable type, is refused.
    const q = buildSignalsQuery(REPO, ["alice"]).query;
    expect(validate(q.replace("issueCount", "pullRequestCount")).length).toBeGreaterThan(0);
    expect(validate(q.replace("$search0: String!", "$search0: Int!")).length).toBeGreaterThan(0);
  });
});

describe("parseSignalsResponse", () => {
  it("reads busy statuses, expiry and loads, and tolerates null users and missing fields", () => {
    const asked = ["ann", "bob", "cat", "dan", "eve"];
    const parsed = parseSignalsResponse(
      asked,
      {
        user0: { status: { indicatesLimitedAvailability: true, expiresAt: null, message: "On leave" } },
        load0: { issueCount: 3 },
        user1: { status: { indicatesLimitedAvailability: true, expiresAt: "2026-12-01T11:00:00Z", message: "" } },
        load1: { issueCount: 0 },
        user2: { status: null },
        load2: { issueCount: 21 },
        user3: null,
        load3: null,
        user4: { status: { indicatesLimitedAvailability: true, expiresAt: "2026-12-24T00:00:00Z", message: null } },
      },
      NOW,
    );
    expect([...parsed.signals.busy]).toEqual([
      ["ann", { message: "On leave" }],
      ["eve", { expiresAt: "2026-12-24T00:00:00Z" }],
    ]);
    expect([...parsed.signals.openReviews]).toEqual([
      ["ann", 3],
      ["bob", 0],
      ["cat", 21],
    ]);
    expect(parsed.missing).toEqual(["dan"]);
    expect(parsed.unknown).toEqual(["eve"]);
  });

  it("never throws on a response of the wrong shape", () => {
    for (const data of [null, undefined, "text", [], { user0: "x", load0: { issueCount: -1 } }]) {
      const parsed = parseSignalsResponse(["ann"], data, NOW);
      expect(parsed.signals.busy.size + parsed.signals.openReviews.size).toBe(0);
      expect(parsed.unknown).toEqual(["ann"]);
    }
  });
});

describe("fetchCandidateSignals", () => {
  useStrictNock();

  const octokit = () => new Octokit({ auth: "test-token" });
  const graphqlOf =
    (o: Octokit): GraphqlCall =>
    (query, parameters) =>
      o.graphql(query, parameters);
  const expectBody = { query: EXPECTED_QUERY, variables: buildSignalsQuery(REPO, ["alice", "bob"]).variables };

  it("sends one request with the exact query and variables, and returns the signals", async () => {
    const scope = nock(API)
      .post("/graphql", expectBody)
      .reply(200, {
        data: {
          user0: { status: { indicatesLimitedAvailability: true, expiresAt: null, message: "Busy" } },
          load0: { issueCount: 2 },
          user1: { status: null },
          load1: { issueCount: 17 },
        },
      });
    const r = await fetchCandidateSignals(graphqlOf(octokit()), REPO, ["alice", "bob"], NOW);
    scope.done();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.signals.busy.keys()]).toEqual(["alice"]);
    expect([...r.signals.openReviews]).toEqual([
      ["alice", 2],
      ["bob", 17],
    ]);
    expect(r.errors).toEqual([]);
  });

  it("keeps the partial data of a response with errors (a login with no user)", async () => {
    const scope = nock(API)
      .post("/graphql", expectBody)
      .reply(200, {
        data: { user0: null, load0: null, user1: { status: null }, load1: { issueCount: 1 } },
        errors: [{ type: "NOT_FOUND", path: ["user0"], message: "Could not resolve to a User with the login of 'alice'." }],
      });
    const r = await fetchCandidateSignals(graphqlOf(octokit()), REPO, ["alice", "bob"], NOW);
    scope.done();
    expect(r).toMatchObject({
      ok: true,
      missing: ["alice"],
      unknown: [],
      errors: ["Could not resolve to a User with the login of 'alice'."],
    });
    if (r.ok) expect([...r.signals.openReviews]).toEqual([["bob", 1]]);
  });

  it("falls back on a server error", async () => {
    const scope = nock(API).post("/graphql", expectBody).reply(502, { message: "Bad gateway" });
    const r = await fetchCandidateSignals(graphqlOf(octokit()), REPO, ["alice", "bob"], NOW);
    scope.done();
    expect(r).toEqual({ ok: false, reason: "the availability query failed: Bad gateway" });
  });

  it("falls back on a time-out", async () => {
    const scope = nock(API).post("/graphql", expectBody).delay(2000).reply(200, { data: {} });
    const r = await fetchCandidateSignals(graphqlOf(octokit()), REPO, ["alice", "bob"], NOW, 100);
    scope.done();
    expect(r).toEqual({ ok: false, reason: "GitHub did not answer the availability query within 100 ms" });
  });

  it("makes no request without a valid candidate", async () => {
    const r = await fetchCandidateSignals(graphqlOf(octokit()), REPO, ["not a login"], NOW);
    expect(r).toMatchObject({ ok: true, missing: [], unknown: [] });
  });
});
