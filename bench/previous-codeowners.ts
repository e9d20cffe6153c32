// CODEOWNERS reading and matching as they were before the columns and the text-range matcher
// (commit 864352b), kept for the benchmark only: one object, pattern string and index key per
// rule, two Maps for the index, and patterns compiled to arrays of pieces. The benchmark reads the
// 3 MB file with both in the same run. Owners, limits and the rule type are the current ones.

import { checkDeadline, type Deadline } from "../src/core/budget.js";
import { CODEOWNERS_MAX_BYTES, CODEOWNERS_MAX_PATTERN, readOwners, type Owner } from "../src/core/codeowners.js";
import type { Problem } from "../src/core/problems.js";

export interface CodeownersRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  owners: Owner[];
  /** From the `# label: a, b` comment above the rule's group; empty when none. */
  labels: string[];
  /**
   * Compiled when a path first meets the rule (compileRule): a large file's lines are checked as
   * read, not all kept compiled; a pattern with no wildcard and no escape never needs one.
   */
  matcher?: PatternMatcher;
}

export interface Codeowners {
  file: string;
  rules: CodeownersRule[];
  problems: Problem[];
  /**
   * Indexes into `rules`, in file order, by the literal directories their pattern starts with
   * (joined by `/`; "" for none), so a path meets only the rules of its own leading directories.
   */
  index: Map<string, RuleList>;
  /**
   * Patterns of one segment that apply at any depth (`Makefile`, `*.py`, `build/`), by the name a
   * path segment must have, or by `/` and the extension it must end in: a path meets those of its
   * own segments' names and extensions only. Indexes into `rules`, in file order.
   */
  anyDepth: Map<string, RuleList>;
}

/** Indexes into `rules` in file order; a key with one rule (most keys of a large file) holds the number alone. */
type RuleList = number | number[];

// ---------------------------------------------------------------------------------------------
// Pattern compilation and matching

/**
 * One path segment's pattern: its literal pieces, which `*`s separate (one piece when it has no
 * `*`); WILD inside a piece is one character (`?`). An array, not an object around one: a large
 * file keeps many.
 */
type SegmentPattern = readonly string[];

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

function matchSegment(pieces: SegmentPattern, text: string): boolean {
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

function blockAt(block: readonly SegmentPattern[], segs: readonly string[], at: number): boolean {
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
const ANY_SEGMENT: SegmentPattern = ["", ""];

function isAnySegment(s: Segment): boolean {
  return s !== "**" && s.length === 2 && s[0] === "" && s[1] === "";
}

/**
 * Split a pattern (no leading or trailing `/`) into segments in one pass, honouring backslash
 * escapes as gitignore does: `\*`, `\?`, `\#`, `\ `, `\\` (any escaped character) stand for
 * themselves. Unescaped `?` becomes WILD; runs of unescaped `*` in a segment are one `*`
 * (gitignore: asterisks other than a whole `**` segment are plain ones); two `**` in a row are one. Pieces
 * are slices of the pattern unless an escape or a `?` makes them differ. The pattern passed patternError.
 */
function scanSegments(p: string): Segment[] {
  const out: Segment[] = [];
  let pieces: string[] = [];
  let piece = ""; // text of the current piece before `from`, when an escape or '?' made it differ from the pattern
  let from = 0; // start of the part of the current piece not yet copied
  let stars = 0; // unescaped '*' in the segment
  let other = false; // anything else in the segment
  let afterStar = false; // the last thing read was an unescaped '*'
  for (let i = 0; i <= p.length; i++) {
    const c = i < p.length ? p.charCodeAt(i) : 47; // the end closes the last segment as a '/' would
    if (c === 47 /* / */ || (c === 92 && p.charCodeAt(i + 1) === 47)) {
      if (stars === 2 && !other) {
        if (out[out.length - 1] !== "**") out.push("**");
      } else {
        pieces.push(piece + p.slice(from, i));
        out.push(isAnySegment(pieces) ? ANY_SEGMENT : pieces);
      }
      if (c === 92) i++; // an escaped '/' is still a separator
      pieces = [];
      piece = "";
      from = i + 1;
      stars = 0;
      other = afterStar = false;
      continue;
    }
    if (c === 42 /* * */) {
      if (!afterStar) {
        pieces.push(piece + p.slice(from, i));
        piece = "";
      }
      from = i + 1;
      afterStar = true;
      stars++;
      continue;
    }
    afterStar = false;
    other = true;
    if (c !== 92 /* \ */ && c !== 63 /* ? */) continue;
    const before = p.slice(from, i);
    piece += before + (c === 92 ? p[++i]! : WILD);
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
export function patternError(pattern: string, body: PatternBody = patternBody(pattern)): string | undefined {
  if (pattern.length > CODEOWNERS_MAX_PATTERN)
    return `pattern is ${pattern.length} characters long; the limit is ${CODEOWNERS_MAX_PATTERN}`;
  if (pattern.startsWith("!")) {
    return "negation ('!') is not supported in CODEOWNERS: GitHub ignores this line; list the paths with no owners instead";
  }
  if (pattern.startsWith("\\#")) return "escaping '#' with '\\' is not supported in CODEOWNERS: GitHub ignores this line";
  const { start, end } = body;
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

type PatternBody = ReturnType<typeof patternBody>;

/**
 * Where the index files a rule: for a pattern of one segment that applies at any depth, the name
 * a path segment must have (no wildcard, no escape) or `/` and the extension it must end in (a
 * `*`, then plain text with a dot), in `anyDepth`; for any other, its literal leading directories
 * (up to the first segment with a wildcard or an escape), in `index`.
 */
function indexKey(pattern: string, body: PatternBody): { anyDepth: boolean; key: string } {
  const { start, end, anchored } = body;
  if (!anchored) {
    let lastStar = -1;
    let plain = true;
    for (let i = 0; i < end && plain; i++) {
      const c = pattern.charCodeAt(i);
      plain = c !== 92 && c !== 63; // an escape or '?': filed with the others
      if (c === 42) lastStar = i;
    }
    const dot = pattern.lastIndexOf(".", end - 1);
    if (plain && lastStar < 0) return { anyDepth: true, key: pattern.slice(0, end) };
    if (plain && dot > lastStar && dot < end - 1) return { anyDepth: true, key: `/${pattern.slice(dot + 1, end)}` };
    return { anyDepth: false, key: "" };
  }
  let prefixEnd = start;
  for (let from = start; from < end;) {
    let to = pattern.indexOf("/", from);
    if (to < 0 || to > end) to = end;
    for (let i = from; i < to; i++) {
      const c = pattern.charCodeAt(i);
      if (c === 42 || c === 63 || c === 92) return { anyDepth: false, key: pattern.slice(start, prefixEnd) }; // '*', '?', '\\'
    }
    prefixEnd = to;
    from = to + 1;
  }
  return { anyDepth: false, key: pattern.slice(start, prefixEnd) };
}

/** The matcher of a pattern patternError accepts. */
function buildMatcher(pattern: string): PatternMatcher {
  const { start, end, dirOnly, anchored } = patternBody(pattern);
  const segments = scanSegments(start === 0 && end === pattern.length ? pattern : pattern.slice(start, end));
  const last = segments[segments.length - 1]!;
  let trailing = true;
  if (last === "**") {
    // Trailing '/**': everything inside, never the directory's own name.
    segments.splice(segments.length - 1, 1, ANY_SEGMENT);
  } else if (dirOnly) {
    segments.push(ANY_SEGMENT); // a directory: something must be below it
  } else {
    // A file of that name, or a directory of that name and all below it; `dir/*`: its files only.
    trailing = !isAnySegment(last) || !anchored;
  }
  // Blocks: the runs of segments between '**'s (a leading '**', or no '/', applies at any depth).
  const leading = !anchored || segments[0] === "**";
  const blocks: SegmentPattern[][] = [];
  let current: SegmentPattern[] = [];
  for (const seg of segments) {
    if (seg !== "**") current.push(seg);
    else if (current.length > 0) {
      blocks.push(current);
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current);
  return { blocks, leading, trailing };
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
    return { file, rules, problems, index: new Map(), anyDepth: new Map() };
  }
  let labels: string[] = [];
  const index = new Map<string, RuleList>();
  const anyDepth = new Map<string, RuleList>();
  // Owners lists recur on many lines: each distinct one is read once.
  const ownersByText = new Map<string, Owner[] | string>();
  // Lines are cut one at a time, not split up front: each dies young unless its pattern is kept.
  let lineCount = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lineCount++;
  const during = (i: number) => () => `reading ${file} (line ${i + 1} of ${lineCount})`;
  for (let i = 0, from = 0; i < lineCount; i++) {
    if ((i & 4095) === 4095) checkDeadline(deadline, during(i));
    const line = i + 1;
    let to = text.indexOf("\n", from);
    if (to < 0) to = text.length;
    const trimmed = text.slice(from, to).trim(); // also drops the '\r' of a CRLF line end
    from = to + 1;
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
    const body = patternBody(pattern);
    const error = patternError(pattern, body);
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
    const filed = indexKey(pattern, body);
    const map = filed.anyDepth ? anyDepth : index;
    const list = map.get(filed.key);
    if (list === undefined) map.set(filed.key, rules.length);
    else if (typeof list === "number") map.set(filed.key, [list, rules.length]);
    else list.push(rules.length);
    rules.push({ line, pattern, owners, labels });
  }
  return { file, rules, problems, index, anyDepth };
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

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The rule's matcher, compiled on first use; undefined for a literal pattern (literalMatches decides). */
export function compileRule(rule: CodeownersRule): PatternMatcher | undefined {
  if (rule.matcher === undefined && !isLiteral(rule.pattern)) rule.matcher = buildMatcher(rule.pattern);
  return rule.matcher;
}

/** A pattern with no wildcard and no escape: most lines of a large file. */
function isLiteral(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 || c === 63 || c === 92) return false; // '*', '?', '\\'
  }
  return true;
}

/**
 * Whether a literal pattern matches the path given as its segments, as its compiled matcher
 * would: anchored, the path is the named one or below it; at any depth, one of the path's
 * segments is the name; a trailing `/` wants something below.
 */
function literalMatches(pattern: string, segs: readonly string[]): boolean {
  const { start, end, dirOnly, anchored } = patternBody(pattern);
  if (!anchored) {
    const name = pattern.slice(0, end);
    const last = dirOnly ? segs.length - 1 : segs.length;
    for (let i = 0; i < last; i++) if (segs[i] === name) return true;
    return false;
  }
  const named = pattern.slice(start, end).split("/");
  if (segs.length < named.length + (dirOnly ? 1 : 0)) return false;
  for (let i = 0; i < named.length; i++) if (segs[i] !== named[i]) return false;
  return true;
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
  const latest = (filed: RuleList | undefined) => {
    if (filed === undefined) return;
    const list = typeof filed === "number" ? [filed] : filed;
    for (let k = list.length - 1; k >= 0; k--) {
      const i = list[k]!;
      if (i <= best) return;
      if (tick && ++tested % 64 === 0) tick();
      const rule = co.rules[i]!;
      const matcher = compileRule(rule);
      if (matcher ? matchSegments(matcher, segs) : literalMatches(rule.pattern, segs)) {
        best = i;
        return;
      }
    }
  };
  latest(co.index.get(""));
  let dirs = "";
  for (let depth = 0; depth < segs.length; depth++) {
    dirs = depth === 0 ? segs[0]! : `${dirs}/${segs[depth]}`;
    latest(co.index.get(dirs));
  }
  for (const seg of segs) {
    latest(co.anyDepth.get(seg));
    const dot = seg.lastIndexOf(".");
    if (dot >= 0) latest(co.anyDepth.get(`/${seg.slice(dot + 1)}`));
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
