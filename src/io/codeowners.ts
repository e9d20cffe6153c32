// Reading a repository's CODEOWNERS from disk, where GitHub looks for it.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { findCodeownersPath, parseCodeowners, type Codeowners } from "../core/codeowners.js";

/** The repository a configuration file belongs to: the parent of `.github/`, else the file's folder. */
export function repositoryRootOf(configFile: string): string {
  const dir = dirname(configFile);
  return basename(dir) === ".github" ? dirname(dir) : dir;
}

/** The CODEOWNERS file GitHub would use in the checkout at `root`, or undefined when there is none. */
export function locateCodeowners(root: string): string | undefined {
  const found = findCodeownersPath((p) => {
    const full = join(root, p);
    return existsSync(full) && statSync(full).isFile();
  });
  return found === undefined ? undefined : join(root, found);
}

/** Read and parse a CODEOWNERS file; `shown` is the name problems use. */
export function readCodeowners(file: string, shown: string): Codeowners {
  return parseCodeowners(readFileSync(file, "utf8"), shown);
}
