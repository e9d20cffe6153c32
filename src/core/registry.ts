// The maintainer registry: who maintains what, as published on a project's governance page.
// GitHub logins are case-insensitive (the PyTorch page lists both `albanD` and `alband`), so every
// comparison goes through `loginKey`.

import yaml from "js-yaml";
import { type Problem } from "./problems.js";
import { Checker, isValidLogin, type Field } from "./schema.js";
import { isPlainObject } from "./util.js";
import { parseYaml, type ParsedYaml } from "./yaml.js";

export const REGISTRY_LEVELS = ["lead", "core", "module", "library"] as const;
export type RegistryLevel = (typeof REGISTRY_LEVELS)[number];

export interface Maintainer {
  login: string;
  name: string;
  emeritus: boolean;
}

export interface RegistryEntry {
  name: string;
  level: RegistryLevel;
  maintainers: Maintainer[];
}

export interface Registry {
  /** Where the registry came from, e.g. the page title. */
  source?: string;
  entries: RegistryEntry[];
}

export function loginKey(login: string): string {
  return login.trim().toLowerCase();
}

export function sameLogin(a: string, b: string): boolean {
  return loginKey(a) === loginKey(b);
}

export function findEntry(registry: Registry, name: string): RegistryEntry | undefined {
  const key = name.trim().toLowerCase();
  return registry.entries.find((e) => e.name.trim().toLowerCase() === key);
}

export function countMaintainers(registry: Registry): { listed: number; emeritus: number } {
  let listed = 0;
  let emeritus = 0;
  for (const entry of registry.entries) {
    for (const m of entry.maintainers) {
      listed += 1;
      if (m.emeritus) emeritus += 1;
    }
  }
  return { listed, emeritus };
}

/** Every login that appears anywhere in the registry, keyed by `loginKey`. */
export function registryLogins(registry: Registry): Set<string> {
  const out = new Set<string>();
  for (const e of registry.entries) for (const m of e.maintainers) out.add(loginKey(m.login));
  return out;
}

/** Deterministic YAML for a registry: the same registry always serialises to the same bytes. */
export function serializeRegistry(registry: Registry, header?: string): string {
  const doc = {
    ...(registry.source ? { source: registry.source } : {}),
    entries: registry.entries.map((e) => ({
      name: e.name,
      level: e.level,
      maintainers: e.maintainers.map((m) => ({
        login: m.login,
        name: m.name,
        ...(m.emeritus ? { emeritus: true } : {}),
      })),
    })),
  };
  const body = yaml.dump(doc, { lineWidth: -1, noRefs: true, quotingType: '"' });
  return (header ? header.replace(/^/gm, "# ").replace(/# $/gm, "#") + "\n" : "") + body;
}

export { isValidLogin };

const MAINTAINER_FIELDS = [
  {
    key: "login",
    name: "login",
    kind: "string",
    required: true,
    format: "login",
    message: "must be a GitHub login (letters, digits and single hyphens)",
    doc: "The maintainer's GitHub login.",
  },
  { key: "name", name: "name", kind: "string", optional: true, allowEmpty: true, doc: "The maintainer's name; the login when absent." },
  { key: "emeritus", name: "emeritus", kind: "bool", default: false, doc: "Listed as emeritus: never requested." },
] as const satisfies readonly Field[];

const ENTRIES_FIELD = {
  key: "entries",
  name: "entries",
  kind: "tables",
  required: true,
  noun: "entries",
  notList: "must be a list of entries (name, level, maintainers)",
  notMapping: "each entry must be a mapping with name, level and maintainers",
  doc: "One entry per module or library of the governance page.",
  fields: [
    {
      key: "name",
      name: "name",
      kind: "string",
      required: true,
      message: "each entry needs a non-empty `name`",
      doc: "The entry's heading.",
    },
    { key: "level", name: "level", kind: "enum", values: REGISTRY_LEVELS, default: "module", doc: "Where the entry stands on the page." },
    {
      key: "maintainers",
      name: "maintainers",
      kind: "tables",
      required: true,
      noun: "maintainers",
      notList: "must be a list of {login, name, emeritus?}",
      notMapping: "each maintainer must be a mapping with login and name",
      fields: MAINTAINER_FIELDS,
      doc: "The entry's maintainers.",
    },
  ],
} as const satisfies Field;

const REGISTRY_FIELDS = [
  {
    key: "source",
    name: "source",
    kind: "string",
    optional: true,
    allowEmpty: true,
    message: "must be a string",
    doc: "Where the registry came from.",
  },
  ENTRIES_FIELD,
] as const satisfies readonly Field[];

/** Parse and check a registry YAML document. Returns the registry (when usable) and every problem. */
export function parseRegistry(text: string, file: string): { registry?: Registry; problems: Problem[] } {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { problems: [parsed.problem] };
  return checkRegistry(parsed.doc, file);
}

export function checkRegistry(doc: ParsedYaml, file: string): { registry?: Registry; problems: Problem[] } {
  if (!isPlainObject(doc.value)) {
    return { problems: [{ file, line: 1, severity: "error", message: "a registry must be a mapping with an `entries` list" }] };
  }
  const c = new Checker(doc, file);
  const seen = new Map<string, number>();
  c.afterEach(ENTRIES_FIELD, (e, _raw, at, i) => {
    const dup = seen.get(e.name.toLowerCase());
    if (dup !== undefined) c.report([...at, "name"], `duplicate entry name "${e.name}" (first at entries[${dup}])`);
    seen.set(e.name.toLowerCase(), i);
  });
  const checked = c.table(REGISTRY_FIELDS, doc.value, [], "");
  if (!checked || !Array.isArray(doc.value.entries)) return { problems: c.problems };
  const entries = checked.entries.map((e) => ({
    name: e.name,
    level: e.level,
    maintainers: e.maintainers.map((m) => ({ login: m.login, name: m.name ?? m.login, emeritus: m.emeritus })),
  }));
  return { registry: { ...(checked.source !== undefined ? { source: checked.source } : {}), entries }, problems: c.problems };
}
