// From configuration to CODEOWNERS and back: who the configuration says owns a path, a
// CODEOWNERS text that says the same, and the differences between a CODEOWNERS and the
// configuration. Config globs are minimatch's; CODEOWNERS patterns are gitignore's. Each glob is
// translated on its own (always anchored with a leading '/'); where the union of modules, or an
// exclude, cannot be said with "the last matching line wins", exact-path lines computed from the
// repository's tree close the gap, so every path of that tree gets the same owners.

import { braceExpand } from "minimatch";
import { decidingRule, parseCodeowners, type Codeowners } from "./codeowners.js";
import { loginKey } from "./registry.js";
import { matchPath, type Router } from "./router.js";

/** The owners (`@login`, `@org/team`) and labels the configuration gives a path. */
export interface ConfigOwnership {
  owners: string[];
  labels: string[];
}

/** Active maintainers and teams of every module the path is in, in module order, and the labels routing adds. */
export function configOwnership(router: Router, repository: string, path: string): ConfigOwnership {
  const owners: string[] = [];
  const labels: string[] = [];
  const seen = new Set<string>();
  const add = (o: string) => {
    if (!seen.has(o.toLowerCase())) {
      seen.add(o.toLowerCase());
      owners.push(o);
    }
  };
  for (const m of matchPath(router, repository, path)) {
    const resolved = router.modules[m.module]!;
    for (const p of resolved.maintainers) if (!p.emeritus) add(`@${p.login}`);
    for (const t of resolved.spec.teams ?? []) add(`@${t}`);
    for (const l of [resolved.spec.label, ...(resolved.spec.extraLabels ?? []), ...m.areas.map((a) => resolved.spec.areas[a]!.label)]) {
      if (l && !labels.includes(l)) labels.push(l);
    }
  }
  return { owners, labels };
}

/** Owners compared as GitHub does: logins and team names in any case, order not significant. */
export function sameOwners(a: readonly string[], b: readonly string[]): boolean {
  const ka = new Set(a.map((o) => o.toLowerCase()));
  const kb = new Set(b.map((o) => o.toLowerCase()));
  return ka.size === kb.size && [...ka].every((k) => kb.has(k));
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l) => b.includes(l));
}

const PLAIN_PATH = /^[^\s#!\\[\]*?]+$/;

/**
 * A minimatch glob as CODEOWNERS patterns (several when it has braces), or why it cannot be one.
 * `dir/**` becomes `/dir/`; other globs keep their segments, anchored at the root.
 */
/** Spell out small character classes (`[Ww]` → `W`, `w`), which CODEOWNERS lacks; undefined when a class is not a plain list. */
function expandClasses(glob: string, limit: number): string[] | undefined {
  const m = /\[([^\]]*)\]/.exec(glob);
  if (!m) return glob.includes("[") || glob.includes("]") ? undefined : [glob];
  const chars = m[1]!;
  if (chars === "" || /[-!^\\/[]/.test(chars)) return undefined;
  const out: string[] = [];
  for (const c of new Set(chars)) {
    const rest = expandClasses(glob.slice(0, m.index) + c + glob.slice(m.index + m[0].length), limit);
    if (!rest) return undefined;
    out.push(...rest);
    if (out.length > limit) return undefined;
  }
  return out;
}

export function globToCodeowners(glob: string): { patterns?: string[]; error?: string } {
  if (glob.includes("\\")) return { error: "escapes have no CODEOWNERS form" };
  if (/[@!+*?]\(/.test(glob)) return { error: "extended globs have no CODEOWNERS form" };
  if (/\s/.test(glob)) return { error: "CODEOWNERS cannot write a pattern with spaces" };
  const expanded: string[] = [];
  for (const alt of braceExpand(glob)) {
    const spelled = expandClasses(alt, 64);
    if (!spelled) return { error: "character ranges and negated classes have no CODEOWNERS form" };
    expanded.push(...spelled);
  }
  if (expanded.length > 64) return { error: "too many brace or class alternatives" };
  const patterns: string[] = [];
  for (const g of expanded) {
    if (g.startsWith("#") || g.startsWith("!")) return { error: `"${g}" would be read as a comment or a negation` };
    let p = g;
    if (p === "**") p = "*";
    else if (p.endsWith("/**")) p = `/${p.slice(0, -3)}/`;
    else p = `/${p}`;
    if (!patterns.includes(p)) patterns.push(p);
  }
  return { patterns };
}

export interface ExportResult {
  text: string;
  /** Globs that could not be written as CODEOWNERS patterns (their paths are covered by exact lines when a tree is given). */
  unexpressed: { module: string; glob: string; reason: string }[];
  /** Exact-path lines added so the tree's paths get the configuration's owners. */
  exactLines: number;
  /** Tree paths that still differ (a path CODEOWNERS cannot write). */
  remaining: string[];
}

interface Group {
  labels: string[];
  lines: string[];
}

function renderGroups(groups: readonly Group[]): string {
  let out = "";
  for (const g of groups) {
    if (g.lines.length === 0) continue;
    out += "\n";
    if (g.labels.length > 0) out += `# label: ${g.labels.join(", ")}\n`;
    out += g.lines.join("\n") + "\n";
  }
  return out;
}

/**
 * A CODEOWNERS text from the configuration: one group per module (and area) with its active
 * maintainers and teams, its labels as `# label:` lines, excludes as lines without owners; then,
 * when `tree` is given, exact lines for every path where the translation alone would differ.
 */
export function exportCodeowners(router: Router, repository: string, tree?: readonly string[]): ExportResult {
  const unexpressed: ExportResult["unexpressed"] = [];
  const groups: Group[] = [];
  const header =
    "# Generated by `review-router codeowners export` from the review-router configuration and\n" +
    "# maintainer registry (active maintainers only). Edit the configuration, not this file.\n";
  for (const resolved of router.modules) {
    const spec = resolved.spec;
    if (spec.repositories.length > 0) continue; // owns other repositories whole: nothing path-based to say
    const owners = [
      ...resolved.maintainers.filter((m) => !m.emeritus).map((m) => `@${m.login}`),
      ...(spec.teams ?? []).map((t) => `@${t}`),
    ];
    const ownerText = owners.length > 0 ? ` ${owners.join(" ")}` : "";
    const moduleLabels = [spec.label, ...(spec.extraLabels ?? [])].filter((l): l is string => !!l && !l.includes(","));
    const lines = (globs: readonly string[], suffix: string) => {
      const out: string[] = [];
      for (const glob of globs) {
        const t = globToCodeowners(glob);
        if (t.error) unexpressed.push({ module: spec.name, glob, reason: t.error });
        else for (const p of t.patterns!) out.push(`${p}${suffix}`);
      }
      return out;
    };
    groups.push({ labels: moduleLabels, lines: lines(spec.paths, ownerText) });
    for (const area of spec.areas) {
      const labels = [...moduleLabels, ...(area.label.includes(",") ? [] : [area.label])];
      groups.push({ labels, lines: lines(area.paths, ownerText) });
      groups.push({ labels: moduleLabels, lines: lines(area.exclude, ownerText) });
    }
    groups.push({ labels: [], lines: lines(spec.exclude, "") });
  }
  let text = header + renderGroups(groups);
  let exactLines = 0;
  const remaining: string[] = [];
  if (tree) {
    const draft = parseCodeowners(text, "CODEOWNERS");
    const fixes = new Map<string, Group>();
    for (const path of tree) {
      const want = configOwnership(router, repository, path);
      const rule = decidingRule(draft, path);
      const got = { owners: rule ? rule.owners.map((o) => o.text) : [], labels: rule && rule.owners.length > 0 ? rule.labels : [] };
      if (sameOwners(want.owners, got.owners) && (want.owners.length === 0 || sameLabels(want.labels, got.labels))) continue;
      if (!PLAIN_PATH.test(path)) {
        remaining.push(path);
        continue;
      }
      const labels = want.owners.length > 0 ? want.labels.filter((l) => !l.includes(",")) : [];
      const key = `${want.owners.join(" ")}\u0000${labels.join("\u0000")}`;
      let g = fixes.get(key);
      if (!g) {
        g = { labels, lines: [] };
        fixes.set(key, g);
      }
      g.lines.push(`/${path}${want.owners.length > 0 ? ` ${want.owners.join(" ")}` : ""}`);
      exactLines += 1;
    }
    if (fixes.size > 0) {
      text += "\n# Exact paths where the module globs above overlap or exclude: the last matching line wins.\n";
      text += renderGroups([...fixes.values()]);
    }
  }
  return { text, unexpressed, exactLines, remaining };
}

export interface OwnershipDifference {
  kind: "path" | "emeritus" | "not a maintainer" | "problem";
  line?: number;
  path?: string;
  owner?: string;
  message: string;
}

/**
 * Every way `co` disagrees with the configuration: lines GitHub would skip, owners the registry
 * lists as emeritus only, owners who maintain nothing in the configuration, and (given a tree)
 * paths CODEOWNERS gives other owners than the configuration.
 */
export function compareCodeowners(router: Router, repository: string, co: Codeowners, tree?: readonly string[]): OwnershipDifference[] {
  const out: OwnershipDifference[] = co.problems.map((p) => ({
    kind: "problem" as const,
    ...(p.line ? { line: p.line } : {}),
    message: p.message,
  }));
  const active = new Set<string>();
  const emeritus = new Set<string>();
  for (const m of router.modules) {
    for (const p of m.maintainers) (p.emeritus ? emeritus : active).add(loginKey(p.login));
    for (const t of m.spec.teams ?? []) active.add(t.toLowerCase());
  }
  for (const e of router.registry.entries) for (const p of e.maintainers) (p.emeritus ? emeritus : active).add(loginKey(p.login));
  const reported = new Set<string>();
  for (const rule of co.rules) {
    for (const o of rule.owners) {
      if (o.kind === "email") continue;
      const key = o.kind === "user" ? loginKey(o.name) : o.name.toLowerCase();
      if (active.has(key) || reported.has(key)) continue;
      reported.add(key);
      const where = `(line ${rule.line}, first of its lines)`;
      const at = { line: rule.line, owner: o.text };
      if (emeritus.has(key)) {
        out.push({ kind: "emeritus", ...at, message: `${o.text} is emeritus in the registry but still owns paths ${where}` });
      } else out.push({ kind: "not a maintainer", ...at, message: `${o.text} maintains no module of the configuration ${where}` });
    }
  }
  for (const path of tree ?? []) {
    const want = configOwnership(router, repository, path).owners;
    const rule = decidingRule(co, path);
    const got = rule ? rule.owners.map((o) => o.text) : [];
    if (sameOwners(want, got)) continue;
    out.push({
      kind: "path",
      path,
      ...(rule ? { line: rule.line } : {}),
      message:
        `${path}: CODEOWNERS${rule ? ` line ${rule.line}` : ""} gives ${got.join(" ") || "no owner"}; ` +
        `the configuration gives ${want.join(" ") || "no owner"}`,
    });
  }
  return out;
}
