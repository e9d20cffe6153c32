// CODEOWNERS, read the way GitHub reads it: gitignore-style patterns, the last matching line
// decides, a line without owners leaves its paths unowned. Pure: text in, rules and problems out.
//
// Matching never backtracks: `**` segments split a pattern into fixed-length blocks placed
// leftmost-first along the path's segments, and `*` splits a segment into pieces placed
// leftmost-first along the path segment. Leftmost placement is always a correct choice when the
// gaps between blocks may be any length, so the cost is bounded by path length times pattern
// length, whatever the pattern says. Reading is linear and allocates little, as a file near
// GitHub's 3 MB limit has 200,000 lines: each line is checked in place and kept as numbers in
// columns (RuleTable), a hashed index keeps a path to the lines that can match it, and a pattern
// is compiled (to where its segments lie in the text) when a path first meets it; a literal one
// never is.

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
}

export interface Codeowners {
  file: string;
  /** The rules in file order, made on first use: the app reads `table` and never needs them all. */
  readonly rules: CodeownersRule[];
  problems: Problem[];
  table: RuleTable;
}

/**
 * The kept lines, one entry per rule in each column, in file order: a large file's 200,000 rules
 * cost no object and no string each, and the columns are typed arrays the garbage collector need
 * not look into (their length is a capacity: `count` entries are used). A rule's pattern is
 * `text[start, end)`; rules with the same owners text share one owners list, rules of one
 * `# label:` group one labels list.
 */
export interface RuleTable {
  text: string;
  count: number;
  line: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** DIR_ONLY | ANCHORED | LITERAL, and where the index files the rule (FILED_*, shifted by FILED_SHIFT). */
  flags: Int32Array;
  /** Into ownerLists. */
  owners: Int32Array;
  ownerLists: Owner[][];
  /** Into labelLists. */
  labels: Int32Array;
  labelLists: string[][];
  /**
   * The index: each rule hangs, latest first, on a chain from `heads[keyHash & mask]`, keyed by a
   * hash of what a path must contain for the rule to match it: the literal directories the
   * pattern starts with, or, for a pattern with none (`Makefile`, `*.py`, `build/`, or `*.cu`
   * after a `**`), the name a path segment must have or the extension it must end in to match the
   * pattern's last segment ("" when neither is plain). A path walks the chains of its own leading
   * directories, names and extensions only; a rule met through a hash collision is tested like any
   * other, so collisions cost time, never a wrong answer.
   */
  keyHash: Int32Array;
  heads: Int32Array;
  next: Int32Array;
  mask: number;
  /** Matchers by rule, compiled when a path first meets the rule (never for a literal pattern). */
  matchers: (PatternMatcher | undefined)[] | undefined;
}

const DIR_ONLY = 1;
const ANCHORED = 2;
/** No wildcard and no escape: matched against the text itself, never compiled. */
const LITERAL = 4;
const FILED_SHIFT = 3;
const FILED_BY_PREFIX = 0;
const FILED_BY_NAME = 1;
const FILED_BY_EXTENSION = 2;

// ---------------------------------------------------------------------------------------------
// Pattern compilation and matching
//
// A compiled pattern is the text it lies in and where its segments are in that text: nothing is
// copied, and each segment's `*`, `?` and escapes are read in place when a path segment meets it.

/** In `PatternMatcher.segments`, a pair that is not a segment's place in the text. */
const GLOBSTAR = -1; // [GLOBSTAR, 0]: a `**` segment, between two blocks
const ANY = -2; // [ANY, 0]: any one segment (`*` alone, a trailing `/**`, what a trailing `/` wants below)

export interface PatternMatcher {
  /** The text the pattern lies in: the whole file for a rule of one. */
  text: string;
  /**
   * The pattern's segments as [start, end) pairs into `text`, with [GLOBSTAR, 0] between blocks
   * (the runs of segments between `**`s; a run of `**` is one) and [ANY, 0] for any one segment.
   */
  segments: number[];
  /** The first block may start anywhere (a leading `**`, or a pattern with no `/`). */
  leading: boolean;
  /** The last block may end anywhere (a file or a directory and all below it). */
  trailing: boolean;
}

/** How many path characters the piece `text[a, b)` (no unescaped `*`) stands for: an escape is one. */
function pieceLength(text: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++, n++) if (text.charCodeAt(i) === 92) i++;
  return n;
}

/** Whether the piece `text[a, b)` matches `seg` from `at` on (its length fits): `?` is any character, `\x` is x. */
function pieceAt(text: string, a: number, b: number, seg: string, at: number): boolean {
  for (let i = a, j = at; i < b; i++, j++) {
    let c = text.charCodeAt(i);
    if (c === 63 /* ? */) continue;
    if (c === 92 /* \ */) c = text.charCodeAt(++i);
    if (c !== seg.charCodeAt(j)) return false;
  }
  return true;
}

/**
 * Whether the path segment `seg` matches the segment pattern `text[a, b)`. Unescaped `*`s split
 * it into pieces: the first must start `seg`, the last end it, and the others are placed
 * leftmost-first in between, which is always a correct choice when the gaps may be any length.
 */
function matchSegment(text: string, a: number, b: number, seg: string): boolean {
  let firstStar = -1;
  let lastStar = -1;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 42) {
      if (firstStar < 0) firstStar = i;
      lastStar = i;
    }
  }
  if (firstStar < 0) return pieceLength(text, a, b) === seg.length && pieceAt(text, a, b, seg, 0);
  const head = pieceLength(text, a, firstStar);
  const tail = pieceLength(text, lastStar + 1, b);
  const limit = seg.length - tail;
  if (head > limit || !pieceAt(text, a, firstStar, seg, 0) || !pieceAt(text, lastStar + 1, b, seg, limit)) return false;
  let at = head;
  for (let p = firstStar + 1; p < lastStar;) {
    let q = p;
    while (q < lastStar && text.charCodeAt(q) !== 42) q += text.charCodeAt(q) === 92 ? 2 : 1;
    const length = pieceLength(text, p, q);
    let found = -1;
    for (let k = at; k + length <= limit; k++) {
      if (pieceAt(text, p, q, seg, k)) {
        found = k;
        break;
      }
    }
    if (found < 0) return false;
    at = found + length;
    p = q + 1;
  }
  return true;
}

/** Whether the block `m.segments[from, to)` matches the path's segments from `at` on. */
function blockAt(m: PatternMatcher, from: number, to: number, segs: readonly string[], at: number): boolean {
  if (at + (to - from) / 2 > segs.length) return false;
  for (let k = from; k < to; k += 2, at++) {
    const start = m.segments[k]!;
    if (start !== ANY && !matchSegment(m.text, start, m.segments[k + 1]!, segs[at]!)) return false;
  }
  return true;
}

/**
 * Whether the compiled pattern matches the path given as its segments. Anchored blocks are placed
 * at the ends, the others leftmost-first: the cost is bounded by path length times pattern
 * length, whatever the pattern says.
 */
export function matchSegments(m: PatternMatcher, segs: readonly string[]): boolean {
  const s = m.segments;
  let firstEnd = 0;
  while (firstEnd < s.length && s[firstEnd] !== GLOBSTAR) firstEnd += 2;
  if (firstEnd === s.length && !m.leading && !m.trailing) return s.length / 2 === segs.length && blockAt(m, 0, s.length, segs, 0);
  let lastStart = s.length;
  while (lastStart > 0 && s[lastStart - 2] !== GLOBSTAR) lastStart -= 2;
  let start = 0; // the path's segments [start, end) are left for the free blocks
  let end = segs.length;
  let from = 0; // the free blocks are m.segments[from, to)
  let to = s.length;
  if (!m.leading) {
    if (!blockAt(m, 0, firstEnd, segs, 0)) return false;
    start = firstEnd / 2;
    from = firstEnd + 2;
  }
  if (!m.trailing) {
    end = segs.length - (s.length - lastStart) / 2;
    if (end < start || !blockAt(m, lastStart, s.length, segs, end)) return false;
    to = lastStart - 2;
  }
  let at = start;
  for (let b = from; b < to;) {
    let e = b;
    while (e < to && s[e] !== GLOBSTAR) e += 2;
    const length = (e - b) / 2;
    let placed = -1;
    for (let i = at; i + length <= end; i++) {
      if (blockAt(m, b, e, segs, i)) {
        placed = i;
        break;
      }
    }
    if (placed < 0) return false;
    at = placed + length;
    b = e + 2;
  }
  return true;
}

/** Where the path the pattern `text[s, e)` names ends: before its trailing `/`s that no backslash escapes. */
function bodyEnd(text: string, s: number, e: number): number {
  let end = e;
  while (end > s && text.charCodeAt(end - 1) === 47 && !escapedAt(text, end - 1, s)) end--;
  return end;
}

/** Where it starts: after its leading `/`s. */
function bodyStart(text: string, s: number, end: number): number {
  let start = s;
  while (start < end && text.charCodeAt(start) === 47) start++;
  return start;
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
  const error = checkPattern(pattern, 0, pattern.length, { flags: 0, keyStart: 0, keyEnd: 0 });
  return error ? { error } : { matcher: buildMatcher(pattern, 0, pattern.length) };
}

/** What checkPattern learns of an accepted pattern, written in place (a large file has one per line). */
interface PatternScan {
  /** DIR_ONLY | ANCHORED | LITERAL and where it is filed (see RuleTable). */
  flags: number;
  /** The index key: `text[keyStart, keyEnd)`. */
  keyStart: number;
  keyEnd: number;
}

/**
 * Why GitHub skips a line with the pattern `text[s, e)` (see compilePattern), or undefined, and
 * then `out` says how to match and file it. One pass over the pattern that allocates nothing
 * unless it finds a fault: a large file's patterns are checked as it is read, compiled when used.
 */
function checkPattern(text: string, s: number, e: number, out: PatternScan): string | undefined {
  if (e - s > CODEOWNERS_MAX_PATTERN) return `pattern is ${e - s} characters long; the limit is ${CODEOWNERS_MAX_PATTERN}`;
  if (text.charCodeAt(s) === 33 /* ! */) {
    return "negation ('!') is not supported in CODEOWNERS: GitHub ignores this line; list the paths with no owners instead";
  }
  if (e - s >= 2 && text.charCodeAt(s) === 92 && text.charCodeAt(s + 1) === 35) {
    return "escaping '#' with '\\' is not supported in CODEOWNERS: GitHub ignores this line";
  }
  const end = bodyEnd(text, s, e);
  const start = bodyStart(text, s, end);
  if (start >= end) return "the pattern names no path; use '*' for every file";
  let anchored = start > s;
  let literal = true; // no wildcard, no escape
  let special = false; // the current segment has a wildcard or an escape
  let wildOrEscaped = false; // the current segment has a '?' or an escape
  let lastStar = -1; // in the current segment
  let lastDot = -1; // in the current segment
  let prefixEnd = start; // the literal leading directories end here...
  let prefixOpen = true; // ...unless a segment with a wildcard or an escape has closed them
  let segStart = start;
  for (let i = start; i <= end; i++) {
    let c = i < end ? text.charCodeAt(i) : 47; // the end closes the last segment as a '/' would
    const at = i;
    if (c === 92 /* \ */) {
      if (i + 1 >= end) return "the pattern ends with a lone '\\' (it escapes nothing)";
      literal = false;
      wildOrEscaped = special = true;
      c = text.charCodeAt(++i);
      if (c !== 47) continue; // an escaped character; an escaped '/' still separates
    } else if (c === 42 || c === 63 /* * ? */) {
      literal = false;
      special = true;
      if (c === 42) lastStar = i;
      else wildOrEscaped = true;
      continue;
    } else if (c === 46 /* . */) {
      lastDot = i;
      continue;
    } else if (c === 91 || c === 93 /* [ ] */) {
      return "character ranges ('[ ]') are not supported in CODEOWNERS: GitHub ignores this line";
    }
    if (c !== 47) continue;
    if (at === segStart) return "the pattern has an empty segment ('//')";
    const first = text.charCodeAt(segStart);
    if (at - segStart <= 4 && (first === 46 || first === 92) /* '.' or '\\' */) {
      const plain = text.slice(segStart, at).replace(/\\(.)/g, "$1");
      if (plain === "." || plain === "..") return "'.' and '..' segments never match a repository path";
    }
    if (special) prefixOpen = false;
    else if (prefixOpen) prefixEnd = at;
    if (i >= end) break; // segStart and the flags stay the last segment's
    anchored = true;
    special = wildOrEscaped = false;
    lastStar = lastDot = -1;
    segStart = i + 1;
  }
  let filed = FILED_BY_PREFIX;
  out.keyStart = start;
  out.keyEnd = prefixEnd;
  // With no literal leading directory (always so at any depth), a path can still only match if one
  // of its segments matches the last one: so it must have the last segment's name when that is
  // plain, or its extension when it is a `*` and then plain text with a dot (`*.py`, `test_*.py`).
  if (!anchored || prefixEnd === start) {
    if (!wildOrEscaped && lastStar < 0) {
      filed = FILED_BY_NAME;
      out.keyStart = segStart;
      out.keyEnd = end;
    } else if (!wildOrEscaped && lastDot > lastStar && lastDot < end - 1) {
      filed = FILED_BY_EXTENSION;
      out.keyStart = lastDot + 1;
      out.keyEnd = end;
    }
  }
  out.flags = (end < e ? DIR_ONLY : 0) | (anchored ? ANCHORED : 0) | (literal ? LITERAL : 0) | (filed << FILED_SHIFT);
  return undefined;
}

/** Where buildMatcher gathers a pattern's segments before copying them out at their exact length (a large file keeps many). */
const gathered: number[] = [];

/** The matcher of the pattern `text[s, e)`, which checkPattern accepts. Linear in the pattern's length. */
function buildMatcher(text: string, s: number, e: number): PatternMatcher {
  const end = bodyEnd(text, s, e);
  const start = bodyStart(text, s, end);
  const segments = gathered;
  segments.length = 0;
  let anchored = start > s;
  let count = 0; // segments, a run of `**` counting one
  let firstGlobstar = false;
  let lastGlobstar = false;
  let lastAny = false;
  for (let i = start, segStart = start; i <= end; i++) {
    const at = i;
    const c = i < end ? text.charCodeAt(i) : 47; // the end closes the last segment as a '/' would
    if (c === 92 /* \ */) {
      if (text.charCodeAt(++i) !== 47 || i >= end) continue; // an escaped character; an escaped '/' still separates
    } else if (c !== 47) continue;
    if (i < end) anchored = true;
    if (at - segStart === 2 && text.charCodeAt(segStart) === 42 && text.charCodeAt(segStart + 1) === 42) {
      if (!lastGlobstar) {
        firstGlobstar ||= count === 0;
        count++;
        if (segments.length > 0) segments.push(GLOBSTAR, 0);
      }
      lastGlobstar = true;
    } else {
      count++;
      lastGlobstar = false;
      // Only unescaped stars, and not two: any one segment (gitignore: other asterisks are plain `*`s).
      lastAny = true;
      for (let k = segStart; k < at && lastAny; k++) lastAny = text.charCodeAt(k) === 42;
      if (lastAny) segments.push(ANY, 0);
      else segments.push(segStart, at);
    }
    segStart = i + 1;
  }
  let trailing = true;
  if (lastGlobstar) {
    // Trailing '/**': everything inside, never the directory's own name.
    if (segments.length > 0) segments.length -= 2;
    segments.push(ANY, 0);
  } else if (end < e) {
    segments.push(ANY, 0); // a directory: something must be below it
  } else {
    // A file of that name, or a directory of that name and all below it; `dir/*`: its files only.
    trailing = !lastAny || !anchored;
  }
  // A leading '**' (unless it was the only segment, made ANY above), or no '/', applies at any depth.
  return { text, segments: segments.slice(), leading: !anchored || (firstGlobstar && count > 1), trailing };
}

/** Whether the character at `i` is escaped by an odd run of backslashes before it (none before `from`). */
function escapedAt(text: string, i: number, from: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= from && text.charCodeAt(j) === 92; j--) n++;
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

/** The characters String.prototype.trim and a regular expression's `\s` take for white space. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 5760 ||
    (c >= 8192 && c <= 8202) ||
    c === 8232 ||
    c === 8233 ||
    c === 8239 ||
    c === 8287 ||
    c === 12288 ||
    c === 65279
  );
}

/**
 * Read a CODEOWNERS text. Lines GitHub would skip (bad owner, unsupported syntax) are reported
 * with `FILE:LINE` and left out of the rules; the others keep their order, since the last
 * matching rule decides. `# label: a, b` sets the labels of the rules below it, up to the next
 * such line, a `# [section]` header, or a blank line. Linear in the text: each line is read in
 * place, its pattern checked and filed in the index, and compiled only when a path first meets
 * it. With a deadline, throws BudgetExceeded once it has passed.
 */
export function parseCodeowners(text: string, file = "CODEOWNERS", deadline?: Deadline): Codeowners {
  const problems: Problem[] = [];
  const table: RuleTable = {
    text,
    count: 0,
    line: new Int32Array(0),
    start: new Int32Array(0),
    end: new Int32Array(0),
    flags: new Int32Array(0),
    owners: new Int32Array(0),
    ownerLists: [],
    labels: new Int32Array(0),
    labelLists: [[]],
    keyHash: new Int32Array(0),
    heads: new Int32Array(1).fill(-1),
    next: new Int32Array(0),
    mask: 0,
    matchers: undefined,
  };
  if (Buffer.byteLength(text, "utf8") >= CODEOWNERS_MAX_BYTES) {
    problems.push({ file, severity: "error", message: "the file is 3 MB or larger; GitHub ignores such a CODEOWNERS file" });
    return codeowners(file, problems, table);
  }
  let labels = 0; // into labelLists; 0 is the empty list
  // Owners lists recur on many lines: each distinct one is read once (an index, or why it is refused).
  const ownersByText = new Map<string, number | string>();
  const scan: PatternScan = { flags: 0, keyStart: 0, keyEnd: 0 };
  const during = (i: number) => () => `reading ${file} (line ${i + 1} of ${lineCount(text)})`;
  for (let i = 0, from = 0; from <= text.length; i++) {
    if ((i & 4095) === 4095) checkDeadline(deadline, during(i));
    const line = i + 1;
    let s = from;
    let e = text.indexOf("\n", from);
    if (e < 0) e = text.length;
    from = e + 1;
    // The line trimmed in place (which also drops the '\r' of a CRLF line end).
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    if (s === e) {
      labels = 0;
      continue;
    }
    if (text.charCodeAt(s) === 35 /* # */) {
      const comment = text.slice(s, e);
      const label = LABEL_RE.exec(comment);
      if (label) {
        table.labelLists.push(
          label[1]!
            .split(",")
            .map((l) => l.trim())
            .filter((l) => l !== ""),
        );
        labels = table.labelLists.length - 1;
      } else if (SECTION_RE.test(comment)) labels = 0;
      continue;
    }
    const patternEnd = patternEndIn(text, s, e);
    const error = checkPattern(text, s, patternEnd, scan);
    if (error) {
      problems.push({ file, line, severity: "error", message: `${error} (pattern "${truncate(text.slice(s, patternEnd))}")` });
      continue;
    }
    const ownersText = ownersTextIn(text, patternEnd, e);
    let owners = ownersByText.get(ownersText);
    if (owners === undefined) {
      const read = readOwners(ownersText);
      if (typeof read === "string") owners = read;
      else {
        owners = table.ownerLists.length;
        table.ownerLists.push(read);
      }
      ownersByText.set(ownersText, owners);
    }
    if (typeof owners === "string") {
      problems.push({ file, line, severity: "error", message: owners });
      continue;
    }
    if (table.count === table.line.length) grow(table);
    const r = table.count++;
    table.line[r] = line;
    table.start[r] = s;
    table.end[r] = patternEnd;
    table.flags[r] = scan.flags;
    table.owners[r] = owners;
    table.labels[r] = labels;
    table.keyHash[r] = hashOf(text, scan.keyStart, scan.keyEnd, HASH_SEEDS[scan.flags >> FILED_SHIFT]!);
  }
  fileRules(table);
  return codeowners(file, problems, table);
}

/** Lines in the text (counted only for a message: reading does not need the count). */
function lineCount(text: string): number {
  let n = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) n++;
  return n;
}

/** The parsed file; its `rules` objects are made on first use. */
function codeowners(file: string, problems: Problem[], table: RuleTable): Codeowners {
  let rules: CodeownersRule[] | undefined;
  return {
    file,
    problems,
    table,
    get rules() {
      rules ??= Array.from({ length: table.count }, (_, i) => ruleOf(table, i));
      return rules;
    },
  };
}

function ruleOf(t: RuleTable, i: number): CodeownersRule {
  return {
    line: t.line[i]!,
    pattern: t.text.slice(t.start[i], t.end[i]),
    owners: t.ownerLists[t.owners[i]!]!,
    labels: t.labelLists[t.labels[i]!]!,
  };
}

/** Rule `i` of the file (in file order), without making the others. */
export function ruleAt(co: Codeowners, i: number): CodeownersRule {
  return ruleOf(co.table, i);
}

/** Double the columns' capacity. */
function grow(t: RuleTable): void {
  const capacity = Math.max(256, t.line.length * 2);
  const larger = (column: Int32Array) => {
    const out = new Int32Array(capacity);
    out.set(column);
    return out;
  };
  t.line = larger(t.line);
  t.start = larger(t.start);
  t.end = larger(t.end);
  t.flags = larger(t.flags);
  t.owners = larger(t.owners);
  t.labels = larger(t.labels);
  t.keyHash = larger(t.keyHash);
}

/** Hang every rule on its chain, latest first (see RuleTable). */
function fileRules(t: RuleTable): void {
  let size = 16;
  while (size < t.count * 2) size *= 2;
  t.heads = new Int32Array(size).fill(-1);
  t.next = new Int32Array(t.count);
  t.mask = size - 1;
  for (let i = 0; i < t.count; i++) {
    const bucket = t.keyHash[i]! & t.mask;
    t.next[i] = t.heads[bucket]!;
    t.heads[bucket] = i;
  }
}

/**
 * Seeds of the index's hash, one per kind of key (by prefix, name, extension), drawn per process
 * so no file can be written to put its rules on one chain.
 */
const HASH_SEEDS = Array.from({ length: 3 }, () => (Math.random() * 0x40000000) | 0);

/** FNV-1a over `text[from, to)`, kept to 30 bits so it stays a small integer in arrays. */
function hashOf(text: string, from: number, to: number, seed: number): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h & 0x3fffffff;
}

/** Where the pattern of the trimmed line `text[s, e)` ends: at the first whitespace no backslash escapes. */
function patternEndIn(text: string, s: number, e: number): number {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 32 || c === 9 || c === 11 || c === 12) return i;
  }
  return e;
}

/**
 * The owners written after the pattern on the trimmed line `text[patternEnd, e)`, trimmed: a
 * `#` that opens the text or follows white space starts a comment to the end of the line (unless
 * a line terminator other than '\n' follows it, as a regular expression's `.` would not cross one).
 */
function ownersTextIn(text: string, patternEnd: number, e: number): string {
  let s = patternEnd;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  let comment = -1; // the first '#' that starts a comment since the last line terminator
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c === 35 && comment < 0 && (k === s || isSpace(text.charCodeAt(k - 1)))) comment = k;
    else if (c === 13 || c === 8232 || c === 8233) comment = -1;
  }
  if (comment >= 0) e = comment;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return text.slice(s, e);
}

/** The owners written after a pattern (duplicates dropped), or why the line is skipped. */
export function readOwners(text: string): Owner[] | string {
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

// ---------------------------------------------------------------------------------------------
// Lookup

/** Rule `i`'s matcher, compiled on first use; undefined for a literal pattern (literalMatches decides). */
function matcherAt(t: RuleTable, i: number): PatternMatcher | undefined {
  if (t.flags[i]! & LITERAL) return undefined;
  t.matchers ??= new Array<PatternMatcher | undefined>(t.count).fill(undefined);
  return (t.matchers[i] ??= buildMatcher(t.text, t.start[i]!, t.end[i]!));
}

/** Compile every rule that has a wildcard or an escape, as paths meeting them all would: the worst case, for benchmarks. */
export function compileAll(co: Codeowners): void {
  for (let i = 0; i < co.table.count; i++) matcherAt(co.table, i);
}

/**
 * Whether the literal pattern `text[s, e)` (no wildcard, no escape) matches the path given as its
 * segments, as its compiled matcher would: anchored, the path is the named one or below it; at
 * any depth, one of the path's segments is the name; a trailing `/` wants something below.
 */
function literalMatches(text: string, s: number, e: number, flags: number, segs: readonly string[]): boolean {
  const end = bodyEnd(text, s, e);
  const start = bodyStart(text, s, end);
  const below = flags & DIR_ONLY ? 1 : 0;
  if (!(flags & ANCHORED)) {
    const length = end - start;
    for (let k = 0; k < segs.length - below; k++) if (segs[k]!.length === length && text.startsWith(segs[k]!, start)) return true;
    return false;
  }
  let k = 0;
  for (let from = start; ; from++) {
    let to = from;
    while (to < end && text.charCodeAt(to) !== 47) to++;
    const seg = segs[k++];
    if (seg === undefined || seg.length !== to - from || !text.startsWith(seg, from)) return false;
    if (to >= end) break;
    from = to;
  }
  return segs.length >= k + below;
}

/**
 * The index of the rule that decides `path`'s owners (the last one matching it), or -1 when none
 * does. Rules are compiled as a path first meets them; `tick` is called every 64 rules met (it
 * throws to stop a long lookup). Costs the rules filed under the path's own leading directories,
 * names and extensions, each at most path length times pattern length.
 */
export function decidingIndex(co: Codeowners, path: string, tick?: () => void): number {
  const t = co.table;
  if (t.count === 0) return -1;
  let from = 0;
  while (path.charCodeAt(from) === 47) from++;
  const p = from > 0 ? path.slice(from) : path;
  const segs = p.split("/");
  let best = -1;
  let met = 0;
  // The latest matching rule on a chain (latest first) beats `best` when it comes later in the file.
  const latest = (hash: number) => {
    for (let i = t.heads[hash & t.mask]!; i > best; i = t.next[i]!) {
      if (tick && ++met % 64 === 0) tick();
      if (t.keyHash[i] !== hash) continue;
      const matcher = matcherAt(t, i);
      if (matcher ? matchSegments(matcher, segs) : literalMatches(t.text, t.start[i]!, t.end[i]!, t.flags[i]!, segs)) {
        best = i;
        return;
      }
    }
  };
  // By prefix: "", each leading directory, and the whole path, hashed as they grow.
  let h = HASH_SEEDS[FILED_BY_PREFIX]! ^ 0x811c9dc5;
  latest(h & 0x3fffffff);
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 47) latest(h & 0x3fffffff);
    h = Math.imul(h ^ c, 16777619);
  }
  latest(h & 0x3fffffff);
  for (const seg of segs) {
    latest(hashOf(seg, 0, seg.length, HASH_SEEDS[FILED_BY_NAME]!));
    const dot = seg.lastIndexOf(".");
    if (dot >= 0) latest(hashOf(seg, dot + 1, seg.length, HASH_SEEDS[FILED_BY_EXTENSION]!));
  }
  return best;
}

/**
 * The rule that decides `path`'s owners (the last one matching it), or undefined when none does.
 * A deciding rule with no owners leaves the path unowned. See decidingIndex.
 */
export function decidingRule(co: Codeowners, path: string, tick?: () => void): CodeownersRule | undefined {
  const i = decidingIndex(co, path, tick);
  return i < 0 ? undefined : ruleAt(co, i);
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
