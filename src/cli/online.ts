// `review-router route URL`: the online form of `route`. It reads the pull request (or issue), its
// state and the repository's configuration from GitHub, and prints the plan the app would carry
// out; `--apply` carries it out through the same apply code as the app (src/app/run.ts).

import { parseArgs } from "node:util";
import { formatProblem } from "../core/problems.js";
import type { IssuePlan, PullRequestPlan } from "../core/plan.js";
import { planDocumentText, pullRequestDocument, targetName, type PlanDocument } from "../core/plan-document.js";
import { loadBundled } from "../app/repo-config.js";
import type { RepoRef } from "../app/github-state.js";
import { octokitPort, type GitHubPort } from "../app/port.js";
import type { Bundled } from "../app/repo-config.js";
import { DEFAULT_API_URL, describeGitHubError, resolveToken, restOctokit } from "../app/rest.js";
import { runEvent, type IssueOutcome, type PullRequestOutcome, type RunOptions } from "../app/run.js";
import { formatDecision } from "./format.js";
import { EXIT, usageError, type CliIO } from "./io.js";

export const ONLINE_ROUTE_HELP = `Usage: review-router route URL [--apply] [--json]
       review-router route --online --repo OWNER/NAME --pr N [--apply] [--json]

Read a pull request (or an issue) from GitHub, with its labels, review requests, timeline and the
repository's .github/review-router.yml on the default branch, and print what the GitHub App would
do: labels to add and remove, reviews to request, overdue reviewers to replace, and the summary.
URL is https://github.com/OWNER/NAME/pull/N or .../issues/N (a GitHub Enterprise URL works too).
Without URL or --online, \`route\` routes the paths it is given, offline.

Options:
  --online           read --repo and --pr from GitHub (instead of routing paths)
  --repo OWNER/NAME  repository (with --online)
  --pr N             pull request number (with --online)
  --apply            do it: add and remove the labels, request the reviews, write the summary
  --json             print the plan document (schema/plan-document.schema.json), as offline
                     \`route --json\` prints it
  -h, --help         show this help

Environment:
  GITHUB_TOKEN       token to read (and with --apply, write) the repository; else GH_TOKEN, else
                     \`gh auth token\` when the GitHub CLI is logged in
  GITHUB_API_URL     API root (default ${DEFAULT_API_URL}; GitHub Enterprise: https://HOST/api/v3)
  DRY_RUN=1          plan as the app would with DRY_RUN set
`;

export interface OnlineDeps {
  env: NodeJS.ProcessEnv;
  /** `gh auth token`, replaceable in tests. */
  ghToken?: () => string | undefined;
  now?: () => Date;
  bundled?: Bundled;
  /** The port for a repository (default: over @octokit/rest with the token); tests pass an in-memory one. */
  portFor?: (repo: RepoRef) => GitHubPort;
  /** Passed to the runner (tests). */
  run?: Pick<RunOptions, "budgetMs" | "clock">;
}

export interface Target {
  owner: string;
  repo: string;
  kind: "pull" | "issue";
  number: number;
  /** The API of the URL's host, when it is not github.com (GitHub Enterprise). */
  apiUrl?: string;
}

/** Parse https://HOST/OWNER/NAME/pull/N (or /issues/N, or /pull/N/files ...). */
export function parseTargetUrl(text: string): Target | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const m = /^\/([^/]+)\/([^/]+)\/(pull|pulls|issues)\/(\d+)(?:\/.*)?$/.exec(url.pathname);
  if (!m || !/^https?:$/.test(url.protocol)) return undefined;
  const number = Number(m[4]);
  if (!Number.isSafeInteger(number) || number < 1) return undefined;
  const host = url.host.toLowerCase();
  return {
    owner: m[1]!,
    repo: m[2]!,
    kind: m[3] === "issues" ? "issue" : "pull",
    number,
    ...(host === "github.com" || host === "www.github.com" ? {} : { apiUrl: `${url.protocol}//${url.host}/api/v3` }),
  };
}

function fail(io: CliIO, message: string, code: number = EXIT.problems): number {
  io.stderr(`review-router: ${message}\n`);
  return code;
}

/** The port for a repository, or an error line: the token and API from the environment. */
export function connect(
  deps: OnlineDeps,
  owner: string,
  repo: string,
  apiFromUrl?: string,
  onRateLimit?: (line: string) => void,
): { port: GitHubPort; apiUrl: string } | { error: string } {
  const apiUrl = (deps.env.GITHUB_API_URL ?? "").trim() || apiFromUrl || DEFAULT_API_URL;
  if (deps.portFor) return { port: deps.portFor({ owner, repo }), apiUrl };
  const token = resolveToken(deps.env, deps.ghToken);
  if (!token) return { error: "no GitHub token: set GITHUB_TOKEN (or log in with `gh auth login`)" };
  // No app id: what the token's user did counts as a person's doing (see docs/cli.md, online).
  const appId = Number(deps.env.REVIEW_ROUTER_APP_ID);
  return {
    port: octokitPort(
      restOctokit(token, apiUrl, onRateLimit ? { onRateLimit } : {}),
      { owner, repo },
      Number.isInteger(appId) && appId > 0 ? appId : undefined,
    ),
    apiUrl,
  };
}

function list(items: readonly string[]): string {
  return items.length > 0 ? items.join(", ") : "(none)";
}

/** The plan as text: the routing decision, then each change, then the summary. */
export function formatPullRequestPlan(outcome: Extract<PullRequestOutcome, { kind: "planned" }>, applied: boolean): string {
  const plan: PullRequestPlan = outcome.plan;
  let out = formatDecision(plan.decision);
  out += `\n${applied ? "done" : "plan"}${plan.dryRun ? " (dry run: nothing is written but the summary)" : ""}:\n`;
  if (applied && outcome.run) {
    const a = outcome.run.applied;
    out += `  labels added:      ${list(a.labelsAdded)}\n  labels removed:    ${list(a.labelsRemoved)}\n`;
    out += `  reviews requested: ${list(a.requestedUsers)}${a.requestedTeams.length ? `; teams ${list(a.requestedTeams)}` : ""}\n`;
    if (outcome.run.withdrawn.length > 0) out += `  requests withdrawn (overdue): ${list(outcome.run.withdrawn)}\n`;
    if (outcome.run.refused.length > 0)
      out += `  refused by GitHub: ${outcome.run.refused.map((r) => `${r.login} (${r.reason})`).join(", ")}\n`;
  } else {
    out += `  add labels:      ${list(plan.labels.add)}\n  remove labels:   ${list(plan.labels.remove)}\n`;
    out += `  request reviews: ${list(plan.reviews.users)}${plan.reviews.teams.length ? `; teams ${list(plan.reviews.teams)}` : ""}\n`;
  }
  for (const r of plan.reroute ?? []) {
    out += `  replace overdue: ${r.login} (requested ${r.requestedAt}, ${r.businessHours} business hours) by ${r.by.join(", ")} for ${r.modules.join(", ")}\n`;
  }
  for (const d of plan.deferred) out += `  deferred: ${d.login} (${d.reason})\n`;
  if (outcome.summary && plan.summary) {
    const where = plan.summary.mode === "check" ? "check run" : "comment";
    out += `\nsummary (${where}${applied ? "" : ", as it would be written"}): ${outcome.summary.title}\n`;
    out +=
      outcome.summary.body
        .split("\n")
        .map((l) => `  ${l}`.trimEnd())
        .join("\n") + "\n";
  } else out += "\nsummary: none (summary: none)\n";
  if (!applied) out += "\nNothing was changed on GitHub; run again with --apply to do this.\n";
  return out;
}

function formatIssuePlan(plan: IssuePlan, applied: boolean): string {
  let out = "";
  for (const m of plan.decision.modules)
    out += `${m.name}: ${m.labels.join(", ") || "-"} (${m.evidence.map((e) => `${e.kind} "${e.text}"`).join("; ") || "owns the repository"})\n`;
  out += `\n${applied ? "done" : "plan"}${plan.dryRun ? " (dry run)" : ""}:\n  add labels: ${list(plan.labels.add)}\n`;
  out += plan.comment
    ? `  cc comment:\n${plan.comment.body
        .split("\n")
        .map((l) => `    ${l}`.trimEnd())
        .join("\n")}\n`
    : "  cc comment: none\n";
  if (!applied) out += "\nNothing was changed on GitHub; run again with --apply to do this.\n";
  return out;
}

/** The plan document `route URL --json` prints: the same shape as offline `route --json` (src/core/plan-document.ts). */
export function onlineDocument(outcome: PullRequestOutcome | IssueOutcome, repository: string, number: number): PlanDocument {
  const where = { target: targetName(repository, number), repository, number };
  if (outcome.kind === "skipped") return { kind: "skipped", source: "online", ...where, reason: outcome.reason };
  if (outcome.kind === "config-error") throw new Error("a configuration with errors has no plan document");
  if (outcome.kind === "budget-exceeded") throw new Error("routing past its budget has no plan document");
  if ("configSource" in outcome) {
    return pullRequestDocument({
      repository,
      number,
      source: "online",
      configuration: outcome.configSource,
      plan: outcome.plan,
      ...(outcome.summary ? { summary: outcome.summary } : {}),
      ...(outcome.run ? { applied: outcome.run.applied, withdrawn: outcome.run.withdrawn } : {}),
    });
  }
  return { kind: "issue", source: "online", ...where, plan: outcome.plan, ...(outcome.applied ? { applied: outcome.applied } : {}) };
}

function reportOutcome(
  io: CliIO,
  outcome: PullRequestOutcome | IssueOutcome,
  apply: boolean,
  json: boolean,
  target: { repository: string; number: number },
): number {
  const label = targetName(target.repository, target.number);
  if (outcome.kind === "config-error") {
    for (const p of outcome.loaded.problems) io.stderr(formatProblem(p) + "\n");
    return fail(io, `${label}: the repository's ${outcome.file} has errors; the app would not act${apply ? " (the summary says so)" : ""}`);
  }
  if (outcome.kind === "budget-exceeded") {
    return fail(io, `${label}: the routing budget (${outcome.limit}) was exceeded while ${outcome.during}; the app would not act`);
  }
  if (json) {
    io.stdout(planDocumentText(onlineDocument(outcome, target.repository, target.number)));
    return EXIT.ok;
  }
  if (outcome.kind === "skipped") {
    io.stdout(`${label}: ${outcome.reason}\n`);
    return EXIT.ok;
  }
  io.stdout(`${label}\n\n`);
  if ("configSource" in outcome) io.stdout(formatPullRequestPlan(outcome, apply) + `\nconfiguration: ${outcome.configSource}\n`);
  else io.stdout(formatIssuePlan(outcome.plan, apply));
  return EXIT.ok;
}

export async function onlineRouteCommand(args: string[], io: CliIO, deps: OnlineDeps = { env: process.env }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        online: { type: "boolean", default: false },
        repo: { type: "string" },
        pr: { type: "string" },
        apply: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    return usageError(io, "route", (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(ONLINE_ROUTE_HELP);
    return EXIT.ok;
  }
  let target: Target | undefined;
  if (positionals.length > 0) {
    if (positionals.length > 1 || values.repo !== undefined || values.pr !== undefined) {
      return fail(io, "give one pull request or issue URL, or --online --repo OWNER/NAME --pr N, not both", EXIT.usage);
    }
    target = parseTargetUrl(positionals[0]!);
    if (!target)
      return fail(io, `"${positionals[0]}" is not a pull request or issue URL (https://github.com/OWNER/NAME/pull/N)`, EXIT.usage);
  } else {
    const repoMatch = /^([^/\s]+)\/([^/\s]+)$/.exec(values.repo ?? "");
    const n = Number(values.pr);
    if (!repoMatch) return fail(io, `--online needs --repo OWNER/NAME${values.repo ? `, not "${values.repo}"` : ""}`, EXIT.usage);
    if (!Number.isSafeInteger(n) || n < 1)
      return fail(io, `--online needs --pr N, a positive whole number${values.pr ? `, not "${values.pr}"` : ""}`, EXIT.usage);
    target = { owner: repoMatch[1]!, repo: repoMatch[2]!, kind: "pull", number: n };
  }
  const conn = connect(deps, target.owner, target.repo, target.apiUrl, (line) => io.stderr(`review-router: ${line}\n`));
  if ("error" in conn) return fail(io, conn.error);
  const label = targetName(`${target.owner}/${target.repo}`, target.number);
  const where = { repository: `${target.owner}/${target.repo}`, number: target.number };
  const options: RunOptions = {
    bundled: deps.bundled ?? loadBundled(),
    apply: values.apply,
    dryRunEnv: /^(1|true|yes|on)$/i.test((deps.env.DRY_RUN ?? "").trim()),
    now: deps.now?.() ?? new Date(),
    ...deps.run,
  };
  try {
    // The URL names the thread; what it is now is read from GitHub, then handled as its event.
    const issue = target.kind === "issue" ? await conn.port.getIssue(target.number) : undefined;
    if (issue && !issue.isPullRequest) {
      return reportOutcome(io, await runEvent(conn.port, { kind: "issue", issue }, options), values.apply, values.json, where);
    }
    const pr = await conn.port.getPullRequest(target.number);
    return reportOutcome(io, await runEvent(conn.port, { kind: "pull_request", pr }, options), values.apply, values.json, where);
  } catch (err) {
    return fail(io, describeGitHubError(err, label, conn.apiUrl));
  }
}
