// The GitHub seam: every call the handlers make, as one small interface for one repository.
// Implemented once over Octokit (Probot's context.octokit, or @octokit/rest's Octokit for a CLI
// or a GitHub Action); tests of the plan/apply logic use an in-memory fake.

import type { SummaryMode } from "../core/config.js";
import type { ChangedFile } from "../core/route.js";
import { listChangedFiles, readThreadState, type AppOctokit, type RepoRef, type ThreadState } from "./github-state.js";
import type { Summary } from "./summary.js";
import { keepOldestComment, NO_RETRY, writeSummary } from "./summary-writer.js";

/** What a webhook payload shows of a thread; the timeline read overrides whatever it mentions. */
export interface InitialThread {
  labels: string[];
  requestedUsers: string[];
  requestedTeams: string[];
}

export interface SummaryWrite {
  mode: Exclude<SummaryMode, "none">;
  summary: Summary;
  conclusion: "neutral" | "failure";
  /** review-router's comments already on the thread (from its timeline): the summary comment is found among them. */
  appComments: readonly { id: number; body: string }[];
}

/**
 * The calls review-router makes on one repository. Failures throw the client's error, with the
 * HTTP `status` GitHub answered (a 422 refusing review requests, a 404 for a label already gone).
 */
export interface GitHubPort {
  readonly repo: RepoRef;
  /** Changed files of a pull request, up to GitHub's limit; `changedFiles` is the count the payload announced. */
  listChangedFiles(pullNumber: number, changedFiles: number): Promise<{ files: ChangedFile[]; truncatedAt?: number }>;
  /** What is on the pull request or issue now: labels, requests, reviews, review-router's comments. */
  readThreadState(issueNumber: number, initial: InitialThread): Promise<ThreadState>;
  addLabels(issueNumber: number, labels: readonly string[]): Promise<void>;
  removeLabel(issueNumber: number, name: string): Promise<void>;
  requestReviews(pullNumber: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void>;
  /** Create or update the one summary (a check run on `headSha`, or a marked comment); unchanged text is not rewritten. */
  writeSummary(pullNumber: number, headSha: string, write: SummaryWrite): Promise<void>;
  /** Create a comment, without retrying: creating is not idempotent (see createOnce). */
  createComment(issueNumber: number, body: string): Promise<{ id: number }>;
  /**
   * After creating comment `ownId` marked with `marker`: when another replica created one first,
   * delete ours and put our text in the oldest, so one stays (see keepOldestComment).
   */
  keepOldestComment(issueNumber: number, marker: string, ownId: number, body: string): Promise<void>;
  /** The first 100 comments of an issue or pull request. */
  listComments(issueNumber: number): Promise<{ id: number; body: string }[]>;
}

/** The port over an Octokit client for `repo`. `appId` tells review-router's own labels, requests and comments from humans'. */
export function octokitPort(octokit: AppOctokit, repo: RepoRef, appId: number | undefined): GitHubPort {
  const ref: RepoRef = { owner: repo.owner, repo: repo.repo };
  return {
    repo: ref,
    listChangedFiles: (pullNumber, changedFiles) => listChangedFiles(octokit, ref, pullNumber, changedFiles),
    readThreadState: (issueNumber, initial) => readThreadState(octokit, ref, issueNumber, appId, initial),
    async addLabels(issueNumber, labels) {
      await octokit.rest.issues.addLabels({ ...ref, issue_number: issueNumber, labels: [...labels] });
    },
    async removeLabel(issueNumber, name) {
      await octokit.rest.issues.removeLabel({ ...ref, issue_number: issueNumber, name });
    },
    async requestReviews(pullNumber, request) {
      // The body names only what is requested: no empty team list on the wire.
      await octokit.rest.pulls.requestReviewers({
        ...ref,
        pull_number: pullNumber,
        ...(request.users.length > 0 ? { reviewers: [...request.users] } : {}),
        ...(request.teams.length > 0 ? { team_reviewers: [...request.teams] } : {}),
      });
    },
    writeSummary: (pullNumber, headSha, w) =>
      writeSummary({ octokit }, ref, pullNumber, headSha, w.mode, w.summary, appId, w.conclusion, w.appComments),
    async createComment(issueNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body, request: NO_RETRY });
      return { id: data.id };
    },
    keepOldestComment: (issueNumber, marker, ownId, body) => keepOldestComment({ octokit }, ref, issueNumber, marker, appId, ownId, body),
    async listComments(issueNumber) {
      const { data } = await octokit.rest.issues.listComments({ ...ref, issue_number: issueNumber, per_page: 100 });
      return data.map((c) => ({ id: c.id, body: c.body ?? "" }));
    },
  };
}
