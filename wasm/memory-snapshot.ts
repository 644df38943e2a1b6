import { PAGE } from "./memory-import.js";

/**
 * A policy's WebAssembly memory right after its data was set, before any evaluation: enough to
 * give a fresh instance of the same module its data without parsing data.json again.
 *
 * Sound because an OPA module keeps all its state in linear memory (the allocator's heap pointer,
 * heap top and free lists are static variables there; its only mutable global, the stack pointer,
 * is back at its start value between calls), and nothing below the data heap pointer changes
 * after setData: every evaluation resets the heap to above it (`opa_heap_ptr_set` also drops the
 * free lists).
 */
export interface MemorySnapshot {
  /** The memory's bytes below `dataHeapPtr`; everything above it is unallocated. */
  readonly bytes: Uint8Array;
  /** The memory's size in 64 KiB pages when the snapshot was taken. */
  readonly pages: number;
  /** Where the parsed data lives (the SDK's `dataAddr`). */
  readonly dataAddr: number;
  /** The heap pointer after the data (the SDK's `dataHeapPtr`). */
  readonly dataHeapPtr: number;
}

/** The SDK's LoadedPolicy fields a snapshot reads and writes (public fields of opa-wasm 1.10.0). */
export interface SnapshotPolicy {
  readonly mem: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly wasmInstance: { readonly exports: { readonly opa_heap_ptr_set: (ptr: number) => void } };
  dataAddr: number;
  dataHeapPtr: number;
}

/** Copies the memory of a policy whose data was just set (before any evaluation). */
export function takeSnapshot(policy: SnapshotPolicy): MemorySnapshot {
  return {
    bytes: new Uint8Array(policy.mem.buffer, 0, policy.dataHeapPtr).slice(),
    pages: policy.mem.buffer.byteLength / PAGE,
    dataAddr: policy.dataAddr,
    dataHeapPtr: policy.dataHeapPtr,
  };
}

const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Why `value`, received from another thread, is not a snapshot that fits `maximumPages`; undefined
 * when it is one. Its bytes are only ever read by the module itself (they are its own memory);
 * the numbers are checked so that none points outside them.
 */
export function snapshotProblem(value: unknown, maximumPages: number): string | undefined {
  if (typeof value !== "object" || value === null) return "no snapshot";
  const s = value as Partial<Record<keyof MemorySnapshot, unknown>>;
  if (!(s.bytes instanceof Uint8Array)) return "no snapshot bytes";
  if (!isIndex(s.pages) || s.pages > maximumPages) return "a page count outside the memory limit";
  if (!isIndex(s.dataHeapPtr) || s.dataHeapPtr !== s.bytes.byteLength || s.dataHeapPtr > s.pages * PAGE)
    return "a heap pointer outside the snapshot";
  if (!isIndex(s.dataAddr) || s.dataAddr === 0 || s.dataAddr >= s.dataHeapPtr)
    return "a data address outside the snapshot";
  return undefined;
}

/**
 * Gives `policy`, a fresh instance of the module the snapshot was taken from (no evaluation run
 * yet), the snapshot's memory and data pointers. Throws when the memory cannot grow to the
 * snapshot's size.
 */
export function restoreSnapshot(policy: SnapshotPolicy, snapshot: MemorySnapshot): void {
  const missing = snapshot.pages - policy.mem.buffer.byteLength / PAGE;
  // Stryker disable next-line EqualityOperator: growing by zero pages changes nothing
  if (missing > 0) policy.mem.grow(missing);
  new Uint8Array(policy.mem.buffer).set(snapshot.bytes, 0);
  policy.dataAddr = snapshot.dataAddr;
  policy.dataHeapPtr = snapshot.dataHeapPtr;
  policy.wasmInstance.exports.opa_heap_ptr_set(snapshot.dataHeapPtr);
}
