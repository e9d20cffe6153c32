// The GraphQL stand-in's executor without a server: its paging as GitHub documents it, and
// answers from a plain model (the form nock tests reuse).
import { describe, expect, it } from "vitest";
import { answerGraphqlFrom, connectionOf, executableSchema, pageOf, type GraphqlModel } from "./graphql-stand-in.js";

const items = Array.from({ length: 10 }, (_, i) => i);

describe("connection paging", () => {
  it("takes first n, last n, after skipping the first n", () => {
    expect(pageOf(items, { first: 3 }, "x")).toEqual([0, 1, 2]);
    expect(pageOf(items, { last: 3 }, "x")).toEqual([7, 8, 9]);
    expect(pageOf(items, { first: 3, skip: 4 }, "x")).toEqual([4, 5, 6]);
    expect(pageOf(items, { last: 3, skip: 8 }, "x")).toEqual([8, 9]);
    expect(pageOf(items, { first: 100, skip: 9 }, "x")).toEqual([9]);
    expect(pageOf(items, { first: 5, skip: 20 }, "x")).toEqual([]);
    expect(pageOf(items, { first: 0 }, "x")).toEqual([]);
    expect(connectionOf(items, { first: 2, skip: 1 }, "x")).toMatchObject({ totalCount: 10, nodes: [1, 2] });
  });

  it("pages on by the cursor a page ends with, and says when there is no next page", () => {
    const first = connectionOf(items, { first: 4 }, "x");
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = connectionOf(items, { first: 4, after: first.pageInfo.endCursor as string }, "x");
    expect(second.nodes).toEqual([4, 5, 6, 7]);
    const third = connectionOf(items, { first: 4, after: second.pageInfo.endCursor as string }, "x");
    expect(third.nodes).toEqual([8, 9]);
    expect(third.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(connectionOf([], { first: 4 }, "x").pageInfo).toMatchObject({ hasNextPage: false, endCursor: null });
  });

  it("refuses what GitHub refuses, a cursor it never gave, and paging backwards", () => {
    expect(() => pageOf(items, {}, "files")).toThrow(
      "You must provide a `first` or `last` value to properly paginate the `files` connection.",
    );
    expect(() => pageOf(items, { first: 1, last: 1 }, "files")).toThrow("Passing both `first` and `last`");
    expect(() => pageOf(items, { first: 101 }, "files")).toThrow(
      "Requesting 101 records on the `files` connection exceeds the `first` limit of 100 records.",
    );
    expect(() => pageOf(items, { last: 1, skip: -1 }, "files")).toThrow("must not be negative");
    expect(() => pageOf(items, { first: 1, after: "Y3Vyc29y" }, "files")).toThrow('the cursor "Y3Vyc29y" is not valid');
    expect(() => pageOf(items, { last: 1, before: "Y3Vyc29y" }, "files")).toThrow("backwards");
  });
});

const APP = 9;
const model: GraphqlModel = {
  appId: APP,
  viewerLogin: "router[bot]",
  repositories: [
    {
      owner: "o",
      name: "r",
      pullRequests: [
        {
          number: 1,
          headSha: "h2",
          commits: ["h1", "h2"],
          files: ["added", "removed", "modified", "renamed", "copied", "changed"].map((status, i) => ({ filename: `f${i}`, status })),
          labels: ["a"],
          requestedUsers: ["ann", "helper[bot]"],
          requestedTeams: ["core"],
          timeline: [
            { event: "committed", sha: "h1" },
            { event: "reviewed", user: { login: "ann", type: "User" }, state: "pending" },
            {
              event: "commented",
              id: 2 ** 40,
              body: "hi",
              created_at: "2026-01-01T00:00:00Z",
              user: { login: "router[bot]", type: "Bot" },
            },
            { event: "head_ref_force_pushed", created_at: "2026-01-02T00:00:00Z" },
            { event: "line-commented" },
          ],
        },
      ],
      checkRuns: [
        { id: 1, head_sha: "h2", name: "rr", status: "completed", conclusion: "neutral", external_id: "old", appId: APP },
        { id: 2, head_sha: "h2", name: "rr", status: "in_progress", conclusion: null, appId: APP },
        { id: 3, head_sha: "h2", name: "rr", status: "completed", conclusion: "success", appId: 1 },
      ],
    },
  ],
};
const ask = (query: string, variables: Record<string, unknown> = {}) => answerGraphqlFrom(model, { query, variables });

describe("answers from a plain model", () => {
  it("maps files, review requests and timeline items as GitHub's GraphQL shows them", () => {
    const q = `{ viewer { login } repository(owner: "O", name: "R") { pullRequest(number: 1) {
      files(first: 10) { totalCount nodes { path changeType } }
      reviewRequests(first: 5) { nodes { requestedReviewer { __typename ... on User { login } ... on Bot { login } ... on Team { slug } } } }
      all: timelineItems(first: 10) { totalCount nodes { __typename } }
      some: timelineItems(last: 1, itemTypes: [ISSUE_COMMENT, PULL_REQUEST_COMMIT]) { totalCount nodes {
        ... on IssueComment { fullDatabaseId body viewerDidAuthor author { __typename login } } } }
      reviews: timelineItems(first: 1, itemTypes: [PULL_REQUEST_REVIEW]) { nodes { ... on PullRequestReview { state submittedAt } } }
    } } }`;
    const { status, body } = ask(q);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        viewer: { login: "router[bot]" },
        repository: {
          pullRequest: {
            files: {
              totalCount: 6,
              nodes: ["ADDED", "DELETED", "MODIFIED", "RENAMED", "COPIED", "CHANGED"].map((changeType, i) => ({
                path: `f${i}`,
                changeType,
              })),
            },
            reviewRequests: {
              nodes: [
                { requestedReviewer: { __typename: "User", login: "ann" } },
                { requestedReviewer: { __typename: "Bot", login: "helper" } },
                { requestedReviewer: { __typename: "Team", slug: "core" } },
              ],
            },
            // "line-commented" has no pull request timeline item in GraphQL.
            all: {
              totalCount: 4,
              nodes: [
                { __typename: "PullRequestCommit" },
                { __typename: "PullRequestReview" },
                { __typename: "IssueComment" },
                { __typename: "HeadRefForcePushedEvent" },
              ],
            },
            some: {
              totalCount: 2,
              nodes: [
                { fullDatabaseId: String(2 ** 40), body: "hi", viewerDidAuthor: true, author: { __typename: "Bot", login: "router" } },
              ],
            },
            reviews: { nodes: [{ state: "PENDING", submittedAt: null }] },
          },
        },
      },
    });
  });

  it("filters check suites by app and check runs by name and LATEST", () => {
    const q = `query($appId: Int!) { repository(owner: "o", name: "r") { object(oid: "h2") { ... on Commit {
      checkSuites(first: 5, filterBy: { appId: $appId }) { totalCount nodes {
        all: checkRuns(first: 5, filterBy: { checkName: "rr" }) { nodes { databaseId status conclusion externalId } }
        latest: checkRuns(first: 5, filterBy: { checkName: "rr", checkType: LATEST }) { nodes { databaseId } } } } } }
      missing: object(oid: "nope") { oid } } }`;
    expect(ask(q, { appId: APP }).body).toEqual({
      data: {
        repository: {
          object: {
            checkSuites: {
              totalCount: 1,
              nodes: [
                {
                  all: {
                    nodes: [
                      { databaseId: 1, status: "COMPLETED", conclusion: "NEUTRAL", externalId: "old" },
                      { databaseId: 2, status: "IN_PROGRESS", conclusion: null, externalId: null },
                    ],
                  },
                  latest: { nodes: [{ databaseId: 2 }] },
                },
              ],
            },
          },
          missing: null,
        },
      },
    });
  });

  it("answers a missing repository with null and NOT_FOUND, an unmodelled field with an error", () => {
    expect(ask(`{ repository(owner: "o", name: "gone") { name } }`).body).toMatchObject({
      data: { repository: null },
      errors: [{ type: "NOT_FOUND", path: ["repository"], message: "Could not resolve to a Repository with the name 'o/gone'." }],
    });
    expect(
      ask(`{ repository(owner: "o", name: "r") { pullRequest(number: 1) { labels(first: 1) { nodes { name color } } } } }`).body,
    ).toMatchObject({
      errors: [{ path: ["repository", "pullRequest", "labels", "nodes", 0, "color"], message: "the stand-in does not model Label.color" }],
    });
    expect(ask(`{ repository(owner: "o", name: "r") { pullRequest(number: 1) { labels { nodes { name } } } } }`).body).toMatchObject({
      errors: [{ message: "You must provide a `first` or `last` value to properly paginate the `labels` connection." }],
    });
    expect(ask(`{ repository(owner: "o", name: "r") { nam } }`)).toMatchObject({
      status: 200,
      body: { errors: [{ message: expect.stringContaining('"nam"') }] },
    });
    expect(answerGraphqlFrom(model, "not json")).toEqual({ status: 400, body: { message: "Problems parsing JSON" } });
  });

  it("builds GitHub's schema once per process", () => {
    expect(executableSchema()).toBe(executableSchema());
    expect(executableSchema().ms).toBeGreaterThan(0);
  });
});
