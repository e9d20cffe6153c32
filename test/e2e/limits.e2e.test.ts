// Hostile input against the running server: a glob that backtracks in a regex engine, brace
// globs that expand to thousands of alternatives, a 2 MB configuration, and a pull request whose
// routing outlasts the 200 ms budget. Healthy deliveries for another installation, sent at the
// same time, must be answered and routed within 1 s each. Then two replicas against one stand-in
// must leave exactly one summary comment and one cc comment when two events race.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CC_MARKER } from "../../src/core/plan.js";
import { COMMENT_MARKER } from "../../src/app/summary.js";
import { issueEditedEvent, issueOpenedEvent, pullRequestEvent } from "../helpers/payloads.js";
import { GitHubStandIn } from "./github-stand-in.js";
import { APP_ID, startApp, type RunningApp } from "./harness.js";
import { caseMaker, repoint, type Case } from "./serve.js";

const CONFIG = ".github/review-router.yml";
const NN_OPTIM = ["torch/nn/modules/linear.py", "torch/optim/adam.py"];
const freshCase = caseMaker("limits", 500, 9);

function prPayload(gh: GitHubStandIn, c: Case, files: string[], action: "opened" | "synchronize" = "opened") {
  gh.setPullFiles(c.repo, c.number, files);
  return repoint(c, pullRequestEvent({ action, number: c.number, changedFiles: files.length, author: "contributor", draft: false }));
}

/** A configuration of its own (no bundled modules): one module whose globs are given. */
function configWith(globs: string[], extra = ""): string {
  const lines = [
    "use_default_modules: false",
    extra,
    "modules:",
    "  - name: Hostile",
    "    label: hostile",
    "    maintainers: [alice]",
    "    paths:",
  ];
  for (const g of globs) lines.push(`      - ${JSON.stringify(g)}`);
  return `${lines.filter((l) => l !== "").join("\n")}\n`;
}

describe("hostile deliveries beside healthy ones", () => {
  const gh = new GitHubStandIn(APP_ID);
  let app: RunningApp;

  beforeAll(async () => {
    await gh.start();
    // Write pacing (one write a second per installation) would make every delivery slower than the
    // latency measured here; it is tested in server.e2e.test.ts.
    app = await startApp(gh, { GITHUB_WRITE_PACING: "off" });
    // One delivery first, so start-up work (first token, first compile) is not counted below.
    const warm = freshCase();
    expect((await app.deliver("pull_request", prPayload(gh, warm, NN_OPTIM))).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await app?.stop("SIGTERM");
    await gh.stop();
  }, 30_000);

  it("cuts off or refuses the hostile ones, and answers and routes each healthy one within 1 s", async () => {
    // The same healthy delivery alone first: on a machine shared with other work, the bound is
    // 1 s or 4 times the slowest of these, whichever is larger (an unprotected server takes
    // minutes on the first hostile delivery below, and answers nothing meanwhile).
    const alone: number[] = [];
    for (let i = 0; i < 3; i++) alone.push((await app.deliver("pull_request", prPayload(gh, freshCase(), NN_OPTIM))).ms);
    const bound = Math.max(1000, 4 * Math.max(...alone));
    // 1. The glob that backtracks exponentially in minimatch's regex, and a file of 48 'a's.
    const bomb = freshCase();
    gh.repo(bomb.repo).files.set(CONFIG, configWith(["*a*a*a*a*a*a*a*a*a*a*a*a*b", "src/**"]));
    // 2. Two 500-character brace globs, each 2^100 alternatives.
    const braces = freshCase();
    gh.repo(braces.repo).files.set(CONFIG, configWith(["{a,b}".repeat(100), "{x,y}".repeat(100)]));
    // 3. A 2 MB configuration.
    const huge = freshCase();
    gh.repo(huge.repo).files.set(CONFIG, `# ${"x".repeat(2_000_000)}\nmax_reviewers: 1\n`);
    // 4. Routing that outlasts the budget: 250 slow globs against 3,000 long file names.
    const slow = freshCase();
    const slowGlobs = Array.from({ length: 250 }, (_, i) => `**/*a*a*a*a*a*a*a*a*a*a*[xyz${i % 10}]*a*b`);
    const config = ["use_default_modules: false", "modules:"];
    for (let m = 0; m < 5; m++) {
      config.push(`  - name: Slow ${m}`, `    label: slow-${m}`, "    maintainers: [alice]", "    paths:");
      for (const g of slowGlobs.slice(m * 50, (m + 1) * 50)) config.push(`      - ${JSON.stringify(g)}`);
    }
    gh.repo(slow.repo).files.set(CONFIG, `${config.join("\n")}\n`);
    const slowFiles = Array.from({ length: 3000 }, (_, i) => `d${i % 7}/${"a".repeat(200)}${i}`);

    const hostile = [
      app.deliver("pull_request", prPayload(gh, bomb, ["a".repeat(48), "src/x.py"])),
      app.deliver("pull_request", prPayload(gh, braces, ["ab"])),
      app.deliver("pull_request", prPayload(gh, huge, NN_OPTIM)),
      app.deliver("pull_request", prPayload(gh, slow, slowFiles)),
    ];
    // Healthy deliveries for other installations, interleaved with the hostile ones.
    const healthy: { c: Case; r: Promise<{ status: number; ms: number }> }[] = [];
    for (let i = 0; i < 6; i++) {
      const c = freshCase();
      healthy.push({ c, r: app.deliver("pull_request", prPayload(gh, c, NN_OPTIM)) });
      await new Promise((r) => setTimeout(r, 150));
    }
    const healthyDone = await Promise.all(healthy.map((h) => h.r));
    const hostileDone = await Promise.all(hostile);

    for (const [i, h] of healthy.entries()) {
      expect(healthyDone[i]!.status).toBe(200);
      expect(
        healthyDone[i]!.ms,
        `healthy delivery ${i} answered within ${bound} ms (alone: ${alone.map(Math.round).join(", ")} ms)`,
      ).toBeLessThan(bound);
      expect(gh.thread(h.c.repo, h.c.number).labels).toEqual(["module: nn", "module: optimizer"]);
      expect(gh.repo(h.c.repo).checkRuns.map((r) => r.conclusion)).toEqual(["neutral"]);
    }
    expect(hostileDone.map((r) => r.status)).toEqual([200, 200, 200, 200]);

    // 1: matched in linear time: the 48-'a' file matches nothing, src/x.py is routed.
    expect(gh.thread(bomb.repo, bomb.number).labels).toEqual(["hostile"]);
    // 2: refused by counting, naming the limit.
    const bracesRun = gh.repo(braces.repo).checkRuns[0]!;
    expect(bracesRun.conclusion).toBe("failure");
    expect(bracesRun.output.summary).toContain(`${CONFIG}:7: error: modules[0].paths[0]: bad glob`);
    expect(bracesRun.output.summary).toContain("glob expands to more than 64 alternatives; the limit is 64");
    // 3: refused from its size.
    const hugeRun = gh.repo(huge.repo).checkRuns[0]!;
    expect(hugeRun.conclusion).toBe("failure");
    expect(hugeRun.output.summary).toContain(`${CONFIG}: error: file is ${2_000_000 + 20} bytes; the limit is 1000000 bytes`);
    // 4: cut off by the budget, said on the pull request; nothing labelled or requested.
    const slowRun = gh.repo(slow.repo).checkRuns[0]!;
    expect(slowRun.conclusion).toBe("failure");
    expect(slowRun.output.title).toBe("Routing budget exceeded");
    expect(slowRun.output.summary).toMatch(/the routing budget \(200 ms of routing\) was exceeded while matching changed file \d+ of 3000/);
    expect(gh.thread(slow.repo, slow.number).labels).toEqual([]);
    expect(gh.thread(slow.repo, slow.number).requestedUsers).toEqual([]);

    // The event loop was never held long: /ping answers at once.
    const t = performance.now();
    expect((await fetch(`http://127.0.0.1:${app.port}/ping`)).ok).toBe(true);
    expect(performance.now() - t).toBeLessThan(bound);
  }, 120_000);
});

describe("two replicas", () => {
  const gh = new GitHubStandIn(APP_ID);
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    await gh.start();
    [a, b] = await Promise.all([startApp(gh), startApp(gh)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop("SIGTERM"), b?.stop("SIGTERM")]);
    await gh.stop();
  }, 30_000);

  it("leave exactly one summary comment when opened and synchronize of one pull request arrive together", async () => {
    const c = freshCase();
    gh.repo(c.repo).files.set(CONFIG, "summary: comment\n");
    // Both handlers read the timeline before either writes: the race the timeline alone cannot settle.
    gh.fail({ method: "GET", path: new RegExp(`^/repos/${c.repo}/issues/${c.number}/timeline$`), delayMs: 400, times: 2 });
    const [r1, r2] = await Promise.all([
      a.deliver("pull_request", prPayload(gh, c, NN_OPTIM, "opened")),
      b.deliver("pull_request", prPayload(gh, c, NN_OPTIM, "synchronize")),
    ]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const posts = gh.writes(c.repo).filter((w) => w.method === "POST" && w.path.endsWith(`/issues/${c.number}/comments`));
    expect(posts, "both replicas created a comment: the race happened").toHaveLength(2);
    const summaries = gh.thread(c.repo, c.number).comments.filter((x) => x.body.includes(COMMENT_MARKER));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.body).toContain("| module | label | files | reviewers |");
  }, 60_000);

  it("leave exactly one cc comment when an issue's opened and edited events arrive together", async () => {
    const c = freshCase();
    gh.repo(c.repo).files.set(CONFIG, "issue_comment: true\n");
    gh.thread(c.repo, 3);
    gh.fail({ method: "GET", path: new RegExp(`^/repos/${c.repo}/issues/3/timeline$`), delayMs: 400, times: 2 });
    // The title names the optimizer: strong evidence for a label, so the issue is cc'd.
    const title = "torch.optim.AdamW ignores weight_decay";
    const body = "Using torch.optim.AdamW the decay is not applied.";
    const payload = (edited: boolean) => {
      const p = edited
        ? issueEditedEvent({ number: 3, title, body }, { body: { from: "before" } })
        : issueOpenedEvent({ number: 3, title, body });
      return repoint(c, p);
    };
    const [r1, r2] = await Promise.all([a.deliver("issues", payload(false)), b.deliver("issues", payload(true))]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const posts = gh.writes(c.repo).filter((w) => w.method === "POST" && w.path.endsWith("/issues/3/comments"));
    expect(posts, "both replicas created a comment: the race happened").toHaveLength(2);
    expect(gh.thread(c.repo, 3).comments.filter((x) => x.body.includes(CC_MARKER))).toHaveLength(1);
  }, 60_000);
});
