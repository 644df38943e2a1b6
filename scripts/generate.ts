/**
 * Regenerates every committed artifact derived from a single source: the model types, the
 * bundled editor schema and the runtime's precompiled request validator (from the JSON
 * Schemas), docs/diagnostics.md (from the diagnostic code registry), docs/reasons.md (from
 * core/codes.ts) and docs/review.md (from the review registry). Tests fail when a committed copy
 * is stale; run `npm run generate` to refresh them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { packageRoot } from "../core/package-root.js";
import { renderBundledSchema } from "./bundled-schema.js";
import { renderDiagnosticsDoc } from "./diagnostics-doc.js";
import { renderModelTypes } from "./model-types.js";
import { renderReasonsDoc } from "./reasons-doc.js";
import { renderReviewDoc } from "./review-doc.js";
import { renderRequestValidator } from "./request-validator.js";

const root = packageRoot();
const prettierOptions = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
const outputs: Array<[string, string]> = [
  ["core/model.generated.ts", await renderModelTypes(join(root, "schemas"))],
  ["schemas/policy.schema.json", await renderBundledSchema(join(root, "schemas"))],
  ["docs/diagnostics.md", await renderDiagnosticsDoc(root)],
  ["docs/reasons.md", await prettier.format(renderReasonsDoc(), { ...prettierOptions, parser: "markdown" })],
  ["docs/review.md", await renderReviewDoc(root)],
  ["wasm/request-validator.generated.ts", await renderRequestValidator(join(root, "schemas"))],
];
for (const [path, text] of outputs) {
  writeFileSync(join(root, path), text);
  process.stdout.write(`generated ${path}\n`);
}
