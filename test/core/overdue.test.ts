import { describe, expect, it } from "vitest";
import { businessHoursBetween, overdueReviewers, validTimeZone, type OverdueInput } from "../../src/core/overdue.js";

const t = (iso: string) => Date.parse(iso);

// 2026-01-05 is a Monday; 2026-03-29 and 2026-10-25 are the Sundays Europe changes its clocks.
describe("businessHoursBetween", () => {
  it.each([
    ["same weekday", "2026-01-05T09:00:00Z", "2026-01-05T17:00:00Z", "UTC", 8],
    ["Friday afternoon to Monday morning: the weekend does not count", "2026-01-09T16:00:00Z", "2026-01-12T10:00:00Z", "UTC", 18],
    ["within a weekend", "2026-01-10T10:00:00Z", "2026-01-11T20:00:00Z", "UTC", 0],
    ["Saturday to the first hour of Monday", "2026-01-10T10:00:00Z", "2026-01-12T01:00:00Z", "UTC", 1],
    ["a whole week", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", "UTC", 120],
    ["two weeks and a weekend day", "2026-01-03T12:00:00Z", "2026-01-19T00:00:00Z", "UTC", 240],
    ["end before start", "2026-01-06T00:00:00Z", "2026-01-05T00:00:00Z", "UTC", 0],
    // Berlin is UTC+1 in winter: its weekend starts at 23:00Z on Friday and ends at 23:00Z on Sunday.
    ["Berlin: the weekend is local", "2026-01-09T22:00:00Z", "2026-01-11T23:30:00Z", "Europe/Berlin", 1.5],
    ["UTC for the same instants", "2026-01-09T22:00:00Z", "2026-01-11T23:30:00Z", "UTC", 2],
    // Los Angeles is UTC-8: Monday 05:00Z is still Sunday evening there.
    ["Los Angeles: Sunday evening there", "2026-01-12T05:00:00Z", "2026-01-12T09:00:00Z", "America/Los_Angeles", 1],
    ["Kolkata: a half-hour offset", "2026-01-04T18:00:00Z", "2026-01-04T19:00:00Z", "Asia/Kolkata", 0.5],
    // Thursday 23:00Z is Friday 00:00 in Berlin; Sunday 22:00Z is Monday 00:00 after the clocks went forward.
    ["Berlin across the spring change: Friday only", "2026-03-26T23:00:00Z", "2026-03-29T22:00:00Z", "Europe/Berlin", 24],
    ["Berlin across the autumn change: Monday starts at 23:00Z", "2026-10-25T22:00:00Z", "2026-10-26T01:00:00Z", "Europe/Berlin", 2],
  ])("%s", (_name, from, to, zone, hours) => {
    expect(businessHoursBetween(t(from), t(to), zone)).toBeCloseTo(hours, 6);
  });

  it("stops counting once the cap is reached (a pull request open for years costs days up to the cap)", () => {
    const capped = businessHoursBetween(t("2016-01-04T00:00:00Z"), t("2026-01-05T00:00:00Z"), "UTC", 30);
    expect(capped).toBe(30);
  });

  it("knows IANA zones and refuses others", () => {
    expect(validTimeZone("Europe/Berlin")).toBe(true);
    expect(validTimeZone("UTC")).toBe(true);
    expect(validTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("overdueReviewers", () => {
  const base: OverdueInput = {
    requests: [
      { login: "alice", at: "2026-01-05T09:00:00Z" },
      { login: "bob", at: "2026-01-07T09:00:00Z" },
    ],
    activity: [],
    replaced: [],
    settings: { afterHours: 24, timeZone: "UTC" },
    now: new Date("2026-01-07T10:00:00Z"),
  };

  it("lists the requests past the deadline, with the business hours counted (up to the cap)", () => {
    expect(overdueReviewers(base)).toEqual([{ login: "alice", requestedAt: "2026-01-05T09:00:00Z", businessHours: 24 }]);
  });

  it.each([
    ["off (0 hours)", { settings: { afterHours: 0, timeZone: "UTC" } }, []],
    ["a review after the request", { activity: [{ login: "ALICE", at: "2026-01-06T09:00:00Z" }] }, []],
    ["a comment before the request does not count", { activity: [{ login: "alice", at: "2026-01-05T08:00:00Z" }] }, ["alice"]],
    ["someone else's comment does not count", { activity: [{ login: "bob", at: "2026-01-06T09:00:00Z" }] }, ["alice"]],
    ["replaced once already", { replaced: ["Alice"] }, []],
    [
      "a weekend in between: not yet",
      { requests: [{ login: "carol", at: "2026-01-09T12:00:00Z" }], now: new Date("2026-01-12T11:00:00Z") },
      [],
    ],
    [
      "a weekend in between: due",
      { requests: [{ login: "carol", at: "2026-01-09T12:00:00Z" }], now: new Date("2026-01-12T12:00:00Z") },
      ["carol"],
    ],
    ["an unreadable time is ignored", { requests: [{ login: "dave", at: "yesterday" }] }, []],
  ] as [string, Partial<OverdueInput>, string[]][])("%s", (_name, over, logins) => {
    expect(overdueReviewers({ ...base, ...over }).map((o) => o.login)).toEqual(logins);
  });
});

describe("reroute configuration keys", () => {
  it("checks reroute_after_hours and reroute_timezone, naming file, line and key", async () => {
    const { parseConfig } = await import("../../src/core/config.js");
    const good = parseConfig("reroute_after_hours: 16\nreroute_timezone: Europe/Berlin\n", "r.yml");
    expect(good.problems).toEqual([]);
    expect(good.config!.app.reroute).toEqual({ afterHours: 16, timeZone: "Europe/Berlin" });
    const bad = parseConfig("reroute_after_hours: -1\nreroute_timezone: Mars/Olympus\n", "r.yml");
    expect(bad.problems.map((p) => `${p.file}:${p.line}: ${p.key}: ${p.message}`)).toEqual([
      "r.yml:1: reroute_after_hours: must be a whole number from 0 to 2000",
      'r.yml:2: reroute_timezone: "Mars/Olympus" is not a time zone; use an IANA name such as Europe/Berlin or UTC',
    ]);
  });
});
