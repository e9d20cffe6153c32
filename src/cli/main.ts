#!/usr/bin/env node
// The `review-router` command line: every decision the GitHub App makes, computed offline.

import { explainCommand, routeCommand, validateCommand } from "./commands.js";
import { importGovernanceCommand } from "./import-governance.js";
import { isMainModule } from "../io/is-main.js";
import { EXIT, type CliIO } from "./io.js";

export const MAIN_HELP = `Usage: review-router COMMAND [options]

Route pull requests to the maintainers of the modules they touch.

Commands:
  route [PATH ...]               modules, labels and reviewers for a change (paths or stdin)
  route URL [--apply]            what the app would do on a pull request or issue on GitHub (online)
  explain PATH ...               every rule that matches each path, and what was excluded
  validate FILE ...              check a configuration or registry file
  import-governance FILE [-o OUT]
                                 build a maintainer registry from a governance page (text or .rst)
  sweep --repo OWNER/NAME [--apply]
                                 replace overdue reviewers on open pull requests (reroute_after_hours)

Run \`review-router COMMAND --help\` for a command's options.
`;

const COMMANDS: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  route: routeCommand,
  explain: explainCommand,
  validate: validateCommand,
  "import-governance": importGovernanceCommand,
  // Loaded on use: the online commands bring @octokit/rest, which offline commands do not need.
  sweep: async (args, io) => (await import("./sweep.js")).sweepCommand(args, io),
};

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    (command === undefined ? io.stderr : io.stdout)(MAIN_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`review-router: unknown command "${command}"\n\n${MAIN_HELP}`);
    return EXIT.usage;
  }
  return run(rest, io);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}


if (isMainModule(import.meta.url)) {
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
