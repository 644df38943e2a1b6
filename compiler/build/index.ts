import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readArchive, writeArchive } from "../../core/bundle-archive.js";
import { SIGNATURES_FILE } from "../../core/bundle-signing.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { packageRoot } from "../../core/package-root.js";
import type { Diagnostic, StageResult } from "../diagnostics/diagnostic.js";
import { CODES } from "../diagnostics/codes.js";
import type { EmittedBundle } from "../emit/index.js";
import type { OpaBinary } from "./opa-toolchain.js";
import { signBundle, type BundleSigner } from "./sign.js";

export { bundleSigner, signBundle, type BundleSigner, type SignerOptions, type SignerResult } from "./sign.js";
export { findOpa, isOpaBinary, pinnedOpaVersion, type OpaBinary, type OpaUnavailable } from "./opa-toolchain.js";

/**
 * The bundle's deflate level. Measured on tier L (a 9.5 MB tar, mostly data.json): level 9
 * costs 0.8 s of CPU for 1.79 MB, level 6 0.18 s for 1.82 MB (+1.9%), level 5 0.1 s for
 * +3.0%. Level 6 (zlib's default) keeps almost all of the size for a fifth of the time. The
 * archive stays deterministic: its bytes depend only on the files, this level and Node's zlib.
 */
export const BUNDLE_GZIP_LEVEL = 6;

/** A built bundle: the gzipped tarball `opa build` wrote, and what it contains. */
export interface BuiltBundle {
  readonly bundle: Uint8Array;
  readonly revision: string;
  readonly opaVersion: string;
  /** The key that signed it, when it is signed. */
  readonly signature?: { readonly algorithm: string; readonly keyId: string };
}

/** Options of `build`. */
export interface BuildOptions {
  /** Sign the bundle with this key: `.signatures.json` in OPA's format, covering every file. */
  readonly signer?: BundleSigner;
}

/** The path of Gatehouse's capabilities file: WebAssembly-native builtins and `rego_v1` only. */
export function capabilitiesPath(): string {
  return join(packageRoot(), "compiler", "build", "capabilities.json");
}

function buildDiagnostic(
  code: "GH401" | "GH402" | "GH403",
  message: string,
  file: string,
  line: number,
  column: number,
): Diagnostic {
  return {
    code,
    severity: CODES[code].severity,
    message,
    file,
    pointer: "",
    line,
    column,
    endLine: line,
    endColumn: column,
  };
}

/**
 * Maps `opa build` errors onto diagnostics at the generated file. OPA writes them as
 * `file:row: code: message` (or `file:row:col: …`), possibly after `error: N errors occurred:`
 * or `load error: bundle .:` on the same line.
 */
function opaErrors(output: string, workDir: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const line of output.split("\n")) {
    const m = /(?:^|\s)(\S+\.rego):(\d+)(?::(\d+))?: (rego_\w+): (.*)$/.exec(line);
    if (!m) continue;
    const [, file, row, col = "1", kind, message] = m;
    const relative = file!.startsWith(workDir) ? file!.slice(workDir.length + 1) : file!;
    const builtin = /undefined function (\S+)/.exec(message!)?.[1];
    const diagnostic =
      builtin === undefined
        ? buildDiagnostic("GH401", `opa build: ${kind}: ${message}`, relative, Number(row), Number(col))
        : buildDiagnostic(
            "GH402",
            `builtin \`${builtin}\` is not available to the WebAssembly runtime (Gatehouse's capabilities allow WebAssembly-native builtins only)`,
            relative,
            Number(row),
            Number(col),
          );
    found.push(diagnostic);
  }
  if (found.length === 0) {
    found.push(
      buildDiagnostic("GH401", `opa build failed: ${output.trim().split("\n").slice(-3).join(" ")}`, "bundle", 1, 1),
    );
  }
  return found;
}

/**
 * Builds the bundle with the real `opa`: writes the emitted Rego and manifest (not data.json,
 * which the WebAssembly does not depend on) to a private temporary directory, runs
 * `opa build -t wasm -b` with Gatehouse's capabilities, then packs the result
 * deterministically: `.manifest` (with OPA's `wasm` section), `data.json`, the complete Rego
 * sources (OPA's own output keeps only stubs of rules compiled to WebAssembly) and
 * `policy.wasm`; with a signer, `.signatures.json` first, signing all of them. The only stage
 * that runs a process.
 */
export async function build(
  emitted: EmittedBundle,
  opa: OpaBinary,
  options: BuildOptions = {},
): Promise<StageResult<BuiltBundle>> {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-build-"));
  try {
    const src = join(work, "src");
    for (const [path, content] of emitted.files) {
      // `opa build -t wasm` compiles the Rego alone: data.json would only be parsed and copied
      // (most of its time at tier L), and the bundle takes data.json from `emitted` below.
      if (path === "data.json") continue;
      const target = join(src, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, path === ".manifest" ? canonicalJson(withOpaVersion(emitted, opa.version)) : content);
    }
    const out = join(work, "bundle.tar.gz");
    const args = ["build", "-t", "wasm", "-b", ".", "-o", out, "--capabilities", capabilitiesPath()];
    for (const e of emitted.entrypoints) args.push("-e", e);
    const run = spawnSync(opa.path, args, { cwd: src, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) return { diagnostics: opaErrors(`${run.stdout}\n${run.stderr}`, src) };
    const built = await readArchive(readFileSync(out));
    const wasm = built.ok ? built.files.get("policy.wasm") : undefined;
    const manifest = built.ok ? built.files.get(".manifest") : undefined;
    if (!built.ok || !wasm || !manifest) {
      return {
        diagnostics: [
          buildDiagnostic(
            "GH401",
            `opa build wrote an unexpected bundle${built.ok ? "" : `: ${built.message}`}`,
            "bundle",
            1,
            1,
          ),
        ],
      };
    }
    const text = (content: string): Uint8Array => new TextEncoder().encode(content);
    const rego = [...emitted.files.entries()]
      .filter(([path]) => path.endsWith(".rego"))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const files: Array<readonly [string, Uint8Array]> = [
      [".manifest", text(canonicalJson(JSON.parse(new TextDecoder().decode(manifest))))],
      ["data.json", text(emitted.files.get("data.json") ?? "{}")],
      ...rego.map(([path, content]) => [path, text(content)] as const),
      ["policy.wasm", wasm],
    ];
    const signer = options.signer;
    if (!signer) {
      const bundle = await writeArchive(files, { level: BUNDLE_GZIP_LEVEL });
      return { value: { bundle, revision: emitted.revision, opaVersion: opa.version }, diagnostics: [] };
    }
    const signed = await signBundle(files, signer);
    if (!signed.ok)
      return { diagnostics: [buildDiagnostic("GH403", `cannot sign the bundle: ${signed.message}`, "bundle", 1, 1)] };
    const bundle = await writeArchive([[SIGNATURES_FILE, signed.signatures], ...files], {
      level: BUNDLE_GZIP_LEVEL,
    });
    return {
      value: {
        bundle,
        revision: emitted.revision,
        opaVersion: opa.version,
        signature: { algorithm: signer.algorithm, keyId: signer.keyId },
      },
      diagnostics: [],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function withOpaVersion(emitted: EmittedBundle, opaVersion: string): unknown {
  const m = emitted.manifest;
  return { ...m, metadata: { gatehouse: { ...m.metadata.gatehouse, opaVersion } } };
}
