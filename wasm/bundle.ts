import { readFile } from "node:fs/promises";
import { DEFAULT_ARCHIVE_LIMITS, readArchive, type ArchiveLimits } from "../core/bundle-archive.js";
import { BundleError, type BundleErrorCode } from "./errors.js";

/** Where a bundle comes from: a file path, a URL (`file:` or `http(s):`), or its bytes. */
export type BundleSource = string | URL | Uint8Array;

/** The parts of a bundle the runtime uses. */
export interface BundleFiles {
  readonly wasm: Uint8Array;
  readonly data: Uint8Array;
  readonly manifest: BundleManifest;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** The fields of `.manifest` the runtime reads. */
export interface BundleManifest {
  readonly revision: string;
  readonly roots?: readonly string[];
  readonly wasm?: ReadonlyArray<{ readonly entrypoint: string; readonly module: string }>;
  readonly metadata?: Record<string, unknown>;
}

const ARCHIVE_CODES: Record<string, BundleErrorCode> = {
  ARCHIVE_TOO_LARGE: "BUNDLE_TOO_LARGE",
  ARCHIVE_CORRUPT: "BUNDLE_CORRUPT",
  ENTRY_NOT_A_FILE: "BUNDLE_ENTRY_NOT_A_FILE",
  ENTRY_PATH_UNSAFE: "BUNDLE_ENTRY_PATH_UNSAFE",
  ENTRY_DUPLICATE: "BUNDLE_ENTRY_DUPLICATE",
};

/** Reads the bytes of a bundle from a path, URL or buffer; a download may take a minute at most. */
export async function readBundleBytes(source: BundleSource, fetchImpl: typeof fetch = fetch): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const url = source instanceof URL ? source : /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? new URL(source) : undefined;
  try {
    if (url && url.protocol !== "file:") {
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new BundleError("BUNDLE_UNREADABLE", `GET ${url.href} answered ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }
    return new Uint8Array(await readFile(url ?? source));
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError("BUNDLE_UNREADABLE", `cannot read the bundle: ${(error as Error).message}`, { cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const invalid = (field: string, what: string): BundleError =>
  new BundleError("MANIFEST_INVALID", `\`.manifest\` field \`${field}\` must be ${what}`);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");

/** Checks the `wasm` list: each entry an object with a string `entrypoint` and `module`. */
function checkWasmEntries(value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw invalid("wasm", "a list");
  value.forEach((entry: unknown, i) => {
    if (!isRecord(entry)) throw invalid(`wasm[${i}]`, "an object");
    if (typeof entry.module !== "string") throw invalid(`wasm[${i}].module`, "a string");
    if (typeof entry.entrypoint !== "string") throw invalid(`wasm[${i}].entrypoint`, "a string");
  });
}

/**
 * Parses and checks the manifest: a string revision, and every field the runtime reads of the
 * type it reads it as, so a wrong type is MANIFEST_INVALID, never a TypeError later.
 */
function parseManifest(bytes: Uint8Array | undefined): BundleManifest {
  if (!bytes) throw new BundleError("BUNDLE_FILE_MISSING", "the bundle has no `.manifest`");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new BundleError("MANIFEST_INVALID", "`.manifest` is not valid JSON", { cause: error });
  }
  if (!isRecord(value) || typeof value.revision !== "string")
    throw new BundleError("MANIFEST_INVALID", "`.manifest` has no string `revision`");
  if (value.roots !== undefined && !isStringArray(value.roots)) throw invalid("roots", "a list of strings");
  if (value.metadata !== undefined && !isRecord(value.metadata)) throw invalid("metadata", "an object");
  checkWasmEntries(value.wasm);
  return value as unknown as BundleManifest;
}

/** Unpacks a bundle in memory and checks it holds what the runtime needs. */
export async function unpackBundle(
  bytes: Uint8Array,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<BundleFiles> {
  const archive = await readArchive(bytes, limits);
  if (!archive.ok) throw new BundleError(ARCHIVE_CODES[archive.problem] ?? "BUNDLE_CORRUPT", archive.message);
  const manifest = parseManifest(archive.files.get(".manifest"));
  const module = manifest.wasm?.[0]?.module.replace(/^\//, "") ?? "policy.wasm";
  const wasm = archive.files.get(module);
  if (!wasm) throw new BundleError("BUNDLE_FILE_MISSING", `the bundle has no \`${module}\``);
  const data = archive.files.get("data.json");
  if (!data) throw new BundleError("BUNDLE_FILE_MISSING", "the bundle has no `data.json`");
  return { wasm, data, manifest, files: archive.files };
}
