import { Buffer } from "node:buffer";
import type { MemorySnapshot } from "./memory-snapshot.js";

/**
 * What a loaded bundle's policy is built from: its compiled module, data.json, the memory bounds
 * and, once taken, its memory right after setData. Held by every Authorizer of the bundle (a
 * fresh instance after a trap is built from it) and, weakly, by the load cache.
 *
 * The first load of a bundle on this thread sets its data directly and takes no snapshot (the
 * copy costs about a sixth of setData); the trial load's worker sends one, and a second load of
 * the same bundle takes one, which every later load and restart then restores.
 */
export interface PolicyImage {
  /** The compiled WebAssembly.Module (opaque here; see authorizer.ts). */
  readonly module: object;
  snapshot: MemorySnapshot | undefined;
  readonly memory: { readonly initial: number; readonly maximum: number };
  /** The bundle's policy.wasm and data.json the image was built from, for the cache's key. */
  readonly wasm: Uint8Array;
  readonly data: Uint8Array;
  /**
   * How long the trial load in a worker that made the snapshot took, in milliseconds; undefined
   * when the snapshot was made on the loading thread, without a time bound.
   */
  readonly trialMs?: number | undefined;
}

/**
 * The load cache: per revision, the image of the bundle loaded last with it, while an Authorizer
 * of it is still loaded in this thread (held weakly, so the cache keeps no memory alive of its
 * own). A later load of a bundle with the same revision, byte for byte the same policy.wasm and
 * data.json and the same memory bounds reuses it: no compile, no setData. The bytes are compared
 * whole (no hash to collide), so a different bundle never uses another's image; the bundle is
 * still unpacked and verified on every load before the cache is consulted. A load with a time
 * bound (`loadTimeoutMs`) reuses only an image whose trial load in a worker finished within it.
 */
const images = new Map<string, WeakRef<PolicyImage>>();

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  // Stryker disable next-line ConditionalExpression: a fast path; the same bytes compare equal
  a === b ||
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * The cached image for exactly these bytes and bounds, if an Authorizer of them is still loaded
 * and, when `loadTimeoutMs` is set, its trial load took no longer.
 */
export function cachedImage(
  revision: string,
  wasm: Uint8Array,
  data: Uint8Array,
  memory: { readonly maximum: number },
  loadTimeoutMs: number | undefined,
): PolicyImage | undefined {
  const image = images.get(revision)?.deref();
  if (image === undefined) {
    images.delete(revision);
    return undefined;
  }
  // The initial memory follows from the bytes and the maximum.
  if (image.memory.maximum !== memory.maximum) return undefined;
  // Stryker disable next-line EqualityOperator: a trial load that took exactly the bound is not reproducible in a test
  if (loadTimeoutMs !== undefined && !((image.trialMs ?? Infinity) <= loadTimeoutMs)) return undefined;
  return same(image.wasm, wasm) && same(image.data, data) ? image : undefined;
}

/** Remembers the image of a bundle that loaded and decided (its probe passed) under its revision. */
export function rememberImage(revision: string, image: PolicyImage): void {
  // Stryker disable next-line ConditionalExpression: dropping the entries of collected images only keeps the map small; a lookup finds them gone either way
  for (const [key, ref] of images) if (ref.deref() === undefined) images.delete(key);
  images.set(revision, new WeakRef(image));
}

/** Forgets every cached image (a benchmark's cold load; tests). */
export function clearLoadCache(): void {
  images.clear();
}
