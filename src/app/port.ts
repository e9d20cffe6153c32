// The GitHub seam: every call the handlers make, as one small interface for one repository.
// Implemented once over Octokit (Probot's context.octokit, or @octokit/rest's Octokit for a CLI
// or a GitHub Action); tests of the plan/apply logic use an in-memory fake.

import type { PermissionLevel } from "../core/commands.js";
import type { SummaryMode } from "../core/config.js";
import { fetchApprovalHistory, type ApprovalHistoryResult } from "./approval-history.js";
import { fetchCandidateSignals, type GraphqlCall, type SignalsResult } from "./candidate-signals.js";
import { readThreadState, type AppOctokit, type RepoRef, type ThreadState } from "./github-state.js";
import { readPullRequest, type CheckRunsSeen, type PullRequestState, type PullRequestView } from "./pull-request-read.js";
import type { Summary } from "./summary.js";
import { httpStatus } from "../core/util.js";
import { loadRepoConfig, type Bundled, type RepoConfigResult } from "./repo-config.js";
import { keepOldestComment, NO_RETRY, writeSummary } from "./summary-writer.js";

/** The reactions review-router puts on a command comment. */
export type Reaction = "+1" | "eyes";

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
  /** review-router's check runs as the pull request read found them; unknown (left out): looked up by REST. */
  checkRuns?: CheckRunsSeen;
}

/**
 * The calls review-router makes on one repository. Failures throw the client's error, with the
 * HTTP `status` GitHub answered (a 422 refusing review requests, a 404 for a label already gone).
 */
export interface GitHubPort {
  readonly repo: RepoRef;
  /**
   * A pull request's changed files (up to GitHub's limit), its state now and review-router's check
   * runs: one GraphQL request when it can give them all, REST reads for the rest (pull-request-read.ts).
   */
  readPullRequest(pr: PullRequestView): Promise<PullRequestState>;
  /** What is on the pull request or issue now, from its REST timeline: labels, requests, reviews, review-router's comments. */
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
  /**
   * The repository's configuration from its default branch, read and layered exactly as the app
   * reads it (size checked first, `_extends`, the owner's `.github` repository; see repo-config.ts).
   */
  loadConfig(bundled: Bundled): Promise<RepoConfigResult>;
  /** A pull request as GitHub shows it now (a comment event carries only the issue; online CLI, sweep, Action). */
  getPullRequest(pullNumber: number): Promise<PullRequestInfo>;
  /** Open pull requests, newest first, up to `limit`. */
  listOpenPullRequests(limit: number): Promise<PullRequestInfo[]>;
  /** An issue as GitHub shows it now. */
  getIssue(issueNumber: number): Promise<IssueInfo>;
  /**
   * The candidates' availability and load for this repository, in ONE GraphQL request (see
   * candidate-signals.ts); `{ ok: false, reason }` on an error or time-out, never a throw.
   */
  candidateSignals(logins: readonly string[], now: Date): Promise<SignalsResult>;
  /**
   * Who approved the merged pull requests touching `entries` (directories ending in "/", or
   * root-level files) on the default branch since `since`, in ONE GraphQL request (see
   * approval-history.ts); `{ ok: false, reason }` on an error, time-out or partial answer, never a throw.
   */
  approvalHistory(entries: readonly string[], since: Date): Promise<ApprovalHistoryResult>;
  /** Withdraw review requests (users by login, teams by slug). */
  removeReviewRequests(pullNumber: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void>;
  /** A user's permission on the repository (`role_name`, else `permission`); "none" when GitHub knows no such collaborator. */
  permissionLevel(login: string): Promise<PermissionLevel | string>;
  /**
   * Put review-router's reaction on an issue comment. GitHub answers 201 when it creates the
   * reaction and 200 when this app's reaction of that kind is already there: `created` tells
   * them apart, which makes the reaction the record that the comment was acted on.
   */
  addReaction(commentId: number, content: Reaction): Promise<{ created: boolean; id: number }>;
  deleteReaction(commentId: number, reactionId: number): Promise<void>;
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
export function octokitPort(octokit: AppOctokit & { graphql: GraphqlCall }, repo: RepoRef, appId: number | undefined): GitHubPort {
  const ref: RepoRef = { owner: repo.owner, repo: repo.repo };
  return {
    repo: ref,
    readPullRequest: (pr) => readPullRequest(octokit, ref, pr, appId),
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
    writeSummary: (pullNumber, headSha, w) => writeSummary({ octokit }, ref, pullNumber, headSha, appId, w),
    async createComment(issueNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body, request: NO_RETRY });
      return { id: data.id };
    },
    keepOldestComment: (issueNumber, marker, ownId, body) => keepOldestComment({ octokit }, ref, issueNumber, marker, appId, ownId, body),
    async listComments(issueNumber) {
      const { data } = await octokit.rest.issues.listComments({ ...ref, issue_number: issueNumber, per_page: 100 });
      return data.map((c) => ({ id: c.id, body: c.body ?? "" }));
    },
    candidateSignals: (logins, now) => fetchCandidateSignals((q, p) => octokit.graphql(q, p), `${ref.owner}/${ref.repo}`, logins, now),
    approvalHistory: (entries, since) => fetchApprovalHistory((q, p) => octokit.graphql(q, p), ref, entries, since),
    async removeReviewRequests(pullNumber, request) {
      await octokit.rest.pulls.removeRequestedReviewers({
        ...ref,
        pull_number: pullNumber,
        // The body names only what is withdrawn: no empty list on the wire.
        ...(request.users.length > 0 ? { reviewers: [...request.users] } : {}),
        ...(request.teams.length > 0 ? { team_reviewers: [...request.teams] } : {}),
      } as Parameters<typeof octokit.rest.pulls.removeRequestedReviewers>[0]);
    },
    async permissionLevel(login) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...ref, username: login });
        return (data as { role_name?: string }).role_name || data.permission;
      } catch (err) {
        if (httpStatus(err) === 404) return "none";
        throw err;
      }
    },
    async addReaction(commentId, content) {
      // Not retried: a retry after a lost answer would read as "already there" and skip the command.
      const r = await octokit.rest.reactions.createForIssueComment({ ...ref, comment_id: commentId, content, request: NO_RETRY });
      return { created: r.status === 201, id: r.data.id };
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
    async deleteReaction(commentId, reactionId) {
      await octokit.rest.reactions.deleteForIssueComment({ ...ref, comment_id: commentId, reaction_id: reactionId });
    },
  };
}
