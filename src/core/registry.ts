// The maintainer registry: who maintains what, as published on a project's governance page.
// GitHub logins are case-insensitive (the PyTorch page lists both `albanD` and `alband`), so every
// comparison goes through `loginKey`.

import yaml from "js-yaml";
import { type Problem } from "./problems.js";
import { formatKeyPath, parseYaml, type KeyPath, type ParsedYaml } from "./yaml.js";

export type RegistryLevel = "lead" | "core" | "module" | "library";
export const REGISTRY_LEVELS: readonly RegistryLevel[] = ["lead", "core", "module", "library"];

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

const ENTRY_KEYS = new Set(["name", "level", "maintainers"]);
const MAINTAINER_KEYS = new Set(["login", "name", "emeritus"]);
/** GitHub's rule for user names: alphanumerics and single hyphens, at most 39 characters. */
const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export function isValidLogin(login: string): boolean {
  return LOGIN_RE.test(login);
}

/** Parse and check a registry YAML document. Returns the registry (when usable) and every problem. */
export function parseRegistry(text: string, file: string): { registry?: Registry; problems: Problem[] } {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { problems: [parsed.problem] };
  return checkRegistry(parsed.doc, file);
}

export function checkRegistry(doc: ParsedYaml, file: string): { registry?: Registry; problems: Problem[] } {
  const problems: Problem[] = [];
  const err = (path: KeyPath, message: string, severity: "error" | "warning" = "error") =>
    problems.push({ file, line: doc.lineOf(path), key: formatKeyPath(path), message, severity });
  const root = doc.value;
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    problems.push({ file, line: 1, severity: "error", message: "a registry must be a mapping with an `entries` list" });
    return { problems };
  }
  const r = root as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (k !== "source" && k !== "entries") err([k], `unknown key; expected one of: source, entries`);
  }
  if (r.source !== undefined && typeof r.source !== "string") err(["source"], "must be a string");
  if (!Array.isArray(r.entries)) {
    err(["entries"], "must be a list of entries (name, level, maintainers)");
    return { problems };
  }
  const entries: RegistryEntry[] = [];
  const seen = new Map<string, number>();
  r.entries.forEach((raw: unknown, i: number) => {
    const at: KeyPath = ["entries", i];
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      err(at, "each entry must be a mapping with name, level and maintainers");
      return;
    }
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!ENTRY_KEYS.has(k)) err([...at, k], `unknown key; expected one of: ${[...ENTRY_KEYS].join(", ")}`);
    }
    if (typeof e.name !== "string" || e.name.trim() === "") {
      err([...at, "name"], "each entry needs a non-empty `name`");
      return;
    }
    const dup = seen.get(e.name.toLowerCase());
    if (dup !== undefined) err([...at, "name"], `duplicate entry name "${e.name}" (first at entries[${dup}])`);
    seen.set(e.name.toLowerCase(), i);
    const level = e.level ?? "module";
    if (typeof level !== "string" || !REGISTRY_LEVELS.includes(level as RegistryLevel)) {
      err([...at, "level"], `must be one of: ${REGISTRY_LEVELS.join(", ")}`);
    }
    const maintainers: Maintainer[] = [];
    if (!Array.isArray(e.maintainers)) {
      err([...at, "maintainers"], "must be a list of {login, name, emeritus?}");
    } else {
      e.maintainers.forEach((mr: unknown, j: number) => {
        const mat: KeyPath = [...at, "maintainers", j];
        if (mr === null || typeof mr !== "object" || Array.isArray(mr)) {
          err(mat, "each maintainer must be a mapping with login and name");
          return;
        }
        const m = mr as Record<string, unknown>;
        for (const k of Object.keys(m)) {
          if (!MAINTAINER_KEYS.has(k)) err([...mat, k], `unknown key; expected one of: ${[...MAINTAINER_KEYS].join(", ")}`);
        }
        if (typeof m.login !== "string" || !isValidLogin(m.login)) {
          err([...mat, "login"], "must be a GitHub login (letters, digits and single hyphens)");
          return;
        }
        if (m.name !== undefined && typeof m.name !== "string") err([...mat, "name"], "must be a string");
        if (m.emeritus !== undefined && typeof m.emeritus !== "boolean") err([...mat, "emeritus"], "must be true or false");
        maintainers.push({ login: m.login, name: typeof m.name === "string" ? m.name : m.login, emeritus: m.emeritus === true });
      });
    }
    entries.push({ name: e.name, level: level as RegistryLevel, maintainers });
  });
  return {
    registry: { ...(typeof r.source === "string" ? { source: r.source } : {}), entries },
    problems,
  };
}
