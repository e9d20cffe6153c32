// The Probot application: registers the pull request, issue and comment (command) handlers. Stateless: every
// decision comes from the event, the repository's configuration and GitHub's current state, so
// any replica handles any delivery the same way.

import type { ApplicationFunction, Probot } from "probot";
import { configOwners } from "../core/layering.js";
import { buildRouter } from "../core/router.js";
import { BUNDLED_CONFIG, loadConfigFile } from "../io/files.js";
import { COMMENT_EVENTS, handleComment } from "./comment.js";
import { handleIssue, ISSUE_EVENTS } from "./issue.js";
import { noteOutcome, type Metrics } from "./metrics.js";
import { handlePullRequest, PULL_REQUEST_EVENTS, type AppDeps } from "./pull-request.js";
import { ApprovalHistoryCache } from "./approval-history.js";
import { ConfigFileCache, type Bundled } from "./repo-config.js";
import { KeyedQueue, threadKey } from "./thread-queue.js";

/** Load and check the bundled configuration once per process; a broken one stops start-up. */
export function loadBundled(file: string = BUNDLED_CONFIG): Bundled {
  const loaded = loadConfigFile(file);
  const owners = configOwners(loaded.config);
  return {
    raw: loaded.raw,
    config: loaded.config,
    registry: loaded.registry,
    router: buildRouter(loaded.config, loaded.registry),
    owners,
  };
}

export interface AppOptions {
  bundled?: Bundled;
  appId?: number;
  dryRun?: boolean;
  /** Set when METRICS=1: each handler is timed and each delivery counted with its outcome. */
  metrics?: Metrics;
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
    const deps: AppDeps = {
      bundled,
      ...(options.appId !== undefined ? { appId: options.appId } : Number.isInteger(envAppId) && envAppId > 0 ? { appId: envAppId } : {}),
      dryRunEnv: options.dryRun ?? envFlag(process.env.DRY_RUN),
    };
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
    // One delivery of a thread at a time in this process (thread-queue.ts); the handler's time excludes the wait.
    const queue = new KeyedQueue();
    const measured = <C extends { name: string; payload: { action?: string } & Parameters<typeof threadKey>[0] }>(
      h: (c: C) => Promise<void>,
    ) => {
      const timed = options.metrics?.instrument(h) ?? h;
      return (context: C) => {
        const key = threadKey(context.payload);
        return key === undefined ? timed(context) : queue.run(key, () => timed(context));
      };
    };
    app.on(
      [...PULL_REQUEST_EVENTS],
      measured(async (context) => {
        if (actionable(context)) await handlePullRequest(context, deps);
      }),
    );
    app.on(
      [...ISSUE_EVENTS],
      measured(async (context) => {
        if (actionable(context)) await handleIssue(context, deps);
      }),
    );
    app.on(
      [...COMMENT_EVENTS],
      measured(async (context) => {
        if (actionable(context)) await handleComment(context, deps);
      }),
    );
    app.on("push", async (context) => {
      const { ref, repository } = context.payload;
      // Only the default branch holds the configuration (the repository's, `.github`'s or an `_extends` target's).
      if (ref !== `refs/heads/${repository.default_branch}`) return;
      const dropped = bundled.files!.forget(repository.owner?.login ?? repository.full_name.split("/")[0]!, repository.name);
      context.log.debug({ repository: repository.full_name, dropped }, "push to the default branch; cached configuration dropped");
    });
  };
}
