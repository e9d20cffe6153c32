// The GitHub seam: every call the handlers make, as one small interface for one repository.
// Implemented once over Octokit (Probot's context.octokit, or @octokit/rest's Octokit for a CLI
// or a GitHub Action); tests of the plan/apply logic use an in-memory fake.

import type { SummaryMode } from "../core/config.js";
import type { ChangedFile } from "../core/route.js";
import { listChangedFiles, readThreadState, type AppOctokit, type RepoRef, type ThreadState } from "./github-state.js";
import type { Summary } from "./summary.js";
import { loadRepoConfig, type Bundled, type RepoConfigResult } from "./repo-config.js";
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
  /** Withdraw review requests (overdue re-routing). */
  removeRequestedReviewers(pullNumber: number, users: readonly string[]): Promise<void>;
  /**
   * The repository's configuration from its default branch, read and layered exactly as the app
   * reads it (size checked first, `_extends`, the owner's `.github` repository; see repo-config.ts).
   */
  loadConfig(bundled: Bundled): Promise<RepoConfigResult>;
  /** A pull request as GitHub shows it now (online CLI, sweep, Action on a comment event). */
  getPullRequest(pullNumber: number): Promise<PullRequestInfo>;
  /** Open pull requests, newest first, up to `limit`. */
  listOpenPullRequests(limit: number): Promise<PullRequestInfo[]>;
  /** An issue as GitHub shows it now. */
  getIssue(issueNumber: number): Promise<IssueInfo>;
}

/** What review-router reads of a pull request it was not sent in an event. */
export interface PullRequestInfo {
  number: number;
  state: string;
  author: string;
  draft: boolean;
  headSha: string;
  /** Unknown in a pull request list: read the files until a short page then. */
  changedFiles?: number;
  thread: InitialThread;
}

export interface IssueInfo {
  number: number;
  state: string;
  author: string;
  title: string;
  body: string;
  labels: string[];
  /** Set when the "issue" is a pull request. */
  isPullRequest: boolean;
}

export interface RawPull {
  number: number;
  state: string;
  user?: { login?: string } | null;
  draft?: boolean;
  head: { sha: string };
  changed_files?: number;
  labels?: ({ name?: string } | string)[];
  requested_reviewers?: ({ login?: string } | null)[] | null;
  requested_teams?: ({ slug?: string } | null)[] | null;
}

/** A pull request as the REST API (or an event payload) shows it. */
export function pullInfo(p: RawPull): PullRequestInfo {
  return {
    number: p.number,
    state: p.state,
    author: p.user?.login ?? "",
    draft: p.draft === true,
    headSha: p.head.sha,
    ...(typeof p.changed_files === "number" ? { changedFiles: p.changed_files } : {}),
    thread: {
      labels: (p.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
      requestedUsers: (p.requested_reviewers ?? []).flatMap((r) => (r?.login ? [r.login] : [])),
      requestedTeams: (p.requested_teams ?? []).flatMap((t) => (t?.slug ? [t.slug] : [])),
    },
  };
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
    async removeRequestedReviewers(pullNumber, users) {
      await octokit.rest.pulls.removeRequestedReviewers({ ...ref, pull_number: pullNumber, reviewers: [...users] });
    },
    loadConfig: (bundled) => loadRepoConfig({ repo: <T>(o?: T) => ({ ...ref, ...o }) as RepoRef & T, octokit }, bundled),
    async getPullRequest(pullNumber) {
      const { data } = await octokit.rest.pulls.get({ ...ref, pull_number: pullNumber });
      return pullInfo(data as RawPull);
    },
    async listOpenPullRequests(limit) {
      const out: PullRequestInfo[] = [];
      for (let page = 1; out.length < limit; page++) {
        const { data } = await octokit.rest.pulls.list({ ...ref, state: "open", sort: "created", direction: "desc", per_page: 100, page });
        out.push(...(data as RawPull[]).map(pullInfo));
        if (data.length < 100) break;
      }
      return out.slice(0, limit);
    },
    async getIssue(issueNumber) {
      const { data } = await octokit.rest.issues.get({ ...ref, issue_number: issueNumber });
      return {
        number: data.number,
        state: data.state,
        author: data.user?.login ?? "",
        title: data.title ?? "",
        body: data.body ?? "",
        labels: (data.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
        isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
      };
    },
  };
}
