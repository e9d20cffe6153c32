// Every door over the in-memory GitHub (test/helpers/fake-github.ts): the Probot app, the Action,
// the online CLI, and the offline CLI (`route` given the same files, configuration and history as
// arguments, and the planning entry it calls). The same event must give
// the same plan through each; the defects of issue 18 (commands only in the app, the budget only
// in the app, an explanation that names another reviewer, a reroll that routes three times) and
// issue 21 (a refused reroll acknowledged with +1, an event file that is JSON but no object
// blamed on the network) each have a case here.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Probot } from "probot";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runAction } from "../../src/action/main.js";
import { loadBundled } from "../../src/app/index.js";
import { offlinePort } from "../../src/app/offline-port.js";
import { loadRepoConfig } from "../../src/app/repo-config.js";
import { planPullRequestEvent } from "../../src/app/run.js";
import { DEFAULT_SWEEP_LIMIT } from "../../src/app/sweep.js";
import { displayPath } from "../../src/io/files.js";
import { routeCommand } from "../../src/cli/commands.js";
import { triageCommand } from "../../src/cli/triage.js";
import { onlineRouteCommand } from "../../src/cli/online.js";
import { sweepCommand } from "../../src/cli/sweep.js";
import { explainMarker, replyMarker } from "../../src/core/command-plan.js";
import type { PullRequestPlan } from "../../src/core/plan.js";
import { route } from "../../src/core/route.js";
import { FakeGitHub, type FakeThread } from "../helpers/fake-github.js";
import { issueOpenedEvent, pullRequestCommentEvent, pullRequestEvent } from "../helpers/payloads.js";
import { startApp } from "../helpers/probot.js";

const bundled = loadBundled();
const REPO = { owner: "acme", repo: "widgets" };
const NUMBER = 5;
const CONFIG = `use_default_modules: false
modules:
  - {name: Docs, label: "module: docs", maintainers: [carol, dave, fay], paths: ["docs/**"]}
  - {name: Build, label: "module: build", maintainers: [erin], paths: ["build/**"]}
`;
const FILES = ["docs/index.md", "build/ci.sh"];
const NOW = new Date("2026-01-07T12:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "review-router-doors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pull request on a fresh in-memory GitHub with the configuration on its default branch. */
function github(over: FakeThread = {}): FakeGitHub {
  return new FakeGitHub({ number: NUMBER, files: FILES, author: "zed", headSha: "h5", ...over }, REPO).setFile(
    ".github/review-router.yml",
    CONFIG,
  );
}

const opened = () =>
  pullRequestEvent({
    action: "opened",
    number: NUMBER,
    changedFiles: FILES.length,
    author: "zed",
    headSha: "h5",
    repository: "acme/widgets",
  });
const comment = (commentId: number, body: string, commenter = "zed") =>
  pullRequestCommentEvent({ number: NUMBER, commentId, body, commenter });

/** The Probot app with every delivery handled through `fake`. */
async function app(fake: FakeGitHub, run = {}): Promise<Probot> {
  return startApp({ bundled, portFor: () => fake, run, now: () => NOW });
}

async function deliver(probot: Probot, name: "pull_request" | "issue_comment" | "issues", payload: object): Promise<void> {
  await probot.receive({ id: randomUUID(), name, payload } as never);
}

let events = 0;
/** The Action run for one event file, through `fake`. */
async function action(fake: FakeGitHub, name: string, payload: unknown, run = {}): Promise<{ code: number; log: string[] }> {
  const path = join(dir, `event-${events++}.json`);
  writeFileSync(path, typeof payload === "string" ? payload : JSON.stringify(payload));
  const log: string[] = [];
  const env = { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path, GITHUB_REPOSITORY: "acme/widgets", INPUT_TOKEN: "t" };
  const code = await runAction({ env, log: (l) => log.push(l), bundled, now: () => NOW, portFor: () => fake, run });
  return { code, log };
}

/** The online CLI, printing the plan as JSON (or applying it). */
async function online(fake: FakeGitHub, args: string[], run = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), readStdin: async () => "" };
  const code = await onlineRouteCommand([`https://github.com/acme/widgets/pull/${NUMBER}`, ...args], io, {
    env: {},
    bundled,
    now: () => NOW,
    portFor: () => fake,
    run,
  });
  return { code, ...out };
}

/**
 * The offline CLI: `route --json` of the same files, given the configuration the fake holds on its
 * default branch as --config FILE (and `args`). The CLI names that file by its path where the app
 * names the repository's `.github/review-router.yml`; the document is read with the app's name.
 */
async function offlineRoute(
  args: string[],
): Promise<{ code: number; stderr: string; doc: { plan: PullRequestPlan; summary: { title: string; body: string } } }> {
  const file = join(dir, `config-${events++}.yml`);
  writeFileSync(file, CONFIG);
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: (t: string) => void (out.stdout += t),
    stderr: (t: string) => void (out.stderr += t),
    readStdin: async () => "",
    cwd: dir,
  };
  const base = ["--json", "--config", file, "--repo", "acme/widgets", "--pr", String(NUMBER), "--author", "zed"];
  const code = await routeCommand([...base, ...args, ...FILES], io);
  return { code, stderr: out.stderr, doc: JSON.parse(out.stdout.replaceAll(displayPath(file), ".github/review-router.yml")) };
}

/** What a door wrote: labels, review requests, and the summary's title and text. */
function written(fake: FakeGitHub) {
  const s = fake.summary();
  return { labels: [...fake.labels], requested: [...fake.requestedUsers], title: s?.title, summary: s?.summary };
}

/** What a plan says a door writes. */
function planned(plan: PullRequestPlan, summary?: { title: string; body: string }) {
  return { labels: plan.labels.add, requested: plan.reviews.users, title: summary?.title, summary: summary?.body };
}

describe("one event, every door, one plan", () => {
  it("the app, the Action, the online CLI and the offline planning entry plan and write the same for one pull request", async () => {
    const viaApp = github();
    await deliver(await app(viaApp), "pull_request", opened());

    const viaAction = github();
    expect((await action(viaAction, "pull_request_target", opened())).code).toBe(0);

    const viaCli = github();
    const cli = await online(viaCli, ["--json"]);
    expect(cli.code).toBe(0);
    const printed = JSON.parse(cli.stdout) as { plan: PullRequestPlan; summary: { title: string; body: string } };
    expect(viaCli.writes()).toEqual([]);

    const viaCliApply = github();
    expect((await online(viaCliApply, ["--apply"])).code).toBe(0);

    const files = offlinePort({
      repo: REPO,
      number: NUMBER,
      author: "zed",
      files: FILES.map((path) => ({ path })),
      defaultBranch: new Map([[".github/review-router.yml", CONFIG]]),
    });
    const offline = await planPullRequestEvent(files, await files.getPullRequest(NUMBER), { bundled, dryRunEnv: false, now: NOW });
    if (offline.kind !== "planned") throw new Error(`offline: ${offline.kind}`);

    const cliOffline = await offlineRoute([]);
    expect(cliOffline.code).toBe(0);
    expect(cliOffline.stderr).toBe("");

    const want = written(viaApp);
    expect(want.labels).toEqual(["module: docs", "module: build"]);
    expect(want.requested).toHaveLength(2);
    expect(want.title).toBe("2 modules: Docs, Build");
    expect(written(viaAction)).toEqual(want);
    expect(written(viaCliApply)).toEqual(want);
    expect(planned(printed.plan, printed.summary)).toEqual(want);
    expect(planned(offline.plan, offline.summary)).toEqual(want);
    expect(planned(cliOffline.doc.plan, cliOffline.doc.summary)).toEqual(want);
    // Each writing door made the same calls in the same order.
    expect(viaAction.calls).toEqual(viaApp.calls);
    expect(viaCliApply.calls.filter((c) => c.call !== "getPullRequest")).toEqual(viaApp.calls);
  });
});

describe("the offline CLI's --requested and --reviewed", () => {
  it("are the thread's state the app reads: the same modules covered, nobody asked again", async () => {
    const viaApp = github({ requestedUsers: ["fay"], reviewedBy: ["erin"] });
    await deliver(await app(viaApp), "pull_request", opened());
    const want = written(viaApp);
    expect(want.labels).toEqual(["module: docs", "module: build"]);
    expect(want.requested).toEqual(["fay"]);
    expect(viaApp.writes().map((c) => c.call)).not.toContain("requestReviews");
    const cli = await offlineRoute(["--requested", "fay", "--reviewed", "erin"]);
    expect(cli.code).toBe(0);
    expect(cli.doc.plan.reviews.users).toEqual([]);
    expect(planned(cli.doc.plan, cli.doc.summary)).toEqual({ ...want, requested: [] });
  });
});

describe("the offline CLI's history is read as the app reads GitHub's", () => {
  it("route --history FILE plans as the app does with the same approvals in GitHub's answer, per directory and window", async () => {
    // Whom the Docs module gets without history; then another Docs maintainer approved under docs/ lately.
    const viaAppBare = github();
    await deliver(await app(viaAppBare), "pull_request", opened());
    const usual = viaAppBare.requestedUsers.find((u) => ["carol", "dave", "fay"].includes(u))!;
    const expert = ["carol", "dave", "fay"].find((u) => u !== usual)!;
    // GitHub's answer: per directory asked about, the merged pull requests that touched something under it since the window began.
    const viaApp = github();
    viaApp.historyResult = (entries) => ({
      ok: true,
      byEntry: new Map(
        entries.map((e) => [
          e,
          e === "docs/"
            ? [
                { pr: 12, date: "2025-12-02T00:00:00Z", author: "yan", files: ["docs/"], approvers: [expert] },
                { pr: 11, date: "2025-12-01T00:00:00Z", author: "yan", files: ["docs/"], approvers: [expert] },
              ]
            : [],
        ]),
      ),
    });
    await deliver(await app(viaApp), "pull_request", opened());
    expect(viaApp.calls.filter((c) => c.call === "approvalHistory")).toEqual([
      { call: "approvalHistory", entries: ["build/", "docs/"], since: "2025-07-11T12:00:00.000Z" },
    ]);
    expect(viaApp.requestedUsers).toContain(expert);
    expect(viaApp.requestedUsers).not.toContain(usual);

    // The same history as a file: records with their files, and three each that GitHub would not give
    // for these directories now; any of them counted would make the usual reviewer the expert.
    const byUsual = (pr: number, date: string, file: string) =>
      [0, 1, 2].map((i) => ({ pr: pr + i, date, author: "yan", files: [file], approvers: [usual] }));
    const records = [
      ...byUsual(1, "2025-01-02T00:00:00Z", "docs/old.md"), // before the window
      { pr: 11, date: "2025-12-01T00:00:00Z", author: "yan", files: ["docs/guide/a.md"], approvers: [expert] },
      { pr: 12, date: "2025-12-02T00:00:00Z", author: "yan", files: ["docs/b.md", "src/x.c"], approvers: [expert] },
      ...byUsual(21, "2025-12-03T00:00:00Z", "src/y.c"), // no directory asked about
      ...byUsual(31, "2025-12-04T00:00:00Z", "docsy/c.md"), // docsy/ is not docs/
      ...byUsual(41, "2026-02-01T00:00:00Z", "docs/later.md"), // after --as-of
    ];
    const history = join(dir, "history.jsonl");
    writeFileSync(history, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const cli = await offlineRoute(["--history", history, "--as-of", NOW.toISOString()]);
    expect(cli.code).toBe(0);
    expect(planned(cli.doc.plan, cli.doc.summary)).toEqual(written(viaApp));
  });
});

describe("an issue, through the app and through triage", () => {
  it("triage labels an issue as the app's issues handler does, in the same repository with the same configuration", async () => {
    const title = "torch.compile fails in the inductor scheduler";
    const body =
      '```\nTraceback (most recent call last):\n  File "/x/torch/_inductor/scheduler.py", line 9, in fuse\nAssertionError\n```\n';
    const fake = new FakeGitHub({ number: 9, issue: true, title, body, author: "zed" }, { owner: "pytorch", repo: "pytorch" });
    await deliver(await app(fake), "issues", issueOpenedEvent({ number: 9, title, body }));
    expect(fake.labels.size).toBeGreaterThan(0);
    const bodyFile = join(dir, "issue-body.md");
    writeFileSync(bodyFile, body);
    let stdout = "";
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {}, readStdin: async () => "", cwd: dir };
    expect(await triageCommand(["--repo", "pytorch/pytorch", "--title", title, "--body-file", bodyFile, "--json"], io)).toBe(0);
    expect(JSON.parse(stdout).labels).toEqual([...fake.labels]);
  });
});

describe("commands are plans, the same in the app and the Action", () => {
  const commandEvent = (id: number, body: string, commenter = "zed") => comment(id, body, commenter);

  it("/route skip puts the skip label and routes nothing, in the app and in the Action alike", async () => {
    const viaApp = github();
    await deliver(await app(viaApp), "issue_comment", commandEvent(71, "/route skip"));
    const viaAction = github();
    const { code, log } = await action(viaAction, "issue_comment", commandEvent(71, "/route skip"));
    expect(code).toBe(0);
    expect(log).toEqual([`acme/widgets#${NUMBER}: commands ["/route skip"], refused []`]);
    for (const fake of [viaApp, viaAction]) {
      expect(fake.writes()).toEqual([
        { call: "addReaction", commentId: 71, content: "+1" },
        { call: "addLabels", number: NUMBER, labels: ["review-router: skip"] },
      ]);
    }
    expect(viaAction.calls).toEqual(viaApp.calls);
  });

  it("every command runs in the Action as in the app: /route, explain, reroll, skip, resume", async () => {
    const viaApp = github();
    const probot = await app(viaApp);
    const viaAction = github();
    const script: [number, string, string][] = [
      [81, "/route", "zed"],
      [82, "/route explain", "zed"],
      [84, "/route skip", "zed"],
      [85, "/route resume", "zed"],
    ];
    for (const [id, body, who] of script) {
      await deliver(probot, "issue_comment", commandEvent(id, body, who));
      expect((await action(viaAction, "issue_comment", commandEvent(id, body, who))).code).toBe(0);
    }
    // The Docs reviewer rerolls themselves: withdrawn, replaced by another Docs maintainer.
    const docsReviewer = viaApp.requestedUsers.find((u) => ["carol", "dave", "fay"].includes(u))!;
    await deliver(probot, "issue_comment", commandEvent(83, "/route reroll", docsReviewer));
    expect((await action(viaAction, "issue_comment", commandEvent(83, "/route reroll", docsReviewer))).code).toBe(0);
    // The same writes; the app reads its configuration once per replica (its file cache), the Action each run.
    expect(viaAction.writes()).toEqual(viaApp.writes());
    expect(viaApp.requestedUsers).not.toContain(docsReviewer);
    expect(viaApp.requestedUsers.filter((u) => ["carol", "dave", "fay"].includes(u))).toHaveLength(1);
    expect(viaApp.comments.filter((c) => c.body.startsWith(explainMarker(82)))).toHaveLength(1);
    expect([...viaApp.labels]).toEqual(["module: docs", "module: build"]);
    expect([...viaApp.reactions].sort()).toEqual(["81:+1", "82:+1", "83:+1", "84:+1", "85:+1"]);
  });

  it("a refused `/route reroll @login` gets its reply and no +1: decided before it is acknowledged", async () => {
    const fake = github({ requestedUsers: ["carol"] });
    fake.permissions.set("wendy", "write");
    await deliver(await app(fake), "issue_comment", commandEvent(91, "/route reroll @dave", "wendy"));
    expect(fake.writes().map((c) => c.call)).toEqual(["createComment"]);
    expect(fake.reactions.size).toBe(0);
    expect(fake.comments[0]!.body).toContain(replyMarker(91));
    expect(fake.comments[0]!.body).toContain("`/route reroll @dave`: @dave is not a requested reviewer of this pull request.");
  });

  it("/route explain names the reviewer /route requests, availability and load included", async () => {
    // Whom routing picks without signals; then that maintainer is busy, and the real plan picks another.
    const { router } = (await loadRepoConfig(github(), bundled)) as Extract<Awaited<ReturnType<typeof loadRepoConfig>>, { kind: "ok" }>;
    const input = { repository: "acme/widgets", prNumber: NUMBER, author: "zed", files: [{ path: "docs/index.md" }] };
    const unaware = route(router, input).reviewers[0]!;
    const busy = (fake: FakeGitHub) => {
      fake.signalsResult = {
        ...(fake.signalsResult as Extract<FakeGitHub["signalsResult"], { ok: true }>),
        signals: { busy: new Map([[unaware, { indicatesLimitedAvailability: true, message: "away" }]]), openReviews: new Map() },
      };
      return fake;
    };
    const explained = busy(github({ files: ["docs/index.md"] }));
    await deliver(await app(explained), "issue_comment", commandEvent(101, "/route explain"));
    const routed = busy(github({ files: ["docs/index.md"] }));
    await deliver(await app(routed), "issue_comment", commandEvent(102, "/route"));
    const chosen = routed.requestedUsers[0]!;
    expect(chosen).not.toBe(unaware);
    const reply = explained.comments.find((c) => c.body.startsWith(explainMarker(101)))!.body;
    expect(reply).toContain(`| Docs | \`module: docs\` | \`docs/index.md\` | @${chosen} |`);
    expect(reply).toContain(routed.summary()!.summary);
  });

  it("/route reroll routes once, as /route does: one matching of the changed files, shared by choosing whose signals to read and planning", async () => {
    const loaded = await loadRepoConfig(github(), bundled);
    if (loaded.kind !== "ok") throw new Error(loaded.kind);
    const match = vi.spyOn(loaded.router.matcher, "match");
    const one = { files: ["docs/index.md"], requestedUsers: ["carol"] };
    await deliver(await app(github(one)), "issue_comment", commandEvent(111, "/route"));
    const forRoute = match.mock.calls.length;
    match.mockClear();
    const fake = github(one);
    await deliver(await app(fake), "issue_comment", commandEvent(112, "/route reroll", "carol"));
    expect(fake.writes().map((c) => c.call)).toEqual([
      "addReaction",
      "removeReviewRequests",
      "addLabels",
      "requestReviews",
      "createCheckRun",
    ]);
    expect(fake.requestedUsers).toHaveLength(1);
    expect(fake.requestedUsers).not.toContain("carol");
    expect(forRoute).toBe(1);
    expect(match.mock.calls.length).toBe(forRoute);
    match.mockRestore();
  });
});

describe("the routing budget holds in every door", () => {
  // A clock that jumps a second at each reading: the first check of any routing is past the budget.
  const late = () => {
    let t = 0;
    return () => (t += 1000);
  };

  it("the app, the Action and the online CLI stop routing past it, write the failed summary, and say so", async () => {
    const viaApp = github();
    await deliver(await app(viaApp, { clock: late() }), "pull_request", opened());
    expect(viaApp.writes().map((c) => c.call)).toEqual(["createCheckRun"]);
    expect(viaApp.summary()).toMatchObject({ title: "Routing budget exceeded", conclusion: "failure" });

    const viaAction = github();
    const { code, log } = await action(viaAction, "pull_request", opened(), { clock: late() });
    expect(code).toBe(1);
    expect(log).toEqual([expect.stringMatching(/^::error::acme\/widgets#5: the routing budget \(200 ms of routing\) was exceeded while /)]);
    expect(viaAction.writes().map((c) => c.call)).toEqual(["createCheckRun"]);
    expect(viaAction.summary()).toMatchObject({ title: "Routing budget exceeded", conclusion: "failure" });

    const viaCli = github();
    const cli = await online(viaCli, ["--apply"], { clock: late() });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^review-router: acme\/widgets#5: the routing budget \(200 ms of routing\) was exceeded while /);
    expect(viaCli.summary()).toMatchObject({ title: "Routing budget exceeded", conclusion: "failure" });
  });
});

describe("the sweep, from the Action's schedule and from the command line", () => {
  it("replaces an overdue reviewer alike through both doors", async () => {
    const overdue = (): FakeGitHub =>
      new FakeGitHub(
        {
          number: NUMBER,
          files: ["docs/index.md"],
          author: "zed",
          requestedUsers: ["carol"],
          requestTimes: [{ login: "carol", at: "2026-01-05T09:00:00Z" }],
        },
        REPO,
      ).setFile(".github/review-router.yml", `reroute_after_hours: 8\n${CONFIG}`);
    const viaAction = overdue();
    const { code, log } = await action(viaAction, "schedule", { schedule: "17 * * 1-5", repository: { full_name: "acme/widgets" } });
    expect(code).toBe(0);
    expect(log[0]).toBe("acme/widgets: 1 open pull requests looked at, 1 with overdue reviewers");
    const viaCli = overdue();
    const out = { stdout: "", stderr: "" };
    const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), readStdin: async () => "" };
    const deps = { env: {}, bundled, now: () => NOW, portFor: () => viaCli };
    expect(await sweepCommand(["--repo", "acme/widgets", "--apply", "--limit", String(DEFAULT_SWEEP_LIMIT)], io, deps)).toBe(0);
    expect(out.stdout).toMatch(
      /^acme\/widgets: 1 open pull request looked at, 1 with overdue reviewers\n\n#5\n {2}carol: requested 2026-01-05T09:00:00Z, \d+\+ business hours without review or comment; replaced by (dave|fay)\n$/,
    );
    expect(viaCli.writes()).toEqual(viaAction.writes());
    expect(viaAction.writes().map((c) => c.call)).toEqual(["addLabels", "requestReviews", "removeReviewRequests", "createCheckRun"]);
    expect(viaAction.requestedUsers).toEqual([expect.stringMatching(/^(dave|fay)$/)]);
  });
});

describe("the Action's event file", () => {
  it.each([
    ["null", "null"],
    ["a number", "42"],
    ["a list", "[]"],
  ])("holding %s is reported as a bad event file, not as an unreachable API", async (what, text) => {
    const fake = github();
    const { code, log } = await action(fake, "pull_request", text);
    expect(code).toBe(1);
    expect(log).toEqual([
      expect.stringMatching(new RegExp(`^::error::review-router: cannot read the event .*: it holds ${what}, not an event object$`)),
    ]);
    expect(fake.calls).toEqual([]);
  });
});
