import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { packageRoot } from "../core/package-root.js";

/** A compiled check of the request contract (schemas/request.schema.json). */
export type RequestCheck = (request: unknown) => boolean;

let compiled: RequestCheck | undefined;

/**
 * The request validator, compiled once per process. It is at least as strict as the policy's
 * own validation, so a request it accepts may skip that validation (a test proves agreement).
 */
export function requestCheck(): RequestCheck {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(join(packageRoot(), "schemas", "request.schema.json"), "utf8")) as object;
  const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true, strictRequired: false });
  ajv.addKeyword({ keyword: "x-enumDescriptions", schemaType: "object" });
  const validate = ajv.compile(schema);
  compiled = (request) => validate(request);
  return compiled;
}
