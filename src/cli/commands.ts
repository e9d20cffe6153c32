// The routing commands of the `review-router` CLI: route, explain, validate. Each one gathers
// its input, calls the pure core, and prints.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, formatProblem, type Problem } from "../core/problems.js";
import { route, type RouteDecision } from "../core/route.js";
import { explainPath, matchPath } from "../core/router.js";
import { plural } from "../core/util.js";
import { checkAnyFile, displayPath, loadRouter } from "../io/files.js";
import { formatDecision, table } from "./format.js";
import { EXIT, type CliIO } from "./io.js";
import { wantsOnline } from "./online-args.js";

export const DEFAULT_REPOSITORY = "pytorch/pytorch";

export const ROUTE_HELP = `Usage: review-router route [options] [PATH ...]

Print the modules, labels and reviewers for a change, as the GitHub App would decide them.
Paths come from the arguments, or one per line on standard input:

  git diff --name-only main | review-router route

A renamed file may be given as "OLD => NEW" (its old path counts too).
Online, from GitHub: review-router route https://github.com/OWNER/NAME/pull/N [--apply]
(see \`review-router route URL --help\`).

Options:
  --config FILE      configuration file (default: the bundled PyTorch configuration)
  --repo OWNER/NAME  repository the change is in (default: ${DEFAULT_REPOSITORY})
  --author LOGIN     author of the pull request (never requested)
  --pr N             pull request number; the choice among equal candidates depends on it (default: 1)
  --requested LOGIN  a reviewer already requested (repeatable)
  --reviewed LOGIN   someone who already reviewed (repeatable)
  --json             print JSON: {labels, reviewers, modules: [{name, label, files, reviewers}], unmatched, ...}
  -h, --help         show this help
`;

export const EXPLAIN_HELP = `Usage: review-router explain [options] PATH ...

Show, for each path, every rule that matched it, the rules that excluded it, and the modules it
ends up in.

Options:
  --config FILE      configuration file (default: the bundled PyTorch configuration)
  --repo OWNER/NAME  repository (default: ${DEFAULT_REPOSITORY})
  --json             print JSON
  -h, --help         show this help
`;

export const VALIDATE_HELP = `Usage: review-router validate FILE ...

Check a configuration file (review-router.yml) or a maintainer registry (registry.yml) and print
every problem as FILE:LINE: severity: KEY: message. Exits 1 when any file has an error.
A configuration is checked against the registry it names (default: the bundled registry).

Options:
  -h, --help  show this help
`;

function printProblems(io: CliIO, problems: readonly Problem[]): void {
  for (const p of problems) io.stderr(formatProblem(p) + "\n");
}

/** Report a configuration that could not be loaded; returns the exit code. */
export function reportLoadError(io: CliIO, err: unknown): number {
  if (err instanceof ConfigError) {
    printProblems(io, err.problems);
    io.stderr("review-router: the configuration has errors; fix them and run again (see `review-router validate FILE`)\n");
    return EXIT.problems;
  }
  throw err;
}

function usage(io: CliIO, message: string, help: string): number {
  io.stderr(`review-router: ${message}\n\n${help}`);
  return EXIT.usage;
}

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** Every command's --help. */
const HELP_OPTION = { help: { type: "boolean", short: "h", default: false } } as const;

/** Parse a command's arguments; prints usage (exit 2) or help (exit 0) and returns the code instead. */
function parseCommand<O extends OptionSpec>(args: string[], options: O, help: string, io: CliIO) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options });
  } catch (err) {
    return usage(io, (err as Error).message, help);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(help);
    return EXIT.ok;
  }
  return parsed;
}

/** The router for --config (default: bundled), or the exit code after printing its problems. */
function routerFor(config: string | undefined, io: CliIO) {
  try {
    return loadRouter(config ? resolve(config) : undefined).router;
  } catch (err) {
    return reportLoadError(io, err);
  }
}

/** Parse "OLD => NEW" (git's rename notation) or a plain path. */
function parseChangedPath(line: string): { path: string; previousPath?: string } {
  const m = /^(.*?)\s+=>\s+(.*)$/.exec(line);
  return m ? { path: m[2]!.trim(), previousPath: m[1]!.trim() } : { path: line.trim() };
}

async function pathsFrom(positionals: string[], io: CliIO): Promise<string[]> {
  if (positionals.length > 0) return positionals;
  const input = await io.readStdin();
  return input
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** The stable JSON view of a decision: the documented keys first, details after. */
export function decisionJson(d: RouteDecision) {
  return {
    labels: d.labels,
    reviewers: d.reviewers,
    modules: d.modules.map((m) => ({
      name: m.name,
      label: m.label,
      files: m.files,
      reviewers: m.reviewers,
      labels: m.labels,
      areas: m.areas,
      rules: m.rules,
      covered: m.covered,
    })),
    unmatched: d.unmatched,
    skipped: d.skipped,
    uncovered: d.uncovered,
    notes: d.notes,
    repository: d.repository,
    pr: d.prNumber,
  };
}

export async function routeCommand(args: string[], io: CliIO): Promise<number> {
  // The online form loads @octokit/rest; offline routing does not pay for it.
  if (wantsOnline(args)) return (await import("./online.js")).onlineRouteCommand(args, io);
  const parsed = parseCommand(
    args,
    {
      config: { type: "string" },
      repo: { type: "string", default: DEFAULT_REPOSITORY },
      author: { type: "string", default: "" },
      pr: { type: "string", default: "1" },
      requested: { type: "string", multiple: true, default: [] },
      reviewed: { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
    ROUTE_HELP,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const pr = Number(values.pr);
  if (!Number.isInteger(pr) || pr < 1) return usage(io, `--pr must be a positive whole number, not "${values.pr}"`, ROUTE_HELP);
  if (!/^[^/\s]+\/[^/\s]+$/.test(values.repo)) return usage(io, `--repo must be OWNER/NAME, not "${values.repo}"`, ROUTE_HELP);
  const router = routerFor(values.config, io);
  if (typeof router === "number") return router;
  const lines = await pathsFrom(positionals, io);
  if (lines.length === 0) return usage(io, "no paths given (as arguments or on standard input)", ROUTE_HELP);
  const decision = route(router, {
    repository: values.repo,
    prNumber: pr,
    author: values.author,
    files: lines.map(parseChangedPath),
    requestedReviewers: values.requested,
    reviewedBy: values.reviewed,
  });
  io.stdout(values.json ? JSON.stringify(decisionJson(decision), null, 2) + "\n" : formatDecision(decision));
  return EXIT.ok;
}

export async function explainCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      config: { type: "string" },
      repo: { type: "string", default: DEFAULT_REPOSITORY },
      json: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
    EXPLAIN_HELP,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const router = routerFor(values.config, io);
  if (typeof router === "number") return router;
  const paths = await pathsFrom(positionals, io);
  if (paths.length === 0) return usage(io, "no paths given", EXPLAIN_HELP);
  const results = paths.map((path) => {
    const rules = explainPath(router, values.repo, path);
    const modules = matchPath(router, values.repo, path).map((m) => {
      const spec = router.modules[m.module]!.spec;
      return { name: spec.name, areas: m.areas.map((a) => spec.areas[a]!.name), rule: m.rule };
    });
    const inModules = new Set(modules.map((m) => m.name));
    const areasIn = new Set(modules.flatMap((m) => m.areas.map((a) => `${m.name}\u0000${a}`)));
    // An include rule that did not take effect was overridden by an exclude.
    const annotated = rules.map((r) => {
      let effect: string;
      if (r.kind === "exclude") effect = "excludes";
      else if (!inModules.has(r.module)) effect = "excluded";
      else if (r.area && !areasIn.has(`${r.module}\u0000${r.area}`)) effect = "excluded";
      else effect = "matches";
      return { ...r, effect };
    });
    return { path, modules, rules: annotated };
  });
  if (values.json) {
    io.stdout(JSON.stringify(results, null, 2) + "\n");
    return EXIT.ok;
  }
  for (const r of results) {
    io.stdout(`${r.path}\n`);
    if (r.rules.length === 0) io.stdout("  no rule matches: no module owns this path\n\n");
    else {
      io.stdout(
        table(
          ["  effect", "module", "area", "rule"],
          r.rules.map((x) => [`  ${x.effect}`, x.module, x.area ?? "-", x.kind === "exclude" ? `exclude: ${x.rule}` : x.rule]),
        ),
      );
      io.stdout(`  => ${r.modules.map((m) => (m.areas.length ? `${m.name} [${m.areas.join(", ")}]` : m.name)).join("; ") || "no module (every match was excluded)"}\n\n`);
    }
  }
  return EXIT.ok;
}

export async function validateCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(args, { ...HELP_OPTION }, VALIDATE_HELP, io);
  if (typeof parsed === "number") return parsed;
  if (parsed.positionals.length === 0) return usage(io, "name at least one file to validate", VALIDATE_HELP);
  let failed = false;
  for (const file of parsed.positionals) {
    const problems = checkAnyFile(resolve(file));
    printProblems(io, problems);
    const errors = problems.filter((p) => p.severity === "error").length;
    const warnings = problems.length - errors;
    if (errors > 0) failed = true;
    io.stdout(`${displayPath(resolve(file))}: ${errors === 0 ? "ok" : plural(errors, "error")}${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}\n`);
  }
  return failed ? EXIT.problems : EXIT.ok;
}
