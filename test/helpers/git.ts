// Temporary git checkouts for the CLI's tests.
import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh git checkout with `origin` set to `url` (none when undefined). */
export function tempCheckout(url?: string): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "review-router-checkout-")));
  execFileSync("git", ["init", "-q", root]);
  if (url) execFileSync("git", ["-C", root, "remote", "add", "origin", url]);
  return root;
}
