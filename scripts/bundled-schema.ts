/**
 * Bundles every kind schema into schemas/policy.schema.json: one self-contained file (no
 * cross-file `$ref`) that editors load from `# yaml-language-server: $schema=…` and that
 * validates any Gatehouse document by its `kind`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KINDS: ReadonlyArray<readonly [kind: string, file: string]> = [
  ["Org", "org.schema.json"],
  ["Network", "network.schema.json"],
  ["Profile", "profile.schema.json"],
  ["PermissionSet", "permission-set.schema.json"],
  ["PermissionSetGroup", "permission-set-group.schema.json"],
  ["ConnectedApp", "connected-app.schema.json"],
  ["User", "user.schema.json"],
  ["Site", "site.schema.json"],
  ["Test", "test.schema.json"],
  ["Acknowledgement", "acknowledgement.schema.json"],
];

const ROOT_NAMES: Record<string, string> = { "request.schema.json": "Request", "decision.schema.json": "Decision" };

/**
 * `enumDescriptions` and `markdownEnumDescriptions` (the arrays, in enum order, that
 * yaml-language-server and VS Code show beside each value in completion and hover) derived from
 * a schema node's `x-enumDescriptions` map, the one place the descriptions are written.
 */
function enumDescriptions(node: { [key: string]: Json }): { [key: string]: Json } {
  const values = node.enum;
  const described = node["x-enumDescriptions"];
  if (!Array.isArray(values) || described === null || typeof described !== "object" || Array.isArray(described))
    return {};
  const texts = values.map((v) => {
    // Enum values are strings or numbers; x-enumDescriptions is keyed by their JSON text.
    const key = typeof v === "string" ? v : JSON.stringify(v);
    const text = described[key];
    if (typeof text !== "string") throw new Error(`bundled schema: enum value ${key} has no description`);
    return text;
  });
  return { enumDescriptions: texts.map((t) => t.replace(/`/g, "")), markdownEnumDescriptions: texts };
}

function rewrite(value: Json, file: string, defs: Set<string>): Json {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, file, defs));
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: Json } = enumDescriptions(value);
  for (const [key, v] of Object.entries(value)) {
    if (key === "$id" || key === "$schema") continue;
    if (key === "$ref" && typeof v === "string") {
      const [target, fragment] = v.split("#");
      const targetFile = target === "" || target === undefined ? file : target;
      let name: string;
      if (fragment === undefined || fragment === "") name = ROOT_NAMES[targetFile] ?? targetFile;
      else name = fragment.replace(/^\/\$defs\//, "");
      if (!defs.has(name)) throw new Error(`bundled schema: unresolved $ref ${v} in ${file}`);
      out[key] = `#/$defs/${name}`;
      continue;
    }
    out[key] = rewrite(v, file, defs);
  }
  return out;
}

/** The bundled schema for every document kind, as JSON text formatted by Prettier. */
export async function renderBundledSchema(schemaDir: string): Promise<string> {
  const read = (file: string): { [key: string]: Json } =>
    JSON.parse(readFileSync(join(schemaDir, file), "utf8")) as { [key: string]: Json };
  const files = ["common.schema.json", "request.schema.json", "decision.schema.json", ...KINDS.map(([, f]) => f)];
  const names = new Set<string>();
  for (const file of files) {
    for (const name of Object.keys((read(file).$defs ?? {}) as object)) {
      if (names.has(name)) throw new Error(`bundled schema: $defs name ${name} is defined twice`);
      names.add(name);
    }
  }
  names.add("Request");
  names.add("Decision");
  for (const [kind] of KINDS) names.add(kind);
  const defs: { [key: string]: Json } = {};
  for (const file of files) {
    const schema = read(file);
    for (const [name, def] of Object.entries((schema.$defs ?? {}) as { [key: string]: Json }))
      defs[name] = rewrite(def, file, names);
    const { $defs: _omitted, ...root } = schema;
    const rootName = ROOT_NAMES[file] ?? KINDS.find(([, f]) => f === file)?.[0];
    if (rootName !== undefined) defs[rootName] = rewrite(root, file, names);
  }
  const bundled: { [key: string]: Json } = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://gatehouse.dev/schemas/v1/policy.schema.json",
    title: "Gatehouse declaration",
    description:
      "Any Gatehouse document, validated by its `kind`. Generated from the per-kind schemas by `npm run generate`; point `# yaml-language-server: $schema=` at this file for completion and validation in editors.",
    type: "object",
    required: ["kind"],
    properties: {
      kind: {
        title: "Kind",
        description: "The kind of declaration this document holds.",
        ...((): { [key: string]: Json } => {
          const described: { [key: string]: Json } = {
            enum: KINDS.map(([k]) => k),
            "x-enumDescriptions": Object.fromEntries(
              KINDS.map(([kind, file]) => [kind, read(file).description ?? null] as [string, Json]),
            ),
          };
          return { ...described, ...enumDescriptions(described) };
        })(),
        examples: ["ConnectedApp"],
      },
    },
    allOf: KINDS.map(([kind]) => ({
      if: { properties: { kind: { const: kind } }, required: ["kind"] },
      then: { $ref: `#/$defs/${kind}` },
    })),
    $defs: defs,
    examples: KINDS.flatMap(([, file]) => ((read(file).examples ?? []) as Json[]).slice(0, 1)),
  };
  const options = (await prettier.resolveConfig(join(schemaDir, "..", "package.json"))) ?? {};
  return prettier.format(JSON.stringify(bundled, null, 2), { ...options, parser: "json" });
}
