// `npm run schema`: write every file generated from a declaration in src/core: the
// configuration's JSON Schema (schema/review-router.schema.json) and its reference
// (docs/config-reference.md), both from src/core/config.ts, and the plan document's JSON Schema
// (schema/plan-document.schema.json) from src/core/plan-document.ts. Tests fail while any is stale.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configSchemaText } from "../src/core/config.js";
import { configReferenceText } from "../src/core/config-reference.js";
import { planDocumentSchemaText } from "./plan-schema.js";

const outputs: [string, () => string][] = [
  ["../schema/review-router.schema.json", configSchemaText],
  ["../docs/config-reference.md", configReferenceText],
  ["../schema/plan-document.schema.json", planDocumentSchemaText],
];
for (const [relative, text] of outputs) {
  const out = fileURLToPath(new URL(relative, import.meta.url));
  writeFileSync(out, text());
  console.log(`wrote ${out}`);
}
