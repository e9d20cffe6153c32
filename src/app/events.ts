// What review-router acts on, whatever door it came through: a webhook delivery (the Probot app),
// an Action's event file, the online CLI's URL, a sweep. A door turns its input into one of these
// events and hands it to the runner (run.ts); the same payload gives the same event in the app and
// in the Action, because both read it here.

import { writtenByBot } from "../core/command-plan.js";
import { labelNames, pullInfo, type IssueInfo, type PullRequestInfo, type RawPull } from "./port.js";

/** A comment that may hold `/route` commands. */
export interface CommandComment {
  id: number;
  body: string;
  author: string;
  /** Written by a bot or by review-router itself: never runs a command. */
  byBot: boolean;
}

export type RouterEvent =
  /** A pull request opened, reopened, ready for review, pushed to; or read by the online CLI. */
  | { kind: "pull_request"; pr: PullRequestInfo }
  /** An issue opened or edited. */
  | { kind: "issue"; issue: IssueInfo }
  /** A comment created on an issue or pull request: its commands. */
  | { kind: "comment"; number: number; state: string; onPullRequest: boolean; comment: CommandComment }
  /** Every open pull request with overdue review requests (a schedule). */
  | { kind: "sweep"; limit?: number };

/** Pull request actions that route (the same in the app and the Action). */
export const PULL_REQUEST_ACTIONS = ["opened", "reopened", "ready_for_review", "synchronize"] as const;
/** Issue actions that label. */
export const ISSUE_ACTIONS = ["opened", "edited"] as const;
/** Comment actions that run commands: an edited comment never runs one again. */
export const COMMENT_ACTIONS = ["created"] as const;

interface IssuePayload {
  number: number;
  state?: string;
  title?: string | null;
  body?: string | null;
  user?: { login?: string } | null;
  labels?: ({ name?: string } | string)[];
  pull_request?: unknown;
}

interface CommentPayload {
  id: number;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/** The parts of a webhook payload the events are read from. */
export interface WebhookPayload {
  action?: string;
  pull_request?: RawPull;
  issue?: IssuePayload;
  comment?: CommentPayload;
}

export type EventRead = { event: RouterEvent } | { ignored: string };

const has = (list: readonly string[], action: string | undefined) => action !== undefined && list.includes(action);

/**
 * The event a webhook payload (or an Action's event file) describes, or why it is not acted on.
 * `name` is the webhook's event name; `pull_request_target` reads as `pull_request`. `appId`
 * tells review-router's own comments from people's.
 */
export function eventFromWebhook(name: string, payload: WebhookPayload, appId: number | undefined): EventRead {
  const what = `${name}${payload.action ? `.${payload.action}` : ""}`;
  if ((name === "pull_request" || name === "pull_request_target") && payload.pull_request && has(PULL_REQUEST_ACTIONS, payload.action)) {
    return { event: { kind: "pull_request", pr: pullInfo(payload.pull_request) } };
  }
  const issue = payload.issue;
  if (name === "issues" && issue && !issue.pull_request && has(ISSUE_ACTIONS, payload.action)) {
    return { event: { kind: "issue", issue: issueInfo(issue) } };
  }
  if (name === "issue_comment" && issue && payload.comment && has(COMMENT_ACTIONS, payload.action)) {
    const c = payload.comment;
    const comment = { id: c.id, body: c.body ?? "", author: c.user?.login ?? "", byBot: writtenByBot(c, appId) };
    return { event: { kind: "comment", number: issue.number, state: issue.state ?? "open", onPullRequest: !!issue.pull_request, comment } };
  }
  return { ignored: `${what}: not an event review-router acts on` };
}

function issueInfo(issue: IssuePayload): IssueInfo {
  return {
    number: issue.number,
    state: issue.state ?? "open",
    author: issue.user?.login ?? "",
    title: issue.title ?? "",
    body: issue.body ?? "",
    labels: labelNames(issue.labels),
    isPullRequest: false,
  };
}
