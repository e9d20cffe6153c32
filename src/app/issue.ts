// The issues handler: label a new or edited issue by the modules its title and body name.
// It never removes a label, and never adds back one a human removed. Steps: route the text, read
// the issue's state through the GitHub port, plan (pure: src/core/plan.ts), apply.

import type { Context } from "probot";
import { routeIssue, type IssueDecision } from "../core/issue-text.js";
import { CC_MARKER, issueHasWork, planIssue, type IssuePlan } from "../core/plan.js";
import { applyIssuePlan } from "./apply.js";
import type { ThreadState } from "./github-state.js";
import { octokitPort, type GitHubPort } from "./port.js";
import type { AppDeps } from "./pull-request.js";
import { openThread, type OpenThread } from "./thread.js";

export const ISSUE_EVENTS = ["issues.opened", "issues.edited"] as const;
export type IssueContext = Context<(typeof ISSUE_EVENTS)[number]>;
type IssuePayload = IssueContext["payload"]["issue"];

/** Marks the one comment that cc's the maintainers of an issue's modules. */
export { CC_MARKER };

export async function handleIssue(context: IssueContext, deps: AppDeps): Promise<void> {
  const issue = context.payload.issue;
  const open = await openThread(context, deps.bundled, { kind: "issue", number: issue.number, state: issue.state ?? "open" });
  if (!open) return;
  const { repository, log, loaded } = open;
  if (loaded.kind === "error") {
    // An issue has no summary to show it in; the log names file, line and key.
    log.error({ problems: loaded.problems }, `configuration ${loaded.file} is invalid; issue not labelled`);
    return;
  }
  if (!loaded.config.app.labelIssues) return log.info("label_issues is false in this repository's configuration; issue left alone");
  const decision = routeIssue(loaded.router, { repository, title: issue.title ?? "", body: issue.body ?? "" });
  if (!issueHasWork(decision, loaded.config.app)) {
    log.info("no module named in the issue");
    return;
  }
  // The state is read only once there is work (a module named, or needs_triage_label set): otherwise no further call.
  const port = octokitPort(context.octokit, open.ref, deps.appId);
  const thread = await gatherIssue(port, issue);
  const plan = planIssue({
    decision,
    author: issue.user?.login ?? "",
    thread,
    ccCommentPresent: thread.appComments.some((c) => c.body.includes(CC_MARKER)),
    settings: loaded.config.app,
    dryRun: loaded.config.app.dryRun || deps.dryRunEnv,
  });
  const applied = await applyIssuePlan(port, issue.number, plan);
  logIssue(open, plan, decision, applied.labelsAdded, applied.commented);
}

async function gatherIssue(port: GitHubPort, issue: IssuePayload): Promise<ThreadState> {
  return port.readThreadState(issue.number, {
    labels: (issue.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
    requestedUsers: [],
    requestedTeams: [],
  });
}

function logIssue(open: OpenThread, plan: IssuePlan, decision: IssueDecision, added: string[], commented: boolean): void {
  open.log.info(
    {
      labels: decision.labels,
      added,
      modules: decision.modules.map((m) => ({ name: m.name, why: m.why })),
      scores: decision.scores,
      commented,
      dryRun: plan.dryRun,
    },
    "labelled issue",
  );
}
