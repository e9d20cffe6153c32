// Reviewer expertise end to end: the real server process, signed deliveries, and the stand-in's
// GraphQL (queries validated against GitHub's public schema) answering the approval history from
// its model of the default branch: commits landed by a merge bot, whose messages name who approved.
// Each case has its own repository and installation.

import { describe, expect, it } from "vitest";
import { loginKey } from "../../src/core/registry.js";
import { candidatesToFetch, route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { landedByBot } from "../helpers/github.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { caseMaker, pushChangingNothing, repoint, serveOnStandIn, type Case } from "./serve.js";

const served = serveOnStandIn();
const gh = served.gh;
const { router } = loadRouter();
const FILES = ["torch/nn/modules/linear.py"];

const DAY = 24 * 60 * 60_000;

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

/** `n` pull requests landed by the merge bot in the last weeks, touching `dir`, each approved by `approver`. */
function landedPullRequests(n: number, dir: string, approver: string) {
  return Array.from({ length: n }, (_, i) =>
    landedByBot({
      pr: 900 + i,
      date: new Date(Date.now() - (i + 1) * 3 * DAY).toISOString(),
      author: `dev${i}`,
      files: [`${dir}/f${i}.py`],
      approvers: [approver],
    }),
  );
}

describe("the approval history on a real delivery", () => {
  it("requests the maintainer who approved the touched directory's recent pull requests, not the stable hash's pick", async () => {
    const c = freshCase();
    const plain = plainChoice(c)[0]!;
    const candidates = candidatesToFetch(router, {
      repository: c.repo,
      prNumber: c.number,
      author: "contributor",
      files: FILES.map((path) => ({ path })),
    });
    const expert = candidates.find((l) => loginKey(l) !== loginKey(plain))!;
    expect(expert).toBeDefined();
    gh.repo(c.repo).commits = landedPullRequests(6, "torch/nn/modules", expert);

    const r = await served.app.deliver("pull_request", openPr(c));

    expect(r.status).toBe(200);
    expect(gh.thread(c.repo, c.number).requestedUsers).toEqual([expert]);
    expect(gh.repo(c.repo).checkRuns[0]!.output.summary).toMatch(/approved 6 pull requests touching torch\/nn\/modules\//);
    const sent = historyQueries(c);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body as { variables: Record<string, unknown> }).variables).toMatchObject({
      path0: "torch/nn",
      path1: "torch/nn/modules",
    });

    // A push that changes nothing needs nobody new, so it reads no history: its summary lacks the
    // evidence, which is set apart as a delivery note, and nothing is written.
    const first = gh.repo(c.repo).checkRuns[0]!.head_sha;
    const push = await pushChangingNothing(served, c, FILES, first, "6".repeat(40));
    expect(push).toEqual({ status: 200, sent: ["POST /api/graphql"] });
    expect(gh.repo(c.repo).checkRuns.map((r) => r.head_sha)).toEqual([first]);
  });

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
