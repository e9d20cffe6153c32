// The repository's CODEOWNERS as a module source for the app: read where GitHub reads it, only
// when a repository needs it (no review-router file outside the bundled organisations, or
// `codeowners: true` in its file), and compiled into a router once per distinct text.
//
// Reads: the contents API, without `ref` (the default branch, so a pull request cannot change its
// own routing), at `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` in that order, stopping
// at the first found. The usual place, `.github/`, costs one request; a repository without the
// file costs three 404s. One GraphQL query could look at all three at once, but GraphQL blobs
// come back truncated past a size and need another client path; the git trees API needs a second
// request for `.github/`. Neither is clearly fewer requests than this.

import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { BudgetExceeded, deadlineIn, ROUTING_BUDGET_MS, type Deadline } from "../core/budget.js";
import { CODEOWNERS_LOCATIONS, parseCodeowners } from "../core/codeowners.js";
import { withCodeowners } from "../core/codeowners-modules.js";
import type { RouterConfig } from "../core/config.js";
import { resolveLayered } from "../core/layering.js";
import type { Problem } from "../core/problems.js";
import type { Registry } from "../core/registry.js";
import { buildRouter, type Router } from "../core/router.js";
import type { DefaultBranchFiles } from "./port.js";

export interface CodeownersFile {
  /** Where it was found, e.g. `.github/CODEOWNERS`. */
  path: string;
  text: string;
}

/**
 * The first CODEOWNERS GitHub would use, from the default branch; undefined when there is none.
 * A 404 (or a directory of that name) moves on to the next place; any other failure is thrown,
 * so the delivery fails and is logged rather than routed without its owners.
 */
export async function fetchCodeowners(files: Pick<DefaultBranchFiles, "readRawFile">): Promise<CodeownersFile | undefined> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const text = await files.readRawFile(path);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

export interface CodeownersRouting {
  router: Router;
  config: RouterConfig;
  /** Lines GitHub skips too (bad owner, unsupported syntax), as warnings naming FILE:LINE. */
  problems: Problem[];
}

/**
 * Compiled routers by configuration and CODEOWNERS text. Parsing a large file and compiling its
 * rules costs milliseconds to tens of them, and the file rarely changes; the key is a digest of
 * everything the router is built from, so a replica with an empty cache decides the same.
 */
const CACHE_SIZE = 64;
const cache = new Map<string, CodeownersRouting>();

function digest(parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\u0000");
  return h.digest("hex");
}

/** The budget of reading a CODEOWNERS: `ms` from when it is asked for (default ROUTING_BUDGET_MS). */
function budgetOf(ms: number = ROUTING_BUDGET_MS): () => Deadline {
  return () => deadlineIn(ms, () => performance.now());
}

/**
 * `config` with the modules of `file` added (withCodeowners), compiled; memoised by content.
 * Everything up to the compiled router counts against the routing budget (one event loop serves
 * every installation): the digest, reading the file, its modules and the router. Past
 * ROUTING_BUDGET_MS it throws BudgetExceeded, and nothing is memoised.
 */
export function codeownersRouting(
  config: RouterConfig,
  registry: Registry,
  file: CodeownersFile,
  budget: () => Deadline = budgetOf(),
): CodeownersRouting {
  const deadline = budget();
  const key = digest([JSON.stringify(config), file.path, file.text]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // most recently used goes last
    cache.set(key, hit);
    return hit;
  }
  const co = parseCodeowners(file.text, file.path, deadline);
  const withOwners = withCodeowners(config, co, deadline);
  const routing: CodeownersRouting = {
    router: buildRouter(withOwners, registry, deadline),
    config: withOwners,
    // GitHub skips these lines and uses the rest: so does routing.
    problems: co.problems.map((p) => ({ ...p, severity: "warning" as const })),
  };
  cache.set(key, routing);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return routing;
}

/** The number of compiled routers held (for tests of the memoisation). */
export function codeownersCacheSize(): number {
  return cache.size;
}

const defaultsByBase = new WeakMap<Record<string, unknown>, RouterConfig>();

/**
 * What a repository without a review-router file starts from: the bundled file's policy and app
 * settings, none of its modules (they are another organisation's), as an empty repository file
 * layered over the bundled one would give.
 */
export function defaultsWithoutModules(raw: Record<string, unknown>, registry: Registry): RouterConfig {
  const known = defaultsByBase.get(raw);
  if (known) return known;
  const layered = resolveLayered(raw, registry, { value: {}, lineOf: () => undefined }, "(defaults)", { baseModules: false });
  if (!layered.config) {
    throw new Error(`the bundled configuration has no valid defaults: ${layered.problems.map((p) => p.message).join("; ")}`);
  }
  defaultsByBase.set(raw, layered.config);
  return layered.config;
}

/** How a summary (or the CLI) names a configuration made from a CODEOWNERS file alone. */
export function zeroConfigSource(codeownersPath: string): string {
  return `${codeownersPath} with review-router's default policy (no .github/review-router.yml)`;
}

/** Why nothing applies in a repository with neither a review-router file nor a CODEOWNERS. */
export function nothingAppliesReason(noFile: string): string {
  return `${noFile}, and no CODEOWNERS in ${CODEOWNERS_LOCATIONS.join(", ")}`;
}

/** The parts of a loaded configuration this module reads and returns (RepoConfigResult's "ok"). */
export interface LoadedRouting {
  kind: "ok";
  router: Router;
  config: RouterConfig;
  source: string;
  problems: Problem[];
}

/**
 * A repository with no review-router file outside the bundled organisations: routed from its
 * CODEOWNERS with the default policy on top, or not at all (`none`, with why) without one.
 */
export async function routeFromCodeowners(
  files: Pick<DefaultBranchFiles, "readRawFile">,
  bundled: { raw: Record<string, unknown>; registry: Registry; codeownersBudgetMs?: number },
  noFile: string,
): Promise<LoadedRouting | { kind: "none"; reason: string }> {
  const found = await fetchCodeowners(files);
  if (!found) return { kind: "none", reason: nothingAppliesReason(noFile) };
  let routing: CodeownersRouting;
  try {
    const defaults = defaultsWithoutModules(bundled.raw, bundled.registry);
    routing = codeownersRouting(defaults, bundled.registry, found, budgetOf(bundled.codeownersBudgetMs));
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    return { kind: "none", reason: `${noFile}, and ${err.message}; not acted on (the next event tries again)` };
  }
  return { kind: "ok", ...routing, source: zeroConfigSource(found.path) };
}

/** A repository file with `codeowners: true`: its CODEOWNERS modules added over the layered configuration. */
export async function addRepoCodeowners(
  files: Pick<DefaultBranchFiles, "readRawFile">,
  registry: Registry,
  loaded: Omit<LoadedRouting, "kind" | "router">,
  compileWithout: () => Router,
  budgetMs?: number,
): Promise<LoadedRouting> {
  const found = await fetchCodeowners(files);
  if (!found) {
    const missing: Problem = {
      file: ".github/review-router.yml",
      key: "codeowners",
      severity: "warning",
      message:
        `codeowners is true but there is no CODEOWNERS in ${CODEOWNERS_LOCATIONS.join(", ")} on the default branch; ` +
        "only the file's modules apply",
    };
    return { kind: "ok", ...loaded, router: compileWithout(), problems: [...loaded.problems, missing] };
  }
  let routing: CodeownersRouting;
  try {
    routing = codeownersRouting(loaded.config, registry, found, budgetOf(budgetMs));
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    const late: Problem = {
      file: found.path,
      severity: "warning",
      message: `${err.message}; only the configuration's modules apply to this event (the next event tries again)`,
    };
    return { kind: "ok", ...loaded, router: compileWithout(), problems: [...loaded.problems, late] };
  }
  const source = `${loaded.source}, with modules from ${found.path}`;
  return { kind: "ok", ...loaded, ...routing, source, problems: [...loaded.problems, ...routing.problems] };
}
