// A read-only port that answers from what a command line was given instead of from GitHub: the
// changed paths, the files of the default branch (the configuration, CODEOWNERS) and the candidate
// signals (`--busy`, `--load`) and approval history. The offline CLI plans with it through the same runner as every
// other door (planPullRequestEvent in run.ts), so the same files give the same plan as the app.

import type { ChangedFile } from "../core/route.js";
import type { CandidateSignals } from "../core/signals.js";
import type { HistoryRecord } from "../core/history.js";
import type { ApprovalHistoryResult } from "./approval-history.js";
import type { SignalsResult } from "./candidate-signals.js";
import { foldTimeline, type RepoRef } from "./github-state.js";
import {
  sizeRefusal,
  type FileAt,
  type FileRead,
  type InitialThread,
  type IssueInfo,
  type PullRequestInfo,
  type ReadPort,
} from "./port.js";

export interface OfflinePullRequest {
  repo: RepoRef;
  /** The pull request's number (any: it seeds the stable choice among equal candidates). */
  number: number;
  author: string;
  draft?: boolean;
  files: ChangedFile[];
  /** Files on the repository's default branch, by path (`.github/review-router.yml`, `CODEOWNERS`, ...). */
  defaultBranch: ReadonlyMap<string, string>;
  /** What is on the pull request already. */
  thread?: Partial<InitialThread>;
  /** Availability and load, when given; nobody busy and loads unknown otherwise. */
  signals?: CandidateSignals;
  /** The approval history by directory entry (see approval-history.ts), when given; no records otherwise. */
  history?: ReadonlyMap<string, HistoryRecord[]>;
}

/** The port over a pull request described by arguments and files; nothing is ever written. */
export function offlinePort(pr: OfflinePullRequest): ReadPort {
  const initial: InitialThread = { labels: [], requestedUsers: [], requestedTeams: [], ...pr.thread };
  const info: PullRequestInfo = {
    number: pr.number,
    state: "open",
    author: pr.author,
    draft: pr.draft ?? false,
    headSha: "0".repeat(40),
    changedFiles: pr.files.length,
    thread: initial,
  };
  const own = (at: FileAt) =>
    at.owner.toLowerCase() === pr.repo.owner.toLowerCase() && at.repo.toLowerCase() === pr.repo.repo.toLowerCase();
  const signals: SignalsResult = {
    ok: true,
    query: { query: "", variables: {}, logins: [] },
    errors: [],
    signals: pr.signals ?? { busy: new Map(), openReviews: new Map() },
    missing: [],
    unknown: [],
  };
  return {
    repo: { ...pr.repo },
    async readPullRequest() {
      return { files: pr.files, thread: foldTimeline([], undefined, initial) };
    },
    async readThreadState(_number, start) {
      return foldTimeline([], undefined, start);
    },
    async getPullRequest() {
      return info;
    },
    async getIssue(number): Promise<IssueInfo> {
      return { number, state: "open", author: pr.author, title: "", body: "", labels: initial.labels, isPullRequest: true };
    },
    async listOpenPullRequests(limit) {
      return limit > 0 ? [info] : [];
    },
    async candidateSignals() {
      return signals;
    },
    async approvalHistory(entries): Promise<ApprovalHistoryResult> {
      return { ok: true, byEntry: new Map(entries.map((e) => [e, pr.history?.get(e) ?? []])) };
    },
    async readFile(at): Promise<FileRead> {
      const text = own(at) ? pr.defaultBranch.get(at.path) : undefined;
      if (text === undefined) return { fetched: { kind: "missing" } };
      return { fetched: sizeRefusal(Buffer.byteLength(text, "utf8")) ?? { kind: "file", text } };
    },
    async readRawFile(path) {
      return pr.defaultBranch.get(path);
    },
  };
}
