// Reviewer expertise end to end: the real server process, signed deliveries, and the stand-in's
// GraphQL (queries validated against GitHub's public schema) answering the approval history from
// its model of the default branch: commits landed by a merge bot, whose messages name who approved.
// Each case has its own repository and installation.

import { describe, expect, it } from "vitest";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { caseMaker, repoint, serveOnStandIn, type Case } from "./serve.js";

const served = serveOnStandIn();
const gh = served.gh;
const { router } = loadRouter();
const FILES = ["torch/nn/modules/linear.py"];

const freshCase = caseMaker("expert", 700, 12);

function openPr(c: Case, number = c.number) {
  gh.setPull(c.repo, number, { author: "contributor" }, FILES);
  return repoint(c, pullRequestEvent({ number, changedFiles: FILES.length, author: "contributor" }));
}

const plainChoice = (c: Case, number = c.number) =>
  route(router, { repository: c.repo, prNumber: number, author: "contributor", files: FILES.map((path) => ({ path })) }).reviewers;

const historyQueries = (c: Case) =>
  gh.requests.filter(
    (q) =>
      q.installation === c.installation &&
      String((q.body as { query?: string } | undefined)?.query).startsWith("query ReviewRouterApprovalHistory("),
  );

describe("the approval history on a real delivery", () => {
  it("reads a directory once within the hour: the next pull request there costs no history request", async () => {
    const c = freshCase();
    expect((await served.app.deliver("pull_request", openPr(c))).status).toBe(200);
    expect(gh.thread(c.repo, c.number).requestedUsers).toEqual(plainChoice(c));
    expect(historyQueries(c)).toHaveLength(1);

    expect((await served.app.deliver("pull_request", openPr(c, c.number + 1))).status).toBe(200);
    expect(gh.thread(c.repo, c.number + 1).requestedUsers).toEqual(plainChoice(c, c.number + 1));
    expect(historyQueries(c)).toHaveLength(1);
  });
});
