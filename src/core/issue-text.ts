// routeIssue(): an issue's title and body in, the modules it names out. An issue has no changed
// files, so the modules come from what its text mentions: file paths (tracebacks, build errors,
// GitHub links), dotted `torch.` API names, and the configuration's keywords. Pure, no I/O.

import { loginKey } from "./registry.js";
import { matchPath, repositoryOwners, type PathMatch, type Router } from "./router.js";

export interface IssueInput {
  repository: string;
  title: string;
  body: string;
}

export interface IssueEvidence {
  kind: "path" | "api" | "keyword";
  text: string;
  /** the repo-relative path that was matched, for path and api evidence */
  path?: string;
}

export interface IssueModule {
  name: string;
  labels: string[];
  areas: string[];
  /** Why the module was matched; empty when the module owns the issue's repository whole. */
  evidence: IssueEvidence[];
  /** active (non-emeritus) maintainers, for an optional cc comment */
  maintainers: string[];
}

export interface IssueDecision {
  labels: string[];
  modules: IssueModule[];
}

/** Only this much of title + body is read, so a huge body costs no more than a long one. */
export const MAX_ISSUE_TEXT = 65_536;
/** Most distinct paths, URLs and API names looked up per issue. */
export const MAX_CANDIDATES = 2_000;
/** Longer tokens are not paths anyone typed or pasted. */
const MAX_TOKEN_LENGTH = 1_000;
/** First lines of PyTorch's collect_env report (torch.utils.collect_env). */
const ENV_REPORT_START = /^\s*(?:Collecting environment information|PyTorch version: )/;
/** Dotted names deeper than this are cut; no PyTorch module is nested deeper. */
const MAX_API_SEGMENTS = 6;

/** Top-level directories of the PyTorch repository: where a repo path starts inside an absolute one. */
const REPO_DIRS = new Set([
  "torch",
  "aten",
  "c10",
  "caffe2",
  "test",
  "tools",
  "torchgen",
  "benchmarks",
  "docs",
  ".github",
  ".ci",
  "third_party",
  "functorch",
  "android",
  "ios",
  "scripts",
  "cmake",
]);

// Scheme URLs, www. hosts and scheme-less GitHub links; `)` and `]` end a URL so Markdown links work.
// The scheme is bounded: an unbounded `[a-z0-9+.-]*` rescans "a.a.a.a..." from every word (quadratic).
const URL_RE = /\b(?:[a-z][a-z0-9+.-]{0,19}:\/\/|www\.|github\.com\/|raw\.githubusercontent\.com\/)[^\s<>"'`)\]]+/gi;
const GITHUB_FILE_RE = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([\w.-]+)\/([\w.-]+)\/(?:blob|tree)\/([^?#]+)/i;
const GITHUB_RAW_RE = /^(?:https?:\/\/)?raw\.githubusercontent\.com\/([\w.-]+)\/([\w.-]+)\/([^?#]+)/i;
/** Runs of characters that can make up a path, a Windows path or a dotted name. */
const TOKEN_RE = /[\w.~+:\\/-]+/g;
/** `torch.` names not inside a longer dotted name or a path. */
const API_RE = /(?<![\w./\\])torch(?:\.[A-Za-z_]\w*)+/g;
const FILE_NAME_RE = /[\w-]\.[A-Za-z][\w-]{0,9}$/;
const SEGMENT_RE = /^[\w.+~-]+$/;
const HOST_RE = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;
const ABSOLUTE_RE = /^(?:\/|~\/|[A-Za-z]:\/)/;

/** One configured keyword, compiled once per router. */
interface KeywordRule {
  module: number;
  /** Area index, or -1 for the module's own keyword. */
  area: number;
  keyword: string;
  /** For a keyword that is one word: the word, lowercased, looked up in the text's words. */
  word?: string;
  /** For any other keyword: its regex, tried only when the text has all of `words`. */
  regex?: RegExp;
  words: string[];
}

// Routers are built once and kept, so each keeps its compiled keywords for its lifetime.
const keywordCache = new WeakMap<Router, KeywordRule[]>();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileKeyword(module: number, area: number, raw: string): KeywordRule | undefined {
  const keyword = raw.trim();
  if (keyword === "") return undefined;
  const words = (keyword.toLowerCase().match(/\w+/g) ?? []) as string[];
  if (/^\w+$/.test(keyword)) return { module, area, keyword, word: keyword.toLowerCase(), words };
  // Word boundaries only where the keyword itself starts or ends with a word character:
  // `\bc\+\+\b` would never match "c++ " because there is no boundary after "+".
  const start = /^\w/.test(keyword) ? "\\b" : "";
  const end = /\w$/.test(keyword) ? "\\b" : "";
  const body = escapeRegex(keyword).replace(/\s+/g, "\\s+");
  return { module, area, keyword, regex: new RegExp(start + body + end, "i"), words };
}

function keywordRules(router: Router): KeywordRule[] {
  let rules = keywordCache.get(router);
  if (rules) return rules;
  rules = [];
  router.modules.forEach(({ spec }, module) => {
    for (const k of spec.keywords) {
      const rule = compileKeyword(module, -1, k);
      if (rule) rules!.push(rule);
    }
    spec.areas.forEach((area, a) => {
      for (const k of area.keywords) {
        const rule = compileKeyword(module, a, k);
        if (rule) rules!.push(rule);
      }
    });
  });
  keywordCache.set(router, rules);
  return rules;
}

/**
 * The part of the issue that speaks for itself: title and body, cut to MAX_ISSUE_TEXT, without
 * HTML comments (issue templates) and quoted lines (usually another issue's words). Fenced code
 * is kept verbatim. Lines starting `>>>` are Python prompts, not quotes, and are kept.
 * An environment report (PyTorch's collect_env output, pasted by the bug template into nearly
 * every issue) names ROCm, MIOpen, NCCL, ONNX... whatever the issue is about, so it is dropped,
 * up to the end of its code block or the next heading.
 */
export function issueText(title: string, body: string): string {
  const text = `${title}\n${body}`.slice(0, MAX_ISSUE_TEXT);
  const kept: string[] = [];
  let fence: { char: string; length: number } | undefined;
  let inComment = false;
  let envReport = false;
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine;
    if (!envReport && ENV_REPORT_START.test(line)) envReport = true;
    if (envReport) {
      const closesFence = fence && /^ {0,3}(`{3,}|~{3,})\s*$/.test(line);
      if (closesFence) fence = undefined;
      if (closesFence || (!fence && /^ {0,3}#{1,6}\s/.test(line))) envReport = false;
      if (envReport || closesFence) continue;
    }
    if (inComment) {
      const close = line.indexOf("-->");
      if (close < 0) continue;
      inComment = false;
      line = line.slice(close + 3);
    } else if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
      kept.push(line);
      continue;
    }
    if (/^ {0,3}>/.test(line) && !/^ {0,3}>>>(?:\s|$)/.test(line)) continue;
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      kept.push(line);
      continue;
    }
    kept.push(stripComments(line, () => (inComment = true)));
  }
  return kept.join("\n");
}

/** Remove `<!-- ... -->` from one line; an unclosed comment runs on to later lines. */
function stripComments(line: string, opensComment: () => void): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = line.indexOf("<!--", from);
    if (open < 0) return out + line.slice(from);
    out += `${line.slice(from, open)} `;
    const close = line.indexOf("-->", open + 4);
    if (close < 0) {
      opensComment();
      return out;
    }
    from = close + 3;
  }
}

/** A path the repository could hold: several plain segments, naming a file or under a known directory. */
function plausibleRepoPath(path: string): string | undefined {
  const p = path.replace(/\/+$/, "");
  const segments = p.split("/");
  if (segments.length < 2) return undefined;
  if (!segments.every((s) => SEGMENT_RE.test(s) && s !== "." && s !== "..")) return undefined;
  if (!FILE_NAME_RE.test(segments[segments.length - 1]!) && !REPO_DIRS.has(segments[0]!)) return undefined;
  return p;
}

/** A token without the punctuation around it: `+a/b.py:` is `a/b.py`. */
function trimToken(token: string): string {
  return token.replace(/^[^\w.~/\\]+/, "").replace(/[.:+-]+$/, "");
}

/**
 * The repo-relative path a token from an issue stands for, or undefined when it is not a path.
 * Installed files are cut after `site-packages/`; other absolute paths at the last top-level
 * repository directory; relative paths are taken as they are.
 */
export function repoPathFromToken(token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  let p = trimToken(token);
  const testId = p.indexOf("::"); // pytest ids: test/test_nn.py::TestNN::test_x
  if (testId >= 0) p = p.slice(0, testId);
  p = p.replace(/(?::\d+)+$/, ""); // file.cpp:123:45
  p = p.replace(/\\+/g, "/").replace(/\/{2,}/g, "/");
  if (!p.includes("/")) return undefined;

  const lower = p.toLowerCase();
  const installed = Math.max(lower.lastIndexOf("site-packages/"), lower.lastIndexOf("dist-packages/"));
  if (installed >= 0 && (installed === 0 || p[installed - 1] === "/")) {
    return plausibleRepoPath(p.slice(installed + "site-packages/".length));
  }
  if (ABSOLUTE_RE.test(p)) {
    const segments = p.split("/");
    for (let i = segments.length - 2; i >= 1; i--) {
      if (REPO_DIRS.has(segments[i]!)) return plausibleRepoPath(segments.slice(i).join("/"));
    }
    return undefined;
  }
  p = p.replace(/^(?:\.{1,2}\/)+/, "");
  const first = p.slice(0, p.indexOf("/"));
  // `example.com/torch/nn.py` is a host and its path, not a file of the repository.
  if (HOST_RE.test(first)) return undefined;
  return plausibleRepoPath(p);
}

/**
 * Candidate paths for a GitHub file link into `repository`, best first. A ref may itself contain
 * slashes (`release/2.1`), so the path may start one or more segments later than the first.
 */
export function repoPathsFromUrl(url: string, repository: string): string[] {
  if (url.length > MAX_TOKEN_LENGTH) return [];
  const m = GITHUB_FILE_RE.exec(url) ?? GITHUB_RAW_RE.exec(url);
  if (!m) return [];
  if (`${m[1]}/${m[2]}`.toLowerCase() !== repository.toLowerCase()) return [];
  let rest = m[3]!;
  try {
    rest = decodeURIComponent(rest);
  } catch {
    // a malformed escape: keep the text as written
  }
  const segments = rest.split("/").filter((s) => s !== "");
  const out: string[] = [];
  for (let skip = 1; skip <= 4 && skip < segments.length; skip++) {
    const path = plausibleRepoPath(segments.slice(skip).join("/"));
    if (path) out.push(...pathCandidates(path));
  }
  return out;
}

/** A directory (no file name) is looked up as its package: `torch/onnx` as `torch/onnx/__init__.py`. */
function pathCandidates(path: string): string[] {
  return FILE_NAME_RE.test(path) ? [path] : [path, `${path}/__init__.py`];
}

/** Files that a dotted `torch.` name may live in, longest prefix first. */
export function apiCandidatePaths(name: string): string[] {
  const parts = name.split(".").slice(0, MAX_API_SEGMENTS);
  const out: string[] = [];
  for (let n = parts.length; n >= 2; n--) {
    const dir = parts.slice(0, n).join("/");
    out.push(`${dir}.py`, `${dir}/__init__.py`);
  }
  return out;
}

interface Touched {
  areas: Set<number>;
  evidence: IssueEvidence[];
  evidenceKeys: Set<string>;
}

export function routeIssue(router: Router, input: IssueInput): IssueDecision {
  const owners = repositoryOwners(router, input.repository);
  if (owners.length > 0) {
    // The module owns every issue of this repository; its label would be on all of them, so none.
    return {
      labels: [],
      modules: owners.map((i) => ({
        name: router.modules[i]!.spec.name,
        labels: [],
        areas: [],
        evidence: [],
        maintainers: activeMaintainers(router, i),
      })),
    };
  }

  const touched = new Map<number, Touched>();
  const touch = (module: number, areas: Iterable<number>, evidence: IssueEvidence, key: string) => {
    let t = touched.get(module);
    if (!t) {
      t = { areas: new Set(), evidence: [], evidenceKeys: new Set() };
      touched.set(module, t);
    }
    for (const a of areas) t.areas.add(a);
    if (!t.evidenceKeys.has(key)) {
      t.evidenceKeys.add(key);
      t.evidence.push(evidence);
    }
  };
  const pathCache = new Map<string, PathMatch[]>();
  const lookup = (path: string): PathMatch[] => {
    let hits = pathCache.get(path);
    if (!hits) {
      hits = matchPath(router, input.repository, path);
      pathCache.set(path, hits);
    }
    return hits;
  };
  const touchPath = (kind: "path" | "api", text: string, candidates: readonly string[]) => {
    for (const path of candidates) {
      const hits = lookup(path);
      if (hits.length === 0) continue;
      for (const hit of hits) {
        touch(hit.module, hit.areas, { kind, text, path }, kind === "path" ? `path\0${path}` : `api\0${text}`);
      }
      return;
    }
  };

  const seen = new Set<string>();
  const firstSighting = (candidate: string): boolean => {
    if (seen.has(candidate) || seen.size >= MAX_CANDIDATES) return false;
    seen.add(candidate);
    return true;
  };

  const text = issueText(input.title, input.body);
  // URLs are read for GitHub file links only, then blanked: their hosts and paths say nothing.
  const prose = text.replace(URL_RE, (url) => {
    if (firstSighting(`url\0${url}`)) touchPath("path", url, repoPathsFromUrl(url, input.repository));
    return " ";
  });

  for (const [token] of prose.matchAll(TOKEN_RE)) {
    if (seen.size >= MAX_CANDIDATES) break;
    if (token.includes("/") || token.includes("\\")) {
      if (!firstSighting(`path\0${token}`)) continue;
      const path = repoPathFromToken(token);
      if (!path) continue;
      touchPath("path", trimToken(token), pathCandidates(path));
      continue;
    }
    if (!token.includes("torch.")) continue;
    for (const [name] of token.matchAll(API_RE)) {
      if (firstSighting(`api\0${name}`)) touchPath("api", name, apiCandidatePaths(name));
    }
  }

  const words = new Set((prose.toLowerCase().match(/\w+/g) ?? []) as string[]);
  for (const rule of keywordRules(router)) {
    const found = rule.word !== undefined ? words.has(rule.word) : rule.words.every((w) => words.has(w)) && rule.regex!.test(prose);
    if (found) touch(rule.module, rule.area >= 0 ? [rule.area] : [], { kind: "keyword", text: rule.keyword }, `keyword\0${rule.keyword.toLowerCase()}`);
  }

  const labels: string[] = [];
  const modules: IssueModule[] = [...touched.keys()]
    .sort((a, b) => a - b)
    .map((i) => {
      const spec = router.modules[i]!.spec;
      const t = touched.get(i)!;
      const areaIdx = [...t.areas].sort((a, b) => a - b);
      const moduleLabels: string[] = [];
      if (spec.label) moduleLabels.push(spec.label);
      for (const a of areaIdx) {
        const l = spec.areas[a]!.label;
        if (!moduleLabels.includes(l)) moduleLabels.push(l);
      }
      for (const l of moduleLabels) if (!labels.includes(l)) labels.push(l);
      return {
        name: spec.name,
        labels: moduleLabels,
        areas: areaIdx.map((a) => spec.areas[a]!.name),
        evidence: t.evidence,
        maintainers: activeMaintainers(router, i),
      };
    });
  return { labels, modules };
}

function activeMaintainers(router: Router, module: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of router.modules[module]!.maintainers) {
    if (m.emeritus || seen.has(loginKey(m.login))) continue;
    seen.add(loginKey(m.login));
    out.push(m.login);
  }
  return out;
}
