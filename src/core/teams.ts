// Team reviewers: the step after user selection. A team (`org/team`) is one reviewer toward the
// cap; a team already requested covers every module that lists it; a module still uncovered
// after the users were chosen gets one of its teams while the cap allows.

import { stableHash } from "./select.js";

export interface TeamModule {
  name: string;
  teams: string[];
}

export interface TeamInput {
  repository: string;
  prNumber: number;
  /** Touched modules that list teams, in the order selection covered them. */
  modules: TeamModule[];
  requestedTeams: string[];
  /** Names of the modules that still need a reviewer after the users were chosen. */
  uncovered: ReadonlySet<string>;
  /** Reviewer slots left under `max_reviewers`. */
  budget: number;
  /** The author is ignored: no requests at all. */
  ignored: boolean;
}

export interface TeamSelection {
  /** New team review requests, `org/team`. */
  teams: string[];
  /** Teams covering each module (requested now or before). */
  coverage: Map<string, string[]>;
  /** Modules that a team covers now though the users did not. */
  covered: Set<string>;
}

const key = (team: string) => team.toLowerCase();

/** The teams of each module that are already requested on the pull request. */
export function requestedTeamCoverage(modules: readonly TeamModule[], requestedTeams: readonly string[]): Map<string, string[]> {
  const requested = new Set(requestedTeams.map(key));
  const out = new Map<string, string[]>();
  for (const m of modules) {
    const on = m.teams.filter((t) => requested.has(key(t)));
    if (on.length > 0) out.set(m.name, on);
  }
  return out;
}

export function selectTeams(input: TeamInput): TeamSelection {
  const coverage = requestedTeamCoverage(input.modules, input.requestedTeams);
  const chosen: string[] = [];
  const covered = new Set<string>();
  let budget = input.budget;
  for (const m of input.modules) {
    if (coverage.has(m.name)) {
      covered.add(m.name);
      continue;
    }
    if (!input.uncovered.has(m.name) || m.teams.length === 0 || input.ignored) continue;
    // A team chosen for an earlier module costs nothing more; otherwise a stable pick per PR.
    const reuse = m.teams.find((t) => chosen.some((c) => key(c) === key(t)));
    const rank = (team: string) => stableHash(`${input.repository.toLowerCase()}#${input.prNumber}@${key(team)}`);
    const ranked = [...m.teams].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const team = reuse ?? (budget > 0 ? ranked[0] : undefined);
    if (!team) continue;
    if (!reuse) {
      budget -= 1;
      chosen.push(team);
    }
    coverage.set(m.name, [team]);
    covered.add(m.name);
  }
  return { teams: chosen, coverage, covered };
}
