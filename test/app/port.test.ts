// The GitHub port over @octokit/rest's Octokit (what a CLI or a GitHub Action holds), against a
// nock-mocked GitHub: the exact requests each call makes. Probot's context.octokit goes through
// the same port in test/app/index.test.ts.

import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { octokitPort } from "../../src/app/port.js";
import { useStrictNock } from "../helpers/strict-nock.js";

const API = "https://api.github.com";
const REPO = "/repos/acme/widgets";
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const APP_ID = 77;

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

  it("lists the first 100 comments, a missing body as empty text", async () => {
    nock(API)
      .get(`${REPO}/issues/5/comments`)
      .query({ per_page: "100" })
      .reply(
        200,
        [
          { id: 1, body: "a" },
          { id: 2, body: null },
        ],
        JSON_HEADERS,
      );
    expect(await port().listComments(5)).toEqual([
      { id: 1, body: "a" },
      { id: 2, body: "" },
    ]);
  });

  it("reads changed files (with renames) and folds the timeline with the app's id", async () => {
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
    const p = port();
    expect(await p.listChangedFiles(5, 2)).toEqual({ files: [{ path: "a.py" }, { path: "b.py", previousPath: "old/b.py" }] });
    const state = await p.readThreadState(5, { labels: [], requestedUsers: ["carol"], requestedTeams: [] });
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
    await port().writeSummary(5, "abc", { mode: "check", summary: { title: "T", body: "B" }, conclusion: "neutral", appComments: [] });
    expect(created).toEqual([
      { name: "review-router", head_sha: "abc", status: "completed", conclusion: "neutral", output: { title: "T", summary: "B" } },
    ]);
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
