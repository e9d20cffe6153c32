// A repository's configuration: `.github/review-router.yml` from the default branch (through
// Probot's context.config, so `_extends` and the org-wide `.github` repository work), merged over
// the bundled PyTorch configuration. A pull request that edits the file cannot change its own
// routing, because context.config reads the default branch.

import { checkConfig, type RouterConfig } from "../core/config.js";
import { hasErrors, type Problem } from "../core/problems.js";
import type { Registry } from "../core/registry.js";
import { buildRouter, type Router } from "../core/router.js";
import { parseYaml, type ParsedYaml } from "../core/yaml.js";

export const CONFIG_FILE = "review-router.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

/** What every replica loads once at start-up: the bundled configuration, as raw YAML and checked. */
export interface Bundled {
  raw: Record<string, unknown>;
  config: RouterConfig;
  registry: Registry;
  router: Router;
  /** Owners of the repositories the bundled configuration names (pytorch): it applies there without a file. */
  owners: Set<string>;
}

export type RepoConfigResult =
  | { kind: "ok"; router: Router; config: RouterConfig; source: string; problems: Problem[] }
  | { kind: "none"; reason: string }
  | { kind: "error"; file: string; problems: Problem[] };

/** The minimum of Probot's Context this module needs; tests pass a real Context. */
export interface ConfigContext {
  config<T>(fileName: string, defaultConfig?: T, deepMergeOptions?: object): Promise<T | null>;
  repo<T>(o?: T): { owner: string; repo: string } & T;
  octokit: { request: (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }> };
}

/**
 * Compiled routers by configuration. Compiling a configuration's globs costs tens of
 * milliseconds, and a repository's file rarely changes, so each replica keeps the last few it
 * compiled. This is memoisation, not shared state: the key is the whole configuration, so a
 * replica with an empty cache decides exactly the same.
 */
const ROUTER_CACHE_SIZE = 64;
const routerCache = new Map<string, Router>();

function compiledRouter(config: RouterConfig, registry: Registry): Router {
  const key = JSON.stringify(config);
  const hit = routerCache.get(key);
  if (hit) {
    routerCache.delete(key); // most recently used goes last
    routerCache.set(key, hit);
    return hit;
  }
  const router = buildRouter(config, registry);
  routerCache.set(key, router);
  if (routerCache.size > ROUTER_CACHE_SIZE) routerCache.delete(routerCache.keys().next().value!);
  return router;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function sameName(a: unknown, name: string): boolean {
  return isRecord(a) && typeof a.name === "string" && a.name.toLowerCase() === name.toLowerCase();
}

/**
 * The repository's file with each module that names a bundled module completed by the bundled
 * module's keys. Indexes stay those of the file, so problems point at the file's own lines.
 */
function overlayModules(bundled: Record<string, unknown>, repo: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(repo.modules) || repo.use_default_modules === false) return repo;
  const baseModules = Array.isArray(bundled.modules) ? bundled.modules : [];
  return {
    ...repo,
    modules: repo.modules.map((m: unknown) => {
      if (!isRecord(m) || typeof m.name !== "string") return m;
      const base = baseModules.find((b) => sameName(b, m.name as string));
      return base ? { ...(base as Record<string, unknown>), ...m } : m;
    }),
  };
}

/**
 * Merge a repository's configuration over the bundled one: top-level keys override; modules
 * merge by name (case-insensitive), key by key; modules with new names are added. With
 * `use_default_modules: false` only the repository's modules apply.
 */
export function mergeOverBundled(bundled: Record<string, unknown>, repo: Record<string, unknown>): Record<string, unknown> {
  const overlaid = overlayModules(bundled, repo);
  const merged: Record<string, unknown> = { ...bundled, ...overlaid };
  delete merged.registry; // the bundled registry is already loaded; a repository cannot name files
  const baseModules = repo.use_default_modules === false || !Array.isArray(bundled.modules) ? [] : bundled.modules;
  const out: unknown[] = [...baseModules];
  for (const m of Array.isArray(overlaid.modules) ? overlaid.modules : []) {
    const at = isRecord(m) && typeof m.name === "string" ? out.findIndex((b) => sameName(b, m.name as string)) : -1;
    if (at >= 0) out[at] = m;
    else out.push(m);
  }
  merged.modules = out;
  return merged;
}

/** Line of a YAML parse error thrown by context.config (the `yaml` package's YAMLParseError). */
function yamlErrorLine(err: unknown): number | undefined {
  const cause = (err as { cause?: { linePos?: { line: number }[] } }).cause;
  return cause?.linePos?.[0]?.line;
}

async function fetchRawConfig(context: ConfigContext): Promise<string | undefined> {
  try {
    const { data } = await context.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...context.repo({ path: CONFIG_PATH }),
      mediaType: { format: "raw" },
    });
    return typeof data === "string" ? data : undefined;
  } catch {
    return undefined;
  }
}

export async function loadRepoConfig(context: ConfigContext, bundled: Bundled): Promise<RepoConfigResult> {
  const { owner, repo } = context.repo();
  let value: unknown;
  try {
    // Arrays replace rather than concatenate when `_extends` layers files.
    value = await context.config<Record<string, unknown>>(CONFIG_FILE, undefined, { arrayMerge: (_t: unknown[], s: unknown[]) => s });
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (/could not be parsed|not an object/i.test(message)) {
      return {
        kind: "error",
        file: CONFIG_PATH,
        problems: [{ file: CONFIG_PATH, line: yamlErrorLine(err), severity: "error", message: `invalid YAML: ${(err as { cause?: Error }).cause?.message?.split("\n")[0] ?? message}` }],
      };
    }
    throw err; // a GitHub failure: let the delivery fail and be logged
  }
  if (value === null || value === undefined) {
    if (!bundled.owners.has(owner.toLowerCase())) {
      return { kind: "none", reason: `${owner}/${repo} has no ${CONFIG_PATH} and the bundled configuration is for ${[...bundled.owners].join(", ")}` };
    }
    return { kind: "ok", router: bundled.router, config: bundled.config, source: "bundled PyTorch configuration", problems: [] };
  }
  if (!isRecord(value)) {
    return { kind: "error", file: CONFIG_PATH, problems: [{ file: CONFIG_PATH, line: 1, severity: "error", message: "the configuration must be a YAML mapping of keys" }] };
  }
  // Check the repository's own keys first, so that problems name its file, keys and lines.
  const overlaid = overlayModules(bundled.raw, value);
  const own = checkConfig({ value: overlaid, lineOf: () => undefined }, CONFIG_PATH, bundled.registry);
  if (hasErrors(own.problems)) {
    // Only now fetch the file's text: its positions give each problem a line.
    const raw = await fetchRawConfig(context);
    const parsed = raw === undefined ? undefined : parseYaml(raw, CONFIG_PATH);
    const lines: ParsedYaml | undefined = parsed?.ok ? { value: overlaid, lineOf: parsed.doc.lineOf } : undefined;
    const problems = lines ? checkConfig(lines, CONFIG_PATH, bundled.registry).problems : own.problems;
    return { kind: "error", file: CONFIG_PATH, problems };
  }
  const merged = checkConfig({ value: mergeOverBundled(bundled.raw, value), lineOf: () => undefined }, CONFIG_PATH, bundled.registry);
  if (!merged.config || hasErrors(merged.problems)) return { kind: "error", file: CONFIG_PATH, problems: merged.problems };
  return {
    kind: "ok",
    router: compiledRouter(merged.config, bundled.registry),
    config: merged.config,
    source: `${CONFIG_PATH} merged over the bundled PyTorch configuration`,
    problems: own.problems,
  };
}
