// A repository's configuration layered over a base one (the bundled PyTorch configuration).
// The app does this with `.github/review-router.yml`; the CLI does the same with any file that
// names no registry of its own, so that `review-router route --config FILE` decides exactly what
// the app would in a repository holding FILE.

import { checkConfig, type RouterConfig } from "./config.js";
import { hasErrors, type Problem } from "./problems.js";
import type { Registry } from "./registry.js";
import { isPlainObject } from "./util.js";
import type { ParsedYaml } from "./yaml.js";

function sameName(a: unknown, name: string): boolean {
  return isPlainObject(a) && typeof a.name === "string" && a.name.toLowerCase() === name.toLowerCase();
}

/**
 * The repository's file with each module that names a base module completed by the base
 * module's keys. Indexes stay those of the file, so problems point at the file's own lines.
 */
function overlayModules(base: Record<string, unknown>, repo: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(repo.modules) || repo.use_default_modules === false) return repo;
  const baseModules = Array.isArray(base.modules) ? base.modules : [];
  return {
    ...repo,
    modules: repo.modules.map((m: unknown) => {
      if (!isPlainObject(m) || typeof m.name !== "string") return m;
      const found = baseModules.find((b) => sameName(b, m.name as string));
      return found ? { ...(found as Record<string, unknown>), ...m } : m;
    }),
  };
}

/**
 * Merge a repository's configuration over the base: top-level keys override; modules merge by
 * name (case-insensitive), key by key; modules with new names are added. With
 * `use_default_modules: false` only the repository's modules apply.
 */
export function mergeOverBase(base: Record<string, unknown>, repo: Record<string, unknown>): Record<string, unknown> {
  const overlaid = overlayModules(base, repo);
  const merged: Record<string, unknown> = { ...base, ...overlaid };
  delete merged.registry; // the base's registry is already loaded; a layered file names none
  // `triage` merges key by key (its weights too), so a repository may change one weight only.
  if (isPlainObject(base.triage) && isPlainObject(repo.triage)) {
    const [bw, rw] = [base.triage.weights, repo.triage.weights];
    merged.triage = { ...base.triage, ...repo.triage, ...(isPlainObject(bw) && isPlainObject(rw) ? { weights: { ...bw, ...rw } } : {}) };
  }
  const baseModules = repo.use_default_modules === false || !Array.isArray(base.modules) ? [] : base.modules;
  const out: unknown[] = [...baseModules];
  for (const m of Array.isArray(overlaid.modules) ? overlaid.modules : []) {
    const at = isPlainObject(m) && typeof m.name === "string" ? out.findIndex((b) => sameName(b, m.name as string)) : -1;
    if (at >= 0) out[at] = m;
    else out.push(m);
  }
  merged.modules = out;
  return merged;
}

/** Owners (lower case) of the repositories a configuration's modules own whole: the organisations it is for. */
export function configOwners(config: RouterConfig): Set<string> {
  const owners = new Set<string>();
  for (const m of config.modules) for (const r of m.repositories) owners.add(r.split("/")[0]!.toLowerCase());
  return owners;
}

/**
 * Whether the base's modules apply by default to a repository's file: only inside the
 * organisations the base is for. Elsewhere a file starts from its own modules, so that a
 * five-line file in someone else's project never asks PyTorch's maintainers to review.
 */
export function baseModulesApplyTo(owners: ReadonlySet<string>, repository: string): boolean {
  return owners.has(repository.split("/")[0]!.toLowerCase());
}

export interface LayerOptions {
  /**
   * Whether the base's modules apply when the file does not set `use_default_modules`
   * (see baseModulesApplyTo). The file's own `use_default_modules` always wins.
   */
  baseModules: boolean;
}

/**
 * Check a repository's file (`doc`: its value, and its lines when known) and layer it over the
 * base. Problems name the file's own keys; the configuration is returned only without errors.
 */
export function resolveLayered(
  base: Record<string, unknown>,
  registry: Registry,
  doc: ParsedYaml,
  file: string,
  options: LayerOptions,
): { config?: RouterConfig; problems: Problem[] } {
  if (!isPlainObject(doc.value)) {
    return { problems: [{ file, line: 1, severity: "error", message: "the configuration must be a YAML mapping of keys" }] };
  }
  if ("registry" in doc.value) {
    return {
      problems: [
        {
          file,
          line: doc.lineOf(["registry"]),
          key: "registry",
          severity: "error",
          message: "a repository's configuration uses the bundled registry; remove `registry`",
        },
      ],
    };
  }
  const useBase = typeof doc.value.use_default_modules === "boolean" ? doc.value.use_default_modules : options.baseModules;
  // Without the base's modules, the file's modules are checked and merged alone; policy defaults still
  // come from the base, except its catch-all reviewers: like its modules, they are the base's people.
  if (!useBase) {
    base = { ...base, modules: [] };
    delete base.default_reviewers_entry;
  }
  const own = checkConfig({ value: overlayModules(base, doc.value), lineOf: doc.lineOf }, file, registry);
  if (hasErrors(own.problems)) return { problems: own.problems };
  const merged = checkConfig({ value: mergeOverBase(base, doc.value), lineOf: () => undefined }, file, registry);
  if (!merged.config || hasErrors(merged.problems)) return { problems: merged.problems };
  return { config: merged.config, problems: own.problems };
}
