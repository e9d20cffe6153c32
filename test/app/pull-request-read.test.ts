// The one GraphQL read of a pull request: the query is valid against GitHub's public schema, the
// answer becomes the REST shapes the fold reads, and REST reads only what GraphQL cannot give.

import { Octokit } from "@octokit/rest";
import { validate } from "@octokit/graphql-schema";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  checkRunDigest,
  GRAPHQL_TIMELINE_LIMIT,
  parsePullRequestRead,
  pullRequestReadQuery,
  pullRequestReadVariables,
  readPullRequest,
} from "../../src/app/pull-request-read.js";
import { useStrictNock } from "../helpers/strict-nock.js";

const APP_ID = 77;
const API = "https://api.github.com";
const REPO = "/repos/acme/widgets";
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const bot = { __typename: "Bot", login: "review-router" };
const ann = { __typename: "User", login: "ann" };

/** A GraphQL answer as GitHub shapes it for the query, from the parts a test sets. */
function answer(
  o: {
    files?: { totalCount: number; nodes: { path: string; changeType: string }[] } | null;
    items?: unknown[];
    totalItems?: number;
    head?: unknown[];
    recent?: (string | null)[];
  } = {},
) {
  const items = o.items ?? [];
  const pages = Object.fromEntries(
    Array.from({ length: 5 }, (_, i) => [
      `t${i}`,
      { ...(i === 0 ? { totalCount: o.totalItems ?? items.length } : {}), nodes: items.slice(i * 100, i * 100 + 100) },
    ]),
  );
  const suites = (runs: unknown[]) => ({ nodes: runs.length > 0 ? [{ checkRuns: { nodes: runs } }] : [] });
  return {
    viewer: { login: "review-router[bot]" },
    repository: {
      pullRequest: {
        ...(o.files === null ? {} : { files: o.files ?? { totalCount: 1, nodes: [{ path: "a.py", changeType: "MODIFIED" }] } }),
        labels: { nodes: [{ name: "bug" }] },
        reviewRequests: {
          nodes: [{ requestedReviewer: { __typename: "User", login: "bob" } }, { requestedReviewer: { __typename: "Team", slug: "core" } }],
        },
        ...pages,
        commits: {
          nodes: (o.recent ?? []).map((d) => ({ commit: { oid: "x", checkSuites: suites(d === null ? [] : [{ externalId: d }]) } })),
        },
      },
      head: { checkSuites: suites(o.head ?? []) },
    },
  };
}

describe("pullRequestReadQuery", () => {
  it("is valid against GitHub's public schema, with and without the app's id", () => {
    for (const viewer of [true, false])
      for (const checkRuns of [true, false]) expect(validate(pullRequestReadQuery({ viewer, checkRuns }))).toEqual([]);
    expect(pullRequestReadQuery({ viewer: true, checkRuns: false })).not.toContain("checkSuites");
    expect(pullRequestReadQuery({ viewer: false, checkRuns: false })).not.toMatch(/\bviewer \{/);
  });

  it("lists files only when one page holds them", () => {
    const ref = { owner: "acme", repo: "widgets" };
    expect(pullRequestReadVariables(ref, { number: 3, headSha: "abc", changedFiles: 100 }, APP_ID)).toEqual({
      owner: "acme",
      name: "widgets",
      number: 3,
      withFiles: true,
      head: "abc",
      appId: APP_ID,
      checkName: "review-router",
    });
    expect(pullRequestReadVariables(ref, { number: 3, headSha: "abc", changedFiles: 101 }, undefined)).toEqual({
      owner: "acme",
      name: "widgets",
      number: 3,
      withFiles: false,
    });
  });
});

describe("parsePullRequestRead", () => {
  it("turns timeline items into REST events; the viewer's bot is review-router, whatever the [bot] suffix", () => {
    const read = parsePullRequestRead(
      answer({
        items: [
          { __typename: "LabeledEvent", createdAt: "2026-11-01T00:00:00Z", actor: bot, label: { name: "module: nn" } },
          { __typename: "LabeledEvent", createdAt: "2026-11-01T00:00:01Z", actor: ann, label: { name: "triaged" } },
          { __typename: "UnlabeledEvent", createdAt: "2026-11-01T00:00:02Z", actor: ann, label: { name: "module: optim" } },
          {
            __typename: "ReviewRequestedEvent",
            createdAt: "2026-11-01T00:00:03Z",
            actor: bot,
            requestedReviewer: { __typename: "User", login: "bob" },
          },
          {
            __typename: "ReviewRequestRemovedEvent",
            createdAt: "2026-11-01T00:00:04Z",
            actor: ann,
            requestedReviewer: { __typename: "User", login: "cat" },
          },
          {
            __typename: "ReviewRequestedEvent",
            createdAt: "2026-11-01T00:00:05Z",
            actor: ann,
            requestedReviewer: { __typename: "Team", slug: "core" },
          },
          { __typename: "PullRequestReview", state: "APPROVED", submittedAt: "2026-11-02T00:00:00Z", author: ann },
          { __typename: "PullRequestReview", state: "PENDING", submittedAt: null, author: bot },
          {
            __typename: "IssueComment",
            fullDatabaseId: "3000000001",
            body: "<!-- review-router:summary -->",
            createdAt: "2026-11-02T00:00:01Z",
            viewerDidAuthor: true,
            author: bot,
          },
          {
            __typename: "IssueComment",
            fullDatabaseId: "3000000002",
            body: "lgtm",
            createdAt: "2026-11-02T00:00:02Z",
            viewerDidAuthor: false,
            author: ann,
          },
          {
            __typename: "IssueComment",
            fullDatabaseId: "3000000003",
            body: "ci",
            createdAt: "2026-11-02T00:00:03Z",
            viewerDidAuthor: false,
            author: { __typename: "Bot", login: "other-bot" },
          },
        ],
      }),
      APP_ID,
    );
    const via = { id: APP_ID };
    const botUser = { login: "review-router[bot]", type: "Bot" };
    const annUser = { login: "ann", type: "User" };
    expect(read.timeline).toEqual([
      {
        event: "labeled",
        label: { name: "module: nn" },
        actor: botUser,
        performed_via_github_app: via,
        created_at: "2026-11-01T00:00:00Z",
      },
      { event: "labeled", label: { name: "triaged" }, actor: annUser, performed_via_github_app: null, created_at: "2026-11-01T00:00:01Z" },
      {
        event: "unlabeled",
        label: { name: "module: optim" },
        actor: annUser,
        performed_via_github_app: null,
        created_at: "2026-11-01T00:00:02Z",
      },
      {
        event: "review_requested",
        actor: botUser,
        performed_via_github_app: via,
        requested_reviewer: { login: "bob", type: "User" },
        created_at: "2026-11-01T00:00:03Z",
      },
      {
        event: "review_request_removed",
        actor: annUser,
        performed_via_github_app: null,
        requested_reviewer: { login: "cat", type: "User" },
        created_at: "2026-11-01T00:00:04Z",
      },
      {
        event: "review_requested",
        actor: annUser,
        performed_via_github_app: null,
        requested_team: { slug: "core" },
        created_at: "2026-11-01T00:00:05Z",
      },
      { event: "reviewed", user: annUser, state: "approved", submitted_at: "2026-11-02T00:00:00Z" },
      {
        event: "commented",
        id: 3000000001,
        body: "<!-- review-router:summary -->",
        user: botUser,
        actor: botUser,
        performed_via_github_app: via,
        created_at: "2026-11-02T00:00:01Z",
      },
      {
        event: "commented",
        id: 3000000002,
        body: "lgtm",
        user: annUser,
        actor: annUser,
        performed_via_github_app: null,
        created_at: "2026-11-02T00:00:02Z",
      },
      {
        event: "commented",
        id: 3000000003,
        body: "ci",
        user: { login: "other-bot[bot]", type: "Bot" },
        actor: { login: "other-bot[bot]", type: "Bot" },
        performed_via_github_app: null,
        created_at: "2026-11-02T00:00:03Z",
      },
    ]);
    expect(read).toMatchObject({ labels: ["bug"], requestedUsers: ["bob"], requestedTeams: ["core"], files: [{ path: "a.py" }] });
  });

  it("without the app's id nothing is review-router's, and check runs are not read", () => {
    const read = parsePullRequestRead(answer({ items: [{ __typename: "LabeledEvent", actor: bot, label: { name: "x" } }] }), undefined);
    expect(read.timeline?.[0]).toMatchObject({ performed_via_github_app: null });
    expect(read.checkRuns).toBeUndefined();
  });

  it("leaves to REST the files with a rename or a copy, over 100 files, or not listed; the timeline over 500 items", () => {
    const files = (changeType: string, totalCount = 1) => ({ totalCount, nodes: [{ path: "b.py", changeType }] });
    expect(parsePullRequestRead(answer({ files: files("RENAMED") }), APP_ID).files).toBeUndefined();
    expect(parsePullRequestRead(answer({ files: files("COPIED") }), APP_ID).files).toBeUndefined();
    expect(parsePullRequestRead(answer({ files: files("ADDED", 101) }), APP_ID).files).toBeUndefined();
    expect(parsePullRequestRead(answer({ files: null }), APP_ID).files).toBeUndefined();
    expect(parsePullRequestRead(answer({ files: files("DELETED") }), APP_ID).files).toEqual([{ path: "b.py" }]);
    expect(parsePullRequestRead(answer({ totalItems: GRAPHQL_TIMELINE_LIMIT }), APP_ID).timeline).toEqual([]);
    expect(parsePullRequestRead(answer({ totalItems: GRAPHQL_TIMELINE_LIMIT + 1 }), APP_ID).timeline).toBeUndefined();
  });

  it("reads review-router's run on the head commit and the digest of the latest run among recent commits", () => {
    const read = parsePullRequestRead(
      answer({
        head: [{ databaseId: 41, status: "COMPLETED", conclusion: "NEUTRAL", externalId: "rr1-a" }],
        recent: ["rr1-old", null, "rr1-new", null],
      }),
      APP_ID,
    );
    expect(read.checkRuns).toEqual({
      head: { id: 41, status: "completed", conclusion: "neutral", digest: "rr1-a" },
      latestDigest: "rr1-new",
    });
    expect(parsePullRequestRead(answer(), APP_ID).checkRuns).toEqual({ head: null });
  });

  it("refuses an answer without the pull request", () => {
    expect(() => parsePullRequestRead({ repository: { pullRequest: null } }, APP_ID)).toThrow(/no pull request/);
  });
});

describe("checkRunDigest", () => {
  it("changes with the conclusion, the title and the text, and fits an external_id", () => {
    const d = checkRunDigest("neutral", { title: "T", summary: "B" });
    expect(d).toMatch(/^rr1-[0-9a-f]{32}$/);
    expect(checkRunDigest("neutral", { title: "T", summary: "B" })).toBe(d);
    expect(
      new Set([
        d,
        checkRunDigest("failure", { title: "T", summary: "B" }),
        checkRunDigest("neutral", { title: "T2", summary: "B" }),
        checkRunDigest("neutral", { title: "T", summary: "B2" }),
      ]).size,
    ).toBe(4);
  });
});

describe("readPullRequest", () => {
  useStrictNock();
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const octokit = () => new Octokit({ auth: "t", log: quiet });
  const view = {
    number: 5,
    headSha: "abc",
    changedFiles: 1,
    withCheckRuns: true,
    thread: { labels: [], requestedUsers: [], requestedTeams: [] },
  };
  const graphql = (data: unknown) => {
    const bodies: { query: string; variables: Record<string, unknown> }[] = [];
    nock(API)
      .post("/graphql")
      .reply(200, (_uri, body) => (bodies.push(body as (typeof bodies)[number]), { data }), JSON_HEADERS);
    return bodies;
  };

  it("makes one request when GraphQL gives it all", async () => {
    const bodies = graphql(
      answer({
        items: [{ __typename: "LabeledEvent", actor: bot, label: { name: "module: nn" } }],
        head: [{ databaseId: 41, status: "COMPLETED", conclusion: "NEUTRAL" }],
      }),
    );
    const read = await readPullRequest(octokit(), { owner: "acme", repo: "widgets" }, view, APP_ID);
    expect(bodies).toHaveLength(1);
    expect(validate(bodies[0]!.query)).toEqual([]);
    expect(bodies[0]!.variables).toEqual({
      owner: "acme",
      name: "widgets",
      number: 5,
      withFiles: true,
      head: "abc",
      appId: APP_ID,
      checkName: "review-router",
    });
    expect(read.files).toEqual([{ path: "a.py" }]);
    expect([...read.thread.labels].sort()).toEqual(["bug", "module: nn"]);
    expect([...read.thread.labelsAddedByApp]).toEqual(["module: nn"]);
    expect(read.thread.requestedUsers).toEqual(["bob"]);
    expect(read.checkRuns).toEqual({ head: { id: 41, status: "completed", conclusion: "neutral" } });
    expect(read.graphqlFailed).toBeUndefined();
  });

  it("reads the files by REST when one was renamed, keeping its previous path", async () => {
    graphql(answer({ files: { totalCount: 1, nodes: [{ path: "new.py", changeType: "RENAMED" }] } }));
    nock(API)
      .get(`${REPO}/pulls/5/files`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ filename: "new.py", previous_filename: "old.py", status: "renamed" }], JSON_HEADERS);
    const read = await readPullRequest(octokit(), { owner: "acme", repo: "widgets" }, view, APP_ID);
    expect(read.files).toEqual([{ path: "new.py", previousPath: "old.py" }]);
  });

  it("reads the timeline by REST when it holds more than 500 of the items it needs", async () => {
    graphql(answer({ totalItems: GRAPHQL_TIMELINE_LIMIT + 1 }));
    nock(API)
      .get(`${REPO}/issues/5/timeline`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ event: "labeled", label: { name: "triaged" }, performed_via_github_app: null }], JSON_HEADERS);
    const read = await readPullRequest(octokit(), { owner: "acme", repo: "widgets" }, view, APP_ID);
    expect([...read.thread.labels].sort()).toEqual(["bug", "triaged"]);
  });
});
