// The running server end to end: the real server process (as `npm start` runs it), signed
// deliveries over HTTP, and a stateful local stand-in for GitHub that records every request and
// can be made to fail. Each case uses its own repository and installation, so cases do not see
// each other's state; after every fault or bad input, a normal delivery must still be served.

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";
import { pullRequestEvent, issueOpenedEvent } from "../helpers/payloads.js";
import { notFoundPullRequest } from "./graphql-stand-in.js";
import { sign } from "./harness.js";
import { caseMaker, pushChangingNothing, repoint, serveOnStandIn, type Case } from "./serve.js";

const served = serveOnStandIn();
const gh = served.gh;
const { router } = loadRouter();

const NN_OPTIM = ["torch/nn/modules/linear.py", "torch/optim/adam.py"];

/** A fresh repository under the pytorch organisation (the bundled configuration applies). */
const freshCase = caseMaker("e2e", 100, 7);

function prPayload(
  c: Case,
  files: string[],
  over: { action?: "opened" | "synchronize" | "reopened" | "ready_for_review"; author?: string; draft?: boolean } = {},
) {
  gh.setPullFiles(c.repo, c.number, files);
  const p = pullRequestEvent({
    action: over.action ?? "opened",
    number: c.number,
    changedFiles: files.length,
    author: over.author ?? "contributor",
    draft: over.draft ?? false,
  });
  return repoint(c, p);
}

function expectedDecision(c: Case, files: string[], author = "contributor") {
  return route(router, { repository: c.repo, prNumber: c.number, author, files: files.map((path) => ({ path })) });
}

/** Wait until the server logged a line matching `test` (deliveries that outlive their response). */
async function waitForLog(test: (line: Record<string, unknown>) => boolean, ms = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = served.app.logs.find(test);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no such log line within ${ms} ms; last: ${served.app.logs
          .slice(-5)
          .map((l) => String(l.msg))
          .join(" | ")}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The GitHub URL an error log line is about (Probot logs the failed request with the error). */
function errorUrl(line: Record<string, unknown>): string {
  const err = line.err as { request?: { url?: string } } | undefined;
  return err?.request?.url ?? "";
}

/** A normal pull request is labelled, reviewed and summarised: the server is still serving. */
async function expectServedNormally(): Promise<void> {
  const c = freshCase();
  const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
  expect(r.status).toBe(200);
  const t = gh.thread(c.repo, c.number);
  const d = expectedDecision(c, NN_OPTIM);
  expect(t.labels).toEqual(["module: nn", "module: optimizer"]);
  expect(t.requestedUsers).toEqual(d.reviewers);
  expect(gh.repo(c.repo).checkRuns).toHaveLength(1);
}

describe("deliveries end to end", () => {
  it("labels, requests reviews and writes one check run for a signed pull_request delivery", async () => {
    const c = freshCase();
    const id = randomUUID();
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM), { id });
    expect(r.status).toBe(200);
    const d = expectedDecision(c, NN_OPTIM);
    const writes = gh.writes(c.repo).map((w) => [w.method, w.path.replace(`/repos/${c.repo}`, ""), w.body]);
    expect(writes).toEqual([
      ["POST", `/issues/${c.number}/labels`, { labels: ["module: nn", "module: optimizer"] }],
      ["POST", `/pulls/${c.number}/requested_reviewers`, { reviewers: d.reviewers }],
      ["POST", "/check-runs", expect.objectContaining({ name: "review-router", status: "completed", conclusion: "neutral" })],
    ]);
    // Reads: the configuration (the repository, then the organisation's .github), then ONE GraphQL
    // request for the files, the timeline and the check runs (then, side by side, one for
    // availability and load and one for the touched directories' approval history).
    const reads = gh.requests
      .filter((q) => q.installation === c.installation && (q.method === "GET" || q.path.endsWith("/graphql")))
      .map((q) => `${q.method} ${q.path}`);
    expect(reads).toEqual([
      `GET /repos/${c.repo}/contents/.github%2Freview-router.yml`,
      "GET /repos/pytorch/.github/contents/.github%2Freview-router.yml",
      "POST /api/graphql",
      "POST /api/graphql",
      "POST /api/graphql",
    ]);
    const queries = gh.requests
      .filter((q) => q.installation === c.installation && q.path.endsWith("/graphql"))
      .map((q) => String((q.body as { query: string }).query).split("(")[0]);
    expect(queries[0]).toBe("query ReviewRouterPullRequest");
    expect(queries.slice(1).sort()).toEqual(["query CandidateSignals", "query ReviewRouterApprovalHistory"]);

    // The same delivery again (GitHub's "redeliver"): nothing new is written.
    const before = gh.writes().length;
    const again = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM), { id });
    expect(again.status).toBe(200);
    expect(
      gh
        .writes()
        .slice(before)
        .map((w) => [w.method, w.path, JSON.stringify(w.body).slice(0, 3000)]),
    ).toEqual([]);
  });

  it("handles one delivery sent twice at once (redelivered while the first runs): one label write, one review request, one check run", async () => {
    const c = freshCase();
    const payload = prPayload(c, NN_OPTIM);
    const id = randomUUID();
    const [first, second] = await Promise.all([
      served.app.deliver("pull_request", payload, { id }),
      served.app.deliver("pull_request", payload, { id }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const writes = gh.writes(c.repo).map((q) => `${q.method} ${q.path}`);
    expect(writes).toEqual([
      `POST /repos/${c.repo}/issues/${c.number}/labels`,
      `POST /repos/${c.repo}/pulls/${c.number}/requested_reviewers`,
      `POST /repos/${c.repo}/check-runs`,
    ]);
    expect(gh.thread(c.repo, c.number).requestedUsers).toEqual(expectedDecision(c, NN_OPTIM).reviewers);
  });

  it("writes nothing for a push that changes nothing: one read, no label, no request, no check run on the new commit", async () => {
    const c = freshCase();
    const opened = prPayload(c, NN_OPTIM);
    const first = opened.pull_request.head.sha;
    gh.setPull(c.repo, c.number, { author: "contributor", headSha: first }, NN_OPTIM);
    expect((await served.app.deliver("pull_request", opened)).status).toBe(200);
    expect(gh.repo(c.repo).checkRuns.map((r) => r.head_sha)).toEqual([first]);

    // A new commit with the same files: the pull request's latest check run already says it all.
    const push = await pushChangingNothing(served, c, NN_OPTIM, first, "5".repeat(40));
    expect(push).toEqual({ status: 200, sent: ["POST /api/graphql"] });
    expect(gh.repo(c.repo).checkRuns.map((r) => r.head_sha)).toEqual([first]);
  });

  it("labels an issue from a traceback", async () => {
    const c = freshCase();
    const body = 'Traceback:\n```\n  File "/usr/lib/python3/site-packages/torch/optim/adam.py", line 150, in step\nRuntimeError: boom\n```';
    const p = issueOpenedEvent({ number: 3, title: "crash in the optimizer step", body });
    repoint(c, p);
    gh.thread(c.repo, 3);
    const r = await served.app.deliver("issues", p);
    expect(r.status).toBe(200);
    expect(gh.thread(c.repo, 3).labels).toEqual(["module: optimizer"]);
  });
});

describe("write pacing", () => {
  it("paces writes one a second per installation, not for the whole process", async () => {
    const a = freshCase();
    const b = freshCase();
    const [ra, rb] = await Promise.all([
      served.app.deliver("pull_request", prPayload(a, NN_OPTIM)),
      served.app.deliver("pull_request", prPayload(b, NN_OPTIM)),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const writesOf = (c: Case) => gh.writes(c.repo).map((w) => w.at);
    // Within one installation: three writes take two one-second slots (Bottleneck's minTime).
    for (const c of [a, b]) {
      const ts = writesOf(c);
      expect(ts).toHaveLength(3);
      expect(ts[2]! - ts[0]!).toBeGreaterThanOrEqual(1900);
    }
    // Across installations the queues run side by side: all six writes within 4 s. One
    // process-wide queue (Probot's default) needs five slots, at least 5 s.
    const all = [...writesOf(a), ...writesOf(b)].sort((x, y) => x - y);
    expect(all[all.length - 1]! - all[0]!).toBeLessThan(4000);
  }, 30_000);
});

describe("GitHub faults", () => {
  it("retries a 500 and a 502, and writes each exactly once", async () => {
    const c = freshCase();
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/issues/\\d+/labels$`), status: 500 });
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/pulls/\\d+/requested_reviewers$`), status: 502 });
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect([200, 202]).toContain(r.status);
    await waitForLog((l) => l.msg === "routed pull request" && l.repository === c.repo);
    const labelPosts = gh.repoRequests(c.repo).filter((q) => q.method === "POST" && q.path.endsWith("/labels"));
    expect(labelPosts.map((q) => q.status)).toEqual([500, 200]);
    const reviewPosts = gh.repoRequests(c.repo).filter((q) => q.path.endsWith("/requested_reviewers"));
    expect(reviewPosts.map((q) => q.status)).toEqual([502, 201]);
    expect(gh.thread(c.repo, c.number).labels).toEqual(["module: nn", "module: optimizer"]);
    expect(gh.repo(c.repo).checkRuns).toHaveLength(1);
    await expectServedNormally();
  }, 60_000);

  it("does not create the summary twice when GitHub created it but the answer was lost", async () => {
    const c = freshCase();
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/check-runs$`), status: 502, applied: true });
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect(r.status).toBe(200);
    const calls = gh
      .repoRequests(c.repo)
      .filter((q) => q.path.includes("check-runs"))
      .map((q) => `${q.method} ${q.status}`);
    // Created (answer lost), looked again, found it: no second create. (The GraphQL read said there was none before.)
    expect(calls).toEqual(["POST 502", "GET 200"]);
    expect(gh.repo(c.repo).checkRuns).toHaveLength(1);
    await expectServedNormally();
  });

  it("creates the summary again when the failed create did not happen", async () => {
    const c = freshCase();
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/check-runs$`), status: 502 });
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect(r.status).toBe(200);
    const calls = gh
      .repoRequests(c.repo)
      .filter((q) => q.path.includes("check-runs"))
      .map((q) => `${q.method} ${q.status}`);
    expect(calls).toEqual(["POST 502", "GET 200", "POST 201"]);
    expect(gh.repo(c.repo).checkRuns).toHaveLength(1);
  });

  it("ends a delivery whose GitHub call never answers, with the error logged", async () => {
    const c = freshCase();
    gh.fail({ method: "POST", path: new RegExp(`^/repos/${c.repo}/issues/\\d+/labels$`), hang: true, times: 10 });
    const started = Date.now();
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect([202, 500]).toContain(r.status);
    const err = await waitForLog(
      (l) => Number(l.level) >= 50 && errorUrl(l).includes(`/repos/${c.repo}/issues/${c.number}/labels`),
      60_000,
    );
    expect(String(err.msg)).toMatch(/timeout/i);
    expect(Date.now() - started).toBeLessThan(60_000);
    // Only the label request was sent, once (a write that timed out may have been carried out: it is
    // not sent again); it never answered (status -1 here), and nothing after it was sent.
    expect(gh.writes(c.repo).map((w) => `${w.method} ${w.path.replace(`/repos/${c.repo}`, "")} ${w.status}`)).toEqual([
      `POST /issues/${c.number}/labels -1`,
    ]);
    await expectServedNormally();
  }, 90_000);

  it("waits out a secondary rate limit (403 with retry-after) and writes once", async () => {
    const c = freshCase();
    gh.fail({
      method: "POST",
      path: new RegExp(`^/repos/${c.repo}/issues/\\d+/labels$`),
      status: 403,
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
      headers: { "retry-after": "1" },
    });
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect([200, 202]).toContain(r.status);
    await waitForLog((l) => l.msg === "routed pull request" && l.repository === c.repo);
    const posts = gh.repoRequests(c.repo).filter((q) => q.method === "POST" && q.path.endsWith("/labels"));
    expect(posts.map((q) => q.status)).toEqual([403, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(gh.thread(c.repo, c.number).labels).toEqual(["module: nn", "module: optimizer"]);
    await expectServedNormally();
  }, 60_000);

  it("writes nothing for a pull request deleted meanwhile (404)", async () => {
    const c = freshCase();
    // GraphQL answers a missing pull request with null and NOT_FOUND; the app then reads by REST, which says 404.
    gh.fail({ method: "POST", path: /^\/api\/graphql$/, status: 200, body: notFoundPullRequest(c.number) });
    gh.fail({ method: "GET", path: new RegExp(`^/repos/${c.repo}/pulls/\\d+/files$`), status: 404, body: { message: "Not Found" } });
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect(r.status).toBe(404);
    expect(gh.writes(c.repo)).toEqual([]);
    await expectServedNormally();
  });

  it("drops a non-collaborator (422), records why, and requests the others", async () => {
    const c = freshCase();
    const files = ["torch/nn/modules/linear.py", "torch/onnx/utils.py", "torch/fft/__init__.py"];
    const first = expectedDecision(c, files);
    expect(first.reviewers.length).toBeGreaterThan(1);
    const outsider = first.reviewers[0]!;
    const repo = gh.repo(c.repo);
    for (const m of router.modules) for (const x of m.maintainers) if (x.login !== outsider) repo.collaborators.add(x.login.toLowerCase());
    const r = await served.app.deliver("pull_request", prPayload(c, files));
    // Every refused request is a paced write too: this delivery may outlive its response.
    expect([200, 202]).toContain(r.status);
    await waitForLog((l) => l.msg === "routed pull request" && l.repository === c.repo);
    const requested = gh.thread(c.repo, c.number).requestedUsers.map((u) => u.toLowerCase());
    expect(requested).not.toContain(outsider.toLowerCase());
    for (const other of first.reviewers.slice(1)) expect(requested).toContain(other.toLowerCase());
    expect(repo.checkRuns[0]!.output.summary).toContain(`| ${outsider} |`);
    expect(repo.checkRuns[0]!.output.summary).toContain("not a collaborator");
    await expectServedNormally();
  });

  it("survives a failing installation-token request", async () => {
    const c = freshCase();
    gh.fail({ method: "POST", path: new RegExp(`^/app/installations/${c.installation}/access_tokens$`), status: 500, times: 10 });
    const started = Date.now();
    const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
    expect([202, 500]).toContain(r.status);
    await waitForLog(
      (l) => Number(l.level) >= 50 && errorUrl(l).includes(`/app/installations/${c.installation}/access_tokens`),
      60_000,
    ).catch((e) => {
      console.log(served.app.logs.filter((l) => Number(l.level) >= 40).map((l) => JSON.stringify(l).slice(0, 600)));
      console.log(gh.requests.filter((q) => q.path.includes("access_tokens")).map((q) => `${q.path} ${q.status} ${q.at - started}`));
      throw e;
    });
    expect(gh.repoRequests(c.repo)).toEqual([]);
    await expectServedNormally();
  }, 90_000);
});

describe("bad input", () => {
  it("rejects a wrong or missing signature without calling GitHub", async () => {
    const c = freshCase();
    const before = gh.requests.length;
    const wrong = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM), { signature: sign("something else") });
    expect(wrong.status).toBe(400);
    const missing = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM), { signature: null });
    expect(missing.status).toBe(400);
    expect(gh.requests.length).toBe(before);
    await expectServedNormally();
  });

  it("rejects malformed JSON and survives it", async () => {
    const body = '{"action": "opened", "pull_request": ';
    const r = await served.app.deliver("pull_request", undefined, { rawBody: body });
    expect(r.status).toBeGreaterThanOrEqual(400);
    await expectServedNormally();
  });

  it("ignores an unknown event and a payload without installation, calling nothing", async () => {
    const before = gh.requests.length;
    expect((await served.app.deliver("star", { action: "created", repository: { full_name: "pytorch/x" } })).status).toBe(200);
    const c = freshCase();
    const p = prPayload(c, NN_OPTIM) as { installation?: unknown };
    delete p.installation;
    expect((await served.app.deliver("pull_request", p)).status).toBe(200);
    expect(gh.requests.length).toBe(before);
    await expectServedNormally();
  });

  it("refuses a body over 25 MB with a clear error", async () => {
    const c = freshCase();
    const p = prPayload(c, NN_OPTIM) as unknown as { pull_request: { body: string } };
    p.pull_request.body = "x".repeat(26 * 1024 * 1024);
    const before = gh.requests.length;
    const r = await served.app.deliver("pull_request", p);
    expect(r.status).toBe(200);
    await waitForLog((l) => typeof l.msg === "string" && l.msg.includes("25 MB"));
    expect(gh.requests.length).toBe(before);
    await expectServedNormally();
  }, 60_000);

  const BAD_CONFIGS: [string, string, RegExp][] = [
    ["invalid YAML", "modules: [unclosed\n", /review-router\.yml:2: error: invalid YAML/],
    ["the wrong shape", "max_reviewers: three\nmodules: {a: 1}\n", /review-router\.yml:1: error: max_reviewers: must be a whole number/],
    [
      "a pathological glob",
      `modules:\n  - name: X\n    label: x\n    maintainers: [someone]\n    paths: ["${"**/a".repeat(40)}"]\n`,
      /'\*\*' segments; the limit is 4/,
    ],
    [
      "a very long glob",
      `modules:\n  - name: X\n    label: x\n    maintainers: [someone]\n    paths: ["${"a".repeat(5000)}"]\n`,
      /the limit is 500/,
    ],
    // Read with the CLI's parser, which shares aliased values instead of copying them: the bomb
    // costs nothing, and its 10^12 leaves are reported as what they are, lists where modules go.
    ["a YAML alias bomb", aliasBomb(), /review-router\.yml:13: error: modules\[0\]: must be a mapping/],
    [
      "thousands of modules",
      "modules:\n" +
        Array.from({ length: 5000 }, (_, i) => `  - {name: m${i}, label: l, maintainers: [a], paths: [x/**]}`).join("\n") +
        "\n",
      /has 5000 modules; the limit is 500/,
    ],
  ];
  for (const [what, text, expected] of BAD_CONFIGS) {
    it(`shows a configuration with ${what} as a failed check run, and serves on`, async () => {
      const c = freshCase();
      gh.repo(c.repo).files.set(".github/review-router.yml", text);
      const r = await served.app.deliver("pull_request", prPayload(c, NN_OPTIM));
      expect(r.status).toBe(200);
      expect(gh.thread(c.repo, c.number).labels).toEqual([]);
      expect(gh.thread(c.repo, c.number).requestedUsers).toEqual([]);
      const runs = gh.repo(c.repo).checkRuns;
      expect(runs).toHaveLength(1);
      expect(runs[0]!.conclusion).toBe("failure");
      expect(runs[0]!.output.summary).toMatch(expected);
      await expectServedNormally();
    }, 60_000);
  }
});

function aliasBomb(): string {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= 12; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array.from({ length: 10 }, () => `*${prev}`).join(", ")}]`);
  }
  lines.push("modules: *m");
  return lines.join("\n") + "\n";
}
