// The GitHub Action's entry point against the local GitHub stand-in, with the variables a
// workflow run sets: a pull_request_target event is labelled, reviewed and summarised (run as a
// child process, as the action runs it), an issue is labelled, a comment on a pull request
// re-routes an overdue reviewer, a scheduled run sweeps; bad set-ups fail with one ::error:: line.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GITHUB_ACTIONS_APP_ID, runAction } from "../../src/action/main.js";
import { explainMarker, replyMarker } from "../../src/core/command-plan.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { GitHubStandIn } from "../e2e/github-stand-in.js";

// What the workflow token does is recorded as done via the GitHub Actions app.
const gh = new GitHubStandIn(GITHUB_ACTIONS_APP_ID);
const REPO = "acme/action";
const CONFIG = `use_default_modules: false
reroute_after_hours: 8
modules:
  - {name: Docs, label: "module: docs", maintainers: [carol, dave], paths: ["docs/**"], keywords: [documentation]}
  - {name: Build, label: "module: build", maintainers: [erin], paths: ["build/**"]}
`;
const dir = mkdtempSync(join(tmpdir(), "review-router-action-"));

beforeAll(async () => {
  await gh.start();
  gh.repo(REPO).files.set(".github/review-router.yml", CONFIG);
});
afterAll(async () => {
  await gh.stop();
  rmSync(dir, { recursive: true, force: true });
});

let nextEvent = 0;
function workflowEnv(name: string, payload: unknown, extra: Record<string, string> = {}): Record<string, string> {
  const path = join(dir, `event-${nextEvent++}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return {
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: `http://${gh.host}/api/v3`,
    INPUT_TOKEN: "tok-9",
    ...extra,
  };
}

async function runInProcess(env: Record<string, string>): Promise<{ code: number; log: string[] }> {
  const log: string[] = [];
  const code = await runAction({ env, log: (l) => log.push(l), now: () => new Date("2026-01-07T12:00:00Z") });
  return { code, log };
}

describe("the action's entry point", () => {
  it("labels a pull_request_target event and requests reviewers (run as a child process, as the action runs it)", async () => {
    gh.setPull(REPO, 5, { author: "zed", headSha: "h5" }, ["docs/index.md", "build/ci.sh"]);
    const payload = pullRequestEvent({ action: "opened", number: 5, changedFiles: 2, author: "zed", headSha: "h5", repository: REPO });
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...workflowEnv("pull_request_target", payload) };
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/action/main.ts"], { env, timeout: 60_000 });
    expect(stdout).toMatch(
      /^acme\/action#5: labels added \["module: docs","module: build"\], removed \[\], reviews requested \["erin","(carol|dave)"\]/,
    );
    const writes = gh.writes(REPO).map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([
      `POST /repos/${REPO}/issues/5/labels`,
      `POST /repos/${REPO}/pulls/5/requested_reviewers`,
      `POST /repos/${REPO}/check-runs`,
    ]);
    expect(gh.thread(REPO, 5).labels).toEqual(["module: docs", "module: build"]);
    expect(gh.thread(REPO, 5).requestedUsers).toHaveLength(2);
    expect(gh.repo(REPO).checkRuns.find((c) => c.head_sha === "h5")?.output.title).toBe("2 modules: Docs, Build");
  }, 60_000);

  it("a `/route` comment on a pull request runs the command as the app does: an overdue reviewer is replaced", async () => {
    gh.setPull(REPO, 6, { author: "zed", headSha: "h6" }, ["docs/a.md"]);
    gh.requestReview(REPO, 6, "carol", "2026-01-05T09:00:00Z");
    const comment = (id: number, body: string) => ({
      action: "created",
      issue: { number: 6, state: "open", pull_request: { url: "x" } },
      comment: { id, body, user: { login: "zed", type: "User" } },
      repository: { full_name: REPO },
    });
    // A comment without a command is no event to act on, in the Action as in the app.
    const quiet = await runInProcess(workflowEnv("issue_comment", comment(61, "thanks, looks good")));
    expect(quiet).toEqual({ code: 0, log: [`${REPO}#6: no command in the comment`] });
    expect(gh.thread(REPO, 6).requestedUsers).toEqual(["carol"]);
    const { code, log } = await runInProcess(workflowEnv("issue_comment", comment(62, "/route")));
    expect(code).toBe(0);
    expect(log[0]).toBe(`${REPO}#6: commands ["/route"], refused []`);
    expect(log[1]).toContain('overdue withdrawn ["carol"]');
    expect(gh.thread(REPO, 6).requestedUsers).toEqual(["dave"]);
  });

  it("waits out a secondary rate limit on a write and says so in the workflow log", async () => {
    const repo = "acme/action-limited"; // its own repository: the sweep below counts REPO's pull requests
    gh.repo(repo).files.set(".github/review-router.yml", CONFIG);
    gh.setPull(repo, 10, { author: "zed", headSha: "h10" }, ["build/x.sh"]);
    gh.fail({
      method: "POST",
      path: /\/issues\/10\/labels$/,
      status: 403,
      body: { message: "You have exceeded a secondary rate limit." },
      headers: { "retry-after": "1" },
    });
    const payload = pullRequestEvent({ action: "opened", number: 10, changedFiles: 1, author: "zed", headSha: "h10", repository: repo });
    const { code, log } = await runInProcess(workflowEnv("pull_request_target", payload, { GITHUB_REPOSITORY: repo }));
    expect(code).toBe(0);
    expect(log[0]).toBe(
      "::warning::review-router: GitHub's rate limit on POST /repos/{owner}/{repo}/issues/{issue_number}/labels (403): waiting 1 s, then trying again (1 of 3)",
    );
    expect(log[1]).toMatch(/^acme\/action-limited#10: labels added \["module: build"\]/);
    const labelWrites = gh.repoRequests(repo).filter((q) => q.method === "POST" && q.path.endsWith("/issues/10/labels"));
    expect(labelWrites.map((q) => q.status)).toEqual([403, 200]);
    expect(gh.thread(repo, 10).labels).toEqual(["module: build"]);
  });

  it("runs every /route command end to end: route, explain, an outsider's refused reroll, reroll, skip, resume", async () => {
    gh.setPull(REPO, 11, { author: "zed", headSha: "h11" }, ["docs/guide.md"]);
    const say = (id: number, body: string, login: string) => ({
      action: "created",
      issue: { number: 11, state: "open", pull_request: { url: "x" } },
      comment: { id, body, user: { login, type: "User" } },
      repository: { full_name: REPO },
    });
    const run = async (id: number, body: string, login = "zed") => {
      const { code, log } = await runInProcess(workflowEnv("issue_comment", say(id, body, login)));
      expect(code).toBe(0);
      return log;
    };
    const t = gh.thread(REPO, 11);
    const reactions = () => [...gh.repo(REPO).reactions.keys()].filter((k) => k.startsWith("110")).sort();

    expect(await run(1101, "/route")).toEqual([
      `${REPO}#11: commands ["/route"], refused []`,
      expect.stringMatching(/^acme\/action#11: labels added \["module: docs"\], removed \[\], reviews requested \["(carol|dave)"\]/),
    ]);
    const first = t.requestedUsers[0]!;
    expect(t.labels).toEqual(["module: docs"]);

    await run(1102, "/route explain");
    expect(t.comments.at(-1)!.body.startsWith(explainMarker(1102))).toBe(true);
    expect(t.comments.at(-1)!.body).toContain(`@${first}`);

    // Read access only: the reroll of someone else is refused with a reply, and gets no reaction.
    expect(await run(1103, `/route reroll @${first}`, "outsider")).toEqual([
      `${REPO}#11: commands [], refused ["/route reroll @${first} (@outsider may not reroll someone else's review request here: only the author, a requested reviewer about themselves, and people with write access may)"]`,
    ]);
    expect(t.comments.at(-1)!.body.startsWith(replyMarker(1103))).toBe(true);

    await run(1104, "/route reroll", first);
    expect(t.requestedUsers).toEqual(["carol", "dave"].filter((l) => l !== first));

    await run(1105, "/route skip");
    expect(t.labels).toContain("review-router: skip");
    await run(1106, "/route resume");
    expect(t.labels).toEqual(["module: docs"]);
    expect(reactions()).toEqual(["1101:+1", "1102:+1", "1104:+1", "1105:+1", "1106:+1"]);
  }, 60_000);

  it("labels an opened issue by the modules it names", async () => {
    const payload = {
      action: "opened",
      issue: { number: 40, state: "open", title: "documentation typo", body: "in docs/index.md", user: { login: "u" }, labels: [] },
      repository: { full_name: REPO },
    };
    gh.thread(REPO, 40); // the issue exists: its timeline can be read
    const { code, log } = await runInProcess(workflowEnv("issues", payload));
    expect(code).toBe(0);
    expect(log).toEqual([`${REPO}#40: labels added ["module: docs"], cc comment none`]);
    expect(gh.thread(REPO, 40).labels).toEqual(["module: docs"]);
  });

  it("a scheduled run sweeps the repository", async () => {
    gh.setPull(REPO, 7, { author: "zed", headSha: "h7" }, ["docs/b.md"]);
    gh.requestReview(REPO, 7, "dave", "2026-01-05T09:00:00Z");
    const { code, log } = await runInProcess(workflowEnv("schedule", { schedule: "0 * * * *", repository: { full_name: REPO } }));
    expect(code).toBe(0);
    expect(log[0]).toMatch(/^acme\/action: 4 open pull requests looked at, 1 with overdue reviewers$/);
    expect(gh.thread(REPO, 7).requestedUsers).toEqual(["carol"]);
  });

  it.each([
    [
      "no token",
      { INPUT_TOKEN: "" },
      "::error::review-router: no token: pass `token` (default: the workflow's github.token) or set GITHUB_TOKEN",
    ],
    [
      "a bad token",
      { INPUT_TOKEN: "bad" },
      "::error::review-router: GitHub refused the token (401 Bad credentials); set GITHUB_TOKEN to a valid token",
    ],
    ["no repository", { GITHUB_REPOSITORY: "nope" }, '::error::review-router: GITHUB_REPOSITORY must be OWNER/NAME, not "nope"'],
  ])("%s: one ::error:: line, exit 1", async (_name, over, line) => {
    gh.setPull(REPO, 8, { author: "zed" }, ["docs/c.md"]);
    const payload = pullRequestEvent({ action: "opened", number: 8, changedFiles: 1, author: "zed", repository: REPO });
    const { code, log } = await runInProcess({ ...workflowEnv("pull_request", payload), ...over });
    expect(code).toBe(1);
    expect(log).toEqual([line]);
  });

  it("ignores events and actions the app does not act on", async () => {
    const payload = pullRequestEvent({ action: "opened", number: 9, changedFiles: 1, repository: REPO });
    const { code, log } = await runInProcess(workflowEnv("pull_request", { ...payload, action: "labeled" }));
    expect([code, log]).toEqual([0, ["pull_request.labeled: not an event review-router acts on"]]);
  });
});

describe("action.yml", () => {
  it("reads every input action.yml declares, by the name the runner gives it", async () => {
    const { load } = await import("js-yaml");
    const { readFileSync } = await import("node:fs");
    const action = load(readFileSync("action.yml", "utf8")) as { inputs: Record<string, { default?: string }> };
    const source = readFileSync("src/action/main.ts", "utf8");
    for (const name of Object.keys(action.inputs)) expect(source, `main.ts reads ${name}`).toContain(`actionInput(env, "${name}")`);
    expect(action.inputs["app-id"]!.default).toBe(String(GITHUB_ACTIONS_APP_ID));
  });
});
