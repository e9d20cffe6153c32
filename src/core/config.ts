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
  /** Labels added with the area's own (e.g. "oncall: pt2" for each part of the compile stack). */
  extraLabels: string[];
}

export interface ModuleSpec {
  name: string;
  /** The GitHub label for the module; optional when its areas carry labels or it owns whole repositories. */
  label?: string;
  paths: string[];
  exclude: string[];
  areas: AreaSpec[];
  /** Logins listed inline; active unless the registry lists them as emeritus only. When absent, the registry entry is used. */
  maintainers?: string[];
  /** Teams (`org/team-slug`) requested as team reviews; each counts as one reviewer toward the cap. */
  teams?: string[];
  /** Registry entry whose maintainers review this module; defaults to the module's name. */
  registryEntry?: string;
  /** Repositories (owner/name) this module owns whole, e.g. pytorch/vision for TorchVision. */
  repositories: string[];
  /** Words that, found in an issue, name this module (matched as whole words, any case). */
  keywords: string[];
  /** Labels added with the module's own label (key `labels`). */
  extraLabels: string[];
}

export interface Policy {
  /** Active maintainers to request per touched module. */
  reviewersPerModule: number;
  /** Most reviewers (users and teams, already requested ones included) on one pull request. */
  maxReviewers: number;
  /** Requested for a module with no eligible active maintainer. Empty: label only. */
  fallbackReviewers: string[];
  /** Logins never requested (away, on leave), some only through a date. */
  unavailable: UnavailableEntry[];
  /** Pull requests by these authors are labelled but get no review requests (bots). */
  ignoreAuthors: string[];
  /** Logins and teams (`org/team`) asked to review the changed files that no module owns. Empty: nobody. */
  defaultReviewers: string[];
  /** Label added when some changed file is owned by no module; undefined: none. */
  unownedLabel?: string;
  /** A candidate with this many open review requests in the repository or more is skipped as overloaded. */
  maxOpenReviews: number;
}

/** An `unavailable` entry: a login, away for good or through `until` (YYYY-MM-DD, inclusive). */
export interface UnavailableEntry {
  login: string;
  until?: string;
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
  /** Label new and edited issues (and cc on them); false: the issues handler does nothing. */
  labelIssues: boolean;
  /** The repository's CODEOWNERS is a module source too (read by the adapter, merged by `withCodeowners`). */
  codeowners: boolean;
  /** Comment lines starting with this are commands to review-router (`/route explain`, ...). */
  commandPrefix: string;
  /** The label `/route skip` puts on a pull request to stop automatic review requests. */
  skipLabel: string;
  /** Overdue re-routing (reroute_after_hours, reroute_timezone); see src/core/overdue.ts. */
  reroute: RerouteSettings;
}

export interface RouterConfig {
  /** Registry file named by the configuration, relative to it (CLI and bundled files only). */
  registryFile?: string;
  policy: Policy;
  app: AppSettings;
  modules: ModuleSpec[];
  /**
   * An ordered, last-match-wins ownership table consulted beside the modules' globs (CODEOWNERS
   * read as a module source); it names the module that owns a path by the module's name.
   */
  ownership?: OwnershipLookup;
  triage: TriageSettings;
}

export interface OwnershipLookup {
  /** The deciding rule for `path`: the owning module's name (null: the rule leaves it unowned) and the rule as text. */
  lookup(path: string): { module: string | null; rule: string } | undefined;
}

export const DEFAULT_POLICY: Policy = {
  reviewersPerModule: 1,
  maxReviewers: 3,
  fallbackReviewers: [],
  unavailable: [],
  ignoreAuthors: [],
  defaultReviewers: [],
  maxOpenReviews: 15,
};

export const DEFAULT_APP_SETTINGS: AppSettings = {
  skipDrafts: true,
  syncLabels: false,
  summary: "check",
  dryRun: false,
  issueComment: false,
  useDefaultModules: true,
  labelIssues: true,
  codeowners: false,
  commandPrefix: "/route",
  skipLabel: "review-router: skip",
  reroute: DEFAULT_REROUTE,
};

/** Limits on a configuration's size, so that a hostile file costs little to refuse. */
export const CONFIG_LIMITS = { maxModules: 500, maxGlobsPerModule: 200, maxAreas: 50, maxKeywords: 100 } as const;

/** Keys of reviewer availability, load and pull request commands (checked by checkAvailability). */
const AVAILABILITY_KEYS = ["max_open_reviews", "command_prefix", "skip_label"] as const;

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
  "label_issues",
  "codeowners",
  "default_reviewers",
  "unowned_label",
  ...AVAILABILITY_KEYS,
  ...REROUTE_KEYS,
  "modules",
  "triage",
] as const;
const MODULE_KEYS = [
  "name",
  "label",
  "labels",
  "paths",
  "exclude",
  "areas",
  "maintainers",
  "teams",
  "registry_entry",
  "repository",
  "keywords",
] as const;
const TEAM_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9_.-]+$/;

/** A team as review-router names it: `org/team-slug` (CODEOWNERS writes it `@org/team-slug`). */
export function isTeamName(text: string): boolean {
  return TEAM_RE.test(text);
}
const AREA_KEYS = ["name", "label", "labels", "paths", "exclude", "keywords"] as const;
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

/** Globs one configuration may hold in all (modules and areas, paths and excludes), bundled ones included. */
export const MAX_GLOBS_TOTAL = 5000;

class Checker {
  readonly problems: Problem[] = [];
  /** Globs seen so far: past MAX_GLOBS_TOTAL the rest are refused before any is checked. */
  private globCount = 0;
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
    this.globCount += list.length;
    if (this.globCount > MAX_GLOBS_TOTAL) {
      if (this.globCount - list.length <= MAX_GLOBS_TOTAL) this.report(at, `the configuration has more than ${MAX_GLOBS_TOTAL} globs in all; the limit is ${MAX_GLOBS_TOTAL}`);
      return [];
    }
    list.forEach((glob, i) => {
      const problem = globProblem(glob);
      if (problem) this.report(typeof value === "string" ? at : [...at, i], `bad glob "${truncate(glob)}": ${problem}`);
      else out.push(glob);
    });
    return out;
  }

  teams(value: unknown, at: KeyPath): string[] {
    const list = this.strings(value, at, 100).map((t) => t.replace(/^@/, ""));
    list.forEach((team, i) => {
      if (!isTeamName(team)) this.report(typeof value === "string" ? at : [...at, i], `"${truncate(team)}" is not a team: write org/team-slug`);
    });
    return list.filter(isTeamName);
  }

  /** Logins and teams mixed, as `default_reviewers` takes them. */
  reviewers(value: unknown, at: KeyPath): string[] {
    const list = this.strings(value, at, 100).map((t) => t.replace(/^@/, ""));
    list.forEach((who, i) => {
      if (!isValidLogin(who) && !isTeamName(who)) {
        this.report(typeof value === "string" ? at : [...at, i], `"${truncate(who)}" is neither a GitHub login nor a team (org/team-slug)`);
      }
    });
    return list.filter((w) => isValidLogin(w) || isTeamName(w));
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
    unavailable: checkUnavailable(c, r.unavailable),
    ignoreAuthors: c.strings(r.ignore_authors, ["ignore_authors"], 1000),
    defaultReviewers: c.reviewers(r.default_reviewers, ["default_reviewers"]),
    maxOpenReviews: c.int(r.max_open_reviews, ["max_open_reviews"], DEFAULT_POLICY.maxOpenReviews, 1, 10000),
  };
  const unownedLabel = c.string(r.unowned_label, ["unowned_label"], false);
  if (unownedLabel) policy.unownedLabel = unownedLabel;
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
    labelIssues: c.bool(r.label_issues, ["label_issues"], DEFAULT_APP_SETTINGS.labelIssues),
    codeowners: c.bool(r.codeowners, ["codeowners"], DEFAULT_APP_SETTINGS.codeowners),
    ...checkCommandSettings(c, r),
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
      ["unavailable", policy.unavailable.map((u) => u.login)],
    ] as const) {
      list.forEach((login, i) => {
        if (!registryHasLogin(registry, login)) {
          c.report([key, i], `"${login}" is not in the maintainer registry; check the spelling`, "warning");
        }
      });
    }
  }
  const triage = checkTriage(c, r.triage);
  return {
    config: { ...(registryFile ? { registryFile } : {}), policy, app, modules, triage },
    problems: c.problems,
  };
}

/** `unavailable`: logins, or `{login, until: YYYY-MM-DD}` mappings that lapse after that day. */
function checkUnavailable(c: Checker, value: unknown): UnavailableEntry[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) {
    c.report(["unavailable"], "must be a list of logins or {login, until: YYYY-MM-DD} mappings");
    return [];
  }
  if (list.length > 1000) {
    c.report(["unavailable"], `has ${list.length} items; the limit is 1000`);
    return [];
  }
  const out: UnavailableEntry[] = [];
  list.forEach((item: unknown, i: number) => {
    const at: KeyPath = typeof value === "string" ? ["unavailable"] : ["unavailable", i];
    if (typeof item === "string") {
      if (isValidLogin(item)) out.push({ login: item });
      else c.report(at, `"${truncate(item)}" is not a GitHub login`);
      return;
    }
    const entry = c.mapping(item, at, "a login, or login and until");
    if (!entry) return;
    c.unknownKeys(entry, ["login", "until"], at);
    const login = c.string(entry.login, [...at, "login"], true);
    if (login && !isValidLogin(login)) c.report([...at, "login"], `"${truncate(login)}" is not a GitHub login`);
    const until = entry.until;
    const validDate = typeof until === "string" && /^\d{4}-\d{2}-\d{2}$/.test(until) && realDay(until);
    if (until !== undefined && until !== null && !validDate) {
      c.report([...at, "until"], "must be a date written YYYY-MM-DD (the last day away), e.g. until: 2026-12-20");
      return;
    }
    if (login && isValidLogin(login)) out.push({ login, ...(typeof until === "string" ? { until } : {}) });
  });
  return out;
}

/** A YYYY-MM-DD string naming a day that exists (not 2026-02-30). */
function realDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(day);
}

/** `command_prefix` and `skip_label`: how pull request commands are written and where `/route skip` is kept. */
function checkCommandSettings(c: Checker, r: Record<string, unknown>): Pick<AppSettings, "commandPrefix" | "skipLabel"> {
  let commandPrefix = DEFAULT_APP_SETTINGS.commandPrefix;
  const prefix = c.string(r.command_prefix, ["command_prefix"], false);
  if (prefix !== undefined) {
    if (/^\S{1,30}$/.test(prefix)) commandPrefix = prefix;
    else c.report(["command_prefix"], "must be one word of at most 30 characters, without spaces, e.g. /route");
  }
  let skipLabel = DEFAULT_APP_SETTINGS.skipLabel;
  const label = c.string(r.skip_label, ["skip_label"], false);
  if (label !== undefined) {
    if (label.length <= 50) skipLabel = label;
    else c.report(["skip_label"], "must be at most 50 characters (GitHub's limit for a label name)");
  }
  return { commandPrefix, skipLabel };
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
          extraLabels: c.strings(a.labels, [...aat, "labels"], 10),
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
  const teams = m.teams === undefined || m.teams === null ? undefined : c.teams(m.teams, [...at, "teams"]);
  const registryEntry = c.string(m.registry_entry, [...at, "registry_entry"], false);
  if (registry && !maintainers && !teams) {
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
    ...(teams ? { teams } : {}),
    ...(registryEntry ? { registryEntry } : {}),
    repositories,
    keywords,
    extraLabels: c.strings(m.labels, [...at, "labels"], 10),
  };
}

// ---------------------------------------------------------------- issue triage (`triage:`)
// How the issue labeller weighs what it reads. The code's defaults know nothing of any project;
// the bundled PyTorch file sets PyTorch's directories, API prefix, report markers and so on.

/** Where in an issue a piece of evidence was found; each has a weight. */
export const TRIAGE_SIGNALS = [
  "title", // an API, path or keyword in the title
  "error", // ... in an exception message or error line
  "exception_type", // the qualified class of the exception (`pkg.mod.SomeError:`): a wrapper's, often
  "frame_innermost", // the frame that raised (last repository frame of a traceback, C++ "Exception raised from")
  "frame_outer", // any other repository frame
  "prose_path", // a repository path or file link written in prose
  "prose_api", // an API name in prose
  "prose_keyword", // a keyword in prose
  "code_path", // a path inside a code block that is not a traceback
  "code_api", // an API name in a code block: what every repro uses
  "code_keyword", // a keyword in a code block
  "code_entry_point", // a dotted keyword called in a code block: `torch.compile(model)`, `torch.jit.script(m)`
  "log_path", // a path in a build log (compiler output names every file it builds)
  "log_keyword", // a keyword in a build log
  "disabled_test", // the test file or class of a DISABLED-test title
] as const;
export type TriageSignal = (typeof TRIAGE_SIGNALS)[number];

export interface TriageSettings {
  /** A label is added when its score reaches this. */
  threshold: number;
  /** Most labels per issue that do not start with one of `uncappedPrefixes`, best scores first. */
  maxModuleLabels: number;
  uncappedPrefixes: string[];
  weights: Record<TriageSignal, number>;
  /** Each further distinct piece of evidence of one signal adds this share of its weight (at most two more). */
  repeatFactor: number;
  /** Top-level directories of the repository: where a repository path starts inside an absolute one. */
  repoDirs: string[];
  /** Package names whose dotted names (`torch.nn.Linear`) are looked up as files. */
  apiPrefixes: string[];
  /** Short names that stand for a dotted prefix, as code imports them: `F` for `torch.nn.functional`. */
  apiAliases: Record<string, string>;
  /** A line starting with one of these opens an environment report, skipped to its block's end or the next heading. */
  envReportStarts: string[];
  /** Lines starting (after blanks) with one of these are not read. */
  ignoreLinePrefixes: string[];
  /** Frames in these files (or under these directories, ending in "/") only pass a call on: never the innermost. */
  passthroughFrames: string[];
  /** A code block with a line containing one of these is a build log. */
  buildLogMarkers: string[];
  /** Title prefix of an automatically filed disabled-test issue ("" for none). */
  disabledTestPrefix: string;
  /** Directory the disabled tests' files are under. */
  testDir: string;
}

export const DEFAULT_TRIAGE: TriageSettings = {
  threshold: 3,
  maxModuleLabels: 2,
  uncappedPrefixes: ["oncall:"],
  weights: {
    title: 4,
    error: 3,
    exception_type: 1,
    frame_innermost: 3,
    frame_outer: 1,
    prose_path: 3,
    prose_api: 2,
    prose_keyword: 2,
    code_path: 1,
    code_api: 0.5,
    code_keyword: 0.5,
    code_entry_point: 2,
    log_path: 0.25,
    log_keyword: 2,
    disabled_test: 4,
  },
  repeatFactor: 0.5,
  repoDirs: [],
  apiPrefixes: [],
  apiAliases: {},
  envReportStarts: [],
  ignoreLinePrefixes: [],
  passthroughFrames: [],
  buildLogMarkers: [],
  disabledTestPrefix: "",
  testDir: "test",
};

const TRIAGE_KEYS = [
  "threshold",
  "max_module_labels",
  "uncapped_prefixes",
  "weights",
  "repeat_factor",
  "repo_dirs",
  "api_prefixes",
  "api_aliases",
  "env_report_starts",
  "ignore_line_prefixes",
  "passthrough_frames",
  "build_log_markers",
  "disabled_test_prefix",
  "test_dir",
] as const;

function checkTriage(c: Checker, raw: unknown): TriageSettings {
  if (raw === undefined || raw === null) return DEFAULT_TRIAGE;
  const t = c.mapping(raw, ["triage"], "threshold, weights, ...");
  if (!t) return DEFAULT_TRIAGE;
  c.unknownKeys(t, TRIAGE_KEYS, ["triage"]);
  const number = (key: string, value: unknown, fallback: number, max: number): number => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
      c.report(["triage", ...key.split(".")], `must be a number from 0 to ${max}`);
      return fallback;
    }
    return value;
  };
  const weights = { ...DEFAULT_TRIAGE.weights };
  if (t.weights !== undefined && t.weights !== null) {
    const w = c.mapping(t.weights, ["triage", "weights"], TRIAGE_SIGNALS.join(", "));
    if (w) {
      c.unknownKeys(w, TRIAGE_SIGNALS, ["triage", "weights"]);
      for (const s of TRIAGE_SIGNALS) weights[s] = number(`weights.${s}`, w[s], weights[s], 100);
    }
  }
  const list = (key: (typeof TRIAGE_KEYS)[number], fallback: string[]) =>
    t[key] === undefined || t[key] === null ? fallback : c.strings(t[key], ["triage", key], 200);
  const prefix = t.disabled_test_prefix;
  let disabledTestPrefix = DEFAULT_TRIAGE.disabledTestPrefix;
  if (prefix !== undefined && prefix !== null) {
    if (typeof prefix === "string") disabledTestPrefix = prefix.trim();
    else c.report(["triage", "disabled_test_prefix"], "must be a string");
  }
  return {
    threshold: number("threshold", t.threshold, DEFAULT_TRIAGE.threshold, 100),
    maxModuleLabels: c.int(t.max_module_labels, ["triage", "max_module_labels"], DEFAULT_TRIAGE.maxModuleLabels, 0, 20),
    uncappedPrefixes: list("uncapped_prefixes", DEFAULT_TRIAGE.uncappedPrefixes),
    weights,
    repeatFactor: number("repeat_factor", t.repeat_factor, DEFAULT_TRIAGE.repeatFactor, 1),
    repoDirs: list("repo_dirs", DEFAULT_TRIAGE.repoDirs),
    apiPrefixes: list("api_prefixes", DEFAULT_TRIAGE.apiPrefixes).filter((p, i) => {
      if (/^[A-Za-z_]\w*$/.test(p)) return true;
      c.report(["triage", "api_prefixes", i], `"${truncate(p)}" is not a package name (letters, digits, _)`);
      return false;
    }),
    apiAliases: checkAliases(c, t.api_aliases),
    envReportStarts: list("env_report_starts", DEFAULT_TRIAGE.envReportStarts),
    ignoreLinePrefixes: list("ignore_line_prefixes", DEFAULT_TRIAGE.ignoreLinePrefixes),
    passthroughFrames: list("passthrough_frames", DEFAULT_TRIAGE.passthroughFrames),
    buildLogMarkers: list("build_log_markers", DEFAULT_TRIAGE.buildLogMarkers),
    disabledTestPrefix,
    testDir: c.string(t.test_dir, ["triage", "test_dir"], false)?.replace(/^\/+|\/+$/g, "") ?? DEFAULT_TRIAGE.testDir,
  };
}

function checkAliases(c: Checker, raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return DEFAULT_TRIAGE.apiAliases;
  const m = c.mapping(raw, ["triage", "api_aliases"], "short name: dotted.prefix");
  if (!m) return DEFAULT_TRIAGE.apiAliases;
  const out: Record<string, string> = {};
  for (const [alias, target] of Object.entries(m)) {
    if (!/^[A-Za-z_]\w*$/.test(alias)) c.report(["triage", "api_aliases", alias], "must be a name (letters, digits, _)");
    else if (typeof target !== "string" || !/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(target)) {
      c.report(["triage", "api_aliases", alias], "must be a dotted name such as torch.nn.functional");
    } else out[alias] = target;
  }
  return out;
}
