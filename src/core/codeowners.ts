// CODEOWNERS, read the way GitHub reads it: gitignore-style patterns, the last matching line
// decides, a line without owners leaves its paths unowned. Pure: text in, rules and problems out.
//
// Matching never backtracks: a pattern is compiled to segments, `**` segments split it into
// fixed-length blocks placed leftmost-first along the path's segments, and `*` splits a segment
// into literal pieces placed leftmost-first along the path segment. Leftmost placement is
// always a correct choice when the gaps between blocks may be any length, so the cost is
// bounded by path length times pattern length, whatever the pattern says.

import { checkDeadline, type Deadline } from "./budget.js";
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
  /** Compiled when a path first meets the rule: a large file's lines are checked, not all kept compiled. */
  matcher?: PatternMatcher;
}

export interface Codeowners {
  file: string;
  rules: CodeownersRule[];
  problems: Problem[];
  /** Rules filed under the literal leading segments of their pattern, so a path meets only its candidates. */
  index: IndexNode;
  /**
   * Patterns of one segment that apply at any depth (`Makefile`, `*.py`, `build/`), filed by the
   * name a path segment must have, or by the extension it must end in: a path meets those of its
   * own segments' names and extensions only. Indexes into `rules`, in file order.
   */
  anyDepth: { byName: Map<string, number[]>; byExtension: Map<string, number[]> };
}

interface IndexNode {
  /** Made when needed: most nodes of a large file are a single file's, with no children. */
  children?: Map<string, IndexNode>;
  /** Indexes into `rules`, in file order (the latest, which wins, last). */
  rules: number[];
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation and matching

/** One path segment's pattern: literal pieces separated by `*`; WILD inside a piece is one character (`?`). */
interface SegmentPattern {
  /** Pieces between `*`s; length 1 when the segment has no `*`. */
  pieces: string[];
}

/**
 * What an unescaped `?` becomes inside a piece: NUL, which no repository path contains, so an
 * escaped `\?` can stay a plain `?`.
 */
const WILD = "\u0000";
const WILD_CODE = 0;

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
    if (c !== WILD_CODE && c !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost position >= from where `piece` matches in `text`, or -1. */
function findPiece(text: string, from: number, piece: string): number {
  if (!piece.includes(WILD)) return text.indexOf(piece, from);
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

/** `*` alone: any one segment (shared: segment patterns are never changed once made). */
const ANY_SEGMENT: SegmentPattern = { pieces: ["", ""] };

function isAnySegment(s: Segment | { pieces: string[] }): boolean {
  return s !== "**" && s.pieces.length === 2 && s.pieces[0] === "" && s.pieces[1] === "";
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

/** A pattern's segments as read: `**` (unescaped), or the pieces between unescaped `*`s. */
type ScannedSegment = "**" | { pieces: string[]; plain: string };

const GLOBSTAR_SEGMENT = "**" as const;

/**
 * Split a pattern (no leading or trailing `/`) into segments in one pass, honouring backslash
 * escapes as gitignore does: `\*`, `\?`, `\#`, `\ `, `\\` (any escaped character) stand for
 * themselves. Unescaped `?` becomes WILD; runs of unescaped `*` in a segment are one `*`
 * (gitignore: asterisks other than a whole `**` segment are plain ones). Pieces are slices of the
 * pattern unless an escape or a `?` makes them differ from it. The pattern passed patternError.
 */
function scanSegments(p: string): ScannedSegment[] {
  const out: ScannedSegment[] = [];
  let pieces: string[] = [];
  let piece = ""; // text of the current piece before `from`, when an escape or '?' made it differ from the pattern
  let from = 0; // start of the part of the current piece not yet copied
  let segStart = 0;
  let stars = 0; // unescaped '*' in the segment
  let other = false; // anything else in the segment
  let afterStar = false; // the last thing read was an unescaped '*'
  let edited = false; // the segment has an escape or a '?': its plain text is not a slice
  let plain = "";
  for (let i = 0; i <= p.length; i++) {
    const c = i < p.length ? p.charCodeAt(i) : 47; // the end closes the last segment as a '/' would
    if (c === 47 /* / */ || (c === 92 && p.charCodeAt(i + 1) === 47)) {
      if (stars === 2 && !other) out.push(GLOBSTAR_SEGMENT);
      else {
        pieces.push(piece + p.slice(from, i));
        out.push({ pieces, plain: edited ? plain + p.slice(from, i) : p.slice(segStart, i) });
      }
      if (c === 92) i++; // an escaped '/' is still a separator
      pieces = [];
      piece = plain = "";
      from = segStart = i + 1;
      stars = 0;
      other = afterStar = edited = false;
      continue;
    }
    if (c === 42 /* * */) {
      if (!afterStar) {
        if (edited) plain += p.slice(from, i);
        pieces.push(piece + p.slice(from, i));
        piece = "";
      }
      if (edited) plain += "*";
      from = i + 1;
      afterStar = true;
      stars++;
      continue;
    }
    afterStar = false;
    other = true;
    if (c !== 92 /* \ */ && c !== 63 /* ? */) continue;
    if (!edited) plain = p.slice(segStart, from);
    const before = p.slice(from, i);
    const ch = c === 92 ? p[++i]! : "?";
    piece += before + (c === 92 ? ch : WILD);
    plain += before + ch;
    edited = true;
    from = i + 1;
  }
  return out;
}

/**
 * Compile a CODEOWNERS pattern, or say why it cannot be used. The rules (gitignore's, as GitHub
 * documents them):
 * - a pattern with no `/` except a trailing one matches at any depth; any other `/` anchors it at
 *   the root (a leading `/` just makes that explicit);
 * - `*` and `?` never match `/`; `**` as a whole segment matches any number of directories, and at
 *   the end everything inside;
 * - a pattern that names a directory owns everything below it; a trailing `/` matches only
 *   directories; a last segment of just `*` (`docs/*`) matches the directory's direct files only;
 * - a backslash makes the next character plain (`\*`, `\?`, `\ `, `\#` inside a pattern); GitHub
 *   documents that a `\#` opening a pattern does not work, so such a line is refused.
 * Linear in the pattern's length.
 */
export function compilePattern(pattern: string): { matcher?: PatternMatcher; error?: string } {
  const error = patternError(pattern);
  return error ? { error } : { matcher: buildMatcher(pattern) };
}

/** Where a pattern's path lies once its leading and (unescaped) trailing slashes are set aside. */
function patternBody(pattern: string): { start: number; end: number; dirOnly: boolean; anchored: boolean } {
  let end = pattern.length;
  while (end > 0 && pattern[end - 1] === "/" && !escapedAt(pattern, end - 1)) end--;
  let start = 0;
  while (start < end && pattern[start] === "/") start++;
  return { start, end, dirOnly: end < pattern.length, anchored: pattern.lastIndexOf("/", end - 1) >= 0 };
}

/**
 * Why GitHub skips a line with this pattern (see compilePattern), or undefined. One pass over the
 * text that keeps nothing: a large file's patterns are checked as it is read, compiled when used.
 */
export function patternError(pattern: string): string | undefined {
  if (pattern.length > CODEOWNERS_MAX_PATTERN)
    return `pattern is ${pattern.length} characters long; the limit is ${CODEOWNERS_MAX_PATTERN}`;
  if (pattern.startsWith("!")) {
    return "negation ('!') is not supported in CODEOWNERS: GitHub ignores this line; list the paths with no owners instead";
  }
  if (pattern.startsWith("\\#")) return "escaping '#' with '\\' is not supported in CODEOWNERS: GitHub ignores this line";
  const { start, end } = patternBody(pattern);
  if (start >= end) return "the pattern names no path; use '*' for every file";
  let segStart = start;
  for (let i = start; i <= end; i++) {
    let c = i < end ? pattern.charCodeAt(i) : 47; // the end closes the last segment as a '/' would
    const at = i;
    if (c === 92 /* \ */) {
      if (i + 1 >= end) return "the pattern ends with a lone '\\' (it escapes nothing)";
      c = pattern.charCodeAt(++i);
      if (c !== 47) continue; // an escaped character; an escaped '/' still separates
    } else if (c === 91 || c === 93 /* [ ] */) {
      return "character ranges ('[ ]') are not supported in CODEOWNERS: GitHub ignores this line";
    }
    if (c !== 47) continue;
    if (at === segStart) return "the pattern has an empty segment ('//')";
    const first = pattern.charCodeAt(segStart);
    if (at - segStart <= 4 && (first === 46 || first === 92) /* '.' or '\\' */) {
      const plain = pattern.slice(segStart, at).replace(/\\(.)/g, "$1");
      if (plain === "." || plain === "..") return "'.' and '..' segments never match a repository path";
    }
    segStart = i + 1;
  }
  return undefined;
}

/** The literal directories an anchored pattern starts with (where the index files its rule). */
function literalPrefix(pattern: string): string[] {
  const { start, end, anchored } = patternBody(pattern);
  const prefix: string[] = [];
  if (!anchored) return prefix;
  for (let from = start; from < end;) {
    let to = pattern.indexOf("/", from);
    if (to < 0 || to > end) to = end;
    let plain = true;
    for (let i = from; i < to && plain; i++) {
      const c = pattern.charCodeAt(i);
      plain = c !== 42 && c !== 63 && c !== 92; // '*', '?', '\\'
    }
    if (!plain) break;
    prefix.push(pattern.slice(from, to));
    from = to + 1;
  }
  return prefix;
}

/** The matcher of a pattern patternError accepts. */
function buildMatcher(pattern: string): PatternMatcher {
  const { start, end, dirOnly, anchored } = patternBody(pattern);
  const segments: Segment[] = [];
  for (const s of scanSegments(pattern.slice(start, end))) {
    if (s === GLOBSTAR_SEGMENT) {
      if (segments[segments.length - 1] !== "**") segments.push("**"); // '**/**' is '**'
    } else segments.push(isAnySegment(s) ? ANY_SEGMENT : { pieces: s.pieces });
  }
  if (!anchored && segments[0] !== "**") segments.unshift("**");
  const last = segments[segments.length - 1]!;
  if (last === "**") {
    // Trailing '/**': everything inside, never the directory's own name.
    segments.splice(segments.length - 1, 0, ANY_SEGMENT);
  } else if (dirOnly) {
    segments.push(ANY_SEGMENT, "**"); // a directory: something must be below it
  } else if (!isAnySegment(last) || !anchored) {
    segments.push("**"); // a file of that name, or a directory of that name and all below it
  }
  return toMatcher(segments);
}

/** Whether the character at `i` is escaped by an odd run of backslashes before it. */
function escapedAt(text: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && text[j] === "\\"; j--) n++;
  return n % 2 === 1;
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
 * `# [section]` header, or a blank line. Linear in the text: each pattern is checked here and
 * compiled when a path first meets it. With a deadline, throws BudgetExceeded once it has passed.
 */
export function parseCodeowners(text: string, file = "CODEOWNERS", deadline?: Deadline): Codeowners {
  const problems: Problem[] = [];
  const rules: CodeownersRule[] = [];
  if (Buffer.byteLength(text, "utf8") >= CODEOWNERS_MAX_BYTES) {
    problems.push({ file, severity: "error", message: "the file is 3 MB or larger; GitHub ignores such a CODEOWNERS file" });
    return { file, rules, problems, index: { rules: [] }, anyDepth: { byName: new Map(), byExtension: new Map() } };
  }
  let labels: string[] = [];
  const index: IndexNode = { rules: [] };
  const anyDepth = { byName: new Map<string, number[]>(), byExtension: new Map<string, number[]>() };
  // Owners lists recur on many lines: each distinct one is read once.
  const ownersByText = new Map<string, Owner[] | string>();
  const lines = text.split("\n");
  const during = (i: number) => () => `reading ${file} (line ${i + 1} of ${lines.length})`;
  for (let i = 0; i < lines.length; i++) {
    if ((i & 4095) === 4095) checkDeadline(deadline, during(i));
    const line = i + 1;
    const trimmed = lines[i]!.trim(); // also drops the '\r' of a CRLF line end
    if (trimmed === "") {
      labels = [];
      continue;
    }
    if (trimmed.startsWith("#")) {
      const label = LABEL_RE.exec(trimmed);
      if (label) {
        labels = label[1]!
          .split(",")
          .map((l) => l.trim())
          .filter((l) => l !== "");
      } else if (SECTION_RE.test(trimmed)) labels = [];
      continue;
    }
    const end = patternEnd(trimmed);
    const pattern = trimmed.slice(0, end);
    // A '#' after whitespace starts a comment to the end of the line.
    let ownersText = end < trimmed.length ? trimmed.slice(end).trim() : "";
    if (ownersText.includes("#")) ownersText = ` ${ownersText}`.replace(/\s+#.*$/, "").trim();
    const error = patternError(pattern);
    if (error) {
      problems.push({ file, line, severity: "error", message: `${error} (pattern "${truncate(pattern)}")` });
      continue;
    }
    let owners = ownersByText.get(ownersText);
    if (owners === undefined) {
      owners = readOwners(ownersText);
      ownersByText.set(ownersText, owners);
    }
    if (typeof owners === "string") {
      problems.push({ file, line, severity: "error", message: owners });
      continue;
    }
    const key = anyDepthKey(pattern);
    if (key) {
      const map = key.name !== undefined ? anyDepth.byName : anyDepth.byExtension;
      const k = key.name ?? key.extension!;
      const list = map.get(k);
      if (list) list.push(rules.length);
      else map.set(k, [rules.length]);
    } else {
      let node = index;
      for (const seg of literalPrefix(pattern)) {
        node.children ??= new Map();
        let next = node.children.get(seg);
        if (!next) {
          next = { rules: [] };
          node.children.set(seg, next);
        }
        node = next;
      }
      node.rules.push(rules.length);
    }
    rules.push({ line, pattern, owners, labels });
  }
  return { file, rules, problems, index, anyDepth };
}

/**
 * For a pattern of one segment that applies at any depth, what a path segment must be to match
 * it: that name (no wildcard, no escape), or a name ending in `.extension` (a `*` then plain text
 * with a dot). Undefined for any other pattern.
 */
function anyDepthKey(pattern: string): { name?: string; extension?: string } | undefined {
  const { start, end, anchored } = patternBody(pattern);
  if (anchored || start !== 0) return undefined;
  const seg = end === pattern.length ? pattern : pattern.slice(0, end);
  let lastStar = -1;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c === 92 || c === 63) return undefined; // an escape or '?': filed with the others
    if (c === 42) lastStar = i;
  }
  if (lastStar < 0) return { name: seg };
  const dot = seg.lastIndexOf(".");
  return dot > lastStar && dot < seg.length - 1 ? { extension: seg.slice(dot + 1) } : undefined;
}

/** Where a line's pattern ends: at the first whitespace that no backslash escapes. */
function patternEnd(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 32 || c === 9 || c === 11 || c === 12) return i;
  }
  return line.length;
}

/** The owners written after a pattern (duplicates dropped), or why the line is skipped. */
function readOwners(text: string): Owner[] | string {
  const owners: Owner[] = [];
  if (text === "") return owners;
  for (const t of text.split(/\s+/)) {
    const owner = parseOwner(t);
    if (!owner) return `"${truncate(t)}" is not an owner: write @login, @org/team-name or an email address (GitHub skips this line)`;
    if (!owners.some((o) => o.text.toLowerCase() === owner.text.toLowerCase())) owners.push(owner);
  }
  return owners;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The rule that decides `path`'s owners (the last one matching it), or undefined when none does.
 * A deciding rule with no owners leaves the path unowned. Rules are compiled as a path first
 * meets them; `tick` is called every 64 rules tested (it throws to stop a long lookup).
 */
export function decidingRule(co: Codeowners, path: string, tick?: () => void): CodeownersRule | undefined {
  const segs = path.replace(/^\/+/, "").split("/");
  let best = -1;
  let tested = 0;
  // The latest matching rule of a list (file order) beats `best` when it comes later in the file.
  const latest = (list: readonly number[] | undefined) => {
    if (!list) return;
    for (let k = list.length - 1; k >= 0; k--) {
      const i = list[k]!;
      if (i <= best) return;
      if (tick && ++tested % 64 === 0) tick();
      const rule = co.rules[i]!;
      rule.matcher ??= buildMatcher(rule.pattern);
      if (matchSegments(rule.matcher, segs)) {
        best = i;
        return;
      }
    }
  };
  let node: IndexNode | undefined = co.index;
  for (let depth = 0; node; depth++) {
    latest(node.rules);
    if (depth >= segs.length) break;
    node = node.children?.get(segs[depth]!);
  }
  for (const seg of segs) {
    latest(co.anyDepth.byName.get(seg));
    const dot = seg.lastIndexOf(".");
    if (dot >= 0) latest(co.anyDepth.byExtension.get(seg.slice(dot + 1)));
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
