// The offline twin of the app's availability and load: --busy, --load, --signals, --now.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { signalInputs } from "../../src/cli/signal-options.js";
import { decisionOf, runCliProcess } from "../helpers/cli.js";

const cli = (args: string[]) => runCliProcess(args);

const dir = mkdtempSync(join(tmpdir(), "review-router-signals-"));
const CONFIG = join(dir, "review-router.yml");
writeFileSync(
  CONFIG,
  `registry: registry.yml
unavailable:
  - login: ann
    until: 2026-12-20
max_open_reviews: 10
modules:
  - name: Trio
    label: "module: trio"
    paths: [trio/**]
`,
);
writeFileSync(
  join(dir, "registry.yml"),
  `entries:
  - name: Trio
    level: module
    maintainers:
      - {login: ann, name: Ann}
      - {login: bob, name: Bob}
      - {login: cat, name: Cat}
`,
);

describe("signalInputs", () => {
  const files: Record<string, string> = {
    "good.json": JSON.stringify({ busy: ["ann", { login: "bob", expiresAt: "2026-12-24T00:00:00Z" }], openReviews: { cat: 4 } }),
    "bad.json": JSON.stringify({ busy: "ann" }),
    "unknown.json": JSON.stringify({ load: {} }),
    "broken.json": "{",
  };
  const read = (f: string) => {
    if (!(f in files)) throw new Error("ENOENT: no such file");
    return files[f]!;
  };

  it("gives no signals without the flags, so the choice is today's", () => {
    const r = signalInputs({ busy: [], load: [], now: "2026-12-01" }, read);
    expect(r).toEqual({ now: new Date("2026-12-01T00:00:00Z") });
  });

  it("merges the file and the flags, flags last", () => {
    const r = signalInputs({ busy: ["dan"], load: ["cat=7", "ann=0"], signals: "good.json" }, read);
    if (typeof r === "string") throw new Error(r);
    expect([...r.signals!.busy]).toEqual([
      ["ann", {}],
      ["bob", { expiresAt: "2026-12-24T00:00:00Z" }],
      ["dan", {}],
    ]);
    expect([...r.signals!.openReviews]).toEqual([
      ["cat", 7],
      ["ann", 0],
    ]);
  });

  const bad: [Parameters<typeof signalInputs>[0], string][] = [
    [{ busy: ["not a login"], load: [] }, '--busy must be a GitHub login, not "not a login"'],
    [{ busy: [], load: ["ann"] }, '--load must be LOGIN=N (a whole number), not "ann"'],
    [{ busy: [], load: ["ann=-1"] }, '--load must be LOGIN=N (a whole number), not "ann=-1"'],
    [{ busy: [], load: [], now: "soon" }, '--now must be a date such as 2026-12-20 or 2026-12-20T09:00:00Z, not "soon"'],
    [{ busy: [], load: [], signals: "missing.json" }, "--signals: cannot read missing.json: ENOENT: no such file"],
    [{ busy: [], load: [], signals: "bad.json" }, "--signals: bad.json: busy: must be a list of logins or {login, expiresAt} objects"],
    [{ busy: [], load: [], signals: "unknown.json" }, "--signals: unknown.json: load: unknown key; expected busy, openReviews"],
  ];
  for (const [values, message] of bad) {
    it(`refuses ${JSON.stringify(values)}`, () => expect(signalInputs(values, read)).toBe(message));
  }

  it("reports a file that is not JSON", () => {
    expect(signalInputs({ busy: [], load: [], signals: "broken.json" }, read)).toMatch(/^--signals: broken\.json: .*JSON/);
  });
});

describe("review-router route with signals", () => {
  const route = (...extra: string[]) => cli(["route", "--config", CONFIG, "--json", "--now", "2026-12-01", ...extra, "trio/a.py"]);
  const reasons = (out: { skipped: { login: string; reason: string }[] }) => out.skipped.map((s) => `${s.login}:${s.reason}`);

  it("passes over busy and overloaded maintainers, with the reasons in the JSON", () => {
    const r = route("--busy", "bob", "--load", "cat=10");
    expect(r.stderr).toBe("");
    const out = decisionOf(r.stdout);
    // ann is away until 2026-12-20; bob busy; cat at the limit: every free candidate is overloaded, so cat is asked.
    expect(out.reviewers).toEqual(["cat"]);
    expect(reasons(out)).toEqual(["ann:unavailable", "bob:busy"]);
    expect(out.notes).toEqual(["every candidate for Trio has 10 or more open review requests: the least loaded is asked"]);
  });

  it("reads the same from a --signals file, and a dated entry lapses after its day", () => {
    const file = join(dir, "signals.json");
    writeFileSync(file, JSON.stringify({ busy: ["cat"], openReviews: { bob: 12, ann: 1 } }));
    const out = decisionOf(
      cli(["route", "--config", CONFIG, "--json", "--now", "2026-12-21T08:00:00Z", "--signals", file, "trio/a.py"]).stdout,
    );
    expect(out.reviewers).toEqual(["ann"]);
    expect(reasons(out)).toEqual(["cat:busy", "bob:overloaded"]);
  });

  it("shows the reasons in the table", () => {
    const r = cli([
      "route",
      "--config",
      CONFIG,
      "--now",
      "2026-12-01",
      "--busy",
      "bob",
      "--load",
      "cat=11",
      "--load",
      "ann=0",
      "trio/a.py",
    ]);
    expect(r.stdout).toMatch(/^bob\s+Trio\s+busy$/m);
    expect(r.stdout).toMatch(/^reviewers: cat$/m);
  });

  it("refuses a bad flag with usage", () => {
    const r = route("--load", "cat=many");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'review-router route: --load must be LOGIN=N (a whole number), not "cat=many"; see `review-router route --help`\n',
    );
  });
});
