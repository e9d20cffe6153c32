// Webhook payloads for tests: GitHub's real examples (@octokit/webhooks-examples), deep-cloned and
// re-pointed at pytorch/pytorch, with the fields each test case needs.

import { createRequire } from "node:module";
import { INSTALLATION_ID } from "./probot.js";

interface Definition {
  name: string;
  examples: { action?: string }[];
}

const require = createRequire(import.meta.url);
const definitions = require("@octokit/webhooks-examples") as Definition[];

function example(event: string, action: string): Record<string, unknown> {
  const found = definitions.find((d) => d.name === event)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event}.${action} example`);
  return structuredClone(found) as Record<string, unknown>;
}

interface Repository {
  name: string;
  full_name: string;
  owner: { login: string };
}

interface User {
  login: string;
  type?: string;
}

export interface PullRequestPayload {
  action: string;
  number: number;
  pull_request: {
    number: number;
    state: string;
    draft: boolean;
    changed_files: number;
    labels: { name: string }[];
    requested_reviewers: User[];
    requested_teams: unknown[];
    user: User;
    head: { sha: string };
  };
  repository: Repository;
  installation?: { id: number };
}

export interface IssuePayload {
  action: string;
  changes?: { title?: { from: string }; body?: { from: string } };
  issue: { number: number; state: string; title: string; body: string | null; labels: { name: string }[]; user: User };
  repository: Repository;
  installation?: { id: number };
}

/** Re-point an example at `repository` ("owner/name", pytorch/pytorch by default) and our installation. */
function toRepository(payload: { repository: Repository; installation?: { id: number } }, repository = "pytorch/pytorch"): void {
  const [owner, name] = repository.split("/") as [string, string];
  payload.repository.owner.login = owner;
  payload.repository.name = name;
  payload.repository.full_name = repository;
  payload.installation = { id: INSTALLATION_ID };
}

export const DEFAULT_HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

export interface PullRequestOptions {
  action?: "opened" | "reopened" | "ready_for_review" | "synchronize";
  number?: number;
  /** Number of changed files the payload announces (`changed_files`). */
  changedFiles: number;
  labels?: string[];
  requestedReviewers?: string[];
  draft?: boolean;
  author?: string;
  headSha?: string;
  /** "owner/name"; pytorch/pytorch by default. */
  repository?: string;
}

export function pullRequestEvent(o: PullRequestOptions): PullRequestPayload {
  const payload = example("pull_request", o.action ?? "opened") as unknown as PullRequestPayload;
  toRepository(payload, o.repository);
  const number = o.number ?? 2;
  const pr = payload.pull_request;
  payload.number = number;
  pr.number = number;
  pr.state = "open";
  pr.draft = o.draft ?? false;
  pr.changed_files = o.changedFiles;
  pr.labels = (o.labels ?? []).map((name) => ({ name }));
  pr.requested_reviewers = (o.requestedReviewers ?? []).map((login) => ({ login, type: "User" }));
  pr.requested_teams = [];
  if (o.author) pr.user.login = o.author;
  pr.head.sha = o.headSha ?? DEFAULT_HEAD_SHA;
  return payload;
}

export interface IssueOptions {
  number?: number;
  title: string;
  body: string;
  labels?: string[];
}

export function issueOpenedEvent(o: IssueOptions): IssuePayload {
  const payload = example("issues", "opened") as unknown as IssuePayload;
  toRepository(payload);
  payload.issue.number = o.number ?? 1;
  payload.issue.state = "open";
  payload.issue.title = o.title;
  payload.issue.body = o.body;
  payload.issue.labels = (o.labels ?? []).map((name) => ({ name }));
  return payload;
}

/**
 * `issues.edited`, built from the opened example as GitHub sends it: the issue as it is now, and
 * in `changes` what the title and body were before the edit.
 */
export function issueEditedEvent(o: IssueOptions, changes: NonNullable<IssuePayload["changes"]>): IssuePayload {
  const payload = issueOpenedEvent(o);
  payload.action = "edited";
  payload.changes = changes;
  return payload;
}

export interface CommentPayload {
  action: string;
  comment: { id: number; body: string; user: User; performed_via_github_app?: { id: number } | null };
  issue: { number: number; state: string; labels: { name: string }[]; user: User; pull_request?: Record<string, unknown> };
  repository: Repository;
  installation?: { id: number };
}

export interface CommentOptions {
  /** The pull request (or issue) number. */
  number: number;
  body: string;
  commenter: string;
  commenterType?: "User" | "Bot";
  commentId?: number;
  /** False: a comment on a plain issue. */
  onPullRequest?: boolean;
  viaAppId?: number;
  action?: "created" | "edited" | "deleted";
}

/** `issue_comment.created`, from GitHub's example, on a pull request of pytorch/pytorch (issue.pull_request set as GitHub sets it). */
export function pullRequestCommentEvent(o: CommentOptions): CommentPayload {
  const payload = example("issue_comment", o.action ?? "created") as unknown as CommentPayload;
  toRepository(payload);
  payload.issue.number = o.number;
  payload.issue.state = "open";
  const api = `https://api.github.com/repos/pytorch/pytorch/pulls/${o.number}`;
  if (o.onPullRequest === false) delete payload.issue.pull_request;
  else payload.issue.pull_request = { url: api, html_url: `https://github.com/pytorch/pytorch/pull/${o.number}`, merged_at: null };
  payload.comment.id = o.commentId ?? 900 + o.number;
  payload.comment.body = o.body;
  payload.comment.user = { ...payload.comment.user, login: o.commenter, type: o.commenterType ?? "User" };
  payload.comment.performed_via_github_app = o.viaAppId === undefined ? null : { id: o.viaAppId };
  return payload;
}

export interface PushPayload {
  ref: string;
  repository: Repository & { default_branch: string };
  installation?: { id: number };
}

/** GitHub's push example, re-pointed at `repository` (default branch `main`) and pushed to `branch`. */
export function pushEvent(repository = "pytorch/pytorch", branch = "main"): PushPayload {
  const found = definitions.find((d) => d.name === "push")?.examples[0];
  if (!found) throw new Error("@octokit/webhooks-examples has no push example");
  const p = structuredClone(found) as unknown as PushPayload;
  toRepository(p, repository);
  p.repository.default_branch = "main";
  p.ref = `refs/heads/${branch}`;
  return p;
}
