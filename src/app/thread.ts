// What every handler does first: name the thread in the log, skip closed ones, and load the
// repository's configuration (or learn that review-router has nothing to do here).

import type { Logger } from "probot";
import type { RepoRef } from "./github-state.js";
import { noteOutcome } from "./metrics.js";
import { loadRepoConfig, type Bundled, type ConfigContext, type RepoConfigResult } from "./repo-config.js";

export interface OpenThread {
  ref: RepoRef;
  repository: string;
  log: Logger;
  loaded: Exclude<RepoConfigResult, { kind: "none" }>;
}

interface ThreadContext extends ConfigContext {
  name: string;
  payload: { action?: string };
  log: Logger;
}

/** Undefined when there is nothing to do (the thread is closed, or no configuration applies). */
export async function openThread(
  context: ThreadContext,
  bundled: Bundled,
  thread: { kind: "pr" | "issue"; number: number; state: string },
): Promise<OpenThread | undefined> {
  const ref: RepoRef = context.repo();
  const repository = `${ref.owner}/${ref.repo}`;
  const log = context.log.child({ repository, [thread.kind]: thread.number, event: `${context.name}.${context.payload.action}` });
  if (thread.state !== "open") {
    log.info(`${thread.kind === "pr" ? "pull request" : "issue"} is not open; nothing to do`);
    noteOutcome("skipped");
    return undefined;
  }
  const loaded = await loadRepoConfig(context, bundled);
  if (loaded.kind === "none") {
    log.info(loaded.reason);
    noteOutcome("skipped");
    return undefined;
  }
  if (loaded.kind === "error") noteOutcome("config_error");
  return { ref, repository, log, loaded };
}
