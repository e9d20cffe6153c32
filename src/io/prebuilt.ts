// The bundled configuration, checked at build time. Checking its ~500 globs and maintainers
// costs a start of the CLI more than routing does, and the result only changes with the files
// and the checker: `npm run build` writes it as JSON, keyed by a hash of the bundled YAML texts
// and of the checker's own code, and a start whose key differs (an edited file, a changed
// checker, a missing build) checks the YAML as before.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RouterConfig } from "../core/config.js";
import type { Problem } from "../core/problems.js";
import type { Registry } from "../core/registry.js";

/** What a prebuilt file holds: a LoadedConfig without its paths, which are the bundled ones. */
export interface Prebuilt {
  key: string;
  config: RouterConfig;
  registry: Registry;
  problems: Problem[];
  raw: Record<string, unknown>;
  /** The registry the configuration names, relative to the bundled configuration's directory. */
  registryFile: string;
}

const FORMAT = "review-router prebuilt configuration 1";
/** The modules whose code decides what a checked configuration is: a change to any makes the file stale. */
const CHECKER_MODULES = ["config", "schema", "matcher", "registry", "yaml", "problems", "util"];

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The checker's code as run (compiled .js in dist, .ts under tsx or vitest). */
function checkerCode(): string {
  const core = resolve(dirname(fileURLToPath(import.meta.url)), "..", "core");
  return CHECKER_MODULES.map((m) => readOr(resolve(core, `${m}.js`)) ?? readOr(resolve(core, `${m}.ts`)) ?? `missing ${m}`).join("\0");
}

/** The key of a prebuilt configuration made from these texts by this checker. */
export function prebuiltKey(configText: string, registryText: string): string {
  return createHash("sha256")
    .update(FORMAT)
    .update("\0")
    .update(configText)
    .update("\0")
    .update(registryText)
    .update("\0")
    .update(checkerCode())
    .digest("hex");
}

/** dist/config/pytorch.json beside the project's config/ (the same in src and dist runs). */
export function prebuiltPath(bundledConfig: string): string {
  return resolve(dirname(bundledConfig), "..", "..", "dist", "config", "pytorch.json");
}

/** The prebuilt configuration when its key matches the texts now on disk; undefined otherwise. */
export function readPrebuilt(bundledConfig: string, configText: string): Prebuilt | undefined {
  const text = readOr(prebuiltPath(bundledConfig));
  if (text === undefined) return undefined;
  let data: Prebuilt;
  try {
    data = JSON.parse(text) as Prebuilt;
  } catch {
    return undefined; // a torn or hand-edited file: check the YAML instead
  }
  if (typeof data.registryFile !== "string" || typeof data.key !== "string") return undefined;
  const registryFile = resolve(dirname(bundledConfig), data.registryFile);
  const registryText = readOr(registryFile);
  if (registryText === undefined || data.key !== prebuiltKey(configText, registryText)) return undefined;
  return { ...data, registryFile };
}

export function writePrebuilt(bundledConfig: string, loaded: Omit<Prebuilt, "key">): string {
  const key = prebuiltKey(readFileSync(bundledConfig, "utf8"), readFileSync(loaded.registryFile, "utf8"));
  const out = prebuiltPath(bundledConfig);
  mkdirSync(dirname(out), { recursive: true });
  const registryFile = relative(dirname(bundledConfig), loaded.registryFile);
  const data: Prebuilt = {
    key,
    config: loaded.config,
    registry: loaded.registry,
    problems: loaded.problems,
    raw: loaded.raw,
    registryFile,
  };
  // Written whole, then renamed: a CLI starting meanwhile reads the old file or the new one.
  writeFileSync(`${out}.tmp`, JSON.stringify(data));
  renameSync(`${out}.tmp`, out);
  return out;
}
