// Writing the one summary of a pull request: a check run named `review-router` on the head
// commit, or one comment edited in place. An existing summary with the same text is left alone,
// so a redelivered event writes nothing.

import type { SummaryMode } from "../core/config.js";
import type { AppOctokit, RepoRef } from "./github-state.js";
import { CHECK_NAME, COMMENT_MARKER, type Summary } from "./summary.js";

/** GitHub's limit on a check run's output.summary and a comment's body. */
const MAX_TEXT = 65_000;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 20)}\n\n(truncated)` : text;
}

export async function writeSummary(
  context: { octokit: AppOctokit },
  ref: RepoRef,
  issueNumber: number,
  headSha: string,
  mode: Exclude<SummaryMode, "none">,
  summary: Summary,
  appId: number | undefined,
  conclusion: "neutral" | "failure",
  appComments: readonly { id: number; body: string }[],
): Promise<void> {
  const { octokit } = context;
  if (mode === "comment") {
    const body = clip(`${COMMENT_MARKER}\n### review-router: ${summary.title}\n\n${summary.body}`);
    const existing = appComments.find((c) => c.body.includes(COMMENT_MARKER));
    if (!existing) await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body });
    else if (existing.body !== body) await octokit.rest.issues.updateComment({ ...ref, comment_id: existing.id, body });
    return;
  }
  const output = { title: summary.title, summary: clip(summary.body) };
  const { data } = await octokit.rest.checks.listForRef({ ...ref, ref: headSha, check_name: CHECK_NAME, per_page: 100 });
  const ours = data.check_runs.filter((r) => appId === undefined || !r.app || r.app.id === appId);
  const existing = ours[0];
  if (!existing) {
    await octokit.rest.checks.create({ ...ref, name: CHECK_NAME, head_sha: headSha, status: "completed", conclusion, output });
    return;
  }
  const same = existing.status === "completed" && existing.conclusion === conclusion && existing.output?.title === output.title && existing.output?.summary === output.summary;
  if (!same) await octokit.rest.checks.update({ ...ref, check_run_id: existing.id, status: "completed", conclusion, output });
}
