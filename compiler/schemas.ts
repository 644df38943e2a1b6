import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { packageRoot } from "../core/package-root.js";

/** The declaration kinds, each with its schema file. */
export const KIND_SCHEMAS = {
  Org: "org.schema.json",
  Network: "network.schema.json",
  Profile: "profile.schema.json",
  PermissionSet: "permission-set.schema.json",
  PermissionSetGroup: "permission-set-group.schema.json",
  ConnectedApp: "connected-app.schema.json",
  User: "user.schema.json",
  Site: "site.schema.json",
  Test: "test.schema.json",
  Acknowledgement: "acknowledgement.schema.json",
} as const;

/** A declaration kind. */
export type Kind = keyof typeof KIND_SCHEMAS;

/** Every schema file in `schemas/`, in the order they are registered. */
export const SCHEMA_FILES = [
  "common.schema.json",
  "request.schema.json",
  "decision.schema.json",
  ...Object.values(KIND_SCHEMAS),
] as const;

/** The URI prefix of every Gatehouse schema `$id`. */
export const SCHEMA_BASE = "https://gatehouse.dev/schemas/v1/";

/** Reads one schema file of Gatehouse's own. */
export function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot(), "schemas", file), "utf8")) as Record<string, unknown>;
}

/** A fresh Ajv instance configured the way every Gatehouse validator is. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  ajv.addKeyword({ keyword: "x-enumDescriptions", schemaType: "object" });
  for (const file of SCHEMA_FILES) ajv.addSchema(readSchema(file));
  return ajv;
}

let validators: Map<string, ValidateFunction> | undefined;

/** The compiled validator of a declaration kind or of `request`/`decision`. */
export function validatorFor(kind: Kind | "request" | "decision"): ValidateFunction {
  validators ??= new Map();
  let v = validators.get(kind);
  if (!v) {
    const file =
      kind === "request" ? "request.schema.json" : kind === "decision" ? "decision.schema.json" : KIND_SCHEMAS[kind];
    const ajv = sharedAjv();
    v = ajv.getSchema(SCHEMA_BASE + file);
    // INVARIANT: every file in SCHEMA_FILES is registered under SCHEMA_BASE + file.
    if (!v) throw new Error(`gatehouse: schema ${file} is not registered`);
    validators.set(kind, v);
  }
  return v;
}

let ajvInstance: Ajv2020 | undefined;
function sharedAjv(): Ajv2020 {
  ajvInstance ??= createAjv();
  return ajvInstance;
}
