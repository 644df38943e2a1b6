import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { createAjv, KIND_SCHEMAS, readSchema, SCHEMA_BASE, SCHEMA_FILES, type Kind } from "../../compiler/schemas.js";

type Schema = { [key: string]: unknown };

const root = packageRoot();
const ajv = createAjv();
const ALL_FILES = [...SCHEMA_FILES, "policy.schema.json"] as const;
const schemas = new Map<string, Schema>(ALL_FILES.map((f) => [f, readSchema(f) as Schema]));

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escape(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Every subschema of a schema file, with its JSON Pointer and whether it is a property's schema. */
function* subschemas(schema: Schema, pointer = ""): Generator<{ pointer: string; schema: Schema; property?: string }> {
  yield { pointer, schema };
  for (const [key, value] of Object.entries(schema)) {
    if ((key === "properties" || key === "$defs") && isSchema(value)) {
      for (const [name, sub] of Object.entries(value)) {
        if (!isSchema(sub)) continue;
        const at = `${pointer}/${key}/${escape(name)}`;
        for (const found of subschemas(sub, at))
          yield found.pointer === at && key === "properties" ? { ...found, property: name } : found;
      }
    } else if (["items", "if", "then", "else", "not"].includes(key) && isSchema(value)) {
      yield* subschemas(value, `${pointer}/${key}`);
    } else if (["allOf", "anyOf", "oneOf"].includes(key) && Array.isArray(value)) {
      for (const [i, sub] of value.entries()) if (isSchema(sub)) yield* subschemas(sub, `${pointer}/${key}/${i}`);
    }
  }
}

function resolvePointer(schema: Schema, pointer: string): Schema {
  let node: unknown = schema;
  for (const token of pointer.split("/").slice(1)) {
    node = (node as Schema)[token.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  if (!isSchema(node)) throw new Error(`no schema at ${pointer}`);
  return node;
}

/** A schema with its `$ref` followed (the referring schema's own keywords win, as in 2020-12). */
function resolved(file: string, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const [target, fragment = ""] = ref.split("#");
  const targetFile = target === "" || target === undefined ? file : target;
  const base = schemas.get(targetFile);
  if (!base) throw new Error(`${file}: unresolvable $ref ${ref}`);
  return { ...resolved(targetFile, resolvePointer(base, fragment)), ...schema };
}

function typesOf(schema: Schema): string[] {
  const type = schema.type;
  return Array.isArray(type) ? (type as string[]) : typeof type === "string" ? [type] : [];
}

describe("JSON Schemas", () => {
  it.each(ALL_FILES)("%s has $id, title and description, and is registered under its $id", (file) => {
    const schema = schemas.get(file)!;
    expect(schema.$id).toBe(SCHEMA_BASE + file);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(typeof schema.title).toBe("string");
    expect(typeof schema.description).toBe("string");
  });

  it.each(ALL_FILES)("%s: every property has a title and a description (after resolving $ref)", (file) => {
    const missing: string[] = [];
    for (const { pointer, schema, property } of subschemas(schemas.get(file)!)) {
      // A property named inside a condition (`if`/`then`/`else`) only narrows one declared elsewhere.
      if (property === undefined || /\/(if|then|else)\//.test(pointer)) continue;
      const effective = resolved(file, schema);
      if (typeof effective.title !== "string" || typeof effective.description !== "string") missing.push(pointer);
    }
    expect(missing).toEqual([]);
  });

  it.each(ALL_FILES)("%s: every object schema forbids additional properties", (file) => {
    const open: string[] = [];
    for (const { pointer, schema } of subschemas(schemas.get(file)!)) {
      const declaresObject = isSchema(schema.properties) || (typesOf(schema).includes("object") && !("$ref" in schema));
      // A conditional branch only narrows properties its parent already declares.
      const branch = /\/(if|then|else)(\/|$)/.test(pointer) && !("additionalProperties" in schema);
      if (declaresObject && !branch && !isComposite(schema) && schema.additionalProperties !== false)
        open.push(pointer);
    }
    expect(open).toEqual([]);
  });

  it.each(ALL_FILES)("%s: every enum describes each of its values in x-enumDescriptions", (file) => {
    const undocumented: string[] = [];
    for (const { pointer, schema } of subschemas(schemas.get(file)!)) {
      if (!Array.isArray(schema.enum)) continue;
      if (/\/(if|then|else)(\/|$)/.test(pointer)) continue;
      const descriptions = (schema["x-enumDescriptions"] ?? {}) as Record<string, unknown>;
      for (const value of schema.enum) {
        if (typeof descriptions[String(value)] !== "string") undocumented.push(`${pointer} ${String(value)}`);
      }
      expect(Object.keys(descriptions).sort(), pointer).toEqual(schema.enum.map(String).sort());
    }
    expect(undocumented).toEqual([]);
  });

  it.each(ALL_FILES)("%s: the schema, every definition and every property have examples, and they validate", (file) => {
    const schema = schemas.get(file)!;
    const problems: string[] = [];
    const id = schema.$id as string;
    const validatorFor = (pointer: string) =>
      file === "policy.schema.json" ? bundled().getSchema(`${id}#${pointer}`) : ajv.getSchema(`${id}#${pointer}`);
    for (const { pointer, schema: sub, property } of subschemas(schema)) {
      const isDef = /\/\$defs\/[^/]+$/.test(pointer);
      const conditional = /\/(if|then|else)(\/|$)/.test(pointer);
      const needsExamples = pointer === "" ? "type" in schema : !conditional && (isDef || property !== undefined);
      const examples = resolved(file, sub).examples;
      if (!Array.isArray(examples) || examples.length === 0) {
        if (needsExamples) problems.push(`${pointer || "(root)"}: no examples`);
        continue;
      }
      const validate = validatorFor(pointer);
      if (!validate) throw new Error(`${file}#${pointer} is not addressable`);
      for (const example of examples) {
        if (!validate(example))
          problems.push(`${pointer}: ${JSON.stringify(example)} ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

/** The schemas whose object shape is assembled from other schemas rather than declared. */
function isComposite(schema: Schema): boolean {
  return "if" in schema || "allOf" in schema || "oneOf" in schema || "anyOf" in schema;
}

let bundledAjv: Ajv2020 | undefined;
function bundled(): Ajv2020 {
  if (!bundledAjv) {
    bundledAjv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    bundledAjv.addKeyword({ keyword: "x-enumDescriptions", schemaType: "object" });
    // Editor annotations (yaml-language-server, VS Code) generated from x-enumDescriptions.
    bundledAjv.addKeyword({ keyword: "enumDescriptions", schemaType: "array" });
    bundledAjv.addKeyword({ keyword: "markdownEnumDescriptions", schemaType: "array" });
    bundledAjv.addSchema(schemas.get("policy.schema.json")!);
  }
  return bundledAjv;
}

/** Every `*.yaml` / `*.yml` file under examples/, at any depth. */
function exampleFiles(dir = join(root, "examples")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return exampleFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

describe("the example policy files", () => {
  const files = exampleFiles().map((f) => relative(root, f));

  it("exist", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s starts with a yaml-language-server line naming schemas/policy.schema.json", (file) => {
    const first = readFileSync(join(root, file), "utf8").split("\n")[0]!;
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    expect(resolve(dirname(join(root, file)), match![1]!)).toBe(join(root, "schemas", "policy.schema.json"));
  });

  it.each(files)("%s: every document validates against policy.schema.json and its kind's schema", (file) => {
    const docs = parseAllDocuments(readFileSync(join(root, file), "utf8"), { version: "1.2", schema: "core" });
    const policy = bundled().getSchema(schemas.get("policy.schema.json")!.$id as string)!;
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      expect(doc.errors).toEqual([]);
      const value = doc.toJS() as { kind: Kind } | null;
      if (value === null) continue;
      expect(policy(value), ajv.errorsText(policy.errors)).toBe(true);
      const own = ajv.getSchema(SCHEMA_BASE + KIND_SCHEMAS[value.kind])!;
      expect(own(value), ajv.errorsText(own.errors)).toBe(true);
    }
  });
});
