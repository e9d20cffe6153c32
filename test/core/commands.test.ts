// Pull request commands: parsing, permission, reroll planning and the skip label (all pure).
import { describe, expect, it } from "vitest";
import {
  acceptedForms,
  authorize,
  MAX_COMMANDS_PER_COMMENT,
  needsPermissionLevel,
  parseCommands,
  refusalReply,
  rerolledBlocked,
  reviewsPaused,
  skipLabelChange,
  type Command,
} from "../../src/core/commands.js";
import { commandAction, rerollRefusal } from "../../src/core/command-plan.js";
import { parseConfig } from "../../src/core/config.js";
import { planPullRequest } from "../../src/core/plan.js";
import { candidatesToFetch, route, type RouteInput } from "../../src/core/route.js";
import { buildRouter } from "../../src/core/router.js";
import { threadFacts } from "../helpers/thread.js";

const P = "/route";
const commands = (body: string, prefix = P) => parseCommands(body, prefix).map((c) => c.command ?? { error: c.error });

describe("parseCommands", () => {
  const table: [string, string, unknown[]][] = [
    ["bare prefix", "/route", [{ kind: "route" }]],
    ["explain", "/route explain", [{ kind: "explain" }]],
    ["reroll self", "/route reroll", [{ kind: "reroll" }]],
    ["reroll @login", "/route reroll @Alice-B", [{ kind: "reroll", login: "Alice-B" }]],
    ["reroll login without @", "/route  reroll   bob  ", [{ kind: "reroll", login: "bob" }]],
    ["skip and resume, any case", "/route SKIP\n/route Resume", [{ kind: "skip" }, { kind: "resume" }]],
    ["up to three spaces of indent", "   /route explain", [{ kind: "explain" }]],
    ["four spaces is code", "    /route explain", []],
    ["text around", "Thanks!\n\n/route explain\nplease", [{ kind: "explain" }]],
    ["not at line start", "please /route explain", []],
    ["a longer word is not the prefix", "/router explain\n/routes", []],
    ["quoted", "> /route skip\n  > /route", []],
    ["fenced code", "```\n/route skip\n```\n/route", [{ kind: "route" }]],
    ["tilde fence, longer close", "~~~~sh\n/route skip\n~~~\n/route\n~~~~~\n/route explain", [{ kind: "explain" }]],
    ["unclosed fence hides the rest", "```\n/route skip", []],
    ["html comment", "<!--\n/route skip\n-->\n/route resume", [{ kind: "resume" }]],
    ["CRLF", "hi\r\n/route explain\r\n", [{ kind: "explain" }]],
    ["unknown subcommand", "/route frobnicate", [{ error: 'unknown subcommand "frobnicate"' }]],
    ["extra argument", "/route skip now", [{ error: "`/route skip` takes no argument" }]],
    ["two logins", "/route reroll @a @b", [{ error: "`/route reroll` takes at most one @login" }]],
    ["bad login", "/route reroll @-x-", [{ error: '"@-x-" is not a GitHub login' }]],
  ];
  for (const [name, body, want] of table) {
    it(name, () => expect(commands(body)).toEqual(want));
  }

  it("uses the configured prefix literally", () => {
    expect(commands("/rr skip\n/route skip\n.r+ explain", "/rr")).toEqual([{ kind: "skip" }]);
    expect(commands(".r+ explain\n.rr explain", ".r+")).toEqual([{ kind: "explain" }]);
  });

  it("gives the line and text of each command, and stops after the limit", () => {
    const body = Array.from({ length: MAX_COMMANDS_PER_COMMENT + 3 }, () => "/route explain").join("\n");
    const parsed = parseCommands(`x\n${body}`, P);
    expect(parsed).toHaveLength(MAX_COMMANDS_PER_COMMENT);
    expect(parsed[0]).toEqual({ line: 2, text: "/route explain", command: { kind: "explain" } });
  });

  it("takes linear time on a hostile body", () => {
    const body = "/route reroll " + " ".repeat(100_000) + "x".repeat(100_000) + "\n```".repeat(10_000);
    const start = process.hrtime.bigint();
    parseCommands(body, P);
    // Generous: a super-linear regex on 200k characters would take minutes.
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(2000);
  });

  it("lists the accepted forms with the prefix", () => {
    const forms = acceptedForms("/rr");
    expect(forms.split("\n").map((l) => /`([^`]+)`/.exec(l)![1])).toEqual([
      "/rr",
      "/rr explain",
      "/rr reroll [@login]",
      "/rr skip",
      "/rr resume",
    ]);
  });
});

describe("refusalReply", () => {
  it("quotes the command harmlessly, says why, and lists the forms", () => {
    const [parsed] = parseCommands("/route frob `@everyone`", P);
    expect(refusalReply(P, parsed!.text, parsed!.error!)).toBe(
      `\`/route frob @everyone\`: unknown subcommand "frob".\n\nAccepted forms:\n${acceptedForms(P)}\n`,
    );
  });
});

describe("authorize", () => {
  const ctx = { author: "Author", requestedReviewers: ["rev1", "Rev2"] };
  const all: Command[] = [
    { kind: "route" },
    { kind: "explain" },
    { kind: "reroll" },
    { kind: "reroll", login: "rev1" },
    { kind: "skip" },
    { kind: "resume" },
  ];
  const table: { who: string; permission?: string; command: Command; allowed: boolean; as?: string }[] = [
    ...all.map((command) => ({ who: "author", command, allowed: true, as: "author" })),
    ...all.map((command) => ({ who: "stranger", permission: "write", command, allowed: true, as: "writer" })),
    ...all.map((command) => ({ who: "stranger", permission: "maintain", command, allowed: true, as: "writer" })),
    ...all.map((command) => ({ who: "stranger", permission: "admin", command, allowed: true, as: "writer" })),
    ...all.map((command) => ({ who: "stranger", permission: "triage", command, allowed: false })),
    ...all.map((command) => ({ who: "stranger", permission: "read", command, allowed: false })),
    ...all.map((command) => ({ who: "stranger", command, allowed: false })),
    { who: "rev2", command: { kind: "reroll" }, allowed: true, as: "reviewer" },
    { who: "REV1", command: { kind: "reroll", login: "rev1" }, allowed: true, as: "reviewer" },
    { who: "rev1", command: { kind: "reroll", login: "rev2" }, allowed: false },
    { who: "rev1", command: { kind: "skip" }, allowed: false },
    { who: "rev1", command: { kind: "explain" }, permission: "read", allowed: false },
    { who: "notrequested", command: { kind: "reroll" }, allowed: false },
  ];
  for (const c of table) {
    it(`${c.who} (${c.permission ?? "no permission looked up"}) ${c.command.kind} ${"login" in c.command ? c.command.login : ""}`, () => {
      const r = authorize(c.command, c.who, ctx, c.permission);
      expect(r.allowed).toBe(c.allowed);
      if (r.allowed) expect(r.as).toBe(c.as);
      else expect(r.reason).toMatch(new RegExp(`^@${c.who} may not `));
      // The permission level is needed exactly when the role alone does not allow it.
      expect(needsPermissionLevel(c.command, c.who, ctx)).toBe(c.as !== "author" && c.as !== "reviewer");
    });
  }
});

describe("skip and resume", () => {
  const L = "review-router: skip";
  it("adds the label once and removes it as spelled", () => {
    expect(skipLabelChange("skip", ["module: nn"], L)).toEqual({ add: L });
    expect(skipLabelChange("skip", ["Review-Router: Skip"], L)).toEqual({});
    expect(skipLabelChange("resume", ["Review-Router: Skip"], L)).toEqual({ remove: "Review-Router: Skip" });
    expect(skipLabelChange("resume", [], L)).toEqual({});
    expect(reviewsPaused(["x", "REVIEW-ROUTER: SKIP"], L)).toBe(true);
    expect(reviewsPaused(["x"], L)).toBe(false);
  });
});

describe("planning /route reroll (commandAction, then one routing of the thread after the withdrawal)", () => {
  const { config, problems } = parseConfig(
    `max_reviewers: 3
modules:
  - name: NN
    label: "module: nn"
    paths: [torch/nn/**]
    maintainers: [ann, bob, cat]
  - name: FFT
    label: "module: fft"
    paths: [torch/fft/**]
    maintainers: [dan, eve]
  - name: Solo
    label: "module: solo"
    paths: [solo/**]
    maintainers: [sam]
`,
    "review-router.yml",
  );
  expect(problems).toEqual([]);
  const router = buildRouter(config!, { entries: [] });
  const files = [{ path: "torch/nn/linear.py" }, { path: "torch/fft/fft.py" }];
  const base = (requested: string[], over: Partial<RouteInput> = {}): RouteInput => ({
    repository: "pytorch/pytorch",
    prNumber: 9,
    author: "someone",
    files,
    requestedReviewers: requested,
    ...over,
  });
  /** A writer's `/route reroll @target`: refused, or the withdrawal and the plan that replaces them. */
  const planReroll = (requested: string[], target: string, rerolled: string[] = [], prNumber = 9) => {
    const thread = threadFacts({ requestedUsers: requested, requestRemovedByApp: rerolled });
    const planned = commandAction({ kind: "reroll", login: target }, "writer", thread, "skip");
    if ("refused" in planned) return { ok: false as const, reason: planned.refused };
    if (planned.action.kind !== "reroll") throw new Error(`a reroll planned as ${planned.action.kind}`);
    const pr = { repository: "pytorch/pytorch", number: prNumber, author: "someone", draft: false, files, thread: planned.action.thread };
    const plan = planPullRequest({ router, pr, dryRun: false });
    const refusal = rerollRefusal(plan.decision, planned.action.withdraw);
    if (refusal) return { ok: false as const, reason: refusal };
    return { ok: true as const, withdraw: planned.action.withdraw, request: plan.reviews.users, decision: plan.decision };
  };

  it("withdraws the reviewer and asks another maintainer of the same module, never them again", () => {
    for (let pr = 1; pr <= 40; pr++) {
      const first = route(router, base([], { prNumber: pr }));
      const nnReviewer = first.modules.find((m) => m.name === "NN")!.reviewers[0]!;
      const plan = planReroll(first.reviewers, nnReviewer, [], pr);
      expect(plan.ok).toBe(true);
      if (!plan.ok) continue;
      expect(plan.withdraw).toBe(nnReviewer);
      expect(plan.request).toHaveLength(1);
      expect(["ann", "bob", "cat"].filter((l) => l !== nnReviewer)).toContain(plan.request[0]);
      // A second reroll of the replacement asks the third maintainer: both earlier ones are out.
      const requested = [...first.reviewers.filter((r) => r !== nnReviewer), plan.request[0]!];
      const second = planReroll(requested, plan.request[0]!, [nnReviewer], pr);
      expect(second.ok && second.request).toEqual(["ann", "bob", "cat"].filter((l) => l !== nnReviewer && l !== plan.request[0]));
      // The third reroll has nobody left: the request is withdrawn, the module left uncovered.
      const third = planReroll(
        [...requested.slice(0, -1), ...(second.ok ? second.request : [])],
        second.ok ? second.request[0]! : "",
        [nnReviewer, plan.request[0]!],
        pr,
      );
      expect(third).toMatchObject({ ok: true, request: [] });
      if (third.ok) {
        expect(third.decision.uncovered).toEqual([{ module: "NN", reason: "no eligible active maintainer" }]);
        expect(
          third.decision.skipped
            .filter((k) => k.reason === "withdrawn")
            .map((k) => k.login)
            .sort(),
        ).toEqual(["ann", "bob", "cat"]);
      }
    }
  });

  it("does not touch other modules' reviewers", () => {
    const plan = planReroll(["ann", "dan"], "ann");
    expect(plan.ok && plan.request.every((r) => ["bob", "cat"].includes(r))).toBe(true);
    expect(plan.ok && plan.decision.modules.find((m) => m.name === "FFT")!.reviewers).toEqual(["dan"]);
  });

  it("refuses someone not requested, and someone requested who is no candidate", () => {
    expect(planReroll(["ann"], "bob")).toEqual({ ok: false, reason: "@bob is not a requested reviewer of this pull request" });
    expect(planReroll(["ann", "outsider"], "outsider")).toEqual({
      ok: false,
      reason: "@outsider is not a maintainer of a module this pull request touches, so review-router has no one to ask instead",
    });
  });

  it("fetches signals only for candidates of modules needing a reviewer (route's candidatesToFetch)", () => {
    expect(candidatesToFetch(router, base([]))).toEqual(["ann", "bob", "cat", "dan", "eve"]);
    expect(candidatesToFetch(router, base(["eve"], { blocked: rerolledBlocked(["ann"]) }))).toEqual(["bob", "cat"]);
    expect(candidatesToFetch(router, base(["bob", "eve"]))).toEqual([]);
  });

  it("a rerolled login stays out of later routing of the pull request", () => {
    for (let pr = 1; pr <= 20; pr++) {
      const d = route(router, base([], { prNumber: pr, blocked: rerolledBlocked(["ann", "bob"]) }));
      expect(d.modules.find((m) => m.name === "NN")!.reviewers).toEqual(["cat"]);
    }
  });
});
