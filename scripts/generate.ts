/**
 * Regenerates every committed artifact derived from a single source: the model types, the
 * bundled editor schema and the runtime's precompiled request validator (from the JSON Schemas). Tests fail when a committed copy is stale;
 * run `npm run generate` to refresh them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../core/package-root.js";
import { renderBundledSchema } from "./bundled-schema.js";
import { renderModelTypes } from "./model-types.js";
import { renderRequestValidator } from "./request-validator.js";

const root = packageRoot();
const outputs: Array<[string, string]> = [
  ["core/model.generated.ts", await renderModelTypes(join(root, "schemas"))],
  ["schemas/policy.schema.json", await renderBundledSchema(join(root, "schemas"))],
  ["wasm/request-validator.generated.ts", await renderRequestValidator(join(root, "schemas"))],
];
for (const [path, text] of outputs) {
  writeFileSync(join(root, path), text);
  process.stdout.write(`generated ${path}\n`);
}
