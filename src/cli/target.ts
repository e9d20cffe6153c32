// What an offline command (route, explain, triage) works on: the repository and its configuration,
// decided as the app decides them for that repository, from what is on disk instead of GitHub.
//
// The repository is --repo, else the checkout's: `origin`'s, or `upstream`'s when origin is outside
// the bundled organisations and upstream inside (a fork of pytorch/pytorch routes as upstream), else
// pytorch/pytorch when there is no checkout to ask (the bundled map, as the README's first run).
// The configuration is --config, else the checkout's `.github/review-router.yml`; without a file,
// the bundled one inside the bundled organisations; elsewhere the checkout's CODEOWNERS under the
// default policy, as the app's zero-config adoption; with neither, nothing applies.

import { existsSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { codeownersRouting, defaultsWithoutModules, nothingAppliesReason, zeroConfigSource } from "../app/codeowners-source.js";
import { noConfigFile } from "../app/repo-config.js";
import { baseModulesApplyTo, configOwners } from "../core/layering.js";
import { ConfigError, formatProblem } from "../core/problems.js";
import { buildRouter, type Router } from "../core/router.js";
import { locateCodeowners } from "../io/codeowners.js";
import { BUNDLED_CONFIG, BUNDLED_REGISTRY, DEFAULT_REPOSITORY, displayPath, loadConfigFile, loadRouter } from "../io/files.js";
import { findCheckoutRoot, findRepoConfig, originOf, remoteOf } from "./checkout.js";
import { EXIT, type CliIO } from "./io.js";
import type { PathContext } from "./paths.js";

const REPO_RE = /^[^/\s]+\/[^/\s]+$/;

/** Whether `text` is OWNER/NAME. */
export function isRepository(text: string): boolean {
  return REPO_RE.test(text);
}

/** What routing works on, and the configuration named as the output names it. */
export interface Target {
  router: Router;
  repository: string;
  paths: PathContext;
  /** The configuration used, in words: a file, the bundled one, or a CODEOWNERS with the default policy. */
  configuration: string;
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
 * Resolve what a routing command works on. Prints why it cannot and returns the exit code
 * instead (a bad --repo is the caller's usage error, checked before).
 */
export function resolveTarget(values: { config?: string; repo?: string }, io: CliIO): Target | NothingApplies | number {
  const missing = missingBundledFiles(io);
  if (missing !== undefined) return missing;
  const cwd = io.cwd ?? process.cwd();
  const root = findCheckoutRoot(cwd);
  const paths: PathContext = { cwd, ...(root ? { root } : {}) };
  try {
    const repository = values.repo ?? checkoutRepository(root) ?? DEFAULT_REPOSITORY;
    const file = values.config !== undefined ? resolve(cwd, values.config) : root ? findRepoConfig(cwd, root) : undefined;
    if (file !== undefined) {
      const { router, loaded } = loadRouter(file, repository);
      // A file naming its own registry stands alone; one naming none is layered as the app layers it.
      const alone = "registry" in loaded.raw;
      const configuration = alone ? displayPath(file) : `${displayPath(file)} merged over the bundled PyTorch configuration`;
      return { router, repository, paths, configuration };
    }
    const bundled = loadConfigFile();
    const owners = configOwners(bundled.config);
    if (baseModulesApplyTo(owners, repository)) {
      return { router: buildRouter(bundled.config, bundled.registry), repository, paths, configuration: "bundled PyTorch configuration" };
    }
    const noFile = noConfigFile(repository, owners);
    const codeowners = root ? locateCodeowners(root) : undefined;
    if (codeowners === undefined) {
      const where = root ? "" : "; run inside its checkout to use its CODEOWNERS, or give --config FILE";
      return { repository, nothing: `${nothingAppliesReason(noFile)}: nothing applies${where}` };
    }
    const path = relative(root!, codeowners).split("\\").join("/");
    const routing = codeownersRouting(defaultsWithoutModules(bundled.raw, bundled.registry), bundled.registry, {
      path,
      text: readFileSync(codeowners, "utf8"),
    });
    for (const p of routing.problems) io.stderr(formatProblem(p) + "\n");
    return { router: routing.router, repository, paths, configuration: zeroConfigSource(path) };
  } catch (err) {
    return reportLoadError(io, err);
  }
}
