// `review-router init`: a starter `.github/review-router.yml` for the repository in the current
// directory, built on its CODEOWNERS when it has one, then checked like `validate` would.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { formatProblem, hasErrors } from "../core/problems.js";
import { locateCodeowners, readCodeowners } from "../io/codeowners.js";
import { checkConfigFile } from "../io/files.js";
import { EXIT, usageError, type CliIO } from "./io.js";

export const INIT_HELP = `Usage: review-router init [--force]

Write .github/review-router.yml for the repository in the current directory: routed from its
CODEOWNERS (.github/, root or docs/, the first found) when it has one, with review-router's
policy on top; otherwise a file with an example module to fill in. The file is then validated.

Options:
  --force     overwrite an existing .github/review-router.yml
  -h, --help  show this help
`;

const POLICY = `# Only this repository's modules apply, not the bundled PyTorch map.
use_default_modules: false
# Active maintainers asked per touched module, and the most reviewers (users and teams) per pull request.
reviewers_per_module: 1
max_reviewers: 3
# Asked to review changed files that no module owns: logins or org/team. Empty: nobody.
default_reviewers: []
# A label for pull requests with files no module owns (uncomment to use).
# unowned_label: "needs owner"
# Logins never asked (away, on leave); authors whose pull requests get no review requests.
unavailable: []
ignore_authors: ["*[bot]"]
`;

export function starterConfig(codeowners: string | undefined, ruleCount: number): string {
  if (codeowners) {
    return `# review-router configuration, written by \`review-router init\`.
# Modules come from ${codeowners} (${ruleCount} rules): the last matching line decides who owns a
# path, as on GitHub; "# label: a, b" comment lines above a group of patterns set its labels.
codeowners: true
${POLICY}# Modules added on top of CODEOWNERS (paths are minimatch globs), e.g.:
# modules:
#   - name: docs
#     label: "area: docs"
#     paths: ["docs/**"]
#     maintainers: [octocat]
modules: []
`;
  }
  return `# review-router configuration, written by \`review-router init\` (no CODEOWNERS found).
${POLICY}# Each module: a label, path globs (minimatch) and who reviews (logins or org/team teams).
modules:
  - name: example
    label: "module: example"
    paths: ["src/example/**"]
    maintainers: [octocat]
`;
}

export async function initCommand(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    const options = { force: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } as const;
    parsed = parseArgs({ args, allowPositionals: false, options });
  } catch (err) {
    return usageError(io, "init", (err as Error).message);
  }
  if (parsed.values.help) {
    io.stdout(INIT_HELP);
    return EXIT.ok;
  }
  const root = process.cwd();
  const target = join(root, ".github", "review-router.yml");
  if (existsSync(target) && !parsed.values.force) {
    io.stderr("review-router: .github/review-router.yml already exists; keep it, or run `review-router init --force` to overwrite it\n");
    return EXIT.problems;
  }
  const found = locateCodeowners(root);
  const shown = found ? relative(root, found) : undefined;
  const co = found ? readCodeowners(found, shown!) : undefined;
  for (const p of co?.problems ?? []) io.stderr(formatProblem({ ...p, severity: "warning" }) + " (GitHub skips the line)\n");
  mkdirSync(join(root, ".github"), { recursive: true });
  writeFileSync(target, starterConfig(shown, co?.rules.length ?? 0));
  const { problems } = checkConfigFile(target);
  for (const p of problems) io.stderr(formatProblem(p) + "\n");
  const verdict = hasErrors(problems) ? "it has errors, see above" : "valid";
  io.stdout(`wrote .github/review-router.yml${shown ? ` (modules from ${shown})` : ""}: ${verdict}\n`);
  return hasErrors(problems) ? EXIT.problems : EXIT.ok;
}
