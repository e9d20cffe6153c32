import { describe, expect, it } from "vitest";
import { formatProblem } from "../../src/core/problems.js";
import { historyLine, isBotLogin, parseCommitMessage, parseHistory } from "../../src/core/history.js";

describe("parseCommitMessage", () => {
  it.each([
    [
      "merge bot links",
      "Fix a thing\n\nPull Request resolved: https://github.com/o/r/pull/123\nApproved by: https://github.com/alice, https://github.com/Bob-2",
      123,
      ["alice", "Bob-2"],
    ],
    ["internal review handles", "Speed up x (#77)\n\nReviewed By: carol, dave\n\nDifferential Revision: D1", 77, ["carol", "dave"]],
    [
      "noreply trailer and a named one without a login",
      "Subject\n\nReviewed-by: Eve <123+eve-x@users.noreply.github.com>\nReviewed-by: Some Name <x@example.com>",
      undefined,
      ["eve-x"],
    ],
    [
      "bots and duplicates dropped",
      "S (#5)\n\nApproved by: https://github.com/pytorchbot, https://github.com/al, https://github.com/AL, https://github.com/x[bot]",
      5,
      ["al"],
    ],
    ["resolved line wins over the subject", "S (#5)\n\nPull Request resolved: https://github.com/o/r/pull/9", 9, []],
    ["nothing to say", "just a commit", undefined, []],
  ])("%s", (_name, message, pr, approvers) => {
    const facts = parseCommitMessage(message);
    expect(facts.pr).toBe(pr);
    expect(facts.approvers).toEqual(approvers);
  });

  it("knows bots", () => {
    expect(["dependabot[bot]", "pytorchmergebot", "alice"].map(isBotLogin)).toEqual([true, true, false]);
  });
});

describe("parseHistory", () => {
  it("keeps good lines and names each bad one by file and line", () => {
    const good = { pr: 1, date: "2021-05-01T00:00:00Z", author: null, files: ["a/b.py"], approvers: ["nobody-known"] };
    const text = [
      historyLine(good),
      "",
      "{not json",
      JSON.stringify({ ...good, pr: -1 }),
      JSON.stringify({ ...good, date: "yesterday" }),
      "[]",
    ].join("\n");
    const { records, problems } = parseHistory(text, "h.jsonl");
    expect(records).toEqual([good]);
    expect(problems.map(formatProblem)).toEqual([
      "h.jsonl:3: error: not valid JSON: each line must be one history record",
      'h.jsonl:4: error: "pr" must be a positive integer',
      'h.jsonl:5: error: "date" must be an ISO-8601 date',
      "h.jsonl:6: error: a record must be a JSON object",
    ]);
  });
});
