// The declaration machinery (src/core/schema.ts) and what config.ts derives from it: types,
// defaults, checking, and the published JSON Schema, which must agree with the checker.
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONFIG_FIELDS,
  configJsonSchema,
  configSchemaText,
  DEFAULT_APP_SETTINGS,
  DEFAULT_POLICY,
  parseConfig,
  type AppSettings,
  type AreaSpec,
  type ModuleSpec,
  type Policy,
  type RouterConfig,
  type SummaryMode,
} from "../../src/core/config.js";
import { formatProblem } from "../../src/core/problems.js";
import { Checker, tableSchema, type Field, type TableValue } from "../../src/core/schema.js";
import { parseYaml } from "../../src/core/yaml.js";

const root = (rel: string) => new URL(`../../${rel}`, import.meta.url);

// Compile-time: the derived types have the fields (names, types, optionality) the rest of the code
// was written against. `Has` ignores fields added later, so a new key does not break this.
type Eq<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Has<A, B> = Eq<Pick<A, keyof B & keyof A>, B>;
const typesHold: [
  Has<Policy, { reviewersPerModule: number; maxReviewers: number; fallbackReviewers: string[]; ignoreAuthors: string[] }>,
  Eq<SummaryMode, "check" | "comment" | "none">,
  Has<
    AppSettings,
    { skipDrafts: boolean; syncLabels: boolean; summary: SummaryMode; dryRun: boolean; issueComment: boolean; useDefaultModules: boolean }
  >,
  Has<AreaSpec, { name: string; label: string; paths: string[]; exclude: string[]; keywords: string[] }>,
  Has<
    ModuleSpec,
    {
      name: string;
      label?: string;
      paths: string[];
      exclude: string[];
      areas: AreaSpec[];
      maintainers?: string[];
      registryEntry?: string;
      repositories: string[];
      keywords: string[];
    }
  >,
  Has<RouterConfig, { registryFile?: string; policy: Policy; app: AppSettings; modules: ModuleSpec[] }>,
] = [true, true, true, true, true, true];

describe("the configuration's declaration", () => {
  it("derives the types and the defaults", () => {
    expect(typesHold.every(Boolean)).toBe(true);
    expect(DEFAULT_POLICY).toMatchObject({ reviewersPerModule: 1, maxReviewers: 3, fallbackReviewers: [], ignoreAuthors: [] });
    expect(DEFAULT_APP_SETTINGS).toMatchObject({
      skipDrafts: true,
      syncLabels: false,
      summary: "check",
      dryRun: false,
      issueComment: false,
      useDefaultModules: true,
    });
  });

  it("declares every key once, each with a one-line doc", () => {
    const keys = CONFIG_FIELDS.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    const all: Field[] = [];
    const walk = (fields: readonly Field[]) => {
      for (const f of fields) {
        all.push(f);
        if (f.kind === "table" || f.kind === "tables") walk(f.fields);
      }
    };
    walk(CONFIG_FIELDS);
    for (const f of all) expect(f.doc, f.key).toMatch(/^[A-Z].*\.$/);
    for (const f of all) expect(f.doc.includes("\n"), f.key).toBe(false);
  });
});

describe("the published JSON Schema", () => {
  it("is current: run `npm run schema` and commit schema/review-router.schema.json", () => {
    expect(readFileSync(root("schema/review-router.schema.json"), "utf8")).toBe(configSchemaText());
  });

  it("is pointed at by the configuration example in docs/configuration.md", () => {
    const doc = readFileSync(root("docs/configuration.md"), "utf8");
    expect(doc).toContain("```yaml\n# yaml-language-server: $schema=./schema/review-router.schema.json\n");
  });

  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(configJsonSchema());
  const schemaAccepts = (text: string) =>
    validate(parseYaml(text, "x.yml").ok ? ((parseYaml(text, "x.yml") as { doc: { value: unknown } }).doc.value ?? {}) : undefined);
  const checkerAccepts = (text: string) => !parseConfig(text, "x.yml").problems.some((p) => p.severity === "error");

  it("accepts the bundled configuration and the example in docs/configuration.md, as the checker does", () => {
    const doc = readFileSync(root("docs/configuration.md"), "utf8");
    const example = /```yaml\n(# yaml-language-server[^]*?)```/.exec(doc)![1]!;
    for (const text of [readFileSync(root("config/pytorch/review-router.yml"), "utf8"), example]) {
      expect(checkerAccepts(text)).toBe(true);
      expect(schemaAccepts(text), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  // Each line: a file, and whether it is valid. The schema and the checker must agree on each.
  const cases: [string, boolean][] = [
    ["", true],
    ["max_reviewers: 15\nreviewers_per_module: 0\nsummary: comment\nskip_drafts: false\n", true],
    ["max_reviewers: 16\n", false],
    ["max_reviewers: 1.5\n", false],
    ["max_reviewer: 3\n", false],
    ["summary: email\n", false],
    ["dry_run: yes\n", false],
    ["dry_run:\n", true],
    ["unavailable: someone\n", true],
    ["unavailable: [some one]\n", false],
    ["unavailable: [alice, {login: bob, until: 2026-12-20}]\nmax_open_reviews: 20\ncommand_prefix: /rr\nskip_label: paused\n", true],
    ["unavailable: [{login: bob, until: someday}]\n", false],
    ["unavailable: [{until: 2026-12-20}]\n", false],
    ["command_prefix: two words\n", false],
    ["max_open_reviews: 0\n", false],
    ["reroute_after_hours: 48\nreroute_timezone: Europe/Berlin\n", true],
    ["reroute_after_hours: 2001\n", false],
    [
      "triage: {threshold: 2.5, weights: {title: 5}, api_prefixes: [torch], api_aliases: {F: torch.nn.functional}, test_dir: test/}\n",
      true,
    ],
    ["triage: {weights: {titel: 5}}\n", false],
    ["triage: {repeat_factor: 2}\n", false],
    ["triage: {api_aliases: {F: 'torch nn'}}\n", false],
    ["triage: {api_prefixes: [my-pkg]}\n", false],
    ["modules:\n  - {name: A, label: a, labels: ['oncall: pt2'], paths: [a/**]}\n", true],
    ["ignore_authors: ['*[bot]', '']\n", false],
    ["registry: ''\n", false],
    ["default_reviewers: ['@pytorch/core', alice]\nunowned_label: unowned\ncodeowners: true\n", true],
    ["default_reviewers: [a/b/c]\n", false],
    ["modules:\n  - {name: A, label: a, teams: ['@pytorch/nn-team'], paths: [a/**]}\n", true],
    ["modules:\n  - {name: A, label: a, teams: [nn-team], paths: [a/**]}\n", false],
    ["modules:\n  - {name: A, label: a, paths: a/**}\n", true],
    ["modules:\n  - {name: A, label: a, paths: [a/**], color: red}\n", false],
    ["modules:\n  - {label: a, paths: [a/**]}\n", false],
    ["modules:\n  - {name: A, label: a, paths: ['/a/**']}\n", false],
    ...["a/", "./a/**", "'#a'", "'!a'", "' '"].map((g): [string, boolean] => [`modules:\n  - {name: A, label: a, paths: [${g}]}\n`, false]),
    ["modules:\n  - {name: A, label: a, paths: [.github/**, 'a/**/*.{py,pyi}', '[#]x']}\n", true],
    ["modules:\n  - {name: A, label: a, repository: pytorch/vision}\n", true],
    ["modules:\n  - {name: A, label: a, repository: vision}\n", false],
    ["modules:\n  - {name: A, label: a, maintainers: [-bad]}\n", false],
    ["modules:\n  - name: A\n    areas:\n      - {name: B, label: b, paths: [b/**], exclude: [b/x/**], keywords: [bee]}\n", true],
    ["modules:\n  - name: A\n    areas:\n      - {name: B, label: b}\n", false],
    ["modules:\n  - name: A\n    areas:\n      - {name: B, paths: [b/**]}\n", false],
    ["modules: {name: A}\n", false],
    ["modules:\n  - 7\n", false],
    ["- 1\n", false],
  ];
  it.each(cases)("agrees with the checker on %j", (text, valid) => {
    expect(checkerAccepts(text)).toBe(valid);
    expect(schemaAccepts(text)).toBe(valid);
  });
});

describe("Checker", () => {
  const NESTED = [
    { key: "title", name: "title", kind: "string", required: true, doc: "A title." },
    { key: "limit", name: "limit", kind: "int", min: 1, max: 5, default: 2, doc: "A limit." },
    { key: "mode", name: "mode", kind: "enum", values: ["a", "b"], default: "a", doc: "A mode." },
  ] as const satisfies readonly Field[];
  const FIELDS = [
    { key: "on", name: "on", kind: "bool", default: false, doc: "On." },
    { key: "who", name: "who", kind: "list", format: "login", max: 2, optional: true, doc: "Who." },
    {
      key: "inner",
      name: "inner",
      kind: "table",
      optional: true,
      fields: NESTED,
      notMapping: "must be a mapping (title, limit, mode)",
      doc: "Inner.",
    },
    { key: "in_group", name: "inGroup", group: "grouped", kind: "bool", default: true, doc: "Grouped." },
  ] as const satisfies readonly Field[];
  type Value = TableValue<typeof FIELDS>;
  const shapeHolds: Eq<
    Value,
    { on: boolean; who?: string[]; inner?: { title: string; limit: number; mode: "a" | "b" }; grouped: { inGroup: boolean } }
  > = true;

  const check = (text: string) => {
    const parsed = parseYaml(text, "t.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const c = new Checker(parsed.doc, "t.yml");
    const value = c.table(FIELDS, parsed.doc.value, [], "must be a mapping");
    return { value, problems: c.problems.map(formatProblem) };
  };

  it("checks a nested table and groups fields, leaving out absent optional ones", () => {
    expect(shapeHolds).toBe(true);
    expect(check("inner:\n  title: T\n  mode: b\n")).toEqual({
      value: { on: false, inner: { title: "T", limit: 2, mode: "b" }, grouped: { inGroup: true } },
      problems: [],
    });
  });

  it("names the nested key's line, and keeps the default of a bad value", () => {
    expect(check("on: 1\nwho: [ok, -no]\ninner:\n  title: T\n  limit: 9\n  extra: 1\n")).toEqual({
      value: { on: false, who: ["ok"], inner: { title: "T", limit: 2, mode: "a" }, grouped: { inGroup: true } },
      problems: [
        "t.yml:1: error: on: must be true or false",
        't.yml:2: error: who[1]: "-no" is not a GitHub login',
        "t.yml:6: error: inner.extra: unknown key; expected one of: title, limit, mode",
        "t.yml:5: error: inner.limit: must be a whole number from 1 to 5",
      ],
    });
  });

  it("refuses a list over its limit with one problem, and a table without its required field", () => {
    const r = check("who: [a, b, c]\ninner: {limit: 3}\n");
    expect(r.problems).toEqual([
      "t.yml:1: error: who: has 3 items; the limit is 2",
      "t.yml:2: error: inner.title: is required and must be a non-empty string",
    ]);
    expect(r.value).toEqual({ on: false, who: [], grouped: { inGroup: true } });
  });

  it("writes a JSON Schema for a nested table", () => {
    const schema = tableSchema(FIELDS) as { properties: Record<string, unknown> };
    expect(schema.properties.inner).toEqual({
      description: "Inner.",
      anyOf: [
        {
          type: "object",
          additionalProperties: false,
          properties: {
            title: { description: "A title.", type: "string", pattern: "\\S" },
            limit: { description: "A limit.", type: ["integer", "null"], minimum: 1, maximum: 5, default: 2 },
            mode: { description: "A mode.", enum: ["a", "b", null], default: "a" },
          },
          required: ["title"],
        },
        { type: "null" },
      ],
    });
  });
});

describe("Checker: the other kinds", () => {
  const PEOPLE = [
    { key: "login", name: "login", kind: "string", required: true, format: "login", doc: "Who." },
    { key: "until", name: "until", kind: "string", optional: true, format: "date", doc: "Until." },
  ] as const satisfies readonly Field[];
  const FIELDS = [
    { key: "ratio", name: "ratio", kind: "number", min: 0, max: 1, default: 0.5, doc: "A share." },
    {
      key: "prefix",
      name: "prefix",
      kind: "string",
      default: "/go",
      pattern: /^\S{1,5}$/,
      invalid: "must be one short word",
      doc: "A word.",
    },
    {
      key: "zone",
      name: "zone",
      kind: "string",
      default: "UTC",
      check: (s: string) => (s === "UTC" || s.includes("/") ? undefined : `"${s}" is not a time zone`),
      doc: "A zone.",
    },
    { key: "dir", name: "dir", kind: "string", default: "test", transform: (s: string) => s.replace(/^\/+|\/+$/g, ""), doc: "A folder." },
    { key: "marks", name: "marks", kind: "list", max: 3, default: ["oncall:"], doc: "Prefixes." },
    {
      key: "aliases",
      name: "aliases",
      kind: "map",
      keyPattern: /^\w+$/,
      keyMessage: "must be a name",
      valuePattern: /^\w+(?:\.\w+)*$/,
      valueMessage: "must be a dotted name",
      notMapping: "must be a mapping (short name: dotted.name)",
      doc: "Aliases.",
    },
    {
      key: "after",
      name: "after",
      kind: "table",
      inline: true,
      notMapping: "",
      doc: "Inline.",
      fields: [{ key: "after_hours", name: "hours", kind: "int", min: 0, max: 99, default: 0, doc: "Hours." }],
    },
    {
      key: "away",
      name: "away",
      kind: "tables",
      shorthand: "login",
      fields: PEOPLE,
      noun: "items",
      max: 3,
      notList: "must be a list of logins or {login, until}",
      notMapping: "must be a mapping (login, until)",
      doc: "Away.",
    },
    {
      key: "weights",
      name: "weights",
      kind: "table",
      notMapping: "must be a mapping (a, b)",
      doc: "Weights.",
      fields: [
        { key: "a", name: "a", kind: "number", min: 0, max: 10, default: 1, doc: "A." },
        { key: "b", name: "b", kind: "number", min: 0, max: 10, default: 2, doc: "B." },
      ],
    },
  ] as const satisfies readonly Field[];
  const shapeHolds: Eq<
    TableValue<typeof FIELDS>,
    {
      ratio: number;
      prefix: string;
      zone: string;
      dir: string;
      marks: string[];
      aliases: Record<string, string>;
      after: { hours: number };
      away: { login: string; until?: string }[];
      weights: { a: number; b: number };
    }
  > = true;
  const check = (text: string) => {
    const parsed = parseYaml(text, "k.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const c = new Checker(parsed.doc, "k.yml");
    return { value: c.table(FIELDS, parsed.doc.value ?? {}, [], "must be a mapping"), problems: c.problems.map(formatProblem) };
  };

  it("fills every default, an inline table's and a nested table's included", () => {
    expect(shapeHolds).toBe(true);
    expect(check("")).toEqual({
      value: {
        ratio: 0.5,
        prefix: "/go",
        zone: "UTC",
        dir: "test",
        marks: ["oncall:"],
        aliases: {},
        after: { hours: 0 },
        away: [],
        weights: { a: 1, b: 2 },
      },
      problems: [],
    });
  });

  it("reads an inline table's keys from the enclosing mapping, and a string item as its shorthand", () => {
    const r = check(
      "after_hours: 24\naway: [alice, {login: bob, until: 2026-12-20}]\nweights: {b: 0.25}\ndir: /tests/\naliases: {F: a.b}\n",
    );
    expect(r.problems).toEqual([]);
    expect(r.value).toMatchObject({
      after: { hours: 24 },
      away: [{ login: "alice" }, { login: "bob", until: "2026-12-20" }],
      weights: { a: 1, b: 0.25 },
      dir: "tests",
      aliases: { F: "a.b" },
    });
  });

  it("names each bad value, keeping defaults, and lists inline keys among the expected ones", () => {
    const r = check(
      [
        "ratio: 2", // 1
        "prefix: two words", // 2
        "zone: Mars", // 3
        "aliases: {F: 'a b', 'x-y': z}", // 4
        "away: [-x, {login: bob, until: 2026-02-30}, 7]", // 5
        "weights: 3", // 6
        "after_hour: 1", // 7
      ].join("\n"),
    );
    expect(r.problems).toEqual([
      "k.yml:7: error: after_hour: unknown key; expected one of: ratio, prefix, zone, dir, marks, aliases, after_hours, away, weights",
      "k.yml:1: error: ratio: must be a number from 0 to 1",
      "k.yml:2: error: prefix: must be one short word",
      'k.yml:3: error: zone: "Mars" is not a time zone',
      "k.yml:4: error: aliases.F: must be a dotted name",
      "k.yml:4: error: aliases.x-y: must be a name",
      'k.yml:5: error: away[0]: "-x" is not a GitHub login',
      'k.yml:5: error: away[1].until: "2026-02-30" is not a day written YYYY-MM-DD',
      "k.yml:5: error: away[2]: must be a mapping (login, until)",
      "k.yml:6: error: weights: must be a mapping (a, b)",
    ]);
    expect(r.value).toMatchObject({
      ratio: 0.5,
      prefix: "/go",
      zone: "UTC",
      aliases: {},
      away: [{ login: "bob" }],
      weights: { a: 1, b: 2 },
    });
  });

  it("takes a single string for a list with a shorthand, and refuses too many items", () => {
    expect(check("away: alice\n").value?.away).toEqual([{ login: "alice" }]);
    expect(check("away: [a, b, c, d]\n").problems).toEqual(["k.yml:1: error: away: has 4 items; the limit is 3"]);
  });
});

describe("checkOrder", () => {
  it("checks a field with a lower checkOrder first, and still lists keys in declaration order", () => {
    const FIELDS = [
      { key: "a", name: "a", kind: "bool", default: false, doc: "A." },
      { key: "b", name: "b", kind: "bool", default: false, checkOrder: -1, doc: "B." },
    ] as const satisfies readonly Field[];
    const parsed = parseYaml("a: 1\nb: 2\nc: 3\n", "o.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const c = new Checker(parsed.doc, "o.yml");
    c.table(FIELDS, parsed.doc.value, [], "");
    expect(c.problems.map(formatProblem)).toEqual([
      "o.yml:3: error: c: unknown key; expected one of: a, b",
      "o.yml:2: error: b: must be true or false",
      "o.yml:1: error: a: must be true or false",
    ]);
  });
});

describe("Checker.limitTotal", () => {
  const FIELDS = [
    { key: "a", name: "a", kind: "list", format: "glob", max: 10, doc: "A." },
    { key: "b", name: "b", kind: "list", format: "glob", max: 10, doc: "B." },
    { key: "c", name: "c", kind: "list", format: "glob", max: 10, doc: "C." },
  ] as const satisfies readonly Field[];

  it("refuses, with one problem, the list that passes the document-wide limit and every later one", () => {
    const parsed = parseYaml("a: [x, y]\nb: [z, '/w']\nc: [v]\n", "g.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const c = new Checker(parsed.doc, "g.yml");
    c.limitTotal("glob", 3, "too many globs in all");
    expect(c.table(FIELDS, parsed.doc.value, [], "")).toEqual({ a: ["x", "y"], b: [], c: [] });
    expect(c.problems.map(formatProblem)).toEqual(["g.yml:2: error: b: too many globs in all"]);
  });
});
