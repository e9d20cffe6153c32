// The GitHub Action's entry point: review-router in a workflow, with the workflow's token and no
// server. It reads the event GitHub Actions describes in the environment and does what the app
// does for the same event, through the same gather/plan/apply code (src/app/run.ts):
//
//   pull_request / pull_request_target (opened, reopened, ready_for_review, synchronize): route it;
//   issues (opened, edited): label it;
//   issue_comment on a pull request: a later event of it, so route it again (replaces overdue reviewers);
//   schedule / workflow_dispatch: the sweep (src/app/sweep.ts).

import { readFileSync, statSync } from "node:fs";
import { loadBundled } from "../app/index.js";
import { octokitPort, pullInfo, type GitHubPort, type RawPull } from "../app/port.js";
import type { Bundled } from "../app/repo-config.js";
import { DEFAULT_API_URL, describeGitHubError, restOctokit } from "../app/rest.js";
import { runIssue, runPullRequest, type IssueOutcome, type PullRequestOutcome, type RunOptions } from "../app/run.js";
import { DEFAULT_SWEEP_LIMIT, sweepRepository } from "../app/sweep.js";
import { formatProblem } from "../core/problems.js";
import { isMainModule } from "../io/is-main.js";

/**
 * The GitHub Actions app: what a workflow's GITHUB_TOKEN does on GitHub is recorded as performed
 * via it, which is how review-router tells its own labels and withdrawn requests from people's.
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** The app's pull request actions (src/app/pull-request.ts), for pull_request and pull_request_target. */
const PULL_REQUEST_ACTIONS = new Set(["opened", "reopened", "ready_for_review", "synchronize"]);
const ISSUE_ACTIONS = new Set(["opened", "edited"]);
/** GitHub never delivers an event over 25 MB. */
const MAX_EVENT_BYTES = 25 * 1024 * 1024;

export interface ActionDeps {
  env: NodeJS.ProcessEnv;
  /** Lines for the workflow log. */
  log: (line: string) => void;
  bundled?: Bundled;
  now?: () => Date;
}

interface EventPayload {
  action?: string;
  pull_request?: RawPull;
  issue?: {
    number: number;
    state?: string;
    title?: string;
    body?: string | null;
    user?: { login?: string } | null;
    labels?: ({ name?: string } | string)[];
    pull_request?: unknown;
  };
  repository?: { full_name?: string };
}

function flag(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test((value ?? "").trim());
}

function readEvent(path: string): EventPayload {
  if (statSync(path).size > MAX_EVENT_BYTES) throw new Error(`${path} is larger than GitHub's 25 MB event limit`);
  return JSON.parse(readFileSync(path, "utf8")) as EventPayload;
}

function report(deps: ActionDeps, what: string, outcome: PullRequestOutcome | IssueOutcome): number {
  if (outcome.kind === "skipped") {
    deps.log(`${what}: ${outcome.reason}`);
    return 0;
  }
  if (outcome.kind === "config-error") {
    for (const p of outcome.loaded.problems) deps.log(`::error::${formatProblem(p)}`);
    deps.log(`::error::${what}: ${outcome.file} has errors; not acted on (fix the file on the default branch)`);
    return 1;
  }
  if ("configSource" in outcome) {
    const a = outcome.run?.applied;
    deps.log(
      `${what}: labels added ${JSON.stringify(a?.labelsAdded ?? [])}, removed ${JSON.stringify(a?.labelsRemoved ?? [])}, ` +
        `reviews requested ${JSON.stringify(a?.requestedUsers ?? [])}, overdue withdrawn ${JSON.stringify(outcome.run?.withdrawn ?? [])}` +
        `${outcome.plan.dryRun ? " (dry run)" : ""}`,
    );
  } else {
    deps.log(
      `${what}: labels added ${JSON.stringify(outcome.applied?.labelsAdded ?? [])}, cc comment ${outcome.applied?.commented ? "written" : "none"}`,
    );
  }
  return 0;
}

async function handle(port: GitHubPort, name: string, event: EventPayload, options: RunOptions, deps: ActionDeps): Promise<number> {
  const repo = `${port.repo.owner}/${port.repo.repo}`;
  if (name === "pull_request" || name === "pull_request_target") {
    if (!event.pull_request || !PULL_REQUEST_ACTIONS.has(event.action ?? "")) {
      deps.log(`${name}.${event.action}: not an event review-router acts on`);
      return 0;
    }
    const pr = pullInfo(event.pull_request);
    return report(deps, `${repo}#${pr.number}`, await runPullRequest(port, pr, options));
  }
  if (name === "issues") {
    const issue = event.issue;
    if (!issue || !ISSUE_ACTIONS.has(event.action ?? "") || issue.pull_request) {
      deps.log(`issues.${event.action}: not an event review-router acts on`);
      return 0;
    }
    const info = {
      number: issue.number,
      state: issue.state ?? "open",
      author: issue.user?.login ?? "",
      title: issue.title ?? "",
      body: issue.body ?? "",
      labels: (issue.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
      isPullRequest: false,
    };
    return report(deps, `${repo}#${issue.number}`, await runIssue(port, info, options));
  }
  if (name === "issue_comment") {
    if (!event.issue?.pull_request) {
      deps.log("issue_comment on an issue: nothing to do");
      return 0;
    }
    // The comment event does not carry the pull request's head or files: read it as it is now.
    const pr = await port.getPullRequest(event.issue.number);
    return report(deps, `${repo}#${pr.number}`, await runPullRequest(port, pr, options));
  }
  if (name === "schedule" || name === "workflow_dispatch") {
    const result = await sweepRepository(port, options, DEFAULT_SWEEP_LIMIT);
    if (result.kind === "skipped") deps.log(`${repo}: ${result.reason}`);
    else if (result.kind === "config-error") {
      for (const p of result.loaded.problems) deps.log(`::error::${formatProblem(p)}`);
      return 1;
    } else {
      deps.log(`${repo}: ${result.open} open pull requests looked at, ${result.pullRequests.length} with overdue reviewers`);
      for (const p of result.pullRequests) report(deps, `${repo}#${p.number}`, p.outcome);
    }
    return 0;
  }
  deps.log(`${name}: not an event review-router acts on`);
  return 0;
}

/**
 * An input of action.yml as the runner passes it to a JavaScript action: INPUT_ and the name in
 * capitals, hyphens kept (INPUT_DRY-RUN); the underscore form is accepted too.
 */
export function actionInput(env: NodeJS.ProcessEnv, name: string): string {
  const key = `INPUT_${name.toUpperCase()}`;
  return (env[key] ?? env[key.replace(/-/g, "_")] ?? "").trim();
}

/** Run the Action for the event in `deps.env`; returns the exit code. */
export async function runAction(deps: ActionDeps): Promise<number> {
  const { env } = deps;
  const token = actionInput(env, "token") || (env.GITHUB_TOKEN ?? "").trim();
  const name = env.GITHUB_EVENT_NAME ?? "";
  const path = env.GITHUB_EVENT_PATH ?? "";
  const apiUrl = (env.GITHUB_API_URL ?? "").trim() || DEFAULT_API_URL;
  if (!token) return fail(deps, "no token: pass `token` (default: the workflow's github.token) or set GITHUB_TOKEN");
  if (!name || !path) return fail(deps, "GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: run this as a GitHub Action step");
  let event: EventPayload;
  try {
    event = readEvent(path);
  } catch (err) {
    return fail(deps, `cannot read the event ${path}: ${(err as Error).message}`);
  }
  const fullName = (env.GITHUB_REPOSITORY ?? "").trim() || event.repository?.full_name || "";
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(fullName);
  if (!m) return fail(deps, `GITHUB_REPOSITORY must be OWNER/NAME, not "${fullName}"`);
  const appInput = actionInput(env, "app-id");
  const appId = appInput === "" ? GITHUB_ACTIONS_APP_ID : Number(appInput);
  if (!Number.isInteger(appId) || appId <= 0) return fail(deps, `app-id must be a GitHub App id (a whole number), not "${appInput}"`);
  const onRateLimit = (line: string) => deps.log(`::warning::review-router: ${line}`);
  const port = octokitPort(restOctokit(token, apiUrl, { onRateLimit }), { owner: m[1]!, repo: m[2]! }, appId);
  const options: RunOptions = {
    bundled: deps.bundled ?? loadBundled(),
    apply: true,
    dryRunEnv: flag(actionInput(env, "dry-run")) || flag(env.DRY_RUN),
    now: deps.now?.() ?? new Date(),
  };
  try {
    return await handle(port, name, event, options, deps);
  } catch (err) {
    return fail(deps, describeGitHubError(err, fullName, apiUrl));
  }
}

function fail(deps: ActionDeps, message: string): number {
  deps.log(`::error::review-router: ${message}`);
  return 1;
}

if (isMainModule(import.meta.url)) {
  runAction({ env: process.env, log: (line) => process.stdout.write(line + "\n") }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stdout.write(
        `::error::review-router: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
