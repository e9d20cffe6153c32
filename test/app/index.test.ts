// The GitHub App against a GitHub API mocked with nock, for what depends on the exact wire format:
// reading 30 pages of files, the contents API without `ref` and its reported size, a 450-event
// timeline in one GraphQL request, the check run digests of earlier commits, refused review requests
// retried one by one, and two replicas racing on one comment. Every test asserts the exact bodies,
// that every mocked call was made, and that no other call was. The app's decisions delivery by
// delivery are tested over the in-memory GitHub in app.test.ts.

import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CC_MARKER } from "../../src/core/plan.js";
import { loginKey } from "../../src/core/registry.js";
import { COMMENT_MARKER } from "../../src/app/summary.js";
import {
  API,
  captureCheckRunCreate,
  captureCommentDelete,
  captureCommentUpdate,
  captureComments,
  captureLabelsAdded,
  captureReviewRequests,
  existingCheckRun,
  mockCheckRunList,
  mockConfigFile,
  mockInstallationToken,
  mockPullRequestReads,
  mockTimeline,
  timeline,
  type TimelineEvent,
} from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import { DEFAULT_HEAD_SHA, issueOpenedEvent, pullRequestEvent } from "../helpers/payloads.js";
import { deliver, startApp } from "../helpers/probot.js";
import {
  covers,
  expectedRoute,
  expectSoundRequests,
  filesIn,
  MAX_REVIEWERS,
  moduleNames,
  NN,
  NN_FILE,
  OPTIM_FILE,
  reviewersIn,
  routerWith,
  type RouteDecision,
  DATALOADER_ISSUE,
} from "../helpers/routing-expectations.js";

const github = useStrictNock();
beforeEach(() => vi.stubEnv("DRY_RUN", undefined)); // the environment must not switch dry-run on behind a test's back
afterEach(() => vi.unstubAllEnvs());

/** Mid-test: everything mocked so far was requested, and nothing else. */
function expectAllMocksUsed(): void {
  github.expectAllUsed();
}

describe("pull requests", () => {
  it("reads at most 30 pages of 100 files (GitHub's 3,000) of a larger pull request and says so in the check run", async () => {
    // Pages 1-29 are NN files; page 30, the last GitHub lists, is ONNX: its label shows it was read.
    const fileAt = (page: number, i: number) => (page === 30 ? `torch/onnx/p${page}_${i}.py` : `torch/nn/p${page}_${i}.py`);
    const allRead = Array.from({ length: 30 }, (_, p) => Array.from({ length: 100 }, (_, i) => fileAt(p + 1, i))).flat();
    const pr = pullRequestEvent({ number: 121, changedFiles: 3500 });
    const want = expectedRoute(pr, allRead);
    // Routing 3,000 files is what this case pays for; on a loaded machine that can pass the 200 ms budget (tested in doors.test.ts).
    const probot = await startApp({ run: { budgetMs: 10_000 } });
    mockInstallationToken();
    const { filePages: pages } = mockPullRequestReads(pr, { files: { pages: 30, fileAt } });
    const labels = captureLabelsAdded(121);
    const reviews = captureReviewRequests(121);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(pages, "pages 1 to 30, each once, and no page 31").toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(labels).toEqual([{ labels: want.labels }]);
    expect(want.labels).toEqual(expect.arrayContaining(["module: nn", "module: onnx"]));
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expectSoundRequests(reviewersIn(reviews), pr, { modules: moduleNames(want) });
    expect(checkRuns).toHaveLength(1);
    const summary = checkRuns[0]!.output.summary;
    expect(summary).toContain("**Note**: GitHub lists at most 3000 changed files of a pull request; files beyond that were not routed.");
    expect(summary).toContain(
      `| ${NN} | \`module: nn\` | \`torch/nn/p1_0.py\`, \`torch/nn/p1_1.py\`, \`torch/nn/p1_2.py\` and 2897 more (2900) |`,
    );
  });

  it("reads every page of a 250-file pull request, labels every module and covers the modules with most files first, within the cap", async () => {
    // Page 3 holds most of the ONNX files: without it ONNX would not be among the top three.
    const page1 = [...filesIn("torch/nn", 60), ...filesIn("torch/distributed", 40)];
    const page2 = [
      ...filesIn("torch/distributed", 5, "g"),
      ...filesIn("torch/linalg", 35),
      ...filesIn("torch/distributions", 30),
      ...filesIn("torch/onnx", 30),
    ];
    const page3 = filesIn("torch/onnx", 50, "g");
    const files = [...page1, ...page2, ...page3];
    expect([page1.length, page2.length, page3.length]).toEqual([100, 100, 50]);
    const pr = pullRequestEvent({ number: 102, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { files });
    const labels = captureLabelsAdded(102);
    const reviews = captureReviewRequests(102);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(labels).toEqual([{ labels: want.labels }]);
    for (const l of ["module: nn", "oncall: distributed", "module: linear algebra", "module: distributions", "module: onnx"])
      expect(want.labels).toContain(l);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    const requested = reviewersIn(reviews);
    expect(requested).toHaveLength(MAX_REVIEWERS);
    expectSoundRequests(requested, pr, { modules: moduleNames(want) });
    // ONNX (80 files), NN (60) and Distributed (45) first; the cap leaves Linear Algebra (35) and Distributions (30) out.
    for (const m of ["ONNX exporter", NN, "Distributed"]) expect(covers(requested, m), `${m} is covered`).toBe(true);
    for (const m of ["Linear Algebra (torch.linalg)", "Distributions & RNG"])
      expect(covers(requested, m), `${m} is not covered`).toBe(false);
    const summary = checkRuns[0]!.output.summary;
    expect(summary).toContain(
      "**Not covered**: Linear Algebra (torch.linalg) (cap of 3 reviewers reached); Distributions & RNG (cap of 3 reviewers reached)",
    );
  });

  it("keeps a refused reviewer's replacements within the cap when the refused reviewer covered two modules", async () => {
    const files = [
      ...filesIn("torch/nn", 4),
      ...filesIn("torch/autograd", 3),
      ...filesIn("torch/distributions", 2),
      ...filesIn("torch/linalg", 1),
    ];
    const routeFor = (prNumber: number) => expectedRoute(pullRequestEvent({ number: prNumber, changedFiles: files.length }), files);
    const coversTwo = (d: RouteDecision) =>
      d.modules.filter((m) => m.reviewers.map(loginKey).includes(loginKey(d.reviewers[0]!))).length === 2;
    // A pull request number for which the first choice alone covers NN and Autograd (e.g. albanD).
    const prNumber = Array.from({ length: 500 }, (_, i) => i + 1).find((n) => {
      const d = routeFor(n);
      return d.reviewers.length === MAX_REVIEWERS && coversTwo(d);
    });
    expect(prNumber, "the bundled maintainers allow such a choice").toBeDefined();
    const pr = pullRequestEvent({ number: prNumber!, changedFiles: files.length });
    const first = expectedRoute(pr, files);
    const [refused, ...accepted] = first.reviewers as [string, ...string[]];
    // The two accepted are on the pull request: one place is left, for NN or Autograd, not both.
    const again = expectedRoute(pr, files, { requestedReviewers: accepted, blocked: [{ login: refused, reason: "not a collaborator" }] });
    expect(again.reviewers).toHaveLength(1);
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { files });
    captureLabelsAdded(pr.number);
    const reviews = captureReviewRequests(pr.number, { calls: 1 + 3 + 1, notCollaborators: [refused] });
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(reviews).toEqual([
      { reviewers: first.reviewers },
      ...first.reviewers.map((login) => ({ reviewers: [login] })),
      { reviewers: again.reviewers },
    ]);
    const requested = [...accepted, ...again.reviewers];
    expectSoundRequests(requested, pr, { modules: moduleNames(first) });
    expect(checkRuns[0]!.output.summary).toContain("(cap of 3 reviewers reached)");
  });

  it("reads the configuration from the default branch even when the pull request edits it", async () => {
    const files = [".github/review-router.yml", NN_FILE, ...filesIn("torch/linalg", 2)];
    const pr = pullRequestEvent({ number: 109, changedFiles: files.length });
    // The default branch's file allows one reviewer; whatever the pull request's copy says does not count.
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 1 }));
    const probot = await startApp();
    mockInstallationToken();
    const { configReads } = mockPullRequestReads(pr, { config: "max_reviewers: 1\n", files });
    const labels = captureLabelsAdded(109);
    const reviews = captureReviewRequests(109);
    captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(configReads).toEqual(["/repos/pytorch/pytorch/contents/.github%2Freview-router.yml"]);
    expect(new URL(configReads[0]!, "https://api.github.com").searchParams.has("ref")).toBe(false);
    expect(labels).toEqual([{ labels: want.labels }]);
    expect(want.labels).toContain("module: ci");
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expectSoundRequests(reviewersIn(reviews), pr, { modules: moduleNames(want), max: 1 });
  });

  it("a synchronize that changes nothing writes nothing: no label, no request, no check run when the latest one says the same", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const opened = pullRequestEvent({ number: 119, changedFiles: files.length });
    const onPr = expectedRoute(opened, files).reviewers;
    const afterOpened = timeline.routedByApp(["module: nn", "module: optimizer"], onPr);
    const push = (headSha: string) =>
      pullRequestEvent({
        action: "synchronize",
        number: 119,
        changedFiles: files.length,
        labels: ["module: nn", "module: optimizer"],
        requestedReviewers: onPr,
        headSha,
      });
    const [A, B] = ["a".repeat(40), "b".repeat(40)];
    const probot = await startApp();
    mockInstallationToken();
    // A push whose commit has no run and whose earlier commits have none: the run is created.
    mockPullRequestReads(push(A), { files, timeline: afterOpened, signals: false });
    const created = captureCheckRunCreate(9001);
    await deliver(probot, "pull_request", push(A));
    expect(created).toHaveLength(1);
    expect(created[0]!.external_id).toMatch(/^rr1-/);
    expectAllMocksUsed();

    // Another push that changes nothing: the run on A says the same, so B gets none. Only the one read is made.
    const { read } = mockPullRequestReads(push(B), {
      config: false,
      files,
      timeline: afterOpened,
      commits: [A, B],
      checkRuns: [existingCheckRun(9001, A, created[0]!)],
      signals: false,
    });
    await deliver(probot, "pull_request", push(B));
    expect(read.map((b) => b.variables.head)).toEqual([B]);
    // afterEach: no write was mocked, so none was made.
  });

  it("reads a timeline of over 450 events in one request: a label a human removed on the last page is not added back", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const opened = pullRequestEvent({ number: 120, changedFiles: files.length });
    const onPr = expectedRoute(opened, files).reviewers;
    const talk = (i: number): TimelineEvent => ({
      event: "commented",
      id: 70000 + i,
      body: `comment ${i}`,
      user: { login: `person${i % 9}`, type: "User" },
      actor: { login: `person${i % 9}`, type: "User" },
      created_at: "2026-11-30T12:00:00Z",
    });
    const pushed = (i: number): TimelineEvent => ({ event: "committed", sha: i.toString(16).padStart(40, "0") });
    // The app's labels and requests, then a person's removal of one label, come past the first four pages of 100.
    const events = [
      ...Array.from({ length: 450 }, (_, i) => (i % 20 === 0 ? pushed(i) : talk(i))),
      ...timeline.routedByApp(["module: nn", "module: optimizer"], onPr),
      timeline.unlabeledBy("ezyang", "module: optimizer"),
    ];
    expect(events.length).toBeGreaterThan(450);
    expect(events.filter((e) => e.event !== "committed").length).toBeGreaterThan(400); // five pages of the items read
    const sync = pullRequestEvent({
      action: "synchronize",
      number: 120,
      changedFiles: files.length,
      labels: ["module: nn"],
      requestedReviewers: onPr,
    });
    const probot = await startApp();
    mockInstallationToken();
    const { read } = mockPullRequestReads(sync, { files, timeline: events, signals: false });
    const checkRuns = captureCheckRunCreate();
    await deliver(probot, "pull_request", sync);
    expect(read).toHaveLength(1);
    // No label write was mocked: "module: optimizer" stays off. Nobody new is requested.
    expect(checkRuns).toHaveLength(1);
    for (const login of onPr) expect(checkRuns[0]!.output.summary).toContain(login);
  });
});

describe("summary modes", () => {
  it("with summary: comment, deletes its new comment when another replica's older one is there, and gives the older one its text", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 135, changedFiles: files.length });
    const probot = await startApp();
    mockInstallationToken();
    // The timeline read at the start showed no summary: another replica created one meanwhile (id 4990).
    mockPullRequestReads(pr, { config: "summary: comment\n", files });
    captureLabelsAdded(135);
    captureReviewRequests(135);
    const older = { id: 4990, body: `${COMMENT_MARKER}\n### review-router: stale text` };
    const comments = captureComments(135, [older]);
    const deleted = captureCommentDelete(5001);
    const edits = captureCommentUpdate(4990);

    await deliver(probot, "pull_request", pr);

    expect(comments).toHaveLength(1);
    expect(deleted.count).toBe(1);
    expect(edits).toEqual([{ body: comments[0]!.body }]);
    expectAllMocksUsed();
  });
});

describe("configuration limits", () => {
  it("refuses a 2 MB configuration from the size GitHub reports, without reading or parsing it", async () => {
    const pr = pullRequestEvent({ number: 140, changedFiles: 1 });
    const probot = await startApp();
    mockInstallationToken();
    // GitHub sends no content for a file over 1 MB: size only, encoding "none".
    nock(API)
      .get("/repos/pytorch/pytorch/contents/.github%2Freview-router.yml")
      .reply(200, { type: "file", path: ".github/review-router.yml", size: 2_000_000, encoding: "none", content: "" });
    mockCheckRunList(DEFAULT_HEAD_SHA);
    const failed = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(failed).toHaveLength(1);
    expect(failed[0]!.conclusion).toBe("failure");
    expect(failed[0]!.output.summary).toContain(
      ".github/review-router.yml: error: file is 2000000 bytes; the limit is 1000000 bytes: split it or remove unused entries",
    );
  });
});

describe("issues", () => {
  const { title, body: traceback } = DATALOADER_ISSUE;

  it("with issue_comment, keeps only the older cc comment when another replica wrote one at the same time", async () => {
    const issue = issueOpenedEvent({ number: 204, title, body: traceback });
    const probot = await startApp();
    mockInstallationToken();
    mockConfigFile("issue_comment: true\n");
    mockTimeline(204);
    captureLabelsAdded(204);
    const comments = captureComments(204, [
      { id: 4000, body: "earlier, unrelated" },
      { id: 4990, body: `${CC_MARKER}\ncc from the other replica` },
    ]);
    const deleted = captureCommentDelete(5001);
    const edits = captureCommentUpdate(4990);

    await deliver(probot, "issues", issue);

    expect(comments).toHaveLength(1);
    expect(deleted.count).toBe(1);
    expect(edits).toEqual([{ body: comments[0]!.body }]);
  });
});
