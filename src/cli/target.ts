// What an offline command (route, explain, triage) works on: the repository and its configuration,
// decided as the app decides them for that repository, from what is on disk instead of GitHub.
//
// The repository is --repo, else the checkout's: `origin`'s, or `upstream`'s when origin is outside
// the bundled organisations and upstream inside (a fork of pytorch/pytorch routes as upstream), else
// pytorch/pytorch when there is no checkout to ask (the bundled map, as the README's first run).
// The configuration is --config, else the checkout's `.github/review-router.yml`; without a file,
// the app's own loader (loadRepoConfig) decides with the checkout as the default branch: the bundled
// one inside the bundled organisations; elsewhere the checkout's CODEOWNERS under the default
// policy, as the app's zero-config adoption; with neither, nothing applies.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { offlineFiles } from "../app/offline-port.js";
import { loadBundled, loadRepoConfig, type RepoConfigLoaded } from "../app/repo-config.js";
import { baseModulesApplyTo, configOwners } from "../core/layering.js";
import { ConfigError, formatProblem } from "../core/problems.js";
import { BUNDLED_CONFIG, BUNDLED_REGISTRY, DEFAULT_REPOSITORY, displayPath, loadConfigFile, loadRouter } from "../io/files.js";
import { findCheckoutRoot, findRepoConfig, isInside, originOf, remoteOf } from "./checkout.js";
import { EXIT, type CliIO } from "./io.js";
import type { PathContext } from "./paths.js";

const REPO_RE = /^[^/\s]+\/[^/\s]+$/;

/** Whether `text` is OWNER/NAME. */
export function isRepository(text: string): boolean {
  return REPO_RE.test(text);
}

/** What routing works on: the repository, where its paths are, and its configuration as the runner takes it. */
export interface Target {
  repository: string;
  paths: PathContext;
  /**
   * The configuration: its router, its settings, its warnings, and its `source`, the words that
   * name it in the output (a file, the bundled one, or a CODEOWNERS with the default policy).
   */
  loaded: RepoConfigLoaded;
}

/** Nothing applies to the repository (no file, no bundled modules, no CODEOWNERS): the app would do nothing. */
export interface NothingApplies {
  repository: string;
  nothing: string;
}

/** An installed copy without its bundled files cannot route at all: one line saying so. */
export function missingBundledFiles(io: CliIO): number | undefined {
  const missing = [BUNDLED_CONFIG, BUNDLED_REGISTRY].find((f) => !existsSync(f));
  if (missing === undefined) return undefined;
  io.stderr(
    `review-router: the bundled configuration is missing (${missing}); ` +
      "reinstall from a package made with `npm pack`, which carries config/\n",
  );
  return EXIT.problems;
}

const bundledOwners = () => configOwners(loadConfigFile().config);

/**
 * The repository the checkout at `root` is: origin's, or upstream's when only upstream is in a
 * bundled organisation (a fork); undefined without a remote to ask.
 */
export function checkoutRepository(root: string | undefined): string | undefined {
  if (root === undefined) return undefined;
  const origin = originOf(root)?.repository;
  const owners = bundledOwners();
  if (origin !== undefined && baseModulesApplyTo(owners, origin)) return origin;
  const upstream = remoteOf(root, "upstream")?.repository;
  if (upstream !== undefined && baseModulesApplyTo(owners, upstream)) return upstream;
  return origin;
}

/** The repository a file is checked for when --repo is not given (validate). */
export function inferRepository(root: string | undefined): string {
  return checkoutRepository(root) ?? DEFAULT_REPOSITORY;
}

/** Report a configuration that could not be loaded; returns the exit code. */
export function reportLoadError(io: CliIO, err: unknown): number {
  if (err instanceof ConfigError) {
    for (const p of err.problems) io.stderr(formatProblem(p) + "\n");
    io.stderr("review-router: the configuration has errors; fix them and run again (see `review-router validate FILE`)\n");
    return EXIT.problems;
  }
  throw err;
}

/**
 * The checkout at `root` as a repository's default branch: a file there, by its path from the
 * root; nothing outside the checkout, and nothing at all without one.
 */
function checkoutFiles(repository: string, root: string | undefined) {
  const [owner, repo] = repository.split("/") as [string, string];
  return offlineFiles({ owner, repo }, (path) => {
    if (root === undefined) return undefined;
    const file = join(root, path);
    if (!isInside(file, root) || !existsSync(file) || !statSync(file).isFile()) return undefined;
    return readFileSync(file, "utf8");
  });
}

/**
 * Resolve what a routing command works on. Prints why it cannot and returns the exit code
 * instead (a bad --repo is the caller's usage error, checked before).
 */
export async function resolveTarget(values: { config?: string; repo?: string }, io: CliIO): Promise<Target | NothingApplies | number> {
  const missing = missingBundledFiles(io);
  if (missing !== undefined) return missing;
  const cwd = io.cwd ?? process.cwd();
  const root = findCheckoutRoot(cwd);
  const paths: PathContext = { cwd, ...(root ? { root } : {}) };
  try {
    const repository = values.repo ?? checkoutRepository(root) ?? DEFAULT_REPOSITORY;
    const file = values.config !== undefined ? resolve(cwd, values.config) : root ? findRepoConfig(cwd, root) : undefined;
    if (file !== undefined) {
      // A file on disk (--config, or the checkout's own): read as the CLI reads files (validate.ts's checks, FILE:LINE).
      const { router, loaded } = loadRouter(file, repository);
      // A file naming its own registry stands alone; one naming none is layered as the app layers it.
      const alone = "registry" in loaded.raw;
      const source = alone ? displayPath(file) : `${displayPath(file)} merged over the bundled PyTorch configuration`;
      return { repository, paths, loaded: { kind: "ok", router, config: router.config, source, problems: loaded.problems } };
    }
    // No file: the app's own decision (repo-config.ts), with the checkout as the default branch:
    // the bundled configuration in its organisations, else the checkout's CODEOWNERS, else nothing.
    // One person waits for the command: a large CODEOWNERS is read however long it takes. (Assigned,
    // not spread: a spread would compile the bundled router, which is built on first use.)
    const bundled = Object.assign(loadBundled(), { codeownersBudgetMs: Number.POSITIVE_INFINITY });
    const loaded = await loadRepoConfig(checkoutFiles(repository, root), bundled);
    if (loaded.kind === "none") {
      const where = root ? "" : "; run inside its checkout to use its CODEOWNERS, or give --config FILE";
      return { repository, nothing: `${loaded.reason}: nothing applies${where}` };
    }
    if (loaded.kind === "error") throw new ConfigError(loaded.problems);
    for (const p of loaded.problems) io.stderr(formatProblem(p) + "\n");
    return { repository, paths, loaded };
  } catch (err) {
    return reportLoadError(io, err);
  }
}
