// The matcher as it was before linear-time matching (commit 23e58c9), kept for the benchmark
// only: the same trie and prefilters, with minimatch's own match() (a regex per segment) for the
// test. The benchmark measures the current matcher against it in the same run.
//
// Path globs compiled once per configuration. Each glob becomes one Minimatch object (dot files
// included), filed under its literal leading directories in a trie. Matching a path walks the
// trie along the path's own segments, so a path is tested only against the globs that could
// possibly match it, instead of against every glob of every module.

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
  /** Minimatch's own match() (not makeRe(), whose regex differs on a trailing '/**'). */
  mm: Minimatch | null;
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
  if (mm.set.length !== 1 || /[\\(){}]/.test(glob)) return "";
  // The literal leading directories are already checked by the trie: look past them.
  const prefix = literalPrefixes(mm)[0]!.length;
  const rest = glob.split("/").slice(prefix).join("/");
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

export class GlobMatcher<T> {
  private readonly root: TrieNode<T> = newNode<T>();
  private readonly exact = new Map<string, CompiledRule<T>[]>();
  readonly size: number;

  constructor(rules: readonly GlobRule<T>[]) {
    rules.forEach((rule, index) => {
      const mm = new Minimatch(rule.glob, GLOB_OPTIONS);
      const isLiteral = mm.set.length === 1 && mm.set[0]!.every((p) => typeof p === "string");
      const compiled: CompiledRule<T> = {
        index,
        glob: rule.glob,
        tag: rule.tag,
        mm: isLiteral || mm.comment || mm.empty ? null : mm,
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
      if (compiled.mm === null) return; // a comment or empty pattern matches nothing
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

  /** Every rule whose glob matches `path`, in the order the rules were given. */
  match(path: string): GlobHit<T>[] {
    const hits: CompiledRule<T>[] = [];
    let segments = 1;
    for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) segments += 1;
    const test = (rule: CompiledRule<T>) =>
      (rule.segments < 0 || rule.segments === segments) && (rule.needle === "" || path.includes(rule.needle)) && rule.mm!.match(path);
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
    return hits.map((r) => ({ glob: r.glob, tag: r.tag }));
  }
}
