// A read-only port that answers from what a command line was given instead of from GitHub: the
// changed paths, the files of the default branch (the configuration, CODEOWNERS), the candidate
// signals (`--busy`, `--load`) and the approval history (`--history`). The offline CLI plans with it
// through the same runner as every other door (planPullRequestEvent in run.ts), so the same files
// give the same plan as the app.

import type { ChangedFile } from "../core/route.js";
import type { CandidateSignals } from "../core/signals.js";
import type { HistoryRecord } from "../core/history.js";
import type { ApprovalHistoryResult } from "./approval-history.js";
import type { SignalsResult } from "./candidate-signals.js";
import { foldTimeline, type RepoRef } from "./github-state.js";
import {
  sizeRefusal,
  type DefaultBranchFiles,
  type FileAt,
  type FileRead,
  type InitialThread,
  type IssueInfo,
  type IssueReadPort,
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
  /** What is on the pull request already: requests, labels, and who reviewed it. */
  thread?: Partial<InitialThread> & { reviewedBy?: readonly string[] };
  /** Availability and load, when given; nobody busy and loads unknown otherwise. */
  signals?: CandidateSignals;
  /** Merged pull requests (a history file's records), answered by directory entry as GitHub answers; none otherwise. */
  history?: readonly HistoryRecord[];
}

/** Whether `file` (a path, or a directory ending in "/") lies under a history entry: a directory ending in "/", or a root-level file. */
function touches(file: string, entry: string): boolean {
  return entry.endsWith("/") ? file.startsWith(entry) : file === entry;
}

/**
 * What GitHub's approval-history read gives for `entry` (see approval-history.ts): each record that
 * touched something under it since `since`, its files the entry alone (the read
 * knows only which directory it asked about). Linear in the records' files.
 */
export function recordsForEntry(records: readonly HistoryRecord[], entry: string, since: Date): HistoryRecord[] {
  const from = since.getTime();
  return records
    .filter((r) => Date.parse(r.date) >= from && r.files.some((f) => touches(f, entry)))
    .map((r) => ({ ...r, files: [entry], approvers: [...r.approvers] }));
}

/** The default branch's files of `repo`, from `read` (path to text; undefined: no such file); the files of any other repository are missing. */
export function offlineFiles(repo: RepoRef, read: (path: string) => string | undefined): DefaultBranchFiles {
  const own = (at: FileAt) => at.owner.toLowerCase() === repo.owner.toLowerCase() && at.repo.toLowerCase() === repo.repo.toLowerCase();
  return {
    repo: { ...repo },
    async readFile(at): Promise<FileRead> {
      const text = own(at) ? read(at.path) : undefined;
      if (text === undefined) return { fetched: { kind: "missing" } };
      return { fetched: sizeRefusal(Buffer.byteLength(text, "utf8")) ?? { kind: "file", text } };
    },
    async readRawFile(path) {
      return read(path);
    },
  };
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
  const signals: SignalsResult = {
    ok: true,
    query: { query: "", variables: {}, logins: [] },
    errors: [],
    signals: pr.signals ?? { busy: new Map(), openReviews: new Map() },
    missing: [],
    unknown: [],
  };
  const reviewedBy = [...(pr.thread?.reviewedBy ?? [])];
  return {
    ...offlineFiles(pr.repo, (path) => pr.defaultBranch.get(path)),
    async readPullRequest() {
      return { files: pr.files, thread: { ...foldTimeline([], undefined, initial), reviewedBy } };
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
    async approvalHistory(entries, since): Promise<ApprovalHistoryResult> {
      return { ok: true, byEntry: new Map(entries.map((e) => [e, recordsForEntry(pr.history ?? [], e, since)])) };
    },
  };
}

/**
 * The port over issues a command line describes (`triage`): each new, with no labels, comments or
 * timeline yet, in `repo` with the default branch's files from `read`; nothing is ever written.
 */
export function offlineIssuePort(repo: RepoRef, read: (path: string) => string | undefined = () => undefined): IssueReadPort {
  return {
    ...offlineFiles(repo, read),
    async readThreadState(_number, start) {
      return foldTimeline([], undefined, start);
    },
  };
}
