// The port calls the online CLI, the sweep and the Action add, over @octokit/rest with nock: the
// exact requests, and how a missing file and an oversized one are told apart from failures.

import { Octokit } from "@octokit/rest";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { loadBundled } from "../../src/app/index.js";
import { octokitPort } from "../../src/app/port.js";
import { loadRepoConfig, MAX_CONFIG_BYTES } from "../../src/app/repo-config.js";
import { describeGitHubError } from "../../src/app/rest.js";
import { useStrictNock } from "../helpers/strict-nock.js";

const API = "https://api.github.com";
const REPO = "/repos/acme/widgets";
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

useStrictNock();

function port() {
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return octokitPort(new Octokit({ auth: "test-token", log: quiet, request: { retries: 0 } }), { owner: "acme", repo: "widgets" }, 77);
}

const PULL = {
  number: 5,
  state: "open",
  draft: true,
  user: { login: "zed" },
  head: { sha: "abc" },
  changed_files: 2,
  labels: [{ name: "docs" }],
  requested_reviewers: [{ login: "carol" }],
  requested_teams: [{ slug: "core" }],
};

describe("octokitPort, online calls", () => {
  it("withdraws review requests with DELETE and the logins in the body", async () => {
    const bodies: unknown[] = [];
    nock(API)
      .delete(`${REPO}/pulls/5/requested_reviewers`)
      .reply(
        200,
        (_uri, body) => {
          bodies.push(typeof body === "string" ? JSON.parse(body) : body);
          return {};
        },
        JSON_HEADERS,
      );
    await port().removeReviewRequests(5, { users: ["carol", "dave"], teams: [] });
    expect(bodies).toEqual([{ reviewers: ["carol", "dave"] }]);
  });

  it("loads the configuration as the app does: the contents API on the default branch, layered over the bundled one", async () => {
    const text = "summary: comment\nmodules:\n  - {name: Web, label: web, maintainers: [alice], paths: [web/**]}\n";
    const content = Buffer.from(text, "utf8").toString("base64");
    nock(API)
      .get(`${REPO}/contents/.github%2Freview-router.yml`)
      .reply(200, { type: "file", path: ".github/review-router.yml", size: text.length, encoding: "base64", content }, JSON_HEADERS);
    const loaded = await loadRepoConfig(port(), loadBundled());
    expect(loaded.kind).toBe("ok");
    if (loaded.kind !== "ok") return;
    expect(loaded.config.app.summary).toBe("comment");
    // acme is outside the bundled organisations: only the file's own module.
    expect(loaded.config.modules.map((m) => m.name)).toEqual(["Web"]);
  });

  it("refuses a configuration over the size limit from its size, and passes other failures on", async () => {
    nock(API)
      .get(`${REPO}/contents/.github%2Freview-router.yml`)
      .reply(
        200,
        { type: "file", path: ".github/review-router.yml", size: MAX_CONFIG_BYTES + 1, encoding: "none", content: "" },
        JSON_HEADERS,
      );
    const big = await loadRepoConfig(port(), loadBundled());
    expect(big.kind).toBe("error");
    nock(API)
      .get(`${REPO}/contents/.github%2Freview-router.yml`)
      .reply(403, { message: "Resource not accessible by integration" }, JSON_HEADERS);
    await expect(loadRepoConfig(port(), loadBundled())).rejects.toMatchObject({ status: 403 });
  });

  it("reads a pull request into the event's view", async () => {
    nock(API).get(`${REPO}/pulls/5`).reply(200, PULL, JSON_HEADERS);
    expect(await port().getPullRequest(5)).toEqual({
      number: 5,
      state: "open",
      author: "zed",
      draft: true,
      headSha: "abc",
      changedFiles: 2,
      thread: { labels: ["docs"], requestedUsers: ["carol"], requestedTeams: ["core"] },
    });
  });

  it("lists open pull requests newest first, page by page, up to the limit", async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...PULL, number: from - i, changed_files: undefined }));
    nock(API)
      .get(`${REPO}/pulls`)
      .query({ state: "open", sort: "created", direction: "desc", per_page: "100", page: "1" })
      .reply(200, page(500, 100), JSON_HEADERS)
      .get(`${REPO}/pulls`)
      .query({ state: "open", sort: "created", direction: "desc", per_page: "100", page: "2" })
      .reply(200, page(400, 30), JSON_HEADERS);
    const prs = await port().listOpenPullRequests(120);
    expect(prs.map((p) => p.number)).toEqual(Array.from({ length: 120 }, (_, i) => 500 - i));
    expect("changedFiles" in prs[0]!).toBe(false);
  });

  it("reads an issue, and tells a pull request from an issue", async () => {
    nock(API)
      .get(`${REPO}/issues/9`)
      .reply(
        200,
        { number: 9, state: "open", title: "T", body: null, user: { login: "u" }, labels: ["bug", { name: "docs" }] },
        JSON_HEADERS,
      )
      .get(`${REPO}/issues/5`)
      .reply(
        200,
        { number: 5, state: "open", title: "P", body: "b", user: { login: "u" }, labels: [], pull_request: { url: "x" } },
        JSON_HEADERS,
      );
    expect(await port().getIssue(9)).toEqual({
      number: 9,
      state: "open",
      author: "u",
      title: "T",
      body: "",
      labels: ["bug", "docs"],
      isPullRequest: false,
    });
    expect((await port().getIssue(5)).isPullRequest).toBe(true);
  });
});

describe("describeGitHubError", () => {
  it.each([
    [{ status: 401, message: "Bad credentials" }, "GitHub refused the token (401 Bad credentials); set GITHUB_TOKEN to a valid token"],
    [{ status: 404, message: "Not Found" }, "acme/widgets#5 was not found (404): check the name, or give a token that can see it"],
    [{ status: 502, message: "Bad Gateway" }, "GitHub answered 502 for acme/widgets#5: Bad Gateway"],
    [new Error("connect ECONNREFUSED"), "cannot reach https://ghe.example/api/v3 for acme/widgets#5: connect ECONNREFUSED"],
  ])("%o", (err, line) => {
    expect(describeGitHubError(err, "acme/widgets#5", "https://ghe.example/api/v3")).toBe(line);
  });
});
