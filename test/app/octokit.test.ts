// The server's Octokit with write pacing on, against a nock-mocked GitHub: writes and GraphQL
// mutations are spaced a second apart per installation; GraphQL queries are not (GitHub asks
// apps to pause between mutative requests only), and they still carry the installation's token.

import { generateKeyPairSync } from "node:crypto";
import { validate } from "@octokit/graphql-schema";
import nock from "nock";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { createAppOctokit, isGraphqlQuery } from "../../src/app/octokit.js";
import { API, mockInstallationToken } from "../helpers/github.js";
import { APP_ID, INSTALLATION_ID } from "../helpers/probot.js";
import { useStrictNock } from "../helpers/strict-nock.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

describe("isGraphqlQuery", () => {
  it("tells queries from mutations and subscriptions, after comments and blank lines", () => {
    expect(isGraphqlQuery("query ReviewRouterPullRequest($n: Int!) { viewer { login } }")).toBe(true);
    expect(isGraphqlQuery("  \n# the viewer\n{ viewer { login } }")).toBe(true);
    expect(isGraphqlQuery({ query: "query { viewer { login } }" })).toBe(true);
    expect(isGraphqlQuery("mutation AddLabel { addLabelsToLabelable(input: {}) { clientMutationId } }")).toBe(false);
    expect(isGraphqlQuery("# query\nmutation { x }")).toBe(false);
    expect(isGraphqlQuery("subscription { x }")).toBe(false);
    expect(isGraphqlQuery("queryX { x }")).toBe(false);
    expect(isGraphqlQuery(undefined)).toBe(false);
  });
});

/** An installation's client from the server's Octokit with these settings (its token request mocked). */
async function clientWith(settings: Parameters<typeof createAppOctokit>[0]) {
  const probot = new Probot({ appId: APP_ID, privateKey, Octokit: createAppOctokit(settings), logLevel: "fatal" });
  mockInstallationToken();
  return probot.auth(INSTALLATION_ID);
}

describe("the server's Octokit with write pacing on", () => {
  useStrictNock();

  const installationClient = () => clientWith({ requestTimeoutMs: 5000, pacing: true, retryBaseMs: 100 });

  /** Answer `count` POST /graphql requests (matching `kind`), recording when each arrived and its token. */
  function graphqlArrivals(count: number, kind: RegExp): { at: number; auth: string }[] {
    const seen: { at: number; auth: string }[] = [];
    nock(API)
      .post("/graphql", (b: { query?: string }) => kind.test(b.query ?? ""))
      .times(count)
      .reply(function () {
        seen.push({ at: Date.now(), auth: String(this.req.headers.authorization) });
        return [200, { data: { viewer: { login: "review-router[bot]" } } }];
      });
    return seen;
  }

  const QUERY = "query Who { viewer { login } }";
  const MUTATION = 'mutation React { addReaction(input: { subjectId: "I_1", content: HOORAY }) { clientMutationId } }';

  it("sends queries at once, with the installation's token, and spaces mutations a second apart", async () => {
    expect([...validate(QUERY), ...validate(MUTATION)]).toEqual([]);
    const octokit = await installationClient();
    const queries = graphqlArrivals(3, /^query /);
    await Promise.all([1, 2, 3].map(() => octokit.graphql(QUERY)));
    expect(queries.map((q) => q.auth)).toEqual(["token test", "token test", "token test"]);
    expect(queries[2]!.at - queries[0]!.at).toBeLessThan(900);

    const mutations = graphqlArrivals(2, /^mutation /);
    await Promise.all([1, 2].map(() => octokit.graphql(MUTATION)));
    expect(mutations[1]!.at - mutations[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("still spaces REST writes per installation: one at a time, the next a second after the answer to the one before", async () => {
    const octokit = await installationClient();
    const sent: number[] = [];
    // The first answer takes 600 ms: the second write leaves a second after it, not a second after the first left.
    for (const delay of [600, 0]) {
      nock(API)
        .post("/repos/pytorch/pytorch/issues/6/labels")
        .delay(delay)
        .reply(() => {
          sent.push(Date.now());
          return [200, []];
        });
    }
    const add = () => octokit.rest.issues.addLabels({ owner: "pytorch", repo: "pytorch", issue_number: 6, labels: ["x"] });
    const started = Date.now();
    await Promise.all([add(), add()]);
    // nock stamps the first after its 600 ms delay, as it answers.
    expect(sent[0]! - started).toBeGreaterThanOrEqual(600);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(1000);
  });

  it("keeps review requests and other writes a second apart: a review request's 3 s notification wait comes before its write slot", async () => {
    const octokit = await installationClient();
    const at: { what: string; at: number }[] = [];
    const record = (what: string) => () => {
      at.push({ what, at: Date.now() });
      return [200, {}] as [number, object];
    };
    nock(API).post("/repos/pytorch/pytorch/pulls/5/requested_reviewers").times(2).reply(record("review"));
    nock(API).post("/repos/pytorch/pytorch/issues/5/labels").times(2).reply(record("label"));
    const review = () => octokit.rest.pulls.requestReviewers({ owner: "pytorch", repo: "pytorch", pull_number: 5, reviewers: ["a"] });
    const label = () => octokit.rest.issues.addLabels({ owner: "pytorch", repo: "pytorch", issue_number: 5, labels: ["x"] });
    // Were the write slot taken first, the second review request would wait 3 s for its notification
    // slot after it and go out beside the last label write.
    await Promise.all([review(), review(), label(), label()]);
    const times = at.map((a) => a.at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(at).toHaveLength(4);
    // Beside each other (the fault) is a few milliseconds; a loaded machine delays a paced one by some 100 ms.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(700);
  }, 15_000);
});

describe("the server's Octokit when GitHub does not answer in time", () => {
  useStrictNock();

  const client = () => clientWith({ requestTimeoutMs: 300, pacing: false, retryBaseMs: 10 });

  it("asks again for a read, but does not send a timed-out write twice: GitHub may have carried it out", async () => {
    const octokit = await client();
    // The read: no answer in time once, then an answer.
    nock(API).get("/repos/o/r/issues/1/labels").delay(1000).reply(200, []);
    nock(API)
      .get("/repos/o/r/issues/1/labels")
      .reply(200, [{ name: "bug" }]);
    const read = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      owner: "o",
      repo: "r",
      issue_number: 1,
    });
    expect(read.data).toEqual([{ name: "bug" }]);
    // The write: one request, no second one (the strict nock would refuse it), and an error that says why.
    nock(API)
      .post("/repos/o/r/issues/1/labels", { labels: ["bug"] })
      .delay(1000)
      .reply(200, [{ name: "bug" }]);
    const write = octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      owner: "o",
      repo: "r",
      issue_number: 1,
      labels: ["bug"],
    });
    await expect(write).rejects.toThrow(
      /^request timeout: no answer within 300 ms to a POST; GitHub may have carried it out, so it is not sent again$/,
    );
  });
});
