// The routing configuration: the module map (paths → module → label and maintainers), the
// reviewer policy, and the app's behaviour switches. One schema serves the bundled PyTorch file,
// files given to the CLI, and `.github/review-router.yml` in a repository, so a file that
// `review-router validate` accepts is a file the app accepts.
//
// Each key is declared once below (see schema.ts); the types, defaults, unknown-key lists, the
// checking and the JSON Schema (`npm run schema`) all come from these declarations. Checks that
// relate keys to each other or to the registry are the named functions after them.

import type { Problem } from "./problems.js";
import { findEntry, loginKey, type Registry } from "./registry.js";
import { validTimeZone } from "./overdue.js";
import { Checker, defaultsOf, tableSchema, truncate, type Field, type TableValue } from "./schema.js";

export { isTeamName } from "./schema.js";
import { parseYaml, type KeyPath, type ParsedYaml } from "./yaml.js";

/** Limits on a configuration's size, so that a hostile file costs little to refuse. */
export const CONFIG_LIMITS = { maxModules: 500, maxGlobsPerModule: 200, maxAreas: 50, maxKeywords: 100 } as const;

/** Globs one configuration may hold in all (modules and areas, paths and excludes), bundled ones included. */
export const MAX_GLOBS_TOTAL = 5000;

const AREA_FIELDS = [
  { key: "name", name: "name", kind: "string", required: true, doc: "The area's name, shown in the summary." },
  { key: "label", name: "label", kind: "string", required: true, doc: "The GitHub label for the area." },
  {
    key: "labels",
    name: "extraLabels",
    kind: "list",
    max: 10,
    doc: 'Labels added with the area\'s own (e.g. "oncall: pt2" for each part of the compile stack).',
  },
  {
    key: "paths",
    name: "paths",
    kind: "list",
    format: "glob",
    max: CONFIG_LIMITS.maxGlobsPerModule,
    requiredMessage: "an area needs at least one path glob",
    doc: "Globs of the files in the area.",
  },
  {
    key: "exclude",
    name: "exclude",
    kind: "list",
    format: "glob",
    max: CONFIG_LIMITS.maxGlobsPerModule,
    doc: "Globs kept out of the area only.",
  },
  {
    key: "keywords",
    name: "keywords",
    kind: "list",
    max: CONFIG_LIMITS.maxKeywords,
    doc: "Words that, found in an issue, name this area (a leading * matches the start of a longer word).",
  },
  {
    key: "title_keywords",
    name: "titleKeywords",
    kind: "list",
    max: CONFIG_LIMITS.maxKeywords,
    doc: "Words that name this area only in an issue's title: where reports name them everywhere else (a device, a platform).",
  },
] as const satisfies readonly Field[];

const MODULE_FIELDS = [
  {
    key: "name",
    name: "name",
    kind: "string",
    required: true,
    doc: "The module's name; also the registry entry whose maintainers review it.",
  },
  {
    key: "label",
    name: "label",
    kind: "string",
    optional: true,
    doc: "The GitHub label for the module; optional when its areas carry labels or it owns whole repositories.",
  },
  { key: "labels", name: "extraLabels", kind: "list", max: 10, doc: "Labels added with the module's own label." },
  {
    key: "paths",
    name: "paths",
    kind: "list",
    format: "glob",
    max: CONFIG_LIMITS.maxGlobsPerModule,
    doc: "Globs of the files in the module.",
  },
  {
    key: "exclude",
    name: "exclude",
    kind: "list",
    format: "glob",
    max: CONFIG_LIMITS.maxGlobsPerModule,
    doc: "Globs kept out of the module and all its areas.",
  },
  {
    key: "areas",
    name: "areas",
    kind: "tables",
    fields: AREA_FIELDS,
    noun: "areas",
    max: CONFIG_LIMITS.maxAreas,
    notList: "must be a list of areas (name, label, paths, exclude)",
    notMapping: "must be a mapping (name, label, paths, exclude)",
    doc: "Sub-areas with their own paths and label, reviewed by the module's maintainers.",
  },
  {
    key: "maintainers",
    name: "maintainers",
    kind: "list",
    format: "login",
    max: 1000,
    optional: true,
    doc: "Logins listed inline; active unless the registry lists them as emeritus only. When absent, the registry entry is used.",
  },
  {
    key: "teams",
    name: "teams",
    kind: "list",
    format: "team",
    max: 100,
    optional: true,
    doc: "Teams (org/team-slug) requested as team reviews; each counts as one reviewer toward the cap.",
  },
  {
    key: "registry_entry",
    name: "registryEntry",
    kind: "string",
    optional: true,
    doc: "Registry entry whose maintainers review this module; defaults to the module's name.",
  },
  {
    key: "repository",
    name: "repositories",
    kind: "list",
    format: "repository",
    max: 50,
    doc: "Repositories (owner/name) this module owns whole, e.g. pytorch/vision for TorchVision.",
  },
  {
    key: "keywords",
    name: "keywords",
    kind: "list",
    max: CONFIG_LIMITS.maxKeywords,
    doc: "Words that, found in an issue, name this module (matched as whole words, any case; a leading * matches the start of a longer word).",
  },
  {
    key: "title_keywords",
    name: "titleKeywords",
    kind: "list",
    max: CONFIG_LIMITS.maxKeywords,
    doc: "Words that name this module only in an issue's title (CUDA, GPU): reports name them everywhere else, as their setting.",
  },
] as const satisfies readonly Field[];

const MODULES_FIELD = {
  key: "modules",
  name: "modules",
  kind: "tables",
  fields: MODULE_FIELDS,
  noun: "modules",
  max: CONFIG_LIMITS.maxModules,
  notList: "must be a list of modules",
  notMapping: "must be a mapping (name, label, paths, ...)",
  doc: "The module map: which paths belong to which module, its label and who reviews it.",
} as const satisfies Field;

const REGISTRY_FIELD = {
  key: "registry",
  name: "registryFile",
  kind: "string",
  optional: true,
  doc: "Registry file, relative to this file (CLI and bundled files only).",
} as const satisfies Field;

// ---------------------------------------------------------------- issue triage (`triage:`)
// How the issue labeller weighs what it reads. The code's defaults know nothing of any project;
// the bundled PyTorch file sets PyTorch's directories, API prefix, report markers and so on.

/** Where in an issue a piece of evidence was found: each signal's default weight and what it is. */
const TRIAGE_WEIGHTS = {
  title: [4, "an API, path or keyword in the title"],
  error: [3, "an API, path or keyword in an exception message or error line"],
  exception_type: [1, "the qualified class of the exception (`pkg.mod.SomeError:`): a wrapper's, often"],
  frame_innermost: [3, 'the frame that raised (last repository frame of a traceback, C++ "Exception raised from")'],
  frame_outer: [1, "any other repository frame"],
  prose_path: [3, "a repository path or file link written in prose"],
  prose_api: [2, "an API name in prose"],
  prose_keyword: [2, "a keyword in prose"],
  code_path: [1, "a path inside a code block that is not a traceback"],
  code_api: [0.5, "an API name in a code block: what every repro uses"],
  code_keyword: [0.5, "a keyword in a code block"],
  code_entry_point: [2, "a dotted keyword called in a code block: `torch.compile(model)`, `torch.jit.script(m)`"],
  log_path: [0.25, "a path in a build log (compiler output names every file it builds)"],
  log_keyword: [2, "a keyword in a build log"],
  disabled_test: [4, "the test file or class of a DISABLED-test title"],
  native_frame: [3, "a keyword in a native backtrace line (gdb `#3 ... in dnnl::...`, lldb `frame #3:`, `lib.dll!fn`)"],
  title_keyword: [3.5, "a title keyword (title_keywords) in the title: a label alone, not the subject beside another"],
} as const;
export type TriageSignal = keyof typeof TRIAGE_WEIGHTS;
export const TRIAGE_SIGNALS = Object.keys(TRIAGE_WEIGHTS) as TriageSignal[];

const WEIGHT_FIELDS = TRIAGE_SIGNALS.map(
  (s) =>
    ({
      key: s,
      name: s,
      kind: "number",
      min: 0,
      max: 100,
      default: TRIAGE_WEIGHTS[s][0],
      doc: `Weight of ${TRIAGE_WEIGHTS[s][1]}.`,
    }) as const,
);

const NAME_RE = /^[A-Za-z_]\w*$/;
/** A list of up to 200 strings in `triage`. */
function triageList<K extends string, N extends string>(key: K, name: N, doc: string, fallback: readonly string[] = []) {
  return { key, name, kind: "list", max: 200, default: fallback, doc } as const;
}

const TRIAGE_FIELD = {
  key: "triage",
  name: "triage",
  kind: "table",
  notMapping: "must be a mapping (threshold, weights, ...)",
  doc: "How the issue labeller weighs what it reads in an issue.",
  fields: [
    {
      key: "threshold",
      name: "threshold",
      kind: "number",
      min: 0,
      max: 100,
      default: 3,
      doc: "A label is added when its score reaches this.",
    },
    {
      key: "max_module_labels",
      name: "maxModuleLabels",
      kind: "int",
      min: 0,
      max: 20,
      default: 2,
      doc: "Most labels per issue that do not start with one of uncapped_prefixes, best scores first.",
    },
    triageList("uncapped_prefixes", "uncappedPrefixes", "Labels starting with one of these are not counted toward max_module_labels.", [
      "oncall:",
    ]),
    {
      key: "weights",
      name: "weights",
      kind: "table",
      notMapping: `must be a mapping (${TRIAGE_SIGNALS.join(", ")})`,
      fields: WEIGHT_FIELDS,
      checkOrder: -2,
      doc: "The weight of each signal: where in an issue a piece of evidence was found.",
    },
    {
      key: "label_thresholds",
      name: "labelThresholds",
      kind: "tables",
      fields: [
        { key: "label", name: "label", kind: "string", required: true, doc: "A label the configuration adds." },
        { key: "threshold", name: "threshold", kind: "number", min: 0, max: 100, default: 3, doc: "The score an issue needs for it." },
      ],
      noun: "items",
      max: 500,
      notList: "must be a list of {label, threshold} mappings",
      notMapping: "must be a mapping (label, threshold)",
      doc: "Labels that need another score than threshold: those often named in passing (module: nn) need more.",
    },
    {
      key: "yields_to",
      name: "yieldsTo",
      kind: "tables",
      fields: [
        { key: "to", name: "to", kind: "string", required: true, doc: "The label whose queue takes the issue." },
        { key: "labels", name: "labels", kind: "list", max: 200, doc: "The labels not added beside it." },
      ],
      noun: "items",
      max: 100,
      notList: "must be a list of {to, labels} mappings",
      notMapping: "must be a mapping (to, labels)",
      doc:
        "Labels not added beside another that names the issue's subject (in its title, error message or faulting frame): an ONNX export " +
        "report goes to the ONNX queue even when it runs Dynamo underneath, a torch.compile report to the pt2 queue even when it names nn layers.",
    },
    {
      key: "passing_threshold",
      name: "passingThreshold",
      kind: "number",
      min: 0,
      max: 100,
      default: 0,
      doc:
        "When a label reaches its threshold with evidence that names the issue's subject (title, error message, innermost or native frame, " +
        "disabled test), a label without such evidence needs this score: a module named in passing in a long report is not its subject. 0: off.",
    },
    triageList(
      "broad_labels",
      "broadLabels",
      "Labels of code nearly every report runs through (nn layers, autograd, CUDA): named beside an issue's subject more often than as it.",
    ),
    {
      key: "broad_label_threshold",
      name: "broadLabelThreshold",
      kind: "number",
      min: 0,
      max: 100,
      default: 0,
      doc: "When a label not in broad_labels is added, a label in broad_labels needs this score. 0: off.",
    },
    {
      key: "second_label_share",
      name: "secondLabelShare",
      kind: "number",
      min: 0,
      max: 1,
      default: 0,
      doc:
        "A label counted toward max_module_labels after the best one needs this share of the best one's score: the first names the issue's " +
        "subject, a second needs evidence of a comparable weight. 0: off.",
    },
    {
      key: "sub_labels_need_own_evidence",
      name: "subLabelsNeedOwnEvidence",
      kind: "bool",
      default: false,
      doc:
        "A label that comes with extra labels (an area of a larger queue: module: inductor with oncall: pt2) is added only when the evidence the " +
        "reporter wrote (title, error message, prose, an entry point called, a native frame) reaches its threshold by itself; frames and code " +
        "show the path a call took, and they count for the area's label.",
    },
    {
      key: "repeat_factor",
      name: "repeatFactor",
      kind: "number",
      min: 0,
      max: 1,
      default: 0.5,
      doc: "Each further distinct piece of evidence of one signal adds this share of its weight (at most two more).",
    },
    triageList("repo_dirs", "repoDirs", "Top-level directories of the repository: where a repository path starts inside an absolute one."),
    {
      key: "api_prefixes",
      name: "apiPrefixes",
      kind: "list",
      format: "identifier",
      max: 200,
      doc: "Package names whose dotted names (`torch.nn.Linear`) are looked up as files.",
    },
    {
      key: "api_aliases",
      name: "apiAliases",
      kind: "map",
      keyPattern: NAME_RE,
      keyMessage: "must be a name (letters, digits, _)",
      valuePattern: /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/,
      valueMessage: "must be a dotted name such as torch.nn.functional",
      notMapping: "must be a mapping (short name: dotted.prefix)",
      doc: "Short names that stand for a dotted prefix, as code imports them: `F` for `torch.nn.functional`.",
    },
    triageList(
      "env_report_starts",
      "envReportStarts",
      "A line starting with one of these opens an environment report, skipped to its block's end or the next heading.",
    ),
    triageList("ignore_line_prefixes", "ignoreLinePrefixes", "Lines starting (after blanks) with one of these are not read."),
    triageList(
      "passthrough_frames",
      "passthroughFrames",
      "Frames in these files (or under these directories, ending in /) only pass a call on: never the innermost.",
    ),
    triageList("build_log_markers", "buildLogMarkers", "A code block with a line containing one of these is a build log."),
    {
      key: "disabled_test_prefix",
      name: "disabledTestPrefix",
      kind: "string",
      allowEmpty: true,
      default: "",
      transform: (s: string) => s.trim(),
      checkOrder: -1,
      doc: "Title prefix of an automatically filed disabled-test issue (empty for none).",
    },
    {
      key: "test_dir",
      name: "testDir",
      kind: "string",
      default: "test",
      transform: (s: string) => s.replace(/^\/+|\/+$/g, ""),
      doc: "Directory the disabled tests' files are under.",
    },
  ],
} as const satisfies Field;

const UNAVAILABLE_FIELDS = [
  { key: "login", name: "login", kind: "string", required: true, format: "login", doc: "The login never requested." },
  {
    key: "until",
    name: "until",
    kind: "string",
    optional: true,
    format: "date",
    message: "must be a date written YYYY-MM-DD (the last day away), e.g. until: 2026-12-20",
    doc: "The last day away (YYYY-MM-DD, inclusive); absent: away for good.",
  },
] as const satisfies readonly Field[];

/** Every key of a configuration file, in the order they are documented and checked. */
export const CONFIG_FIELDS = [
  REGISTRY_FIELD,
  {
    key: "reviewers_per_module",
    name: "reviewersPerModule",
    group: "policy",
    kind: "int",
    min: 0,
    max: 10,
    default: 1,
    doc: "Active maintainers to request per touched module.",
  },
  {
    key: "max_reviewers",
    name: "maxReviewers",
    group: "policy",
    kind: "int",
    min: 0,
    max: 15,
    default: 3,
    doc: "Most reviewers (users and teams, already requested ones included) on one pull request.",
  },
  {
    key: "fallback_reviewers",
    name: "fallbackReviewers",
    group: "policy",
    kind: "list",
    format: "login",
    max: 1000,
    doc: "Requested for a module with no eligible active maintainer. Empty: label only.",
  },
  {
    key: "unavailable",
    name: "unavailable",
    group: "policy",
    kind: "tables",
    shorthand: "login",
    fields: UNAVAILABLE_FIELDS,
    noun: "items",
    max: 1000,
    notList: "must be a list of logins or {login, until: YYYY-MM-DD} mappings",
    notMapping: "must be a mapping (a login, or login and until)",
    doc: "Logins never requested (away, on leave), some only through a date: `- alice` or `- {login: bob, until: 2026-12-20}`.",
  },
  {
    key: "ignore_authors",
    name: "ignoreAuthors",
    group: "policy",
    kind: "list",
    max: 1000,
    doc: "Pull requests by these authors (logins or globs such as *[bot]) are labelled but get no review requests.",
  },
  {
    key: "skip_drafts",
    name: "skipDrafts",
    group: "app",
    kind: "bool",
    default: true,
    doc: "Draft pull requests get labels but no review requests until ready for review.",
  },
  {
    key: "sync_labels",
    name: "syncLabels",
    group: "app",
    kind: "bool",
    default: false,
    doc: "Remove module labels review-router itself added when the pull request no longer touches the module.",
  },
  {
    key: "summary",
    name: "summary",
    group: "app",
    kind: "enum",
    values: ["check", "comment", "none"],
    default: "check",
    doc: "Where the summary goes: a check run named review-router, a comment, or nowhere.",
  },
  {
    key: "dry_run",
    name: "dryRun",
    group: "app",
    kind: "bool",
    default: false,
    doc: "Compute and report, but add no label and request no review.",
  },
  {
    key: "issue_comment",
    name: "issueComment",
    group: "app",
    kind: "bool",
    default: false,
    doc: "Comment once on a new issue to cc the matched modules' active maintainers.",
  },
  {
    key: "use_default_modules",
    name: "useDefaultModules",
    group: "app",
    kind: "bool",
    default: true,
    doc: "In a repository's file: whether the bundled modules apply too (the file's modules merge over them).",
  },
  {
    key: "label_issues",
    name: "labelIssues",
    group: "app",
    kind: "bool",
    default: true,
    doc: "Label new and edited issues (and cc on them); false: the issues handler does nothing.",
  },
  {
    key: "codeowners",
    name: "codeowners",
    group: "app",
    kind: "bool",
    default: false,
    doc: "The repository's CODEOWNERS is a module source too (read by the adapter, merged by withCodeowners).",
  },
  {
    key: "default_reviewers",
    name: "defaultReviewers",
    group: "policy",
    kind: "list",
    format: "reviewer",
    max: 100,
    doc: "Logins and teams (org/team) asked to review the changed files that no module owns. Empty: nobody.",
  },
  {
    key: "default_reviewers_entry",
    name: "defaultReviewersEntry",
    group: "policy",
    kind: "string",
    optional: true,
    doc: "A registry entry whose active maintainers are asked too, beside `default_reviewers`, for the changed files that no module owns (a governance page's catch-all, such as its core maintainers); absent: none.",
  },
  {
    key: "unowned_label",
    name: "unownedLabel",
    group: "policy",
    kind: "string",
    optional: true,
    doc: "Label added when some changed file is owned by no module; absent: none.",
  },
  {
    key: "max_open_reviews",
    name: "maxOpenReviews",
    group: "policy",
    kind: "int",
    min: 1,
    max: 10000,
    default: 15,
    doc: "A candidate with this many open review requests in the repository or more is skipped as overloaded.",
  },
  {
    key: "expertise_window_days",
    name: "expertiseWindowDays",
    group: "policy",
    kind: "int",
    min: 1,
    max: 3650,
    default: 180,
    doc: "With a review history: only pull requests merged this many days before the decision count as a candidate's expertise.",
  },
  {
    key: "expertise_half_life_days",
    name: "expertiseHalfLifeDays",
    group: "policy",
    kind: "int",
    min: 7,
    max: 3650,
    default: 30,
    doc: "An approval counts half as much as expertise every this many days (recent reviewers first).",
  },
  {
    key: "widen_to_recent_approvers",
    name: "widenToRecentApprovers",
    group: "policy",
    kind: "bool",
    default: false,
    doc: "Also ask the changed paths' most expert recent approver who is not a listed maintainer of the touched modules (never emeritus, the author or a bot).",
  },
  {
    key: "widen_min_approvals",
    name: "widenMinApprovals",
    group: "policy",
    kind: "int",
    min: 1,
    max: 1000,
    default: 2,
    doc: "Widening asks only someone who approved at least this many pull requests touching the changed paths in the window.",
  },
  {
    key: "command_prefix",
    name: "commandPrefix",
    group: "app",
    kind: "string",
    default: "/route",
    pattern: /^\S{1,30}$/,
    invalid: "must be one word of at most 30 characters, without spaces, e.g. /route",
    doc: "Comment lines starting with this are commands to review-router (/route explain, ...).",
  },
  {
    key: "skip_label",
    name: "skipLabel",
    group: "app",
    kind: "string",
    default: "review-router: skip",
    pattern: /^[\s\S]{1,50}$/,
    invalid: "must be at most 50 characters (GitHub's limit for a label name)",
    doc: "The label `/route skip` puts on a pull request to stop automatic review requests.",
  },
  {
    key: "reroute",
    name: "reroute",
    group: "app",
    kind: "table",
    inline: true,
    notMapping: "",
    doc: "Overdue re-routing; see src/core/overdue.ts.",
    fields: [
      {
        key: "reroute_after_hours",
        name: "afterHours",
        kind: "int",
        min: 0,
        max: 2000,
        default: 0,
        doc: "Business hours a requested reviewer has to review or comment before being replaced; 0 turns re-routing off.",
      },
      {
        key: "reroute_timezone",
        name: "timeZone",
        kind: "string",
        default: "UTC",
        check: (zone: string) =>
          validTimeZone(zone) ? undefined : `"${truncate(zone)}" is not a time zone; use an IANA name such as Europe/Berlin or UTC`,
        doc: "IANA time zone whose Saturdays and Sundays do not count.",
      },
    ],
  },
  {
    key: "needs_triage_label",
    name: "needsTriageLabel",
    group: "app",
    kind: "string",
    optional: true,
    pattern: /^[\s\S]{1,50}$/,
    invalid: "must be at most 50 characters (GitHub's limit for a label name)",
    doc: 'Label added to an issue that gets no module label and carries no label yet, so a human triages it (PyTorch\'s triagers use "triage review"); absent: none.',
  },
  MODULES_FIELD,
  TRIAGE_FIELD,
] as const satisfies readonly Field[];

/** The deciding rule for `path`: the owning module's name (null: the rule leaves it unowned) and the rule as text. */
export interface OwnershipLookup {
  /** `tick` is called every few rules tested, so a caller can stop a long lookup (it throws to stop). */
  lookup(path: string, tick?: () => void): { module: string | null; rule: string } | undefined;
}

// What the adapters add to a checked configuration (no key of the file sets these).
interface Derived {
  /**
   * An ordered, last-match-wins ownership table consulted beside the modules' globs (CODEOWNERS
   * read as a module source); it names the module that owns a path by the module's name.
   */
  ownership?: OwnershipLookup;
}

type CheckedConfig = TableValue<typeof CONFIG_FIELDS>;
export type RouterConfig = Omit<CheckedConfig, "modules"> & Derived & { modules: ModuleSpec[] };
export type Policy = RouterConfig["policy"];
export type AppSettings = RouterConfig["app"];
export type ModuleSpec = TableValue<typeof MODULE_FIELDS>;
export type AreaSpec = TableValue<typeof AREA_FIELDS>;
export type SummaryMode = AppSettings["summary"];
export type TriageSettings = RouterConfig["triage"];
/** An `unavailable` entry: a login, away for good or through `until` (YYYY-MM-DD, inclusive). */
export type UnavailableEntry = Policy["unavailable"][number];

export const DEFAULT_POLICY = defaultsOf(CONFIG_FIELDS, "policy") as Policy;
export const DEFAULT_APP_SETTINGS = defaultsOf(CONFIG_FIELDS, "app") as AppSettings;
export const DEFAULT_TRIAGE = defaultsOf(CONFIG_FIELDS, undefined).triage as TriageSettings;

/** Parse a configuration file and check it; `registry` enables the registry cross-checks. */
export function parseConfig(text: string, file: string, registry?: Registry): { config?: RouterConfig; problems: Problem[] } {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { problems: [parsed.problem] };
  return checkConfig(parsed.doc, file, registry);
}

/**
 * Check a parsed configuration: the declared keys first, then the checks that relate them. With a
 * registry, names and logins are checked against it too. The configuration is returned whenever
 * the file is a mapping (callers look at the problems' severities).
 */
export function checkConfig(doc: ParsedYaml, file: string, registry?: Registry): { config?: RouterConfig; problems: Problem[] } {
  const c = new Checker(doc, file);
  // Past the limit the rest are refused before any is checked.
  c.limitTotal("glob", MAX_GLOBS_TOTAL, `the configuration has more than ${MAX_GLOBS_TOTAL} globs in all; the limit is ${MAX_GLOBS_TOTAL}`);
  const names = new Map<string, number>();
  c.afterEach(MODULES_FIELD, (m, raw, at, i) => {
    checkModuleHasLabelAndPaths(c, m, raw, at);
    if (registry) checkModuleRegistry(c, m, at, registry);
    checkDuplicateModuleName(c, m, at, i, names);
  });
  const root = doc.value ?? {}; // an empty file is an empty configuration
  const config = c.table(CONFIG_FIELDS, root, [], "must be a mapping (the review-router configuration)");
  if (!config) return { problems: c.problems };
  if (registry) checkPolicyRegistry(c, config.policy, registry);
  return { config, problems: c.problems };
}

/** The `registry` key of a configuration's top-level mapping, read as the checker reads it (no problems reported). */
export function registryFileOf(value: unknown): string | undefined {
  const raw =
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>).registry : undefined;
  const quiet = new Checker({ value, lineOf: () => undefined }, "");
  return quiet.field(REGISTRY_FIELD, raw, ["registry"]) as string | undefined;
}

/** The JSON Schema of a configuration file, for editors (written to schema/ by `npm run schema`). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "review-router configuration",
    description: "config/pytorch/review-router.yml, a file given to the review-router CLI, or .github/review-router.yml in a repository.",
    ...tableSchema(CONFIG_FIELDS),
  };
}

/** The schema file's text: stable JSON, two-space indents, a final newline. */
export function configSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

function registryHasLogin(registry: Registry, login: string): boolean {
  const key = loginKey(login);
  return registry.entries.some((e) => e.maintainers.some((m) => loginKey(m.login) === key));
}

/** A module needs a label unless its areas carry labels or it owns whole repositories; and something to match. */
function checkModuleHasLabelAndPaths(c: Checker, m: ModuleSpec, raw: Record<string, unknown>, at: KeyPath): void {
  if (!m.label && m.areas.length === 0 && m.repositories.length === 0) {
    c.report([...at, "label"], `module "${m.name}" has no label: give it \`label\` (or areas with labels)`);
  }
  if (
    (raw.paths === undefined || raw.paths === null) &&
    m.areas.length === 0 &&
    m.repositories.length === 0 &&
    m.keywords.length === 0 &&
    m.titleKeywords.length === 0
  ) {
    c.report([...at, "paths"], `module "${m.name}" matches nothing: give it \`paths\`, \`areas\` or \`repository\``, "warning");
  }
}

/** Inline maintainers should be in the registry (a warning: a typo is likely); otherwise the module's entry must exist. */
function checkModuleRegistry(c: Checker, m: ModuleSpec, at: KeyPath, registry: Registry): void {
  if (m.maintainers) {
    m.maintainers.forEach((login, i) => {
      if (!registryHasLogin(registry, login)) {
        c.report([...at, "maintainers", i], `"${login}" is not in the maintainer registry; check the spelling`, "warning");
      }
    });
    return;
  }
  if (m.teams) return; // teams review it: no registry entry needed
  const entryName = m.registryEntry ?? m.name;
  if (!findEntry(registry, entryName)) {
    c.report(
      m.registryEntry ? [...at, "registry_entry"] : [...at, "name"],
      `no registry entry named "${entryName}": set \`registry_entry\` to an entry of the registry, or list \`maintainers\``,
    );
  }
}

function checkDuplicateModuleName(c: Checker, m: ModuleSpec, at: KeyPath, i: number, names: Map<string, number>): void {
  const key = m.name.toLowerCase();
  const first = names.get(key);
  if (first !== undefined) c.report([...at, "name"], `duplicate module name "${m.name}" (first at modules[${first}])`);
  else names.set(key, i);
}

function checkPolicyRegistry(c: Checker, policy: Policy, registry: Registry): void {
  const entry = policy.defaultReviewersEntry;
  if (entry !== undefined && !findEntry(registry, entry)) {
    c.report(["default_reviewers_entry"], `no registry entry named "${entry}": name an entry of the registry, or remove the key`);
  }
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
