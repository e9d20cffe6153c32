// Reading what is on a pull request or issue now. A webhook payload describes the moment the
// event happened; a redelivered or late event would act on stale state. The issue timeline
// records every label, review request, review and comment with who did it, so one paginated read
// tells what is there now, what humans removed, and what review-router itself did before.

import type { ChangedFile } from "../core/route.js";
import type { ProbotOctokit } from "probot";
import type { ActivityFact, RequestFact } from "../core/overdue.js";
import { loginKey } from "../core/registry.js";

/** Every comment review-router writes starts with a marker like `<!-- review-router:summary -->`. */
export const MARKER_PREFIX = "<!-- review-router:";

/** GitHub lists at most this many files of a pull request. */
export const GITHUB_FILE_LIMIT = 3000;
const PER_PAGE = 100;

/**
 * The Octokit the app's GitHub calls go through: Probot's (with retry and throttling) or
 * @octokit/rest's; only its REST methods are used.
 */
export type AppOctokit = Pick<InstanceType<typeof ProbotOctokit>, "rest" | "paginate" | "request">;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** Changed files of a pull request, page by page up to GitHub's limit. */
export async function listChangedFiles(
  octokit: AppOctokit,
  ref: RepoRef,
  pullNumber: number,
  changedFiles: number,
): Promise<{ files: ChangedFile[]; truncatedAt?: number }> {
  const files: ChangedFile[] = [];
  const pages = Math.min(Math.ceil(Math.max(changedFiles, 1) / PER_PAGE), GITHUB_FILE_LIMIT / PER_PAGE);
  for (let page = 1; page <= pages; page++) {
    const { data } = await octokit.rest.pulls.listFiles({ ...ref, pull_number: pullNumber, per_page: PER_PAGE, page });
    for (const f of data) {
      files.push(f.previous_filename ? { path: f.filename, previousPath: f.previous_filename } : { path: f.filename });
    }
    if (data.length < PER_PAGE) break;
  }
  return changedFiles > GITHUB_FILE_LIMIT || files.length >= GITHUB_FILE_LIMIT ? { files, truncatedAt: GITHUB_FILE_LIMIT } : { files };
}

export interface TimelineEvent {
  event?: string;
  id?: number;
  body?: string;
  label?: { name?: string };
  actor?: { login?: string; type?: string } | null;
  user?: { login?: string; type?: string } | null;
  requested_reviewer?: { login?: string } | null;
  requested_team?: { slug?: string; name?: string } | null;
  performed_via_github_app?: { id?: number } | null;
  state?: string;
  created_at?: string;
  submitted_at?: string;
}

export interface ThreadState {
  /** Labels on the pull request or issue now. */
  labels: Set<string>;
  /** Labels review-router added (and that nobody removed since). */
  labelsAddedByApp: Set<string>;
  /** Labels a human removed: never added again. */
  labelsRemovedByHuman: Set<string>;
  requestedUsers: string[];
  requestedTeams: string[];
  /** Users whose review request a human removed: never requested again. */
  requestRemovedByHuman: string[];
  /** Users whose review request review-router withdrew (`/route reroll`): not asked again unless a human asks them. */
  requestRemovedByApp: string[];
  reviewedBy: string[];
  /** review-router's own comments (summary, cc), told apart by their markers. */
  appComments: { id: number; body: string }[];
  /** Overdue re-routing: when each requested user was (last) requested, who reviewed or commented when, and whom the app replaced. */
  requestTimes: RequestFact[];
  activity: ActivityFact[];
  replacedByApp: string[];
}

/** Read the whole timeline (paginated) and fold it into the current state. */
export async function readThreadState(
  octokit: AppOctokit,
  ref: RepoRef,
  issueNumber: number,
  appId: number | undefined,
  initial: { labels: string[]; requestedUsers: string[]; requestedTeams: string[] },
): Promise<ThreadState> {
  const events: TimelineEvent[] = [];
  for (let page = 1; page <= 30; page++) {
    const { data } = await octokit.rest.issues.listEventsForTimeline({ ...ref, issue_number: issueNumber, per_page: PER_PAGE, page });
    events.push(...(data as TimelineEvent[]));
    if (data.length < PER_PAGE) break;
  }
  return foldTimeline(events, appId, initial);
}

function byApp(e: TimelineEvent, appId: number | undefined): boolean {
  return appId !== undefined && e.performed_via_github_app?.id === appId;
}

/** Pure: the state a timeline leads to, starting from what the payload showed. */
export function foldTimeline(
  events: readonly TimelineEvent[],
  appId: number | undefined,
  initial: { labels: string[]; requestedUsers: string[]; requestedTeams: string[] },
): ThreadState {
  // Start from the payload; the timeline, being newer, overrides whatever it mentions.
  const labels = new Set(initial.labels);
  const labelsAddedByApp = new Set<string>();
  const labelsRemovedByHuman = new Set<string>();
  const users = new Map(initial.requestedUsers.map((l) => [loginKey(l), l]));
  const teams = new Set(initial.requestedTeams.map((t) => t.toLowerCase()));
  const removed = new Map<string, string>();
  const removedByApp = new Map<string, string>();
  const reviewed = new Map<string, string>();
  const appComments: { id: number; body: string }[] = [];
  const requestedAt = new Map<string, string>();
  const activity: ActivityFact[] = [];
  const replacedByApp = new Map<string, string>();
  for (const e of events) {
    foldOverdueFacts(e, appId, requestedAt, activity, replacedByApp);
    switch (e.event) {
      case "labeled":
        if (!e.label?.name) break;
        labels.add(e.label.name);
        if (byApp(e, appId)) labelsAddedByApp.add(e.label.name);
        else labelsAddedByApp.delete(e.label.name);
        labelsRemovedByHuman.delete(e.label.name);
        break;
      case "unlabeled":
        if (!e.label?.name) break;
        labels.delete(e.label.name);
        labelsAddedByApp.delete(e.label.name);
        if (!byApp(e, appId)) labelsRemovedByHuman.add(e.label.name);
        break;
      case "review_requested":
        if (e.requested_reviewer?.login) {
          users.set(loginKey(e.requested_reviewer.login), e.requested_reviewer.login);
          removed.delete(loginKey(e.requested_reviewer.login));
          removedByApp.delete(loginKey(e.requested_reviewer.login));
        }
        if (e.requested_team?.slug) teams.add(e.requested_team.slug.toLowerCase());
        break;
      case "review_request_removed":
        if (e.requested_reviewer?.login) {
          const key = loginKey(e.requested_reviewer.login);
          users.delete(key);
          if (!byApp(e, appId)) removed.set(key, e.requested_reviewer.login);
          else removedByApp.set(key, e.requested_reviewer.login);
        }
        if (e.requested_team?.slug) teams.delete(e.requested_team.slug.toLowerCase());
        break;
      case "reviewed": {
        const login = e.user?.login;
        if (login) {
          reviewed.set(loginKey(login), login);
          users.delete(loginKey(login)); // GitHub clears the request once the review is in
        }
        break;
      }
      case "commented":
        if (
          e.id !== undefined &&
          typeof e.body === "string" &&
          e.body.includes(MARKER_PREFIX) &&
          (byApp(e, appId) || e.user?.type === "Bot")
        ) {
          appComments.push({ id: e.id, body: e.body });
        }
        break;
    }
  }
  return {
    labels,
    labelsAddedByApp,
    labelsRemovedByHuman,
    requestedUsers: [...users.values()],
    requestedTeams: [...teams],
    requestRemovedByHuman: [...removed.values()],
    requestRemovedByApp: [...removedByApp.values()],
    reviewedBy: [...reviewed.values()],
    appComments,
    requestTimes: [...users].flatMap(([k, login]) => (requestedAt.has(k) ? [{ login, at: requestedAt.get(k)! }] : [])),
    activity,
    replacedByApp: [...replacedByApp.values()],
  };
}

/** The times overdue re-routing needs: the latest request of each user, reviews and comments, and the app's withdrawals. */
function foldOverdueFacts(
  e: TimelineEvent,
  appId: number | undefined,
  requestedAt: Map<string, string>,
  activity: ActivityFact[],
  replacedByApp: Map<string, string>,
): void {
  const reviewer = e.requested_reviewer?.login;
  if (e.event === "review_requested" && reviewer && e.created_at) requestedAt.set(loginKey(reviewer), e.created_at);
  // review-router withdraws a request only to replace an overdue reviewer.
  if (e.event === "review_request_removed" && reviewer && byApp(e, appId)) replacedByApp.set(loginKey(reviewer), reviewer);
  const by = e.user?.login ?? e.actor?.login;
  if (e.event === "reviewed" && by && e.submitted_at) activity.push({ login: by, at: e.submitted_at });
  if (e.event === "commented" && by && e.created_at) activity.push({ login: by, at: e.created_at });
}
