// routeIssue(): an issue's title and body in, its labels out, each with the evidence behind it.
// An issue has no changed files, so the modules come from what its text mentions: file paths
// (tracebacks, build errors, GitHub links), dotted API names (`torch.nn.Linear`) and the
// configuration's keywords. Where a mention stands counts as much as what it names: the title,
// an error message and the frame that raised are strong evidence; the API names every repro
// snippet uses are weak. Each label's score is the weighted sum of its evidence (the `triage:`
// settings); a label is added when its score reaches the threshold. Pure, no I/O.

import type { TriageSettings, TriageSignal } from "./config.js";
import { loginKey } from "./registry.js";
import { labelsOf } from "./route.js";
import { matchPath, repositoryOwners, type PathMatch, type Router } from "./router.js";

export interface IssueInput {
  repository: string;
  title: string;
  body: string;
}

export interface IssueEvidence {
  signal: TriageSignal;
  kind: "path" | "api" | "keyword";
  text: string;
  /** the repo-relative path that was matched, for path and api evidence */
  path?: string;
  weight: number;
}

export interface LabelScore {
  label: string;
  score: number;
  added: boolean;
  /** The score this label needs (its triage.label_thresholds entry, else triage.threshold). */
  threshold: number;
  /** Why a label with evidence was not added. */
  dropped?: DropReason;
  /** The label whose queue took the issue (dropped "yields to another label"; triage.yields_to). */
  yieldedTo?: string;
  evidence: IssueEvidence[];
}

/**
 * Why a label with evidence was not added: its score is under its threshold; it is only named in passing
 * (another label has the issue's subject, this one has none and is under passing_threshold); it is a
 * sub-label (module: inductor beside oncall: pt2) with only frames and code behind it; it is a broad label
 * (triage.broad_labels) beside a label that is not, under broad_label_threshold; it is a capped label under
 * second_label_share of the first capped label's score; it yields to another label added with the issue's
 * subject (triage.yields_to); or it is past the cap.
 */
export type DropReason =
  | "below threshold"
  | "a passing mention"
  | "no evidence of its own"
  | "a broad label beside a specific one"
  | "far below the first label"
  | "yields to another label"
  | "a title keyword beside another label"
  | "over the cap";

export interface IssueModule {
  name: string;
  /** The labels added for this module (its own, its areas', and their extra labels). */
  labels: string[];
  areas: string[];
  /** Evidence for the labels added; empty when the module owns the issue's repository whole. */
  evidence: IssueEvidence[];
  /** One line: each added label and its strongest evidence, for logs and the cc comment. */
  why: string;
  /** active (non-emeritus) maintainers, for an optional cc comment */
  maintainers: string[];
}

export interface IssueDecision {
  labels: string[];
  /** Modules with at least one label added, in configuration order. */
  modules: IssueModule[];
  /** Every label that had evidence, added or not, best score first. */
  scores: LabelScore[];
}

/** Only this much of title + body is read, so a huge body costs no more than a long one. */
export const MAX_ISSUE_TEXT = 65_536;
/** Most distinct paths, URLs and API names looked up per issue. */
export const MAX_CANDIDATES = 2_000;
/** Longer tokens are not paths anyone typed or pasted. */
const MAX_TOKEN_LENGTH = 1_000;
/** Dotted names deeper than this are cut; no PyTorch module is nested deeper. */
const MAX_API_SEGMENTS = 6;

// Scheme URLs, www. hosts and scheme-less GitHub links; `)` and `]` end a URL so Markdown links work.
// The scheme is bounded: an unbounded `[a-z0-9+.-]*` rescans "a.a.a.a..." from every word (quadratic).
const URL_RE = /\b(?:[a-z][a-z0-9+.-]{0,19}:\/\/|www\.|github\.com\/|raw\.githubusercontent\.com\/)[^\s<>"'`)\]]+/gi;
const GITHUB_FILE_RE = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([\w.-]+)\/([\w.-]+)\/(?:blob|tree)\/([^?#]+)/i;
const GITHUB_RAW_RE = /^(?:https?:\/\/)?raw\.githubusercontent\.com\/([\w.-]+)\/([\w.-]+)\/([^?#]+)/i;
/** Runs of characters that can make up a path, a Windows path or a dotted name. */
const TOKEN_RE = /[\w.~+:\\/-]+/g;
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
  /**
   * Longer keywords of other modules or areas that contain this one ("compiled autograd" holds
   * "autograd"): where only they match, the text names their part, not this keyword's.
   */
  within: KeywordRule[];
  /** Longer dotted keywords under this dotted one (`torch.export.export` under `torch.export`): an API they name is theirs. */
  under: string[];
  /** A title keyword (title_keywords): counted in the title only, as its own signal. */
  titleOnly: boolean;
}

// Routers are built once and kept, so each keeps its compiled keywords for its lifetime.
const keywordCache = new WeakMap<Router, KeywordRule[]>();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileKeyword(module: number, area: number, raw: string, titleOnly: boolean): KeywordRule | undefined {
  const keyword = raw.trim();
  // `*_cuda" not implemented`: a leading * stands for the start of a longer word (a kernel's name), whose own word is unknown.
  const suffix = keyword.startsWith("*");
  const text = suffix ? keyword.slice(1) : keyword;
  if (text === "") return undefined;
  const words = (text.toLowerCase().match(/\w+/g) ?? []).slice(suffix ? 1 : 0) as string[];
  if (!suffix && /^\w+$/.test(text)) return { module, area, keyword, word: text.toLowerCase(), words, within: [], under: [], titleOnly };
  // Word boundaries only where the keyword itself starts or ends with a word character:
  // `\bc\+\+\b` would never match "c++ " because there is no boundary after "+".
  const start = suffix ? "\\w" : /^\w/.test(text) ? "\\b" : "";
  const end = /\w$/.test(text) ? "\\b" : "";
  const body = escapeRegex(text).replace(/\s+/g, "\\s+");
  return { module, area, keyword, regex: new RegExp(start + body + end, "i"), words, within: [], under: [], titleOnly };
}

/** Whether a keyword's own text holds another keyword (as words, where `inner` would match in prose). */
function holds(outer: KeywordRule, inner: KeywordRule): boolean {
  if (outer.keyword.toLowerCase() === inner.keyword.toLowerCase()) return false;
  if (outer.module === inner.module && outer.area === inner.area) return false;
  return inner.word !== undefined ? outer.words.includes(inner.word) : inner.regex!.test(outer.keyword);
}

// Per router: the one-word keywords and the modules or areas they name (see apiNameOwners).
const apiOwnerCache = new WeakMap<Router, Map<string, Target[]>>();

/** The one-word keywords, lowercased, and the modules or areas each names: an API named so is theirs. */
function apiNameOwners(router: Router): Map<string, Target[]> {
  let owners = apiOwnerCache.get(router);
  if (owners) return owners;
  owners = new Map();
  for (const rule of keywordRules(router)) {
    if (rule.word === undefined) continue;
    const list = owners.get(rule.word) ?? [];
    list.push({ module: rule.module, area: rule.area });
    owners.set(rule.word, list);
  }
  apiOwnerCache.set(router, owners);
  return owners;
}

function keywordRules(router: Router): KeywordRule[] {
  let rules = keywordCache.get(router);
  if (rules) return rules;
  rules = [];
  const add = (module: number, area: number, keywords: readonly string[], titleOnly: boolean) => {
    for (const k of keywords) {
      const rule = compileKeyword(module, area, k, titleOnly);
      if (rule) rules!.push(rule);
    }
  };
  router.modules.forEach(({ spec }, module) => {
    add(module, -1, spec.keywords, false);
    add(module, -1, spec.titleKeywords, true);
    spec.areas.forEach((area, a) => {
      add(module, a, area.keywords, false);
      add(module, a, area.titleKeywords, true);
    });
  });
  // Quadratic in the configuration's keywords, once per router; nothing per issue.
  for (const inner of rules) inner.within = rules.filter((outer) => holds(outer, inner));
  for (const inner of rules.filter((r) => r.keyword.includes("."))) {
    const k = `${inner.keyword.toLowerCase()}.`;
    inner.under = rules.map((r) => r.keyword.toLowerCase()).filter((outer) => outer.startsWith(k));
  }
  keywordCache.set(router, rules);
  return rules;
}

/** A line of the issue as read: the title, prose, or a line of fenced code block `block`. */
export interface IssueLine {
  text: string;
  /** -2 for the title, -1 for prose, else the index of the fenced code block the line is in. */
  block: number;
}

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE_RE = /^ {0,3}(`{3,}|~{3,})\s*$/;

/**
 * The part of the issue that speaks for itself, line by line: title and body, cut to
 * MAX_ISSUE_TEXT, without HTML comments (issue templates), quoted lines (usually another issue's
 * words), lines starting with one of `settings.ignoreLinePrefixes`, and environment reports.
 * Fenced code is kept verbatim (fence lines excluded); lines starting `>>>` are Python prompts, not quotes.
 * An environment report (PyTorch's collect_env output, pasted by the bug template into nearly
 * every issue) names ROCm, MIOpen, NCCL, ONNX... whatever the issue is about, so it is dropped
 * from a line starting with one of `settings.envReportStarts` up to the end of its code block or the next heading.
 */
type ReadSettings = Pick<TriageSettings, "envReportStarts" | "ignoreLinePrefixes">;

export function issueLines(title: string, body: string, settings: ReadSettings): IssueLine[] {
  const text = `${title}\n${body}`.slice(0, MAX_ISSUE_TEXT);
  const rawLines = text.split(/\r?\n/);
  const kept: IssueLine[] = [{ text: rawLines[0]!, block: -2 }];
  let fence: { char: string; length: number } | undefined;
  let blocks = 0;
  let inComment = false;
  let envReport = false;
  const startsWith = (line: string, prefixes: readonly string[]) => {
    const t = line.trimStart();
    return prefixes.some((p) => t.startsWith(p));
  };
  for (let n = 1; n < rawLines.length; n++) {
    let line = rawLines[n]!;
    if (!envReport && startsWith(line, settings.envReportStarts)) envReport = true;
    if (envReport) {
      const closesFence = fence && FENCE_CLOSE_RE.test(line);
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
      const close = FENCE_CLOSE_RE.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
      else if (!startsWith(line, settings.ignoreLinePrefixes)) kept.push({ text: line, block: blocks - 1 });
      continue;
    }
    if (/^ {0,3}>/.test(line) && !/^ {0,3}>>>(?:\s|$)/.test(line)) continue;
    const open = FENCE_RE.exec(line);
    if (open) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      blocks++;
      continue;
    }
    line = stripComments(line, () => (inComment = true));
    if (!startsWith(line, settings.ignoreLinePrefixes)) kept.push({ text: line, block: /^ {0,3}>>>(?:\s|$)/.test(line) ? blocks++ : -1 });
  }
  return kept;
}

/** The lines issueLines keeps, joined: what the labeller reads. */
export function issueText(title: string, body: string, settings: ReadSettings): string {
  return issueLines(title, body, settings)
    .map((l) => l.text)
    .join("\n");
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
function plausibleRepoPath(path: string, repoDirs: ReadonlySet<string>): string | undefined {
  const p = path.replace(/\/+$/, "");
  const segments = p.split("/");
  if (segments.length < 2) return undefined;
  if (!segments.every((s) => SEGMENT_RE.test(s) && s !== "." && s !== "..")) return undefined;
  if (!FILE_NAME_RE.test(segments[segments.length - 1]!) && !repoDirs.has(segments[0]!)) return undefined;
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
export function repoPathFromToken(token: string, repoDirs: ReadonlySet<string>): string | undefined {
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
    return plausibleRepoPath(p.slice(installed + "site-packages/".length), repoDirs);
  }
  if (ABSOLUTE_RE.test(p)) {
    const segments = p.split("/");
    for (let i = segments.length - 2; i >= 1; i--) {
      if (repoDirs.has(segments[i]!)) return plausibleRepoPath(segments.slice(i).join("/"), repoDirs);
    }
    return undefined;
  }
  p = p.replace(/^(?:\.{1,2}\/)+/, "");
  const first = p.slice(0, p.indexOf("/"));
  // `example.com/torch/nn.py` is a host and its path, not a file of the repository.
  if (HOST_RE.test(first)) return undefined;
  return plausibleRepoPath(p, repoDirs);
}

/**
 * Candidate paths for a GitHub file link into `repository`, best first. A ref may itself contain
 * slashes (`release/2.1`), so the path may start one or more segments later than the first.
 */
export function repoPathsFromUrl(url: string, repository: string, repoDirs: ReadonlySet<string>): string[] {
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
    const path = plausibleRepoPath(segments.slice(skip).join("/"), repoDirs);
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
  // `pkg.a.b` may live in pkg/a/b.py, pkg/a/b/__init__.py, pkg/a.py, ...: the deepest that exists wins.
  const parts = name.split(".").slice(0, MAX_API_SEGMENTS);
  const out: string[] = [];
  for (let n = parts.length; n >= 2; n--) {
    const dir = parts.slice(0, n).join("/");
    out.push(`${dir}.py`, `${dir}/__init__.py`);
  }
  return out;
}

// ---------------------------------------------------------------- reading: mentions and where they stand

/** `File "path", line N` of a Python traceback. */
const FRAME_RE = /^\s*File "([^"]{1,1000})", line \d+/;
/** The C++ side of an error: the source location that threw. */
const CPP_RAISE_RE = /Exception raised from \S+ at (\S+?)(?::\d+)? \(/;
const TRACEBACK_START_RE = /^\s*Traceback \(most recent call last\)/;
/**
 * A line of a native backtrace: gdb (`#3  0x7f.. in dnnl::impl::...`), lldb (`frame #3: libtorch_cpu.so ...`),
 * Android's tombstone (`#41 pc 0011593c  /data/app/.../libpytorch_jni.so`), Windows (`00007FF..00007FF.. c10.dll!c10::Error`).
 */
const NATIVE_FRAME_RE = /^\s*(?:#\d{1,4}\s|frame #\d{1,4}:|[0-9A-Fa-f]{16,32}\s+[\w.-]{1,100}\.(?:dll|so|dylib)!)/;
/**
 * An exception line: `RuntimeError: ...`, `torch._dynamo.exc.Unsupported: ...`, C++ `what():  ...`.
 * The class name is bounded, so a long dotted run is not rescanned from each of its dots.
 */
const ERROR_LINE_RE = new RegExp(
  "^\\s*(?:E\\s+)?((?:[A-Za-z_]\\w{0,40}\\.){0,8}[A-Z]\\w{0,60}" +
    "(?:Error|Exception|Warning|Failed|Unsupported|Interrupt|Exit))(?::\\s|:$|$)" +
    "|^\\s*what\\(\\):\\s",
);

/** A piece of text the labeller found, and the signal its place gives it. */
interface Mention {
  signal: TriageSignal;
  kind: "path" | "api" | "keyword";
  text: string;
  /** Repository paths to try, best first (path and api mentions). */
  candidates: string[];
}

/** What one issue says, by signal: mentions to resolve, and per-signal text for keywords. */
interface Reading {
  mentions: Mention[];
  /** The words (outside paths and dotted names) and the text they came from, per signal. */
  prose: Map<TriageSignal, string[]>;
  /** API names per signal, for dotted keywords like `torch.compile`. */
  apis: Map<TriageSignal, string[]>;
}

class Reader {
  readonly mentions: Mention[] = [];
  readonly prose = new Map<TriageSignal, string[]>();
  readonly apis = new Map<TriageSignal, string[]>();
  private readonly seen = new Set<string>();
  private readonly apiRe: RegExp | undefined;
  readonly repoDirs: ReadonlySet<string>;

  constructor(
    readonly settings: TriageSettings,
    readonly repository: string,
  ) {
    this.repoDirs = new Set(settings.repoDirs);
    // Dotted names under a configured package or alias, not inside a longer dotted name or a path.
    const prefixes = [...settings.apiPrefixes, ...Object.keys(settings.apiAliases)].map(escapeRegex).join("|");
    this.apiRe = prefixes ? new RegExp(`(?<![\\w./\\\\])(?:${prefixes})(?:\\.[A-Za-z_]\\w*)+`, "g") : undefined;
  }

  private add(m: Mention): void {
    // A path counts once per place however it was written (`/x/site-packages/torch/a.py`, `torch/a.py`).
    const key = `${m.signal}\0${m.kind}\0${m.kind === "path" ? m.candidates.join("\0") : m.text}`;
    if (this.seen.has(key) || this.seen.size >= MAX_CANDIDATES) return;
    this.seen.add(key);
    this.mentions.push(m);
  }

  private push(map: Map<TriageSignal, string[]>, signal: TriageSignal, text: string): void {
    const list = map.get(signal);
    if (list) list.push(text);
    else map.set(signal, [text]);
  }

  /** A repository path for a frame, or undefined for frames outside the repository's own directories. */
  framePath(raw: string): string | undefined {
    const path = repoPathFromToken(raw, this.repoDirs);
    return path && this.repoDirs.has(path.slice(0, path.indexOf("/"))) ? path : undefined;
  }

  path(signal: TriageSignal, text: string, path: string): void {
    this.add({ signal, kind: "path", text, candidates: pathCandidates(path) });
  }

  /** Several files `text` may stand for, best first: the first that a module owns counts. */
  candidates(signal: TriageSignal, text: string, candidates: string[]): void {
    this.add({ signal, kind: "path", text, candidates });
  }

  /** Read a piece of free text: links, paths and API names are mentions; the rest is words for keywords. */
  text(signal: TriageSignal, line: string, pathSignal: TriageSignal = signal, apiSignal: TriageSignal = signal): void {
    const rest = line.replace(URL_RE, (url) => {
      const candidates = repoPathsFromUrl(url, this.repository, this.repoDirs);
      if (candidates.length > 0) this.add({ signal: pathSignal, kind: "path", text: url, candidates });
      return " ";
    });
    const words = rest.replace(TOKEN_RE, (token) => {
      if (token.includes("/") || token.includes("\\")) {
        const path = repoPathFromToken(token, this.repoDirs);
        if (path) this.path(pathSignal, trimToken(token), path);
        return " "; // no keyword inside a path: a conda env named "onnx", a library's profiler/ folder
      }
      if (!this.apiRe || !token.includes(".")) return token;
      let segments = "";
      for (const [written] of token.matchAll(this.apiRe)) {
        const dot = written.indexOf(".");
        const alias = this.settings.apiAliases[written.slice(0, dot)];
        const name = alias ? alias + written.slice(dot) : written;
        this.add({ signal: apiSignal, kind: "api", text: written, candidates: apiCandidatePaths(name) });
        this.push(this.apis, signal, name);
        segments += ` ${name.split(".").slice(1).join(" ")}`;
      }
      // A keyword may be one of the name's parts (`DataLoader` in torch.utils.data.DataLoader); not its package.
      return segments === "" ? token : `${segments} `;
    });
    this.push(this.prose, signal, words);
  }

  reading(): Reading {
    return { mentions: this.mentions, prose: this.prose, apis: this.apis };
  }
}

/** Code blocks that are build logs: compiler output names every file it builds, so its paths say little. */
function logBlocks(lines: readonly IssueLine[], markers: readonly string[]): Set<number> {
  const out = new Set<number>();
  if (markers.length === 0) return out;
  for (const l of lines) if (l.block >= 0 && !out.has(l.block) && markers.some((m) => l.text.includes(m))) out.add(l.block);
  return out;
}

/** Step 1: read the issue's lines, giving each mention the signal of the place it stands in. */
function readIssue(lines: readonly IssueLine[], reader: Reader): void {
  const { settings } = reader;
  const logs = logBlocks(lines, settings.buildLogMarkers);
  // Frames of the current traceback, outermost first; flushed at the next traceback or the end.
  let frames: { raw: string; path: string }[] = [];
  const flush = () => {
    const passthrough = (p: string) => settings.passthroughFrames.some((f) => (f.endsWith("/") ? p.startsWith(f) : p === f));
    let inner = -1;
    for (let i = frames.length - 1; i >= 0 && inner < 0; i--) if (!passthrough(frames[i]!.path)) inner = i;
    frames.forEach((f, i) => reader.path(i === inner ? "frame_innermost" : "frame_outer", f.raw, f.path));
    frames = [];
  };
  for (const line of lines) {
    const text = line.text;
    if (line.block === -2) {
      reader.text("title", text);
      continue;
    }
    if (logs.has(line.block)) {
      reader.text("log_keyword", text, "log_path", "code_api");
      continue;
    }
    if (TRACEBACK_START_RE.test(text)) {
      flush();
      continue;
    }
    const frame = FRAME_RE.exec(text);
    if (frame) {
      const path = reader.framePath(frame[1]!);
      if (path) frames.push({ raw: frame[1]!, path });
      continue;
    }
    const cpp = CPP_RAISE_RE.exec(text);
    if (cpp) {
      const path = reader.framePath(cpp[1]!);
      if (path) reader.path("frame_innermost", cpp[1]!, path);
      continue;
    }
    const error = ERROR_LINE_RE.exec(text);
    if (error) {
      const type = error[1] ?? "";
      // The qualified class often names a wrapper (torch._dynamo.exc.BackendCompilerFailed): weak. Its own
      // name (UnsupportedOperatorException) and the message are the error.
      if (type.includes(".")) reader.text("exception_type", type);
      reader.text("error", `${type.slice(type.lastIndexOf(".") + 1)} ${text.slice(text.indexOf(type) + type.length)}`);
      continue;
    }
    // A crash's native frames name the library code that failed (dnnl::, c10::cuda::): its keywords say what broke.
    if (line.block >= 0 && NATIVE_FRAME_RE.test(text)) reader.text("native_frame", text);
    else if (line.block >= 0) reader.text("code_keyword", text, "code_path", "code_api");
    else reader.text("prose_keyword", text, "prose_path", "prose_api");
  }
  flush();
}

/** Split `TestNNDeviceTypeCUDA` into ["NN", "Device", "Type", "CUDA"]. */
function camelWords(name: string): string[] {
  return name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [];
}

/**
 * Step 1 for an automatically filed disabled-test issue (`DISABLED test_x (__main__.TestFoo)`):
 * the test's file and class are what it is about. A dotted module names the file; a class
 * `TestFooBarCUDA` is looked up as test_foo_bar.py, then test_foo.py; the words of the class
 * are read as keywords; a file path in the body is taken relative to the tests' directory.
 */
function readDisabledTest(title: string, lines: readonly IssueLine[], reader: Reader): boolean {
  const { settings } = reader;
  const prefix = settings.disabledTestPrefix;
  if (!prefix || !title.startsWith(prefix)) return false;
  const m = /^\s*:?\s*(\w+)\s+\(([\w.]{1,300})\)/.exec(title.slice(prefix.length));
  if (!m) return false;
  const dotted = m[2]!.split(".");
  const cls = dotted.pop()!;
  const dir = settings.testDir ? `${settings.testDir}/` : "";
  if (dotted.length > 0 && dotted[0] !== "__main__") reader.path("disabled_test", m[2]!, `${dir}${dotted.join("/")}.py`);
  const words = camelWords(cls.replace(/^Test/, "").replace(/(?:CPU|CUDA|XPU|MPS|HPU|Meta|PrivateUse1)$/, ""));
  const candidates = words.map(
    (_, i) =>
      `${dir}test_${words
        .slice(0, words.length - i)
        .join("_")
        .toLowerCase()}.py`,
  );
  reader.candidates("disabled_test", cls, candidates);
  reader.text("disabled_test", words.join(" "));
  for (const line of lines) {
    if (line.block === -2) continue;
    for (const [file] of line.text.matchAll(/[\w/.-]{1,300}\.py\b/g)) {
      // `test_nn.py`, `inductor/test_x.py` (relative to the tests' directory), or a test file's full path;
      // never another file a pasted sample error names.
      const relative = file.replace(/^(?:\.\/)+/, "");
      let path: string | undefined = relative.startsWith(dir) ? relative : `${dir}${relative}`;
      if (file.startsWith("/")) path = repoPathFromToken(file, reader.repoDirs);
      if (path?.startsWith(dir)) reader.path("disabled_test", file, path);
    }
  }
  return true;
}

// ---------------------------------------------------------------- resolving: mentions to labels

/** Where a piece of evidence points: a module's own labels, or one of its areas'. */
interface Target {
  module: number;
  /** Area index, or -1 for the module itself. */
  area: number;
}

interface Found {
  target: Target;
  evidence: IssueEvidence;
}

/**
 * Step 2: what each mention and keyword points at. A path inside an area counts for the area
 * only: its module's own label needs evidence of its own (a path no area claims, a module keyword).
 */
function resolve(router: Router, repository: string, reading: Reading): Found[] {
  const weights = router.config.triage.weights;
  const found: Found[] = [];
  const cache = new Map<string, PathMatch[]>();
  const lookup = (path: string) => {
    let hits = cache.get(path);
    if (!hits) {
      hits = matchPath(router, repository, path);
      cache.set(path, hits);
    }
    return hits;
  };
  // An API named for a keyword of another part of the same module (`torch._inductor.aoti_compile_and_package`:
  // AOTInductor's entry point, defined in inductor's package) is that part's: the parts of one module share
  // packages, so neither the file nor the package prefix (`torch._export.aot_compile`) says which part it is.
  // Another module's keyword leaves it alone.
  const namedFor = apiNameOwners(router);
  const lastPart = (api: string) => api.slice(api.lastIndexOf(".") + 1).toLowerCase();
  const ownersOf = (api: string) => namedFor.get(lastPart(api));
  const countsFor = (owners: readonly Target[] | undefined, t: Target) =>
    !owners?.some((o) => o.module === t.module) || owners.some((o) => o.module === t.module && o.area === t.area);
  for (const m of reading.mentions) {
    for (const path of m.candidates) {
      const hits = lookup(path);
      if (hits.length === 0) continue;
      const evidence: IssueEvidence = { signal: m.signal, kind: m.kind, text: m.text, path, weight: weights[m.signal] };
      for (const hit of hits) {
        for (const area of hit.areas.length === 0 ? [-1] : hit.areas) {
          if (m.kind !== "api" || countsFor(ownersOf(m.text), { module: hit.module, area }))
            found.push({ target: { module: hit.module, area }, evidence });
        }
      }
      break;
    }
  }
  // Per signal, whether any API name is named for a keyword; most issues' are not, and keep their list as it is.
  const anyOwned = new Map<TriageSignal, boolean>();
  for (const [where, all] of reading.apis) {
    anyOwned.set(
      where,
      all.some((api) => namedFor.has(lastPart(api))),
    );
  }
  for (const rule of keywordRules(router)) {
    for (const [where, texts] of reading.prose) {
      if (rule.titleOnly && where !== "title") continue;
      // Only a dotted keyword is looked up among the API names (keywordIn).
      const all = rule.keyword.includes(".") ? (reading.apis.get(where) ?? []) : [];
      const apis = anyOwned.get(where) ? all.filter((api) => countsFor(ownersOf(api), rule)) : all;
      const how = keywordIn(rule, texts, apis);
      if (!how) continue;
      // A title keyword is its own signal. An entry point called in a repro (`torch.compile(model)`) says what the issue
      // exercises; other code does not.
      let signal: TriageSignal = where;
      if (rule.titleOnly) signal = "title_keyword";
      else if (how === "api" && where === "code_keyword") signal = "code_entry_point";
      const evidence: IssueEvidence = { signal, kind: "keyword", text: rule.keyword, weight: weights[signal] };
      found.push({ target: { module: rule.module, area: rule.area }, evidence });
    }
  }
  return found;
}

// The words of one signal's texts, computed once per issue (see keywordIn).
const wordSets = new WeakMap<readonly string[], Set<string>>();
const joined = new WeakMap<readonly string[], string>();

/** Whether a keyword is in one signal's texts: as a dotted API name ("api"), as words ("words"), or not (false). */
function keywordIn(rule: KeywordRule, texts: readonly string[], apis: readonly string[]): "api" | "words" | false {
  if (rule.keyword.includes(".")) {
    // `torch.compile` is a dotted name: it names `torch.compile(...)` and `torch.compile.x`, not prose.
    // One call is one clue: `torch.export.export(...)` names the keyword `torch.export.export`, not `torch.export` too.
    const names = (a: string, k: string) => a === k || a.startsWith(`${k}.`);
    const k = rule.keyword.toLowerCase();
    if (apis.some((a) => names(a.toLowerCase(), k) && !rule.under.some((u) => names(a.toLowerCase(), u)))) return "api";
  }
  let words = wordSets.get(texts);
  if (!words) {
    words = new Set((texts.join("\n").toLowerCase().match(/\w+/g) ?? []) as string[]);
    wordSets.set(texts, words);
  }
  if (rule.word !== undefined ? !words.has(rule.word) : !rule.words.every((w) => words.has(w))) return false;
  let text = joined.get(texts);
  if (text === undefined) {
    text = texts.join("\n");
    joined.set(texts, text);
  }
  if (rule.regex && !rule.regex.test(text)) return false;
  const outers = rule.within.filter((outer) => keywordIn(outer, texts, []) === "words");
  if (outers.length === 0) return "words";
  // Only the longer keywords' own words left: "compiled autograd" is not a mention of autograd.
  const rest = outers.reduce((t, outer) => t.replace(new RegExp(outer.regex!.source, "gi"), " "), text);
  return (rule.word !== undefined ? new RegExp(`\\b${rule.word}\\b`, "i") : rule.regex!).test(rest) && "words";
}

function targetLabels(router: Router, t: Target): string[] {
  return labelsOf(router.modules[t.module]!.spec, t.area < 0, t.area < 0 ? [] : [t.area]);
}

/**
 * Step 3: score every label. Per signal, the first distinct piece of evidence counts its full
 * weight and each further one `repeatFactor` of it, at most two more; the signals add up.
 */
interface Scored {
  label: string;
  score: number;
  /** Configuration order of the first module or area giving the label: breaks ties. */
  order: number;
  evidence: IssueEvidence[];
}

function scoreLabels(router: Router, found: readonly Found[]): Scored[] {
  const { weights, repeatFactor } = router.config.triage;
  const perLabel = new Map<string, { order: number; evidence: IssueEvidence[]; keys: Set<string> }>();
  for (const f of found) {
    const order = f.target.module * 1000 + f.target.area + 1;
    for (const label of targetLabels(router, f.target)) {
      let entry = perLabel.get(label);
      if (!entry) {
        entry = { order, evidence: [], keys: new Set() };
        perLabel.set(label, entry);
      }
      entry.order = Math.min(entry.order, order);
      const key = `${f.evidence.signal}\0${f.evidence.kind === "keyword" ? f.evidence.text.toLowerCase() : f.evidence.text}`;
      if (entry.keys.has(key)) continue;
      entry.keys.add(key);
      entry.evidence.push(f.evidence);
    }
  }
  return [...perLabel].map(([label, { order, evidence }]) => {
    evidence.sort((a, b) => b.weight - a.weight);
    return { label, score: scoreOf(evidence, weights, repeatFactor), order, evidence };
  });
}

/** The weighted sum of some evidence: per signal, the full weight once and repeatFactor of it for each further one (two at most). */
function scoreOf(evidence: readonly IssueEvidence[], weights: TriageSettings["weights"], repeatFactor: number): number {
  const counts = new Map<TriageSignal, number>();
  for (const e of evidence) counts.set(e.signal, (counts.get(e.signal) ?? 0) + 1);
  let score = 0;
  for (const [signal, n] of counts) score += weights[signal] * (1 + repeatFactor * Math.min(n - 1, 2));
  return Math.round(score * 100) / 100;
}

/** What decide() needs to know of the configuration's labels, computed once per router. */
interface LabelRules {
  /** Labels with their own threshold (triage.label_thresholds). */
  thresholds: Map<string, number>;
  /** Labels that come with extra labels: module: inductor (with oncall: pt2), module: android (with oncall: mobile). */
  subLabels: Set<string>;
  /** triage.broad_labels */
  broad: Set<string>;
  /** The modules whose own or area label each label is. */
  modulesOf: Map<string, Set<number>>;
  /** Per label, the labels it yields to (triage.yields_to). */
  yieldsTo: Map<string, string[]>;
}

const labelRulesCache = new WeakMap<Router, LabelRules>();

function labelRules(router: Router): LabelRules {
  let rules = labelRulesCache.get(router);
  if (rules) return rules;
  rules = {
    thresholds: new Map(),
    subLabels: new Set(),
    broad: new Set(router.config.triage.broadLabels),
    modulesOf: new Map(),
    yieldsTo: new Map(),
  };
  for (const { to, labels } of router.config.triage.yieldsTo)
    for (const l of labels) rules.yieldsTo.set(l, [...(rules.yieldsTo.get(l) ?? []), to]);
  const modulesOf = rules.modulesOf;
  router.modules.forEach(({ spec }, i) => {
    for (const l of [spec.label, ...spec.areas.map((a) => a.label)]) {
      if (l) modulesOf.set(l, (modulesOf.get(l) ?? new Set()).add(i));
    }
  });
  for (const { spec } of router.modules) {
    if (spec.label && spec.extraLabels.length > 0) rules.subLabels.add(spec.label);
    for (const area of spec.areas) if (area.extraLabels.length > 0) rules.subLabels.add(area.label);
  }
  for (const { label, threshold } of router.config.triage.labelThresholds) rules.thresholds.set(label, threshold);
  labelRulesCache.set(router, rules);
  return rules;
}

/** Where a mention says what the issue is about, rather than what it passes through or uses. */
const SUBJECT_SIGNALS: ReadonlySet<TriageSignal> = new Set([
  "title",
  "error",
  "frame_innermost",
  "native_frame",
  "log_keyword",
  "disabled_test",
]);
/** Evidence that names a part itself; frames, exception classes and code only show the path a call took. */
const OWN_SIGNALS: ReadonlySet<TriageSignal> = new Set([
  "title",
  "error",
  "prose_path",
  "prose_api",
  "prose_keyword",
  "code_entry_point",
  "log_keyword",
  "native_frame",
  "disabled_test",
  "title_keyword",
]);

/**
 * Step 4: keep labels that reach their threshold, that are not only named in passing beside the
 * issue's subject, and, for a sub-label, that have evidence of their own; a broad label beside a
 * specific one needs broad_label_threshold; of the capped kind, each after the first needs
 * second_label_share of the first one's score, and only the best `maxModuleLabels` are kept.
 */
function decide(router: Router, scored: readonly Scored[]): LabelScore[] {
  const { threshold, maxModuleLabels, uncappedPrefixes, passingThreshold, subLabelsNeedOwnEvidence, weights, repeatFactor } =
    router.config.triage;
  const { broadLabelThreshold, secondLabelShare } = router.config.triage;
  const rules = labelRules(router);
  const thresholdOf = (label: string) => rules.thresholds.get(label) ?? threshold;
  const named = (evidence: readonly IssueEvidence[], signals: ReadonlySet<TriageSignal>) => evidence.some((e) => signals.has(e.signal));
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.order - b.order);
  const subjectKnown = ranked.some((s) => s.score >= thresholdOf(s.label) && named(s.evidence, SUBJECT_SIGNALS));
  // A sub-label's own evidence must reach its threshold by itself: the frames its area's label shares do not count.
  const scoreWhere = (evidence: readonly IssueEvidence[], keep: (e: IssueEvidence) => boolean) =>
    scoreOf(evidence.filter(keep), weights, repeatFactor);
  const ownScore = (evidence: readonly IssueEvidence[]) => scoreWhere(evidence, (e) => OWN_SIGNALS.has(e.signal));
  const evidenceRule = ({ label, score, evidence }: Scored): DropReason | undefined => {
    if (score < thresholdOf(label)) return "below threshold";
    if (subjectKnown && score < passingThreshold && !named(evidence, SUBJECT_SIGNALS)) return "a passing mention";
    if (subLabelsNeedOwnEvidence && rules.subLabels.has(label) && ownScore(evidence) < thresholdOf(label)) return "no evidence of its own";
    return undefined;
  };
  const verdicts = ranked.map((s) => evidenceRule(s));
  // A title keyword names a module only where nothing else is named: a label that needs one to reach its threshold is
  // dropped beside any label that does not.
  const onTitleKeyword = ranked.map(
    ({ label, evidence }) =>
      evidence.some((e) => e.signal === "title_keyword") && scoreWhere(evidence, (e) => e.signal !== "title_keyword") < thresholdOf(label),
  );
  const namedOtherwise = ranked.some((_, i) => verdicts[i] === undefined && !onTitleKeyword[i]);
  // Code nearly every report runs through (nn layers, autograd, CUDA) is named beside the subject: beside a specific label of
  // another module, it needs more. With a part of its own module (module: fsdp of oncall: distributed), it is that part's area.
  const sameModule = (a: string, b: string) => [...(rules.modulesOf.get(a) ?? [])].some((m) => rules.modulesOf.get(b)?.has(m));
  const specific = ranked.filter((s, i) => verdicts[i] === undefined && !rules.broad.has(s.label)).map((s) => s.label);
  const besideSpecific = (label: string) => specific.some((l) => !sameModule(l, label)) && !specific.some((l) => sameModule(l, label));
  // The labels that pass the evidence rules with the issue's subject behind them: others may yield to them.
  const subjects = new Set(ranked.filter((s, i) => verdicts[i] === undefined && named(s.evidence, SUBJECT_SIGNALS)).map((s) => s.label));
  // A subject that yields to another subject itself is not one to yield to (the second takes the issue).
  const keptSubject = (to: string) => subjects.has(to) && !(rules.yieldsTo.get(to) ?? []).some((t) => subjects.has(t));
  let capped = 0;
  let first = 0;
  return ranked.map(({ label, score, evidence }, i) => {
    const own = thresholdOf(label);
    const drop = (dropped: DropReason, needed = own) => ({ label, score, threshold: needed, added: false, dropped, evidence });
    const verdict = verdicts[i];
    if (verdict) return drop(verdict);
    if (namedOtherwise && onTitleKeyword[i]) return drop("a title keyword beside another label");
    const yieldedTo = rules.yieldsTo.get(label)?.find(keptSubject);
    if (yieldedTo) return { ...drop("yields to another label"), yieldedTo };
    if (rules.broad.has(label) && score < broadLabelThreshold && besideSpecific(label))
      return drop("a broad label beside a specific one", broadLabelThreshold);
    if (!uncappedPrefixes.some((p) => label.startsWith(p))) {
      // The first capped label is the issue's subject; a second one needs evidence of a comparable weight.
      const needed = Math.round(secondLabelShare * first * 100) / 100;
      if (capped > 0 && score < needed) return drop("far below the first label", needed);
      if (capped >= maxModuleLabels) return drop("over the cap");
      if (capped === 0) first = score;
      capped++;
    }
    return { label, score, threshold: own, added: true, evidence };
  });
}

/** Step 5: the modules whose labels were added, with their evidence, for the cc comment and the log. */
function modulesOf(router: Router, found: readonly Found[], scores: readonly LabelScore[]): IssueModule[] {
  const added = new Map(scores.filter((s) => s.added).map((s) => [s.label, s]));
  const out: IssueModule[] = [];
  router.modules.forEach(({ spec }, i) => {
    const targets = found.filter((f) => f.target.module === i && targetLabels(router, f.target).some((l) => added.has(l)));
    if (targets.length === 0) return;
    const own = new Set(targets.flatMap((f) => targetLabels(router, f.target)));
    const labels = [...added.keys()].filter((l) => own.has(l)); // best score first, as in the decision
    const areas = [...new Set(targets.filter((f) => f.target.area >= 0).map((f) => f.target.area))].sort((a, b) => a - b);
    const evidence = [...new Set(targets.map((f) => f.evidence))].sort((a, b) => b.weight - a.weight);
    out.push({
      name: spec.name,
      labels,
      areas: areas.map((a) => spec.areas[a]!.name),
      evidence,
      why: labels.map((l) => `${l} (${added.get(l)!.evidence.slice(0, 2).map(describeEvidence).join("; ")})`).join(", "),
      maintainers: activeMaintainers(router, i),
    });
  });
  return out;
}

const SIGNAL_WORDS: Record<TriageSignal, string> = {
  title: "title",
  error: "error message",
  exception_type: "exception type",
  frame_innermost: "innermost frame",
  frame_outer: "frame",
  prose_path: "path",
  prose_api: "API",
  prose_keyword: "keyword",
  code_path: "path in code",
  code_api: "API in code",
  code_keyword: "keyword in code",
  code_entry_point: "entry point in code",
  log_path: "path in build log",
  log_keyword: "build log",
  disabled_test: "disabled test",
  native_frame: "native frame",
  title_keyword: "title keyword",
};

/** `innermost frame torch/_inductor/lowering.py +3` */
export function describeEvidence(e: IssueEvidence): string {
  const what = e.kind === "path" ? (e.path ?? e.text) : e.kind === "api" ? e.text : `"${e.text}"`;
  return `${SIGNAL_WORDS[e.signal]} ${what} +${e.weight}`;
}

export function routeIssue(router: Router, input: IssueInput): IssueDecision {
  const owners = repositoryOwners(router, input.repository);
  if (owners.length > 0) {
    // The module owns every issue of this repository; its label would be on all of them, so none.
    const modules = owners.map((i) => ({
      name: router.modules[i]!.spec.name,
      labels: [],
      areas: [],
      evidence: [],
      why: "owns the repository",
      maintainers: activeMaintainers(router, i),
    }));
    return { labels: [], modules, scores: [] };
  }
  const settings = router.config.triage;
  const lines = issueLines(input.title, input.body, settings);
  const reader = new Reader(settings, input.repository);
  const disabled = readDisabledTest(input.title, lines, reader);
  // A disabled-test issue's title and body are the bot's template: only the test's file and class count.
  if (!disabled) readIssue(lines, reader);
  const found = resolve(router, input.repository, reader.reading());
  const scores = decide(router, scoreLabels(router, found));
  return { labels: scores.filter((s) => s.added).map((s) => s.label), modules: modulesOf(router, found, scores), scores };
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
