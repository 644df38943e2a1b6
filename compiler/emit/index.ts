import { createHash } from "node:crypto";
import { canonicalJson } from "../../core/canonical-json.js";
import { gatehouseVersion } from "../../core/package-root.js";
import type { StageResult } from "../diagnostics/diagnostic.js";
import type { Ir } from "../lower/ir.js";
import { policyData } from "./data.js";
import { libTables } from "./lib-tables.js";
import { renderRego } from "./rego.js";

/** The Rego package every generated module lives under, and the bundle's only root. */
export const PACKAGE = "gatehouse";

/**
 * The entry points compiled into policy.wasm: the decision, which validates its input, and the
 * runtime's entry point for input the runtime has validated and whose addresses it has parsed
 * (templates/runtime.rego.hbs). Only the first is for other callers.
 */
export const ENTRYPOINTS = [`${PACKAGE}/decision`, `${PACKAGE}/runtime/decision`] as const;

/** The bundle sources: every file by its path inside the bundle, and the revision they carry. */
export interface EmittedBundle {
  /** `*.rego` modules, `data.json` and `.manifest`, by bundle path. */
  readonly files: ReadonlyMap<string, string>;
  /** The content hash of the Rego and data, also the manifest revision. */
  readonly revision: string;
  readonly entrypoints: readonly string[];
  /** The manifest before `opa build` adds its `wasm` section. */
  readonly manifest: Manifest;
}

/** The `.manifest` Gatehouse writes (OPA's bundle manifest). */
export interface Manifest {
  readonly revision: string;
  readonly roots: readonly string[];
  readonly metadata: {
    readonly gatehouse: {
      readonly version: string;
      readonly feeds: ReadonlyArray<{ readonly file: string; readonly sha256: string }>;
      readonly sources: ReadonlyArray<{ readonly file: string; readonly sha256: string }>;
    };
  };
}

/** Options of `emit`. */
export interface EmitOptions {
  /** Gatehouse's version for headers and metadata; defaults to the package's own. */
  readonly version?: string;
}

/**
 * Emits the bundle sources for `ir`: the fixed Rego modules rendered from templates, data.json
 * with the declarations and lookup tables, and a manifest whose revision is a hash of both.
 */
export function emit(ir: Ir, options: EmitOptions = {}): StageResult<EmittedBundle> {
  const version = options.version ?? gatehouseVersion();
  const rego = renderRego({ pkg: PACKAGE, version });
  const policy = policyData(ir);
  const lib = libTables();
  // The revision hashes canonicalJson({ rego, policy, lib }) and data.json is
  // canonicalJson({ [PACKAGE]: { policy: { ...policy, revision }, lib } }): both are assembled
  // from the same canonical texts of the members, so the large tables are serialised once.
  // canonicalObject is the canonical JSON of an object whose members are canonical JSON texts
  // (concatenated, not joined, so that the large texts are not copied at each level).
  const canonicalObject = (texts: Readonly<Record<string, string>>): string => {
    let out = "";
    for (const k of Object.keys(texts).sort()) out += `${out === "" ? "{" : ","}${JSON.stringify(k)}:${texts[k]}`;
    return `${out === "" ? "{" : out}}`;
  };
  const members = (value: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(Object.keys(value).map((k) => [k, canonicalJson(value[k])]));
  const policyMembers = members(policy);
  const libJson = canonicalJson(lib);
  const revision = createHash("sha256")
    .update(
      canonicalObject({
        rego: canonicalJson(Object.fromEntries(rego)),
        policy: canonicalObject(policyMembers),
        lib: libJson,
      }),
    )
    .digest("hex")
    .slice(0, 32);
  const policyJson = canonicalObject({ ...policyMembers, revision: canonicalJson(revision) });
  const data = canonicalObject({ [PACKAGE]: canonicalObject({ policy: policyJson, lib: libJson }) });
  const manifest: Manifest = {
    revision,
    roots: [PACKAGE],
    metadata: { gatehouse: { version, feeds: ir.feeds, sources: ir.sourceFiles } },
  };
  const files = new Map<string, string>(rego);
  files.set("data.json", data);
  files.set(".manifest", canonicalJson(manifest));
  return { value: { files, revision, entrypoints: ENTRYPOINTS, manifest }, diagnostics: [] };
}
