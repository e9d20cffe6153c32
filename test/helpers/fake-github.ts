// An in-memory GitHub behind the GitHubPort: what unit tests of every door run against (the Probot
// app, the Action, the online CLI, the sweep, and the runner itself). It keeps one repository's
// files on the default branch and one thread (a pull request or an issue): its labels, review
// requests, comments, reactions and check runs. It refuses like GitHub does (422 for a batch
// holding anyone who is not a collaborator, 404 for a label that is not there) and records every
// call in order. The wire format of each verb is tested with nock against octokitPort
// (test/app/port.test.ts); whole deliveries over HTTP run against the stand-in (test/e2e).

import type { ChangedFile } from "../../src/core/route.js";
import type { RepoRef, ThreadState } from "../../src/app/github-state.js";
import type {
  CheckRunFound,
  CheckRunWrite,
  CommentFound,
  FileAt,
  FileRead,
  GitHubPort,
  InitialThread,
  IssueInfo,
  PullRequestInfo,
  Reaction,
} from "../../src/app/port.js";
import type { PullRequestState, PullRequestView } from "../../src/app/pull-request-read.js";
import type { SignalsResult } from "../../src/app/candidate-signals.js";
import type { ApprovalHistoryResult } from "../../src/app/approval-history.js";

export type FakeCall =
  | { call: "readPullRequest"; number: number }
  | { call: "readThreadState"; number: number }
  | { call: "addLabels"; number: number; labels: string[] }
  | { call: "removeLabel"; number: number; name: string }
  | { call: "requestReviews"; number: number; users: string[]; teams: string[] }
  | { call: "createComment"; number: number; body: string }
  | { call: "updateComment"; id: number; body: string }
  | { call: "deleteComment"; id: number }
  | { call: "listComments"; number: number }
  | { call: "listCheckRuns"; headSha: string }
  | { call: "createCheckRun"; headSha: string; run: CheckRunWrite }
  | { call: "updateCheckRun"; id: number; run: CheckRunWrite }
  | { call: "candidateSignals"; logins: string[] }
  | { call: "approvalHistory"; entries: string[]; since: string }
  | { call: "removeReviewRequests"; number: number; users: string[]; teams: string[] }
  | { call: "permissionLevel"; login: string }
  | { call: "addReaction"; commentId: number; content: Reaction }
  | { call: "deleteReaction"; commentId: number; reactionId: number }
  | { call: "getPullRequest"; number: number }
  | { call: "getIssue"; number: number }
  | { call: "listOpenPullRequests"; limit: number }
  | { call: "readFile"; at: string }
  | { call: "readRawFile"; path: string };

export interface FakeThread {
  /** The thread's number (default 1). */
  number?: number;
  files?: string[];
  /** Set to say GitHub listed only this many of the files. */
  truncatedAt?: number;
  labels?: string[];
  labelsAddedByApp?: string[];
  labelsRemovedByHuman?: string[];
  requestedUsers?: string[];
  requestedTeams?: string[];
  requestRemovedByHuman?: string[];
  requestRemovedByApp?: string[];
  reviewedBy?: string[];
  /** review-router's comments on the thread (a `mine: false` one is a person's). */
  comments?: { id: number; body: string; mine?: boolean }[];
  requestTimes?: { login: string; at: string }[];
  activity?: { login: string; at: string }[];
  replacedByApp?: string[];
  /** The pull request's (or issue's) own fields, as GET pulls/{n} or issues/{n} give them. */
  author?: string;
  draft?: boolean;
  state?: string;
  headSha?: string;
  title?: string;
  body?: string;
  /** The thread is an issue, not a pull request. */
  issue?: boolean;
}

/** Thrown like Octokit's RequestError: what matters to the app is `status`. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The read verbs: everything else changes something on GitHub. */
const READS = new Set<FakeCall["call"]>([
  "readPullRequest",
  "readThreadState",
  "listComments",
  "listCheckRuns",
  "candidateSignals",
  "approvalHistory",
  "permissionLevel",
  "getPullRequest",
  "getIssue",
  "listOpenPullRequests",
  "readFile",
  "readRawFile",
]);

export class FakeGitHub implements GitHubPort {
  readonly repo: RepoRef;
  readonly number: number;
  readonly calls: FakeCall[] = [];
  readonly labels: Set<string>;
  readonly requestedUsers: string[];
  readonly requestedTeams: string[];
  readonly comments: CommentFound[];
  /** Files on default branches, by `owner/repo:path` (see setFile). */
  readonly files = new Map<string, string>();
  readonly checkRuns: (CheckRunFound & { headSha: string })[] = [];
  /** Users and teams GitHub refuses to request (422), lower-cased. */
  readonly notCollaborators = new Set<string>();
  /** Failures to throw instead of doing a call, consumed in order, by call name. */
  readonly failures = new Map<FakeCall["call"], FakeHttpError[]>();
  /** Set when a created comment is kept although the answer is lost (a 5xx after the write). */
  loseCreateAnswer = false;
  /** What candidateSignals answers (default: nobody busy, loads unknown). */
  signalsResult: SignalsResult = {
    ok: true,
    query: { query: "", variables: {}, logins: [] },
    errors: [],
    signals: { busy: new Map(), openReviews: new Map() },
    missing: [],
    unknown: [],
  };
  /** What approvalHistory answers: each entry asked about with these records (default: none), or a failure. */
  historyResult: ((entries: readonly string[]) => ApprovalHistoryResult) | ApprovalHistoryResult = (entries) => ({
    ok: true,
    byEntry: new Map(entries.map((e) => [e, []])),
  });
  /** Permission levels by login (lower case); absent: "none". */
  readonly permissions = new Map<string, string>();
  /** Reactions on comments, as "commentId:content". */
  readonly reactions = new Set<string>();
  private nextId = 1000;

  constructor(
    private readonly thread: FakeThread = {},
    repo: RepoRef = { owner: "acme", repo: "widgets" },
  ) {
    this.repo = { ...repo };
    this.number = thread.number ?? 1;
    this.labels = new Set(thread.labels ?? []);
    this.requestedUsers = [...(thread.requestedUsers ?? [])];
    this.requestedTeams = [...(thread.requestedTeams ?? [])];
    this.comments = (thread.comments ?? []).map((c) => ({ id: c.id, body: c.body, mine: c.mine ?? true }));
  }

  /** The pull request's changed files from now on (a push). */
  setChangedFiles(paths: readonly string[]): this {
    this.thread.files = [...paths];
    return this;
  }

  /** Put a file on a repository's default branch (this one by default). */
  setFile(path: string, text: string, repo: RepoRef = this.repo): this {
    this.files.set(`${repo.owner}/${repo.repo}:${path}`, text);
    return this;
  }

  /** Make the next `call` fail with `status`. */
  failNext(call: FakeCall["call"], status: number): this {
    this.failures.set(call, [...(this.failures.get(call) ?? []), new FakeHttpError(status, `fake ${status}`)]);
    return this;
  }

  /** Calls that change something on GitHub. */
  writes(): FakeCall[] {
    return this.calls.filter((c) => !READS.has(c.call));
  }

  private record(c: FakeCall): void {
    this.calls.push(c);
    const failure = this.failures.get(c.call)?.shift();
    if (failure) throw failure;
  }

  /** One read of files, state and check runs (as the GraphQL read gives them); check runs are left unknown. */
  async readPullRequest(pr: PullRequestView): Promise<PullRequestState> {
    this.record({ call: "readPullRequest", number: pr.number });
    const files: ChangedFile[] = (this.thread.files ?? []).map((path) => ({ path }));
    const thread = this.state(pr.thread);
    return this.thread.truncatedAt === undefined ? { files, thread } : { files, truncatedAt: this.thread.truncatedAt, thread };
  }

  async readThreadState(number: number, initial: InitialThread): Promise<ThreadState> {
    this.record({ call: "readThreadState", number });
    return this.state(initial);
  }

  private state(initial: InitialThread): ThreadState {
    const t = this.thread;
    return {
      labels: new Set([...initial.labels, ...this.labels]),
      labelsAddedByApp: new Set(t.labelsAddedByApp ?? []),
      labelsRemovedByHuman: new Set(t.labelsRemovedByHuman ?? []),
      requestedUsers: [...new Set([...initial.requestedUsers, ...this.requestedUsers])],
      requestedTeams: [...new Set([...initial.requestedTeams, ...this.requestedTeams])],
      requestRemovedByHuman: [...(t.requestRemovedByHuman ?? [])],
      requestRemovedByApp: [...(t.requestRemovedByApp ?? [])],
      reviewedBy: [...(t.reviewedBy ?? [])],
      appComments: this.comments.filter((c) => c.mine).map((c) => ({ id: c.id, body: c.body })),
      requestTimes: [...(t.requestTimes ?? [])],
      activity: [...(t.activity ?? [])],
      replacedByApp: [...(t.replacedByApp ?? [])],
    };
  }

  async addLabels(number: number, labels: readonly string[]): Promise<void> {
    this.record({ call: "addLabels", number, labels: [...labels] });
    for (const l of labels) this.labels.add(l);
  }

  async removeLabel(number: number, name: string): Promise<void> {
    this.record({ call: "removeLabel", number, name });
    if (!this.labels.delete(name)) throw new FakeHttpError(404, "Label does not exist");
  }

  async requestReviews(number: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void> {
    this.record({ call: "requestReviews", number, users: [...request.users], teams: [...request.teams] });
    if ([...request.users, ...request.teams].some((x) => this.notCollaborators.has(x.toLowerCase()))) {
      throw new FakeHttpError(422, "Reviews may only be requested from collaborators.");
    }
    this.requestedUsers.push(...request.users);
    this.requestedTeams.push(...request.teams);
  }

  async removeReviewRequests(number: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void> {
    this.record({ call: "removeReviewRequests", number, users: [...request.users], teams: [...request.teams] });
    const gone = new Set(request.users.map((u) => u.toLowerCase()));
    this.requestedUsers.splice(0, this.requestedUsers.length, ...this.requestedUsers.filter((u) => !gone.has(u.toLowerCase())));
  }

  async listComments(number: number): Promise<CommentFound[]> {
    this.record({ call: "listComments", number });
    return this.comments.map((c) => ({ ...c }));
  }

  async createComment(number: number, body: string): Promise<{ id: number }> {
    this.calls.push({ call: "createComment", number, body });
    const failure = this.failures.get("createComment")?.shift();
    if (failure && !this.loseCreateAnswer) throw failure;
    const id = this.nextId++;
    this.comments.push({ id, body, mine: true });
    if (failure) throw failure;
    return { id };
  }

  async updateComment(id: number, body: string): Promise<void> {
    this.record({ call: "updateComment", id, body });
    const c = this.comments.find((x) => x.id === id);
    if (!c) throw new FakeHttpError(404, "Not Found");
    c.body = body;
  }

  async deleteComment(id: number): Promise<void> {
    this.record({ call: "deleteComment", id });
    const at = this.comments.findIndex((x) => x.id === id);
    if (at >= 0) this.comments.splice(at, 1);
  }

  async listCheckRuns(headSha: string): Promise<CheckRunFound[]> {
    this.record({ call: "listCheckRuns", headSha });
    return this.checkRuns.filter((r) => r.headSha === headSha).map(({ headSha: _sha, ...r }) => r);
  }

  async createCheckRun(headSha: string, run: CheckRunWrite): Promise<void> {
    this.record({ call: "createCheckRun", headSha, run });
    this.checkRuns.push({ id: this.nextId++, headSha, status: "completed", ...fields(run) });
  }

  async updateCheckRun(id: number, run: CheckRunWrite): Promise<void> {
    this.record({ call: "updateCheckRun", id, run });
    const at = this.checkRuns.findIndex((r) => r.id === id);
    if (at < 0) throw new FakeHttpError(404, "Not Found");
    this.checkRuns[at] = { ...this.checkRuns[at]!, status: "completed", ...fields(run) };
  }

  /** The summary as it stands: the latest check run's output, or the summary comment's body. */
  summary(): { title: string; summary: string; conclusion: string | null } | undefined {
    const run = this.checkRuns.at(-1);
    return run ? { title: run.output.title ?? "", summary: run.output.summary ?? "", conclusion: run.conclusion } : undefined;
  }

  async candidateSignals(logins: readonly string[]): Promise<SignalsResult> {
    this.record({ call: "candidateSignals", logins: [...logins] });
    return this.signalsResult;
  }

  async approvalHistory(entries: readonly string[], since: Date): Promise<ApprovalHistoryResult> {
    this.record({ call: "approvalHistory", entries: [...entries], since: since.toISOString() });
    return typeof this.historyResult === "function" ? this.historyResult(entries) : this.historyResult;
  }

  async permissionLevel(login: string): Promise<string> {
    this.record({ call: "permissionLevel", login });
    return this.permissions.get(login.toLowerCase()) ?? "none";
  }

  async addReaction(commentId: number, content: Reaction): Promise<{ created: boolean; id: number }> {
    this.record({ call: "addReaction", commentId, content });
    const key = `${commentId}:${content}`;
    const created = !this.reactions.has(key);
    this.reactions.add(key);
    return { created, id: 7 };
  }

  async deleteReaction(commentId: number, reactionId: number): Promise<void> {
    this.record({ call: "deleteReaction", commentId, reactionId });
    for (const k of [...this.reactions]) if (k.startsWith(`${commentId}:`)) this.reactions.delete(k);
  }

  /** The thread as a pull request, as GET pulls/{n} shows it now. */
  pullRequest(): PullRequestInfo {
    const t = this.thread;
    return {
      number: this.number,
      state: t.state ?? "open",
      author: t.author ?? "author",
      draft: t.draft ?? false,
      headSha: t.headSha ?? "0".repeat(40),
      changedFiles: t.files?.length ?? 0,
      thread: { labels: [...this.labels], requestedUsers: [...this.requestedUsers], requestedTeams: [...this.requestedTeams] },
    };
  }

  async getPullRequest(number: number): Promise<PullRequestInfo> {
    this.record({ call: "getPullRequest", number });
    if (number !== this.number || this.thread.issue) throw new FakeHttpError(404, "Not Found");
    return this.pullRequest();
  }

  async getIssue(number: number): Promise<IssueInfo> {
    this.record({ call: "getIssue", number });
    if (number !== this.number) throw new FakeHttpError(404, "Not Found");
    const t = this.thread;
    return {
      number,
      state: t.state ?? "open",
      author: t.author ?? "author",
      title: t.title ?? "",
      body: t.body ?? "",
      labels: [...this.labels],
      isPullRequest: !t.issue,
    };
  }

  async listOpenPullRequests(limit: number): Promise<PullRequestInfo[]> {
    this.record({ call: "listOpenPullRequests", limit });
    const pr = this.pullRequest();
    return this.thread.issue || pr.state !== "open" || limit < 1 ? [] : [withoutCount(pr)];
  }

  async readFile(at: FileAt): Promise<FileRead> {
    const key = `${at.owner}/${at.repo}:${at.path}`;
    this.record({ call: "readFile", at: key });
    const text = this.files.get(key);
    return text === undefined ? { fetched: { kind: "missing" } } : { fetched: { kind: "file", text } };
  }

  async readRawFile(path: string): Promise<string | undefined> {
    this.record({ call: "readRawFile", path });
    return this.files.get(`${this.repo.owner}/${this.repo.repo}:${path}`);
  }
}

function fields(run: CheckRunWrite): Pick<CheckRunFound, "conclusion" | "externalId" | "output"> {
  return { conclusion: run.conclusion, externalId: run.externalId, output: { ...run.output } };
}

/** A pull request list does not say how many files each has. */
function withoutCount(pr: PullRequestInfo): PullRequestInfo {
  const { changedFiles: _unknown, ...rest } = pr;
  return rest;
}
