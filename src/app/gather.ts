// Gathering: what a plan needs from GitHub, read through the port. The webhook handlers start
// from a payload; a CLI or a GitHub Action that reads the pull request itself starts from the
// same plain description.

import type { PullRequestFacts } from "../core/plan.js";
import type { ThreadState } from "./github-state.js";
import type { GitHubPort, InitialThread } from "./port.js";

/** A pull request as an event shows it; the timeline read overrides what `thread` says. */
export interface PullRequestEventView {
  number: number;
  author: string;
  draft: boolean;
  /** The number of changed files the event announced: how many pages of files to read. */
  changedFiles: number;
  thread: InitialThread;
}

/** The pull request's changed files and its state now (the timeline over the event's view). */
export async function gatherPullRequest(
  port: GitHubPort,
  pr: PullRequestEventView,
): Promise<{ facts: PullRequestFacts; thread: ThreadState }> {
  const { files, truncatedAt } = await port.listChangedFiles(pr.number, pr.changedFiles);
  const thread = await port.readThreadState(pr.number, pr.thread);
  const facts: PullRequestFacts = {
    repository: `${port.repo.owner}/${port.repo.repo}`,
    number: pr.number,
    author: pr.author,
    draft: pr.draft,
    files,
    ...(truncatedAt ? { truncatedAt } : {}),
    thread,
  };
  return { facts, thread };
}
