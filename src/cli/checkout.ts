// What the CLI learns from the git checkout it runs in: the checkout's root, the repository its
// `origin` remote points at, and the repository's own `.github/review-router.yml`. Outside any
// checkout every answer is "none", and the CLI falls back to the bundled configuration.

import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseRemoteUrl, type RemoteRepository } from "./remote.js";

export const REPO_CONFIG_PATH = join(".github", "review-router.yml");

/** The nearest directory at or above `cwd` holding `.git` (a directory, or a worktree's file). */
export function findCheckoutRoot(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The repository `origin` points at, read with git itself (so worktrees and includes work). */
export function originOf(root: string): RemoteRepository | undefined {
  return remoteOf(root, "origin");
}

/** The repository the remote `name` points at (`upstream` in a fork's checkout, by convention). */
export function remoteOf(root: string, name: string): RemoteRepository | undefined {
  let url: string;
  try {
    url = execFileSync("git", ["-C", root, "config", "--get", `remote.${name}.url`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return undefined; // no origin, or git is not installed
  }
  return parseRemoteUrl(url);
}

/** `.github/review-router.yml` in `cwd` or the nearest directory above it, up to the checkout root. */
export function findRepoConfig(cwd: string, root: string): string | undefined {
  for (let dir = resolve(cwd); isInside(dir, root); dir = dirname(dir)) {
    const file = join(dir, REPO_CONFIG_PATH);
    if (existsSync(file) && statSync(file).isFile()) return file;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
  return undefined;
}

/** Whether `path` is `root` or below it. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !/^[A-Za-z]:|^\//.test(rel));
}
