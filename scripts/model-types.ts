/**
 * Generates the TypeScript model types from the JSON Schemas, so the shape of the language is
 * written once. Handles exactly the subset of JSON Schema the Gatehouse schemas use (type,
 * const, enum, properties, required, items, $ref, if/then/else); anything else is an error
 * here rather than a silently wrong type.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { IndentationText, Project, QuoteKind } from "ts-morph";

/** The schema files that define model types, and the name of each root type. */
export const SCHEMA_ROOTS: ReadonlyArray<readonly [file: string, typeName: string]> = [
  ["common.schema.json", ""],
  ["org.schema.json", "OrgDeclaration"],
  ["network.schema.json", "NetworkDeclaration"],
  ["profile.schema.json", "ProfileDeclaration"],
  ["permission-set.schema.json", "PermissionSetDeclaration"],
  ["permission-set-group.schema.json", "PermissionSetGroupDeclaration"],
  ["connected-app.schema.json", "ConnectedAppDeclaration"],
  ["user.schema.json", "UserDeclaration"],
  ["site.schema.json", "SiteDeclaration"],
  ["test.schema.json", "TestDeclaration"],
  ["acknowledgement.schema.json", "AcknowledgementDeclaration"],
  ["request.schema.json", "Request"],
  ["decision.schema.json", "Decision"],
];

type Schema = Record<string, unknown>;

const HANDLED = new Set([
  "$schema",
  "$id",
  "$defs",
  "title",
  "description",
  "examples",
  "default",
  "type",
  "const",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "$ref",
  "if",
  "then",
  "else",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "uniqueItems",
  "minimum",
  "oneOf",
  "x-enumDescriptions",
]);

function pascal(name: string): string {
  return name.replace(/(^|[-_ ])(\w)/g, (_, __, c: string) => c.toUpperCase());
}

function defTypeName(file: string, def: string): string {
  const owner = file === "common.schema.json" ? "" : pascal(file.replace(/\.schema\.json$/, ""));
  const base = pascal(def);
  return owner === "" || base.startsWith(owner) ? base : `${owner}${base}`;
}

function refTypeName(currentFile: string, ref: string): string {
  const [file, fragment] = ref.split("#");
  const target = file === "" || file === undefined ? currentFile : file;
  if (!fragment) {
    const root = SCHEMA_ROOTS.find(([f]) => f === target);
    if (!root || root[1] === "") throw new Error(`model-types: cannot name root of ${target}`);
    return root[1];
  }
  const match = /^\/\$defs\/([A-Za-z0-9]+)$/.exec(fragment);
  if (!match) throw new Error(`model-types: unsupported $ref ${ref}`);
  return defTypeName(target, match[1]!);
}

function literal(value: unknown): string {
  return JSON.stringify(value);
}

function doc(schema: Schema): string {
  const parts = [schema.description].filter((x): x is string => typeof x === "string");
  return parts.join("\n");
}

/** True when a schema denotes a type of its own rather than only constraining its parent's. */
function isTyped(schema: Schema | undefined): boolean {
  return (
    schema !== undefined &&
    ("$ref" in schema || "type" in schema || "if" in schema || "const" in schema || "enum" in schema)
  );
}

function typeOf(schema: Schema, file: string, indent: string): string {
  for (const key of Object.keys(schema)) {
    if (!HANDLED.has(key)) throw new Error(`model-types: unsupported keyword ${key} in ${file}`);
  }
  if (typeof schema.$ref === "string") return refTypeName(file, schema.$ref);
  if ("const" in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(" | ");
  if (schema.if && isTyped(schema.then as Schema)) {
    const branches = [schema.then as Schema, schema.else as Schema | undefined].filter(
      (b): b is Schema => b !== undefined,
    );
    return [...new Set(branches.flatMap((b) => typeOf(b, file, indent).split(" | ")))].join(" | ");
  }
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : typeof schema.type === "string"
      ? [schema.type]
      : [];
  if (types.length === 0) return "unknown";
  return types.map((t) => primitive(t, schema, file, indent)).join(" | ");
}

function primitive(type: string, schema: Schema, file: string, indent: string): string {
  switch (type) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "integer":
    case "number":
      return "number";
    case "null":
      return "null";
    case "array": {
      const item = schema.items ? typeOf(schema.items as Schema, file, indent) : "unknown";
      return item.includes(" ") ? `Array<${item}>` : `${item}[]`;
    }
    case "object":
      return objectType(schema, file, indent);
    default:
      throw new Error(`model-types: unsupported type ${type}`);
  }
}

function objectType(schema: Schema, file: string, indent: string): string {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const inner = `${indent}  `;
  const lines = Object.entries(props).map(([name, prop]) => {
    const comment = doc(prop);
    const head = comment ? `${inner}/** ${comment.replace(/\*\//g, "*\\/")} */\n` : "";
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name);
    return `${head}${inner}readonly ${key}${required.has(name) ? "" : "?"}: ${typeOf(prop, file, inner)};`;
  });
  return lines.length === 0 ? "Record<string, never>" : `{\n${lines.join("\n")}\n${indent}}`;
}

/** Renders the model types of every schema in `schemaDir` as one TypeScript module, formatted by Prettier. */
export async function renderModelTypes(schemaDir: string): Promise<string> {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const source = project.createSourceFile("model.ts", "", { overwrite: true });
  source.addStatements([
    "// Generated from schemas/*.schema.json by `npm run generate`; do not edit.",
    "// A test regenerates this file and fails when it differs from the schemas.",
  ]);
  for (const [file, rootName] of SCHEMA_ROOTS) {
    const schema = JSON.parse(readFileSync(join(schemaDir, file), "utf8")) as Schema;
    const defs = (schema.$defs ?? {}) as Record<string, Schema>;
    for (const [def, defSchema] of Object.entries(defs)) {
      source.addTypeAlias({
        name: defTypeName(file, def),
        isExported: true,
        type: typeOf(defSchema, file, ""),
        docs: [doc(defSchema)],
      });
    }
    if (rootName !== "") {
      source.addTypeAlias({ name: rootName, isExported: true, type: typeOf(schema, file, ""), docs: [doc(schema)] });
    }
  }
  const options = (await prettier.resolveConfig(join(schemaDir, "..", "package.json"))) ?? {};
  return prettier.format(source.getFullText(), { ...options, parser: "typescript" });
}
