// Review history on the command line: `history --from-git` writes it from a local checkout,
// `route --history` chooses with it (see commands.ts), and `maintainers audit` compares it with
// the maintainer registry.

import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { auditMaintainers, type Audit } from "../core/audit.js";
import { historyLine, parseCommitMessage, type HistoryRecord } from "../core/history.js";
import { HELP_OPTION, parseCommand, targetOrNothing, usage } from "./commands.js";
import { dateOption, readHistory } from "./history-file.js";
import { EXIT, type CliIO } from "./io.js";

export const HISTORY_HELP = `Usage: review-router history --from-git [DIR] [--since DATE]

Write the review history of a local checkout as JSON lines, oldest first, one merged pull request
a line: {"pr": N, "date": ISO-8601, "author": LOGIN or null, "files": [...], "approvers": [...]}.
It reads the first-parent history of the checked-out branch (git log --first-parent): the pull
request number from "Pull Request resolved: .../pull/N" or a subject ending in "(#N)", approvers
from "Approved by:", "Reviewed By:" and noreply "Reviewed-by:" lines (bots left out), files from
the commit's changes against its first parent (a rename lists both names). Commits that name no
pull request are left out.

  review-router history --from-git ~/pytorch --since 2024-01-01 > history.jsonl

Options:
  --from-git [DIR]   the checkout (default: the current directory)
  --since DATE       only commits from this date on (YYYY-MM-DD or ISO-8601)
  -h, --help         show this help

From GitHub instead of a checkout: review-router history --repo OWNER/NAME [--since DATE]
(see review-router history --repo OWNER/NAME --help).
`;

export const MAINTAINERS_HELP = `Usage: review-router maintainers audit --history FILE [options]

Compare the maintainer registry with who actually approves: for each module, its listed active
maintainers who approved none of the module's merged pull requests in the window (candidates for
emeritus), and the most frequent approvers of those pull requests who are not listed (candidates
to add), with their counts. The window ends with the history's newest record.

Options:
  --history FILE       review history (JSON lines, as \`review-router history\` writes)
  --window-days N      the window (default: 365)
  --top N              unlisted approvers shown per module (default: 5)
  --format FORMAT      markdown (default; ready for a governance pull request) or json:
                       {"modules": [{"module", "inactive": [{"login", "approvals"}], "unlisted": [...]}]}
  --config FILE        configuration file (default: as for route)
  --repo OWNER/NAME    repository the history is of (default: as for route)
  -h, --help           show this help
`;

const COMMIT = "\u001e";
const FIELD = "\u0000";

/** A commit author's login, when the address is GitHub's noreply one. */
function loginFromEmail(email: string): string | null {
  const m = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i.exec(email.trim());
  return m ? m[1]! : null;
}

/**
 * One commit of `git log --format=%x1e%cI%x00%ae%x00%B%x00 --name-status`: its record, or
 * undefined when its message names no pull request. Name-status lines are STATUS<TAB>PATH, or
 * STATUS<TAB>OLD<TAB>NEW for renames and copies (both paths kept).
 */
export function commitRecord(chunk: string): HistoryRecord | undefined {
  const [date, email, message, changes] = chunk.split(FIELD);
  if (date === undefined || email === undefined || message === undefined) return undefined;
  const facts = parseCommitMessage(message);
  if (facts.pr === undefined) return undefined;
  const files: string[] = [];
  for (const line of (changes ?? "").split("\n")) {
    const parts = line.split("\t");
    if (parts.length < 2 || !/^[ACDMRTUXB]/.test(parts[0]!)) continue;
    for (const p of parts.slice(1)) if (p !== "" && !files.includes(p)) files.push(p);
  }
  return { pr: facts.pr, date: date.trim(), author: loginFromEmail(email), files, approvers: facts.approvers };
}

/**
 * Cuts git's output into commits at the separator as it arrives. The commit still arriving is kept
 * in pieces, and each piece of output is searched once: linear however large one commit is.
 */
export class CommitSplitter {
  private pending: string[] = [];

  /** The commits completed by `text`. */
  push(text: string): string[] {
    const chunks = text.split(COMMIT);
    if (chunks.length === 1) {
      this.pending.push(text);
      return [];
    }
    chunks[0] = this.pending.join("") + chunks[0]!;
    this.pending = [chunks.pop()!];
    return chunks.filter((c) => c !== "");
  }

  /** The last commit, once the output has ended. */
  end(): string | undefined {
    const last = this.pending.join("");
    this.pending = [];
    return last === "" ? undefined : last;
  }
}

/** Run git log in `dir` and call `each` with every commit's record, oldest first, as the output streams. */
function gitRecords(dir: string, since: string | undefined, each: (r: HistoryRecord) => void): Promise<string | undefined> {
  const args = [
    "-C",
    dir,
    "-c",
    "core.quotePath=false",
    "log",
    "--first-parent",
    "--diff-merges=first-parent",
    "--reverse",
    "--name-status",
    "-M",
    // git writes %x1e and %x00 as those bytes: a commit separator and a field separator.
    "--format=%x1e%cI%x00%ae%x00%B%x00",
    ...(since !== undefined ? [`--since=${since}`] : []),
  ];
  return new Promise((done) => {
    const git = spawn("git", args, { stdio: ["ignore", "pipe", "pipe"] });
    const stream = new CommitSplitter();
    let errors = "";
    git.stdout.setEncoding("utf8");
    git.stdout.on("data", (text: string) => {
      for (const c of stream.push(text)) {
        const r = commitRecord(c);
        if (r) each(r);
      }
    });
    git.stderr.setEncoding("utf8");
    git.stderr.on("data", (text: string) => (errors += text));
    git.on("error", (err) => done(`cannot run git: ${err.message}`));
    git.on("close", (code) => {
      if (code !== 0) return done(`git log failed in ${dir}: ${errors.trim() || `exit ${code}`}`);
      const last = stream.end();
      const r = last === undefined ? undefined : commitRecord(last);
      if (r) each(r);
      done(undefined);
    });
  });
}

export async function historyCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    args,
    { "from-git": { type: "boolean", default: false }, since: { type: "string" }, ...HELP_OPTION },
    HISTORY_HELP,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (!values["from-git"]) return usage(io, "say where the history comes from: --from-git [DIR]", HISTORY_HELP);
  if (positionals.length > 1) return usage(io, `one checkout at a time, not ${positionals.length}`, HISTORY_HELP);
  if (values.since !== undefined && !dateOption(values.since)) {
    return usage(io, `--since must be a date such as 2024-01-31, not "${values.since}"`, HISTORY_HELP);
  }
  const dir = resolve(io.cwd ?? process.cwd(), positionals[0] ?? ".");
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) io.stdout(lines.join(""));
    lines = [];
  };
  const failed = await gitRecords(dir, values.since, (r) => {
    lines.push(historyLine(r) + "\n");
    if (lines.length >= 1000) flush();
  });
  flush();
  if (failed !== undefined) {
    io.stderr(`review-router: ${failed}\n`);
    return EXIT.problems;
  }
  return EXIT.ok;
}

/** The audit as Markdown for a governance pull request. */
export function auditMarkdown(a: Audit, windowDays: number): string {
  const out = [
    `# Maintainer audit: ${a.from.slice(0, 10)} to ${a.to.slice(0, 10)}`,
    "",
    `Approvals of ${a.pullRequests} merged pull requests in the last ${windowDays} days of the history, by the modules their files are in.`,
    "",
  ];
  let quiet = 0;
  for (const m of a.modules) {
    if (m.inactive.length === 0 && m.unlisted.length === 0) {
      quiet++;
      continue;
    }
    out.push(`## ${m.module}`, "");
    if (m.inactive.length > 0) {
      out.push(`- Listed, no approval in the window (candidates for emeritus): ${m.inactive.map((l) => `@${l.login}`).join(", ")}`);
    }
    if (m.unlisted.length > 0) {
      out.push(`- Not listed, most approvals (candidates to add): ${m.unlisted.map((l) => `@${l.login} (${l.approvals})`).join(", ")}`);
    }
    out.push("");
  }
  if (quiet > 0) out.push(`${quiet} more module${quiet === 1 ? "" : "s"}: nothing to change.`, "");
  return out.join("\n");
}

export async function maintainersCommand(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h") {
    io.stdout(MAINTAINERS_HELP);
    return EXIT.ok;
  }
  if (sub !== "audit")
    return usage(io, sub === undefined ? "say what to do: maintainers audit" : `unknown subcommand "${sub}"`, MAINTAINERS_HELP);
  const parsed = parseCommand(
    rest,
    {
      history: { type: "string" },
      "window-days": { type: "string", default: "365" },
      top: { type: "string", default: "5" },
      format: { type: "string", default: "markdown" },
      config: { type: "string" },
      repo: { type: "string" },
      ...HELP_OPTION,
    },
    MAINTAINERS_HELP,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.history === undefined) return usage(io, "--history FILE is required", MAINTAINERS_HELP);
  const windowDays = Number(values["window-days"]);
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    return usage(io, `--window-days must be a positive whole number, not "${values["window-days"]}"`, MAINTAINERS_HELP);
  }
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 0) return usage(io, `--top must be a whole number, not "${values.top}"`, MAINTAINERS_HELP);
  if (values.format !== "markdown" && values.format !== "json") {
    return usage(io, `--format must be markdown or json, not "${values.format}"`, MAINTAINERS_HELP);
  }
  const target = await targetOrNothing(values, MAINTAINERS_HELP, io);
  if (typeof target === "number") return target;
  if ("nothing" in target) {
    io.stderr(`review-router: ${target.nothing}\n`);
    return EXIT.problems;
  }
  const records = readHistory(io, values.history);
  if (typeof records === "number") return records;
  const { router } = target.loaded;
  const audit = auditMaintainers(router, records, {
    repository: target.repository,
    windowDays,
    top,
    minApprovals: router.config.policy.widenMinApprovals,
  });
  if (values.format === "json") io.stdout(JSON.stringify({ modules: audit.modules }, null, 2) + "\n");
  else io.stdout(auditMarkdown(audit, windowDays));
  return EXIT.ok;
}
