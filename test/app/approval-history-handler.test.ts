// The approval history read on real pull_request deliveries (Probot, nock, exact requests): one
// GraphQL request more, for the touched directories, only when a reviewer must be chosen; a
// directory read within the hour is not read again; a failed read leaves today's choice.
import { describe, expect, it } from "vitest";
import { approvalHistoryQuery } from "../../src/app/approval-history.js";
import { loadBundled } from "../../src/app/index.js";
import { route } from "../../src/core/route.js";
import {
  captureCheckRunCreate,
  captureLabelsAdded,
  captureReviewRequests,
  mockInstallationToken,
  mockPullRequestReads,
  timeline,
} from "../helpers/github.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { deliver, startApp } from "../helpers/probot.js";
import { useStrictNock } from "../helpers/strict-nock.js";

/** The bundled configuration's expertise_window_days: how far back the app reads. */
const WINDOW_DAYS = 180;
const bundled = loadBundled();
const DAY = 24 * 60 * 60_000;
const strict = useStrictNock();

/** Today's choice for `files` of pull request `number` (no history, no signals). */
function plainChoice(number: number, files: readonly string[]): string[] {
  const pr = pullRequestEvent({ number, changedFiles: files.length });
  return route(bundled.router, {
    repository: "pytorch/pytorch",
    prNumber: number,
    author: pr.pull_request.user.login,
    files: files.map((path) => ({ path })),
  }).reviewers;
}

describe("the approval history on a pull_request delivery", () => {
  it("reads the touched directories in one request, 180 days back, then not again within the hour", async () => {
    const probot = await startApp();
    mockInstallationToken();
    const files = ["torch/nn/modules/linear.py", "torch/nn/functional.py"];
    const first = pullRequestEvent({ number: 160, changedFiles: files.length });
    const { history } = mockPullRequestReads(first, { files });
    captureLabelsAdded(160);
    captureReviewRequests(160);
    captureCheckRunCreate();
    const before = Date.now();
    await deliver(probot, "pull_request", first);
    const after = Date.now();

    expect(history).toHaveLength(1);
    const { query, variables } = history[0]!;
    // The two directories and their parents: torch/ is torch/nn/'s, and torch/nn/ is read once.
    expect(query).toBe(approvalHistoryQuery("pytorch", "pytorch", ["torch/", "torch/nn/", "torch/nn/modules/"], new Date()).query);
    expect(variables).toMatchObject({ owner: "pytorch", name: "pytorch", path0: "torch", path1: "torch/nn", path2: "torch/nn/modules" });
    const since = Date.parse(variables.since as string);
    expect(since).toBeGreaterThanOrEqual(before - WINDOW_DAYS * DAY);
    expect(since).toBeLessThanOrEqual(after - WINDOW_DAYS * DAY);
    strict.expectAllUsed();

    // Another pull request in a cached directory: no history request at all.
    const cachedFiles = ["torch/nn/modules/conv.py"];
    const second = pullRequestEvent({ number: 161, changedFiles: 1 });
    // (The configuration is cached too: config false, no read.)
    mockPullRequestReads(second, { files: cachedFiles, config: false, history: false });
    captureLabelsAdded(161);
    captureReviewRequests(161);
    captureCheckRunCreate();
    await deliver(probot, "pull_request", second);
    strict.expectAllUsed();

    // One cached directory and one new one: the request asks for the new one alone.
    const third = pullRequestEvent({ number: 162, changedFiles: 2 });
    const mixed = mockPullRequestReads(third, { files: ["torch/nn/init.py", "torch/optim/sgd.py"], config: false });
    captureLabelsAdded(162);
    captureReviewRequests(162);
    captureCheckRunCreate();
    await deliver(probot, "pull_request", third);
    expect(mixed.history.map((b) => b.variables)).toEqual([
      { owner: "pytorch", name: "pytorch", since: expect.any(String), path0: "torch/optim" },
    ]);
  });

  it("makes no history request when no reviewer is needed (one is already requested)", async () => {
    const probot = await startApp();
    mockInstallationToken();
    const files = ["torch/nn/functional.py"];
    const want = plainChoice(163, files);
    const pr = pullRequestEvent({ number: 163, changedFiles: 1, requestedReviewers: want, labels: ["module: nn"] });
    const { history } = mockPullRequestReads(pr, { files, timeline: timeline.routedByApp(["module: nn"], want), signals: false });
    captureCheckRunCreate();
    await deliver(probot, "pull_request", pr);
    expect(history).toEqual([]);
  });

  it("chooses as today when the read fails (a server error, RATE_LIMITED), and reads again on the next delivery", async () => {
    const probot = await startApp();
    mockInstallationToken();
    const files = ["torch/nn/functional.py"];
    const first = pullRequestEvent({ number: 164, changedFiles: 1 });
    const failed = mockPullRequestReads(first, { files, history: { fail: 502 } });
    captureLabelsAdded(164);
    const reviews = captureReviewRequests(164);
    captureCheckRunCreate();
    await deliver(probot, "pull_request", first);
    expect(failed.history).toHaveLength(1);
    expect(reviews).toEqual([{ reviewers: plainChoice(164, files) }]);
    strict.expectAllUsed();

    // Nothing was cached: the next delivery asks again (and is refused by the rate limit).
    const second = pullRequestEvent({ number: 165, changedFiles: 1 });
    const limited = mockPullRequestReads(second, {
      files,
      config: false,
      history: { errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded for installation ID 2." }] },
    });
    captureLabelsAdded(165);
    const again = captureReviewRequests(165);
    captureCheckRunCreate();
    await deliver(probot, "pull_request", second);
    expect(limited.history).toHaveLength(1);
    expect(again).toEqual([{ reviewers: plainChoice(165, files) }]);
  });
});
