// The Probot application: a door to the runner (run.ts). Each delivery is turned into an event
// (events.ts), handed to runEvent with a port over the installation's Octokit, and its outcome
// turned into log lines and the delivery's metrics outcome. Stateless: every decision comes from
// the event, the repository's configuration and GitHub's current state, so any replica handles any
// delivery the same way.

import type { ApplicationFunction, Context, Probot } from "probot";
import { COMMENT_ACTIONS, eventFromWebhook, ISSUE_ACTIONS, PULL_REQUEST_ACTIONS, type RouterEvent, type WebhookPayload } from "./events.js";
import { noteOutcome, type Metrics } from "./metrics.js";
import { ApprovalHistoryCache } from "./approval-history.js";
import { octokitPort, type GitHubPort } from "./port.js";
import { ConfigFileCache, loadBundled, type Bundled } from "./repo-config.js";
import { runEvent, type RunLog, type RunOptions } from "./run.js";
import { KeyedQueue, threadKey } from "./thread-queue.js";

export { loadBundled };

/** The deliveries the app acts on. */
export const PULL_REQUEST_EVENTS = PULL_REQUEST_ACTIONS.map((a) => `pull_request.${a}` as const);
export const ISSUE_EVENTS = ISSUE_ACTIONS.map((a) => `issues.${a}` as const);
export const COMMENT_EVENTS = COMMENT_ACTIONS.map((a) => `issue_comment.${a}` as const);

type HandledContext = Context<(typeof PULL_REQUEST_EVENTS)[number] | (typeof ISSUE_EVENTS)[number] | (typeof COMMENT_EVENTS)[number]>;

export interface AppOptions {
  bundled?: Bundled;
  appId?: number;
  dryRun?: boolean;
  /** Set when METRICS=1: each handler is timed and each delivery counted with its outcome. */
  metrics?: Metrics;
  /** The port a delivery is handled through (default: over the installation's Octokit); tests pass an in-memory one. */
  portFor?: (context: HandledContext, appId: number | undefined) => GitHubPort;
  /** Passed to the runner (tests: the routing budget's clock). */
  run?: Pick<RunOptions, "budgetMs" | "clock">;
  /** The time of each delivery's decision (default: now). */
  now?: () => Date;
}

/** GitHub never delivers a payload over 25 MB; a larger one is not GitHub's, and is not acted on. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

function payloadTooLarge(payload: unknown): boolean {
  return Buffer.byteLength(JSON.stringify(payload), "utf8") > MAX_PAYLOAD_BYTES;
}

function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

export function createApp(options: AppOptions = {}): ApplicationFunction {
  // Each app gets its own cache of configuration files; a `push` to a default branch empties that repository's part.
  const bundled: Bundled = { ...(options.bundled ?? loadBundled()), files: new ConfigFileCache(), approvals: new ApprovalHistoryCache() };
  return (app: Probot) => {
    const envAppId = Number(process.env.APP_ID);
    // This app's id tells review-router's own labels, requests and comments from humans'.
    const appId = options.appId ?? (Number.isInteger(envAppId) && envAppId > 0 ? envAppId : undefined);
    const dryRunEnv = options.dryRun ?? envFlag(process.env.DRY_RUN);
    /** Whether a delivery can be acted on at all; says why not in the log. */
    const actionable = (context: {
      name: string;
      payload: { installation?: unknown };
      log: { warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
    }) => {
      if (payloadTooLarge(context.payload)) {
        context.log.error({ event: context.name }, "payload exceeds GitHub's 25 MB limit; not acted on");
        noteOutcome("skipped");
        return false;
      }
      if (!context.payload.installation) {
        context.log.warn({ event: context.name }, "delivery has no installation; cannot act on it");
        noteOutcome("skipped");
        return false;
      }
      return true;
    };
    const portFor =
      options.portFor ?? ((context: HandledContext, appId: number | undefined) => octokitPort(context.octokit, context.repo(), appId));
    const handle = async (context: HandledContext) => {
      if (!actionable(context)) return;
      const read = eventFromWebhook(context.name, context.payload as WebhookPayload, appId);
      if ("ignored" in read) {
        noteOutcome("skipped");
        return;
      }
      const { owner, repo } = context.repo();
      const log = context.log.child({
        repository: `${owner}/${repo}`,
        ...threadOf(read.event),
        event: `${context.name}.${context.payload.action}`,
      });
      await runDelivery(portFor(context, appId), read.event, log);
    };
    const runDelivery = async (port: GitHubPort, event: RouterEvent, log: RunLog) => {
      const outcome = await runEvent(port, event, {
        ...options.run,
        bundled,
        apply: true,
        dryRunEnv,
        now: options.now?.() ?? new Date(),
        log,
      });
      const metric = outcomeMetric(outcome);
      if (metric) noteOutcome(metric);
    };
    // One delivery of a thread at a time in this process (thread-queue.ts); the handler's time excludes the wait.
    const queue = new KeyedQueue();
    const measured = (h: (c: HandledContext) => Promise<void>) => {
      const timed = options.metrics?.instrument(h) ?? h;
      return (context: HandledContext) => {
        const key = threadKey(context.payload);
        return key === undefined ? timed(context) : queue.run(key, () => timed(context));
      };
    };
    app.on([...PULL_REQUEST_EVENTS, ...ISSUE_EVENTS, ...COMMENT_EVENTS], measured(handle));
    app.on("push", async (context) => {
      const { ref, repository } = context.payload;
      // Only the default branch holds the configuration (the repository's, `.github`'s or an `_extends` target's).
      if (ref !== `refs/heads/${repository.default_branch}`) return;
      const dropped = bundled.files!.forget(repository.owner?.login ?? repository.full_name.split("/")[0]!, repository.name);
      context.log.debug({ repository: repository.full_name, dropped }, "push to the default branch; cached configuration dropped");
    });
  };
}

/** The thread an event is about, for the log. */
function threadOf(event: RouterEvent): Record<string, number> {
  switch (event.kind) {
    case "pull_request":
      return { pr: event.pr.number };
    case "issue":
      return { issue: event.issue.number };
    case "comment":
      return { [event.onPullRequest ? "pr" : "issue"]: event.number };
    case "sweep":
      return {};
  }
}

/** The delivery's outcome for /metrics, when it is not a plain success. */
function outcomeMetric(outcome: { kind: string }): "skipped" | "config_error" | "budget_exceeded" | undefined {
  if (outcome.kind === "skipped") return "skipped";
  if (outcome.kind === "config-error") return "config_error";
  if (outcome.kind === "budget-exceeded") return "budget_exceeded";
  return undefined;
}
