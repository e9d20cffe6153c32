// A repository's configuration: `.github/review-router.yml` from the default branch (or the
// owner's `.github` repository, and the files `_extends` names, as Probot's config loader reads
// them), merged over the bundled PyTorch configuration. A pull request that edits the file cannot
// change its own routing, because the default branch is read. Files are fetched through the
// contents API, whose answer gives the size: an oversized file is refused before it is parsed.

import type { RouterConfig } from "../core/config.js";
import { baseModulesApplyTo, configOwners, resolveLayered } from "../core/layering.js";
import { hasErrors, type Problem } from "../core/problems.js";
import type { Registry } from "../core/registry.js";
import { buildRouter, type Router } from "../core/router.js";
import { parseYaml } from "../core/yaml.js";
import { BUNDLED_CONFIG, loadConfigFile } from "../io/files.js";
import type { ApprovalHistoryCache } from "./approval-history.js";
import { addRepoCodeowners, routeFromCodeowners } from "./codeowners-source.js";
import { MAX_CONFIG_BYTES, type DefaultBranchFiles, type Fetched, type FileAt } from "./port.js";

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
  /** The server's cache of configuration files (see ConfigFileCache); the CLI and the Action read without one. */
  files?: ConfigFileCache;
  /** The server's cache of directories' approval histories (see ApprovalHistoryCache); the CLI and the Action read without one. */
  approvals?: ApprovalHistoryCache;
  /**
   * Milliseconds reading a CODEOWNERS into modules may take (default ROUTING_BUDGET_MS: one event
   * loop serves every installation). The offline CLI serves one person and waits: Infinity.
   */
  codeownersBudgetMs?: number;
}

/**
 * Load and check the bundled configuration (once per process: the file is read and checked once).
 * Its router is compiled on first use: a command line run in a repository with its own file never
 * needs it. A broken bundled configuration throws ConfigError, which stops start-up.
 */
export function loadBundled(file: string = BUNDLED_CONFIG): Bundled {
  const loaded = loadConfigFile(file);
  let router: Router | undefined;
  return {
    raw: loaded.raw,
    config: loaded.config,
    registry: loaded.registry,
    get router() {
      return (router ??= buildRouter(loaded.config, loaded.registry));
    },
    owners: configOwners(loaded.config),
  };
}

export type RepoConfigResult =
  | { kind: "ok"; router: Router; config: RouterConfig; source: string; problems: Problem[] }
  | { kind: "none"; reason: string }
  | { kind: "error"; file: string; problems: Problem[] };

/** A configuration that loaded: what the runner plans with. */
export type RepoConfigLoaded = Extract<RepoConfigResult, { kind: "ok" }>;

/** A configuration file larger than this is refused from its size alone, before it is read or parsed. */
export { MAX_CONFIG_BYTES };

/**
 * Compiled routers by configuration. Compiling a configuration's globs costs tens of
 * milliseconds, and a repository's file rarely changes, so each replica keeps the last few it
 * compiled. This is memoisation, not shared state: the key is the whole configuration, so a
 * replica with an empty cache decides exactly the same.
 */
const ROUTER_CACHE_SIZE = 64;
const routerCache = new Map<string, Router>();

/** The same configuration object (from the checked-configuration cache) skips serialising it for the key. */
const routerByConfig = new WeakMap<RouterConfig, Router>();

export function compiledRouter(config: RouterConfig, registry: Registry): Router {
  const known = routerByConfig.get(config);
  if (known && known.registry === registry) return known;
  const key = JSON.stringify(config);
  const hit = routerCache.get(key);
  if (hit) {
    routerCache.delete(key); // most recently used goes last
    routerCache.set(key, hit);
    routerByConfig.set(config, hit);
    return hit;
  }
  const router = buildRouter(config, registry);
  routerByConfig.set(config, router);
  routerCache.set(key, router);
  if (routerCache.size > ROUTER_CACHE_SIZE) routerCache.delete(routerCache.keys().next().value!);
  return router;
}

/** How long a cached configuration file is used without asking GitHub, when no `push` said it changed. */
export const CONFIG_MAX_AGE_MS = 5 * 60_000;
const CONFIG_CACHE_ENTRIES = 2000;

/**
 * Configuration files a server replica has read, by repository and path. A repository's file is
 * read for every delivery otherwise, though it changes a few times a year. An entry is used as
 * is for at most CONFIG_MAX_AGE_MS; a `push` to the repository's default branch drops its entries
 * at once (see `forget`), so a missed push delays a change by that age at most. After that age the
 * file is asked for again with its ETag: GitHub answers 304 (not counted against the rate limit)
 * when the file is unchanged. A replica with an empty cache decides the same, one read later.
 */
export class ConfigFileCache {
  private readonly entries = new Map<string, { fetched: Fetched; etag?: string; at: number }>();
  constructor(
    private readonly now: () => number = Date.now,
    readonly maxAgeMs: number = CONFIG_MAX_AGE_MS,
  ) {}

  static key(owner: string, repo: string, path: string): string {
    return `${owner}/${repo}:${path}`.toLowerCase();
  }

  get(key: string): { fetched: Fetched; etag?: string; fresh: boolean } | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    return { fetched: hit.fetched, ...(hit.etag !== undefined ? { etag: hit.etag } : {}), fresh: this.now() - hit.at < this.maxAgeMs };
  }

  set(key: string, fetched: Fetched, etag: string | undefined): void {
    this.entries.delete(key); // most recently read goes last
    this.entries.set(key, { fetched, ...(etag !== undefined ? { etag } : {}), at: this.now() });
    if (this.entries.size > CONFIG_CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /** A push to `owner/repo`'s default branch: every file cached from that repository is read again. */
  forget(owner: string, repo: string): number {
    const prefix = `${owner}/${repo}:`.toLowerCase();
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        n += 1;
      }
    }
    return n;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A file from the cache while fresh; after that, asked again with its ETag (a 304 renews it). */
async function fetchFile(files: DefaultBranchFiles, at: FileAt, cache?: ConfigFileCache): Promise<Fetched> {
  if (!cache) return (await files.readFile(at)).fetched;
  const key = ConfigFileCache.key(at.owner, at.repo, at.path);
  const hit = cache.get(key);
  if (hit?.fresh) return hit.fetched;
  const answer = await files.readFile(at, hit?.etag);
  const fetched = answer.notModified && hit ? hit.fetched : answer.fetched;
  cache.set(key, fetched, answer.etag ?? hit?.etag);
  return fetched;
}

// `_extends: repo`, `owner/repo` or either followed by `:path/to/file.yml`, as Probot reads it.
const EXTENDS_RE = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w]+)(?::([-_./\w]+\.ya?ml))?$/i;
/** Files one `_extends` chain may read, the repository's own included. */
const MAX_EXTENDS = 5;

/** Parsed documents by text: a file that has not changed is parsed once per replica. */
const parsedCache = new Map<string, ReturnType<typeof parseYaml>>();
function parseCached(text: string): ReturnType<typeof parseYaml> {
  const hit = parsedCache.get(text);
  if (hit) return hit;
  const parsed = parseYaml(text, CONFIG_PATH);
  parsedCache.set(text, parsed);
  if (parsedCache.size > ROUTER_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
  return parsed;
}

/** Checked configurations by the texts they came from: each distinct configuration is checked once. */
const layeredCache = new Map<string, ReturnType<typeof resolveLayered>>();

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Probot's layering of `_extends` files: mappings merge key by key, anything else (lists too) replaces. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

function fileError(message: string, line?: number): RepoConfigResult {
  return {
    kind: "error",
    file: CONFIG_PATH,
    problems: [{ file: CONFIG_PATH, ...(line !== undefined ? { line } : {}), severity: "error", message }],
  };
}

/** The start of what is said when a repository has no file and the bundled configuration is another organisation's. */
export function noConfigFile(repository: string, bundledOwners: ReadonlySet<string>): string {
  return `${repository} has no ${CONFIG_PATH} and the bundled configuration is for ${[...bundledOwners].join(", ")}`;
}

/**
 * The repository's configuration from its default branch, read through the port's file verbs and
 * layered (size checked first, `_extends`, the owner's `.github` repository, CODEOWNERS).
 */
export async function loadRepoConfig(files: DefaultBranchFiles, bundled: Bundled): Promise<RepoConfigResult> {
  const { owner, repo } = files.repo;
  // The repository's file, else the owner's `.github` repository's (Probot's organisation-wide default).
  let at: FileAt = { owner, repo, path: CONFIG_PATH };
  let fetched = await fetchFile(files, at, bundled.files);
  if (fetched.kind === "missing" && repo !== ".github") {
    at = { owner, repo: ".github", path: CONFIG_PATH };
    fetched = await fetchFile(files, at, bundled.files);
  }
  if (fetched.kind === "missing") {
    if (!bundled.owners.has(owner.toLowerCase())) {
      // Zero-config adoption: the repository's CODEOWNERS, when it has one, says who owns what.
      const noFile = noConfigFile(`${owner}/${repo}`, bundled.owners);
      return routeFromCodeowners(files, bundled, noFile);
    }
    return { kind: "ok", router: bundled.router, config: bundled.config, source: "bundled PyTorch configuration", problems: [] };
  }
  if (fetched.kind === "refused") return fileError(fetched.message);
  const own = parseCached(fetched.text);
  if (!own.ok) return { kind: "error", file: CONFIG_PATH, problems: [own.problem] };
  // Follow `_extends`: each file layers over the one it names.
  const texts = [fetched.text];
  let value: unknown = own.doc.value ?? {};
  let next = isRecord(value) ? value._extends : undefined;
  const seen = new Set([`${at.owner}/${at.repo}:${at.path}`.toLowerCase()]);
  while (next !== undefined) {
    const m = typeof next === "string" ? EXTENDS_RE.exec(next) : null;
    if (!m)
      return fileError(
        `_extends: ${JSON.stringify(next)} is not "repo", "owner/repo" or either with ":path/file.yml"`,
        own.doc.lineOf(["_extends"]),
      );
    const target = { owner: m[1] ?? owner, repo: m[2]!, path: m[3] ?? CONFIG_PATH };
    const key = `${target.owner}/${target.repo}:${target.path}`.toLowerCase();
    if (seen.has(key)) return fileError(`_extends: ${key} is read twice (the chain loops)`, own.doc.lineOf(["_extends"]));
    if (seen.size >= MAX_EXTENDS)
      return fileError(`_extends: the chain reads more than ${MAX_EXTENDS} files`, own.doc.lineOf(["_extends"]));
    seen.add(key);
    const base = await fetchFile(files, target, bundled.files);
    if (base.kind === "refused") return fileError(`_extends: ${target.owner}/${target.repo}:${target.path}: ${base.message}`);
    if (base.kind === "missing") break; // Probot ignores an _extends that names no file
    const parsed = parseCached(base.text);
    if (!parsed.ok) return fileError(`_extends: ${target.owner}/${target.repo}:${target.path}: ${parsed.problem.message}`);
    texts.push(base.text);
    const baseValue = parsed.doc.value ?? {};
    next = isRecord(baseValue) ? baseValue._extends : undefined;
    value = deepMerge(baseValue, value);
  }
  if (isRecord(value) && "_extends" in value) {
    const { _extends: _ignored, ...rest } = value;
    value = rest;
  }
  // Outside the bundled organisations a file starts from no bundled modules (see layering.ts).
  const layer = { baseModules: baseModulesApplyTo(bundled.owners, `${owner}/${repo}`) };
  const cacheKey = JSON.stringify([layer.baseModules, texts]);
  let layered = layeredCache.get(cacheKey);
  if (!layered) {
    layered = resolveLayered(bundled.raw, bundled.registry, { value, lineOf: own.doc.lineOf }, CONFIG_PATH, layer);
    layeredCache.set(cacheKey, layered);
    if (layeredCache.size > ROUTER_CACHE_SIZE) layeredCache.delete(layeredCache.keys().next().value!);
  }
  if (hasErrors(layered.problems)) return { kind: "error", file: CONFIG_PATH, problems: layered.problems };
  const config = layered.config!;
  const source = `${CONFIG_PATH} merged over the bundled PyTorch configuration`;
  const compile = () => compiledRouter(config, bundled.registry);
  if (config.app.codeowners) {
    return addRepoCodeowners(files, bundled.registry, { config, source, problems: layered.problems }, compile, bundled.codeownersBudgetMs);
  }
  return { kind: "ok", router: compile(), config, source, problems: layered.problems };
}
