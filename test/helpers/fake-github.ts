// An in-memory GitHub behind the GitHubPort, for table tests of the plan/apply logic. It keeps
// one thread's labels, review requests and comments, refuses like GitHub does (422 for a batch
// holding anyone who is not a collaborator, 404 for a label that is not there), and records
// every call in order. The wire format of each call is tested with nock elsewhere.

import type { ChangedFile } from "../../src/core/route.js";
import type { RepoRef, ThreadState } from "../../src/app/github-state.js";
import type { GitHubPort, InitialThread, PullRequestInfo, Reaction, SummaryWrite } from "../../src/app/port.js";
import type { PullRequestState, PullRequestView } from "../../src/app/pull-request-read.js";
import type { SignalsResult } from "../../src/app/candidate-signals.js";
import type { ApprovalHistoryResult } from "../../src/app/approval-history.js";

export type FakeCall =
  | { call: "readPullRequest"; number: number }
  | { call: "readThreadState"; number: number }
  | { call: "addLabels"; number: number; labels: string[] }
  | { call: "removeLabel"; number: number; name: string }
  | { call: "requestReviews"; number: number; users: string[]; teams: string[] }
  | { call: "writeSummary"; number: number; headSha: string; write: SummaryWrite }
  | { call: "createComment"; number: number; body: string }
  | { call: "listComments"; number: number }
  | { call: "keepOldestComment"; number: number; marker: string; ownId: number }
  | { call: "candidateSignals"; logins: string[] }
  | { call: "approvalHistory"; entries: string[]; since: string }
  | { call: "removeReviewRequests"; number: number; users: string[]; teams: string[] }
  | { call: "permissionLevel"; login: string }
  | { call: "addReaction"; commentId: number; content: Reaction }
  | { call: "deleteReaction"; commentId: number; reactionId: number }
  | { call: "getPullRequest"; number: number };

export interface FakeThread {
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
  comments?: { id: number; body: string }[];
  requestTimes?: { login: string; at: string }[];
  activity?: { login: string; at: string }[];
  replacedByApp?: string[];
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

export class FakeGitHub implements GitHubPort {
  readonly repo: RepoRef = { owner: "acme", repo: "widgets" };
  readonly calls: FakeCall[] = [];
  readonly labels: Set<string>;
  readonly requestedUsers: string[];
  readonly requestedTeams: string[];
  readonly comments: { id: number; body: string }[];
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

  constructor(private readonly thread: FakeThread = {}) {
    this.labels = new Set(thread.labels ?? []);
    this.requestedUsers = [...(thread.requestedUsers ?? [])];
    this.requestedTeams = [...(thread.requestedTeams ?? [])];
    this.comments = [...(thread.comments ?? [])];
  }

  /** Make the next `call` fail with `status`. */
  failNext(call: FakeCall["call"], status: number): this {
    this.failures.set(call, [...(this.failures.get(call) ?? []), new FakeHttpError(status, `fake ${status}`)]);
    return this;
  }

  /** Calls that change something on GitHub. */
  writes(): FakeCall[] {
    const reads = [
      "readPullRequest",
      "readThreadState",
      "listComments",
      "keepOldestComment",
      "candidateSignals",
      "approvalHistory",
      "permissionLevel",
      "getPullRequest",
    ];
    return this.calls.filter((c) => !reads.includes(c.call));
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
      appComments: [...this.comments],
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

  async writeSummary(number: number, headSha: string, write: SummaryWrite): Promise<void> {
    this.record({ call: "writeSummary", number, headSha, write });
  }

  async createComment(number: number, body: string): Promise<{ id: number }> {
    this.calls.push({ call: "createComment", number, body });
    const failure = this.failures.get("createComment")?.shift();
    if (failure && !this.loseCreateAnswer) throw failure;
    const id = 1000 + this.comments.length;
    this.comments.push({ id, body });
    if (failure) throw failure;
    return { id };
  }

  /** One process: no other replica's comment to give way to; recorded, so tests see it is asked. */
  async keepOldestComment(number: number, marker: string, ownId: number): Promise<void> {
    this.record({ call: "keepOldestComment", number, marker, ownId });
  }

  async loadConfig(): Promise<never> {
    throw new Error("FakeGitHub has no files; test configuration loading with nock or the stand-in");
  }

  async listOpenPullRequests(): Promise<never> {
    throw new Error("FakeGitHub serves one thread from a test's view; use nock or the stand-in");
  }

  async getIssue(): Promise<never> {
    throw new Error("FakeGitHub serves one thread from a test's view; use nock or the stand-in");
  }

  async listComments(number: number): Promise<{ id: number; body: string }[]> {
    this.record({ call: "listComments", number });
    return [...this.comments];
  }

  async candidateSignals(logins: readonly string[]): Promise<SignalsResult> {
    this.record({ call: "candidateSignals", logins: [...logins] });
    return this.signalsResult;
  }

  async approvalHistory(entries: readonly string[], since: Date): Promise<ApprovalHistoryResult> {
    this.record({ call: "approvalHistory", entries: [...entries], since: since.toISOString() });
    return typeof this.historyResult === "function" ? this.historyResult(entries) : this.historyResult;
  }

  async removeReviewRequests(number: number, request: { users: readonly string[]; teams: readonly string[] }): Promise<void> {
    this.record({ call: "removeReviewRequests", number, users: [...request.users], teams: [...request.teams] });
    const gone = new Set(request.users.map((u) => u.toLowerCase()));
    this.requestedUsers.splice(0, this.requestedUsers.length, ...this.requestedUsers.filter((u) => !gone.has(u.toLowerCase())));
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

  async getPullRequest(number: number): Promise<PullRequestInfo> {
    this.record({ call: "getPullRequest", number });
    const thread = { labels: [...this.labels], requestedUsers: [...this.requestedUsers], requestedTeams: [...this.requestedTeams] };
    const changedFiles = this.thread.files?.length ?? 0;
    return { number, state: "open", author: "author", draft: false, changedFiles, headSha: "0".repeat(40), thread };
  }
}
