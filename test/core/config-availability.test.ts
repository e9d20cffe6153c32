// The configuration keys of reviewer availability, load and pull request commands.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config.js";
import { formatProblem } from "../../src/core/problems.js";

const parse = (text: string) => parseConfig(text, "review-router.yml");
const problems = (text: string) => parse(text).problems.map(formatProblem);

describe("availability and command keys", () => {
  it("reads dated and plain unavailable entries, the load limit and the command settings", () => {
    const r = parse(`unavailable:
  - alice
  - login: bob
    until: 2026-12-20
  - login: carol
max_open_reviews: 8
command_prefix: /rr
skip_label: "routing: off"
`);
    expect(r.problems).toEqual([]);
    expect(r.config!.policy.unavailable).toEqual([{ login: "alice" }, { login: "bob", until: "2026-12-20" }, { login: "carol" }]);
    expect(r.config!.policy.maxOpenReviews).toBe(8);
    expect(r.config!.app.commandPrefix).toBe("/rr");
    expect(r.config!.app.skipLabel).toBe("routing: off");
  });

  it("defaults: 15 open reviews, /route, review-router: skip", () => {
    const r = parse("");
    expect(r.config!.policy.maxOpenReviews).toBe(15);
    expect(r.config!.app).toMatchObject({ commandPrefix: "/route", skipLabel: "review-router: skip" });
  });

  it("names file, line and key of each bad value", () => {
    expect(
      problems(`unavailable:
  - login: bob
    until: 20 December
  - login: bad login
  - until: 2026-12-20
  - login: dan
    until: 2026-02-30
  - login: eve
    back: 2026-12-20
  - [x]
max_open_reviews: 0
command_prefix: "/route now"
skip_label: "${"x".repeat(51)}"
`),
    ).toEqual([
      "review-router.yml:3: error: unavailable[0].until: must be a date written YYYY-MM-DD (the last day away), e.g. until: 2026-12-20",
      'review-router.yml:4: error: unavailable[1].login: "bad login" is not a GitHub login',
      "review-router.yml:5: error: unavailable[2].login: is required and must be a non-empty string",
      "review-router.yml:7: error: unavailable[3].until: must be a date written YYYY-MM-DD (the last day away), e.g. until: 2026-12-20",
      "review-router.yml:9: error: unavailable[4].back: unknown key; expected one of: login, until",
      "review-router.yml:10: error: unavailable[5]: must be a mapping (a login, or login and until)",
      "review-router.yml:11: error: max_open_reviews: must be a whole number from 1 to 10000",
      "review-router.yml:12: error: command_prefix: must be one word of at most 30 characters, without spaces, e.g. /route",
      "review-router.yml:13: error: skip_label: must be at most 50 characters (GitHub's limit for a label name)",
    ]);
  });

  it("still takes a single login for unavailable", () => {
    expect(parse("unavailable: alice\n").config!.policy.unavailable).toEqual([{ login: "alice" }]);
  });
});
