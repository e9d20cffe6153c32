// Commands on pull requests through a real Probot instance against nock: every GitHub request is
// mocked exactly (bodies asserted), nothing else may be requested, and every mock must be used.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildSignalsQuery } from "../../src/app/candidate-signals.js";
import { loadBundled } from "../../src/app/index.js";
import { explainMarker, replyMarker } from "../../src/core/command-plan.js";
import { loginKey } from "../../src/core/registry.js";
import { candidatesToFetch, route, type RouteInput } from "../../src/core/route.js";
import {
  captureCheckRunCreate,
  captureComments,
  captureLabelsAdded,
  captureReaction,
  captureReviewRequests,
  captureReviewRequestsRemoved,
  mockCheckRunList,
  mockGraphql,
  mockInstallationToken,
  mockLabelRemoved,
  mockNoConfigFile,
  mockPermission,
  mockPullRequestGet,
  mockPullRequestRead,
  timeline,
  type TimelineEvent,
} from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import { DEFAULT_HEAD_SHA, pullRequestCommentEvent } from "../helpers/payloads.js";
import { APP_ID, deliver, startApp } from "../helpers/probot.js";

const bundled = loadBundled();
const NN_FILE = "torch/nn/modules/linear.py";
const NN = "NN APIs (torch.nn)";
const AUTHOR = "contributor";

useStrictNock();
beforeEach(() => vi.stubEnv("DRY_RUN", undefined));
afterEach(() => vi.unstubAllEnvs());

/** A person's comment `commentId` on pull request `number`. */
function say(number: number, commentId: number, body: string, commenter: string) {
  return pullRequestCommentEvent({ number, commentId, body, commenter });
}

/** The query the app must send for pull request `number` in state `more`. */
function signalsQuery(number: number, more: Partial<RouteInput> = {}) {
  const input = { repository: "pytorch/pytorch", prNumber: number, author: AUTHOR, files: [{ path: NN_FILE }], ...more };
  return buildSignalsQuery("pytorch/pytorch", candidatesToFetch(bundled.router, input));
}

function routeOf(number: number, more: Partial<RouteInput> = {}) {
  return route(bundled.router, { repository: "pytorch/pytorch", prNumber: number, author: AUTHOR, files: [{ path: NN_FILE }], ...more });
}

/** The reads every command comment on pull request `number` makes before deciding. */
function mockCommentReads(number: number, o: { labels?: string[]; requested?: string[]; events?: TimelineEvent[] } = {}): void {
  mockInstallationToken();
  mockNoConfigFile();
  const labels = o.labels ?? ["module: nn"];
  mockPullRequestGet(number, { author: AUTHOR, changedFiles: 1, labels, requestedReviewers: o.requested ?? [] });
  // One GraphQL read: the files, the state and review-router's check runs.
  mockPullRequestRead({
    number,
    files: [NN_FILE],
    labels,
    requestedUsers: o.requested ?? [],
    timeline: o.events ?? timeline.routedByApp(["module: nn"], o.requested ?? []),
  });
}

describe("issue_comment commands", () => {
  it("/route by the author: +1 reaction, then routes again (one GraphQL request) and writes the summary", async () => {
    const probot = await startApp();
    mockCommentReads(201);
    const reaction = captureReaction(1101);
    const want = routeOf(201);
    const q = signalsQuery(201);
    const graphql = mockGraphql();
    const reviews = captureReviewRequests(201);
    mockCheckRunList(DEFAULT_HEAD_SHA);
    const runs = captureCheckRunCreate();

    await deliver(probot, "issue_comment", say(201, 1101, "Please look again.\n/route", AUTHOR));

    expect(reaction).toEqual([{ content: "+1" }]);
    expect(graphql).toEqual([{ query: q.query, variables: q.variables }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(runs).toHaveLength(1);
  });

  it("a redelivered command does not act twice: planned (one GraphQL read), the reaction already there (200), nothing written", async () => {
    const probot = await startApp();
    mockCommentReads(202);
    mockGraphql();
    const reaction = captureReaction(1102, { existing: true });
    await deliver(probot, "issue_comment", say(202, 1102, "/route", AUTHOR));
    expect(reaction).toEqual([{ content: "+1" }]);
  });

  it("/route reroll by a requested reviewer about themselves: withdraws them and asks another maintainer of the module", async () => {
    const number = 203;
    const first = routeOf(number).reviewers[0]!;
    const after = { requestedReviewers: [], blocked: [{ login: first, reason: "withdrawn" as const }] };
    const want = routeOf(number, after);
    expect(want.reviewers).toHaveLength(1);
    expect(loginKey(want.reviewers[0]!)).not.toBe(loginKey(first));
    const probot = await startApp();
    mockCommentReads(number, { requested: [first] });
    const reaction = captureReaction(1103);
    const removed = captureReviewRequestsRemoved(number);
    const q = signalsQuery(number, after);
    const graphql = mockGraphql();
    const reviews = captureReviewRequests(number);
    mockCheckRunList(DEFAULT_HEAD_SHA);
    const runs = captureCheckRunCreate();

    await deliver(probot, "issue_comment", say(number, 1103, "/route reroll", first));

    expect(reaction).toEqual([{ content: "+1" }]);
    expect(removed).toEqual([{ reviewers: [first] }]);
    expect(graphql).toEqual([{ query: q.query, variables: q.variables }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(runs[0]!.output.summary).toContain(`| ${first} | ${NN} | withdrawn |`);
  });

  it("an outsider's /route reroll @login is refused after a permission check, with one reply and no reaction", async () => {
    const number = 204;
    const first = routeOf(number).reviewers[0]!;
    const probot = await startApp();
    mockCommentReads(number, { requested: [first] });
    mockPermission("outsider", "read");
    const replies = captureComments(number);

    await deliver(probot, "issue_comment", say(number, 1104, `/route reroll @${first}`, "outsider"));

    expect(replies).toHaveLength(1);
    const body = replies[0]!.body;
    expect(body.startsWith(`${replyMarker(1104)}\n`)).toBe(true);
    expect(body).toContain(
      `\`/route reroll @${first}\`: @outsider may not reroll someone else's review request here: ` +
        "only the author, a requested reviewer about themselves, and people with write access may.",
    );
    expect(body).toContain("Accepted forms:\n- `/route`: route again now");
  });

  it("a refusal already answered (its reply in the timeline) is not answered again", async () => {
    const probot = await startApp();
    mockCommentReads(205, { events: [timeline.commentedByApp(5, `${replyMarker(1105)}\n\`/route frob\`: unknown subcommand "frob".`)] });
    await deliver(probot, "issue_comment", say(205, 1105, "/route frob", AUTHOR));
  });

  it("a malformed command by the author gets one reply naming the problem, no permission check and no reaction", async () => {
    const probot = await startApp();
    mockCommentReads(206);
    const replies = captureComments(206);
    await deliver(probot, "issue_comment", say(206, 1106, "/route frobnicate", AUTHOR));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain('`/route frobnicate`: unknown subcommand "frobnicate".');
  });

  it("/route skip by someone with write access: permission read, +1, the skip label added", async () => {
    const probot = await startApp();
    mockCommentReads(207);
    mockPermission("maintainer1", "write");
    const reaction = captureReaction(1107);
    const labels = captureLabelsAdded(207);
    await deliver(probot, "issue_comment", say(207, 1107, "/route skip", "maintainer1"));
    expect(reaction).toEqual([{ content: "+1" }]);
    expect(labels).toEqual([{ labels: ["review-router: skip"] }]);
  });

  it("/route resume by the author: the skip label removed, then routed again at once", async () => {
    const probot = await startApp();
    mockCommentReads(208, { labels: ["module: nn", "review-router: skip"] });
    const reaction = captureReaction(1108);
    mockLabelRemoved(208, "review-router: skip");
    mockGraphql();
    const reviews = captureReviewRequests(208);
    mockCheckRunList(DEFAULT_HEAD_SHA);
    captureCheckRunCreate();
    await deliver(probot, "issue_comment", say(208, 1108, "/route resume", AUTHOR));
    expect(reaction).toEqual([{ content: "+1" }]);
    expect(reviews).toEqual([{ reviewers: routeOf(208).reviewers }]);
  });

  it("/route explain replies with the routing explanation: modules, files, who is asked and who is not and why", async () => {
    const probot = await startApp();
    mockCommentReads(209);
    // The explanation is the plan `/route` would carry out, availability and load read as for it.
    const graphql = mockGraphql();
    captureReaction(1109);
    const replies = captureComments(209);
    await deliver(probot, "issue_comment", say(209, 1109, "/route explain", AUTHOR));
    const body = replies[0]!.body;
    expect(body.startsWith(`${explainMarker(1109)}\n### review-router: 1 module: ${NN}`)).toBe(true);
    expect(body).toContain(`| ${NN} | \`module: nn\` | \`${NN_FILE}\` |`);
    expect(body).toContain("<summary>Candidates not chosen</summary>");
    expect(graphql).toHaveLength(1);
  });

  it("ignores comments on plain issues, by bots, and by review-router itself, without a single request", async () => {
    const probot = await startApp();
    const on210 = { number: 210, body: "/route" };
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: AUTHOR, onPullRequest: false }));
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: "some-bot[bot]", commenterType: "Bot" }));
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: "someone", viaAppId: APP_ID }));
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: AUTHOR, action: "edited" }));
  });
});
