// Overdue re-routing in the app: a later event of a pull request whose requested reviewer has
// been silent past reroute_after_hours requests another maintainer of the module, then withdraws
// the overdue request; the exact requests, against a nock-mocked GitHub.

import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  API,
  captureCheckRunCreate,
  captureReviewRequests,
  mockInstallationToken,
  mockPullRequestReads,
  REPO,
  timeline,
  type TimelineEvent,
} from "../helpers/github.js";
import { useStrictNock } from "../helpers/strict-nock.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { deliver, startApp } from "../helpers/probot.js";

const CONFIG = `use_default_modules: false
reroute_after_hours: 16
reroute_timezone: Europe/Berlin
modules:
  - {name: Docs, label: "module: docs", maintainers: [carol, dave], paths: ["docs/**"]}
`;

useStrictNock();

/** review-router requested `login` at `at` (long enough ago to be overdue with any clock after 2026). */
function requestedByAppAt(login: string, at: string): TimelineEvent {
  return { ...timeline.reviewRequestedByApp(login), created_at: at } as TimelineEvent;
}

function captureWithdrawals(pr: number): unknown[] {
  const bodies: unknown[] = [];
  nock(API)
    .delete(`${REPO}/pulls/${pr}/requested_reviewers`)
    .reply(200, (_uri, body) => {
      bodies.push(typeof body === "string" ? JSON.parse(body) : body);
      return { number: pr, requested_reviewers: [] };
    });
  return bodies;
}

/** A later event (synchronize) of a pull request by zed touching docs/, labelled, with `requested` asked to review. */
function docsPullRequest(number: number, requested: string[]) {
  return pullRequestEvent({
    action: "synchronize",
    number,
    changedFiles: 1,
    labels: ["module: docs"],
    requestedReviewers: requested,
    author: "zed",
  });
}

/**
 * The reads of `pr` whose timeline has the docs label and carol asked on Monday 5 January (overdue
 * by now), then `later`; nobody new is needed, so no GraphQL request for the candidates' signals.
 */
function mockCarolOverdue(pr: ReturnType<typeof docsPullRequest>, later: TimelineEvent[]): void {
  mockInstallationToken();
  mockPullRequestReads(pr, {
    config: CONFIG,
    files: ["docs/index.md"],
    timeline: [timeline.labeledByApp("module: docs"), requestedByAppAt("carol", "2026-01-05T09:00:00Z"), ...later],
    signals: false,
  });
}

describe("overdue re-routing on a later event", () => {
  it("requests another maintainer of the module, withdraws the overdue request, and the summary says so", async () => {
    const pr = docsPullRequest(12, ["carol"]);
    mockInstallationToken();
    mockPullRequestReads(pr, {
      config: CONFIG,
      files: ["docs/index.md"],
      timeline: [timeline.labeledByApp("module: docs"), requestedByAppAt("carol", "2026-01-05T09:00:00Z")],
    });
    const requested = captureReviewRequests(12);
    const withdrawn = captureWithdrawals(12);
    const checks = captureCheckRunCreate();
    await deliver(await startApp(), "pull_request", pr);
    expect(requested).toEqual([{ reviewers: ["dave"] }]);
    expect(withdrawn).toEqual([{ reviewers: ["carol"] }]);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.output.summary).toContain("**Re-routed**: @carol neither reviewed nor commented within 16 business hours");
    expect(checks[0]!.output.summary).toContain("| Docs | `module: docs` | `docs/index.md` | @dave |");
  });

  it("a redelivery completes a withdrawal that failed: the replacement is not asked again", async () => {
    // An earlier delivery asked dave once carol was overdue, then GitHub failed the withdrawal.
    const pr = docsPullRequest(14, ["carol", "dave"]);
    // dave was asked a minute ago: not overdue himself.
    mockCarolOverdue(pr, [requestedByAppAt("dave", new Date(Date.now() - 60_000).toISOString())]);
    const withdrawn = captureWithdrawals(14);
    const checks = captureCheckRunCreate();
    await deliver(await startApp(), "pull_request", pr);
    // No review request (afterEach: no unmatched request), one withdrawal, one summary.
    expect(withdrawn).toEqual([{ reviewers: ["carol"] }]);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.output.summary).toContain("**Re-routed**: @carol");
  });

  it("does nothing more once the overdue reviewer was replaced (the app's own withdrawal on the timeline)", async () => {
    const pr = docsPullRequest(13, ["dave"]);
    const withdrawnByApp = { ...timeline.reviewRequestRemovedBy("review-router[bot]", "carol"), performed_via_github_app: { id: 123 } };
    mockCarolOverdue(pr, [requestedByAppAt("dave", new Date().toISOString()), withdrawnByApp]);
    const checks = captureCheckRunCreate();
    await deliver(await startApp(), "pull_request", pr);
    // No other write (afterEach: no unmatched request): the label is there, dave is requested, carol is not asked again.
    // carol stays out, as someone review-router withdrew (the timeline does not say why).
    expect(checks[0]!.output.summary).toContain("| carol | Docs | withdrawn |");
  });
});
