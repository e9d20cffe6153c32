// The GitHub port over @octokit/rest's Octokit (what a CLI or a GitHub Action holds), against a
// nock-mocked GitHub: the exact requests each call makes. Probot's context.octokit goes through
// the same port in test/app/index.test.ts.

import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { octokitPort } from "../../src/app/port.js";
import { checkRunDigest, type CheckRunsSeen } from "../../src/app/pull-request-read.js";
import { writeSummary } from "../../src/app/summary-writer.js";
import { COMMENT_MARKER, DELIVERY_NOTE_END, DELIVERY_NOTE_START } from "../../src/app/summary.js";
import { useStrictNock } from "../helpers/strict-nock.js";

const API = "https://api.github.com";
const REPO = "/repos/acme/widgets";
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const APP_ID = 77;
const DIGEST_TB = checkRunDigest("neutral", { title: "T", summary: "B" });

useStrictNock();

function port() {
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return octokitPort(new Octokit({ auth: "test-token", log: quiet }), { owner: "acme", repo: "widgets" }, APP_ID);
}

/** Capture the JSON bodies sent to `path` (one request), answering `status`. */
function capture(method: "post" | "delete", path: string, status = 201): unknown[] {
  const bodies: unknown[] = [];
  const scope = nock(API);
  (method === "post" ? scope.post(path) : scope.delete(path)).reply(
    status,
    (_uri, body) => {
      bodies.push(typeof body === "string" && body !== "" ? JSON.parse(body) : body);
      return status === 422 ? { message: "Reviews may only be requested from collaborators." } : {};
    },
    JSON_HEADERS,
  );
  return bodies;
}

describe("octokitPort", () => {
  it("requests users and teams, naming in the body only what is requested", async () => {
    const users = capture("post", `${REPO}/pulls/5/requested_reviewers`);
    const teams = capture("post", `${REPO}/pulls/5/requested_reviewers`);
    const both = capture("post", `${REPO}/pulls/5/requested_reviewers`);
    await port().requestReviews(5, { users: ["alice", "bob"], teams: [] });
    await port().requestReviews(5, { users: [], teams: ["core"] });
    await port().requestReviews(5, { users: ["alice"], teams: ["core"] });
    expect([users, teams, both]).toEqual([
      [{ reviewers: ["alice", "bob"] }],
      [{ team_reviewers: ["core"] }],
      [{ reviewers: ["alice"], team_reviewers: ["core"] }],
    ]);
  });

  it("throws GitHub's 422 with its status, for apply to request one by one", async () => {
    capture("post", `${REPO}/pulls/5/requested_reviewers`, 422);
    await expect(port().requestReviews(5, { users: ["mallory"], teams: [] })).rejects.toMatchObject({ status: 422 });
  });

  it("adds labels, removes one by its encoded name, and creates a comment", async () => {
    const added = capture("post", `${REPO}/issues/5/labels`, 200);
    capture("delete", `${REPO}/issues/5/labels/${encodeURIComponent("module: nn")}`, 200);
    const comments = capture("post", `${REPO}/issues/5/comments`);
    const p = port();
    await p.addLabels(5, ["module: optim", "docs"]);
    await p.removeLabel(5, "module: nn");
    await p.createComment(5, "hello");
    expect(added).toEqual([{ labels: ["module: optim", "docs"] }]);
    expect(comments).toEqual([{ body: "hello" }]);
  });

  it("lists every page of comments, a missing body as empty text, telling the app's own from others'", async () => {
    const page = (n: number) => ({ per_page: "100", ...(n > 1 ? { page: String(n) } : {}) });
    const next = { ...JSON_HEADERS, link: `<${API}${REPO}/issues/5/comments?per_page=100&page=2>; rel="next"` };
    nock(API)
      .get(`${REPO}/issues/5/comments`)
      .query(page(1))
      .reply(200, [{ id: 1, body: "a", performed_via_github_app: { id: APP_ID } }], next)
      .get(`${REPO}/issues/5/comments`)
      .query(page(2))
      .reply(200, [{ id: 2, body: null, performed_via_github_app: null }], JSON_HEADERS);
    expect(await port().listComments(5)).toEqual([
      { id: 1, body: "a", mine: true },
      { id: 2, body: "", mine: false },
    ]);
  });

  it("reads files and timeline by REST when the GraphQL read fails: renames kept, timeline folded with the app's id", async () => {
    const graphql: { query: string }[] = [];
    nock(API)
      .post("/graphql")
      .reply(502, (_uri, body) => {
        graphql.push(body as { query: string });
        return { message: "Bad gateway" };
      });
    nock(API)
      .get(`${REPO}/pulls/5/files`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ filename: "a.py" }, { filename: "b.py", previous_filename: "old/b.py" }], JSON_HEADERS);
    nock(API)
      .get(`${REPO}/issues/5/timeline`)
      .query({ per_page: "100", page: "1" })
      .reply(
        200,
        [
          { event: "labeled", label: { name: "docs" }, performed_via_github_app: { id: APP_ID } },
          { event: "labeled", label: { name: "triaged" }, performed_via_github_app: null },
          { event: "review_request_removed", requested_reviewer: { login: "carol" }, performed_via_github_app: null },
        ],
        JSON_HEADERS,
      );
    const read = await port().readPullRequest({
      number: 5,
      headSha: "c".repeat(40),
      changedFiles: 2,
      withCheckRuns: true,
      thread: { labels: [], requestedUsers: ["carol"], requestedTeams: [] },
    });
    expect(graphql.map((b) => b.query.split("(")[0])).toEqual(["query ReviewRouterPullRequest"]);
    expect(read.graphqlFailed).toMatch(/Bad gateway/);
    expect(read.checkRuns).toBeUndefined();
    expect(read.files).toEqual([{ path: "a.py" }, { path: "b.py", previousPath: "old/b.py" }]);
    const state = read.thread;
    expect([...state.labels]).toEqual(["docs", "triaged"]);
    expect([...state.labelsAddedByApp]).toEqual(["docs"]);
    expect(state.requestRemovedByHuman).toEqual(["carol"]);
    expect(state.requestedUsers).toEqual([]);
  });

  it("writes the summary as a check run on the head commit when none is there", async () => {
    nock(API)
      .get(`${REPO}/commits/abc/check-runs`)
      .query({ check_name: "review-router", per_page: "100" })
      .reply(200, { total_count: 0, check_runs: [] }, JSON_HEADERS);
    const created = capture("post", `${REPO}/check-runs`);
    await writeSummary(port(), 5, "abc", { mode: "check", summary: { title: "T", body: "B" }, conclusion: "neutral", appComments: [] });
    expect(created).toEqual([
      {
        name: "review-router",
        head_sha: "abc",
        external_id: DIGEST_TB,
        status: "completed",
        conclusion: "neutral",
        output: { title: "T", summary: "B" },
      },
    ]);
  });

  describe("with the check runs the pull request read found", () => {
    const write = (checkRuns: CheckRunsSeen) =>
      writeSummary(port(), 5, "abc", {
        mode: "check",
        summary: { title: "T", body: "B" },
        conclusion: "neutral",
        appComments: [],
        checkRuns,
      });
    const patch = () => {
      const bodies: unknown[] = [];
      nock(API)
        .patch(`${REPO}/check-runs/41`)
        .reply(200, (_uri, body) => (bodies.push(body), { id: 41 }), JSON_HEADERS);
      return bodies;
    };

    it("writes nothing when the head commit's run has the same digest", async () => {
      await write({ head: { id: 41, status: "completed", conclusion: "neutral", digest: DIGEST_TB } });
    });

    it("writes nothing on a new commit when the pull request's latest run says the same (a push that changed nothing)", async () => {
      await write({ head: null, latestDigest: DIGEST_TB });
    });

    it("writes nothing when only what one delivery read differs (the review history's evidence, set apart)", async () => {
      const chose = `${DELIVERY_NOTE_START}\n**Why these reviewers**: approved 3 pull requests touching web/\n${DELIVERY_NOTE_END}\nB`;
      const summary = { title: "T", body: chose };
      await writeSummary(port(), 5, "abc", {
        mode: "check",
        summary,
        conclusion: "neutral",
        appComments: [],
        checkRuns: { head: null, latestDigest: DIGEST_TB },
      });
    });

    it("creates the run on the new commit when the latest run says something else, without listing first", async () => {
      const created = capture("post", `${REPO}/check-runs`);
      await write({ head: null, latestDigest: checkRunDigest("neutral", { title: "T", summary: "older" }) });
      expect(created).toMatchObject([{ head_sha: "abc", external_id: DIGEST_TB, output: { title: "T", summary: "B" } }]);
    });

    it("updates the head commit's run in place when its digest differs, or it has none (written before digests)", async () => {
      const bodies = patch();
      await write({ head: { id: 41, status: "completed", conclusion: "neutral" } });
      expect(bodies).toEqual([
        { external_id: DIGEST_TB, status: "completed", conclusion: "neutral", output: { title: "T", summary: "B" } },
      ]);
    });

    it("looks the run's id up by REST when the read did not give it, then updates it", async () => {
      nock(API)
        .get(`${REPO}/commits/abc/check-runs`)
        .query({ check_name: "review-router", per_page: "100" })
        .reply(
          200,
          { total_count: 1, check_runs: [{ id: 41, status: "completed", conclusion: "failure", app: { id: APP_ID } }] },
          JSON_HEADERS,
        );
      const bodies = patch();
      await write({ head: { status: "completed", conclusion: "failure", digest: "rr1-other" } });
      expect(bodies).toHaveLength(1);
    });
  });
});

describe("octokitPort for commands", () => {
  it("withdraws review requests, reads a permission (404: none), and tells a new reaction (201) from an existing one (200)", async () => {
    const removed = capture("delete", `${REPO}/pulls/5/requested_reviewers`, 200);
    nock(API)
      .get(`${REPO}/collaborators/ann/permission`)
      .reply(200, { permission: "write", role_name: "maintain" }, JSON_HEADERS)
      .get(`${REPO}/collaborators/ghost/permission`)
      .reply(404, { message: "Not Found" }, JSON_HEADERS)
      .post(`${REPO}/issues/comments/9/reactions`, { content: "+1" })
      .reply(201, { id: 3, content: "+1" }, JSON_HEADERS)
      .post(`${REPO}/issues/comments/9/reactions`, { content: "+1" })
      .reply(200, { id: 3, content: "+1" }, JSON_HEADERS);
    const p = port();
    await p.removeReviewRequests(5, { users: ["bob"], teams: [] });
    expect(removed).toEqual([{ reviewers: ["bob"] }]);
    expect(await p.permissionLevel("ann")).toBe("maintain");
    expect(await p.permissionLevel("ghost")).toBe("none");
    expect(await p.addReaction(9, "+1")).toEqual({ created: true, id: 3 });
    expect(await p.addReaction(9, "+1")).toEqual({ created: false, id: 3 });
  });
});

describe("the summary comment", () => {
  const noted = `${COMMENT_MARKER}\n### review-router: T\n\n${DELIVERY_NOTE_START}\n**Why these reviewers**: approved 3 pull requests\n${DELIVERY_NOTE_END}\nB`;
  const write = (body: string) =>
    writeSummary(port(), 5, "abc", {
      mode: "comment",
      summary: { title: "T", body },
      conclusion: "neutral",
      appComments: [{ id: 9, body: noted }],
    });

  it("is left alone when only the delivery notes of the one that chose differ", async () => {
    await write("B");
  });

  it("is edited in place when the lasting text differs", async () => {
    const bodies: unknown[] = [];
    nock(API)
      .patch(`${REPO}/issues/comments/9`)
      .reply(200, (_uri, body) => (bodies.push(body), { id: 9 }), JSON_HEADERS);
    await write("C");
    expect(bodies).toEqual([{ body: `${COMMENT_MARKER}\n### review-router: T\n\nC` }]);
  });
});
