// CODEOWNERS, read the way GitHub reads it: gitignore-style patterns, the last matching line
// decides, a line without owners leaves its paths unowned. Pure: text in, rules and problems out.
//
// Matching never backtracks: a pattern is compiled to segments, `**` segments split it into
// fixed-length blocks placed leftmost-first along the path's segments, and `*` splits a segment
// into literal pieces placed leftmost-first along the path segment. Leftmost placement is
// always a correct choice when the gaps between blocks may be any length, so the cost is
// bounded by path length times pattern length, whatever the pattern says.

import type { Problem } from "./problems.js";
import { isValidLogin } from "./registry.js";

/** Where GitHub looks for the file, in order; the first one found is used. */
export const CODEOWNERS_LOCATIONS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/** GitHub refuses CODEOWNERS files of 3 MB or more. */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;
/** Longest pattern accepted: each one is matched against every changed path. */
export const CODEOWNERS_MAX_PATTERN = 1000;

/** The first of `CODEOWNERS_LOCATIONS` for which `exists` says yes. */
export function findCodeownersPath(exists: (path: string) => boolean): string | undefined {
  return CODEOWNERS_LOCATIONS.find((p) => exists(p));
}

export type OwnerKind = "user" | "team" | "email";

export interface Owner {
  /** As written, e.g. `@alice`, `@org/team`, `a@example.com`. */
  text: string;
  kind: OwnerKind;
  /** The login (user), `org/team` (team) or the address (email). */
  name: string;
}

export interface CodeownersRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  owners: Owner[];
  /** From the `# label: a, b` comment above the rule's group; empty when none. */
  labels: string[];
  matcher: PatternMatcher;
}

export interface Codeowners {
  file: string;
  rules: CodeownersRule[];
  problems: Problem[];
  /** Rules filed under the literal leading segments of their pattern, so a path meets only its candidates. */
  index: IndexNode;
}

interface IndexNode {
  children: Map<string, IndexNode>;
  /** Indexes into `rules`, highest (latest in the file) first. */
  rules: number[];
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation and matching

/** One path segment's pattern: literal pieces separated by `*`; `?` inside a piece is one character. */
interface SegmentPattern {
  /** Pieces between `*`s; length 1 when the segment has no `*`. */
  pieces: string[];
}

type Segment = SegmentPattern | "**";

export interface PatternMatcher {
  /** Blocks of segment patterns separated by `**`; `leading`/`trailing` say whether a `**` opens/closes the list. */
  blocks: SegmentPattern[][];
  leading: boolean;
  trailing: boolean;
}

function pieceAt(text: string, at: number, piece: string): boolean {
  if (at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost position >= from where `piece` matches in `text`, or -1. */
function findPiece(text: string, from: number, piece: string): number {
  if (!piece.includes("?")) return text.indexOf(piece, from);
  for (let at = from; at + piece.length <= text.length; at++) if (pieceAt(text, at, piece)) return at;
  return -1;
}

function matchSegment(seg: SegmentPattern, text: string): boolean {
  const { pieces } = seg;
  if (pieces.length === 1) return pieces[0]!.length === text.length && pieceAt(text, 0, pieces[0]!);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!pieceAt(text, 0, first) || !pieceAt(text, text.length - last.length, last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const p = pieces[i]!;
    const found = findPiece(text.slice(0, end), at, p);
    if (found < 0) return false;
    at = found + p.length;
  }
  return true;
}

function blockAt(block: SegmentPattern[], segs: readonly string[], at: number): boolean {
  if (at + block.length > segs.length) return false;
  for (let i = 0; i < block.length; i++) if (!matchSegment(block[i]!, segs[at + i]!)) return false;
  return true;
}

/** Whether the compiled pattern matches the path given as its segments. */
export function matchSegments(m: PatternMatcher, segs: readonly string[]): boolean {
  const { blocks } = m;
  if (blocks.length === 0) return m.leading || m.trailing ? segs.length > 0 : segs.length === 0;
  if (!m.leading && !m.trailing && blocks.length === 1) return blocks[0]!.length === segs.length && blockAt(blocks[0]!, segs, 0);
  let start = 0;
  let end = segs.length;
  let firstFree = 0;
  let lastFree = blocks.length;
  if (!m.leading) {
    if (!blockAt(blocks[0]!, segs, 0)) return false;
    start = blocks[0]!.length;
    firstFree = 1;
  }
  if (!m.trailing) {
    const last = blocks[blocks.length - 1]!;
    end = segs.length - last.length;
    if (end < start || !blockAt(last, segs, end)) return false;
    lastFree = blocks.length - 1;
  }
  let at = start;
  for (let b = firstFree; b < lastFree; b++) {
    const block = blocks[b]!;
    let placed = -1;
    for (let i = at; i + block.length <= end; i++) {
      if (blockAt(block, segs, i)) {
        placed = i;
        break;
      }
    }
    if (placed < 0) return false;
    at = placed + block.length;
  }
  return true;
}

function compileSegment(text: string): SegmentPattern {
  // Runs of '*' inside a segment are one '*' (gitignore: other consecutive asterisks are plain ones).
  return { pieces: text.replace(/\*+/g, "*").split("*") };
}

function toMatcher(segments: Segment[]): PatternMatcher {
  const blocks: SegmentPattern[][] = [];
  let current: SegmentPattern[] = [];
  let leading = false;
  let trailing = false;
  segments.forEach((s, i) => {
    if (s === "**") {
      if (i === 0) leading = true;
      else blocks.push(current);
      current = [];
      if (i === segments.length - 1) trailing = true;
    } else current.push(s);
  });
  if (segments.length > 0 && segments[segments.length - 1] !== "**") blocks.push(current);
  return { blocks: blocks.filter((b) => b.length > 0), leading, trailing };
}

/**
 * Compile a CODEOWNERS pattern, or say why it cannot be used. The rules (gitignore's, as GitHub
 * documents them):
 * - a pattern with no `/` except a trailing one matches at any depth; any other `/` anchors it at
 *   the root (a leading `/` just makes that explicit);
 * - `*` and `?` never match `/`; `**` as a whole segment matches any number of directories, and at
 *   the end everything inside;
 * - a pattern that names a directory owns everything below it; a trailing `/` matches only
 *   directories; a last segment of just `*` (`docs/*`) matches the directory's direct files only.
 */
export function compilePattern(pattern: string): { matcher?: PatternMatcher; error?: string } {
  if (pattern.length > CODEOWNERS_MAX_PATTERN) {
    return { error: `pattern is ${pattern.length} characters long; the limit is ${CODEOWNERS_MAX_PATTERN}` };
  }
  if (pattern.startsWith("!")) {
    return { error: "negation ('!') is not supported in CODEOWNERS: GitHub ignores this line; list the paths with no owners instead" };
  }
  if (pattern.startsWith("\\#")) return { error: "escaping '#' with '\\' is not supported in CODEOWNERS: GitHub ignores this line" };
  if (/[[\]]/.test(pattern)) return { error: "character ranges ('[ ]') are not supported in CODEOWNERS: GitHub ignores this line" };
  if (pattern.includes("\\")) return { error: "backslash escapes are not supported by review-router in CODEOWNERS patterns" };
  let p = pattern;
  const dirOnly = p.endsWith("/");
  if (dirOnly) p = p.replace(/\/+$/, "");
  const anchored = p.includes("/");
  p = p.replace(/^\/+/, "");
  if (p === "") return { error: "the pattern names no path; use '*' for every file" };
  const parts = p.split("/");
  if (parts.some((s) => s === "")) return { error: "the pattern has an empty segment ('//')" };
  if (parts.some((s) => s === "." || s === "..")) return { error: "'.' and '..' segments never match a repository path" };
  const segments: Segment[] = [];
  for (const s of parts) {
    const seg: Segment = s === "**" ? "**" : compileSegment(s);
    if (seg === "**" && segments[segments.length - 1] === "**") continue; // '**/**' is '**'
    segments.push(seg);
  }
  if (!anchored && segments[0] !== "**") segments.unshift("**");
  const last = segments[segments.length - 1]!;
  const lastIsStar = last !== "**" && last.pieces.length === 2 && last.pieces[0] === "" && last.pieces[1] === "";
  if (last === "**") {
    // Trailing '/**': everything inside, never the directory's own name.
    segments.splice(segments.length - 1, 0, { pieces: ["", ""] });
  } else if (dirOnly) {
    segments.push({ pieces: ["", ""] }, "**"); // a directory: something must be below it
  } else if (!lastIsStar || !anchored) {
    segments.push("**"); // a file of that name, or a directory of that name and all below it
  }
  return { matcher: toMatcher(segments) };
}

/** Whether `pattern`'s compiled matcher matches the repository path (no leading '/'). */
export function patternMatches(matcher: PatternMatcher, path: string): boolean {
  return matchSegments(matcher, path.split("/"));
}

// ---------------------------------------------------------------------------------------------
// Parsing

const TEAM_RE = /^@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9_.-]+)$/;
// Deliberately simple: one '@', a dot in the domain, no spaces (GitHub checks the address exists).
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Parse one owner as written in CODEOWNERS, or undefined when it is none of the three forms. */
export function parseOwner(text: string): Owner | undefined {
  const team = TEAM_RE.exec(text);
  if (team) return { text, kind: "team", name: `${team[1]}/${team[2]}` };
  if (text.startsWith("@")) {
    const login = text.slice(1);
    return isValidLogin(login) ? { text, kind: "user", name: login } : undefined;
  }
  if (EMAIL_RE.test(text)) return { text, kind: "email", name: text };
  return undefined;
}

const LABEL_RE = /^#\s*label:\s*(.*)$/i;
const SECTION_RE = /^#\s*\[[^\]]+\]\s*$/;

/**
 * Read a CODEOWNERS text. Lines GitHub would skip (bad owner, unsupported syntax) are reported
 * with `FILE:LINE` and left out of `rules`; the others keep their order, since the last matching
 * rule decides. `# label: a, b` sets the labels of the rules below it, up to the next such line, a
 * `# [section]` header, or a blank line.
 */
export function parseCodeowners(text: string, file = "CODEOWNERS"): Codeowners {
  const problems: Problem[] = [];
  const rules: CodeownersRule[] = [];
  if (Buffer.byteLength(text, "utf8") >= CODEOWNERS_MAX_BYTES) {
    problems.push({ file, severity: "error", message: "the file is 3 MB or larger; GitHub ignores such a CODEOWNERS file" });
    return { file, rules, problems, index: { children: new Map(), rules: [] } };
  }
  let labels: string[] = [];
  const index: IndexNode = { children: new Map(), rules: [] };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "") {
      labels = [];
      return;
    }
    if (trimmed.startsWith("#")) {
      const label = LABEL_RE.exec(trimmed);
      if (label) {
        labels = label[1]!
          .split(",")
          .map((l) => l.trim())
          .filter((l) => l !== "");
      } else if (SECTION_RE.test(trimmed)) labels = [];
      return;
    }
    // A '#' after whitespace starts a comment to the end of the line.
    const body = trimmed.replace(/\s+#.*$/, "");
    const [pattern, ...ownerTexts] = body.split(/\s+/);
    const report = (message: string) => problems.push({ file, line, severity: "error", message });
    const compiled = compilePattern(pattern!);
    if (compiled.error) {
      report(`${compiled.error} (pattern "${truncate(pattern!)}")`);
      return;
    }
    const owners: Owner[] = [];
    for (const t of ownerTexts) {
      const owner = parseOwner(t);
      if (!owner) {
        report(`"${truncate(t)}" is not an owner: write @login, @org/team-name or an email address (GitHub skips this line)`);
        return;
      }
      if (!owners.some((o) => o.text.toLowerCase() === owner.text.toLowerCase())) owners.push(owner);
    }
    const matcher = compiled.matcher!;
    let node = index;
    for (const seg of matcher.leading ? [] : (matcher.blocks[0] ?? [])) {
      if (seg.pieces.length !== 1 || seg.pieces[0]!.includes("?")) break;
      let next = node.children.get(seg.pieces[0]!);
      if (!next) {
        next = { children: new Map(), rules: [] };
        node.children.set(seg.pieces[0]!, next);
      }
      node = next;
    }
    node.rules.unshift(rules.length);
    rules.push({ line, pattern: pattern!, owners, labels, matcher });
  });
  return { file, rules, problems, index };
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The rule that decides `path`'s owners (the last one matching it), or undefined when none does.
 * A deciding rule with no owners leaves the path unowned.
 */
export function decidingRule(co: Codeowners, path: string): CodeownersRule | undefined {
  const segs = path.replace(/^\/+/, "").split("/");
  let best = -1;
  let node: IndexNode | undefined = co.index;
  for (let depth = 0; node; depth++) {
    for (const i of node.rules) {
      if (i <= best) break;
      if (matchSegments(co.rules[i]!.matcher, segs)) {
        best = i;
        break;
      }
    }
    if (depth >= segs.length) break;
    node = node.children.get(segs[depth]!);
  }
  return best < 0 ? undefined : co.rules[best];
}

/**
 * The owners GitHub would assign to `path` and the line that decided; an unowned path (no line
 * matches, or the deciding line has no owners) has `owners: []` and `line: null`.
 */
export function ownersOf(co: Codeowners, path: string): { path: string; owners: string[]; line: number | null } {
  const rule = decidingRule(co, path);
  if (!rule || rule.owners.length === 0) return { path, owners: [], line: null };
  return { path, owners: rule.owners.map((o) => o.text), line: rule.line };
}
