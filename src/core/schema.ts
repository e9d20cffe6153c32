// Settings declared once. A table of settings is a list of field declarations (YAML key, internal
// name, kind, default, one-line doc); from that one list come the TypeScript type of the checked
// value (`TableValue`), the defaults, the unknown-key check, the checking with `FILE:LINE: error:
// KEY: message` problems, and a JSON Schema for editors. Checks that relate several fields (a
// registry reference, a duplicate name) are not declared: the caller runs them after each table.

import { globProblem } from "./matcher.js";
import type { Problem, Severity } from "./problems.js";
import { isPlainObject } from "./util.js";
import { formatKeyPath, type KeyPath, type ParsedYaml } from "./yaml.js";

/** GitHub's rule for user names: alphanumerics and single hyphens, at most 39 characters. */
const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export function isValidLogin(login: string): boolean {
  return LOGIN_RE.test(login);
}

const TEAM_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9_.-]+$/;

/** A team as review-router names it: `org/team-slug` (CODEOWNERS writes it `@org/team-slug`). */
export function isTeamName(text: string): boolean {
  return TEAM_RE.test(text);
}

/** What a string in a list (or a string setting) must look like beyond being non-empty. */
export type StringFormat = "login" | "glob" | "repository" | "team" | "reviewer" | "date" | "identifier";

const IDENTIFIER_RE = /^[A-Za-z_]\w*$/;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD string naming a day that exists (not 2026-02-30). */
function realDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  return DATE_RE.test(day) && !Number.isNaN(t) && new Date(t).toISOString().startsWith(day);
}

interface FormatRule {
  /** The problem with `s`, if any. */
  problem(s: string): string | undefined;
  /** Whether a string with a problem is still kept in the checked value. */
  keepInvalid: boolean;
  /** Applied to each list item before it is checked (`@org/team` → `org/team`). */
  normalize?: (s: string) => string;
  /** For the JSON Schema. */
  pattern?: RegExp;
  maxLength?: number;
  description: string;
}

const FORMATS: Record<StringFormat, FormatRule> = {
  login: {
    problem: (s) => (isValidLogin(s) ? undefined : `"${truncate(s)}" is not a GitHub login`),
    keepInvalid: false,
    pattern: LOGIN_RE,
    description: "a GitHub login",
  },
  glob: {
    problem: (s) => {
      const p = globProblem(s);
      return p ? `bad glob "${truncate(s)}": ${p}` : undefined;
    },
    keepInvalid: false,
    // The schema catches the cheap mistakes; the checker also counts '**' segments and expansions.
    pattern: /^(?![!#/]|\.\/)(?![\s\S]*\/$)[\s\S]*\S/,
    maxLength: 500,
    description: "a minimatch glob relative to the repository root (no leading '/', './', '!' or '#', no trailing '/')",
  },
  repository: {
    problem: (s) => (REPO_RE.test(s) ? undefined : `"${truncate(s)}" is not owner/name`),
    keepInvalid: true,
    pattern: REPO_RE,
    description: "a repository as owner/name",
  },
  team: {
    normalize: (s) => s.replace(/^@/, ""),
    problem: (s) => (isTeamName(s) ? undefined : `"${truncate(s)}" is not a team: write org/team-slug`),
    keepInvalid: false,
    pattern: new RegExp(`^@?${TEAM_RE.source.slice(1)}`),
    description: "a team: org/team-slug (a leading @ is dropped)",
  },
  reviewer: {
    normalize: (s) => s.replace(/^@/, ""),
    problem: (s) =>
      isValidLogin(s) || isTeamName(s) ? undefined : `"${truncate(s)}" is neither a GitHub login nor a team (org/team-slug)`,
    keepInvalid: false,
    pattern: new RegExp(`^@?(?:${LOGIN_RE.source.slice(1, -1)}|${TEAM_RE.source.slice(1, -1)})$`),
    description: "a GitHub login or a team: org/team-slug (a leading @ is dropped)",
  },
  date: {
    problem: (s) => (realDay(s) ? undefined : `"${truncate(s)}" is not a day written YYYY-MM-DD`),
    keepInvalid: false,
    pattern: DATE_RE,
    description: "a day, YYYY-MM-DD",
  },
  identifier: {
    problem: (s) => (IDENTIFIER_RE.test(s) ? undefined : `"${truncate(s)}" is not a package name (letters, digits, _)`),
    keepInvalid: false,
    pattern: IDENTIFIER_RE,
    description: "a package name (letters, digits, _)",
  },
};

/** What a string of `format` must be, in words (the configuration reference and the JSON Schema say it alike). */
export function formatDescription(format: StringFormat): string {
  return FORMATS[format].description;
}

interface Common {
  /** The key in the YAML file. */
  readonly key: string;
  /** The property in the checked value. */
  readonly name: string;
  /** One line saying what the setting does (also the JSON Schema's description). */
  readonly doc: string;
  /** At the top level: the checked value groups the field under this property (`policy`, `app`). */
  readonly group?: string;
  /**
   * Checked before the fields without one (lower first); the declaration order stays the order
   * keys are listed in. Only to keep the order in which an existing check listed its problems.
   */
  readonly checkOrder?: number;
}

export interface BoolField extends Common {
  readonly kind: "bool";
  readonly default: boolean;
}
export interface IntField extends Common {
  readonly kind: "int";
  readonly min: number;
  readonly max: number;
  readonly default: number;
}
/** A number, fractions allowed. */
export interface NumberField extends Common {
  readonly kind: "number";
  readonly min: number;
  readonly max: number;
  readonly default: number;
}
export interface EnumField extends Common {
  readonly kind: "enum";
  readonly values: readonly string[];
  readonly default: string;
}
export interface StringField extends Common {
  readonly kind: "string";
  /** Absent or wrong, the table item is dropped (and the problem reported). */
  readonly required?: boolean;
  /** Absent, the property is left out of the checked value. */
  readonly optional?: boolean;
  /** Any string, the empty one included (otherwise it must have a non-blank character). */
  readonly allowEmpty?: boolean;
  readonly format?: StringFormat;
  /** Replaces every message about this field's value. */
  readonly message?: string;
  /** Absent or bad, this value. */
  readonly default?: string;
  /** A well-formed value must match this (also in the JSON Schema); `invalid` is reported otherwise. */
  readonly pattern?: RegExp;
  readonly invalid?: string;
  /** A check no pattern can say (a time zone): the problem with a well-formed value, if any. */
  readonly check?: (s: string) => string | undefined;
  /** Applied to a well-formed value (trim, strip slashes). */
  readonly transform?: (s: string) => string;
}
export interface ListField extends Common {
  readonly kind: "list";
  /** Items: non-empty strings, of this format when given. A single string is a list of one. */
  readonly format?: StringFormat;
  readonly max: number;
  /** Absent, the property is left out (rather than an empty list). */
  readonly optional?: boolean;
  /** Absent, this error is reported (the value is an empty list). */
  readonly requiredMessage?: string;
  /** Absent, this list (otherwise an empty one). */
  readonly default?: readonly string[];
}
/** A mapping of free names to strings (`F: torch.nn.functional`). */
export interface MapField extends Common {
  readonly kind: "map";
  readonly keyPattern: RegExp;
  readonly keyMessage: string;
  readonly valuePattern: RegExp;
  readonly valueMessage: string;
  readonly notMapping: string;
}
export interface TableField extends Common {
  readonly kind: "table";
  readonly fields: readonly Field[];
  /** Reported when the value is not a mapping. */
  readonly notMapping: string;
  /** Absent, the property is left out; otherwise an absent (or bad) table is its defaults. */
  readonly optional?: boolean;
  /** The table's keys are written in the enclosing mapping (the value is still nested). */
  readonly inline?: boolean;
}
export interface TablesField extends Common {
  readonly kind: "tables";
  readonly fields: readonly Field[];
  /** Plural noun for the limit message: `has 3000 modules; the limit is 500`. */
  readonly noun: string;
  readonly max?: number;
  /** Reported when the value is not a list (or, when `required`, absent). */
  readonly notList: string;
  /** Reported for an item that is not a mapping. */
  readonly notMapping: string;
  readonly required?: boolean;
  /** A string item is short for a mapping with this one key (`- alice` for `- {login: alice}`). */
  readonly shorthand?: string;
}
export type Field = BoolField | IntField | NumberField | EnumField | StringField | ListField | MapField | TableField | TablesField;

// ---- Types derived from a declaration ----

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type FieldValue<F> = F extends { kind: "bool" }
  ? boolean
  : F extends { kind: "int" | "number" }
    ? number
    : F extends { kind: "enum"; values: readonly (infer V)[] }
      ? V
      : F extends { kind: "string" }
        ? string
        : F extends { kind: "list" }
          ? string[]
          : F extends { kind: "map" }
            ? Record<string, string>
            : F extends { kind: "table"; fields: infer T extends readonly Field[] }
              ? TableValue<T>
              : F extends { kind: "tables"; fields: infer T extends readonly Field[] }
                ? TableValue<T>[]
                : never;

type Props<F extends Field> = {
  [K in F as K extends { optional: true } ? never : K["name"]]: FieldValue<K>;
} & {
  [K in F as K extends { optional: true } ? K["name"] : never]?: FieldValue<K>;
};

type Ungrouped<F extends Field> = F extends { group: string } ? never : F;
type GroupNames<F extends Field> = F extends { group: infer G extends string } ? G : never;

/** The checked value of a table declared by the field list `T`. */
export type TableValue<T extends readonly Field[]> = Simplify<
  Props<Ungrouped<T[number]>> & { [G in GroupNames<T[number]>]: Simplify<Props<Extract<T[number], { group: G }>>> }
>;

/** The defaults of a group of a table, or of its ungrouped fields (optional fields without a default are left out). */
export function defaultsOf(fields: readonly Field[], group: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.group !== group) continue;
    const d = defaultValue(f);
    if (d === undefined && !("optional" in f && f.optional)) throw new Error(`${f.key} has no default`);
    if (d !== undefined) out[f.name] = d;
  }
  return out;
}

/** A table's value when its mapping is absent: every field's default. */
function tableDefaults(fields: readonly Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const d = defaultValue(f);
    if (d === undefined) continue;
    if (f.group !== undefined) ((out[f.group] ??= {}) as Record<string, unknown>)[f.name] = d;
    else out[f.name] = d;
  }
  return out;
}

function defaultValue(f: Field): unknown {
  switch (f.kind) {
    case "bool":
    case "int":
    case "number":
    case "enum":
    case "string":
      return f.default;
    case "list":
      return f.optional ? undefined : [...(f.default ?? [])];
    case "map":
      return {};
    case "table":
      return f.optional ? undefined : tableDefaults(f.fields);
    case "tables":
      return [];
  }
}

// ---- Checking ----

export function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The YAML keys of a table, those of its inline tables included, in declaration order. */
function keysOf(fields: readonly Field[]): string[] {
  return fields.flatMap((f) => (f.kind === "table" && f.inline ? keysOf(f.fields) : [f.key]));
}

/** Runs after each item of a list of tables is checked, with the item's raw mapping. */
export type ItemCheck<V> = (value: V, raw: Record<string, unknown>, at: KeyPath, index: number) => void;

export class Checker {
  readonly problems: Problem[] = [];
  private readonly itemChecks = new Map<Field, ItemCheck<never>>();
  /** Per format, a limit on the strings of that format in all lists of the document, and the count so far. */
  private readonly totals = new Map<StringFormat, { max: number; seen: number; message: string }>();

  constructor(
    readonly doc: ParsedYaml,
    readonly file: string,
  ) {}

  report(path: KeyPath, message: string, severity: Severity = "error"): void {
    this.problems.push({ file: this.file, line: this.doc.lineOf(path), key: formatKeyPath(path), message, severity });
  }

  /** Cross-field checks to run after each item of `field` (a list of tables) is checked. */
  afterEach<F extends TablesField>(field: F, check: ItemCheck<TableValue<F["fields"]>>): void {
    this.itemChecks.set(field, check as ItemCheck<never>);
  }

  /**
   * At most `max` strings of `format` in all the document's lists: the list that passes the limit
   * gets `message`, and it and every later list of that format are refused before any check.
   */
  limitTotal(format: StringFormat, max: number, message: string): void {
    this.totals.set(format, { max, seen: 0, message });
  }

  /**
   * Check a mapping against a declaration: unknown keys, then each field in declaration order.
   * Returns the checked value, or undefined when it is not a mapping or a required field is bad.
   */
  table<T extends readonly Field[]>(fields: T, raw: unknown, at: KeyPath, notMapping: string): TableValue<T> | undefined {
    if (!isPlainObject(raw)) {
      this.report(at, notMapping);
      return undefined;
    }
    const keys = keysOf(fields);
    for (const k of Object.keys(raw)) {
      if (!keys.includes(k)) this.report([...at, k], `unknown key; expected one of: ${keys.join(", ")}`);
    }
    return this.fields(fields, raw, at) as TableValue<T> | undefined;
  }

  /** The fields of a mapping already known to be one, its unknown keys already reported. */
  private fields(fields: readonly Field[], raw: Record<string, unknown>, at: KeyPath): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    for (const f of fields) if (f.group !== undefined) out[f.group] ??= {};
    let usable = true;
    const ordered = fields.some((f) => f.checkOrder !== undefined)
      ? [...fields].sort((a, b) => (a.checkOrder ?? 0) - (b.checkOrder ?? 0))
      : fields;
    for (const f of ordered) {
      const value = f.kind === "table" && f.inline ? this.fields(f.fields, raw, at) : this.field(f, raw[f.key], [...at, f.key]);
      if (value === undefined) {
        if (f.kind === "string" && f.required) usable = false;
        continue;
      }
      if (f.group !== undefined) (out[f.group] as Record<string, unknown>)[f.name] = value;
      else out[f.name] = value;
    }
    return usable ? out : undefined;
  }

  /** The checked value of one field; undefined when absent without a default, or when bad and optional. */
  field(f: Field, value: unknown, at: KeyPath): unknown {
    switch (f.kind) {
      case "bool":
        if (absent(value)) return f.default;
        if (typeof value === "boolean") return value;
        this.report(at, "must be true or false");
        return f.default;
      case "int":
        if (absent(value)) return f.default;
        if (typeof value === "number" && Number.isInteger(value) && value >= f.min && value <= f.max) return value;
        this.report(at, `must be a whole number from ${f.min} to ${f.max}`);
        return f.default;
      case "number":
        if (absent(value)) return f.default;
        if (typeof value === "number" && Number.isFinite(value) && value >= f.min && value <= f.max) return value;
        this.report(at, `must be a number from ${f.min} to ${f.max}`);
        return f.default;
      case "enum":
        if (absent(value)) return f.default;
        if (typeof value === "string" && f.values.includes(value)) return value;
        this.report(at, `must be one of: ${f.values.join(", ")}`);
        return f.default;
      case "string":
        return this.string(f, value, at);
      case "list":
        return this.list(f, value, at);
      case "map":
        return this.map(f, value, at);
      case "table": {
        if (absent(value)) return f.optional ? undefined : tableDefaults(f.fields);
        const checked = this.table(f.fields, value, at, f.notMapping);
        return checked ?? (f.optional ? undefined : tableDefaults(f.fields));
      }
      case "tables":
        return this.tables(f, value, at);
    }
  }

  private string(f: StringField, value: unknown, at: KeyPath): string | undefined {
    if (absent(value)) {
      if (f.required) this.report(at, f.message ?? "is required and must be a non-empty string");
      return f.default;
    }
    if (typeof value !== "string" || (!f.allowEmpty && value.trim() === "")) {
      this.report(at, f.message ?? (f.allowEmpty ? "must be a string" : "must be a non-empty string"));
      return f.default;
    }
    const problem = f.format
      ? FORMATS[f.format].problem(value)
      : f.pattern && !f.pattern.test(value)
        ? (f.invalid ?? `must match ${f.pattern.source}`)
        : f.check?.(value);
    if (problem) {
      this.report(at, f.message ?? problem);
      return f.format && FORMATS[f.format].keepInvalid ? value : f.default;
    }
    return f.transform ? f.transform(value) : value;
  }

  private list(f: ListField, value: unknown, at: KeyPath): string[] | undefined {
    if (absent(value)) {
      if (f.requiredMessage) this.report(at, f.requiredMessage);
      return f.optional ? undefined : [...(f.default ?? [])];
    }
    const single = typeof value === "string";
    const list = single ? [value] : value;
    if (!Array.isArray(list)) {
      this.report(at, "must be a list of strings");
      return [];
    }
    if (list.length > f.max) {
      this.report(at, `has ${list.length} items; the limit is ${f.max}`);
      return [];
    }
    const strings: string[] = [];
    const where: number[] = [];
    list.forEach((item: unknown, i: number) => {
      if (typeof item !== "string" || item.trim() === "") this.report(single ? at : [...at, i], "must be a non-empty string");
      else {
        strings.push(item);
        where.push(i);
      }
    });
    if (!f.format) return strings;
    const total = this.totals.get(f.format);
    if (total) {
      total.seen += strings.length;
      if (total.seen > total.max) {
        if (total.seen - strings.length <= total.max) this.report(at, total.message);
        return [];
      }
    }
    const rule = FORMATS[f.format];
    const out: string[] = [];
    strings.forEach((raw, i) => {
      const s = rule.normalize ? rule.normalize(raw) : raw;
      const problem = rule.problem(s);
      if (problem) this.report(single ? at : [...at, where[i]!], problem);
      if (!problem || rule.keepInvalid) out.push(s);
    });
    return out;
  }

  private map(f: MapField, value: unknown, at: KeyPath): Record<string, string> {
    if (absent(value)) return {};
    if (!isPlainObject(value)) {
      this.report(at, f.notMapping);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) {
      if (!f.keyPattern.test(key)) this.report([...at, key], f.keyMessage);
      else if (typeof v !== "string" || !f.valuePattern.test(v)) this.report([...at, key], f.valueMessage);
      else out[key] = v;
    }
    return out;
  }

  private tables(f: TablesField, value: unknown, at: KeyPath): unknown[] {
    if (absent(value) && !f.required) return [];
    const single = f.shorthand !== undefined && typeof value === "string";
    const list = single ? [value] : value;
    if (!Array.isArray(list)) {
      this.report(at, f.notList);
      return [];
    }
    if (f.max !== undefined && list.length > f.max) {
      this.report(at, `has ${list.length} ${f.noun}; the limit is ${f.max}`);
      return [];
    }
    const check = this.itemChecks.get(f) as ItemCheck<unknown> | undefined;
    const out: unknown[] = [];
    list.forEach((raw: unknown, i: number) => {
      const itemAt = single ? at : [...at, i];
      let item: unknown;
      if (f.shorthand !== undefined && typeof raw === "string") {
        // Checked as the one field it stands for, with problems at the item itself.
        const short = f.fields.find((x) => x.key === f.shorthand)!;
        const v = this.field(short, raw, itemAt);
        item = v === undefined ? undefined : { ...tableDefaults(f.fields), [short.name]: v };
      } else item = this.table(f.fields, raw, itemAt, f.notMapping);
      if (item === undefined) return;
      check?.(item, (isPlainObject(raw) ? raw : {}) as Record<string, unknown>, itemAt, i);
      out.push(item);
    });
    return out;
  }
}

// ---- JSON Schema ----

type Json = Record<string, unknown>;

function withNull(schema: Json): Json {
  return { anyOf: [schema, { type: "null" }] };
}

function stringSchema(format: StringFormat | undefined, allowEmpty = false, pattern?: RegExp): Json {
  const rule = format ? FORMATS[format] : undefined;
  const re = rule?.pattern ?? pattern;
  return {
    type: "string",
    ...(rule ? { description: rule.description } : {}),
    ...(re ? { pattern: re.source } : allowEmpty ? {} : { pattern: "\\S" }),
    ...(rule?.maxLength ? { maxLength: rule.maxLength } : {}),
  };
}

function fieldSchema(f: Field): Json {
  const doc = { description: f.doc };
  switch (f.kind) {
    case "bool":
      return { ...doc, type: ["boolean", "null"], default: f.default };
    case "int":
    case "number":
      return { ...doc, type: [f.kind === "int" ? "integer" : "number", "null"], minimum: f.min, maximum: f.max, default: f.default };
    case "enum":
      return { ...doc, enum: [...f.values, null], default: f.default };
    case "string": {
      const { description: _format, ...s } = stringSchema(f.format, f.allowEmpty, f.pattern); // the field's doc says it
      if (f.required) return { ...doc, ...s };
      return { ...doc, ...withNull(s), ...(f.default !== undefined ? { default: f.default } : {}) };
    }
    case "list": {
      const item = stringSchema(f.format);
      return {
        ...doc,
        anyOf: [item, { type: "array", items: item, maxItems: f.max }, { type: "null" }],
        ...(f.optional || f.requiredMessage ? {} : { default: [...(f.default ?? [])] }),
      };
    }
    case "map":
      return {
        ...doc,
        ...withNull({
          type: "object",
          propertyNames: { pattern: f.keyPattern.source },
          additionalProperties: { type: "string", pattern: f.valuePattern.source },
        }),
        default: {},
      };
    case "table":
      return { ...doc, ...withNull(tableSchema(f.fields)) };
    case "tables": {
      const table = tableSchema(f.fields);
      const short = f.fields.find((x) => x.key === f.shorthand);
      const shortSchema = short?.kind === "string" ? stringSchema(short.format, short.allowEmpty, short.pattern) : undefined;
      const item = shortSchema ? { anyOf: [shortSchema, table] } : table;
      const list = { type: "array", items: item, ...(f.max !== undefined ? { maxItems: f.max } : {}) };
      if (f.required) return { ...doc, ...list };
      return { ...doc, anyOf: [...(shortSchema ? [shortSchema] : []), list, { type: "null" }], default: [] };
    }
  }
}

/** The JSON Schema properties of a table's keys, those of inline tables included. */
function propertiesOf(fields: readonly Field[]): [string, Json][] {
  return fields.flatMap((f) => (f.kind === "table" && f.inline ? propertiesOf(f.fields) : [[f.key, fieldSchema(f)] as [string, Json]]));
}

/** A JSON Schema (draft-07) object for a table: its fields, no others, the required ones. */
export function tableSchema(fields: readonly Field[]): Json {
  const required = fields.filter((f) => (f.kind === "string" || f.kind === "tables") && f.required).map((f) => f.key);
  const needed = fields.filter((f) => f.kind === "list" && f.requiredMessage).map((f) => f.key);
  return {
    type: "object",
    additionalProperties: false,
    properties: Object.fromEntries(propertiesOf(fields)),
    ...(required.length + needed.length > 0 ? { required: [...required, ...needed] } : {}),
  };
}
