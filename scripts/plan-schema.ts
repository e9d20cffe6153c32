// The plan document's JSON Schema (schema/plan-document.schema.json), generated from the types in
// src/core/plan-document.ts by ts-json-schema-generator, so that the schema follows the plan: a
// field added to the core's PullRequestPlan appears in it at the next `npm run schema`.

import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export function planDocumentSchema(): Record<string, unknown> {
  const schema = createGenerator({
    path: root("src/core/plan-document.ts"),
    tsconfig: root("tsconfig.json"),
    type: "PlanDocument",
    // `tsc` checks the types; the generator only reads them.
    skipTypeCheck: true,
    additionalProperties: false,
    // Comments become descriptions; the order of keys is the types' own, so the text is stable.
    jsDoc: "extended",
  }).createSchema("PlanDocument");
  return {
    $schema: schema.$schema,
    title: "review-router plan document",
    description: "What `review-router route --json` prints, offline and online (src/core/plan-document.ts).",
    ...schema,
  };
}

export function planDocumentSchemaText(): string {
  return `${JSON.stringify(planDocumentSchema(), null, 2)}\n`;
}
