// Writing the one summary of a pull request: a check run named `review-router` on the head
// commit, or one comment edited in place. An existing summary with the same text is left alone,
// so a redelivered event writes nothing. Replicas handling two events of one thread at once may
// both create a comment: each then looks, and the one that is not the oldest deletes its own.

import type { BudgetExceeded } from "../core/budget.js";
import { httpStatus } from "../core/util.js";
import type { AppOctokit, RepoRef } from "./github-state.js";
import type { SummaryWrite } from "./port.js";
import { checkRunDigest, type KnownCheckRun } from "./pull-request-read.js";
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
  appId: number | undefined,
  write: SummaryWrite,
): Promise<void> {
  const { octokit } = context;
  const { summary, conclusion } = write;
  if (write.mode === "comment") {
    const body = clip(`${COMMENT_MARKER}\n### review-router: ${summary.title}\n\n${summary.body}`);
    const existing = write.appComments.find((c) => c.body.includes(COMMENT_MARKER));
    if (existing) {
      if (existing.body !== body) await octokit.rest.issues.updateComment({ ...ref, comment_id: existing.id, body });
      return;
    }
    const created = await createOnce(
      () => octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body, request: NO_RETRY }),
      async () => {
        const { data } = await octokit.rest.issues.listComments({ ...ref, issue_number: issueNumber, per_page: 100 });
        return data.some(
          (c) => (c.body ?? "").includes(COMMENT_MARKER) && (appId === undefined || c.performed_via_github_app?.id === appId),
        );
      },
    );
    if (created) await keepOldestComment(context, ref, issueNumber, COMMENT_MARKER, appId, created.data.id, body);
    return;
  }
  const output = { title: summary.title, summary: clip(summary.body) };
  // The digest of the content travels as the run's external_id: equal digests, nothing to write.
  const digest = checkRunDigest(conclusion, output);
  const listOurs = async (): Promise<KnownCheckRun | null> => {
    const { data } = await octokit.rest.checks.listForRef({ ...ref, ref: headSha, check_name: CHECK_NAME, per_page: 100 });
    const run = data.check_runs.find((r) => appId === undefined || !r.app || r.app.id === appId);
    if (!run) return null;
    // A run written before digests: its digest is what its fields say.
    const same = run.output?.title === output.title && run.output?.summary === output.summary;
    const legacy = run.conclusion === conclusion && same ? digest : undefined;
    return {
      id: run.id,
      status: run.status,
      conclusion: run.conclusion,
      ...(run.external_id ? { digest: run.external_id } : legacy ? { digest: legacy } : {}),
    };
  };
  const seen = write.checkRuns;
  const existing = seen ? seen.head : await listOurs();
  if (!existing) {
    // No run on this commit yet. When the pull request's latest run already says exactly this (a
    // push that changed nothing), the new commit gets none: a synchronize that changes nothing writes nothing.
    if (seen?.latestDigest === digest) return;
    await createOnce(
      () =>
        octokit.rest.checks.create({
          ...ref,
          name: CHECK_NAME,
          head_sha: headSha,
          external_id: digest,
          status: "completed",
          conclusion,
          output,
          request: NO_RETRY,
        }),
      async () => (await listOurs()) !== null,
    );
    return;
  }
  if (existing.status === "completed" && existing.conclusion === conclusion && existing.digest === digest) return;
  const id = existing.id ?? (await listOurs())?.id;
  if (id === undefined) return; // gone since it was read: the next delivery writes it
  await octokit.rest.checks.update({ ...ref, check_run_id: id, external_id: digest, status: "completed", conclusion, output });
}

/** Creating is not idempotent, so a failed create is not retried blindly. */
export const NO_RETRY = { retries: 0 };

/**
 * Create something that must exist once. When the create fails without a clear refusal (a 5xx,
 * a time-out), GitHub may have done it and lost the answer: look, and create again only if it
 * is not there.
 */
export async function createOnce<R>(create: () => Promise<R>, exists: () => Promise<boolean>): Promise<R | undefined> {
  try {
    return await create();
  } catch (err) {
    const status = httpStatus(err);
    if (status !== undefined && status < 500) throw err;
    if (await exists()) return undefined;
    return await create();
  }
}

/**
 * After creating comment `ownId` (marked with `marker`), make it the only one: list the thread's
 * comments by this app with the marker; when an older one exists (another replica created it
 * first), delete ours and put our text in the oldest. Comment ids grow with creation time, so
 * every racer agrees on which one stays, whatever the order their requests arrive in.
 */
export async function keepOldestComment(
  context: { octokit: AppOctokit },
  ref: RepoRef,
  issueNumber: number,
  marker: string,
  appId: number | undefined,
  ownId: number,
  body: string,
): Promise<void> {
  const { octokit } = context;
  const all = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: issueNumber, per_page: 100 });
  const ours = all
    .filter((c) => (c.body ?? "").includes(marker) && (appId === undefined || c.performed_via_github_app?.id === appId))
    .sort((a, b) => a.id - b.id);
  const oldest = ours[0];
  if (!oldest || oldest.id === ownId) return;
  try {
    await octokit.rest.issues.deleteComment({ ...ref, comment_id: ownId });
  } catch (err) {
    if ((err as { status?: unknown }).status !== 404) throw err; // already gone is fine
  }
  if (oldest.body !== body) await octokit.rest.issues.updateComment({ ...ref, comment_id: oldest.id, body });
}

/** The failure summary of a delivery cut off by the routing budget. */
export function budgetSummary(err: BudgetExceeded): Summary {
  return {
    title: "Routing budget exceeded",
    body: [
      `review-router stopped routing this pull request: ${err.message}.`,
      "",
      "Nothing was labelled and no review was requested. A configuration with many or very long globs, or a pull request",
      "with very many files, can cost more than one delivery may spend; see docs/configuration.md, Limits.",
      "The next push or a re-run routes it again.",
    ].join("\n"),
  };
}
