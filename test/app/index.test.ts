// The GitHub App end to end: a real Probot instance running review-router receives webhook
// payloads (GitHub's own examples, re-pointed at pytorch/pytorch) and talks to a GitHub API
// mocked with nock. Every test asserts the exact label and review-request bodies, that every
// mocked call was made, and that no other call was.
//
// Expected reviewers come from the pure core (`route` with the bundled router) given the same
// inputs, so the tests do not hard-code the hash choice; the invariants that must hold whatever
// the hash chose (never the author, never an emeritus maintainer, at most three) are checked
// directly.

import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadBundled } from "../../src/app/index.js";
import { CC_MARKER } from "../../src/core/plan.js";
import type { Policy } from "../../src/core/config.js";
import { routeIssue } from "../../src/core/issue-text.js";
import { loginKey } from "../../src/core/registry.js";
import { triageCommand } from "../../src/cli/triage.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { candidatesToFetch, route, type RouteDecision, type RouteInput } from "../../src/core/route.js";
import { buildSignalsQuery } from "../../src/app/candidate-signals.js";
import { buildRouter, type Router } from "../../src/core/router.js";
import { COMMENT_MARKER } from "../../src/app/summary.js";
import {
  API,
  contentsAnswer,
  captureCheckRunCreate,
  captureCheckRunUpdate,
  captureCommentDelete,
  captureCommentUpdate,
  captureComments,
  captureLabelsAdded,
  captureReviewRequests,
  existingCheckRun,
  mockCheckRunList,
  mockCodeowners,
  mockConfigFile,
  mockGraphql,
  mockInstallationToken,
  mockLabelRemoved,
  mockLabelsAddFailing,
  mockNoConfigFile,
  mockPullRequestReads,
  mockPullRequestRead,
  mockTimeline,
  timeline,
  type TimelineEvent,
} from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import {
  DEFAULT_HEAD_SHA,
  issueEditedEvent,
  issueOpenedEvent,
  pullRequestEvent,
  pushEvent,
  type PullRequestPayload,
} from "../helpers/payloads.js";
import { deliver, startApp } from "../helpers/probot.js";

const bundled = loadBundled();
const REPOSITORY = "pytorch/pytorch";
const MAX_REVIEWERS = 3;

const NN_FILE = "torch/nn/modules/linear.py";
const OPTIM_FILE = "torch/optim/adam.py";
const NN = "NN APIs (torch.nn)";
const OPTIM = "Optimizers (torch.optim)";

/** `count` distinct files under `dir`. */
function filesIn(dir: string, count: number, prefix = "f"): string[] {
  return Array.from({ length: count }, (_, i) => `${dir}/${prefix}${i}.py`);
}

/** The bundled router with a different reviewer policy (a repository file that sets it). */
function routerWith(policy: Partial<Policy>): Router {
  return buildRouter({ ...bundled.config, policy: { ...bundled.config.policy, ...policy } }, bundled.registry);
}

/** What the core decides for `pr` with these files: the app must do exactly this. */
function expectedRoute(
  pr: PullRequestPayload,
  files: readonly string[],
  more: Partial<RouteInput> = {},
  router: Router = bundled.router,
): RouteDecision {
  return route(router, {
    repository: REPOSITORY,
    prNumber: pr.number,
    author: pr.pull_request.user.login,
    files: files.map((path) => ({ path })),
    ...more,
  });
}

function activeMaintainers(moduleName: string): string[] {
  const m = bundled.router.modules.find((x) => x.spec.name === moduleName);
  if (!m) throw new Error(`no bundled module ${moduleName}`);
  return m.maintainers.filter((x) => !x.emeritus).map((x) => loginKey(x.login));
}

/** Whether one of `logins` is an active maintainer of `moduleName`. */
function covers(logins: readonly string[], moduleName: string): boolean {
  const active = activeMaintainers(moduleName);
  return logins.some((l) => active.includes(loginKey(l)));
}

/**
 * What must hold for everyone review-router requested on `pr`, whatever the hash chose: not the
 * author, an active (not emeritus) maintainer of a touched module, and at most `max` on the pull
 * request counting those already there.
 */
function expectSoundRequests(
  requested: readonly string[],
  pr: PullRequestPayload,
  o: { modules: readonly string[]; alreadyOnPr?: readonly string[]; max?: number },
): void {
  const keys = requested.map(loginKey);
  expect(new Set(keys).size, "nobody is requested twice").toBe(keys.length);
  expect(keys, "the author is never requested").not.toContain(loginKey(pr.pull_request.user.login));
  for (const login of requested) {
    expect(
      o.modules.some((m) => covers([login], m)),
      `${login} is an active (not emeritus) maintainer of a touched module`,
    ).toBe(true);
  }
  const onPr = new Set([...keys, ...(o.alreadyOnPr ?? []).map(loginKey)]);
  expect(onPr.size, "reviewers on the pull request").toBeLessThanOrEqual(o.max ?? MAX_REVIEWERS);
}

const reviewersIn = (calls: readonly { reviewers: string[] }[]) => calls.flatMap((c) => c.reviewers);
const moduleNames = (d: RouteDecision) => d.modules.map((m) => m.name);

/** The summary table row the app renders for one module of a decision (modules of up to three files). */
function summaryRow(m: RouteDecision["modules"][number]): string {
  return `| ${m.name} | ${m.labels.map((l) => `\`${l}\``).join(", ")} | ${m.files.map((f) => `\`${f}\``).join(", ")} | ${m.reviewers.map((r) => `@${r}`).join(", ")} |`;
}

const github = useStrictNock();
beforeEach(() => vi.stubEnv("DRY_RUN", undefined)); // the environment must not switch dry-run on behind a test's back
afterEach(() => vi.unstubAllEnvs());

/** Mid-test: everything mocked so far was requested, and nothing else. */
function expectAllMocksUsed(): void {
  github.expectAllUsed();
}

describe("pull requests", () => {
  it.each([
    ["opened", 101],
    ["reopened", 120],
  ] as const)(
    "labels a %s pull request by module, requests its maintainers in one call and creates a neutral check run",
    async (action, number) => {
      const files = [NN_FILE, OPTIM_FILE];
      const pr = pullRequestEvent({ action, number, changedFiles: files.length });
      expect(pr.action).toBe(action);
      const want = expectedRoute(pr, files);
      const probot = await startApp();
      mockInstallationToken();
      mockPullRequestReads(pr, { files });
      const labels = captureLabelsAdded(number);
      const reviews = captureReviewRequests(number);
      const checkRuns = captureCheckRunCreate();

      await deliver(probot, "pull_request", pr);

      expect(labels).toEqual([{ labels: ["module: nn", "module: optimizer"] }]);
      expect(reviews).toEqual([{ reviewers: want.reviewers }]);
      const requested = reviewersIn(reviews);
      expectSoundRequests(requested, pr, { modules: [NN, OPTIM] });
      expect(covers(requested, NN) && covers(requested, OPTIM), "every module has a reviewer").toBe(true);

      expect(checkRuns).toHaveLength(1);
      const run = checkRuns[0]!;
      expect(run).toMatchObject({ name: "review-router", head_sha: DEFAULT_HEAD_SHA, status: "completed", conclusion: "neutral" });
      expect(run.output.title).toBe(`2 modules: ${NN}, ${OPTIM}`);
      expect(run.output.summary).toContain("| module | label | files | reviewers |");
      for (const m of want.modules) expect(run.output.summary).toContain(summaryRow(m));
    },
  );

  it("reads at most 30 pages of 100 files (GitHub's 3,000) of a larger pull request and says so in the check run", async () => {
    // Pages 1-29 are NN files; page 30, the last GitHub lists, is ONNX: its label shows it was read.
    const fileAt = (page: number, i: number) => (page === 30 ? `torch/onnx/p${page}_${i}.py` : `torch/nn/p${page}_${i}.py`);
    const allRead = Array.from({ length: 30 }, (_, p) => Array.from({ length: 100 }, (_, i) => fileAt(p + 1, i))).flat();
    const pr = pullRequestEvent({ number: 121, changedFiles: 3500 });
    const want = expectedRoute(pr, allRead);
    const probot = await startApp();
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

  it("labels a draft but defers review requests until it is ready for review, then requests and updates the same check run", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const draft = pullRequestEvent({ number: 103, changedFiles: files.length, draft: true });
    const want = expectedRoute(draft, files);
    const probot = await startApp();
    mockInstallationToken();

    mockPullRequestReads(draft, { files, signals: false }); // a deferred draft needs no availability
    const labels = captureLabelsAdded(103);
    const created = captureCheckRunCreate(77);
    await deliver(probot, "pull_request", draft);

    expect(labels).toEqual([{ labels: ["module: nn", "module: optimizer"] }]);
    expect(created).toHaveLength(1);
    expect(created[0]!.output.summary).toContain(
      "This pull request is a draft: reviews will be requested when it is marked ready for review.",
    );
    expectAllMocksUsed(); // and no review request: none was mocked

    // Marked ready: the timeline now shows the labels review-router added.
    const ready = pullRequestEvent({ action: "ready_for_review", number: 103, changedFiles: files.length });
    mockPullRequestReads(ready, {
      config: false, // this replica read the file a moment ago: it is not read again (see ConfigFileCache)
      files,
      timeline: [timeline.labeledByApp("module: nn"), timeline.labeledByApp("module: optimizer")],
      checkRuns: [existingCheckRun(77, DEFAULT_HEAD_SHA, created[0]!)],
    });
    const reviews = captureReviewRequests(103);
    const updated = captureCheckRunUpdate(77);
    await deliver(probot, "pull_request", ready);

    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expectSoundRequests(reviewersIn(reviews), ready, { modules: [NN, OPTIM] });
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(updated[0]!.output.summary).not.toContain("draft");
    for (const m of want.modules) expect(updated[0]!.output.summary).toContain(summaryRow(m));
  });

  it("never requests the author, even when the author maintains the touched modules", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 104, changedFiles: files.length, author: "ALBAND" });
    const want = expectedRoute(pr, files);
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { files });
    captureLabelsAdded(104);
    const reviews = captureReviewRequests(104);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    const requested = reviewersIn(reviews);
    expect(requested.map(loginKey)).not.toContain("alband");
    expectSoundRequests(requested, pr, { modules: [NN, OPTIM] });
    expect(checkRuns[0]!.output.summary).toContain(`| albanD | ${NN} | author |`);
  });

  it("counts reviewers a human already requested toward the cap, lets them cover their module and never requests them again", async () => {
    const files = [NN_FILE, ...filesIn("torch/distributions", 2), ...filesIn("torch/linalg", 3), ...filesIn("torch/distributed", 4)];
    // jbschlosser (NN) is in the payload; fritzo (Distributions) only in the timeline, requested by a person.
    const pr = pullRequestEvent({ number: 105, changedFiles: files.length, requestedReviewers: ["jbschlosser"] });
    const alreadyOnPr = ["jbschlosser", "fritzo"];
    const want = expectedRoute(pr, files, { requestedReviewers: alreadyOnPr });
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, {
      files,
      timeline: [timeline.reviewRequestedBy("ezyang", "jbschlosser"), timeline.reviewRequestedBy("ezyang", "fritzo")],
    });
    captureLabelsAdded(105);
    const reviews = captureReviewRequests(105);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    const requested = reviewersIn(reviews);
    expect(requested, "three minus the two already on the pull request").toHaveLength(1);
    expect(requested.map(loginKey)).not.toContain("jbschlosser");
    expect(requested.map(loginKey)).not.toContain("fritzo");
    expectSoundRequests(requested, pr, { modules: moduleNames(want), alreadyOnPr });
    expect(covers(requested, "Distributed"), "the module with most files gets the one new reviewer").toBe(true);
    const summary = checkRuns[0]!.output.summary;
    expect(summary).toContain(`| ${NN} | \`module: nn\` | \`${NN_FILE}\` | @jbschlosser |`);
    expect(summary).toMatch(/\| Distributions & RNG \| `module: distributions` \| [^|]+ \| @fritzo \|/);
    expect(summary).toContain("Linear Algebra (torch.linalg) (cap of 3 reviewers reached)");
  });

  it("on a 422 for a non-collaborator, requests each reviewer alone, records the refused one and requests the others", async () => {
    const files = [NN_FILE, ...filesIn("torch/linalg", 2), ...filesIn("torch/distributions", 3)];
    const pr = pullRequestEvent({ number: 106, changedFiles: files.length });
    const first = expectedRoute(pr, files);
    expect(first.reviewers).toHaveLength(3);
    const refused = first.reviewers[1]!;
    const accepted = first.reviewers.filter((r) => r !== refused);
    // Chosen again without the refused user: a replacement for their module.
    const again = expectedRoute(pr, files, { requestedReviewers: accepted, blocked: [{ login: refused, reason: "not a collaborator" }] });
    const refusedModule = first.modules.find((m) => m.reviewers.includes(refused))!.name;
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { files });
    captureLabelsAdded(106);
    const reviews = captureReviewRequests(106, { calls: 1 + 3 + again.reviewers.length, notCollaborators: [refused] });
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(reviews).toEqual([
      { reviewers: first.reviewers },
      ...first.reviewers.map((login) => ({ reviewers: [login] })),
      ...(again.reviewers.length > 0 ? [{ reviewers: again.reviewers }] : []),
    ]);
    const requested = [...accepted, ...again.reviewers];
    expect(requested.map(loginKey)).not.toContain(loginKey(refused));
    expectSoundRequests(requested, pr, { modules: moduleNames(first) });
    expect(covers(requested, refusedModule), `${refusedModule} is covered by someone else`).toBe(true);
    expect(checkRuns[0]!.output.summary).toContain(`| ${refused} | ${refusedModule} | not a collaborator |`);
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

  it("writes nothing when the same event is delivered again", async () => {
    const files = [NN_FILE, OPTIM_FILE, ...filesIn("torch/linalg", 2)];
    const pr = pullRequestEvent({ number: 111, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const probot = await startApp();
    mockInstallationToken();

    mockPullRequestReads(pr, { files });
    const labels = captureLabelsAdded(111);
    const reviews = captureReviewRequests(111);
    const created = captureCheckRunCreate(42);
    await deliver(probot, "pull_request", pr);
    expect(labels).toEqual([{ labels: want.labels }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expectAllMocksUsed();

    // Redelivery: the same payload; GitHub now shows what the first delivery did. Only reads are mocked
    // (and not the configuration: this replica has it cached).
    mockPullRequestReads(pr, {
      config: false,
      files,
      timeline: timeline.routedByApp(want.labels, want.reviewers),
      checkRuns: [existingCheckRun(42, DEFAULT_HEAD_SHA, created[0]!)],
      signals: false, // every module is covered: no availability query
    });
    await deliver(probot, "pull_request", pr);
  });

  it("in dry-run mode set by the configuration, writes no label or review request but a summary that says dry run", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 112, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { config: "dry_run: true\n", files });
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(checkRuns).toHaveLength(1);
    expect(checkRuns[0]!.conclusion).toBe("neutral");
    expect(checkRuns[0]!.output.summary).toContain("**Dry run**: nothing was labelled and no review was requested.");
    for (const m of want.modules) expect(checkRuns[0]!.output.summary).toContain(summaryRow(m));
  });

  it("in dry-run mode set by DRY_RUN (createApp's dryRun), writes no label or review request but a summary that says dry run", async () => {
    const files = [NN_FILE];
    const pr = pullRequestEvent({ number: 113, changedFiles: files.length });
    const probot = await startApp({ dryRun: true });
    mockInstallationToken();
    mockPullRequestReads(pr, { files });
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(checkRuns).toHaveLength(1);
    expect(checkRuns[0]!.output.summary).toContain("**Dry run**");
  });

  it("on synchronize, requests nobody new while the reviewers on the pull request cover every touched module", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const opened = pullRequestEvent({ number: 114, changedFiles: files.length });
    const onPr = expectedRoute(opened, files).reviewers; // what review-router requested when it was opened
    const sync = pullRequestEvent({
      action: "synchronize",
      number: 114,
      changedFiles: files.length,
      labels: ["module: nn", "module: optimizer"],
      requestedReviewers: onPr,
      headSha: "1111111111111111111111111111111111111111",
    });
    const probot = await startApp();
    mockInstallationToken();
    // The read finds no check run on the synchronize's head commit, 1111…, nor on earlier ones.
    mockPullRequestReads(sync, {
      files,
      timeline: timeline.routedByApp(["module: nn", "module: optimizer"], onPr),
      signals: false, // no new reviewer is needed: no GraphQL request
    });
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", sync);

    // No label and no review request was mocked; the new head commit gets its check run.
    expect(checkRuns).toHaveLength(1);
    expect(checkRuns[0]!.head_sha).toBe("1111111111111111111111111111111111111111");
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

  it("on synchronize that touches a new module, adds its label and tops up one reviewer for that module only", async () => {
    const before = [NN_FILE, OPTIM_FILE];
    const files = [...before, "torch/distributions/normal.py"];
    const onPr = expectedRoute(pullRequestEvent({ number: 115, changedFiles: before.length }), before).reviewers;
    const sync = pullRequestEvent({
      action: "synchronize",
      number: 115,
      changedFiles: files.length,
      labels: ["module: nn", "module: optimizer"],
      requestedReviewers: onPr,
      headSha: "2222222222222222222222222222222222222222",
    });
    const want = expectedRoute(sync, files, { requestedReviewers: onPr });
    const probot = await startApp();
    mockInstallationToken();
    // The read finds no check run on the synchronize's head commit, 2222…, nor on earlier ones.
    mockPullRequestReads(sync, {
      files,
      timeline: timeline.routedByApp(["module: nn", "module: optimizer"], onPr),
    });
    const labels = captureLabelsAdded(115);
    const reviews = captureReviewRequests(115);
    captureCheckRunCreate();

    await deliver(probot, "pull_request", sync);

    expect(labels).toEqual([{ labels: ["module: distributions"] }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    const requested = reviewersIn(reviews);
    expect(requested).toHaveLength(1);
    expect(covers(requested, "Distributions & RNG")).toBe(true);
    expectSoundRequests(requested, sync, { modules: moduleNames(want), alreadyOnPr: onPr });
  });

  it("never requests again a reviewer whose request a human removed", async () => {
    const files = [NN_FILE];
    const sync = pullRequestEvent({ action: "synchronize", number: 116, changedFiles: files.length, labels: ["module: nn"] });
    const removed = expectedRoute(sync, files).reviewers[0]!; // the app's own first choice
    const want = expectedRoute(sync, files, { blocked: [{ login: removed, reason: "request removed" }] });
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(sync, {
      files,
      timeline: [
        timeline.labeledByApp("module: nn"),
        timeline.reviewRequestedByApp(removed),
        timeline.reviewRequestRemovedBy("ezyang", removed),
      ],
    });
    const reviews = captureReviewRequests(116);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", sync);

    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(reviewersIn(reviews).map(loginKey)).not.toContain(loginKey(removed));
    expectSoundRequests(reviewersIn(reviews), sync, { modules: [NN] });
    expect(checkRuns[0]!.output.summary).toContain(`| ${removed} | ${NN} | request removed |`);
  });

  it("with sync_labels, removes a module label the app added for a module no longer touched, never one a human added", async () => {
    const files = [NN_FILE];
    const pr = pullRequestEvent({
      action: "synchronize",
      number: 117,
      changedFiles: files.length,
      labels: ["module: nn", "module: optimizer", "module: autograd"],
    });
    const nnReviewer = expectedRoute(pr, files).reviewers;
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, {
      config: "sync_labels: true\n",
      files,
      timeline: [
        timeline.labeledByApp("module: nn"),
        timeline.labeledByApp("module: optimizer"),
        timeline.labeledBy("ezyang", "module: autograd"),
        ...nnReviewer.map(timeline.reviewRequestedByApp),
      ],
      signals: false,
    });
    mockLabelRemoved(117, "module: optimizer");
    captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);
    // Only the DELETE of `module: optimizer` was mocked: `module: autograd` stays, nothing is added.
  });

  it("does nothing, and does not throw, for a delivery without an installation", async () => {
    const pr = pullRequestEvent({ number: 118, changedFiles: 1 });
    delete pr.installation;
    const probot = await startApp();

    await expect(deliver(probot, "pull_request", pr)).resolves.toBeUndefined();
    // afterEach: no request was made at all (none was mocked, not even the token).
  });
});

describe("summary modes", () => {
  it("with summary: comment, writes one marked comment, edits it in place when routing changes and leaves it alone on redelivery", async () => {
    const before = [NN_FILE, OPTIM_FILE];
    const files = [...before, "torch/distributions/normal.py"];
    const SYNC_SHA = "3333333333333333333333333333333333333333";
    const opened = pullRequestEvent({ number: 130, changedFiles: before.length });
    const first = expectedRoute(opened, before);
    const probot = await startApp();
    mockInstallationToken();

    // Opened: labels, reviews and one new comment; no check run.
    const { read } = mockPullRequestReads(opened, { config: "summary: comment\n", files: before });
    const labels = captureLabelsAdded(130);
    const reviews = captureReviewRequests(130);
    const comments = captureComments(130);
    await deliver(probot, "pull_request", opened);

    expect(labels).toEqual([{ labels: ["module: nn", "module: optimizer"] }]);
    expect(reviews).toEqual([{ reviewers: first.reviewers }]);
    // The read asks for no check runs: a workflow token without checks permission still reads in one request.
    expect(read[0]!.query).not.toContain("checkSuites");
    expect(read[0]!.variables).not.toHaveProperty("appId");
    expect(comments).toHaveLength(1);
    const created = comments[0]!.body;
    expect(created.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(created).toContain(`### review-router: 2 modules: ${NN}, ${OPTIM}`);
    expect(created).toContain("| module | label | files | reviewers |");
    for (const m of first.modules) expect(created).toContain(summaryRow(m));
    expectAllMocksUsed(); // and no check-run request: none was mocked
    const commentId = 5001; // the id captureComments gave the created comment

    // Synchronize touching a new module: the timeline shows the comment, which is edited, not duplicated.
    const onPr = first.reviewers;
    const sync = pullRequestEvent({
      action: "synchronize",
      number: 130,
      changedFiles: files.length,
      labels: ["module: nn", "module: optimizer"],
      requestedReviewers: onPr,
      headSha: SYNC_SHA,
    });
    const want = expectedRoute(sync, files, { requestedReviewers: onPr });
    const afterOpened = timeline.routedByApp(["module: nn", "module: optimizer"], onPr);
    mockPullRequestReads(sync, {
      config: false,
      files,
      timeline: [...afterOpened, timeline.commentedByApp(commentId, created)],
    });
    const added = captureLabelsAdded(130);
    const topUp = captureReviewRequests(130);
    const edits = captureCommentUpdate(commentId);
    await deliver(probot, "pull_request", sync);

    expect(added).toEqual([{ labels: ["module: distributions"] }]);
    expect(topUp).toEqual([{ reviewers: want.reviewers }]);
    expect(edits).toHaveLength(1);
    const edited = edits[0]!.body;
    expect(edited.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(edited).not.toBe(created);
    expect(edited).toContain("| module | label | files | reviewers |");
    for (const m of want.modules) expect(edited).toContain(summaryRow(m));
    expect(edited).toContain("| Distributions & RNG | `module: distributions` | `torch/distributions/normal.py` |");
    expectAllMocksUsed(); // one PATCH, no second comment, no check run

    // The same synchronize delivered again: GitHub shows everything done; the body would not change.
    mockPullRequestReads(sync, {
      config: false,
      files,
      timeline: [
        ...afterOpened,
        timeline.commentedByApp(commentId, edited),
        ...timeline.routedByApp(["module: distributions"], want.reviewers),
      ],
      signals: false,
    });
    await deliver(probot, "pull_request", sync);
    // afterEach: only reads were mocked, so nothing was written.
  });

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

  it("with summary: none, labels and requests reviews but writes no check run and no comment", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 131, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { config: "summary: none\n", files });
    const labels = captureLabelsAdded(131);
    const reviews = captureReviewRequests(131);

    await deliver(probot, "pull_request", pr);

    expect(labels).toEqual([{ labels: ["module: nn", "module: optimizer"] }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expectSoundRequests(reviewersIn(reviews), pr, { modules: [NN, OPTIM] });
    // afterEach: no check-run list, check-run write or comment was mocked, and none was requested.
  });
});

describe("configuration sources", () => {
  it("applies a configuration found only in the owner's .github repository", async () => {
    // Two modules no maintainer shares: without the file, each would get its own reviewer.
    const DISTRIBUTIONS = "Distributions & RNG";
    const files = [NN_FILE, "torch/distributions/normal.py"];
    const pr = pullRequestEvent({ number: 132, changedFiles: files.length });
    expect(expectedRoute(pr, files).reviewers, "the bundled configuration alone requests two").toHaveLength(2);
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 1 }));
    expect(want.reviewers).toHaveLength(1);
    const probot = await startApp();
    mockInstallationToken();
    const { configReads } = mockPullRequestReads(pr, { config: { org: "max_reviewers: 1\n" }, files });
    const labels = captureLabelsAdded(132);
    const reviews = captureReviewRequests(132);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(configReads).toEqual([
      "/repos/pytorch/pytorch/contents/.github%2Freview-router.yml",
      "/repos/pytorch/.github/contents/.github%2Freview-router.yml",
    ]);
    expect(labels).toEqual([{ labels: ["module: nn", "module: distributions"] }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(reviewersIn(reviews), "only one reviewer for two modules").toHaveLength(1);
    expectSoundRequests(reviewersIn(reviews), pr, { modules: [NN, DISTRIBUTIONS], max: 1 });
    expect(checkRuns[0]!.output.summary).toMatch(/\*\*Not covered\*\*: [^\n]*\(cap of 1 reviewers? reached\)/);
    expect(checkRuns[0]!.output.summary).toContain(
      "<sub>Configuration: .github/review-router.yml merged over the bundled PyTorch configuration.",
    );
  });

  it("does nothing in another owner's repository that has no configuration file and no CODEOWNERS", async () => {
    const pr = pullRequestEvent({ number: 133, changedFiles: 2, repository: "someone/project" });
    const probot = await startApp();
    mockInstallationToken();
    mockNoConfigFile("someone/project");
    const lookups = mockCodeowners("someone/project");

    await deliver(probot, "pull_request", pr);
    expect(lookups).toEqual([".github%2FCODEOWNERS", "CODEOWNERS", "docs%2FCODEOWNERS"].map((p) => `/repos/someone/project/contents/${p}`));
    // afterEach: only the configuration and CODEOWNERS reads were mocked: no files, timeline, label, review or check run.
  });
});

describe("repositories outside the bundled organisations", () => {
  it("route a small file's own modules only: no bundled module's label or reviewer", async () => {
    const REPO_ME = "/repos/me/proj";
    const files = ["docs/index.md", "web/app.js"];
    // In pytorch/pytorch the same path belongs to a bundled module: the file alone must keep it out.
    expect(expectedRoute(pullRequestEvent({ number: 140, changedFiles: 1 }), ["docs/index.md"]).modules.length).toBeGreaterThan(0);
    const pr = pullRequestEvent({ number: 140, changedFiles: files.length, repository: "me/proj", author: "carol" });
    const text = "summary: none\nmodules:\n  - name: Web\n    label: web\n    maintainers: [alice]\n    paths: [web/**]\n";
    const probot = await startApp();
    mockInstallationToken();
    const json = { "content-type": "application/json; charset=utf-8" };
    nock(API).get(`${REPO_ME}/contents/.github%2Freview-router.yml`).reply(200, contentsAnswer(text));
    mockPullRequestRead({ repository: "me/proj", number: 140, files });
    const graphql = mockGraphql({}, { repository: "me/proj" });
    const labels: unknown[] = [];
    const reviews: unknown[] = [];
    nock(API)
      .post(`${REPO_ME}/issues/140/labels`, (b: { labels: string[] }) => labels.push(b) > 0)
      .reply(200, [{ name: "web" }], json)
      .post(`${REPO_ME}/pulls/140/requested_reviewers`, (b: { reviewers: string[] }) => reviews.push(b) > 0)
      .reply(201, { number: 140 }, json);

    await deliver(probot, "pull_request", pr);

    expect(labels).toEqual([{ labels: ["web"] }]);
    expect(reviews).toEqual([{ reviewers: ["alice"] }]);
    expect(graphql.map((b) => b.variables)).toEqual([{ login0: "alice", search0: "is:pr is:open review-requested:alice repo:me/proj" }]);
  });
});

describe("availability and load", () => {
  const files = [NN_FILE];
  /** The signals as the app reads them from the GraphQL answer, for the expected decision. */
  const signalsOf = (busy: Record<string, string>, load: Record<string, number>, candidates: readonly string[]) => ({
    busy: new Map(Object.entries(busy).map(([l, message]) => [l, { message }])),
    openReviews: new Map(candidates.map((l) => [l, load[l] ?? 0])),
  });

  it("passes over a busy and an overloaded maintainer on a real delivery, in one GraphQL request, saying why", async () => {
    const pr = pullRequestEvent({ number: 150, changedFiles: files.length });
    const plain = expectedRoute(pr, files);
    const author = pr.pull_request.user.login;
    const candidates = candidatesToFetch(bundled.router, { repository: REPOSITORY, prNumber: 150, author, files: [{ path: NN_FILE }] });
    expect(candidates.length).toBeGreaterThan(2);
    // The one the hash picks is busy; the next one has 20 open review requests (max_open_reviews is 15).
    const busy = plain.reviewers[0]!;
    const second = expectedRoute(pr, files, { blocked: [{ login: busy, reason: "busy" }] }).reviewers[0]!;
    const signals = signalsOf({ [busy]: "On leave" }, { [second]: 20 }, candidates);
    const want = expectedRoute(pr, files, { signals });
    expect(want.reviewers).toHaveLength(1);
    expect(want.reviewers.map(loginKey)).not.toContain(loginKey(busy));
    expect(want.reviewers.map(loginKey)).not.toContain(loginKey(second));
    const probot = await startApp();
    mockInstallationToken();
    const { graphql } = mockPullRequestReads(pr, {
      files,
      signals: { statuses: { [busy]: { indicatesLimitedAvailability: true, message: "On leave" } }, openReviews: { [second]: 20 } },
    });
    captureLabelsAdded(150);
    const reviews = captureReviewRequests(150);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    const q = buildSignalsQuery(REPOSITORY, candidates);
    expect(graphql).toEqual([{ query: q.query, variables: q.variables }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    const summary = checkRuns[0]!.output.summary;
    expect(summary).toContain(`| ${busy} | ${NN} | busy (GitHub status: "On leave") |`);
    expect(summary).toContain(`| ${second} | ${NN} | overloaded (20 open review requests; max_open_reviews: 15) |`);
  });

  it("on a GraphQL error, chooses as without availability, requests a reviewer and notes it in the summary", async () => {
    const pr = pullRequestEvent({ number: 151, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { files, signals: false });
    const graphql = mockGraphql({}, { fail: 502 });
    captureLabelsAdded(151);
    const reviews = captureReviewRequests(151);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(graphql).toHaveLength(1);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(checkRuns[0]!.output.summary).toContain(
      "**Note**: availability and load could not be read: the availability query failed: Server Error; chose as without them.",
    );
  });

  it("with the skip label on, adds labels but requests nobody, reads no availability, and says reviews are paused", async () => {
    const pr = pullRequestEvent({ number: 152, changedFiles: 2, labels: ["review-router: skip"] });
    const probot = await startApp();
    mockInstallationToken();
    const skipLabelled = [timeline.labeledBy("ezyang", "review-router: skip")];
    mockPullRequestReads(pr, { files: [NN_FILE, OPTIM_FILE], timeline: skipLabelled, signals: false });
    const labels = captureLabelsAdded(152);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(labels).toEqual([{ labels: ["module: nn", "module: optimizer"] }]);
    const summary = checkRuns[0]!.output.summary;
    expect(summary).toContain(
      "**Paused**: automatic review requests are stopped on this pull request (label `review-router: skip`); labels still apply.",
    );
    expect(summary).toContain(`| ${NN} | \`module: nn\` | \`${NN_FILE}\` | - |`);
    // afterEach: no review request and no GraphQL request was mocked.
  });

  it("never asks again someone review-router withdrew by /route reroll", async () => {
    const pr = pullRequestEvent({ number: 153, action: "synchronize", changedFiles: files.length });
    const withdrawn = expectedRoute(pr, files).reviewers[0]!;
    const want = expectedRoute(pr, files, { blocked: [{ login: withdrawn, reason: "withdrawn" }] });
    const probot = await startApp();
    mockInstallationToken();
    const removedByApp = { ...timeline.reviewRequestedByApp(withdrawn), event: "review_request_removed" };
    mockPullRequestReads(pr, { files, timeline: [timeline.reviewRequestedByApp(withdrawn), removedByApp] });
    captureLabelsAdded(153);
    const reviews = captureReviewRequests(153);
    const checkRuns = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expect(want.reviewers.map(loginKey)).not.toContain(loginKey(withdrawn));
    expect(checkRuns[0]!.output.summary).toContain(`| ${withdrawn} | ${NN} | withdrawn |`);
  });
});

describe("configuration limits and _extends", () => {
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

  it("layers the file over the ones `_extends` names (owner/repo:path), lists replaced, and reports a loop", async () => {
    const files = [NN_FILE, "torch/distributions/normal.py"];
    const pr = pullRequestEvent({ number: 141, changedFiles: files.length });
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 1 }));
    const probot = await startApp();
    mockInstallationToken();
    const reads: string[] = [];
    const serve = (path: string, text: string) =>
      nock(API)
        .get(path)
        .reply(200, () => {
          reads.push(path);
          return contentsAnswer(text);
        });
    serve("/repos/pytorch/pytorch/contents/.github%2Freview-router.yml", "_extends: shared/settings:conf/rr.yml\nmax_reviewers: 1\n");
    serve("/repos/shared/settings/contents/conf%2Frr.yml", "_extends: base-repo\nmax_reviewers: 3\nsummary: none\n");
    serve("/repos/pytorch/base-repo/contents/.github%2Freview-router.yml", "summary: check\nfallback_reviewers: [ezyang]\n");
    mockPullRequestReads(pr, { config: false, files });
    const labels = captureLabelsAdded(141);
    const reviews = captureReviewRequests(141);

    await deliver(probot, "pull_request", pr);

    expect(reads).toHaveLength(3);
    expect(labels).toEqual([{ labels: ["module: nn", "module: distributions"] }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]); // max_reviewers 1 (own) over 3; summary: none from the middle file
    expectAllMocksUsed();

    // A chain that comes back to a file it read is refused, naming the line of `_extends`. The push
    // that changed the file drops this replica's copy of it (a push to another branch does not).
    await deliver(probot, "push", pushEvent("pytorch/pytorch", "feature"));
    await deliver(probot, "push", pushEvent("pytorch/pytorch"));
    serve("/repos/pytorch/pytorch/contents/.github%2Freview-router.yml", "max_reviewers: 1\n_extends: other\n");
    serve("/repos/pytorch/other/contents/.github%2Freview-router.yml", "_extends: pytorch/pytorch\n");
    mockCheckRunList(DEFAULT_HEAD_SHA);
    const failed = captureCheckRunCreate();
    await deliver(probot, "pull_request", pr);
    expect(failed[0]!.output.summary).toContain(
      ".github/review-router.yml:2: error: _extends: pytorch/pytorch:.github/review-router.yml is read twice (the chain loops)",
    );
  });
});

describe("GitHub errors", () => {
  it("lets a 500 on adding labels reject the delivery, and requests no review after the failed write", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 134, changedFiles: files.length });
    const probot = await startApp();
    mockInstallationToken();
    mockPullRequestReads(pr, { files }); // the delivery fails before its summary
    mockLabelsAddFailing(134);

    const delivery = deliver(probot, "pull_request", pr);

    await expect(delivery, "probot.receive rejects, for Probot to log the delivery as failed").rejects.toThrow();
    // @octokit/webhooks wraps handler errors in an AggregateError: the one inside is GitHub's 500.
    const err = await delivery.catch((e: unknown) => e);
    const causes = (err as { errors?: unknown[] }).errors ?? [err];
    expect(causes.map((e) => (e as { status?: unknown }).status)).toEqual([500]);
    expectAllMocksUsed(); // the labels POST was made once (no retry); no review request, no check run
  });
});

describe("configuration errors", () => {
  it("on invalid YAML acts on nothing, fails the check run naming the file and line, and routes the next event once the file is fixed", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 107, changedFiles: files.length });
    const probot = await startApp();
    mockInstallationToken();

    mockConfigFile("max_reviewers: 2\nmodules: [unclosed");
    mockCheckRunList(DEFAULT_HEAD_SHA);
    const failed = captureCheckRunCreate(70);
    await deliver(probot, "pull_request", pr);

    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ name: "review-router", head_sha: DEFAULT_HEAD_SHA, status: "completed", conclusion: "failure" });
    expect(failed[0]!.output.title).toBe("Configuration error");
    // The same parser as the CLI's: it reports where the unclosed list ends (the end of the file).
    expect(failed[0]!.output.summary).toContain(
      ".github/review-router.yml:3: error: invalid YAML: unexpected end of the stream within a flow collection",
    );
    expectAllMocksUsed(); // no files, no timeline, no label, no review request

    // The file is fixed on the default branch (the push says so); the next event is routed with it.
    await deliver(probot, "push", pushEvent());
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 2 }));
    mockPullRequestReads(pr, { config: "max_reviewers: 2\n", files, checkRuns: [existingCheckRun(70, DEFAULT_HEAD_SHA, failed[0]!)] });
    const labels = captureLabelsAdded(107);
    const reviews = captureReviewRequests(107);
    const updated = captureCheckRunUpdate(70);
    await deliver(probot, "pull_request", pr);

    expect(labels).toEqual([{ labels: ["module: nn", "module: optimizer"] }]);
    expect(reviews).toEqual([{ reviewers: want.reviewers }]);
    expectSoundRequests(reviewersIn(reviews), pr, { modules: [NN, OPTIM], max: 2 });
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ conclusion: "neutral" });
  });

  it("on a wrong-shaped configuration acts on nothing and fails the check run naming each key and its line", async () => {
    const pr = pullRequestEvent({ number: 108, changedFiles: 1 });
    const probot = await startApp();
    mockInstallationToken();
    // Read once: the same parsed text gives the values and their lines.
    mockConfigFile('# review-router for pytorch/pytorch\nmax_reviewers: "three"\nskip_draft: false\n');
    mockCheckRunList(DEFAULT_HEAD_SHA);
    const failed = captureCheckRunCreate();

    await deliver(probot, "pull_request", pr);

    expect(failed).toHaveLength(1);
    expect(failed[0]!.conclusion).toBe("failure");
    const summary = failed[0]!.output.summary;
    expect(summary).toContain("`.github/review-router.yml` has 2 errors");
    expect(summary).toContain(".github/review-router.yml:2: error: max_reviewers: must be a whole number from 0 to 15");
    expect(summary).toContain(".github/review-router.yml:3: error: skip_draft: unknown key");
  });
});

describe("issues", () => {
  const traceback = [
    "Iterating fails:",
    "",
    "```",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3/site-packages/torch/utils/data/dataloader.py", line 631, in __next__',
    "    data = self._next_data()",
    "RuntimeError: DataLoader worker (pid 4242) exited unexpectedly",
    "```",
  ].join("\n");
  const title = "Training crashes on the first batch";
  const DATA = "Multiprocessing and DataLoaders";

  it("labels an issue by the module a pasted traceback names, without commenting by default", async () => {
    const issue = issueOpenedEvent({ number: 201, title, body: traceback });
    expect(routeIssue(bundled.router, { repository: REPOSITORY, title, body: traceback }).labels).toEqual(["module: dataloader"]);
    const probot = await startApp();
    mockInstallationToken();
    mockNoConfigFile();
    mockTimeline(201);
    const labels = captureLabelsAdded(201);

    await deliver(probot, "issues", issue);

    expect(labels).toEqual([{ labels: ["module: dataloader"] }]);
    // No comment was mocked: issue_comment is off by default.
  });

  it("with label_issues: false, reads the configuration and does nothing else", async () => {
    const issue = issueOpenedEvent({ number: 209, title, body: traceback });
    const probot = await startApp();
    mockInstallationToken();
    mockConfigFile("label_issues: false\n");

    await deliver(probot, "issues", issue);
    // afterEach: only the configuration read was mocked: no timeline, label or comment.
  });

  it("reads the configuration once per replica until a push to the default branch (not another branch) says it changed", async () => {
    const issue = issueOpenedEvent({ number: 210, title, body: traceback });
    const probot = await startApp();
    mockInstallationToken();
    const reads = mockConfigFile("label_issues: false\n");
    await deliver(probot, "issues", issue);
    await deliver(probot, "issues", issue);
    await deliver(probot, "push", pushEvent("pytorch/pytorch", "feature"));
    await deliver(probot, "push", pushEvent("pytorch/vision"));
    await deliver(probot, "issues", issue);
    expect(reads).toHaveLength(1);
    expectAllMocksUsed();

    await deliver(probot, "push", pushEvent("pytorch/pytorch"));
    const again = mockConfigFile("label_issues: false\n");
    await deliver(probot, "issues", issue);
    expect(again).toHaveLength(1);
  });

  it("with issue_comment, cc's the module's maintainers in exactly one comment, also when the event is delivered again", async () => {
    const issue = issueOpenedEvent({ number: 202, title, body: traceback });
    const decision = routeIssue(bundled.router, { repository: REPOSITORY, title, body: traceback });
    const probot = await startApp();
    mockInstallationToken();

    mockConfigFile("issue_comment: true\n");
    mockTimeline(202);
    const labels = captureLabelsAdded(202);
    const comments = captureComments(202);
    await deliver(probot, "issues", issue);

    expect(labels).toEqual([{ labels: ["module: dataloader"] }]);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(CC_MARKER)).toBe(true);
    const maintainers = decision.modules.flatMap((m) => m.maintainers);
    expect(maintainers.length).toBeGreaterThan(0);
    // Each module's line says briefly why: its labels and their strongest evidence.
    expect(body).toContain(
      `- ${DATA}: ${maintainers.map((l) => `@${l}`).join(" ")} (module: dataloader (innermost frame torch/utils/data/dataloader.py +3; error message "DataLoader" +3))`,
    );
    for (const login of ["VitalyFedyunin", "apaszke"]) expect(body, "no emeritus maintainer is cc'd").not.toContain(`@${login}`);
    expectAllMocksUsed();

    // Redelivered: the timeline shows the label and the comment review-router wrote (the configuration is cached).
    mockTimeline(202, [timeline.labeledByApp("module: dataloader"), timeline.commentedByApp(5001, body)]);
    await deliver(probot, "issues", issue);
  });

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

  it("on an edit, adds the label of a newly named module but never adds back one a human removed", async () => {
    const edited = `${traceback}\n\nAfter that, the Adam step in torch/optim/adam.py diverges too.`;
    const issue = issueEditedEvent({ number: 203, title, body: edited }, { body: { from: traceback } });
    expect(issue.action).toBe("edited");
    expect(routeIssue(bundled.router, { repository: REPOSITORY, title, body: edited }).labels).toEqual([
      "module: dataloader",
      "module: optimizer",
    ]);
    const probot = await startApp();
    mockInstallationToken();
    mockNoConfigFile();
    // review-router labelled the issue when it was opened; a maintainer then removed the label.
    mockTimeline(203, [timeline.labeledByApp("module: dataloader"), timeline.unlabeledBy("ezyang", "module: dataloader")]);
    const labels = captureLabelsAdded(203);

    await deliver(probot, "issues", issue);

    expect(labels).toEqual([{ labels: ["module: optimizer"] }]);
  });

  it("adds the labels `review-router triage` prints for the same issue (the CLI and the app decide alike)", async () => {
    // Cases of every kind from the evaluation set: compile stack, DISABLED test, build log, OOM, no label.
    const all = readFileSync(new URL("../fixtures/triage/cases.jsonl", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { title: string; body: string });
    const cases = all.filter((_, i) => i % 16 === 0);
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const file = join(mkdtempSync(join(tmpdir(), "review-router-triage-")), "issues.jsonl");
    writeFileSync(file, cases.map((c) => JSON.stringify({ title: c.title, body: c.body })).join("\n") + "\n");
    let out = "";
    const code = await triageCommand(["--jsonl", file], { stdout: (t) => (out += t), stderr: () => {}, readStdin: async () => "" });
    expect(code).toBe(0);
    const cliLabels = out
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { labels: string[] }).labels);
    expect(cliLabels).toHaveLength(cases.length);
    expect(cliLabels.filter((l) => l.length > 0).length, "some cases are labelled").toBeGreaterThan(3);
    expect(cliLabels.filter((l) => l.length === 0).length, "some cases are not").toBeGreaterThan(0);

    const probot = await startApp();
    for (const [i, c] of cases.entries()) {
      const number = 300 + i;
      // The app keeps the token, and that there is no configuration file, for later deliveries.
      if (i === 0) {
        mockInstallationToken();
        mockNoConfigFile();
      }
      let added: { labels: string[] }[] = [];
      if (cliLabels[i]!.length > 0) {
        mockTimeline(number);
        added = captureLabelsAdded(number);
      }
      await deliver(probot, "issues", issueOpenedEvent({ number, title: c.title, body: c.body }));
      expect(added, c.title).toEqual(cliLabels[i]!.length > 0 ? [{ labels: cliLabels[i] }] : []);
      expectAllMocksUsed();
    }
  });
});
