// The GitHub App's decisions, delivery by delivery: a real Probot instance running review-router
// receives webhook payloads and handles each through the in-memory GitHub (test/helpers/fake-github.ts),
// so every test asserts exactly what was written, in order, without HTTP. The wire format of each
// call is tested against octokitPort with nock (port.test.ts, pull-request-read.test.ts and the
// remaining cases of index.test.ts); whole deliveries over HTTP run against the stand-in (test/e2e).

import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Probot } from "probot";
import { beforeEach, afterEach, describe, expect, it, vi } from "vitest";
import { triageCommand } from "../../src/cli/triage.js";
import { routeIssue } from "../../src/core/issue-text.js";
import { CC_MARKER } from "../../src/core/plan.js";
import { loginKey } from "../../src/core/registry.js";
import { candidatesToFetch } from "../../src/core/route.js";
import { COMMENT_MARKER } from "../../src/app/summary.js";
import { FakeGitHub, type FakeCall, type FakeThread } from "../helpers/fake-github.js";
import { issueEditedEvent, issueOpenedEvent, pullRequestEvent, pushEvent } from "../helpers/payloads.js";
import { deliver, startApp } from "../helpers/probot.js";
import {
  bundled,
  covers,
  expectedRoute,
  expectSoundRequests,
  filesIn,
  moduleNames,
  NN,
  NN_FILE,
  OPTIM,
  OPTIM_FILE,
  REPOSITORY,
  routerWith,
  summaryRow,
  DATALOADER_ISSUE,
} from "../helpers/routing-expectations.js";

beforeEach(() => vi.stubEnv("DRY_RUN", undefined)); // the environment must not switch dry-run on behind a test's back
afterEach(() => vi.unstubAllEnvs());

const PYTORCH = { owner: "pytorch", repo: "pytorch" };

/** Pull request (or issue) `number` of pytorch/pytorch on a fresh in-memory GitHub, with `config` as its file if given. */
function github(number: number, thread: FakeThread = {}, config?: string): FakeGitHub {
  const fake = new FakeGitHub({ number, ...thread }, PYTORCH);
  return config === undefined ? fake : fake.setFile(".github/review-router.yml", config);
}

/** The app with every delivery handled through `fake`. */
function appOn(fake: FakeGitHub, options: { dryRun?: boolean } = {}): Promise<Probot> {
  return startApp({ bundled, portFor: () => fake, ...options });
}

/** The writes, as `call: argument` lines. */
function writes(fake: FakeGitHub): unknown[] {
  return fake.writes().map((c: FakeCall) => {
    if (c.call === "addLabels") return { labels: c.labels };
    if (c.call === "requestReviews") return { reviewers: c.users, ...(c.teams.length ? { teams: c.teams } : {}) };
    if (c.call === "removeLabel") return { removeLabel: c.name };
    if (c.call === "createCheckRun" || c.call === "updateCheckRun") return { [c.call]: c.run.conclusion };
    return c.call;
  });
}

const summaryOf = (fake: FakeGitHub) => fake.summary()!.summary;

/** A push to pull request `number`, routed when it touched `before`: NN and Optimizer labelled, their reviewers requested. */
function pushed(number: number, before: readonly string[], files: readonly string[], headSha?: string) {
  const onPr = expectedRoute(pullRequestEvent({ number, changedFiles: before.length }), before).reviewers;
  const labels = ["module: nn", "module: optimizer"];
  return pullRequestEvent({
    action: "synchronize",
    number,
    changedFiles: files.length,
    labels,
    requestedReviewers: onPr,
    ...(headSha ? { headSha } : {}),
  });
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
      const want = expectedRoute(pr, files);
      const fake = github(number, { files });
      await deliver(await appOn(fake), "pull_request", pr);

      expect(writes(fake)).toEqual([
        { labels: ["module: nn", "module: optimizer"] },
        { reviewers: want.reviewers },
        { createCheckRun: "neutral" },
      ]);
      expectSoundRequests(want.reviewers, pr, { modules: [NN, OPTIM] });
      expect(covers(want.reviewers, NN) && covers(want.reviewers, OPTIM), "every module has a reviewer").toBe(true);
      const run = fake.checkRuns[0]!;
      expect(run).toMatchObject({ headSha: pr.pull_request.head.sha, status: "completed", conclusion: "neutral" });
      expect(run.output.title).toBe(`2 modules: ${NN}, ${OPTIM}`);
      expect(run.output.summary).toContain("| module | label | files | reviewers |");
      for (const m of want.modules) expect(run.output.summary).toContain(summaryRow(m));
    },
  );

  it("labels a draft but defers review requests until it is ready for review, then requests and updates the same check run", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const draft = pullRequestEvent({ number: 103, changedFiles: files.length, draft: true });
    const want = expectedRoute(draft, files);
    const fake = github(103, { files });
    const probot = await appOn(fake);
    await deliver(probot, "pull_request", draft);
    // A deferred draft needs no availability: no signals read.
    expect(fake.calls.some((c) => c.call === "candidateSignals")).toBe(false);
    expect(writes(fake)).toEqual([{ labels: ["module: nn", "module: optimizer"] }, { createCheckRun: "neutral" }]);
    expect(summaryOf(fake)).toContain("This pull request is a draft: reviews will be requested when it is marked ready for review.");

    fake.calls.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent({ action: "ready_for_review", number: 103, changedFiles: files.length }));
    expect(writes(fake)).toEqual([{ reviewers: want.reviewers }, { updateCheckRun: "neutral" }]);
    expect(fake.checkRuns).toHaveLength(1);
    expect(summaryOf(fake)).not.toContain("draft");
    for (const m of want.modules) expect(summaryOf(fake)).toContain(summaryRow(m));
  });

  it("never requests the author, even when the author maintains the touched modules", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 104, changedFiles: files.length, author: "ALBAND" });
    const want = expectedRoute(pr, files);
    const fake = github(104, { files });
    await deliver(await appOn(fake), "pull_request", pr);
    expect(fake.requestedUsers).toEqual(want.reviewers);
    expect(want.reviewers.map(loginKey)).not.toContain("alband");
    expectSoundRequests(want.reviewers, pr, { modules: [NN, OPTIM] });
    expect(summaryOf(fake)).toContain(`| albanD | ${NN} | author |`);
  });

  it("counts reviewers a human already requested toward the cap, lets them cover their module and never requests them again", async () => {
    const files = [NN_FILE, ...filesIn("torch/distributions", 2), ...filesIn("torch/linalg", 3), ...filesIn("torch/distributed", 4)];
    // jbschlosser (NN) is in the payload; fritzo (Distributions) only in GitHub's state, requested by a person.
    const pr = pullRequestEvent({ number: 105, changedFiles: files.length, requestedReviewers: ["jbschlosser"] });
    const alreadyOnPr = ["jbschlosser", "fritzo"];
    const want = expectedRoute(pr, files, { requestedReviewers: alreadyOnPr });
    const fake = github(105, { files, requestedUsers: ["fritzo"] });
    await deliver(await appOn(fake), "pull_request", pr);

    expect(writes(fake)).toEqual([{ labels: want.labels }, { reviewers: want.reviewers }, { createCheckRun: "neutral" }]);
    expect(want.reviewers, "three minus the two already on the pull request").toHaveLength(1);
    expectSoundRequests(want.reviewers, pr, { modules: moduleNames(want), alreadyOnPr });
    expect(covers(want.reviewers, "Distributed"), "the module with most files gets the one new reviewer").toBe(true);
    const summary = summaryOf(fake);
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
    const again = expectedRoute(pr, files, { requestedReviewers: accepted, blocked: [{ login: refused, reason: "not a collaborator" }] });
    const refusedModule = first.modules.find((m) => m.reviewers.includes(refused))!.name;
    const fake = github(106, { files });
    fake.notCollaborators.add(refused.toLowerCase());
    await deliver(await appOn(fake), "pull_request", pr);

    expect(writes(fake)).toEqual([
      { labels: first.labels },
      { reviewers: first.reviewers },
      ...first.reviewers.map((login) => ({ reviewers: [login] })),
      ...(again.reviewers.length > 0 ? [{ reviewers: again.reviewers }] : []),
      { createCheckRun: "neutral" },
    ]);
    expect(fake.requestedUsers.map(loginKey)).not.toContain(loginKey(refused));
    expectSoundRequests(fake.requestedUsers, pr, { modules: moduleNames(first) });
    expect(covers(fake.requestedUsers, refusedModule), `${refusedModule} is covered by someone else`).toBe(true);
    expect(summaryOf(fake)).toContain(`| ${refused} | ${refusedModule} | not a collaborator |`);
  });

  it("writes nothing when the same event is delivered again", async () => {
    const files = [NN_FILE, OPTIM_FILE, ...filesIn("torch/linalg", 2)];
    const pr = pullRequestEvent({ number: 111, changedFiles: files.length });
    const fake = github(111, { files });
    const probot = await appOn(fake);
    await deliver(probot, "pull_request", pr);
    const first = fake.writes().length;
    expect(first).toBe(3);
    await deliver(probot, "pull_request", pr);
    expect(fake.writes()).toHaveLength(first);
  });

  it.each([
    ["the configuration", { config: "dry_run: true\n", dryRun: false }],
    ["DRY_RUN (createApp's dryRun)", { config: undefined, dryRun: true }],
  ])("in dry-run mode set by %s, writes no label or review request but a summary that says dry run", async (_by, o) => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 112, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const fake = github(112, { files }, o.config);
    await deliver(await appOn(fake, { dryRun: o.dryRun }), "pull_request", pr);
    expect(writes(fake)).toEqual([{ createCheckRun: "neutral" }]);
    expect(summaryOf(fake)).toContain("**Dry run**: nothing was labelled and no review was requested.");
    for (const m of want.modules) expect(summaryOf(fake)).toContain(summaryRow(m));
  });

  it("on synchronize, requests nobody new while the reviewers on the pull request cover every touched module", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const sync = pushed(114, files, files, "1".repeat(40));
    const fake = github(114, { files, labelsAddedByApp: ["module: nn", "module: optimizer"] });
    await deliver(await appOn(fake), "pull_request", sync);
    // No availability read (no new reviewer is needed), no label, no request; the new head commit gets its run.
    expect(fake.calls.some((c) => c.call === "candidateSignals")).toBe(false);
    expect(writes(fake)).toEqual([{ createCheckRun: "neutral" }]);
    expect(fake.checkRuns[0]!.headSha).toBe("1".repeat(40));
  });

  it("on synchronize that touches a new module, adds its label and tops up one reviewer for that module only", async () => {
    const before = [NN_FILE, OPTIM_FILE];
    const files = [...before, "torch/distributions/normal.py"];
    const sync = pushed(115, before, files);
    const onPr = sync.pull_request.requested_reviewers.map((u) => u.login);
    const want = expectedRoute(sync, files, { requestedReviewers: onPr });
    const fake = github(115, { files });
    await deliver(await appOn(fake), "pull_request", sync);
    expect(writes(fake)).toEqual([{ labels: ["module: distributions"] }, { reviewers: want.reviewers }, { createCheckRun: "neutral" }]);
    expect(want.reviewers).toHaveLength(1);
    expect(covers(want.reviewers, "Distributions & RNG")).toBe(true);
    expectSoundRequests(want.reviewers, sync, { modules: moduleNames(want), alreadyOnPr: onPr });
  });

  it("never requests again a reviewer whose request a human removed, nor one review-router withdrew by /route reroll", async () => {
    const files = [NN_FILE];
    const sync = pullRequestEvent({ action: "synchronize", number: 116, changedFiles: files.length, labels: ["module: nn"] });
    const gone = expectedRoute(sync, files).reviewers[0]!; // the app's own first choice
    const cases: [FakeThread, "request removed" | "withdrawn"][] = [
      [{ requestRemovedByHuman: [gone] }, "request removed"],
      [{ requestRemovedByApp: [gone] }, "withdrawn"],
    ];
    for (const [thread, reason] of cases) {
      const want = expectedRoute(sync, files, { blocked: [{ login: gone, reason }] });
      const fake = github(116, { files, ...thread });
      await deliver(await appOn(fake), "pull_request", sync);
      expect(writes(fake)).toEqual([{ reviewers: want.reviewers }, { createCheckRun: "neutral" }]);
      expect(want.reviewers.map(loginKey)).not.toContain(loginKey(gone));
      expect(summaryOf(fake)).toContain(`| ${gone} | ${NN} | ${reason} |`);
    }
  });

  it("with sync_labels, removes a module label the app added for a module no longer touched, never one a human added", async () => {
    const files = [NN_FILE];
    const pr = pullRequestEvent({
      action: "synchronize",
      number: 117,
      changedFiles: files.length,
      labels: ["module: nn", "module: optimizer", "module: autograd"],
    });
    const fake = github(
      117,
      {
        files,
        labels: ["module: nn", "module: optimizer", "module: autograd"],
        labelsAddedByApp: ["module: nn", "module: optimizer"],
        requestedUsers: expectedRoute(pr, files).reviewers,
      },
      "sync_labels: true\n",
    );
    await deliver(await appOn(fake), "pull_request", pr);
    expect(writes(fake)).toEqual([{ removeLabel: "module: optimizer" }, { createCheckRun: "neutral" }]);
    expect([...fake.labels]).toEqual(["module: nn", "module: autograd"]);
  });

  it("does nothing, and does not throw, for a delivery without an installation", async () => {
    const pr = pullRequestEvent({ number: 118, changedFiles: 1 });
    delete pr.installation;
    const fake = github(118, { files: [NN_FILE] });
    await expect(deliver(await appOn(fake), "pull_request", pr)).resolves.toBeUndefined();
    expect(fake.calls).toEqual([]);
  });

  it("lets a 500 on adding labels reject the delivery, and requests no review after the failed write", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const fake = github(134, { files }).failNext("addLabels", 500);
    const delivery = deliver(await appOn(fake), "pull_request", pullRequestEvent({ number: 134, changedFiles: files.length }));
    await expect(delivery, "probot.receive rejects, for Probot to log the delivery as failed").rejects.toThrow();
    // @octokit/webhooks wraps handler errors in an AggregateError: the one inside is GitHub's 500.
    const err = await delivery.catch((e: unknown) => e);
    expect(((err as { errors?: unknown[] }).errors ?? [err]).map((e) => (e as { status?: unknown }).status)).toEqual([500]);
    expect(fake.writes().map((c) => c.call)).toEqual(["addLabels"]);
  });
});

describe("summary modes", () => {
  it("with summary: comment, writes one marked comment, edits it in place when routing changes and leaves it alone on redelivery", async () => {
    const before = [NN_FILE, OPTIM_FILE];
    const fake = github(130, { files: before }, "summary: comment\n");
    const probot = await appOn(fake);
    await deliver(probot, "pull_request", pullRequestEvent({ number: 130, changedFiles: before.length }));
    // No check run is read or written: a token without checks permission is enough.
    expect(fake.calls.filter((c) => c.call.includes("CheckRun"))).toEqual([]);
    expect(fake.comments).toHaveLength(1);
    const created = fake.comments[0]!.body;
    expect(created.startsWith(`${COMMENT_MARKER}\n### review-router: 2 modules: ${NN}, ${OPTIM}`)).toBe(true);

    // A push touching a new module: the comment is edited, not duplicated; delivered again, nothing is written.
    const files = [...before, "torch/distributions/normal.py"];
    fake.calls.length = 0;
    const sync = pullRequestEvent({ action: "synchronize", number: 130, changedFiles: files.length, headSha: "3".repeat(40) });
    fake.setChangedFiles(files);
    await deliver(probot, "pull_request", sync);
    expect(fake.writes().map((c) => c.call)).toEqual(["addLabels", "requestReviews", "updateComment"]);
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]!.body).toContain("| Distributions & RNG | `module: distributions` | `torch/distributions/normal.py` |");
    fake.calls.length = 0;
    await deliver(probot, "pull_request", sync);
    expect(fake.writes()).toEqual([]);
  });

  it("with summary: none, labels and requests reviews but writes no check run and no comment", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 131, changedFiles: files.length });
    const want = expectedRoute(pr, files);
    const fake = github(131, { files }, "summary: none\n");
    await deliver(await appOn(fake), "pull_request", pr);
    expect(writes(fake)).toEqual([{ labels: ["module: nn", "module: optimizer"] }, { reviewers: want.reviewers }]);
  });
});

describe("configuration sources", () => {
  it("applies a configuration found only in the owner's .github repository", async () => {
    const files = [NN_FILE, "torch/distributions/normal.py"];
    const pr = pullRequestEvent({ number: 132, changedFiles: files.length });
    expect(expectedRoute(pr, files).reviewers, "the bundled configuration alone requests two").toHaveLength(2);
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 1 }));
    const fake = github(132, { files }).setFile(".github/review-router.yml", "max_reviewers: 1\n", { owner: "pytorch", repo: ".github" });
    await deliver(await appOn(fake), "pull_request", pr);
    expect(fake.calls.filter((c) => c.call === "readFile")).toEqual([
      { call: "readFile", at: "pytorch/pytorch:.github/review-router.yml" },
      { call: "readFile", at: "pytorch/.github:.github/review-router.yml" },
    ]);
    expect(writes(fake)).toEqual([
      { labels: ["module: nn", "module: distributions"] },
      { reviewers: want.reviewers },
      { createCheckRun: "neutral" },
    ]);
    expect(want.reviewers, "only one reviewer for two modules").toHaveLength(1);
    expect(summaryOf(fake)).toMatch(/\*\*Not covered\*\*: [^\n]*\(cap of 1 reviewers? reached\)/);
    expect(summaryOf(fake)).toContain("<sub>Configuration: .github/review-router.yml merged over the bundled PyTorch configuration.");
  });

  it("does nothing in another owner's repository that has no configuration file and no CODEOWNERS", async () => {
    const fake = new FakeGitHub({ number: 133, files: [NN_FILE] }, { owner: "someone", repo: "project" });
    await deliver(await appOn(fake), "pull_request", pullRequestEvent({ number: 133, changedFiles: 1, repository: "someone/project" }));
    expect(fake.calls.map((c) => (c.call === "readFile" ? c.at : c.call === "readRawFile" ? c.path : c.call))).toEqual([
      "someone/project:.github/review-router.yml",
      "someone/.github:.github/review-router.yml",
      ".github/CODEOWNERS",
      "CODEOWNERS",
      "docs/CODEOWNERS",
    ]);
  });

  it("outside the bundled organisations, a small file routes its own modules only: no bundled module's label or reviewer", async () => {
    const files = ["docs/index.md", "web/app.js"];
    expect(expectedRoute(pullRequestEvent({ number: 140, changedFiles: 1 }), ["docs/index.md"]).modules.length).toBeGreaterThan(0);
    const text = "summary: none\nmodules:\n  - name: Web\n    label: web\n    maintainers: [alice]\n    paths: [web/**]\n";
    const fake = new FakeGitHub({ number: 140, files }, { owner: "me", repo: "proj" }).setFile(".github/review-router.yml", text);
    await deliver(
      await appOn(fake),
      "pull_request",
      pullRequestEvent({ number: 140, changedFiles: 2, repository: "me/proj", author: "carol" }),
    );
    expect(writes(fake)).toEqual([{ labels: ["web"] }, { reviewers: ["alice"] }]);
    expect(fake.calls.filter((c) => c.call === "candidateSignals")).toEqual([{ call: "candidateSignals", logins: ["alice"] }]);
    // The approval history of the touched directories is read beside the signals, once.
    expect(fake.calls.filter((c) => c.call === "approvalHistory").map((c) => c.call)).toEqual(["approvalHistory"]);
  });

  it("layers the file over the ones `_extends` names (owner/repo:path), and reports a loop once a push says the file changed", async () => {
    const files = [NN_FILE, "torch/distributions/normal.py"];
    const pr = pullRequestEvent({ number: 141, changedFiles: files.length });
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 1 }));
    const fake = github(141, { files }, "_extends: shared/settings:conf/rr.yml\nmax_reviewers: 1\n")
      .setFile("conf/rr.yml", "_extends: base-repo\nmax_reviewers: 3\nsummary: none\n", { owner: "shared", repo: "settings" })
      .setFile(".github/review-router.yml", "summary: check\nfallback_reviewers: [ezyang]\n", { owner: "pytorch", repo: "base-repo" });
    const probot = await appOn(fake);
    await deliver(probot, "pull_request", pr);
    expect(fake.calls.filter((c) => c.call === "readFile")).toHaveLength(3);
    // max_reviewers 1 (own) over 3; summary: none from the middle file.
    expect(writes(fake)).toEqual([{ labels: ["module: nn", "module: distributions"] }, { reviewers: want.reviewers }]);

    // A push to another branch keeps this replica's copy; one to the default branch drops it.
    fake.setFile(".github/review-router.yml", "max_reviewers: 1\n_extends: other\n");
    fake.setFile(".github/review-router.yml", "_extends: pytorch/pytorch\n", { owner: "pytorch", repo: "other" });
    await deliver(probot, "push", pushEvent("pytorch/pytorch", "feature"));
    fake.calls.length = 0;
    await deliver(probot, "pull_request", pr);
    expect(fake.writes()).toEqual([]);
    await deliver(probot, "push", pushEvent("pytorch/pytorch"));
    await deliver(probot, "pull_request", pr);
    expect(fake.summary()).toMatchObject({ conclusion: "failure" });
    expect(summaryOf(fake)).toContain(
      ".github/review-router.yml:2: error: _extends: pytorch/pytorch:.github/review-router.yml is read twice (the chain loops)",
    );
  });
});

describe("availability and load", () => {
  const files = [NN_FILE];

  it("passes over a busy and an overloaded maintainer, reading the candidates' signals once, saying why", async () => {
    const pr = pullRequestEvent({ number: 150, changedFiles: files.length });
    const plain = expectedRoute(pr, files);
    const author = pr.pull_request.user.login;
    const candidates = candidatesToFetch(bundled.router, { repository: REPOSITORY, prNumber: 150, author, files: [{ path: NN_FILE }] });
    expect(candidates.length).toBeGreaterThan(2);
    // The one the hash picks is busy; the next one has 20 open review requests (max_open_reviews is 15).
    const busy = plain.reviewers[0]!;
    const second = expectedRoute(pr, files, { blocked: [{ login: busy, reason: "busy" }] }).reviewers[0]!;
    const signals = {
      busy: new Map([[busy, { message: "On leave" }]]),
      openReviews: new Map(candidates.map((l) => [l, l === second ? 20 : 0])),
    };
    const want = expectedRoute(pr, files, { signals });
    expect(want.reviewers.map(loginKey)).not.toContain(loginKey(busy));
    expect(want.reviewers.map(loginKey)).not.toContain(loginKey(second));
    const fake = github(150, { files });
    fake.signalsResult = {
      ok: true,
      query: { query: "", variables: {}, logins: candidates },
      errors: [],
      signals,
      missing: [],
      unknown: [],
    };
    await deliver(await appOn(fake), "pull_request", pr);
    expect(fake.calls.filter((c) => c.call === "candidateSignals")).toEqual([{ call: "candidateSignals", logins: candidates }]);
    expect(fake.requestedUsers).toEqual(want.reviewers);
    expect(summaryOf(fake)).toContain(`| ${busy} | ${NN} | busy (GitHub status: "On leave") |`);
    expect(summaryOf(fake)).toContain(`| ${second} | ${NN} | overloaded (20 open review requests; max_open_reviews: 15) |`);
  });

  it("when the signals cannot be read, chooses as without them, requests a reviewer and notes it in the summary", async () => {
    const pr = pullRequestEvent({ number: 151, changedFiles: files.length });
    const fake = github(151, { files });
    fake.signalsResult = { ok: false, reason: "the availability query failed: Server Error" };
    await deliver(await appOn(fake), "pull_request", pr);
    // The approval history is still read, once: only the signals failed.
    expect(fake.calls.filter((c) => c.call === "approvalHistory").map((c) => c.call)).toEqual(["approvalHistory"]);
    expect(fake.requestedUsers).toEqual(expectedRoute(pr, files).reviewers);
    expect(summaryOf(fake)).toContain(
      "**Note**: availability and load could not be read: the availability query failed: Server Error; chose as without them.",
    );
  });

  it("with the skip label on, adds labels but requests nobody, reads no availability, and says reviews are paused", async () => {
    const fake = github(152, { files: [NN_FILE, OPTIM_FILE], labels: ["review-router: skip"] });
    await deliver(await appOn(fake), "pull_request", pullRequestEvent({ number: 152, changedFiles: 2, labels: ["review-router: skip"] }));
    expect(fake.calls.some((c) => c.call === "candidateSignals")).toBe(false);
    expect(writes(fake)).toEqual([{ labels: ["module: nn", "module: optimizer"] }, { createCheckRun: "neutral" }]);
    expect(summaryOf(fake)).toContain(
      "**Paused**: automatic review requests are stopped on this pull request (label `review-router: skip`); labels still apply.",
    );
    expect(summaryOf(fake)).toContain(`| ${NN} | \`module: nn\` | \`${NN_FILE}\` | - |`);
  });
});

describe("configuration errors", () => {
  it("on invalid YAML acts on nothing, fails the check run naming the file and line, and routes the next event once the file is fixed", async () => {
    const files = [NN_FILE, OPTIM_FILE];
    const pr = pullRequestEvent({ number: 107, changedFiles: files.length });
    const fake = github(107, { files }, "max_reviewers: 2\nmodules: [unclosed");
    const probot = await appOn(fake);
    await deliver(probot, "pull_request", pr);
    expect(fake.calls.map((c) => c.call)).toEqual(["readFile", "listCheckRuns", "createCheckRun"]);
    expect(fake.summary()).toMatchObject({ title: "Configuration error", conclusion: "failure" });
    // The same parser as the CLI's: it reports where the unclosed list ends (the end of the file).
    expect(summaryOf(fake)).toContain(
      ".github/review-router.yml:3: error: invalid YAML: unexpected end of the stream within a flow collection",
    );

    // The file is fixed on the default branch (the push says so); the next event is routed with it.
    fake.setFile(".github/review-router.yml", "max_reviewers: 2\n");
    await deliver(probot, "push", pushEvent());
    fake.calls.length = 0;
    await deliver(probot, "pull_request", pr);
    const want = expectedRoute(pr, files, {}, routerWith({ maxReviewers: 2 }));
    expect(writes(fake)).toEqual([
      { labels: ["module: nn", "module: optimizer"] },
      { reviewers: want.reviewers },
      { updateCheckRun: "neutral" },
    ]);
    expectSoundRequests(want.reviewers, pr, { modules: [NN, OPTIM], max: 2 });
  });

  it("on a wrong-shaped configuration acts on nothing and fails the check run naming each key and its line", async () => {
    const fake = github(108, { files: [NN_FILE] }, '# review-router for pytorch/pytorch\nmax_reviewers: "three"\nskip_draft: false\n');
    await deliver(await appOn(fake), "pull_request", pullRequestEvent({ number: 108, changedFiles: 1 }));
    expect(writes(fake)).toEqual([{ createCheckRun: "failure" }]);
    const summary = summaryOf(fake);
    expect(summary).toContain("`.github/review-router.yml` has 2 errors");
    expect(summary).toContain(".github/review-router.yml:2: error: max_reviewers: must be a whole number from 0 to 15");
    expect(summary).toContain(".github/review-router.yml:3: error: skip_draft: unknown key");
  });
});

describe("issues", () => {
  const { title, body: traceback } = DATALOADER_ISSUE;
  const DATA = "Multiprocessing and DataLoaders";
  const issue = (number: number, thread: FakeThread = {}, config?: string) => github(number, { issue: true, ...thread }, config);

  it("labels an issue by the module a pasted traceback names, without commenting by default", async () => {
    expect(routeIssue(bundled.router, { repository: REPOSITORY, title, body: traceback }).labels).toEqual(["module: dataloader"]);
    const fake = issue(201);
    await deliver(await appOn(fake), "issues", issueOpenedEvent({ number: 201, title, body: traceback }));
    expect(writes(fake)).toEqual([{ labels: ["module: dataloader"] }]);
  });

  it("with needs_triage_label, labels an issue that names no module for a human to triage; without it, reads nothing more", async () => {
    const vague = { title: "Something is off after upgrading", body: "My results changed when I upgraded. Any idea why?" };
    expect(routeIssue(bundled.router, { repository: REPOSITORY, ...vague })).toMatchObject({ labels: [], modules: [] });
    const fake = issue(211, {}, 'needs_triage_label: "triage review"\n');
    await deliver(await appOn(fake), "issues", issueOpenedEvent({ number: 211, ...vague }));
    expect(writes(fake)).toEqual([{ labels: ["triage review"] }]);

    // The bundled configuration leaves the setting off: the configuration is read, nothing else.
    const bare = issue(212);
    await deliver(await appOn(bare), "issues", issueOpenedEvent({ number: 212, ...vague }));
    expect(bare.calls.map((c) => c.call)).toEqual(["readFile", "readFile"]);
  });

  it("with label_issues: false, reads the configuration and does nothing else; once per replica until a push to the default branch", async () => {
    const fake = issue(210, {}, "label_issues: false\n");
    const probot = await appOn(fake);
    const opened = issueOpenedEvent({ number: 210, title, body: traceback });
    await deliver(probot, "issues", opened);
    await deliver(probot, "issues", opened);
    await deliver(probot, "push", pushEvent("pytorch/pytorch", "feature"));
    await deliver(probot, "push", pushEvent("pytorch/vision"));
    await deliver(probot, "issues", opened);
    expect(fake.calls).toEqual([{ call: "readFile", at: "pytorch/pytorch:.github/review-router.yml" }]);
    await deliver(probot, "push", pushEvent("pytorch/pytorch"));
    await deliver(probot, "issues", opened);
    expect(fake.calls).toHaveLength(2);
  });

  it("with issue_comment, cc's the module's maintainers in exactly one comment, also when the event is delivered again", async () => {
    const decision = routeIssue(bundled.router, { repository: REPOSITORY, title, body: traceback });
    const fake = issue(202, {}, "issue_comment: true\n");
    const probot = await appOn(fake);
    const opened = issueOpenedEvent({ number: 202, title, body: traceback });
    await deliver(probot, "issues", opened);
    expect(writes(fake)).toEqual([{ labels: ["module: dataloader"] }, "createComment"]);
    const body = fake.comments[0]!.body;
    expect(body.startsWith(CC_MARKER)).toBe(true);
    const maintainers = decision.modules.flatMap((m) => m.maintainers);
    expect(maintainers.length).toBeGreaterThan(0);
    // Each module's line says briefly why: its labels and their strongest evidence.
    expect(body).toContain(
      `- ${DATA}: ${maintainers.map((l) => `@${l}`).join(" ")} (module: dataloader (innermost frame torch/utils/data/dataloader.py +3; error message "DataLoader" +3))`,
    );
    for (const login of ["VitalyFedyunin", "apaszke"]) expect(body, "no emeritus maintainer is cc'd").not.toContain(`@${login}`);
    await deliver(probot, "issues", opened);
    expect(writes(fake)).toHaveLength(2);
  });

  it("on an edit, adds the label of a newly named module but never adds back one a human removed", async () => {
    const edited = `${traceback}\n\nAfter that, the Adam optimizer step in torch/optim/adam.py diverges too.`;
    const fake = issue(203, { labelsRemovedByHuman: ["module: dataloader"] });
    await deliver(await appOn(fake), "issues", issueEditedEvent({ number: 203, title, body: edited }, { body: { from: traceback } }));
    expect(writes(fake)).toEqual([{ labels: ["module: optimizer"] }]);
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
    const code = await triageCommand(["--repo", "pytorch/pytorch", "--jsonl", file], {
      stdout: (t) => (out += t),
      stderr: () => {},
      readStdin: async () => "",
    });
    expect(code).toBe(0);
    const cliLabels = out
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { labels: string[] }).labels);
    expect(cliLabels).toHaveLength(cases.length);
    expect(cliLabels.filter((l) => l.length > 0).length, "some cases are labelled").toBeGreaterThan(3);
    expect(cliLabels.filter((l) => l.length === 0).length, "some cases are not").toBeGreaterThan(0);
    for (const [i, c] of cases.entries()) {
      const fake = issue(300 + i);
      await deliver(await appOn(fake), "issues", issueOpenedEvent({ number: 300 + i, title: c.title, body: c.body }));
      expect(writes(fake), c.title).toEqual(cliLabels[i]!.length > 0 ? [{ labels: cliLabels[i] }] : []);
    }
  });
});
