// Path globs compiled once per configuration. Minimatch parses each glob (dot files included);
// its segments are then matched by our own matcher, which never backtracks, and the glob is
// filed under its literal leading directories in a trie. Matching a path walks the trie along
// the path's own segments, so a path is tested only against the globs that could possibly match
// it, instead of against every glob of every module.

import { GLOBSTAR, Minimatch } from "minimatch";

export const GLOB_OPTIONS = { dot: true } as const;

export interface GlobRule<T> {
  glob: string;
  /** What the caller attaches to the glob (module, area, include or exclude). */
  tag: T;
}

export interface GlobHit<T> {
  glob: string;
  tag: T;
}

interface TrieNode<T> {
  children: Map<string, TrieNode<T>>;
  /** Globs whose literal prefix ends at this node. */
  rules: CompiledRule<T>[];
}

interface CompiledRule<T> {
  index: number;
  glob: string;
  tag: T;
  /** The glob's parsed brace alternatives (minimatch's set); null for a glob that matches nothing (comment, empty). */
  set: Minimatch["set"] | null;
  /**
   * One matcher per alternative of `set`, built when a path first reaches the rule: a CLI that
   * routes one path builds a few of ~500.
   */
  alternatives: CompiledAlternative[] | undefined;
  /** Text every matching path contains; checked before the costlier match(). */
  needle: string;
  /** Number of path segments every match has, or -1 when a '**' makes it vary. */
  segments: number;
  /** For globs with no magic at all: the one path they match. */
  literal: string | null;
}

function newNode<T>(): TrieNode<T> {
  return { children: new Map(), rules: [] };
}

/**
 * The longest run of plain characters in the glob, which any path it matches must contain.
 * Empty (no filter) where braces, escapes or extglobs could make the text appear otherwise.
 */
function requiredText(glob: string, mm: Minimatch): string {
  // Brackets that hold ']', '[' or a POSIX class do not end at the first ']': no filter then.
  if (mm.set.length !== 1 || /[\\(){}]/.test(glob) || /\[[!^]?\]|\[[^\]]*\[/.test(glob)) return "";
  // The literal leading directories are already checked by the trie: look past them. The parts
  // are minimatch's, after it dropped segments like 'x/..': the glob's own text may say more.
  const prefix = literalPrefixes(mm)[0]!.length;
  const rest = mm.globParts[0]!.slice(prefix).join("/");
  let best = "";
  // Character classes match one of several characters: they separate runs like '*' does.
  for (const run of rest.replace(/\[[^\]]*\]/g, "/").split(/[*?/]+/)) if (run.length > best.length) best = run;
  return best;
}

/** Leading path segments that are plain text, for each brace-expanded alternative of the glob. */
function literalPrefixes(mm: Minimatch): string[][] {
  return mm.set.map((parts) => {
    const prefix: string[] = [];
    // The last part names the file itself; only directories go in the trie.
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i];
      if (typeof part !== "string") break;
      prefix.push(part);
    }
    return prefix;
  });
}

/** The most brace alternatives one glob may expand to. */
export const MAX_ALTERNATIVES = 64;

// ---------------------------------------------------------------------------------------------
// Matching without backtracking. Minimatch parses the glob (brace expansion, '**' segments,
// escapes); each magic segment is then matched by the small matcher below instead of
// minimatch's regular expression, whose backtracking is exponential on globs like '*a*a*a*b'.
// A path is matched against a glob's segments with a set of states, one per glob segment, so
// the work is at most (path segments) x (glob segments) segment tests, each at most
// (segment length) x (pattern length) character steps.

/** One character position of a segment pattern. */
type Token = { kind: "char"; ch: string } | { kind: "any" } | { kind: "class"; re: RegExp } | { kind: "star" };

/** A segment with magic: its tokens, matched with the classic one-star-backtrack walk. */
interface SegmentPattern {
  tokens: Token[];
  /** Only stars: must match a non-empty segment, like minimatch's `[^/]+?`. */
  onlyStars: boolean;
}

/** A glob part: a literal segment, a magic one, or '**'. */
type Part = string | SegmentPattern | typeof GLOBSTAR;

// POSIX classes minimatch accepts inside brackets, as JavaScript character-class text.
const POSIX: Record<string, { set: string; negated?: boolean }> = {
  "[:alnum:]": { set: "\\p{L}\\p{Nl}\\p{Nd}" },
  "[:alpha:]": { set: "\\p{L}\\p{Nl}" },
  "[:ascii:]": { set: "\\x00-\\x7f" },
  "[:blank:]": { set: "\\p{Zs}\\t" },
  "[:cntrl:]": { set: "\\p{Cc}" },
  "[:digit:]": { set: "\\p{Nd}" },
  "[:graph:]": { set: "\\p{Z}\\p{C}", negated: true },
  "[:lower:]": { set: "\\p{Ll}" },
  "[:print:]": { set: "\\p{C}" },
  "[:punct:]": { set: "\\p{P}" },
  "[:space:]": { set: "\\p{Z}\\t\\r\\n\\v\\f" },
  "[:upper:]": { set: "\\p{Lu}" },
  "[:word:]": { set: "\\p{L}\\p{Nl}\\p{Nd}\\p{Pc}" },
  "[:xdigit:]": { set: "A-Fa-f0-9" },
};

const classChar = (c: string) => (/[\]\\\-^[]/.test(c) ? `\\${c}` : c);

/**
 * Parse a bracket expression at `start` (the '['). Returns the token and the index after it, or
 * undefined when the bracket is not closed (then '[' is a plain character, as in minimatch).
 * The test is a one-character regular expression: it cannot backtrack.
 */
function parseClass(glob: string, start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (glob[i] === "!" || glob[i] === "^") {
    negate = true;
    i++;
  }
  const ranges: string[] = [];
  const negs: string[] = [];
  let first = true;
  let impossible = false;
  while (i < glob.length) {
    let c = glob[i]!;
    if (c === "]" && !first) break;
    first = false;
    if (c === "[") {
      const posix = Object.keys(POSIX).find((name) => glob.startsWith(name, i));
      if (posix) {
        (POSIX[posix]!.negated ? negs : ranges).push(POSIX[posix]!.set);
        i += posix.length;
        continue;
      }
    }
    if (c === "\\") {
      i++;
      if (i >= glob.length) break;
      c = glob[i]!;
    }
    if (glob[i + 1] === "-" && glob[i + 2] !== undefined && glob[i + 2] !== "]") {
      let hi = glob[i + 2]!;
      let next = i + 3;
      if (hi === "\\" && glob[i + 3] !== undefined) {
        hi = glob[i + 3]!;
        next = i + 4;
      } else if (hi === "[" && Object.keys(POSIX).some((name) => glob.startsWith(name, i + 2))) {
        impossible = true; // a range ending in a POSIX class: minimatch lets it match nothing
      }
      if (hi > c) ranges.push(`${classChar(c)}-${classChar(hi)}`);
      else if (hi === c) ranges.push(classChar(c));
      i = next;
      continue;
    }
    ranges.push(classChar(c));
    i++;
  }
  if (i >= glob.length) return undefined;
  const end = i + 1;
  if (impossible || (ranges.length === 0 && negs.length === 0)) return { token: { kind: "class", re: /$./ }, end: glob.length };
  const own = ranges.length ? `[${negate ? "^" : ""}${ranges.join("")}]` : "";
  const other = negs.length ? `[${negate ? "" : "^"}${negs.join("")}]` : "";
  const source = own && other ? `(?:${own}|${other})` : own || other;
  return { token: { kind: "class", re: new RegExp(`^${source}$`, "u") }, end };
}

/** Tokens of one magic segment's glob text (minimatch's `_glob`); extglobs are refused. */
function parseSegment(glob: string): SegmentPattern {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length;) {
    const c = glob[i]!;
    if ("?*+@!".includes(c) && glob[i + 1] === "(") throw new Error(`extglob patterns are not supported: ${glob}`);
    if (c === "\\" && i + 1 < glob.length) {
      tokens.push({ kind: "char", ch: glob[i + 1]! });
      i += 2;
    } else if (c === "*") {
      if (tokens[tokens.length - 1]?.kind !== "star") tokens.push({ kind: "star" });
      i++;
    } else if (c === "?") {
      tokens.push({ kind: "any" });
      i++;
    } else if (c === "[") {
      const cls = parseClass(glob, i);
      if (cls) {
        tokens.push(cls.token);
        i = cls.end;
      } else {
        tokens.push({ kind: "char", ch: c });
        i++;
      }
    } else {
      tokens.push({ kind: "char", ch: c });
      i++;
    }
  }
  return { tokens, onlyStars: tokens.every((t) => t.kind === "star") };
}

function tokenMatches(t: Token, ch: string): boolean {
  return t.kind === "any" || (t.kind === "char" ? t.ch === ch : t.kind === "class" ? t.re.test(ch) : false);
}

/**
 * Wildcard match of one segment. On a mismatch only the most recent star is retried one
 * character further: earlier stars never need to move, so the walk is O(segment x pattern).
 */
function matchSegment(p: SegmentPattern, s: string): boolean {
  // A magic segment never matches '.' or '..' (minimatch guards them even with dot: true).
  if (s === "." || s === "..") return false;
  if (p.onlyStars) return s.length > 0;
  const tokens = p.tokens;
  let ti = 0;
  let si = 0;
  let starAt = -1;
  let starFrom = 0;
  while (si < s.length) {
    const t = tokens[ti];
    if (t !== undefined && t.kind === "star") {
      starAt = ti++;
      starFrom = si;
    } else if (t !== undefined && tokenMatches(t, s[si]!)) {
      ti++;
      si++;
    } else if (starAt >= 0) {
      ti = starAt + 1;
      si = ++starFrom;
    } else return false;
  }
  while (ti < tokens.length && tokens[ti]!.kind === "star") ti++;
  return ti === tokens.length;
}

function matchPart(part: Part, segment: string): boolean {
  return typeof part === "string" ? part === segment : part !== GLOBSTAR && matchSegment(part as SegmentPattern, segment);
}

/** One brace alternative of a glob, matched against a path already split into segments. */
export class CompiledAlternative {
  private readonly parts: Part[];
  private readonly globstars: boolean;
  /** The one '**' is the last part ('dir/**', 'a/*b/**'): matched without the state set. */
  private readonly onlyTrailingGlobstar: boolean;
  /** State sets reused from call to call (matching is synchronous). */
  private cur: Uint8Array;
  private next: Uint8Array;

  constructor(set: readonly (string | RegExp | typeof GLOBSTAR)[]) {
    this.parts = set.map((p) => {
      if (typeof p === "string" || p === GLOBSTAR) return p;
      const glob = (p as RegExp & { _glob?: string })._glob;
      if (glob === undefined) throw new Error(`cannot read the glob of ${String(p)}`);
      return parseSegment(glob);
    });
    this.globstars = this.parts.includes(GLOBSTAR);
    this.onlyTrailingGlobstar = this.parts.indexOf(GLOBSTAR) === this.parts.length - 1;
    this.cur = new Uint8Array(this.parts.length + 1);
    this.next = new Uint8Array(this.parts.length + 1);
  }

  match(segments: readonly string[]): boolean {
    const parts = this.parts;
    const k = parts.length;
    if (!this.globstars) {
      if (segments.length !== k) return false;
      for (let i = 0; i < k; i++) if (!matchPart(parts[i]!, segments[i]!)) return false;
      return true;
    }
    if (this.onlyTrailingGlobstar) {
      // The head matches segment by segment; the '**' takes the rest (at least one segment).
      if (segments.length < k) return false;
      for (let i = 0; i < k - 1; i++) if (!matchPart(parts[i]!, segments[i]!)) return false;
      for (let i = k - 1; i < segments.length; i++) if (segments[i] === "." || segments[i] === "..") return false;
      return true;
    }
    // State i: the first i parts have matched the segments read so far. A '**' may stay on
    // (consume a segment) or be skipped; a trailing '**' must consume at least one segment.
    let cur = this.cur;
    let next = this.next;
    cur.fill(0);
    cur[0] = 1;
    this.close(cur);
    for (const seg of segments) {
      next.fill(0);
      let any = false;
      for (let i = 0; i < k; i++) {
        if (!cur[i]) continue;
        const part = parts[i]!;
        if (part === GLOBSTAR) {
          if (seg === "." || seg === "..") continue;
          next[i] = 1;
          if (i === k - 1) next[k] = 1;
          any = true;
        } else if (matchPart(part, seg)) {
          next[i + 1] = 1;
          any = true;
        }
      }
      if (!any) return false;
      this.close(next);
      [cur, next] = [next, cur];
    }
    return cur[k] === 1;
  }

  /** Skip each non-trailing '**' that is reached (it may match no segment). */
  private close(states: Uint8Array): void {
    const k = this.parts.length;
    for (let i = 0; i < k - 1; i++) if (states[i] && this.parts[i] === GLOBSTAR) states[i + 1] = 1;
  }
}

/**
 * How many alternatives brace expansion would give `glob`, counted without expanding, capped
 * at `cap` + 1. Braces that do not pair up cleanly give `irregular: true` when they could still
 * expand (contain ',' or '..'): the count would then not be reliable.
 */
export function countBraceAlternatives(glob: string, cap = MAX_ALTERNATIVES): { count: number; irregular: boolean } {
  let irregular = false;
  const limit = cap + 1;
  const mul = (a: number, b: number) => Math.min(limit, a * b);
  // Parse a sequence of text and groups up to `stop` ('}' or ',' inside a group); returns the count.
  let i = 0;
  const seq = (inGroup: boolean): number => {
    let n = 1;
    while (i < glob.length) {
      const c = glob[i]!;
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (inGroup && (c === "}" || c === ",")) return n;
      if (c === "}") irregular = true;
      if (c === "{") {
        const open = i++;
        if (glob[open - 1] === "$") irregular = true; // brace expansion leaves '${...}' alone
        const alternatives: number[] = [seq(true)];
        while (glob[i] === ",") {
          i++;
          alternatives.push(seq(true));
        }
        if (glob[i] !== "}") {
          irregular = true;
          return n;
        }
        const body = glob.slice(open + 1, i);
        i++;
        if (alternatives.length > 1)
          n = mul(
            n,
            alternatives.reduce((a, b) => Math.min(limit, a + b), 0),
          );
        else {
          const seqLen = sequenceLength(body);
          if (seqLen !== undefined) n = mul(n, Math.min(limit, seqLen));
          else irregular = true; // '{a}' is literal, and brace-expansion re-reads what follows
        }
        continue;
      }
      i++;
    }
    return n;
  };
  const count = seq(false);
  const couldExpand = /,|\.\./.test(glob);
  return { count, irregular: irregular && couldExpand };
}

/** Length of a brace sequence body like '1..10', '0..20..5' or 'a..z', or undefined. */
function sequenceLength(body: string): number | undefined {
  let m = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  if (m) {
    const step = Math.abs(Number(m[3] ?? 1)) || 1;
    return Math.floor(Math.abs(Number(m[2]) - Number(m[1])) / step) + 1;
  }
  m = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/.exec(body);
  if (m) {
    const step = Math.abs(Number(m[3] ?? 1)) || 1;
    return Math.floor(Math.abs(m[2]!.charCodeAt(0) - m[1]!.charCodeAt(0)) / step) + 1;
  }
  return undefined;
}

export class GlobMatcher<T> {
  private readonly root: TrieNode<T> = newNode<T>();
  private readonly exact = new Map<string, CompiledRule<T>[]>();
  readonly size: number;

  constructor(rules: readonly GlobRule<T>[]) {
    rules.forEach((rule, index) => {
      // Counted before minimatch expands the braces: a glob the checks would refuse costs nothing here.
      const braces = countBraceAlternatives(rule.glob);
      if (braces.irregular || braces.count > MAX_ALTERNATIVES)
        throw new Error(`glob "${rule.glob.slice(0, 60)}" has too many brace alternatives`);
      const mm = new Minimatch(rule.glob, GLOB_OPTIONS);
      const isLiteral = mm.set.length === 1 && mm.set[0]!.every((p) => typeof p === "string");
      const compiled: CompiledRule<T> = {
        index,
        glob: rule.glob,
        tag: rule.tag,
        set: isLiteral || mm.comment || mm.empty ? null : mm.set,
        alternatives: undefined,
        needle: requiredText(rule.glob, mm),
        segments: mm.set.length === 1 && !mm.set[0]!.some((p) => p === GLOBSTAR) ? mm.set[0]!.length : -1,
        literal: isLiteral ? (mm.set[0] as string[]).join("/") : null,
      };
      if (compiled.literal !== null) {
        const list = this.exact.get(compiled.literal) ?? [];
        list.push(compiled);
        this.exact.set(compiled.literal, list);
        return;
      }
      if (compiled.set === null) return; // a comment or empty pattern matches nothing
      const placed = new Set<TrieNode<T>>();
      for (const prefix of literalPrefixes(mm)) {
        let node = this.root;
        for (const seg of prefix) {
          let next = node.children.get(seg);
          if (!next) {
            next = newNode<T>();
            node.children.set(seg, next);
          }
          node = next;
        }
        if (!placed.has(node)) {
          node.rules.push(compiled);
          placed.add(node);
        }
      }
    });
    this.size = rules.length;
  }

  /**
   * Every rule whose glob matches `path`, in the order the rules were given. `tick` is called
   * every few rules tested, so a caller can stop a long match (it throws to stop).
   */
  match(path: string, tick?: () => void): GlobHit<T>[] {
    const hits: CompiledRule<T>[] = [];
    let parts: string[] | undefined; // split once, when a rule first needs it
    let segments = 1;
    for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) segments += 1;
    let tested = 0;
    const test = (rule: CompiledRule<T>) => {
      if ((rule.segments >= 0 && rule.segments !== segments) || (rule.needle !== "" && !path.includes(rule.needle))) return false;
      if (tick && ++tested % 16 === 0) tick();
      parts ??= path.split("/");
      rule.alternatives ??= rule.set!.map((alt) => new CompiledAlternative(alt));
      for (const alt of rule.alternatives) if (alt.match(parts)) return true;
      return false;
    };
    const exact = this.exact.get(path);
    if (exact) hits.push(...exact);
    let node: TrieNode<T> | undefined = this.root;
    let start = 0;
    while (node) {
      for (const rule of node.rules) if (test(rule)) hits.push(rule);
      const slash = path.indexOf("/", start);
      if (slash < 0) break;
      node = node.children.get(path.slice(start, slash));
      start = slash + 1;
    }
    if (hits.length > 1) hits.sort((a, b) => a.index - b.index);
    // A glob filed at two nodes of the path (two brace alternatives) is one hit.
    return hits.filter((r, i) => i === 0 || hits[i - 1] !== r).map((r) => ({ glob: r.glob, tag: r.tag }));
  }
}

/** An extglob opener ('+(', '@(', '!(', '?(', '*(') not escaped by a backslash. */
const EXTGLOB = /(?:^|[^\\])(?:\\\\)*[+@!?*]\(/;

/**
 * Answers of globProblem by glob text. A configuration is checked on its own and again merged
 * over the bundled one, and the same globs recur across deliveries: each distinct glob is
 * checked once. Memoisation by content only (bounded), so every replica answers the same.
 */
const problemCache = new Map<string, string | undefined>();
const PROBLEM_CACHE_SIZE = 20_000;

/** Check one glob the way the matcher will use it; returns a reason when it cannot be used. */
export function globProblem(glob: string): string | undefined {
  if (problemCache.has(glob)) return problemCache.get(glob);
  const problem = checkGlob(glob);
  if (problemCache.size >= PROBLEM_CACHE_SIZE) problemCache.delete(problemCache.keys().next().value!);
  problemCache.set(glob, problem);
  return problem;
}

function checkGlob(glob: string): string | undefined {
  if (glob.trim() === "") return "empty glob";
  if (glob.length > 500) return `glob is ${glob.length} characters long; the limit is 500`;
  const globstars = glob.split("/").filter((s) => s.includes("**")).length;
  if (globstars > 4) return `glob has ${globstars} '**' segments; the limit is 4 (each one multiplies matching work)`;
  if (glob.startsWith("!")) return "negated globs are not supported; list the path under `exclude` instead";
  if (glob.startsWith("#")) return "a glob starting with '#' is a comment to minimatch and matches nothing; quote the path without '#'";
  if (glob.startsWith("/")) return "globs are relative to the repository root; drop the leading '/'";
  if (glob.endsWith("/")) return "a glob ending in '/' matches no file; write 'dir/**' for everything below a folder";
  if (glob.startsWith("./")) return "globs are relative to the repository root; drop the leading './'";
  if (EXTGLOB.test(glob)) {
    return "extglob patterns like '+(a|b)' or '@(x)' are not supported (they cannot be matched in linear time); use braces '{a,b}' instead";
  }
  // Counted, not expanded: expanding a large brace glob is itself the expensive part.
  const braces = countBraceAlternatives(glob);
  if (braces.irregular)
    return "every '{' needs a matching '}' and ',' between alternatives (or a range like '1..3'); escape a literal brace as '\\{'";
  if (braces.count > MAX_ALTERNATIVES)
    return `glob expands to more than ${MAX_ALTERNATIVES} alternatives; the limit is ${MAX_ALTERNATIVES}`;
  const mm = new Minimatch(glob, GLOB_OPTIONS);
  if (mm.set.length > MAX_ALTERNATIVES) return `glob expands to ${mm.set.length} alternatives; the limit is ${MAX_ALTERNATIVES}`;
  try {
    for (const parts of mm.set) new CompiledAlternative(parts);
  } catch {
    return "not a valid glob";
  }
  return undefined;
}
