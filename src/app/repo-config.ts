// A repository's configuration: `.github/review-router.yml` from the default branch (through
// Probot's context.config, so `_extends` and the org-wide `.github` repository work), merged over
// the bundled PyTorch configuration. A pull request that edits the file cannot change its own
// routing, because context.config reads the default branch.

import type { RouterConfig } from "../core/config.js";
import { baseModulesApplyTo, resolveLayered } from "../core/layering.js";
import { hasErrors, type Problem } from "../core/problems.js";
import type { Registry } from "../core/registry.js";
import { buildRouter, type Router } from "../core/router.js";
import { parseYaml } from "../core/yaml.js";

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
  // Problems name the file's own keys; lines need the file's text, fetched only when needed.
  const layer = { baseModules: baseModulesApplyTo(bundled.owners, `${owner}/${repo}`) };
  let layered = resolveLayered(bundled.raw, bundled.registry, { value, lineOf: () => undefined }, CONFIG_PATH, layer);
  if (hasErrors(layered.problems)) {
    const raw = await fetchRawConfig(context);
    const parsed = raw === undefined ? undefined : parseYaml(raw, CONFIG_PATH);
    if (parsed?.ok) layered = resolveLayered(bundled.raw, bundled.registry, { value, lineOf: parsed.doc.lineOf }, CONFIG_PATH, layer);
    return { kind: "error", file: CONFIG_PATH, problems: layered.problems };
  }
  const config = layered.config!;
  return {
    kind: "ok",
    router: compiledRouter(config, bundled.registry),
    config,
    source: `${CONFIG_PATH} merged over the bundled PyTorch configuration`,
    problems: layered.problems,
  };
}
