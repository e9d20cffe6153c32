// Writing the one summary of a pull request: a check run named `review-router` on the head
// commit, or one comment edited in place. An existing summary with the same text is left alone,
// so a redelivered event writes nothing. Replicas handling two events of one thread at once may
// both create a comment: each then looks, and the one that is not the oldest deletes its own.

import type { BudgetExceeded } from "../core/budget.js";
import { httpStatus } from "../core/util.js";
import type { CheckRuns, Comments, SummaryWrite } from "./port.js";
import { checkRunDigest, type KnownCheckRun } from "./pull-request-read.js";
import { COMMENT_MARKER, lastingText, type Summary } from "./summary.js";

/** GitHub's limit on a check run's output.summary and a comment's body. */
const MAX_TEXT = 65_000;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 20)}\n\n(truncated)` : text;
}

/** What writing the summary uses of the port: comments and check runs. */
export type SummaryPort = Comments & CheckRuns;

/** Create or update the one summary (a check run on `headSha`, or a marked comment); unchanged text is not rewritten. */
export async function writeSummary(port: SummaryPort, issueNumber: number, headSha: string, write: SummaryWrite): Promise<void> {
  const { summary, conclusion } = write;
  if (write.mode === "comment") {
    const body = clip(`${COMMENT_MARKER}\n### review-router: ${summary.title}\n\n${summary.body}`);
    const existing = write.appComments.find((c) => c.body.includes(COMMENT_MARKER));
    if (existing) {
      if (lastingText(existing.body) !== lastingText(body)) await port.updateComment(existing.id, body);
      return;
    }
    const created = await createOnce(
      () => port.createComment(issueNumber, body),
      async () => (await port.listComments(issueNumber)).some((c) => c.mine && c.body.includes(COMMENT_MARKER)),
    );
    if (created) await keepOldestComment(port, issueNumber, COMMENT_MARKER, created.id, body);
    return;
  }
  const output = { title: summary.title, summary: clip(summary.body) };
  // The digest of the lasting content travels as the run's external_id: equal digests, nothing to write.
  const digest = checkRunDigest(conclusion, { title: output.title, summary: lastingText(output.summary) });
  const run = { externalId: digest, conclusion, output };
  const listOurs = async (): Promise<KnownCheckRun | null> => {
    const found = (await port.listCheckRuns(headSha))[0];
    if (!found) return null;
    // A run written before digests: its digest is what its fields say.
    const same = found.output.title === output.title && lastingText(found.output.summary ?? "") === lastingText(output.summary);
    const legacy = found.conclusion === conclusion && same ? digest : undefined;
    return {
      id: found.id,
      status: found.status,
      conclusion: found.conclusion,
      ...(found.externalId ? { digest: found.externalId } : legacy ? { digest: legacy } : {}),
    };
  };
  const seen = write.checkRuns;
  const existing = seen ? seen.head : await listOurs();
  if (!existing) {
    // No run on this commit yet. When the pull request's latest run already says exactly this (a
    // push that changed nothing), the new commit gets none: a synchronize that changes nothing writes nothing.
    if (seen?.latestDigest === digest) return;
    await createOnce(
      () => port.createCheckRun(headSha, run),
      async () => (await listOurs()) !== null,
    );
    return;
  }
  if (existing.status === "completed" && existing.conclusion === conclusion && existing.digest === digest) return;
  const id = existing.id ?? (await listOurs())?.id;
  if (id === undefined) return; // gone since it was read: the next delivery writes it
  await port.updateCheckRun(id, run);
}

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
export async function keepOldestComment(port: Comments, issueNumber: number, marker: string, ownId: number, body: string): Promise<void> {
  const ours = (await port.listComments(issueNumber)).filter((c) => c.mine && c.body.includes(marker)).sort((a, b) => a.id - b.id);
  const oldest = ours[0];
  if (!oldest || oldest.id === ownId) return;
  await port.deleteComment(ownId);
  if (oldest.body !== body) await port.updateComment(oldest.id, body);
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
