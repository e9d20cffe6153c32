// `review-router codeowners`: who GitHub would ask to review each path under a CODEOWNERS file;
// `codeowners export` writes a CODEOWNERS from the configuration; `codeowners check` lists every
// way a CODEOWNERS and the configuration disagree (a CI drift check).

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { decidingRule, ownersOf, parseCodeowners, type Codeowners } from "../core/codeowners.js";
import { compareCodeowners, exportCodeowners } from "../core/codeowners-export.js";
import { formatProblem } from "../core/problems.js";
import { displayPath, loadRouter } from "../io/files.js";
import { DEFAULT_REPOSITORY, reportLoadError } from "./commands.js";
import { EXIT, usageError, type CliIO } from "./io.js";
import { printable } from "./paths.js";

export const CODEOWNERS_HELP = `Usage: review-router codeowners FILE PATH... [--json]
       review-router codeowners export [--config FILE] [--tree FILE] [-o CODEOWNERS]
       review-router codeowners check [--config FILE] [--tree FILE] CODEOWNERS

With a CODEOWNERS file and paths: the owners GitHub would assign each path and the line that
decided (the last matching line). Paths come from the arguments or standard input.
  --json   print [{"path", "owners", "line"}] (owners [] and line null when unowned)

export: write a CODEOWNERS from the configuration and its registry: active maintainers only,
module labels as "# label:" lines. With the repository's file list (--tree, default: git
ls-files in the current directory), exact-path lines are added where module globs overlap or
exclude, so every listed path gets the configuration's owners.
  -o FILE  write there (default: standard output)

check: exit 1 and list every difference between CODEOWNERS and the configuration: lines GitHub
would skip, emeritus owners still listed, owners who maintain no module, and (with the file list)
each path owned by different people.

Options:
  --config FILE      configuration file (default: the bundled PyTorch configuration)
  --repo OWNER/NAME  repository (default: ${DEFAULT_REPOSITORY})
  --tree FILE        the repository's paths, one per line ("-": none; default: git ls-files)
  -h, --help         show this help
`;

function usage(io: CliIO, message: string): number {
  return usageError(io, "codeowners", message);
}

function readText(file: string, io: CliIO): string | undefined {
  try {
    return readFileSync(resolve(file), "utf8");
  } catch (err) {
    io.stderr(`review-router: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path\n`);
    return undefined;
  }
}

/** The repository's paths: --tree FILE, or `git ls-files` here; undefined when neither is available. */
function treeFrom(option: string | undefined, io: CliIO): string[] | undefined | number {
  if (option === "-") return undefined;
  if (option !== undefined) {
    const text = readText(option, io);
    if (text === undefined) return EXIT.problems;
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "");
  }
  const git = spawnSync("git", ["ls-files", "-z"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (git.status !== 0 || git.error) {
    io.stderr("review-router: note: not in a git checkout and no --tree given: paths are not compared\n");
    return undefined;
  }
  return git.stdout.split("\0").filter((l) => l !== "");
}

const OPTIONS = {
  config: { type: "string" },
  repo: { type: "string", default: DEFAULT_REPOSITORY },
  tree: { type: "string" },
  output: { type: "string", short: "o" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function codeownersCommand(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(CODEOWNERS_HELP);
    return EXIT.ok;
  }
  const [first, ...rest] = positionals;
  if (first === undefined) return usage(io, "name a CODEOWNERS file, or `export` or `check`");
  if (first === "export") {
    if (rest.length > 0) return usage(io, `export takes no paths (got "${rest[0]}")`);
    return exportCommand(values, io);
  }
  if (first === "check") {
    if (rest.length !== 1) return usage(io, "check takes one CODEOWNERS file");
    return checkCommand(rest[0]!, values, io);
  }
  if (values.output || values.config || values.tree) return usage(io, "--config, --tree and -o belong to `export` and `check`");
  const text = readText(first, io);
  if (text === undefined) return EXIT.problems;
  const co = parseCodeowners(text, displayPath(resolve(first)));
  for (const p of co.problems) io.stderr(formatProblem({ ...p, severity: "warning" }) + " (GitHub skips the line)\n");
  const paths =
    rest.length > 0
      ? rest
      : (await io.readStdin())
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "");
  if (paths.length === 0) return usage(io, "no paths given (as arguments or on standard input)");
  if (values.json) {
    io.stdout(JSON.stringify(paths.map((p) => ownersOf(co, p))) + "\n");
    return EXIT.ok;
  }
  for (const p of paths) {
    const rule = decidingRule(co, p);
    let why = "no line matches";
    if (rule) why = rule.owners.length > 0 ? `line ${rule.line}` : `line ${rule.line} leaves it unowned`;
    io.stdout(`${printable(p)}  ${rule?.owners.map((o) => o.text).join(" ") || "(no owners)"}  ${why}\n`);
  }
  return EXIT.ok;
}

type Values = { config?: string; repo: string; tree?: string; output?: string };

function routerFor(values: Values, io: CliIO) {
  try {
    return loadRouter(values.config ? resolve(values.config) : undefined).router;
  } catch (err) {
    return reportLoadError(io, err);
  }
}

function exportCommand(values: Values, io: CliIO): number {
  const router = routerFor(values, io);
  if (typeof router === "number") return router;
  const tree = treeFrom(values.tree, io);
  if (typeof tree === "number") return tree;
  const result = exportCodeowners(router, values.repo, tree);
  for (const u of result.unexpressed) {
    const fix = tree ? "; its tree paths get exact lines" : "";
    io.stderr(`review-router: warning: module "${u.module}": glob "${u.glob}" cannot be written in CODEOWNERS (${u.reason})${fix}\n`);
  }
  for (const p of result.remaining) io.stderr(`review-router: warning: ${p}: CODEOWNERS cannot write this path; it keeps other owners\n`);
  if (!tree && router.modules.length > 1) {
    io.stderr("review-router: note: without a file list, paths in several modules get the last module's owners only\n");
  }
  if (values.output) {
    writeFileSync(resolve(values.output), result.text);
    io.stderr(`wrote ${values.output}${tree ? ` (${result.exactLines} exact-path lines for overlaps)` : ""}\n`);
  } else io.stdout(result.text);
  return result.remaining.length > 0 ? EXIT.problems : EXIT.ok;
}

function checkCommand(file: string, values: Values, io: CliIO): number {
  if (values.output) return usage(io, "-o belongs to `export`");
  const router = routerFor(values, io);
  if (typeof router === "number") return router;
  const text = readText(file, io);
  if (text === undefined) return EXIT.problems;
  const co: Codeowners = parseCodeowners(text, displayPath(resolve(file)));
  const tree = treeFrom(values.tree, io);
  if (typeof tree === "number") return tree;
  const diffs = compareCodeowners(router, values.repo, co, tree);
  for (const d of diffs) io.stdout(`${co.file}${d.line ? `:${d.line}` : ""}: ${d.kind}: ${d.message}\n`);
  const paths = diffs.filter((d) => d.kind === "path").length;
  io.stdout(
    diffs.length === 0
      ? `${co.file}: matches the configuration${tree ? ` for all ${tree.length} paths` : ""}\n`
      : `${co.file}: ${diffs.length} difference${diffs.length === 1 ? "" : "s"} (${paths} path${paths === 1 ? "" : "s"})\n`,
  );
  return diffs.length === 0 ? EXIT.ok : EXIT.problems;
}
