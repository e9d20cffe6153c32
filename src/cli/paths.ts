// Changed paths as people and git print them, turned into repository-relative paths. Pure: the
// caller says where the checkout root and the working directory are.

import { posix } from "node:path";

export interface ChangedPath {
  path: string;
  previousPath?: string;
}

/** A line or argument the CLI could not turn into a repository path, and why. */
export interface PathProblem {
  input: string;
  message: string;
}

/** Where relative and absolute paths are read from: both absolute, with `/` separators. */
export interface PathContext {
  /** The working directory. */
  cwd: string;
  /** The checkout's root, or undefined outside any checkout. */
  root?: string;
}

/** C0 and C1 control characters and DEL: never part of a path anyone means, and unsafe to print. */
// eslint-disable-next-line no-control-regex -- control characters are what these look for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` in double quotes, with quotes, backslashes and control characters escaped: safe to print on a terminal. */
export function quoted(text: string): string {
  const escaped = text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(CONTROL_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${escaped}"`;
}

/** A path as it may be printed: as it is, or quoted and escaped when it holds a control character. */
export function printable(path: string): string {
  return CONTROL.test(path) ? quoted(path) : path;
}

/**
 * The records of NUL-separated input (git's -z): with --name-only one path each; with
 * --name-status a status (`M`, `R100`) then its one or two paths, which are joined into the
 * tab-separated line parseChangedLine reads. The form is told by the first record.
 */
export function nulRecords(input: string): string[] {
  const parts = input.split("\0");
  if (parts.at(-1) === "") parts.pop();
  if (parts.length === 0 || !STATUS_ONLY.test(parts[0]!)) return parts.filter((p) => p !== "");
  const lines: string[] = [];
  for (let i = 0; i < parts.length;) {
    const status = parts[i]!;
    const count = STATUS_ONLY.test(status) && /^[RC]/.test(status) ? 2 : 1;
    lines.push([status, ...parts.slice(i + 1, i + 1 + count)].join("\t"));
    i += 1 + count;
  }
  return lines;
}

const STATUS_ONLY = /^[ACDMRTUX]\d{0,3}$/;

const NEEDS_CHECKOUT =
  "an absolute path needs a git checkout to be read from; run inside the checkout or give the path from the repository root";

// git's --name-status letters: added, copied, deleted, modified, renamed, type changed, unmerged, unknown.
const NAME_STATUS = /^([ACDMRTUX])(\d{0,3})\t([^\t]+)(?:\t([^\t]+))?$/;

/**
 * Read one changed path in any of the forms git prints: a plain path, `OLD => NEW`,
 * `dir/{old => new}/file` (git diff --stat), or a --name-status line (`M<TAB>path`,
 * `R100<TAB>old<TAB>new`). The result is not normalised yet.
 */
export function parseChangedLine(line: string): ChangedPath {
  const status = NAME_STATUS.exec(line.trim());
  if (status) {
    const [, letter, , first, second] = status;
    if ((letter === "R" || letter === "C") && second !== undefined) {
      // A copy leaves its source untouched: only a rename changes the old path too.
      return letter === "R" ? { path: second, previousPath: first! } : { path: second };
    }
    if (second === undefined) return { path: first! };
  }
  const text = line.trim();
  const braces = /^(.*?)\{([^{}]*?)\s*=>\s*([^{}]*?)\}(.*)$/.exec(text);
  if (braces) {
    const [, before, from, to, after] = braces;
    // `{ => x}` and `{x => }`: one side empty, and git prints no doubled slash.
    const join = (middle: string) => `${before}${middle}${after}`.replace(/\/\/+/g, "/");
    return { path: join(to!), previousPath: join(from!) };
  }
  const arrow = /^(.*?)\s+=>\s+(.*)$/.exec(text);
  return arrow ? { path: arrow[2]!.trim(), previousPath: arrow[1]!.trim() } : { path: text };
}

/**
 * A path relative to the checkout root, or the reason it cannot be one. Plain relative paths are
 * read as git prints them (from the root); `./x` and `../x` are from the working directory;
 * absolute paths must lie inside the checkout.
 */
export function normalisePath(input: string, ctx: PathContext): { path: string } | { problem: string } {
  const raw = input.trim().replace(/\\/g, "/");
  if (raw === "") return { problem: "empty path" };
  const control = CONTROL.exec(raw);
  if (control) {
    const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    return { problem: `contains the control character ${code}; no repository path does` };
  }
  let rel: string;
  if (posix.isAbsolute(raw)) {
    if (ctx.root === undefined) {
      return { problem: NEEDS_CHECKOUT };
    }
    rel = posix.relative(ctx.root, posix.normalize(raw));
    if (rel === "" || rel === ".." || rel.startsWith("../") || posix.isAbsolute(rel)) {
      return { problem: `outside the checkout ${ctx.root}` };
    }
  } else if (raw === "." || raw === ".." || raw.startsWith("./") || raw.startsWith("../")) {
    const base = ctx.root ?? ctx.cwd;
    rel = posix.relative(base, posix.join(ctx.cwd, raw));
    if (rel === "" || rel === ".." || rel.startsWith("../")) {
      return { problem: ctx.root ? `outside the checkout ${ctx.root}` : "outside the working directory" };
    }
  } else {
    rel = posix.normalize(raw);
    if (rel === "." || rel === ".." || rel.startsWith("../")) return { problem: "leaves the repository root (`..`)" };
  }
  return { path: rel.replace(/\/+$/, "") };
}

/** Every changed path of `lines`, normalised; the ones that cannot be read are returned as problems. */
export function readChangedPaths(lines: readonly string[], ctx: PathContext): { files: ChangedPath[]; problems: PathProblem[] } {
  const files: ChangedPath[] = [];
  const problems: PathProblem[] = [];
  for (const line of lines) {
    const parsed = parseChangedLine(line);
    const path = normalisePath(parsed.path, ctx);
    if ("problem" in path) {
      problems.push({ input: line, message: path.problem });
      continue;
    }
    const file: ChangedPath = { path: path.path };
    if (parsed.previousPath !== undefined) {
      const prev = normalisePath(parsed.previousPath, ctx);
      if ("problem" in prev) {
        problems.push({ input: line, message: `old path: ${prev.problem}` });
        continue;
      }
      file.previousPath = prev.path;
    }
    files.push(file);
  }
  return { files, problems };
}
