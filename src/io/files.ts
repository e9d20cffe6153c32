// Reading configuration and registry files from disk: the only file I/O the CLI and the app's
// start-up need. Everything after reading is the pure core.

import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withCodeowners } from "../core/codeowners-modules.js";
import { checkConfig, registryFileOf, type RouterConfig } from "../core/config.js";
import { baseModulesApplyTo, configOwners, resolveLayered } from "../core/layering.js";
import { ConfigError, hasErrors, type Problem } from "../core/problems.js";
import { checkRegistry, parseRegistry, type Registry } from "../core/registry.js";
import { buildRouter, type Router } from "../core/router.js";
import { isPlainObject } from "../core/util.js";
import { parseYaml, type ParsedYaml } from "../core/yaml.js";
import { locateCodeowners, readCodeowners, repositoryRootOf } from "./codeowners.js";
import { readPrebuilt } from "./prebuilt.js";

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
  /** The file as parsed, before any layering. */
  raw: Record<string, unknown>;
}

/** Read and parse a YAML file; unreadable or invalid, the problem says so. */
function readYamlFile(file: string): { doc: ParsedYaml } | { problems: Problem[] } {
  let text: string;
  try {
    text = readText(file);
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems };
    throw err;
  }
  const parsed = parseYaml(text, displayPath(file));
  return parsed.ok ? { doc: parsed.doc } : { problems: [parsed.problem] };
}

/** The repository a layered file is read for (OWNER/NAME): it decides whether the bundled modules apply. */
export const DEFAULT_REPOSITORY = "pytorch/pytorch";

/**
 * Read and check a configuration file, never throwing for what is in it. A file that names a
 * `registry` stands alone; one that names none is read as the app reads a repository's
 * `.github/review-router.yml` in `repository`: layered over the bundled configuration.
 */
export function checkConfigFile(
  file: string = BUNDLED_CONFIG,
  repository = DEFAULT_REPOSITORY,
): { loaded?: LoadedConfig; problems: Problem[] } {
  if (file === BUNDLED_CONFIG) return checkBundled();
  const read = readYamlFile(file);
  return "doc" in read ? addCodeowners(file, checkConfigDoc(file, read.doc, repository)) : { problems: read.problems };
}

/** The bundled configuration, checked once per process (it is the same for every repository). */
let bundledChecked: Checked | undefined;

/** From the file `npm run build` wrote when it was made from these texts by this checker (prebuilt.ts), else from the YAML. */
function checkBundled(): Checked {
  if (bundledChecked) return bundledChecked;
  let text: string | undefined;
  try {
    text = readFileSync(BUNDLED_CONFIG, "utf8");
  } catch {
    text = undefined; // reported by the YAML path below
  }
  const pre = text === undefined ? undefined : readPrebuilt(BUNDLED_CONFIG, text);
  if (pre) {
    const { config, registry, registryFile, problems, raw } = pre;
    bundledChecked = { loaded: { config, registry, configFile: BUNDLED_CONFIG, registryFile, problems, raw }, problems };
  } else {
    bundledChecked = checkBundledYaml();
  }
  return bundledChecked;
}

/** The bundled configuration checked from its YAML, never from the prebuilt file (the build writes that from this). */
export function checkBundledYaml(): Checked {
  const read = readYamlFile(BUNDLED_CONFIG);
  return "doc" in read
    ? addCodeowners(BUNDLED_CONFIG, checkConfigDoc(BUNDLED_CONFIG, read.doc, DEFAULT_REPOSITORY))
    : { problems: read.problems };
}

/**
 * With `codeowners: true`, the repository's CODEOWNERS (found where GitHub looks, beside the
 * configuration's `.github/`) adds its modules. Lines GitHub would skip are reported as
 * warnings: the rest of the file still routes, as on GitHub.
 */
type Checked = { loaded?: LoadedConfig; problems: Problem[] };

function addCodeowners(file: string, result: Checked): Checked {
  const { loaded } = result;
  if (!loaded?.config.app.codeowners) return result;
  const found = locateCodeowners(repositoryRootOf(resolve(file)));
  if (!found) {
    const problems: Problem[] = [
      ...result.problems,
      {
        file: displayPath(file),
        key: "codeowners",
        severity: "warning",
        message: "no CODEOWNERS in .github/, the root or docs/ of this repository; only the configuration's modules apply",
      },
    ];
    return { loaded: { ...loaded, problems }, problems };
  }
  const co = readCodeowners(found, displayPath(found));
  const problems = [...result.problems, ...co.problems.map((p) => ({ ...p, severity: "warning" as const }))];
  return { loaded: { ...loaded, config: withCodeowners(loaded.config, co), problems }, problems };
}

/** Every problem of one file, a registry (told apart by its `entries` key) or a configuration. */
export function checkAnyFile(file: string, repository = DEFAULT_REPOSITORY): Problem[] {
  const read = readYamlFile(file);
  if (!("doc" in read)) return read.problems;
  const value = read.doc.value;
  if (isPlainObject(value) && "entries" in value) {
    return checkRegistry(read.doc, displayPath(file)).problems;
  }
  return addCodeowners(file, checkConfigDoc(file, read.doc, repository)).problems;
}

function checkConfigDoc(file: string, parsed: ParsedYaml, repository: string): { loaded?: LoadedConfig; problems: Problem[] } {
  const shown = displayPath(file);
  const value = parsed.value;
  const raw = isPlainObject(value) ? value : {};
  if (file !== BUNDLED_CONFIG && (value === null || value === undefined || !("registry" in raw))) {
    const base = checkConfigFile(BUNDLED_CONFIG);
    if (!base.loaded) return { problems: base.problems };
    const doc = { value: value ?? {}, lineOf: parsed.lineOf };
    const layer = { baseModules: baseModulesApplyTo(configOwners(base.loaded.config), repository) };
    const layered = resolveLayered(base.loaded.raw, base.loaded.registry, doc, shown, layer);
    if (!layered.config) return { problems: layered.problems };
    return {
      loaded: { ...base.loaded, config: layered.config, configFile: file, problems: layered.problems, raw },
      problems: layered.problems,
    };
  }
  if (value !== null && value !== undefined && !isPlainObject(value)) return checkConfig(parsed, shown); // not a mapping
  // The registry the file names is read first, so that the file is checked once, against it.
  const named = registryFileOf(value);
  const registryFile = named ? resolve(dirname(file), named) : BUNDLED_REGISTRY;
  let reg;
  try {
    reg = loadRegistryFile(registryFile);
  } catch (err) {
    if (err instanceof ConfigError) return { problems: [...checkConfig(parsed, shown).problems, ...err.problems] };
    throw err;
  }
  if (!reg.registry || hasErrors(reg.problems)) return { problems: [...checkConfig(parsed, shown).problems, ...reg.problems] };
  const checked = checkConfig(parsed, shown, reg.registry);
  const problems = [...reg.problems, ...checked.problems];
  if (!checked.config || hasErrors(problems)) return { problems };
  return { loaded: { config: checked.config, registry: reg.registry, configFile: file, registryFile, problems, raw }, problems };
}

/** Load a configuration file; throws ConfigError, carrying every problem, when it has errors. */
export function loadConfigFile(file: string = BUNDLED_CONFIG, repository = DEFAULT_REPOSITORY): LoadedConfig {
  const { loaded, problems } = checkConfigFile(file, repository);
  if (!loaded || hasErrors(problems)) throw new ConfigError(problems);
  return loaded;
}

export function loadRouter(file?: string, repository = DEFAULT_REPOSITORY): { router: Router; loaded: LoadedConfig } {
  const loaded = loadConfigFile(file, repository);
  return { router: buildRouter(loaded.config, loaded.registry), loaded };
}
