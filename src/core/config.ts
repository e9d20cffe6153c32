// The routing configuration: the module map (paths → module → label and maintainers), the
// reviewer policy, and the app's behaviour switches. One schema serves the bundled PyTorch file,
// files given to the CLI, and `.github/review-router.yml` in a repository, so a file that
// `review-router validate` accepts is a file the app accepts.

import { globProblem } from "./matcher.js";
import type { Problem } from "./problems.js";
import { findEntry, isValidLogin, loginKey, type Registry } from "./registry.js";
import { DEFAULT_REROUTE, REROUTE_KEYS, validTimeZone, type RerouteSettings } from "./overdue.js";
import { formatKeyPath, parseYaml, type KeyPath, type ParsedYaml } from "./yaml.js";

export interface AreaSpec {
  name: string;
  label: string;
  paths: string[];
  exclude: string[];
  keywords: string[];
}

export interface ModuleSpec {
  name: string;
  /** The GitHub label for the module; optional when its areas carry labels or it owns whole repositories. */
  label?: string;
  paths: string[];
  exclude: string[];
  areas: AreaSpec[];
  /** Logins listed inline; all count as active. When absent, the registry entry is used. */
  maintainers?: string[];
  /** Registry entry whose maintainers review this module; defaults to the module's name. */
  registryEntry?: string;
  /** Repositories (owner/name) this module owns whole, e.g. pytorch/vision for TorchVision. */
  repositories: string[];
  /** Words that, found in an issue, name this module (matched as whole words, any case). */
  keywords: string[];
}

export interface Policy {
  /** Active maintainers to request per touched module. */
  reviewersPerModule: number;
  /** Most reviewers (users and teams, already requested ones included) on one pull request. */
  maxReviewers: number;
  /** Requested for a module with no eligible active maintainer. Empty: label only. */
  fallbackReviewers: string[];
  /** Logins never requested (away, on leave). */
  unavailable: string[];
  /** Pull requests by these authors are labelled but get no review requests (bots). */
  ignoreAuthors: string[];
}

export type SummaryMode = "check" | "comment" | "none";

export interface AppSettings {
  /** Draft pull requests get labels but no review requests until ready for review. */
  skipDrafts: boolean;
  /** Remove module labels review-router itself added when the PR no longer touches the module. */
  syncLabels: boolean;
  summary: SummaryMode;
  dryRun: boolean;
  /** Comment once on a new issue to cc the matched modules' active maintainers. */
  issueComment: boolean;
  /** In a repository's file: whether the bundled modules apply too (the file's modules merge over them). */
  useDefaultModules: boolean;
  /** Overdue re-routing (reroute_after_hours, reroute_timezone); see src/core/overdue.ts. */
  reroute: RerouteSettings;
}

export interface RouterConfig {
  /** Registry file named by the configuration, relative to it (CLI and bundled files only). */
  registryFile?: string;
  policy: Policy;
  app: AppSettings;
  modules: ModuleSpec[];
}

export const DEFAULT_POLICY: Policy = {
  reviewersPerModule: 1,
  maxReviewers: 3,
  fallbackReviewers: [],
  unavailable: [],
  ignoreAuthors: [],
};

export const DEFAULT_APP_SETTINGS: AppSettings = {
  skipDrafts: true,
  syncLabels: false,
  summary: "check",
  dryRun: false,
  issueComment: false,
  useDefaultModules: true,
  reroute: DEFAULT_REROUTE,
};

/** Limits on a configuration's size, so that a hostile file costs little to refuse. */
export const CONFIG_LIMITS = { maxModules: 500, maxGlobsPerModule: 200, maxAreas: 50, maxKeywords: 100 } as const;

const TOP_KEYS = [
  "registry",
  "reviewers_per_module",
  "max_reviewers",
  "fallback_reviewers",
  "unavailable",
  "ignore_authors",
  "skip_drafts",
  "sync_labels",
  "summary",
  "dry_run",
  "issue_comment",
  "use_default_modules",
  ...REROUTE_KEYS,
  "modules",
] as const;
const MODULE_KEYS = ["name", "label", "paths", "exclude", "areas", "maintainers", "registry_entry", "repository", "keywords"] as const;
const AREA_KEYS = ["name", "label", "paths", "exclude", "keywords"] as const;
const REPO_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Parse a configuration file and check it; `registry` enables the registry cross-checks. */
export function parseConfig(
  text: string,
  file: string,
  registry?: Registry,
): { config?: RouterConfig; problems: Problem[] } {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { problems: [parsed.problem] };
  return checkConfig(parsed.doc, file, registry);
}

class Checker {
  readonly problems: Problem[] = [];
  constructor(
    readonly doc: ParsedYaml,
    readonly file: string,
  ) {}

  report(path: KeyPath, message: string, severity: "error" | "warning" = "error"): void {
    this.problems.push({ file: this.file, line: this.doc.lineOf(path), key: formatKeyPath(path), message, severity });
  }

  unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], at: KeyPath): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.report([...at, k], `unknown key; expected one of: ${allowed.join(", ")}`);
    }
  }

  mapping(value: unknown, at: KeyPath, what: string): Record<string, unknown> | undefined {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    this.report(at, `must be a mapping (${what})`);
    return undefined;
  }

  string(value: unknown, at: KeyPath, required: boolean): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.report(at, "is required and must be a non-empty string");
      return undefined;
    }
    if (typeof value !== "string" || value.trim() === "") {
      this.report(at, "must be a non-empty string");
      return undefined;
    }
    return value;
  }

  bool(value: unknown, at: KeyPath, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") {
      this.report(at, "must be true or false");
      return fallback;
    }
    return value;
  }

  int(value: unknown, at: KeyPath, fallback: number, min: number, max: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.report(at, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  strings(value: unknown, at: KeyPath, limit: number): string[] {
    if (value === undefined || value === null) return [];
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list)) {
      this.report(at, "must be a list of strings");
      return [];
    }
    if (list.length > limit) {
      this.report(at, `has ${list.length} items; the limit is ${limit}`);
      return [];
    }
    const out: string[] = [];
    list.forEach((item: unknown, i: number) => {
      if (typeof item !== "string" || item.trim() === "") {
        this.report(typeof value === "string" ? at : [...at, i], "must be a non-empty string");
      } else out.push(item);
    });
    return out;
  }

  globs(value: unknown, at: KeyPath): string[] {
    const list = this.strings(value, at, CONFIG_LIMITS.maxGlobsPerModule);
    const out: string[] = [];
    list.forEach((glob, i) => {
      const problem = globProblem(glob);
      if (problem) this.report(typeof value === "string" ? at : [...at, i], `bad glob "${truncate(glob)}": ${problem}`);
      else out.push(glob);
    });
    return out;
  }

  logins(value: unknown, at: KeyPath): string[] {
    const list = this.strings(value, at, 1000);
    list.forEach((login, i) => {
      if (!isValidLogin(login)) this.report(typeof value === "string" ? at : [...at, i], `"${truncate(login)}" is not a GitHub login`);
    });
    return list.filter(isValidLogin);
  }
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function checkConfig(doc: ParsedYaml, file: string, registry?: Registry): { config?: RouterConfig; problems: Problem[] } {
  const c = new Checker(doc, file);
  const root = doc.value ?? {}; // an empty file is an empty configuration
  const r = c.mapping(root, [], "the review-router configuration");
  if (!r) return { problems: c.problems };
  c.unknownKeys(r, TOP_KEYS, []);

  const policy: Policy = {
    reviewersPerModule: c.int(r.reviewers_per_module, ["reviewers_per_module"], DEFAULT_POLICY.reviewersPerModule, 0, 10),
    maxReviewers: c.int(r.max_reviewers, ["max_reviewers"], DEFAULT_POLICY.maxReviewers, 0, 15),
    fallbackReviewers: c.logins(r.fallback_reviewers, ["fallback_reviewers"]),
    unavailable: c.logins(r.unavailable, ["unavailable"]),
    ignoreAuthors: c.strings(r.ignore_authors, ["ignore_authors"], 1000),
  };
  let summary: SummaryMode = DEFAULT_APP_SETTINGS.summary;
  if (r.summary !== undefined && r.summary !== null) {
    if (r.summary === "check" || r.summary === "comment" || r.summary === "none") summary = r.summary;
    else c.report(["summary"], "must be one of: check, comment, none");
  }
  const app: AppSettings = {
    skipDrafts: c.bool(r.skip_drafts, ["skip_drafts"], DEFAULT_APP_SETTINGS.skipDrafts),
    syncLabels: c.bool(r.sync_labels, ["sync_labels"], DEFAULT_APP_SETTINGS.syncLabels),
    summary,
    dryRun: c.bool(r.dry_run, ["dry_run"], DEFAULT_APP_SETTINGS.dryRun),
    issueComment: c.bool(r.issue_comment, ["issue_comment"], DEFAULT_APP_SETTINGS.issueComment),
    useDefaultModules: c.bool(r.use_default_modules, ["use_default_modules"], DEFAULT_APP_SETTINGS.useDefaultModules),
    reroute: checkReroute(c, r),
  };
  const registryFile = c.string(r.registry, ["registry"], false);

  const modules: ModuleSpec[] = [];
  if (r.modules !== undefined && r.modules !== null) {
    if (!Array.isArray(r.modules)) c.report(["modules"], "must be a list of modules");
    else if (r.modules.length > CONFIG_LIMITS.maxModules) {
      c.report(["modules"], `has ${r.modules.length} modules; the limit is ${CONFIG_LIMITS.maxModules}`);
    } else {
      const names = new Map<string, number>();
      r.modules.forEach((raw: unknown, i: number) => {
        const m = checkModule(c, raw, ["modules", i], registry);
        if (!m) return;
        const key = m.name.toLowerCase();
        const first = names.get(key);
        if (first !== undefined) c.report(["modules", i, "name"], `duplicate module name "${m.name}" (first at modules[${first}])`);
        else names.set(key, i);
        modules.push(m);
      });
    }
  }
  if (registry) {
    for (const [key, list] of [
      ["fallback_reviewers", policy.fallbackReviewers],
      ["unavailable", policy.unavailable],
    ] as const) {
      list.forEach((login, i) => {
        if (!registryHasLogin(registry, login)) {
          c.report([key, i], `"${login}" is not in the maintainer registry; check the spelling`, "warning");
        }
      });
    }
  }
  return {
    config: { ...(registryFile ? { registryFile } : {}), policy, app, modules },
    problems: c.problems,
  };
}

/** reroute_after_hours (0: off) and reroute_timezone (an IANA zone; UTC by default). */
function checkReroute(c: Checker, r: Record<string, unknown>): RerouteSettings {
  const afterHours = c.int(r.reroute_after_hours, ["reroute_after_hours"], DEFAULT_REROUTE.afterHours, 0, 2000);
  let timeZone = DEFAULT_REROUTE.timeZone;
  const zone = c.string(r.reroute_timezone, ["reroute_timezone"], false);
  if (zone !== undefined) {
    if (validTimeZone(zone)) timeZone = zone;
    else c.report(["reroute_timezone"], `"${truncate(zone)}" is not a time zone; use an IANA name such as Europe/Berlin or UTC`);
  }
  return { afterHours, timeZone };
}

function registryHasLogin(registry: Registry, login: string): boolean {
  const key = loginKey(login);
  return registry.entries.some((e) => e.maintainers.some((m) => loginKey(m.login) === key));
}

function checkModule(c: Checker, raw: unknown, at: KeyPath, registry?: Registry): ModuleSpec | undefined {
  const m = c.mapping(raw, at, "name, label, paths, ...");
  if (!m) return undefined;
  c.unknownKeys(m, MODULE_KEYS, at);
  const name = c.string(m.name, [...at, "name"], true);
  if (!name) return undefined;
  const label = c.string(m.label, [...at, "label"], false);
  const paths = c.globs(m.paths, [...at, "paths"]);
  const exclude = c.globs(m.exclude, [...at, "exclude"]);
  const keywords = c.strings(m.keywords, [...at, "keywords"], CONFIG_LIMITS.maxKeywords);
  const repositories = c.strings(m.repository, [...at, "repository"], 50);
  repositories.forEach((repo, i) => {
    if (!REPO_RE.test(repo)) c.report(typeof m.repository === "string" ? [...at, "repository"] : [...at, "repository", i], `"${truncate(repo)}" is not owner/name`);
  });
  const areas: AreaSpec[] = [];
  if (m.areas !== undefined && m.areas !== null) {
    if (!Array.isArray(m.areas)) c.report([...at, "areas"], "must be a list of areas (name, label, paths, exclude)");
    else if (m.areas.length > CONFIG_LIMITS.maxAreas) c.report([...at, "areas"], `has ${m.areas.length} areas; the limit is ${CONFIG_LIMITS.maxAreas}`);
    else {
      m.areas.forEach((rawArea: unknown, j: number) => {
        const aat: KeyPath = [...at, "areas", j];
        const a = c.mapping(rawArea, aat, "name, label, paths, exclude");
        if (!a) return;
        c.unknownKeys(a, AREA_KEYS, aat);
        const areaName = c.string(a.name, [...aat, "name"], true);
        const areaLabel = c.string(a.label, [...aat, "label"], true);
        const areaPaths = c.globs(a.paths, [...aat, "paths"]);
        if (areaPaths.length === 0 && (a.paths === undefined || a.paths === null)) c.report([...aat, "paths"], "an area needs at least one path glob");
        if (!areaName || !areaLabel) return;
        areas.push({
          name: areaName,
          label: areaLabel,
          paths: areaPaths,
          exclude: c.globs(a.exclude, [...aat, "exclude"]),
          keywords: c.strings(a.keywords, [...aat, "keywords"], CONFIG_LIMITS.maxKeywords),
        });
      });
    }
  }
  if (!label && areas.length === 0 && repositories.length === 0) {
    c.report([...at, "label"], `module "${name}" has no label: give it \`label\` (or areas with labels)`);
  }
  if ((m.paths === undefined || m.paths === null) && areas.length === 0 && repositories.length === 0 && keywords.length === 0) {
    c.report([...at, "paths"], `module "${name}" matches nothing: give it \`paths\`, \`areas\` or \`repository\``, "warning");
  }
  let maintainers: string[] | undefined;
  if (m.maintainers !== undefined && m.maintainers !== null) {
    maintainers = c.logins(m.maintainers, [...at, "maintainers"]);
    if (registry) {
      maintainers.forEach((login, i) => {
        if (!registryHasLogin(registry, login)) {
          c.report([...at, "maintainers", i], `"${login}" is not in the maintainer registry; check the spelling`, "warning");
        }
      });
    }
  }
  const registryEntry = c.string(m.registry_entry, [...at, "registry_entry"], false);
  if (registry && !maintainers) {
    const entryName = registryEntry ?? name;
    if (!findEntry(registry, entryName)) {
      c.report(
        registryEntry ? [...at, "registry_entry"] : [...at, "name"],
        `no registry entry named "${entryName}": set \`registry_entry\` to an entry of the registry, or list \`maintainers\``,
      );
    }
  }
  return {
    name,
    ...(label ? { label } : {}),
    paths,
    exclude,
    areas,
    ...(maintainers ? { maintainers } : {}),
    ...(registryEntry ? { registryEntry } : {}),
    repositories,
    keywords,
  };
}
