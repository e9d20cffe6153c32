import { describe, expect, it } from "vitest";
import { decideCommands, permissionNeeded, refusalsReply, replyMarker, writtenByBot } from "../../src/core/command-plan.js";
import { parseCommands } from "../../src/core/commands.js";

const ctx = { author: "Ann", requestedReviewers: ["bob"] };

describe("decideCommands", () => {
  it.each([
    ["the author, any command", "ann", "/route skip", undefined, true],
    ["a requested reviewer rerolling themselves", "BOB", "/route reroll", undefined, true],
    ["a requested reviewer rerolling someone else", "bob", "/route reroll @carl", "read", false],
    ["an outsider with read access", "dora", "/route", "read", false],
    ["an outsider with triage access", "dora", "/route resume", "triage", false],
    ["a writer", "dora", "/route reroll @bob", "write", true],
    ["a maintainer", "dora", "/route explain", "maintain", true],
    ["an admin", "dora", "/route skip", "admin", true],
  ] as const)("%s", (_name, actor, body, permission, allowed) => {
    const d = decideCommands(parseCommands(body, "/route"), actor, ctx, permission);
    expect(d.accepted.length === 1).toBe(allowed);
    expect(d.refused.length === 1).toBe(!allowed);
  });

  it("refuses a malformed line with its parse error and keeps the valid ones", () => {
    const d = decideCommands(parseCommands("/route nope\n/route explain", "/route"), "ann", ctx);
    expect(d.accepted.map((a) => a.command)).toEqual([{ kind: "explain" }]);
    expect(d.refused).toEqual([{ text: "/route nope", reason: 'unknown subcommand "nope"' }]);
  });
});

describe("a reroll already carried out", () => {
  it("is done, not refused, when review-router withdrew the target and nobody requested them since", () => {
    const parsed = parseCommands("/route reroll", "/route");
    const ctxAfter = { author: "ann", requestedReviewers: ["carl"] };
    expect(permissionNeeded(parsed, "bob", ctxAfter, ["BOB"])).toBe(false);
    const decided = decideCommands(parsed, "bob", ctxAfter, undefined, ["BOB"]);
    expect(decided).toEqual({ accepted: [], refused: [], done: [{ text: "/route reroll" }] });
    // Requested again by someone since: a new reroll is allowed again.
    const again = decideCommands(parsed, "bob", { ...ctxAfter, requestedReviewers: ["bob"] }, undefined, ["bob"]);
    expect(again.accepted).toHaveLength(1);
  });
});

describe("permissionNeeded", () => {
  it("asks GitHub only when the role does not settle it", () => {
    expect(permissionNeeded(parseCommands("/route", "/route"), "ann", ctx)).toBe(false);
    expect(permissionNeeded(parseCommands("/route reroll", "/route"), "bob", ctx)).toBe(false);
    expect(permissionNeeded(parseCommands("/route nope", "/route"), "dora", ctx)).toBe(false);
    expect(permissionNeeded(parseCommands("/route", "/route"), "dora", ctx)).toBe(true);
  });
});

describe("refusalsReply and writtenByBot", () => {
  it("answers every refused line once, marked with the comment id, quoting without pings", () => {
    const body = refusalsReply("/route", 42, [{ text: "/route reroll @x`y", reason: "no." }]);
    expect(body.startsWith(`${replyMarker(42)}\n\`/route reroll @xy\`: no.\n\nAccepted forms:\n- \`/route\``)).toBe(true);
  });

  it("tells bots and review-router's own comments from people's", () => {
    expect(writtenByBot({ user: { type: "Bot" } })).toBe(true);
    expect(writtenByBot({ user: { type: "User" }, performed_via_github_app: { id: 7 } }, 7)).toBe(true);
    expect(writtenByBot({ user: { type: "User" }, performed_via_github_app: { id: 8 } }, 7)).toBe(false);
    expect(writtenByBot({ user: { type: "User" } })).toBe(false);
  });
});
