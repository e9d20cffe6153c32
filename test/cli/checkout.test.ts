import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findCheckoutRoot, findRepoConfig, isInside, originOf } from "../../src/cli/checkout.js";
import { tempCheckout } from "../helpers/git.js";

describe("checkout", () => {
  it("finds the root from a subdirectory, and the origin's repository", () => {
    const root = tempCheckout("git@ghe.example.com:me/proj.git");
    mkdirSync(join(root, "a", "b"), { recursive: true });
    expect(findCheckoutRoot(join(root, "a", "b"))).toBe(root);
    expect(originOf(root)).toEqual({ host: "ghe.example.com", repository: "me/proj" });
    expect(originOf(tempCheckout())).toBeUndefined();
  });

  it("finds .github/review-router.yml in the nearest directory up to the root, and never above it", () => {
    const outer = tempCheckout();
    mkdirSync(join(outer, ".github"));
    writeFileSync(join(outer, ".github", "review-router.yml"), "modules: []\n");
    const root = join(outer, "inner");
    mkdirSync(join(root, "src", "deep"), { recursive: true });
    execFileSync("git", ["init", "-q", root]);
    expect(findRepoConfig(join(root, "src", "deep"), root)).toBeUndefined();
    mkdirSync(join(root, ".github"));
    writeFileSync(join(root, ".github", "review-router.yml"), "modules: []\n");
    expect(findRepoConfig(join(root, "src", "deep"), root)).toBe(join(root, ".github", "review-router.yml"));
    mkdirSync(join(root, "src", ".github"));
    writeFileSync(join(root, "src", ".github", "review-router.yml"), "modules: []\n");
    expect(findRepoConfig(join(root, "src", "deep"), root)).toBe(join(root, "src", ".github", "review-router.yml"));
  });

  it("tells inside from outside", () => {
    expect(isInside("/a/b/c", "/a/b")).toBe(true);
    expect(isInside("/a/b", "/a/b")).toBe(true);
    expect(isInside("/a/bc", "/a/b")).toBe(false);
    expect(isInside("/a", "/a/b")).toBe(false);
  });
});
