// Reading configuration and registry files from disk: the only file I/O the CLI and the app's
// start-up need. Everything after reading is the pure core.

import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig, type RouterConfig } from "../core/config.js";
import { ConfigError, hasErrors, type Problem } from "../core/problems.js";
import { parseRegistry, type Registry } from "../core/registry.js";
import { buildRouter, type Router } from "../core/router.js";

/** The project root: two levels above this file in both src/ (tsx, vitest) and dist/src/. */
function projectRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = resolve(here, "..", "..");
  if (dir.endsWith("/dist") || dir.endsWith("\\dist")) dir = dirname(dir);
  return dir;
}

export const BUNDLED_CONFIG = resolve(projectRoot(), "config", "pytorch", "review-router.yml");
export const BUNDLED_REGISTRY = resolve(projectRoot(), "config", "pytorch", "registry.yml");

/** A path as people should read it in messages: relative to the working directory when shorter. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && rel.length < file.length ? rel : file;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError([
      { file: displayPath(file), severity: "error", message: `cannot read the file (${e.code ?? e.message}); check the path` },
    ]);
  }
}

export function loadRegistryFile(file: string): { registry?: Registry; problems: Problem[] } {
  return parseRegistry(readText(file), displayPath(file));
}

export interface LoadedConfig {
  config: RouterConfig;
  registry: Registry;
  configFile: string;
  registryFile: string;
  problems: Problem[];
}

/**
 * Load a configuration file and the registry it names (default: the bundled registry).
 * Throws ConfigError, carrying every problem, when either has errors.
 */
export function loadConfigFile(file: string = BUNDLED_CONFIG): LoadedConfig {
  const text = readText(file);
  // First pass without the registry, to learn which registry the file names.
  const first = parseConfig(text, displayPath(file));
  if (!first.config || hasErrors(first.problems)) throw new ConfigError(first.problems);
  const registryFile = first.config.registryFile ? resolve(dirname(file), first.config.registryFile) : BUNDLED_REGISTRY;
  const reg = loadRegistryFile(registryFile);
  if (!reg.registry || hasErrors(reg.problems)) throw new ConfigError(reg.problems);
  const second = parseConfig(text, displayPath(file), reg.registry);
  const problems = [...reg.problems, ...second.problems];
  if (!second.config || hasErrors(problems)) throw new ConfigError(problems);
  return { config: second.config, registry: reg.registry, configFile: file, registryFile, problems };
}

export function loadRouter(file?: string): { router: Router; loaded: LoadedConfig } {
  const loaded = loadConfigFile(file);
  return { router: buildRouter(loaded.config, loaded.registry), loaded };
}
