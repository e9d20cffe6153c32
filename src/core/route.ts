// route(): changed files of a pull request in, routing decision out. The one function every
// adapter (CLI, GitHub App) calls; it does no I/O.

import { checkDeadline, type Deadline } from "./budget.js";
import { isTeamName, type ModuleSpec, type Policy } from "./config.js";
import { expertiseEvidence, expertiseFor, type Expertise, type ExpertiseIndex } from "./expertise.js";
import { isBotLogin } from "./history.js";
import { loginKey } from "./registry.js";
import { matchPath, type Router } from "./router.js";
import {
  authorIgnored,
  byExpertise,
  selectReviewers,
  signalCandidates,
  type SelectionInput,
  type SelectionModule,
  type SkippedCandidate,
  type SkipReason,
} from "./select.js";
import { normalizeSignals, type CandidateSignals } from "./signals.js";
import { requestedTeamCoverage, selectTeams, type TeamModule } from "./teams.js";

/** The name the changed files no module owns go by in selection, when `default_reviewers` or `default_reviewers_entry` names someone. */
export const UNOWNED_MODULE = "(unowned files)";

export interface ChangedFile {
  path: string;
  /** The file's name before a rename: a file moved out of a module still touches it. */
  previousPath?: string;
}

export interface RouteInput {
  repository: string;
  prNumber: number;
  author: string;
  files: ChangedFile[];
  requestedReviewers?: string[];
  requestedTeams?: string[];
  reviewedBy?: string[];
  /** Logins not to request, with the reason: a human removed their request, not a collaborator. */
  blocked?: { login: string; reason: SkipReason }[];
  /** Teams (`org/team`) not to request, with the reason: another organisation's, refused by GitHub. */
  blockedTeams?: { team: string; reason: SkipReason }[];
  /** Candidates' availability and load (see selectReviewers); absent: the stable hash alone decides. */
  signals?: CandidateSignals;
  /** When the decision is made; dated `unavailable` entries and status expiry are read against it. */
  now?: Date;
  /** Who approved which merged pull requests (src/core/expertise.ts): the candidates' expertise. Absent: none. */
  history?: ExpertiseIndex;
}

/** One candidate reviewer of the decision, as `route --json` and the summary show them. */
export interface RankedCandidate {
  login: string;
  /**
   * Expertise on the change (0 without history): the mean over changed paths of the candidate's share
   * of the path's recent approvals (a pull request they wrote there counting half an approval), plus
   * their share of the author's recent pull requests approved (see src/core/expertise.ts).
   */
  score: number;
  /** What the score rests on: "approved 7 pull requests touching torch/nn/; wrote 2 pull requests touching torch/nn/ in the last 90 days". */
  evidence: string;
  /** Requested by this decision. */
  chosen: boolean;
  /** Why chosen ("chosen for nn") or not (a skip reason: "module covered", "emeritus", ...). */
  reason: string;
}

export interface FileRule {
  file: string;
  rule: string;
  area?: string;
}

export interface ModuleDecision {
  name: string;
  /** The module's own label, or its first touched area's; "" when it adds none. */
  label: string;
  /** Every label the module adds: its own and its touched areas'. */
  labels: string[];
  files: string[];
  /** For each file, the rule that put it in the module. */
  rules: FileRule[];
  areas: string[];
  /** Reviewers covering the module: newly requested ones and those already on the PR. */
  reviewers: string[];
  /** Teams (`org/team`) covering the module: newly requested or already requested. */
  teams: string[];
  covered: boolean;
  /** Where the maintainers came from (registry entry name, or "inline"). */
  maintainersFrom: string;
  fallback: boolean;
}

export interface RouteDecision {
  repository: string;
  prNumber: number;
  labels: string[];
  /** New review requests to make. */
  reviewers: string[];
  /** New team review requests to make (`org/team`; the API's `team_reviewers` takes the slug after '/'). */
  teamReviewers: string[];
  modules: ModuleDecision[];
  /** Changed paths that no module owns (unowned). */
  unmatched: string[];
  /** Who covers the unowned files from `default_reviewers` and `default_reviewers_entry` (users and teams, new or already on the PR). */
  unownedReviewers: string[];
  skipped: SkippedCandidate[];
  uncovered: { module: string; reason: string }[];
  notes: string[];
  /** Every candidate reviewer, best first: the chosen, those already on the pull request, the others who could be asked, then those who cannot. */
  candidates: RankedCandidate[];
  /** Recent approvers asked by widening, who are not listed maintainers of the touched modules (also in `reviewers`). */
  widened: string[];
  /** How many merged pull requests the history held, when one was given: `candidates` are ranked by it. */
  historyRecords?: number;
}

/**
 * The last matching per router, by the very files array it was for: a plan matches its files to
 * learn whose signals to read (candidatesToFetch), then to route; the second is the first's result.
 * Matching depends only on the router, the repository and the files, so the answer is the same.
 */
const lastMatching = new WeakMap<Router, { repository: string; files: readonly ChangedFile[]; matched: Matched }>();

type Matched = ReturnType<typeof matchFiles>;

/**
 * Which modules each file belongs to; shared by the PR router and the issue labeller. With a
 * deadline, throws BudgetExceeded once it has passed (checked per file and during long matches).
 */
export function modulesForFiles(router: Router, repository: string, files: readonly ChangedFile[], deadline?: Deadline): Matched {
  const last = lastMatching.get(router);
  if (last && last.files === files && last.repository === repository) return last.matched;
  const matched = matchFiles(router, repository, files, deadline);
  lastMatching.set(router, { repository, files, matched });
  return matched;
}

function matchFiles(router: Router, repository: string, files: readonly ChangedFile[], deadline?: Deadline) {
  const touched = new Map<number, { files: string[]; rules: FileRule[]; areas: Set<number> }>();
  const unmatched: string[] = [];
  let index = 0;
  const during = () => `matching changed file ${index + 1} of ${files.length} against the configuration's globs`;
  const tick = deadline ? () => checkDeadline(deadline, during) : undefined;
  for (const f of files) {
    checkDeadline(deadline, during);
    const seen = new Set<number>();
    for (const p of f.previousPath && f.previousPath !== f.path ? [f.path, f.previousPath] : [f.path]) {
      for (const m of matchPath(router, repository, p, tick)) {
        let t = touched.get(m.module);
        if (!t) {
          t = { files: [], rules: [], areas: new Set() };
          touched.set(m.module, t);
        }
        for (const a of m.areas) t.areas.add(a);
        if (seen.has(m.module)) continue;
        seen.add(m.module);
        t.files.push(f.path);
        const spec = router.modules[m.module]!.spec;
        const area = m.ruleArea === undefined ? undefined : spec.areas[m.ruleArea]!.name;
        const rule = p === f.path ? m.rule : `${m.rule} (previous name ${p})`;
        t.rules.push({ file: f.path, rule, ...(area ? { area } : {}) });
      }
    }
    if (seen.size === 0) unmatched.push(f.path);
    index++;
  }
  return { touched, unmatched };
}

/**
 * The labels a module adds: its own (with the extra ones it lists) when `own`, then each area's
 * (with its extras), in configuration order, each once. Shared by the PR router and the issue labeller.
 */
export function labelsOf(spec: ModuleSpec, own: boolean, areas: Iterable<number>): string[] {
  const out: string[] = [];
  const add = (l: string) => {
    if (!out.includes(l)) out.push(l);
  };
  if (own) [...(spec.label ? [spec.label] : []), ...spec.extraLabels].forEach(add);
  for (const a of [...areas].sort((x, y) => x - y)) [spec.areas[a]!.label, ...spec.areas[a]!.extraLabels].forEach(add);
  return out;
}

type Touched = ReturnType<typeof modulesForFiles>["touched"];
type Candidate = SelectionModule & TeamModule;

/** Teams of `candidates` that are blocked, as skipped candidates; the candidates keep only the others. */
function withoutBlockedTeams(
  candidates: Candidate[],
  blockedTeams: RouteInput["blockedTeams"],
): { candidates: Candidate[]; skipped: SkippedCandidate[] } {
  if (!blockedTeams || blockedTeams.length === 0) return { candidates, skipped: [] };
  const reasons = new Map(blockedTeams.map((b) => [b.team.toLowerCase(), b.reason]));
  const skipped: SkippedCandidate[] = [];
  const kept = candidates.map((c) => {
    const teams = c.teams.filter((t) => {
      const reason = reasons.get(t.toLowerCase());
      if (reason) skipped.push({ login: t, module: c.name, reason });
      return !reason;
    });
    return teams.length === c.teams.length ? c : { ...c, teams };
  });
  return { candidates: kept, skipped };
}

/** The touched modules as selection candidates, plus the unowned files' group when `default_reviewers` or `default_reviewers_entry` names someone. */
function candidatesFor(router: Router, touched: Touched, unmatched: readonly string[]): Candidate[] {
  const policy = router.config.policy;
  const candidates: Candidate[] = [...touched.keys()]
    .sort((a, b) => a - b)
    .map((i) => ({
      name: router.modules[i]!.spec.name,
      fileCount: touched.get(i)!.files.length,
      maintainers: router.modules[i]!.maintainers,
      teams: router.modules[i]!.spec.teams ?? [],
    }));
  const teams = policy.defaultReviewers.filter(isTeamName);
  if (unmatched.length > 0 && (router.unownedReviewers.length > 0 || teams.length > 0)) {
    candidates.push({ name: UNOWNED_MODULE, fileCount: unmatched.length, maintainers: router.unownedReviewers, teams });
  }
  return candidates;
}

/** The user-selection input: modules covered by a team already requested, or reviewed by teams only, go to the team step. */
function selectionInput(router: Router, input: RouteInput, candidates: readonly Candidate[]): SelectionInput {
  const teamCovered = requestedTeamCoverage(candidates, input.requestedTeams ?? []);
  const expertise = input.history ? expertiseOf(router.config.policy, input, candidates) : undefined;
  const widen = expertise && router.config.policy.widenToRecentApprovers ? widenable(router, candidates, expertise) : [];
  return {
    repository: input.repository,
    prNumber: input.prNumber,
    author: input.author,
    modules: candidates.filter((m) => !teamCovered.has(m.name) && !(m.maintainers.length === 0 && m.teams.length > 0)),
    requestedReviewers: input.requestedReviewers ?? [],
    requestedTeams: input.requestedTeams ?? [],
    reviewedBy: input.reviewedBy ?? [],
    blocked: input.blocked ?? [],
    policy: router.config.policy,
    ...(input.signals ? { signals: input.signals } : {}),
    ...(input.now ? { now: input.now } : {}),
    ...(expertise ? { expertise } : {}),
    ...(widen.length > 0 ? { widen } : {}),
  };
}

/** The candidates' expertise on the change: every changed path, a renamed file's old one too; the modules' maintainers always scored. */
function expertiseOf(policy: Policy, input: RouteInput, candidates: readonly Candidate[]): Map<string, Expertise> {
  const paths = input.files.flatMap((f) => (f.previousPath && f.previousPath !== f.path ? [f.path, f.previousPath] : [f.path]));
  const settings = { windowDays: policy.expertiseWindowDays, halfLifeDays: policy.expertiseHalfLifeDays };
  const also: string[] = [];
  for (const c of candidates) for (const m of c.maintainers) also.push(m.login);
  return expertiseFor(input.history!, paths, settings, input.now, { author: input.author, also, onlyAlso: !policy.widenToRecentApprovers });
}

/**
 * Whom widening may consider: the recent approvers of the changed paths with the most expertise who
 * are not listed (active or emeritus) for a touched module, never emeritus anywhere in the
 * registry, never a bot. Selection
 * asks only those with `widen_min_approvals`, and refuses the author and blocked logins.
 */
function widenable(router: Router, candidates: readonly Candidate[], expertise: ReadonlyMap<string, Expertise>): Expertise[] {
  const listed = new Set(candidates.flatMap((c) => c.maintainers.map((m) => loginKey(m.login))));
  const emeritus = new Set(router.registry.entries.flatMap((e) => e.maintainers.filter((m) => m.emeritus).map((m) => loginKey(m.login))));
  return [...expertise]
    .filter(([key, e]) => e.approvals > 0 && !listed.has(key) && !emeritus.has(key) && !isBotLogin(e.login))
    .map(([, e]) => e)
    .sort((a, b) => b.score - a.score || loginKey(a.login).localeCompare(loginKey(b.login)))
    .slice(0, WIDEN_CONSIDERED);
}

/** Recent approvers widening considers, most expertise first: one is asked, the others are shown as not asked. */
const WIDEN_CONSIDERED = 10;

/** How the summary and `candidates` say why a recent approver was not asked. */
const WIDEN_REASONS: Partial<Record<SkipReason, string>> = {
  "not needed": "recent approver, not needed (a reviewer knows these paths as well)",
  "few approvals": "recent approver, below widen_min_approvals",
};

/** Reasons a candidate cannot be asked on this pull request at all: they rank after everyone who can. */
const CANNOT: ReadonlySet<SkipReason> = new Set<SkipReason>([
  "emeritus",
  "author",
  "unavailable",
  "request removed",
  "not a collaborator",
  "busy",
  "withdrawn",
  "overdue",
]);

/**
 * Every candidate reviewer once, best first: those who could be asked (the chosen, those already on
 * the pull request, the others), by expertise, the chosen first among equals, then load and the
 * stable hash as selection ranks them; then those who cannot be asked, in the same order.
 */
function rankedCandidates(router: Router, sel: SelectionInput, selection: ReturnType<typeof selectReviewers>): RankedCandidate[] {
  const reasons = new Map<string, { login: string; cannot: boolean; chosen: boolean; reason: string }>();
  // The first reason given counts, except that one who can be asked for some module (emeritus only in
  // another, say) is listed with that module's reason, among those who can be asked.
  const add = (login: string, cannot: boolean, chosen: boolean, reason: string) => {
    const known = reasons.get(loginKey(login));
    if (!known || (known.cannot && !cannot)) reasons.set(loginKey(login), { login, cannot, chosen, reason });
  };
  const widened = new Set(selection.widened.map(loginKey));
  const fresh = new Set(selection.reviewers.map(loginKey));
  for (const login of selection.widened) add(login, false, true, "recent approver, not a listed maintainer (widening)");
  for (const [module, cover] of selection.coverage) {
    for (const login of cover.reviewers)
      if (fresh.has(loginKey(login)) && !widened.has(loginKey(login))) add(login, false, true, `chosen for ${module}`);
  }
  for (const k of [...selection.skipped, ...selection.widenSkipped])
    add(k.login, CANNOT.has(k.reason), false, WIDEN_REASONS[k.reason] ?? k.reason);
  const windowDays = router.config.policy.expertiseWindowDays;
  const loads = sel.signals ? normalizeSignals(sel.signals).openReviews : undefined;
  const load = (l: string) => loads?.get(loginKey(l));
  const all = [...reasons.values()];
  const ordered = [false, true].flatMap((cannot) =>
    byExpertise(
      sel,
      all.filter((r) => r.cannot === cannot).map((r) => r.login),
      load,
      { amongEqual: (l) => reasons.get(loginKey(l))!.chosen },
    ),
  );
  return ordered.map((login) => {
    const r = reasons.get(loginKey(login))!;
    const e = sel.expertise?.get(loginKey(login));
    return {
      login,
      score: Math.round((e?.score ?? 0) * 1000) / 1000,
      evidence: sel.expertise ? expertiseEvidence(e, windowDays) : "no review history given",
      chosen: r.chosen,
      reason: r.reason,
    };
  });
}

/**
 * Whose availability and load the adapter should fetch before route(): the candidates of the
 * modules still needing a reviewer. Empty: the pull request needs no new reviewer, fetch nothing.
 */
export function candidatesToFetch(router: Router, input: RouteInput, deadline?: Deadline): string[] {
  const { touched, unmatched } = modulesForFiles(router, input.repository, input.files, deadline);
  const { candidates } = withoutBlockedTeams(candidatesFor(router, touched, unmatched), input.blockedTeams);
  return signalCandidates(selectionInput(router, input, candidates));
}

/** `deadline`: stop with BudgetExceeded past it (see budget.ts); none for the CLI. */
export function route(router: Router, input: RouteInput, deadline?: Deadline): RouteDecision {
  const { touched, unmatched } = modulesForFiles(router, input.repository, input.files, deadline);
  const indexes = [...touched.keys()].sort((a, b) => a - b);
  const policy = router.config.policy;
  const { candidates, skipped: teamsSkipped } = withoutBlockedTeams(candidatesFor(router, touched, unmatched), input.blockedTeams);
  const selecting = selectionInput(router, input, candidates);
  const selection = selectReviewers(selecting);
  const requestedTeams = input.requestedTeams ?? [];
  const order = [...candidates].sort((a, b) => b.fileCount - a.fileCount || a.name.localeCompare(b.name));
  const stillOpen = (name: string) => !selection.coverage.has(name) || selection.uncovered.some((u) => u.module === name);
  const needTeam = new Set(policy.reviewersPerModule > 0 ? order.map((m) => m.name).filter(stillOpen) : []);
  // The same count select.ts starts from: everyone on the pull request, users and teams.
  const author = loginKey(input.author);
  const present = new Set([
    ...(input.requestedReviewers ?? []).map(loginKey),
    ...(input.reviewedBy ?? []).map(loginKey).filter((l) => l !== author),
  ]);
  const alreadyOn = present.size + new Set(requestedTeams.map((t) => t.toLowerCase())).size;
  const ignored = authorIgnored(input.author, policy.ignoreAuthors);
  const teams = selectTeams({
    repository: input.repository,
    prNumber: input.prNumber,
    modules: order.filter((m) => m.teams.length > 0),
    requestedTeams,
    uncovered: needTeam,
    budget: Math.max(0, policy.maxReviewers - alreadyOn - selection.reviewers.length),
    ignored,
  });
  const uncovered = selection.uncovered.filter((u) => !teams.covered.has(u.module));
  for (const m of order) {
    // Modules left out of user selection and still without a team are reported too.
    if (needTeam.has(m.name) && !teams.covered.has(m.name) && !selection.coverage.has(m.name)) {
      const cap = `cap of ${policy.maxReviewers} reviewer${policy.maxReviewers === 1 ? "" : "s"} reached`;
      uncovered.push({ module: m.name, reason: ignored ? "author is ignored" : cap });
    }
  }
  const labels: string[] = [];
  const addLabel = (l: string) => {
    if (!labels.includes(l)) labels.push(l);
  };
  if (unmatched.length > 0 && policy.unownedLabel) addLabel(policy.unownedLabel);
  const modules: ModuleDecision[] = indexes.map((i) => {
    const resolved = router.modules[i]!;
    const spec = resolved.spec;
    const t = touched.get(i)!;
    const areaIdx = [...t.areas].sort((a, b) => a - b);
    const ownsRepo = t.rules.some((r) => r.rule.startsWith("repository:"));
    // In a repository the module owns whole, every PR would carry its label: add none.
    const moduleLabels = ownsRepo ? [] : labelsOf(spec, true, areaIdx);
    moduleLabels.forEach(addLabel);
    const cover = selection.coverage.get(spec.name) ?? { reviewers: [], fallback: false };
    return {
      name: spec.name,
      label: moduleLabels[0] ?? "",
      labels: moduleLabels,
      files: t.files,
      rules: t.rules,
      areas: areaIdx.map((a) => spec.areas[a]!.name),
      reviewers: cover.reviewers,
      teams: teams.coverage.get(spec.name) ?? [],
      covered: !uncovered.some((u) => u.module === spec.name),
      maintainersFrom: resolved.maintainersFrom,
      fallback: cover.fallback,
    };
  });
  return {
    repository: input.repository,
    prNumber: input.prNumber,
    labels,
    reviewers: selection.reviewers,
    teamReviewers: teams.teams,
    modules,
    unmatched,
    unownedReviewers: [...(selection.coverage.get(UNOWNED_MODULE)?.reviewers ?? []), ...(teams.coverage.get(UNOWNED_MODULE) ?? [])],
    skipped: [...selection.skipped, ...teamsSkipped],
    uncovered,
    notes: selection.notes,
    candidates: rankedCandidates(router, selecting, selection),
    widened: selection.widened,
    ...(input.history ? { historyRecords: input.history.records } : {}),
  };
}
