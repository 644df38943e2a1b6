/**
 * Regenerates every committed artifact derived from a single source: the model types and the
 * bundled editor schema (from the JSON Schemas), and docs/review.md (from the review registry).
 * Tests fail when a committed copy is stale; run `npm run generate` to refresh them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../core/package-root.js";
import { renderBundledSchema } from "./bundled-schema.js";
import { renderModelTypes } from "./model-types.js";
import { renderReviewDoc } from "./review-doc.js";

const root = packageRoot();
const outputs: Array<[string, string]> = [
  ["core/model.generated.ts", await renderModelTypes(join(root, "schemas"))],
  ["schemas/policy.schema.json", await renderBundledSchema(join(root, "schemas"))],
  ["docs/review.md", await renderReviewDoc(root)],
];
for (const [path, text] of outputs) {
  writeFileSync(join(root, path), text);
  process.stdout.write(`generated ${path}\n`);
}
