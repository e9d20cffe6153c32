// The GitHub Action's entry point: review-router in a workflow, with the workflow's token and no
// server. A door to the runner (src/app/run.ts): it reads the event GitHub Actions describes in
// the environment, turns it into the same event the app would see (src/app/events.ts), hands it
// to runEvent, and prints the outcome:
//
//   pull_request / pull_request_target (opened, reopened, ready_for_review, synchronize): route it;
//   issues (opened, edited): label it;
//   issue_comment (created): its `/route` commands, as the app runs them;
//   schedule / workflow_dispatch: the sweep (src/app/sweep.ts).

import { readFileSync, statSync } from "node:fs";
import { loadBundled } from "../app/repo-config.js";
import type { CommentOutcome } from "../app/comment.js";
import { eventFromWebhook, type RouterEvent, type WebhookPayload } from "../app/events.js";
import { octokitPort, type GitHubPort } from "../app/port.js";
import type { Bundled } from "../app/repo-config.js";
import { DEFAULT_API_URL, describeGitHubError, restOctokit } from "../app/rest.js";
import { runEvent, type IssueOutcome, type PullRequestOutcome, type RunOptions } from "../app/run.js";
import type { SweepResult } from "../app/sweep.js";
import type { RepoRef } from "../app/github-state.js";
import { formatProblem } from "../core/problems.js";
import { isMainModule } from "../io/is-main.js";

/**
 * The GitHub Actions app: what a workflow's GITHUB_TOKEN does on GitHub is recorded as performed
 * via it, which is how review-router tells its own labels and withdrawn requests from people's.
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** GitHub never delivers an event over 25 MB. */
const MAX_EVENT_BYTES = 25 * 1024 * 1024;

export interface ActionDeps {
  env: NodeJS.ProcessEnv;
  /** Lines for the workflow log. */
  log: (line: string) => void;
  bundled?: Bundled;
  now?: () => Date;
  /** The port for the repository (default: over @octokit/rest with the token); tests pass an in-memory one. */
  portFor?: (repo: RepoRef, appId: number) => GitHubPort;
  /** Passed to the runner (tests). */
  run?: Pick<RunOptions, "budgetMs" | "clock">;
}

type EventPayload = WebhookPayload & { repository?: { full_name?: string } };

function flag(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test((value ?? "").trim());
}

function readEvent(path: string): EventPayload {
  if (statSync(path).size > MAX_EVENT_BYTES) throw new Error(`${path} is larger than GitHub's 25 MB event limit`);
  const value: unknown = JSON.parse(readFileSync(path, "utf8"));
  // Valid JSON that is not an object (null, a number, a list) is no event GitHub writes.
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
    throw new Error(`it holds ${what}, not an event object`);
  }
  return value as EventPayload;
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
  if (outcome.kind === "budget-exceeded") {
    deps.log(`::error::${what}: the routing budget (${outcome.limit}) was exceeded while ${outcome.during}; nothing was changed`);
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

function reportComment(deps: ActionDeps, what: string, outcome: CommentOutcome): number {
  if (outcome.kind !== "commands") return report(deps, what, outcome);
  const refused = outcome.refused.map((r) => `${r.text} (${r.reason})`);
  deps.log(
    `${what}: commands ${JSON.stringify(outcome.accepted)}${outcome.redelivery ? " already acted on" : ""}, refused ${JSON.stringify(refused)}`,
  );
  return Math.max(0, ...outcome.routed.map((r) => report(deps, what, r)));
}

function reportSweep(deps: ActionDeps, repo: string, result: SweepResult): number {
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

/** The event a workflow run describes: a webhook's, or the sweep for a schedule or a manual run. */
function eventOf(name: string, payload: EventPayload, appId: number): RouterEvent | { ignored: string } {
  if (name === "schedule" || name === "workflow_dispatch") return { kind: "sweep" };
  const read = eventFromWebhook(name, payload, appId);
  return "event" in read ? read.event : read;
}

async function handle(port: GitHubPort, event: RouterEvent, options: RunOptions, deps: ActionDeps): Promise<number> {
  const repo = `${port.repo.owner}/${port.repo.repo}`;
  switch (event.kind) {
    case "pull_request":
      return report(deps, `${repo}#${event.pr.number}`, await runEvent(port, event, options));
    case "issue":
      return report(deps, `${repo}#${event.issue.number}`, await runEvent(port, event, options));
    case "comment":
      return reportComment(deps, `${repo}#${event.number}`, await runEvent(port, event, options));
    case "sweep":
      return reportSweep(deps, repo, await runEvent(port, event, options));
  }
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
  let payload: EventPayload;
  try {
    payload = readEvent(path);
  } catch (err) {
    return fail(deps, `cannot read the event ${path}: ${(err as Error).message}`);
  }
  const fullName = (env.GITHUB_REPOSITORY ?? "").trim() || payload.repository?.full_name || "";
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(fullName);
  if (!m) return fail(deps, `GITHUB_REPOSITORY must be OWNER/NAME, not "${fullName}"`);
  const appInput = actionInput(env, "app-id");
  const appId = appInput === "" ? GITHUB_ACTIONS_APP_ID : Number(appInput);
  if (!Number.isInteger(appId) || appId <= 0) return fail(deps, `app-id must be a GitHub App id (a whole number), not "${appInput}"`);
  const event = eventOf(name, payload, appId);
  if ("ignored" in event) {
    deps.log(event.ignored);
    return 0;
  }
  const ref = { owner: m[1]!, repo: m[2]! };
  const onRateLimit = (line: string) => deps.log(`::warning::review-router: ${line}`);
  const port = deps.portFor?.(ref, appId) ?? octokitPort(restOctokit(token, apiUrl, { onRateLimit }), ref, appId);
  const options: RunOptions = {
    bundled: deps.bundled ?? loadBundled(),
    apply: true,
    dryRunEnv: flag(actionInput(env, "dry-run")) || flag(env.DRY_RUN),
    now: deps.now?.() ?? new Date(),
    ...deps.run,
  };
  try {
    return await handle(port, event, options, deps);
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
