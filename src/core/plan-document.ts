// The plan document: what `review-router route --json` prints, offline (from paths) and online
// (from a pull request on GitHub) alike. It is the core's plan as data, with where it came from
// (the target and the configuration used) and, once carried out, what was changed. The JSON
// Schema schema/plan-document.schema.json is generated from these types (`npm run schema`), and
// the tests check both doors' output against it. Pure.

import type { Applied, IssuePlan, PullRequestPlan, SummaryPlan } from "./plan.js";
import type { BusyStatus, CandidateSignals } from "./signals.js";

/** Candidate signals as JSON: maps become objects keyed by login. */
export interface SignalsJson {
  busy: { [login: string]: BusyStatus };
  openReviews: { [login: string]: number };
}

/** The core's pull request plan as JSON: every field of PullRequestPlan, its summary's signals as objects. */
export type PullRequestPlanJson = Omit<PullRequestPlan, "summary"> & {
  summary?: Omit<SummaryPlan, "signals"> & { signals?: SignalsJson };
};

interface DocumentBase {
  /** The pull request or issue: OWNER/NAME#N. */
  target: string;
  repository: string;
  /** The pull request or issue number (offline: --pr, default 1). */
  number: number;
  /** The configuration the plan was made with, in words (a file, the bundled configuration, a CODEOWNERS). */
  configuration?: string;
}

/** A pull request's plan; `applied` and `withdrawn` only once it was carried out (online --apply). */
export interface PullRequestPlanDocument extends DocumentBase {
  kind: "pull_request";
  /** Offline from paths, or online from GitHub. */
  source: "offline" | "online";
  plan: PullRequestPlanJson;
  /** The summary as it would be (or was) written; absent with `summary: none`. */
  summary?: { title: string; body: string };
  applied?: Applied;
  /** Overdue reviewers whose request was withdrawn (replaced). */
  withdrawn?: string[];
}

/** An issue's plan (online, from an issue URL). */
export interface IssuePlanDocument extends DocumentBase {
  kind: "issue";
  source: "online";
  plan: IssuePlan;
  applied?: { labelsAdded: string[]; commented: boolean };
}

/** Nothing to do, and why: a closed pull request, or no configuration applies to the repository. */
export interface SkippedDocument extends DocumentBase {
  kind: "skipped";
  source: "offline" | "online";
  reason: string;
}

export type PlanDocument = PullRequestPlanDocument | IssuePlanDocument | SkippedDocument;

function signalsJson(signals: CandidateSignals): SignalsJson {
  return { busy: Object.fromEntries(signals.busy), openReviews: Object.fromEntries(signals.openReviews) };
}

/** The plan as JSON data: the same fields, maps as objects, so that nothing is lost when it is printed. */
export function planJson(plan: PullRequestPlan): PullRequestPlanJson {
  if (!plan.summary?.signals) return plan as PullRequestPlanJson;
  return { ...plan, summary: { ...plan.summary, signals: signalsJson(plan.summary.signals) } };
}

/** OWNER/NAME#N. */
export function targetName(repository: string, number: number): string {
  return `${repository}#${number}`;
}

/** A pull request plan document; the optional parts are left out when absent. */
export function pullRequestDocument(input: {
  repository: string;
  number: number;
  source: "offline" | "online";
  configuration: string;
  plan: PullRequestPlan;
  summary?: { title: string; body: string };
  applied?: Applied;
  withdrawn?: string[];
}): PullRequestPlanDocument {
  return {
    kind: "pull_request",
    source: input.source,
    target: targetName(input.repository, input.number),
    repository: input.repository,
    number: input.number,
    configuration: input.configuration,
    plan: planJson(input.plan),
    ...(input.summary ? { summary: { title: input.summary.title, body: input.summary.body } } : {}),
    ...(input.applied ? { applied: input.applied } : {}),
    ...(input.withdrawn ? { withdrawn: input.withdrawn } : {}),
  };
}

/** The document printed as `route --json` prints it: two-space indents and a final newline. */
export function planDocumentText(doc: PlanDocument): string {
  return JSON.stringify(doc, null, 2) + "\n";
}
