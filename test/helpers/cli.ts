// Running the CLI from source as a child process, and reading what `route --json` prints.
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PullRequestPlanDocument } from "../../src/core/plan-document.js";
import type { RouteDecision } from "../../src/core/route.js";

export const CLI_MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
export const TSX = import.meta.resolve("tsx");

/** A scratch directory outside any git checkout: the CLI's defaults there do not depend on this checkout's remotes. */
export function outsideCheckout(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), "review-router-nogit-")));
}

/** `review-router ARGS` in `cwd` (default: a scratch directory outside any checkout). */
export function runCliProcess(args: string[], o: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, ["--import", TSX, CLI_MAIN, ...args], {
    cwd: o.cwd ?? outsideCheckout(),
    input: o.input ?? "",
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The routing decision in a `route --json` plan document (failing loudly on any other document). */
export function decisionOf(stdout: string): RouteDecision {
  const doc = JSON.parse(stdout) as PullRequestPlanDocument;
  if (doc.kind !== "pull_request") throw new Error(`expected a pull request plan document, got ${stdout}`);
  return doc.plan.decision;
}
