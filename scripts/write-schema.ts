// `npm run schema`: write the configuration's JSON Schema, generated from the declarations in
// src/core/config.ts, to schema/review-router.schema.json. A test fails when the file is stale.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configSchemaText } from "../src/core/config.js";

const out = fileURLToPath(new URL("../schema/review-router.schema.json", import.meta.url));
writeFileSync(out, configSchemaText());
console.log(`wrote ${out}`);
