#!/usr/bin/env node
// The `review-router` command line: every decision the GitHub App makes, computed offline.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isMainModule } from "../io/is-main.js";
import { BUNDLED_CONFIG } from "../io/files.js";
import { EXPLAIN_HELP, explainCommand, ROUTE_HELP, routeCommand, VALIDATE_HELP, validateCommand } from "./commands.js";
import { CODEOWNERS_HELP, codeownersCommand } from "./codeowners.js";
import { IMPORT_GOVERNANCE_HELP, importGovernanceCommand } from "./import-governance.js";
import { INIT_HELP, initCommand } from "./init.js";
import { TRIAGE_HELP, triageCommand } from "./triage.js";
import { HISTORY_HELP, historyCommand, MAINTAINERS_HELP, maintainersCommand } from "./history.js";
import { EXIT, usageError, type CliIO } from "./io.js";

export interface Command {
  /** Usage line(s) in the command list; continuation lines are indented by the table. */
  usage: string;
  summary: string;
  /** The command's --help text; absent for a command loaded on use, which prints its own. */
  help?: string;
  run: (args: string[], io: CliIO) => Promise<number>;
}

/** Every command, in the order the help lists them. A new command is one entry here. */
export const COMMANDS: Record<string, Command> = {
  route: {
    usage: "route [PATH ...]",
    summary: "modules, labels and reviewers for a change (paths or stdin; a pull request URL: online)",
    help: ROUTE_HELP,
    run: routeCommand,
  },
  explain: {
    usage: "explain PATH ...",
    summary: "every rule that matches each path, and what was excluded",
    help: EXPLAIN_HELP,
    run: explainCommand,
  },
  validate: { usage: "validate FILE ...", summary: "check a configuration or registry file", help: VALIDATE_HELP, run: validateCommand },
  triage: {
    usage: "triage --title T [--body-file F | -] | --jsonl FILE",
    summary: "the labels for an issue, and the evidence for each",
    help: TRIAGE_HELP,
    run: triageCommand,
  },
  "import-governance": {
    usage: "import-governance FILE [-o OUT]",
    summary: "build a maintainer registry from a governance page (text or .rst)",
    help: IMPORT_GOVERNANCE_HELP,
    run: importGovernanceCommand,
  },
  codeowners: {
    usage: "codeowners FILE PATH... | export | check",
    summary: "owners under a CODEOWNERS; write one from the configuration; check drift",
    help: CODEOWNERS_HELP,
    run: codeownersCommand,
  },
  history: {
    usage: "history --from-git [DIR] | --repo OWNER/NAME",
    summary: "who approved which merged pull request (JSON lines), from a checkout or from GitHub",
    help: HISTORY_HELP,
    // --repo reads GitHub: loaded on use, as the other online commands, which bring @octokit/rest.
    run: async (args, io) =>
      args.some((a) => a === "--repo" || a.startsWith("--repo="))
        ? (await import("./history-repo.js")).historyRepoCommand(args, io)
        : historyCommand(args, io),
  },
  maintainers: {
    usage: "maintainers audit --history FILE",
    summary: "listed maintainers who approve nothing, and frequent approvers who are not listed",
    help: MAINTAINERS_HELP,
    run: maintainersCommand,
  },
  init: {
    usage: "init [--force]",
    summary: "write a starter .github/review-router.yml (from CODEOWNERS if present)",
    help: INIT_HELP,
    run: initCommand,
  },
  sweep: {
    usage: "sweep --repo OWNER/NAME [--apply]",
    summary: "replace overdue reviewers on open pull requests (reroute_after_hours; online)",
    // Loaded on use: the online commands bring @octokit/rest, which offline commands do not need.
    run: async (args, io) => (await import("./sweep.js")).sweepCommand(args, io),
  },
  redeliver: {
    usage: "redeliver --since 2h [--apply]",
    summary: "ask GitHub to redeliver the app's failed webhook deliveries (app credentials)",
    run: async (args, io) => (await import("./redeliver.js")).redeliverCommand(args, io),
  },
};

const USAGE_WIDTH = 30;

function commandList(): string {
  return (
    Object.values(COMMANDS)
      // A usage too long for its column puts the summary on the next line.
      .map(
        (c) => `  ${c.usage.length > USAGE_WIDTH ? `${c.usage}\n  ${"".padEnd(USAGE_WIDTH)}` : c.usage.padEnd(USAGE_WIDTH)} ${c.summary}`,
      )
      .join("\n")
  );
}

export const MAIN_HELP = `Usage: review-router COMMAND [options]

Route pull requests to the maintainers of the modules they touch.

Commands:
${commandList()}

Run \`review-router help COMMAND\` or \`review-router COMMAND --help\` for a command's options,
and \`review-router --version\` for the version.
`;

/** The installed package's version, from the package.json beside config/. */
export function version(): string {
  const root = dirname(dirname(dirname(BUNDLED_CONFIG)));
  try {
    return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") {
    io.stdout(`review-router ${version()}\n`);
    return EXIT.ok;
  }
  if (command === "help" && rest.length > 0) {
    const named = COMMANDS[rest[0]!];
    if (!named) {
      io.stderr(`review-router: no command "${rest[0]}"; the commands are: ${Object.keys(COMMANDS).join(", ")}\n`);
      return EXIT.usage;
    }
    if (named.help === undefined) return named.run(["--help"], io);
    io.stdout(named.help);
    return EXIT.ok;
  }
  if (command === undefined) return usageError(io, undefined, `give a command: ${Object.keys(COMMANDS).join(", ")}`);
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout(MAIN_HELP);
    return EXIT.ok;
  }
  const run = COMMANDS[command]?.run;
  if (!run) return usageError(io, undefined, `unknown command "${command}"; the commands are: ${Object.keys(COMMANDS).join(", ")}`);
  return run(rest, io);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A reader that went away (`review-router route ... | head -1`) is no failure: the output was
 * not wanted any more. Stop at once, quietly and with status 0, instead of dying on EPIPE.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = process.exit): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") exit(0);
    else throw err;
  });
}

if (isMainModule(import.meta.url)) {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`review-router: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
