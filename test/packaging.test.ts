// What ships: the Docker build context and image, the licence, the engines. Read from the files
// themselves, since building the image needs a registry this machine does not reach.

import { readFileSync } from "node:fs";
import { minimatch } from "minimatch";
import { describe, expect, it } from "vitest";

const read = (f: string) => readFileSync(new URL(`../${f}`, import.meta.url), "utf8");
const pkg = JSON.parse(read("package.json")) as { license: string; engines: { node: string } };

describe("Docker", () => {
  const ignore = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const dockerfile = read("Dockerfile");

  it("keeps local installs, secrets, tests and benchmarks out of the build context", () => {
    const ignored = (path: string) => ignore.some((p) => minimatch(path, p, { dot: true }) || path.startsWith(`${p}/`));
    for (const path of ["node_modules", ".env", ".env.production", "app.pem", "private-key.pem", "test", "bench", "dist"]) {
      expect(ignored(path), path).toBe(true);
    }
    const kept = ["src", "config", "app.yml", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "LICENSE"];
    for (const path of kept) {
      expect(ignored(path), path).toBe(false);
    }
  });

  it("builds from a supported Node.js LTS and copies no benchmark code", () => {
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    // The Active LTS line on Node's schedule (26 from 2026-10-28), not one in maintenance.
    for (const base of bases) expect(base).toMatch(/^node:26[-.]/);
    expect(dockerfile).not.toMatch(/^COPY\b.*\bbench\b/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist\/src \.\/dist\/src$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production/m);
  });
});

describe("package", () => {
  it("carries the licence package.json names, and still runs on Node.js 20.18", () => {
    expect(pkg.license).toBe("MIT");
    expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) 2026 review-router contributors\n/);
    expect(pkg.engines.node).toBe(">=20.18");
  });
});
