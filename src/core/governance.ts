// Reads the PyTorch "Governance | Maintainers" page into a Registry. The page comes in two forms:
// the rendered documentation page saved as text (Markdown-like `## Heading¶` lines, `  * ` bullets,
// site navigation around it) and its reStructuredText source (headings underlined with `-` and `~`,
// bullets holding GitHub links). Each form is first turned into the same list of headings and list
// items; one shared pass then builds the registry, so both forms follow the same rules and report
// problems the same way. Pure: no I/O.

import type { Problem } from "./problems.js";
import { isValidLogin, loginKey, type Maintainer, type Registry, type RegistryEntry, type RegistryLevel } from "./registry.js";

export type GovernanceFormat = "text" | "rst";

/** A heading or a line of body text, in the order the page has them. */
type PageItem =
  /** depth 1 is the page title, 2 a section, 3 a subsection. */
  | { kind: "heading"; line: number; depth: 1 | 2 | 3; name: string }
  /** A list item; wrapped continuation lines are already joined onto `text`. */
  | { kind: "bullet"; line: number; text: string }
  | { kind: "prose"; line: number; text: string };

const BULLET_RE = /^(\s*)[*+-]\s+(.*)$/;

/** Detects the form, reads the page and returns the registry with every problem, sorted by line. */
export function parseGovernancePage(text: string, file: string): { registry: Registry; problems: Problem[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const format = detectGovernanceFormat(lines);
  const items = format === "rst" ? readRstItems(lines) : readRenderedItems(lines);
  return buildRegistry(items, file, format);
}

/** reStructuredText when some heading is underlined (`Title` then `-----`); otherwise rendered text. */
export function detectGovernanceFormat(lines: readonly string[]): GovernanceFormat {
  return lines.some((_, i) => rstHeadingAt(lines, i) !== undefined) ? "rst" : "text";
}

// ---- the rendered page -----------------------------------------------------------------------

const RENDERED_HEADING_RE = /^(#{1,6})\s+(.*?)\s*¶?\s*$/;
/**
 * The Sphinx theme's "Next" link (`Next ![](chevron.svg)`) and the rule before the footer close the
 * content. Kept strict: a prose line that merely starts with "Next" must not end the page early.
 */
const RENDERED_END_RE = [/^Next(?:\s+!\[.*)?\s*$/, /^\s*\*\s+\*\s+\*\s*$/];

function readRenderedItems(lines: readonly string[]): PageItem[] {
  // The site navigation comes before the page title; start there when there is one.
  const titleIndex = lines.findIndex((l) => /^#\s+\S/.test(l));
  const start = Math.max(titleIndex, 0);
  const title = titleIndex >= 0 ? RENDERED_HEADING_RE.exec(lines[titleIndex]!)![2]! : undefined;
  const items: PageItem[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (RENDERED_END_RE.some((re) => re.test(line))) break;
    const heading = RENDERED_HEADING_RE.exec(line);
    if (heading) {
      const depth = Math.min(heading[1]!.length, 3) as 1 | 2 | 3;
      items.push({ kind: "heading", line: i + 1, depth, name: heading[2]! });
      continue;
    }
    if (BULLET_RE.test(line)) {
      const { bullet, lastIndex } = readBullet(lines, i);
      // The table of contents repeated after the content starts with the page title as a bullet.
      if (title !== undefined && bullet.text === title) break;
      items.push(bullet);
      i = lastIndex;
      continue;
    }
    if (line.trim() !== "") items.push({ kind: "prose", line: i + 1, text: line.trim() });
  }
  return items;
}

// ---- reStructuredText ------------------------------------------------------------------------

const RST_ADORNMENT_RE = /^([=\-~^"'`#*+.:_])\1{2,}\s*$/;

/** The heading whose text is on line `i` (0-based), when line `i + 1` underlines it. */
function rstHeadingAt(lines: readonly string[], i: number): { depth: 1 | 2 | 3; name: string } | undefined {
  const textLine = lines[i];
  const underline = lines[i + 1];
  if (textLine === undefined || underline === undefined) return undefined;
  if (textLine.trim() === "" || /^\s/.test(textLine) || BULLET_RE.test(textLine) || RST_ADORNMENT_RE.test(textLine)) {
    return undefined;
  }
  const adornment = RST_ADORNMENT_RE.exec(underline);
  if (!adornment) return undefined;
  // The page's own convention: `=` for the title, `-` for sections, `~` (or anything else) below.
  const char = adornment[1];
  const depth = char === "=" ? 1 : char === "-" ? 2 : 3;
  return { depth, name: textLine.trim() };
}

function readRstItems(lines: readonly string[]): PageItem[] {
  const items: PageItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = rstHeadingAt(lines, i);
    if (heading) {
      items.push({ kind: "heading", line: i + 1, ...heading });
      i += 1; // the underline
      continue;
    }
    if (BULLET_RE.test(line)) {
      const { bullet, lastIndex } = readBullet(lines, i);
      items.push(bullet);
      i = lastIndex;
      continue;
    }
    if (line.trim() !== "") items.push({ kind: "prose", line: i + 1, text: line.trim() });
  }
  return items;
}

// ---- shared by both forms --------------------------------------------------------------------

/** The list item starting at line `i`, joined with the more-indented lines that continue it. */
function readBullet(lines: readonly string[], i: number): { bullet: Extract<PageItem, { kind: "bullet" }>; lastIndex: number } {
  const [, indent, first] = BULLET_RE.exec(lines[i]!)!;
  const parts = [first!.trim()];
  let last = i;
  for (let j = i + 1; j < lines.length; j++) {
    const next = lines[j]!;
    const nextIndent = /^\s*/.exec(next)![0].length;
    if (next.trim() === "" || nextIndent <= indent!.length || BULLET_RE.test(next)) break;
    parts.push(next.trim());
    last = j;
  }
  return { bullet: { kind: "bullet", line: i + 1, text: parts.join(" ") }, lastIndex: last };
}

const EXPECTED_ENTRY: Record<GovernanceFormat, string> = {
  text: '"* Name (login)", or "* (emeritus) Name (login)" for an emeritus maintainer',
  rst: '"- Name (`login <https://github.com/login>`__)", with "(emeritus)" before the name for an emeritus maintainer',
};

const GITHUB_PROFILE_RE = /^https?:\/\/(?:www\.)?github\.com\/([^/?#\s]+)\/?$/i;
/** A reStructuredText link, `text <target>`_ (named) or `text <target>`__ (anonymous). */
const RST_LINK_RE = /^`([^`<>]*?)\s*<([^<>`]*)>`__?$/;

/** One list item as a maintainer, or the reason it is not one. */
export function parseMaintainerItem(text: string): { maintainer: Maintainer } | { error: string } {
  const emeritusPrefix = /^\(emeritus\)\s*/i.exec(text);
  const rest = emeritusPrefix ? text.slice(emeritusPrefix[0].length) : text;
  if (!rest.endsWith(")")) {
    return rest.includes("(")
      ? { error: "the parenthesis holding the GitHub login is not closed" }
      : { error: "there is no GitHub login in parentheses after the name" };
  }
  const open = matchingOpenParen(rest);
  if (open === undefined) return { error: "its parentheses do not balance" };
  const name = rest.slice(0, open).trim();
  const inside = rest.slice(open + 1, -1).trim();
  if (/^emeritus$/i.test(inside)) return { error: '"(emeritus)" must come before the name, not after it' };
  if (name === "") return { error: "the maintainer's name is missing before the login" };

  // The login is either written plainly or as the text of a link to the GitHub profile.
  const link = inside.startsWith("`") ? RST_LINK_RE.exec(inside) : undefined;
  if (link === null) return { error: `the GitHub link ${inside} is not a reStructuredText link` };
  const login = link ? link[1]! : inside;
  if (!isValidLogin(login)) {
    return { error: `"${login}" is not a valid GitHub login (letters, digits and single hyphens, at most 39 characters)` };
  }
  if (link) {
    const profile = GITHUB_PROFILE_RE.exec(link[2]!);
    if (!profile) return { error: `the link target ${link[2]} is not a github.com profile` };
    // Logins are case-insensitive, so `albanD` may link to github.com/alband.
    if (loginKey(profile[1]!) !== loginKey(login)) {
      return { error: `the link text "${login}" and its target ${link[2]} name different accounts` };
    }
  }
  return { maintainer: { login, name, emeritus: emeritusPrefix !== null } };
}

/** Index of the `(` that the final `)` of `text` closes. */
function matchingOpenParen(text: string): number | undefined {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ")") depth += 1;
    else if (text[i] === "(") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return undefined;
}

/** What a section heading (depth 2) means. */
type SectionKind = { entryLevel: "lead" | "core" } | { groupLevel: "module" | "library" } | "prose" | "unknown";

function classifySection(name: string): SectionKind {
  if (/^lead core maintainer/i.test(name)) return { entryLevel: "lead" };
  if (/^core maintainers?$/i.test(name)) return { entryLevel: "core" };
  if (/^module-level maintainers?$/i.test(name)) return { groupLevel: "module" };
  if (/^library-level maintainers?$/i.test(name)) return { groupLevel: "library" };
  if (/^responsibilities$/i.test(name)) return "prose";
  return "unknown";
}

const SECTION_NAMES = "Lead Core Maintainer, Core Maintainers, Module-level maintainers, Library-level maintainers";

interface Group {
  level: "module" | "library";
  name: string;
  line: number;
  subsections: number;
}

/** Where a list item lands, given the headings read so far. */
type Context =
  | { kind: "before" }
  | { kind: "skip" }
  | { kind: "group"; name: string }
  | { kind: "entry"; entry: RegistryEntry; line: number; items: number; logins: Map<string, number> };

function buildRegistry(items: PageItem[], file: string, format: GovernanceFormat): { registry: Registry; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (line: number, message: string, severity: "error" | "warning" = "error") =>
    problems.push({ file, line, severity, message });

  let source: string | undefined;
  const entries: RegistryEntry[] = [];
  const entryLines = new Map<string, number>();
  /** Entry sections, to warn about the empty ones once everything is read. */
  const opened: Extract<Context, { kind: "entry" }>[] = [];
  /** Module-level / Library-level sections, to warn about those without subsections. */
  const groups: Group[] = [];
  /** The Module-level or Library-level section whose subsections are being read. */
  let group: Group | undefined;
  let context: Context = { kind: "before" };

  const openEntry = (name: string, level: RegistryLevel, line: number) => {
    const first = entryLines.get(name.toLowerCase());
    if (first !== undefined) report(line, `duplicate section "${name}" (first at line ${first}); entry names must be unique`);
    else entryLines.set(name.toLowerCase(), line);
    const entry: RegistryEntry = { name, level, maintainers: [] };
    entries.push(entry);
    const ctx = { kind: "entry" as const, entry, line, items: 0, logins: new Map<string, number>() };
    opened.push(ctx);
    return ctx;
  };

  for (const item of items) {
    if (item.kind === "heading") {
      if (item.depth === 1) {
        source ??= item.name;
        group = undefined;
        context = { kind: "before" };
      } else if (item.depth === 2) {
        group = undefined;
        const kind = classifySection(item.name);
        if (kind === "prose") context = { kind: "skip" };
        else if (kind === "unknown") {
          report(
            item.line,
            `section "${item.name}" is not a maintainer section, so its list items are not read; the maintainer sections are: ${SECTION_NAMES}`,
            "warning",
          );
          context = { kind: "skip" };
        } else if ("entryLevel" in kind) context = openEntry(item.name, kind.entryLevel, item.line);
        else {
          group = { level: kind.groupLevel, name: item.name, line: item.line, subsections: 0 };
          groups.push(group);
          context = { kind: "group", name: item.name };
        }
      } else if (group) {
        group.subsections += 1;
        context = openEntry(item.name, group.level, item.line);
      } else if (context.kind !== "skip") {
        report(
          item.line,
          `subsection "${item.name}" is not under "Module-level maintainers" or "Library-level maintainers", so its list items are not read`,
        );
        context = { kind: "skip" };
      }
      continue;
    }

    if (item.kind === "prose") {
      // Prose is ignored, but a maintainer written without its bullet would vanish silently.
      if (context.kind === "entry" && "maintainer" in parseMaintainerItem(item.text)) {
        report(
          item.line,
          `"${item.text}" looks like a maintainer but is not a list item, so it is not read; write it as ${EXPECTED_ENTRY[format]}`,
          "warning",
        );
      }
      continue;
    }

    switch (context.kind) {
      case "skip":
        break;
      case "before":
        report(item.line, `list item "${item.text}" comes before any maintainer section; list maintainers under one of: ${SECTION_NAMES}`);
        break;
      case "group":
        report(
          item.line,
          `list item "${item.text}" is directly under "${context.name}"; its maintainers belong under a subsection naming the module or library`,
        );
        break;
      case "entry": {
        context.items += 1;
        const parsed = parseMaintainerItem(item.text);
        if ("error" in parsed) {
          report(item.line, `cannot read maintainer "${item.text}": ${parsed.error}; expected ${EXPECTED_ENTRY[format]}`);
          break;
        }
        const key = loginKey(parsed.maintainer.login);
        const first = context.logins.get(key);
        if (first !== undefined) {
          report(
            item.line,
            `${parsed.maintainer.login} is listed twice under "${context.entry.name}" (first at line ${first}); this listing is ignored`,
            "warning",
          );
          break;
        }
        context.logins.set(key, item.line);
        context.entry.maintainers.push(parsed.maintainer);
        break;
      }
    }
  }

  for (const entry of opened) {
    if (entry.items === 0) report(entry.line, `section "${entry.entry.name}" lists no maintainers`, "warning");
  }
  for (const g of groups) {
    if (g.subsections === 0) report(g.line, `section "${g.name}" has no subsections, so it adds no entries`, "warning");
  }
  if (entries.length === 0) {
    report(1, `found no maintainer sections; expected headings such as ${SECTION_NAMES}`);
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { registry: { ...(source !== undefined ? { source } : {}), entries }, problems };
}
