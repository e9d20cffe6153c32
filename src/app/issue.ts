// The issues handler: label a new or edited issue by the modules its title and body name.
// It never removes a label, and never adds back one a human removed.

import type { Context } from "probot";
import { routeIssue } from "../core/issue-text.js";
import { readThreadState } from "./github-state.js";
import type { AppDeps } from "./pull-request.js";
import { createOnce, NO_RETRY } from "./summary-writer.js";
import { openThread } from "./thread.js";

export const ISSUE_EVENTS = ["issues.opened", "issues.edited"] as const;
export type IssueContext = Context<(typeof ISSUE_EVENTS)[number]>;

/** Marks the one comment that cc's the maintainers of an issue's modules. */
export const CC_MARKER = "<!-- review-router:cc -->";

export async function handleIssue(context: IssueContext, deps: AppDeps): Promise<void> {
  const issue = context.payload.issue;
  const open = await openThread(context, deps.bundled, { kind: "issue", number: issue.number, state: issue.state ?? "open" });
  if (!open) return;
  const { ref, repository, log, loaded } = open;
  if (loaded.kind === "error") {
    // An issue has no summary to show it in; the log names file, line and key.
    log.error({ problems: loaded.problems }, `configuration ${loaded.file} is invalid; issue not labelled`);
    return;
  }
  const { router, config } = loaded;
  const dryRun = config.app.dryRun || deps.dryRunEnv;
  const decision = routeIssue(router, { repository, title: issue.title ?? "", body: issue.body ?? "" });
  if (decision.modules.length === 0) {
    log.info("no module named in the issue");
    return;
  }
  const state = await readThreadState(context.octokit, ref, issue.number, deps.appId, {
    labels: (issue.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
    requestedUsers: [],
    requestedTeams: [],
  });
  const toAdd = decision.labels.filter((l) => !state.labels.has(l) && !state.labelsRemovedByHuman.has(l));
  const author = issue.user?.login?.toLowerCase();
  const cc = [...new Set(decision.modules.flatMap((m) => m.maintainers))].filter((l) => l.toLowerCase() !== author);
  const needsComment = config.app.issueComment && cc.length > 0 && !state.appComments.some((c) => c.body.includes(CC_MARKER));
  if (!dryRun) {
    if (toAdd.length > 0) await context.octokit.rest.issues.addLabels({ ...ref, issue_number: issue.number, labels: toAdd });
    if (needsComment) {
      const lines = decision.modules
        .filter((m) => m.maintainers.length > 0)
        .map((m) => `- ${m.name}: ${m.maintainers.filter((l) => l.toLowerCase() !== author).map((l) => `@${l}`).join(" ")} (${m.why})`);
      const body = `${CC_MARKER}\ncc the maintainers of the modules this issue names:\n\n${lines.join("\n")}`;
      await createOnce(
        () => context.octokit.rest.issues.createComment({ ...ref, issue_number: issue.number, body, request: NO_RETRY }),
        async () => {
          const { data } = await context.octokit.rest.issues.listComments({ ...ref, issue_number: issue.number, per_page: 100 });
          return data.some((c) => (c.body ?? "").includes(CC_MARKER));
        },
      );
    }
  }
  log.info({ labels: decision.labels, added: dryRun ? [] : toAdd, modules: decision.modules.map((m) => ({ name: m.name, why: m.why })), scores: decision.scores, commented: needsComment && !dryRun, dryRun }, "labelled issue");
}
