// route(): changed files of a pull request in, routing decision out. The one function every
// adapter (CLI, GitHub App) calls; it does no I/O.

import type { ModuleSpec } from "./config.js";
import { matchPath, type Router } from "./router.js";
import { selectReviewers, type SkippedCandidate, type SkipReason } from "./select.js";

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
  modules: ModuleDecision[];
  /** Changed paths that no module owns. */
  unmatched: string[];
  skipped: SkippedCandidate[];
  uncovered: { module: string; reason: string }[];
  notes: string[];
}

/** Which modules each file belongs to; shared by the PR router and the issue labeller. */
export function modulesForFiles(router: Router, repository: string, files: readonly ChangedFile[]) {
  const touched = new Map<number, { files: string[]; rules: FileRule[]; areas: Set<number> }>();
  const unmatched: string[] = [];
  for (const f of files) {
    const seen = new Set<number>();
    for (const p of f.previousPath && f.previousPath !== f.path ? [f.path, f.previousPath] : [f.path]) {
      for (const m of matchPath(router, repository, p)) {
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

export function route(router: Router, input: RouteInput): RouteDecision {
  const { touched, unmatched } = modulesForFiles(router, input.repository, input.files);
  const indexes = [...touched.keys()].sort((a, b) => a - b);
  const selection = selectReviewers({
    repository: input.repository,
    prNumber: input.prNumber,
    author: input.author,
    modules: indexes.map((i) => ({
      name: router.modules[i]!.spec.name,
      fileCount: touched.get(i)!.files.length,
      maintainers: router.modules[i]!.maintainers,
    })),
    requestedReviewers: input.requestedReviewers ?? [],
    requestedTeams: input.requestedTeams ?? [],
    reviewedBy: input.reviewedBy ?? [],
    blocked: input.blocked ?? [],
    policy: router.config.policy,
  });
  const labels: string[] = [];
  const addLabel = (l: string) => {
    if (!labels.includes(l)) labels.push(l);
  };
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
      covered: !selection.uncovered.some((u) => u.module === spec.name),
      maintainersFrom: resolved.maintainersFrom,
      fallback: cover.fallback,
    };
  });
  return {
    repository: input.repository,
    prNumber: input.prNumber,
    labels,
    reviewers: selection.reviewers,
    modules,
    unmatched,
    skipped: selection.skipped,
    uncovered: selection.uncovered,
    notes: selection.notes,
  };
}
