// The routing commands of the `review-router` CLI: route, explain, validate. Each one gathers
// its input, calls the pure core, and prints.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pullRequestDocument, planDocumentText, targetName } from "../core/plan-document.js";
import { formatProblem, type Problem } from "../core/problems.js";
import { explainPath, matchPath, withPolicy } from "../core/router.js";
import { checkAnyFile, DEFAULT_REPOSITORY, displayPath } from "../io/files.js";
import { plural } from "../core/util.js";
import { findCheckoutRoot } from "./checkout.js";
import { formatDecision, table } from "./format.js";
import { EXIT, usageError, type CliIO } from "./io.js";
import { normalisePath, nulRecords, quoted, readChangedPaths, type PathProblem } from "./paths.js";
import { SIGNAL_HELP, SIGNAL_OPTIONS, signalInputs } from "./signal-options.js";
import { wantsOnline } from "./online-args.js";
import {
  inferRepository,
  isRepository,
  missingBundledFiles,
  reportLoadError,
  resolveTarget,
  type NothingApplies,
  type Target,
} from "./target.js";
import { dateOption, readHistory } from "./history-file.js";
import { loadBundled } from "../app/repo-config.js";
import type { HistoryRecord } from "../core/history.js";

export { DEFAULT_REPOSITORY };

export const ROUTE_HELP = `Usage: review-router route [options] [PATH ...]

Print the modules, labels and reviewers for a change, as the GitHub App would decide them.
Paths come from the arguments, or one per line on standard input:

  git diff --name-only main | review-router route

Paths are from the repository root, as git prints them; "./x" and "../x" are from the current
directory, and absolute paths must be inside the checkout. A renamed file may be given as
"OLD => NEW", "dir/{old => new}/file" or a --name-status line ("R100<TAB>OLD<TAB>NEW"); its old
path counts too. A path that cannot be read is reported, and the exit status is then 1.
The last line names the configuration used.
Online, from GitHub: review-router route https://github.com/OWNER/NAME/pull/N [--apply]
(see \`review-router route URL --help\`).

Options:
  --config FILE      configuration file (default: the checkout's .github/review-router.yml, found in
                     or above the current directory; without one, what the app uses for the repository:
                     the bundled PyTorch configuration in the pytorch organisation, elsewhere the
                     checkout's CODEOWNERS, else nothing applies)
  --repo OWNER/NAME  repository the change is in (default: the checkout's origin, or its upstream when
                     only upstream is in a bundled organisation; outside a checkout ${DEFAULT_REPOSITORY})
  --author LOGIN     author of the pull request (never requested)
  --pr N             pull request number; the choice among equal candidates depends on it (default: 1)
  --requested LOGIN  a reviewer already requested (repeatable)
  --reviewed LOGIN   someone who already reviewed (repeatable)
  --format FORMAT    text (default), json, or logins: the reviewers comma-separated, for
                     gh pr edit --add-reviewer "$(review-router route --format logins ...)"
  --json             the same as --format json: the plan document (schema/plan-document.schema.json),
                     as \`route URL --json\` prints it online
  --verbose          list every skipped candidate (by default a long list is summarised)
  -z                 standard input is NUL-separated, as git diff -z --name-only (or --name-status) prints
  --history FILE     review history (JSON lines, as \`review-router history\` writes): rank the
                     candidates by who approved (or, counting half, wrote) pull requests touching
                     these paths recently, and list them all with why
  --as-of DATE       with --history: decide as on this date, from the records before it (default: now)
  --widen            with --history: widen_to_recent_approvers on, whatever the configuration says
  --online           with --repo and --pr: what the app would do on that pull request on GitHub
                     (the same as giving its URL; see \`review-router route URL --help\`)
${SIGNAL_HELP}  -h, --help         show this help
`;

export const EXPLAIN_HELP = `Usage: review-router explain [options] PATH ...

Show, for each path, every rule that matched it, the rules that excluded it, and the modules it
ends up in.

Options:
  --config FILE      configuration file (default: as for route)
  --repo OWNER/NAME  repository (default: as for route)
  --json             print JSON
  -z                 standard input is NUL-separated (git diff -z --name-only)
  -h, --help         show this help
`;

export const VALIDATE_HELP = `Usage: review-router validate FILE ...

Check a configuration file (review-router.yml) or a maintainer registry (registry.yml) and print
every problem as FILE:LINE: severity: KEY: message. Exits 1 when any file has an error.
A configuration is checked against the registry it names (default: the bundled registry).
A configuration without a registry is checked as the app reads it in the repository --repo
(default: the checkout's origin for a file inside the checkout, else ${DEFAULT_REPOSITORY}).

Options:
  --repo OWNER/NAME  repository the file is for
  -h, --help         show this help
`;

function printProblems(io: CliIO, problems: readonly Problem[]): void {
  for (const p of problems) io.stderr(formatProblem(p) + "\n");
}

export { reportLoadError };

/** A usage error of the command whose help is `help`, in one line (see usageError). */
export function usage(io: CliIO, message: string, help: string): number {
  return usageError(io, /^Usage: review-router ([a-z-]+)/.exec(help)?.[1], message);
}

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** Every command's --help. */
export const HELP_OPTION = { help: { type: "boolean", short: "h", default: false } } as const;

/** Parse a command's arguments; prints usage (exit 2) or help (exit 0) and returns the code instead. */
export function parseCommand<O extends OptionSpec>(args: string[], options: O, help: string, io: CliIO) {
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

function reportPathProblems(io: CliIO, problems: readonly PathProblem[]): void {
  for (const p of problems) io.stderr(`review-router: cannot read path ${quoted(p.input)}: ${p.message}\n`);
}

/** The paths of the arguments, else of standard input: one a line, or with -z NUL-separated (`git diff -z`). */
async function pathsFrom(positionals: string[], io: CliIO, nul = false): Promise<string[]> {
  if (positionals.length > 0) return positionals;
  const input = await io.readStdin();
  if (nul) return nulRecords(input);
  return input
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** A target, or the one line saying that nothing applies (printed as the format wants); the exit code otherwise. */
export async function targetOrNothing(
  values: { config?: string; repo?: string },
  help: string,
  io: CliIO,
): Promise<Target | NothingApplies | number> {
  if (values.repo !== undefined && !isRepository(values.repo)) return usage(io, `--repo must be OWNER/NAME, not "${values.repo}"`, help);
  return resolveTarget(values, io);
}

export async function routeCommand(args: string[], io: CliIO): Promise<number> {
  // The online form loads @octokit/rest; offline routing does not pay for it.
  if (wantsOnline(args)) return (await import("./online.js")).onlineRouteCommand(args, io);
  const parsed = parseCommand(
    args,
    {
      config: { type: "string" },
      repo: { type: "string" },
      author: { type: "string", default: "" },
      pr: { type: "string", default: "1" },
      requested: { type: "string", multiple: true, default: [] },
      reviewed: { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      format: { type: "string" },
      verbose: { type: "boolean", default: false },
      z: { type: "boolean", short: "z", default: false },
      history: { type: "string" },
      "as-of": { type: "string" },
      widen: { type: "boolean", default: false },
      ...SIGNAL_OPTIONS,
      ...HELP_OPTION,
    },
    ROUTE_HELP,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const pr = Number(values.pr);
  if (!Number.isInteger(pr) || pr < 1) return usage(io, `--pr must be a positive whole number, not "${values.pr}"`, ROUTE_HELP);
  const format = values.format ?? (values.json ? "json" : "text");
  if (!["text", "json", "logins"].includes(format)) return usage(io, `--format must be text, json or logins, not "${format}"`, ROUTE_HELP);
  if (values.json && format !== "json") return usage(io, `--json and --format ${format} contradict each other`, ROUTE_HELP);
  const signals = signalInputs(values);
  if (typeof signals === "string") return usage(io, signals, ROUTE_HELP);
  const asOf = values["as-of"] === undefined ? new Date() : dateOption(values["as-of"]);
  if (!asOf) return usage(io, `--as-of must be a date such as 2024-01-31, not "${values["as-of"]}"`, ROUTE_HELP);
  if (values.history === undefined && (values["as-of"] !== undefined || values.widen)) {
    return usage(io, "--as-of and --widen need --history FILE", ROUTE_HELP);
  }
  let history: HistoryRecord[] | undefined;
  if (values.history !== undefined) {
    const records = readHistory(io, values.history);
    if (typeof records === "number") return records;
    // Only what was known then: every decision can be replayed without peeking.
    history = records.filter((r) => Date.parse(r.date) < asOf.getTime());
  }
  const target = await targetOrNothing(values, ROUTE_HELP, io);
  if (typeof target === "number") return target;
  const lines = await pathsFrom(positionals, io, values.z);
  if (lines.length === 0) return usage(io, "no paths given (as arguments or on standard input)", ROUTE_HELP);
  const cwd = io.cwd ?? process.cwd();
  const { files, problems } = readChangedPaths(lines, "paths" in target ? target.paths : { cwd });
  reportPathProblems(io, problems);
  if (files.length === 0) return EXIT.problems;
  const status = problems.length > 0 ? EXIT.problems : EXIT.ok;
  if ("nothing" in target) {
    // As the app does in such a repository: nothing, said in one line.
    if (format === "json") {
      const doc = { kind: "skipped" as const, source: "offline" as const, target: targetName(target.repository, pr) };
      io.stdout(planDocumentText({ ...doc, repository: target.repository, number: pr, reason: target.nothing }));
    } else if (format === "logins") io.stderr(`review-router: ${target.nothing}\n`);
    else io.stdout(`${target.nothing}\n`);
    return status;
  }
  // The pull request as the arguments describe it, behind a port that answers as GitHub would; the
  // runner gathers and plans through it as it does for every other door (loaded only here, so a
  // usage error or "nothing applies" starts no slower).
  const { planPullRequestEvent } = await import("../app/run.js");
  const { offlinePort } = await import("../app/offline-port.js");
  const [owner, name] = target.repository.split("/") as [string, string];
  const port = offlinePort({
    repo: { owner, repo: name },
    number: pr,
    author: values.author,
    files,
    defaultBranch: new Map(),
    thread: { requestedUsers: values.requested, reviewedBy: values.reviewed },
    ...(signals.signals ? { signals: signals.signals } : {}),
    ...(history ? { history } : {}),
  });
  const router = values.widen ? withPolicy(target.loaded.router, { widenToRecentApprovers: true }) : target.loaded.router;
  const outcome = await planPullRequestEvent(
    port,
    await port.getPullRequest(pr),
    // A command line is not a shared server: no routing budget; the history's decision time when replaying one.
    { bundled: loadBundled(), dryRunEnv: false, now: history ? asOf : signals.now, budgetMs: Number.POSITIVE_INFINITY },
    { ...target.loaded, router, config: router.config },
  );
  if (outcome.kind !== "planned") {
    io.stderr(
      `review-router: ${targetName(target.repository, pr)}: not planned (${outcome.kind === "skipped" ? outcome.reason : outcome.kind})\n`,
    );
    return EXIT.problems;
  }
  const { plan, configSource } = outcome;
  if (format === "json") {
    const doc = pullRequestDocument({
      repository: target.repository,
      number: pr,
      source: "offline",
      configuration: configSource,
      plan,
      ...(outcome.summary ? { summary: outcome.summary } : {}),
    });
    io.stdout(planDocumentText(doc));
  } else if (format === "logins") io.stdout(plan.decision.reviewers.join(",") + "\n");
  else io.stdout(formatDecision(plan.decision, { verbose: values.verbose }) + `\nconfiguration: ${configSource}\n`);
  return status;
}

export async function explainCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      config: { type: "string" },
      repo: { type: "string" },
      json: { type: "boolean", default: false },
      z: { type: "boolean", short: "z", default: false },
      ...HELP_OPTION,
    },
    EXPLAIN_HELP,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const target = await targetOrNothing(values, EXPLAIN_HELP, io);
  if (typeof target === "number") return target;
  if ("nothing" in target) {
    io.stdout(`${target.nothing}\n`);
    return EXIT.ok;
  }
  const { repository } = target;
  const { router } = target.loaded;
  const inputs = await pathsFrom(positionals, io, values.z);
  if (inputs.length === 0) return usage(io, "no paths given", EXPLAIN_HELP);
  const problems: PathProblem[] = [];
  const paths = inputs.flatMap((input) => {
    const p = normalisePath(input, target.paths);
    if ("path" in p) return [p.path];
    problems.push({ input, message: p.problem });
    return [];
  });
  reportPathProblems(io, problems);
  const status = problems.length > 0 ? EXIT.problems : EXIT.ok;
  const results = paths.map((path) => {
    const rules = explainPath(router, repository, path);
    const modules = matchPath(router, repository, path).map((m) => {
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
    return { path, modules, rules: annotated, unowned: modules.length === 0 };
  });
  if (values.json) {
    io.stdout(JSON.stringify(results, null, 2) + "\n");
    return status;
  }
  for (const r of results) {
    io.stdout(`${r.path}\n`);
    if (r.rules.length === 0) io.stdout("  no rule matches: no module owns this path (unowned)\n\n");
    else {
      io.stdout(
        table(
          ["  effect", "module", "area", "rule"],
          r.rules.map((x) => [`  ${x.effect}`, x.module, x.area ?? "-", x.kind === "exclude" ? `exclude: ${x.rule}` : x.rule]),
        ),
      );
      io.stdout(
        `  => ${r.modules.map((m) => (m.areas.length ? `${m.name} [${m.areas.join(", ")}]` : m.name)).join("; ") || "no module (every match was excluded): unowned"}\n\n`,
      );
    }
  }
  io.stdout(`configuration: ${target.loaded.source}\n`);
  return status;
}

export async function validateCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand(args, { repo: { type: "string" }, ...HELP_OPTION }, VALIDATE_HELP, io);
  if (typeof parsed === "number") return parsed;
  if (parsed.positionals.length === 0) return usage(io, "name at least one file to validate", VALIDATE_HELP);
  const repo = parsed.values.repo;
  if (repo !== undefined && !isRepository(repo)) return usage(io, `--repo must be OWNER/NAME, not "${repo}"`, VALIDATE_HELP);
  const missing = missingBundledFiles(io);
  if (missing !== undefined) return missing;
  const cwd = io.cwd ?? process.cwd();
  const root = findCheckoutRoot(cwd);
  let failed = false;
  for (const file of parsed.positionals) {
    const problems = checkAnyFile(resolve(cwd, file), repo ?? inferRepository(root));
    printProblems(io, problems);
    const errors = problems.filter((p) => p.severity === "error").length;
    const warnings = problems.length - errors;
    if (errors > 0) failed = true;
    io.stdout(
      `${displayPath(resolve(cwd, file))}: ${errors === 0 ? "ok" : plural(errors, "error")}${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}\n`,
    );
  }
  return failed ? EXIT.problems : EXIT.ok;
}
