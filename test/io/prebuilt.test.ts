import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLED_CONFIG, BUNDLED_REGISTRY, checkBundledYaml, checkConfigFile } from "../../src/io/files.js";
import { prebuiltPath, readPrebuilt, writePrebuilt } from "../../src/io/prebuilt.js";

/** A copy of the bundled files in a scratch project, and its prebuilt file written from the checked YAML. */
function scratch() {
  const root = mkdtempSync(join(tmpdir(), "review-router-prebuilt-"));
  mkdirSync(join(root, "config", "pytorch"), { recursive: true });
  const config = join(root, "config", "pytorch", "review-router.yml");
  const registry = join(root, "config", "pytorch", "registry.yml");
  copyFileSync(BUNDLED_CONFIG, config);
  copyFileSync(BUNDLED_REGISTRY, registry);
  const { loaded, problems } = checkBundledYaml();
  expect(problems).toEqual([]);
  const written = writePrebuilt(config, { ...loaded!, registryFile: registry });
  return { root, config, registry, loaded: loaded!, written };
}

describe("the prebuilt bundled configuration", () => {
  it("reads back exactly what checking the YAML gives, from dist/config beside config/", () => {
    const { root, config, registry, loaded, written } = scratch();
    expect(written).toBe(join(root, "dist", "config", "pytorch.json"));
    expect(prebuiltPath(config)).toBe(written);
    const pre = readPrebuilt(config, readFileSync(config, "utf8"));
    expect(pre).toBeDefined();
    expect(pre!.config).toEqual(loaded.config);
    expect(pre!.registry).toEqual(loaded.registry);
    expect(pre!.raw).toEqual(loaded.raw);
    expect(pre!.registryFile).toBe(registry);
  });

  it("is stale, and not used, once the configuration or the registry text changes or the file is torn", () => {
    const { config, registry, written } = scratch();
    const text = readFileSync(config, "utf8");
    expect(readPrebuilt(config, `${text}\n# edited\n`)).toBeUndefined();
    writeFileSync(registry, `${readFileSync(registry, "utf8")}\n# edited\n`);
    expect(readPrebuilt(config, text)).toBeUndefined();
    copyFileSync(BUNDLED_REGISTRY, registry);
    expect(readPrebuilt(config, text)).toBeDefined();
    writeFileSync(written, readFileSync(written, "utf8").slice(0, 1000));
    expect(readPrebuilt(config, text)).toBeUndefined();
  });

  it("is what the CLI and the app load for the bundled configuration, checked once per process", () => {
    const first = checkConfigFile();
    expect(checkConfigFile(BUNDLED_CONFIG, "pytorch/vision")).toBe(first);
    expect(first.loaded!.config).toEqual(checkBundledYaml().loaded!.config);
  });
});
