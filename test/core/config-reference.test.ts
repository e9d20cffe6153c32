// The configuration reference is generated from the declaration: the committed file must be what
// `npm run schema` writes, and it must name every key the checker takes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_FIELDS } from "../../src/core/config.js";
import { configReferenceText } from "../../src/core/config-reference.js";

const committed = readFileSync(new URL("../../docs/config-reference.md", import.meta.url), "utf8");

describe("docs/config-reference.md", () => {
  it("is what `npm run schema` writes now (run it and commit the file when this fails)", () => {
    expect(committed).toBe(configReferenceText());
  });

  it("has a row for every top-level key, inline tables' keys at the top level", () => {
    const keys = CONFIG_FIELDS.flatMap((f) => (f.kind === "table" && "inline" in f && f.inline ? f.fields.map((g) => g.key) : [f.key]));
    expect(keys).toContain("reroute_after_hours");
    for (const key of keys) expect(committed).toContain(`| \`${key}\` |`);
  });

  it("gives each nested key its path and each default as declared", () => {
    expect(committed).toContain("| `modules[].areas[].label` | text | required |");
    expect(committed).toContain("| `max_reviewers` | whole number, 0 to 15 | `3` |");
    expect(committed).toContain("| `summary` | `check` or `comment` or `none` | `check` |");
  });
});
