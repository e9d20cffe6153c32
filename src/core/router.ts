// A compiled router: configuration + registry, with every glob compiled once. Building one is
// the only costly step; matching paths with it is cheap and pure.

import { checkDeadline, type Deadline } from "./budget.js";
import { isTeamName, type ModuleSpec, type RouterConfig } from "./config.js";
import { GlobMatcher } from "./matcher.js";
import { findEntry, loginKey, type Maintainer, type Registry } from "./registry.js";

export interface RuleTag {
  module: number;
  /** Index into the module's areas, or -1 for the module's own globs. */
  area: number;
  kind: "include" | "exclude";
}

export interface ResolvedModule {
  spec: ModuleSpec;
  /** Every maintainer the module lists, emeritus included (selection explains why each is skipped). */
  maintainers: Maintainer[];
  /** Where the maintainers came from: a registry entry name, or "inline". */
  maintainersFrom: string;
}

export interface Router {
  config: RouterConfig;
  registry: Registry;
  modules: ResolvedModule[];
  matcher: GlobMatcher<RuleTag>;
  /** Module indexes by lower-cased repository each owns whole. */
  owners: Map<string, number[]>;
  /** Module indexes by name, for the configuration's ownership table. */
  byName: Map<string, number>;
  /**
   * Who is asked for the changed files no module owns: `default_reviewers`' logins, then the
   * active and emeritus maintainers of `default_reviewers_entry` (selection skips the emeritus).
   */
  unownedReviewers: Maintainer[];
}

/** One reason a path is in (or kept out of) a module or area. */
export interface PathRule {
  module: string;
  area?: string;
  /** The glob that matched, or `repository:owner/name` for a module that owns the repository. */
  rule: string;
  kind: "include" | "exclude";
}

export interface PathMatch {
  /** Index into `router.modules`. */
  module: number;
  /** Area indexes of the module that the path belongs to. */
  areas: number[];
  /** The first rule that put the path in the module (its own or an area's). */
  rule: string;
  /** The area whose glob `rule` is, when it is not the module's own. */
  ruleArea?: number;
}

/** Logins listed inline: a login the registry lists as emeritus only (in every entry naming it) is emeritus here too. */
function inlineMaintainers(logins: readonly string[], registry: Registry): Maintainer[] {
  return logins.map((login) => ({ login, name: login, emeritus: emeritusOnly(registry, login) }));
}

/** The first of each login (by loginKey): the same person may be listed twice under different letter cases. */
function onceEach(maintainers: readonly Maintainer[]): Maintainer[] {
  const seen = new Set<string>();
  return maintainers.filter((m) => {
    const key = loginKey(m.login);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function resolveMaintainers(spec: ModuleSpec, registry: Registry): { maintainers: Maintainer[]; from: string } {
  if (spec.maintainers) return { maintainers: inlineMaintainers(spec.maintainers, registry), from: "inline" };
  const entry = findEntry(registry, spec.registryEntry ?? spec.name);
  if (!entry) return { maintainers: [], from: spec.registryEntry ?? spec.name };
  return { maintainers: onceEach(entry.maintainers), from: entry.name };
}

/** Logins (by loginKey) the registry lists as emeritus only, in every entry naming them; made once per registry. */
const emeritusOnlyByRegistry = new WeakMap<Registry, Set<string>>();

function emeritusOnly(registry: Registry, login: string): boolean {
  let known = emeritusOnlyByRegistry.get(registry);
  if (!known) {
    const active = new Set<string>();
    known = new Set<string>();
    for (const e of registry.entries) for (const m of e.maintainers) (m.emeritus ? known : active).add(loginKey(m.login));
    for (const key of active) known.delete(key);
    emeritusOnlyByRegistry.set(registry, known);
  }
  return known.has(loginKey(login));
}

/**
 * Compile the configuration's globs and resolve its maintainers. With a deadline (a configuration
 * made from a large CODEOWNERS may have many modules), throws BudgetExceeded once it has passed.
 */
export function buildRouter(config: RouterConfig, registry: Registry, deadline?: Deadline): Router {
  const rules: { glob: string; tag: RuleTag }[] = [];
  const modules: ResolvedModule[] = config.modules.map((spec, module) => {
    if ((module & 1023) === 1023) checkDeadline(deadline, () => `building the router (module ${module + 1} of ${config.modules.length})`);
    for (const glob of spec.paths) rules.push({ glob, tag: { module, area: -1, kind: "include" } });
    for (const glob of spec.exclude) rules.push({ glob, tag: { module, area: -1, kind: "exclude" } });
    spec.areas.forEach((area, a) => {
      for (const glob of area.paths) rules.push({ glob, tag: { module, area: a, kind: "include" } });
      for (const glob of area.exclude) rules.push({ glob, tag: { module, area: a, kind: "exclude" } });
    });
    const { maintainers, from } = resolveMaintainers(spec, registry);
    return { spec, maintainers, maintainersFrom: from };
  });
  const owners = new Map<string, number[]>();
  modules.forEach((m, i) => {
    for (const repo of new Set(m.spec.repositories.map((r) => r.toLowerCase()))) owners.set(repo, [...(owners.get(repo) ?? []), i]);
  });
  const byName = new Map(modules.map((m, i) => [m.spec.name, i]));
  return {
    config,
    registry,
    modules,
    matcher: new GlobMatcher(rules),
    owners,
    byName,
    unownedReviewers: unownedReviewers(config, registry),
  };
}

/** `default_reviewers` logins, then `default_reviewers_entry` maintainers, each person once. */
function unownedReviewers(config: RouterConfig, registry: Registry): Maintainer[] {
  const { defaultReviewers, defaultReviewersEntry } = config.policy;
  const entry = defaultReviewersEntry === undefined ? undefined : findEntry(registry, defaultReviewersEntry);
  const listed = inlineMaintainers(
    defaultReviewers.filter((r) => !isTeamName(r)),
    registry,
  );
  return onceEach([...listed, ...(entry?.maintainers ?? [])]);
}

/** Modules that own `repository` whole; when any does, only they apply there. */
export function repositoryOwners(router: Router, repository: string): number[] {
  return router.owners.get(repository.toLowerCase()) ?? [];
}

/**
 * Every rule that touches `path` in `repository`, includes and excludes, in configuration order.
 * A module's own `exclude` keeps the path out of the module and all its areas; an area's
 * `exclude` keeps it out of that area only.
 */
export function explainPath(router: Router, repository: string, path: string): PathRule[] {
  const owners = repositoryOwners(router, repository);
  if (owners.length > 0) {
    return owners.map((i) => ({
      module: router.modules[i]!.spec.name,
      rule: `repository:${router.modules[i]!.spec.repositories.find((r) => r.toLowerCase() === repository.toLowerCase())}`,
      kind: "include" as const,
    }));
  }
  const rules: PathRule[] = router.matcher.match(path).map((hit) => {
    const spec = router.modules[hit.tag.module]!.spec;
    const area = hit.tag.area >= 0 ? spec.areas[hit.tag.area]!.name : undefined;
    return { module: spec.name, ...(area ? { area } : {}), rule: hit.glob, kind: hit.tag.kind };
  });
  const owned = router.config.ownership?.lookup(path);
  // A deciding rule without owners is shown as excluding: it leaves the path unowned.
  if (owned) rules.push({ module: owned.module ?? "(no owners)", rule: owned.rule, kind: owned.module === null ? "exclude" : "include" });
  return rules;
}

/** The module the configuration's ownership table gives `path`, if any. */
function ownershipMatch(router: Router, path: string, tick?: () => void): PathMatch | undefined {
  const owned = router.config.ownership?.lookup(path, tick);
  if (!owned || owned.module === null) return undefined;
  const module = router.byName.get(owned.module);
  return module === undefined ? undefined : { module, areas: [], rule: owned.rule };
}

/** The modules (and areas) `path` belongs to in `repository`, after exclusions. */
export function matchPath(router: Router, repository: string, path: string, tick?: () => void): PathMatch[] {
  const owners = repositoryOwners(router, repository);
  if (owners.length > 0) {
    return owners.map((module) => ({ module, areas: [], rule: `repository:${repository}` }));
  }
  const hits = router.matcher.match(path, tick);
  const owned = ownershipMatch(router, path, tick);
  if (hits.length === 0) return owned ? [owned] : [];
  // Tally per module: own include, own exclude, and per area include/exclude.
  const perModule = new Map<number, { own?: string; ownExcluded: boolean; areaInc: Map<number, string>; areaExc: Set<number> }>();
  for (const { glob, tag } of hits) {
    let t = perModule.get(tag.module);
    if (!t) {
      t = { ownExcluded: false, areaInc: new Map(), areaExc: new Set() };
      perModule.set(tag.module, t);
    }
    if (tag.area < 0) {
      if (tag.kind === "exclude") t.ownExcluded = true;
      else t.own ??= glob;
    } else if (tag.kind === "exclude") t.areaExc.add(tag.area);
    else if (!t.areaInc.has(tag.area)) t.areaInc.set(tag.area, glob);
  }
  const out: PathMatch[] = [];
  for (const [module, t] of perModule) {
    if (t.ownExcluded) continue;
    const areas = [...t.areaInc.keys()].filter((a) => !t.areaExc.has(a)).sort((a, b) => a - b);
    if (t.own !== undefined) out.push({ module, areas, rule: t.own });
    else if (areas.length > 0) out.push({ module, areas, rule: t.areaInc.get(areas[0]!)!, ruleArea: areas[0]! });
  }
  if (owned && !out.some((m) => m.module === owned.module)) out.push(owned);
  return out.sort((a, b) => a.module - b.module);
}

/** The same router with some policy settings changed (`route --widen`, the evaluation's variants). */
export function withPolicy(router: Router, over: Partial<RouterConfig["policy"]>): Router {
  return buildRouter({ ...router.config, policy: { ...router.config.policy, ...over } }, router.registry);
}
