/**
 * Generates the runtime's precompiled request validator: ajv's standalone code for
 * schemas/request.schema.json, so the runtime compiles no schema at start-up and needs neither
 * ajv's compiler nor its runtime helpers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneModule from "ajv/dist/standalone/index.js";
import * as prettier from "prettier";

/** Keywords that only annotate a schema; dropping them cannot change what it accepts. */
const ANNOTATIONS = new Set(["title", "description", "examples", "x-enumDescriptions", "$comment"]);

/** Keywords whose value maps names to subschemas (the names themselves are not keywords). */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs"]);

/** The schema without annotations, so the generated module carries only what validation reads. */
export function stripAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripAnnotations);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    out[key] =
      SCHEMA_MAPS.has(key) && typeof value === "object" && value !== null
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, stripAnnotations(sub)]),
          )
        : stripAnnotations(value);
  }
  return out;
}

// ajv's standalone entry is CommonJS with a default export; under ESM it may arrive wrapped.
const standaloneCode = ((standaloneModule as unknown as { default?: typeof standaloneModule }).default ??
  standaloneModule) as unknown as (ajv: Ajv2020, validate: unknown) => string;

/** The text of wasm/request-validator.generated.ts for the request schema in `schemaDir`. */
export async function renderRequestValidator(schemaDir: string): Promise<string> {
  const schema = stripAnnotations(JSON.parse(readFileSync(join(schemaDir, "request.schema.json"), "utf8"))) as object;
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    strictRequired: false,
    allErrors: false,
    messages: false,
    // Lengths in code points (SEMANTICS.md §1, ajv's default), as the policy's `count` and the
    // compiler's schema count them; ajv's length helper is inlined below so the runtime imports nothing.
    logger: {
      log: () => undefined,
      warn: (message: string) => {
        throw new Error(String(message));
      },
      error: (message: string) => {
        throw new Error(String(message));
      },
    },
    code: { source: true, esm: true, optimize: true },
  });
  const validate = ajv.compile(schema);
  // ajv's standalone code requires its code-point length helper; it is replaced by the same count
  // written out (a surrogate pair is one code point, a lone surrogate one too, as in ajv's).
  const code = standaloneCode(ajv, validate).replace(
    /require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g,
    "((text) => { let n = 0; for (const _ of text) n++; return n; })",
  );
  // INVARIANT: the generated code is self-contained; an import would pull ajv into the runtime.
  if (/\brequire\s*\(|^\s*import\b/m.test(code))
    throw new Error("ajv's standalone code for the request schema imports a module");
  const body = code
    .replace(/^"use strict";\s*/, "")
    .replace(/^export const validate = (\w+);\s*export default \1;\s*/m, "const validate = $1;\n");
  const source = `// Generated from schemas/request.schema.json by \`npm run generate\` (ajv standalone code); do not edit.
// A test regenerates this file and fails when it differs from the schema.
/* eslint-disable -- generated code, checked by regeneration instead */
// @ts-nocheck -- ajv's standalone output is untyped JavaScript; its one export is typed below.

/** Whether a value satisfies schemas/request.schema.json (annotations dropped, lengths in code points). */
export const validateRequest: (request: unknown) => boolean = (request) => validate(request);

${body}`;
  const options = (await prettier.resolveConfig(join(schemaDir, "..", "package.json"))) ?? {};
  return prettier.format(source, { ...options, parser: "typescript" });
}
