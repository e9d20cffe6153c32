// The review-history commands in-process: `history --from-git` on a real temporary git
// repository, `route --history [--as-of] [--widen]`, and `maintainers audit`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommitSplitter } from "../../src/cli/history.js";
import { runCli } from "../../src/cli/main.js";
import { tempCheckout } from "../helpers/git.js";

async function run(args: string[], cwd?: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => "",
    ...(cwd ? { cwd } : {}),
  });
  return { code, stdout, stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "review-router-history-"));
}

/** Commit in `root` as `email` at `date` (author and committer), with `message`. */
function commit(root: string, message: string, date: string, email = "dev@example.com", extra: string[] = []) {
  const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  execFileSync("git", ["-C", root, "-c", "user.name=Dev", "-c", `user.email=${email}`, "commit", "-q", "-m", message, ...extra], { env });
}

function write(root: string, path: string, text: string) {
  execFileSync("mkdir", ["-p", join(root, path, "..")]);
  writeFileSync(join(root, path), text);
  execFileSync("git", ["-C", root, "add", "-A"]);
}

describe("CommitSplitter", () => {
  it("cuts git's output into commits wherever the pieces break", () => {
    const text = "\u001eone\u0000a\u001etwo\u0000bb\u001ethree";
    for (const size of [1, 2, 5, text.length]) {
      const s = new CommitSplitter();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
      out.push(s.end()!);
      expect(out).toEqual(["one\u0000a", "two\u0000bb", "three"]);
    }
  });
});

describe("history --from-git", () => {
  it("writes one record per pull request of the first-parent history, oldest first, renames with both names, bots left out", async () => {
    const root = tempCheckout();
    execFileSync("git", ["-C", root, "checkout", "-q", "-b", "main"]);
    write(root, "lib/a.py", "1");
    commit(
      root,
      "Add a (#10)\n\nApproved by: https://github.com/alice, https://github.com/pytorchmergebot",
      "2024-01-01T10:00:00Z",
      "7+zed@users.noreply.github.com",
    );
    write(root, "notes.txt", "no pull request");
    commit(root, "A direct push", "2024-01-02T10:00:00Z");
    execFileSync("git", ["-C", root, "mv", "lib/a.py", "lib/b.py"]);
    commit(root, "Rename a\n\nPull Request resolved: https://github.com/o/r/pull/11\nReviewed By: bob", "2024-02-01T10:00:00Z");
    // A branch merged with a merge commit: first-parent history sees one commit with both files.
    execFileSync("git", ["-C", root, "checkout", "-q", "-b", "topic"]);
    write(root, "src/x.c", "x");
    commit(root, "x (#99)", "2024-03-01T10:00:00Z");
    write(root, "src/y.c", "y");
    commit(root, "y", "2024-03-02T10:00:00Z");
    execFileSync("git", ["-C", root, "checkout", "-q", "main"]);
    execFileSync(
      "git",
      [
        "-C",
        root,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@example.com",
        "merge",
        "-q",
        "--no-ff",
        "topic",
        "-m",
        "Merge topic (#12)\n\nReviewed-by: Carol <9+carol@users.noreply.github.com>",
      ],
      { env: { ...process.env, GIT_AUTHOR_DATE: "2024-03-03T10:00:00Z", GIT_COMMITTER_DATE: "2024-03-03T10:00:00Z" } },
    );
    const r = await run(["history", "--from-git", root]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => ({ ...l, date: new Date(l.date).toISOString() }))).toEqual([
      { pr: 10, date: "2024-01-01T10:00:00.000Z", author: "zed", files: ["lib/a.py"], approvers: ["alice"] },
      { pr: 11, date: "2024-02-01T10:00:00.000Z", author: null, files: ["lib/a.py", "lib/b.py"], approvers: ["bob"] },
      { pr: 12, date: "2024-03-03T10:00:00.000Z", author: null, files: ["src/x.c", "src/y.c"], approvers: ["carol"] },
    ]);
    const since = await run(["history", "--from-git", root, "--since", "2024-01-15"]);
    expect(
      since.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).pr),
    ).toEqual([11, 12]);
  });

  it("says why when the directory is not a git checkout, and what a bad --since is", async () => {
    const r = await run(["history", "--from-git", tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^review-router: git log failed in /);
    const bad = await run(["history", "--from-git", ".", "--since", "someday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be a date such as 2024-01-31, not "someday"');
  });
});

const CONFIG = `widen_to_recent_approvers: false
modules:
  - {name: Web, label: web, maintainers: [alice, bob, carol], paths: ["web/**"]}
  - {name: Db, label: db, maintainers: [dave, erin], paths: ["db/**"]}
`;

function fixture(records: object[]): { config: string; history: string; dir: string } {
  const dir = tempDir();
  writeFileSync(join(dir, "rr.yml"), CONFIG);
  writeFileSync(join(dir, "h.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return { config: join(dir, "rr.yml"), history: join(dir, "h.jsonl"), dir };
}

const rec = (pr: number, date: string, files: string[], approvers: string[], author: string | null = "zed") => ({
  pr,
  date,
  author,
  files,
  approvers,
});

/** Carol reviews web/ in May; an outsider reviews it more in June. */
const RECORDS = [
  rec(1, "2024-05-01T00:00:00Z", ["web/a.ts"], ["carol"]),
  rec(2, "2024-05-02T00:00:00Z", ["web/b.ts"], ["carol"]),
  rec(3, "2024-05-03T00:00:00Z", ["web/c.ts"], ["carol"], null),
  rec(4, "2024-06-01T00:00:00Z", ["web/d.ts"], ["outsider"]),
  rec(5, "2024-06-02T00:00:00Z", ["web/e.ts"], ["outsider"]),
  rec(6, "2024-06-03T00:00:00Z", ["web/f.ts"], ["outsider"]),
  rec(7, "2024-06-04T00:00:00Z", ["web/g.ts"], ["outsider", "dave"]),
];

describe("route --history", () => {
  const base = (f: ReturnType<typeof fixture>) => ["route", "--config", f.config, "--repo", "me/proj", "--author", "someone", "--pr", "5"];

  it("asks the maintainer who approved these paths, lists every candidate in --json, and uses only records before --as-of", async () => {
    const f = fixture(RECORDS);
    const r = await run([...base(f), "--json", "--history", f.history, "--as-of", "2024-07-01", "web/new.ts"]);
    expect(r.stderr).toBe("");
    // The plan document: the decision is under plan.decision.
    const out = JSON.parse(r.stdout).plan.decision;
    expect(out.reviewers).toEqual(["carol"]);
    expect(out.candidates[0]).toEqual({
      login: "carol",
      score: out.candidates[0].score,
      evidence: "approved 3 pull requests touching web/ in the last 180 days",
      chosen: true,
      reason: "chosen for Web",
    });
    expect(out.candidates[0].score).toBeGreaterThan(0);
    expect(out.candidates.slice(1).map((c: { chosen: boolean; reason: string }) => [c.chosen, c.reason])).toEqual([
      [false, "module covered"],
      [false, "module covered"],
    ]);
    // As of before every record, or without history: today's choice.
    const today = JSON.parse((await run([...base(f), "--json", "web/new.ts"])).stdout).plan.decision;
    const early = JSON.parse((await run([...base(f), "--json", "--history", f.history, "--as-of", "2024-01-01", "web/new.ts"])).stdout).plan
      .decision;
    expect(early.reviewers).toEqual(today.reviewers);
  });

  it("--widen asks the recent approver who knows these paths best when not a listed maintainer, and says so", async () => {
    const f = fixture(RECORDS);
    const r = await run([...base(f), "--history", f.history, "--as-of", "2024-06-10", "--widen", "web/new.ts"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("reviewers: carol, outsider\n");
    expect(r.stdout).toMatch(
      /outsider +[0-9.]+ +yes +recent approver, not a listed maintainer \(widening\) +approved 4 pull requests touching web\/ in the last 180 days/,
    );
  });

  it("names the file and line of a malformed record and exits 1; unknown logins are kept", async () => {
    const f = fixture(RECORDS);
    writeFileSync(
      f.history,
      readFileSync(f.history, "utf8") + '{"pr": 8, "date": "yesterday", "author": null, "files": [], "approvers": []}\nnot json\n',
    );
    const r = await run([...base(f), "--history", f.history, "web/x.ts"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `${f.history}:8: error: "date" must be an ISO-8601 date\n${f.history}:9: error: not valid JSON: each line must be one history record\n`,
    );
    expect((await run([...base(f), "--as-of", "2024-01-01", "web/x.ts"])).stderr).toContain("--as-of and --widen need --history FILE");
  });
});

describe("maintainers audit", () => {
  it("lists, per module, listed maintainers with no approval and unlisted frequent approvers, as the documented JSON", async () => {
    const f = fixture(RECORDS);
    const r = await run(["maintainers", "audit", "--config", f.config, "--repo", "me/proj", "--history", f.history, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      modules: [
        {
          module: "Web",
          inactive: [
            { login: "alice", approvals: 0 },
            { login: "bob", approvals: 0 },
          ],
          unlisted: [{ login: "outsider", approvals: 4 }],
        },
        {
          module: "Db",
          inactive: [
            { login: "dave", approvals: 0 },
            { login: "erin", approvals: 0 },
          ],
          unlisted: [],
        },
      ],
    });
    // A window of 10 days before the newest record: carol's May approvals fall out.
    const recent = JSON.parse(
      (
        await run([
          "maintainers",
          "audit",
          "--config",
          f.config,
          "--repo",
          "me/proj",
          "--history",
          f.history,
          "--format",
          "json",
          "--window-days",
          "10",
        ])
      ).stdout,
    );
    expect(recent.modules[0].inactive.map((l: { login: string }) => l.login)).toEqual(["alice", "bob", "carol"]);
  });

  it("writes Markdown for a governance pull request", async () => {
    const f = fixture(RECORDS);
    const r = await run(["maintainers", "audit", "--config", f.config, "--repo", "me/proj", "--history", f.history]);
    expect(r.stdout).toContain(
      "## Web\n\n- Listed, no approval in the window (candidates for emeritus): @alice, @bob\n- Not listed, most approvals (candidates to add): @outsider (4)\n",
    );
  });

  it("runs on the PyTorch tuning history with the bundled configuration", async () => {
    const r = await run([
      "maintainers",
      "audit",
      "--history",
      "test/fixtures/pytorch/history-2021.jsonl",
      "--format",
      "json",
      "--window-days",
      "120",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      modules: { module: string; inactive: unknown[]; unlisted: { login: string; approvals: number }[] }[];
    };
    expect(Object.keys(out)).toEqual(["modules"]);
    const distributed = out.modules.find((m) => m.module === "Distributed")!;
    expect(Object.keys(distributed)).toEqual(["module", "inactive", "unlisted"]);
    expect(distributed.unlisted[0]).toEqual({ login: "SciPioneer", approvals: 55 });
  });
});
