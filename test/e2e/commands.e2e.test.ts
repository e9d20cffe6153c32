// Availability, load and pull request commands end to end: the real server process, signed
// deliveries, and the stand-in answering REST and GraphQL (GraphQL queries validated against
// GitHub's public schema). Each case has its own repository and installation.

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { explainMarker, replyMarker } from "../../src/core/command-plan.js";
import { loginKey } from "../../src/core/registry.js";
import { candidatesToFetch, route, type RouteInput } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { pullRequestCommentEvent, pullRequestEvent } from "../helpers/payloads.js";
import { caseMaker, repoint, serveOnStandIn, type Case } from "./serve.js";

const served = serveOnStandIn();
const gh = served.gh;
const { router } = loadRouter();
const FILES = ["torch/nn/modules/linear.py"];
const NN = "NN APIs (torch.nn)";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

const freshCase = caseMaker("cmd", 300, 9);

function openPr(c: Case) {
  gh.setPull(c.repo, c.number, { author: "contributor", headSha: HEAD }, FILES);
  return repoint(c, pullRequestEvent({ number: c.number, changedFiles: FILES.length, author: "contributor" }));
}

function comment(c: Case, commenter: string, body: string, commentId: number) {
  return repoint(c, pullRequestCommentEvent({ number: c.number, body, commenter, commentId }));
}

function routeOf(c: Case, more: Partial<RouteInput> = {}) {
  return route(router, { repository: c.repo, prNumber: c.number, author: "contributor", files: FILES.map((path) => ({ path })), ...more });
}

const requestsOf = (c: Case) => gh.requests.filter((r) => r.installation === c.installation);

describe("availability and load on a real delivery", () => {
  it("passes over a busy and an overloaded maintainer, says why in the check run, and costs two GraphQL requests more", async () => {
    const c = freshCase();
    const busy = routeOf(c).reviewers[0]!;
    const overloaded = routeOf(c, { blocked: [{ login: busy, reason: "busy" }] }).reviewers[0]!;
    gh.graphql.statuses.set(busy.toLowerCase(), { indicatesLimitedAvailability: true, message: "Away" });
    gh.graphql.openReviews.set(`${c.repo}\u0000${overloaded.toLowerCase()}`, 30);
    const files = FILES.map((path) => ({ path }));
    const candidates = candidatesToFetch(router, { repository: c.repo, prNumber: c.number, author: "contributor", files });
    const signals = {
      busy: new Map([[busy, { message: "Away" }]]),
      openReviews: new Map(candidates.map((l) => [l, loginKey(l) === loginKey(overloaded) ? 30 : 0])),
    };
    const want = routeOf(c, { signals });

    const r = await served.app.deliver("pull_request", openPr(c));

    expect(r.status).toBe(200);
    const requested = gh.thread(c.repo, c.number).requestedUsers;
    expect(requested).toEqual(want.reviewers);
    expect(requested.map(loginKey)).not.toContain(loginKey(busy));
    expect(requested.map(loginKey)).not.toContain(loginKey(overloaded));
    const summary = gh.repo(c.repo).checkRuns[0]!.output.summary;
    expect(summary).toContain(`| ${busy} | ${NN} | busy (GitHub status: "Away") |`);
    expect(summary).toContain(`| ${overloaded} | ${NN} | overloaded (30 open review requests; max_open_reviews: 15) |`);
    // Cost: the configuration (two reads on an empty cache), ONE GraphQL read of the pull request,
    // ONE GraphQL request for availability and load, ONE for the touched directories' approval
    // history, and three writes.
    const sent = requestsOf(c)
      .filter((q) => !q.path.startsWith("/app/"))
      .map((q) => `${q.method} ${q.path.replace(`/repos/${c.repo}`, "")}`);
    expect(sent).toEqual([
      `GET /repos/${c.repo}/contents/.github%2Freview-router.yml`.replace(`/repos/${c.repo}`, ""),
      "GET /repos/pytorch/.github/contents/.github%2Freview-router.yml",
      "POST /api/graphql",
      "POST /api/graphql",
      "POST /api/graphql",
      `POST /issues/${c.number}/labels`,
      `POST /pulls/${c.number}/requested_reviewers`,
      "POST /check-runs",
    ]);
  });

  it("falls back to today's choice when GraphQL fails, and notes it in the summary", async () => {
    const c = freshCase();
    // The three GraphQL requests fail, each with its two retries: the read falls back to REST, the
    // availability and the approval history to today's choice.
    gh.fail({ method: "POST", path: /^\/api\/graphql$/, status: 502, times: 9 });
    const r = await served.app.deliver("pull_request", openPr(c));
    expect(r.status).toBe(200);
    expect(gh.thread(c.repo, c.number).requestedUsers).toEqual(routeOf(c).reviewers);
    const summary = gh.repo(c.repo).checkRuns[0]!.output.summary;
    expect(summary).toContain("**Note**: availability and load could not be read: the availability query failed");
  });
});

describe("commands end to end", () => {
  it("refuses an outsider's reroll; the reviewer rerolls themselves once; a writer skips; the author explains, resumes", async () => {
    const c = freshCase();
    expect((await served.app.deliver("pull_request", openPr(c))).status).toBe(200);
    const t = gh.thread(c.repo, c.number);
    const first = t.requestedUsers[0]!;
    expect(t.requestedUsers).toEqual(routeOf(c).reviewers);

    // An outsider (read access) may not reroll someone else: permission read, one reply, nothing changed.
    let mark = gh.requests.length;
    expect((await served.app.deliver("issue_comment", comment(c, "outsider", `/route reroll @${first}`, 5001))).status).toBe(200);
    let sent = gh.requests.slice(mark).map((q) => `${q.method} ${q.path}`);
    expect(sent).toContain(`GET /repos/${c.repo}/collaborators/outsider/permission`);
    expect(sent.filter((s) => s.includes("/reactions"))).toEqual([]);
    const reply = t.comments.at(-1)!.body;
    expect(reply.startsWith(replyMarker(5001))).toBe(true);
    expect(reply).toContain("@outsider may not reroll someone else's review request here");
    expect(reply).toContain("Accepted forms:");
    expect(t.requestedUsers).toEqual([first]);

    // The requested reviewer rerolls themselves: withdrawn, another maintainer of the module asked, no permission read.
    const reroll = comment(c, first, "/route reroll", 5002);
    const id = randomUUID();
    mark = gh.requests.length;
    expect((await served.app.deliver("issue_comment", reroll, { id })).status).toBe(200);
    sent = gh.requests.slice(mark).map((q) => `${q.method} ${q.path}`);
    expect(sent.some((s) => s.includes("/permission"))).toBe(false);
    expect(sent).toContain(`POST /repos/${c.repo}/issues/comments/5002/reactions`);
    expect(sent).toContain(`DELETE /repos/${c.repo}/pulls/${c.number}/requested_reviewers`);
    const replacement = routeOf(c, { blocked: [{ login: first, reason: "withdrawn" }] }).reviewers;
    expect(replacement).toHaveLength(1);
    expect(t.requestedUsers).toEqual(replacement);
    expect(t.requestedUsers.map(loginKey)).not.toContain(loginKey(first));

    // The same delivery again: the timeline shows the withdrawal was done, so nothing is written.
    const writesBefore = gh.writes(c.repo).length;
    expect((await served.app.deliver("issue_comment", reroll, { id })).status).toBe(200);
    expect(
      gh
        .writes(c.repo)
        .slice(writesBefore)
        .map((w) => `${w.method} ${w.path} ${w.status}`),
    ).toEqual([]);
    expect(t.requestedUsers).toEqual(replacement);

    // A writer pauses automatic requests.
    gh.repo(c.repo).roles.set("maint", "write");
    expect((await served.app.deliver("issue_comment", comment(c, "maint", "/route skip", 5003))).status).toBe(200);
    expect(t.labels).toContain("review-router: skip");

    // The author asks for the explanation.
    expect((await served.app.deliver("issue_comment", comment(c, "contributor", "/route explain", 5004))).status).toBe(200);
    const explained = t.comments.at(-1)!.body;
    expect(explained.startsWith(explainMarker(5004))).toBe(true);
    expect(explained).toContain(`| ${first} | ${NN} | withdrawn |`);
    expect(explained).toContain("**Paused**");

    // The author resumes: the label goes; every module is covered, so nobody new is asked.
    expect((await served.app.deliver("issue_comment", comment(c, "contributor", "/route resume", 5005))).status).toBe(200);
    expect(t.labels).not.toContain("review-router: skip");
    expect(t.requestedUsers).toEqual(replacement);
  }, 60_000); // six deliveries; writes and GraphQL requests are paced a second apart per installation
});
