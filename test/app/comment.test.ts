// Commands on pull requests through a real Probot instance, handled over the in-memory GitHub
// (test/helpers/fake-github.ts): what each command reads, decides and writes, in order. The same
// commands run through the Action in doors.test.ts and test/action/main.test.ts, and over HTTP
// against the stand-in in test/e2e/commands.e2e.test.ts.
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runComment } from "../../src/app/comment.js";
import { loadBundled } from "../../src/app/index.js";
import { explainMarker, replyMarker } from "../../src/core/command-plan.js";
import { loginKey } from "../../src/core/registry.js";
import { candidatesToFetch, route, type RouteInput } from "../../src/core/route.js";
import { FakeGitHub, type FakeThread } from "../helpers/fake-github.js";
import { pullRequestCommentEvent } from "../helpers/payloads.js";
import { APP_ID, deliver, startApp } from "../helpers/probot.js";

const bundled = loadBundled();
const NN_FILE = "torch/nn/modules/linear.py";
const NN = "NN APIs (torch.nn)";
const AUTHOR = "contributor";

beforeEach(() => vi.stubEnv("DRY_RUN", undefined));
afterEach(() => vi.unstubAllEnvs());

/** A person's comment `commentId` on pull request `number`. */
function say(number: number, commentId: number, body: string, commenter: string) {
  return pullRequestCommentEvent({ number, commentId, body, commenter });
}

function routeOf(number: number, more: Partial<RouteInput> = {}) {
  return route(bundled.router, { repository: "pytorch/pytorch", prNumber: number, author: AUTHOR, files: [{ path: NN_FILE }], ...more });
}

/** Pull request `number` of pytorch/pytorch, labelled by review-router, with `requested` on it. */
function github(number: number, thread: FakeThread = {}): FakeGitHub {
  const labels = thread.labels ?? ["module: nn"];
  return new FakeGitHub(
    { number, author: AUTHOR, files: [NN_FILE], labels, labelsAddedByApp: ["module: nn"], ...thread },
    { owner: "pytorch", repo: "pytorch" },
  );
}

function appOn(fake: FakeGitHub): Promise<Probot> {
  return startApp({ bundled, portFor: () => fake });
}

/** The calls made, reads and writes, by name. */
const calls = (fake: FakeGitHub) => fake.calls.map((c) => c.call);
/** Every comment starts with the same reads: the configuration (two places), the pull request, its state. */
const READS = ["readFile", "readFile", "getPullRequest", "readPullRequest"];

describe("issue_comment commands", () => {
  it("/route by the author: the plan (one signals read, one approval-history read) first, then +1, then routes again and writes the summary", async () => {
    const fake = github(201);
    await deliver(await appOn(fake), "issue_comment", say(201, 1101, "Please look again.\n/route", AUTHOR));
    expect(calls(fake)).toEqual([
      ...READS,
      "candidateSignals",
      "approvalHistory",
      "addReaction",
      "requestReviews",
      "listCheckRuns",
      "createCheckRun",
    ]);
    expect(fake.calls.find((c) => c.call === "candidateSignals")).toEqual({
      call: "candidateSignals",
      logins: candidatesToFetch(bundled.router, {
        repository: "pytorch/pytorch",
        prNumber: 201,
        author: AUTHOR,
        files: [{ path: NN_FILE }],
      }),
    });
    expect(fake.requestedUsers).toEqual(routeOf(201).reviewers);
    expect([...fake.reactions]).toEqual(["1101:+1"]);
  });

  it("a redelivered command does not act twice: planned, the reaction already there, nothing written", async () => {
    const fake = github(202);
    fake.reactions.add("1102:+1");
    await deliver(await appOn(fake), "issue_comment", say(202, 1102, "/route", AUTHOR));
    expect(fake.writes().map((c) => c.call)).toEqual(["addReaction"]);
  });

  it("/route reroll by a requested reviewer about themselves: withdraws them and asks another maintainer of the module", async () => {
    const number = 203;
    const first = routeOf(number).reviewers[0]!;
    const want = routeOf(number, { requestedReviewers: [], blocked: [{ login: first, reason: "withdrawn" }] });
    expect(want.reviewers).toHaveLength(1);
    expect(loginKey(want.reviewers[0]!)).not.toBe(loginKey(first));
    const fake = github(number, { requestedUsers: [first] });
    await deliver(await appOn(fake), "issue_comment", say(number, 1103, "/route reroll", first));
    // No permission read: a requested reviewer may reroll themselves.
    expect(calls(fake)).toEqual([
      ...READS,
      "candidateSignals",
      "approvalHistory",
      "addReaction",
      "removeReviewRequests",
      "requestReviews",
      "listCheckRuns",
      "createCheckRun",
    ]);
    expect(fake.requestedUsers).toEqual(want.reviewers);
    expect(fake.summary()!.summary).toContain(`| ${first} | ${NN} | withdrawn |`);
  });

  it("an outsider's /route reroll @login is refused after a permission check, with one reply and no reaction", async () => {
    const number = 204;
    const first = routeOf(number).reviewers[0]!;
    const fake = github(number, { requestedUsers: [first] });
    fake.permissions.set("outsider", "read");
    await deliver(await appOn(fake), "issue_comment", say(number, 1104, `/route reroll @${first}`, "outsider"));
    expect(calls(fake)).toEqual([...READS, "permissionLevel", "createComment", "listComments"]);
    const body = fake.comments[0]!.body;
    expect(body.startsWith(`${replyMarker(1104)}\n`)).toBe(true);
    expect(body).toContain(
      `\`/route reroll @${first}\`: @outsider may not reroll someone else's review request here: ` +
        "only the author, a requested reviewer about themselves, and people with write access may.",
    );
    expect(body).toContain("Accepted forms:\n- `/route`: route again now");
  });

  it("a malformed command by the author gets one reply naming the problem, no permission check and no reaction; answered once", async () => {
    const fake = github(206);
    const probot = await appOn(fake);
    await deliver(probot, "issue_comment", say(206, 1106, "/route frobnicate", AUTHOR));
    expect(fake.writes().map((c) => c.call)).toEqual(["createComment"]);
    expect(fake.comments[0]!.body).toContain('`/route frobnicate`: unknown subcommand "frobnicate".');
    // Delivered again: the reply is in the timeline, so it is not written twice.
    await deliver(probot, "issue_comment", say(206, 1106, "/route frobnicate", AUTHOR));
    expect(fake.writes().map((c) => c.call)).toEqual(["createComment"]);
  });

  it("/route skip by someone with write access: permission read, +1, the skip label added, nothing routed", async () => {
    const fake = github(207);
    fake.permissions.set("maintainer1", "write");
    await deliver(await appOn(fake), "issue_comment", say(207, 1107, "/route skip", "maintainer1"));
    expect(calls(fake)).toEqual([...READS, "permissionLevel", "addReaction", "addLabels"]);
    expect([...fake.labels]).toEqual(["module: nn", "review-router: skip"]);
  });

  it("/route resume by the author: the skip label removed, then routed again at once", async () => {
    const fake = github(208, { labels: ["module: nn", "review-router: skip"] });
    await deliver(await appOn(fake), "issue_comment", say(208, 1108, "/route resume", AUTHOR));
    expect(fake.writes().map((c) => c.call)).toEqual(["addReaction", "removeLabel", "requestReviews", "createCheckRun"]);
    expect(fake.requestedUsers).toEqual(routeOf(208).reviewers);
  });

  it("/route explain replies with the routing explanation: modules, files, who is asked and who is not and why", async () => {
    const fake = github(209);
    await deliver(await appOn(fake), "issue_comment", say(209, 1109, "/route explain", AUTHOR));
    // The explanation is the plan `/route` would carry out, availability and load read as for it; nothing else is written.
    expect(fake.writes().map((c) => c.call)).toEqual(["addReaction", "createComment"]);
    expect(calls(fake)).toContain("candidateSignals");
    const body = fake.comments[0]!.body;
    expect(body.startsWith(`${explainMarker(1109)}\n### review-router: 1 module: ${NN}`)).toBe(true);
    expect(body).toContain(`| ${NN} | \`module: nn\` | \`${NN_FILE}\` | @${routeOf(209).reviewers[0]} |`);
    expect(body).toContain("<summary>Candidates not chosen</summary>");
  });

  it("says what it did: the lines carried out, those refused and why, and a redelivery as such", async () => {
    const fake = github(211, { requestedUsers: ["amy"] });
    const event = {
      kind: "comment" as const,
      number: 211,
      state: "open",
      onPullRequest: true,
      comment: { id: 1111, body: "/route skip\n/route reroll @bob", author: AUTHOR, byBot: false },
    };
    const options = { bundled, apply: true, dryRunEnv: false, now: new Date("2026-01-07T12:00:00Z") };
    expect(await runComment(fake, event, options)).toEqual({
      kind: "commands",
      accepted: ["/route skip"],
      refused: [{ text: "/route reroll @bob", reason: "@bob is not a requested reviewer of this pull request" }],
      done: [],
      redelivery: false,
      routed: [],
    });
    expect(await runComment(fake, event, options)).toMatchObject({ accepted: ["/route skip"], redelivery: true });
    expect(fake.writes().map((c) => c.call)).toEqual(["addReaction", "addLabels", "createComment", "addReaction"]);
  });

  it("ignores comments on plain issues, by bots, by review-router itself, and edited comments, without a single call", async () => {
    const fake = github(210);
    const probot = await appOn(fake);
    const on210 = { number: 210, body: "/route" };
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: AUTHOR, onPullRequest: false }));
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: "some-bot[bot]", commenterType: "Bot" }));
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: "someone", viaAppId: APP_ID }));
    await deliver(probot, "issue_comment", pullRequestCommentEvent({ ...on210, commenter: AUTHOR, action: "edited" }));
    expect(fake.calls).toEqual([]);
  });
});
