// `review-router sweep --repo OWNER/NAME [--apply]`: list a repository's open pull requests with
// overdue review requests (reroute_after_hours) and, with --apply, replace the overdue reviewers,
// each pull request handled as the app handles an event of it. Meant for a scheduled job.

import { parseArgs } from "node:util";
import { formatProblem } from "../core/problems.js";
import { loadBundled } from "../app/repo-config.js";
import { describeGitHubError } from "../app/rest.js";
import { runEvent, type RunOptions } from "../app/run.js";
import { DEFAULT_SWEEP_LIMIT, type SweepResult, type SweptPullRequest } from "../app/sweep.js";
import { DEFAULT_API_URL } from "../app/rest.js";
import { connect, type OnlineDeps } from "./online.js";
import { EXIT, usageError, type CliIO } from "./io.js";

export const SWEEP_HELP = `Usage: review-router sweep --repo OWNER/NAME [--apply] [--json] [--limit N]

List the open pull requests whose requested reviewers have neither reviewed nor commented within
reroute_after_hours business hours (set in the repository's .github/review-router.yml), with the
maintainer who would replace each one. With --apply, replace them: request the replacement, withdraw
the overdue request, update the summary (each pull request is handled as the app handles an event).

Options:
  --repo OWNER/NAME  repository
  --apply            replace the overdue reviewers
  --limit N          open pull requests looked at, newest first (default ${DEFAULT_SWEEP_LIMIT})
  --json             print JSON
  -h, --help         show this help

Environment: GITHUB_TOKEN (else GH_TOKEN, else \`gh auth token\`), GITHUB_API_URL (default ${DEFAULT_API_URL}).
`;

/** The sweep's result as text lines. */
export function formatSweep(repo: string, result: Extract<SweepResult, { kind: "swept" }>, apply: boolean): string {
  let out = `${repo}: ${result.open} open pull request${result.open === 1 ? "" : "s"} looked at, ${result.pullRequests.length} with overdue reviewers\n`;
  for (const p of result.pullRequests) {
    out += `\n#${p.number}\n`;
    const reroute = p.outcome.kind === "planned" ? (p.outcome.plan.reroute ?? []) : [];
    for (const o of p.overdue) {
      const r = reroute.find((x) => x.login.toLowerCase() === o.login.toLowerCase());
      const withdrawn = p.outcome.kind === "planned" && p.outcome.run?.withdrawn.some((w) => w.toLowerCase() === o.login.toLowerCase());
      const what = r
        ? `${apply ? (withdrawn ? "replaced by" : "not replaced (the replacement could not be requested):") : "would be replaced by"} ${r.by.join(", ")}`
        : "no other eligible maintainer: stays requested";
      out += `  ${o.login}: requested ${o.requestedAt}, ${o.businessHours}+ business hours without review or comment; ${what}\n`;
    }
    if (p.outcome.kind !== "planned") out += `  not acted on: ${notActedOn(p.outcome)}\n`;
  }
  if (!apply && result.pullRequests.length > 0) out += "\nNothing was changed on GitHub; run again with --apply to do this.\n";
  return out;
}

function notActedOn(outcome: Exclude<SweptPullRequest["outcome"], { kind: "planned" }>): string {
  if (outcome.kind === "skipped") return outcome.reason;
  if (outcome.kind === "budget-exceeded") return `the routing budget (${outcome.limit}) was exceeded`;
  return "configuration error";
}

export async function sweepCommand(args: string[], io: CliIO, deps: OnlineDeps = { env: process.env }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        repo: { type: "string" },
        apply: { type: "boolean", default: false },
        limit: { type: "string", default: String(DEFAULT_SWEEP_LIMIT) },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    return usageError(io, "sweep", (err as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(SWEEP_HELP);
    return EXIT.ok;
  }
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(values.repo ?? "");
  const limit = Number(values.limit);
  if (!m) {
    return usageError(io, "sweep", `needs --repo OWNER/NAME${values.repo ? `, not "${values.repo}"` : ""}`);
  }
  if (!Number.isSafeInteger(limit) || limit < 1) {
    io.stderr(`review-router: --limit must be a positive whole number, not "${values.limit}"\n`);
    return EXIT.usage;
  }
  const repo = `${m[1]}/${m[2]}`;
  const conn = connect(deps, m[1]!, m[2]!, undefined, (line) => io.stderr(`review-router: ${line}\n`));
  if ("error" in conn) {
    io.stderr(`review-router: ${conn.error}\n`);
    return EXIT.problems;
  }
  const options: RunOptions = {
    ...deps.run,
    bundled: deps.bundled ?? loadBundled(),
    apply: values.apply,
    dryRunEnv: /^(1|true|yes|on)$/i.test((deps.env.DRY_RUN ?? "").trim()),
    now: deps.now?.() ?? new Date(),
  };
  let result: SweepResult;
  try {
    result = await runEvent(conn.port, { kind: "sweep", limit }, options);
  } catch (err) {
    io.stderr(`review-router: ${describeGitHubError(err, repo, conn.apiUrl)}\n`);
    return EXIT.problems;
  }
  if (result.kind === "config-error") {
    for (const p of result.loaded.problems) io.stderr(formatProblem(p) + "\n");
    io.stderr(`review-router: ${repo}: the repository's ${result.loaded.file} has errors; nothing swept\n`);
    return EXIT.problems;
  }
  if (result.kind === "skipped") {
    if (values.json) io.stdout(JSON.stringify({ repository: repo, skipped: result.reason }, null, 2) + "\n");
    else io.stdout(`${repo}: ${result.reason}\n`);
    return EXIT.ok;
  }
  if (values.json) {
    const pullRequests = result.pullRequests.map((p) => ({
      number: p.number,
      overdue: p.overdue,
      reroute: p.outcome.kind === "planned" ? (p.outcome.plan.reroute ?? []) : [],
      ...(p.outcome.kind === "planned" && p.outcome.run ? { withdrawn: p.outcome.run.withdrawn, applied: p.outcome.run.applied } : {}),
    }));
    io.stdout(JSON.stringify({ repository: repo, open: result.open, pullRequests }, null, 2) + "\n");
  } else io.stdout(formatSweep(repo, result, values.apply));
  return EXIT.ok;
}
