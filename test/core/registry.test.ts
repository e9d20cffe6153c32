import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { countMaintainers, findEntry, loginKey, parseRegistry, registryLogins, sameLogin } from "../../src/core/registry.js";

const BUNDLED = "config/pytorch/registry.yml";

describe("parseRegistry on the bundled PyTorch registry", () => {
  const { registry, problems } = parseRegistry(readFileSync(BUNDLED, "utf8"), BUNDLED);

  it("reads every entry with no problems", () => {
    expect(problems).toEqual([]);
    expect(registry?.source).toBe("PyTorch Governance | Maintainers");
    expect(registry?.entries).toHaveLength(37);
    expect(countMaintainers(registry!)).toEqual({ listed: 182, emeritus: 54 });
  });

  it("keeps levels, emeritus flags and the logins' case", () => {
    expect(findEntry(registry!, "lead core maintainer (bdfl)")?.level).toBe("lead");
    expect(findEntry(registry!, "TorchVision")?.level).toBe("library");
    const nn = findEntry(registry!, "NN APIs (torch.nn)")!;
    expect(nn.maintainers.find((m) => m.login === "colesbury")?.emeritus).toBe(true);
    expect(nn.maintainers.find((m) => m.login === "albanD")?.emeritus).toBe(false);
    expect(findEntry(registry!, "Build + CI")?.maintainers.find((m) => m.login === "alband")).toBeDefined();
  });

  it("counts albanD and alband as one login", () => {
    const logins = registryLogins(registry!);
    expect(logins.has("alband")).toBe(true);
    expect(logins.has("albanD")).toBe(false); // keys are lower case
    expect([...logins].filter((l) => l === "alband")).toHaveLength(1);
  });
});

describe("loginKey", () => {
  it("compares GitHub logins without regard to case or surrounding spaces", () => {
    expect(loginKey("albanD")).toBe(loginKey("alband"));
    expect(loginKey(" H-Huang ")).toBe("h-huang");
    expect(sameLogin("ZainRizvi", "zainrizvi")).toBe(true);
    expect(sameLogin("ezyang", "ezyang2")).toBe(false);
  });
});

describe("parseRegistry problems", () => {
  const text = [
    "source: Test page", // 1
    "owner: someone", // 2  unknown top-level key
    "entries:", // 3
    "  - name: Autograd", // 4
    "    level: module", // 5
    "    maintainers:", // 6
    "      - login: ezyang", // 7
    "        name: Edward Yang", // 8
    "        github: ezyang", // 9  unknown maintainer key
    "      - name: No Login", // 10 missing login
    "      - login: alband", // 11
    '        emeritus: "yes"', // 12 not a boolean
    "  - name: autograd", // 13 duplicate (names compare without case)
    "    level: module", // 14
    "    maintainers: []", // 15
  ].join("\n");

  it("names the line and key of each problem", () => {
    const { problems } = parseRegistry(text, "registry.yml");
    expect(problems.map((p) => ({ line: p.line, key: p.key, severity: p.severity }))).toEqual([
      { line: 2, key: "owner", severity: "error" },
      { line: 9, key: "entries[0].maintainers[0].github", severity: "error" },
      { line: 10, key: "entries[0].maintainers[1].login", severity: "error" },
      { line: 12, key: "entries[0].maintainers[2].emeritus", severity: "error" },
      { line: 13, key: "entries[1].name", severity: "error" },
    ]);
    expect(problems.every((p) => p.file === "registry.yml")).toBe(true);
    expect(problems[0]!.message).toContain("unknown key");
    expect(problems[2]!.message).toContain("must be a GitHub login");
    expect(problems[3]!.message).toBe("must be true or false");
    expect(problems[4]!.message).toBe('duplicate entry name "autograd" (first at entries[0])');
  });

  it("still returns what it could read", () => {
    const { registry } = parseRegistry(text, "registry.yml");
    expect(registry?.entries.map((e) => e.name)).toEqual(["Autograd", "autograd"]);
    // The maintainer without a login is left out; the others are kept.
    expect(registry?.entries[0]?.maintainers.map((m) => m.login)).toEqual(["ezyang", "alband"]);
  });
});
