import { describe, expect, it } from "vitest";
import { PAGE } from "../../wasm/memory-import.js";
import { restoreSnapshot, snapshotProblem, takeSnapshot, type SnapshotPolicy } from "../../wasm/memory-snapshot.js";

// The type libraries this project builds with do not declare the WebAssembly global (see authorizer.ts).
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => SnapshotPolicy["mem"] };
  }
).WebAssembly;

/** A stand-in for the SDK's policy: a memory, the data pointers and the heap pointer setter. */
function fakePolicy(pages: number, maximum = 64): SnapshotPolicy & { heapPtr: number } {
  const mem = new wasmApi.Memory({ initial: pages, maximum });
  const policy = {
    mem,
    heapPtr: -1,
    dataAddr: 0,
    dataHeapPtr: 0,
    wasmInstance: { exports: { opa_heap_ptr_set: (ptr: number) => (policy.heapPtr = ptr) } },
  };
  return policy;
}

const good = { bytes: new Uint8Array(100), pages: 2, dataAddr: 40, dataHeapPtr: 100 };

describe("a memory snapshot", () => {
  it("copies the memory below the data heap pointer, and restores it into a fresh memory grown to its size", () => {
    const source = fakePolicy(1);
    source.mem.grow(2);
    new Uint8Array(source.mem.buffer).set([1, 2, 3, 4, 5], 95);
    Object.assign(source, { dataAddr: 60, dataHeapPtr: 98 });
    const snapshot = takeSnapshot(source);
    expect(snapshot.pages).toBe(3);
    expect(snapshot.bytes.byteLength).toBe(98);
    expect([...snapshot.bytes.subarray(95)]).toEqual([1, 2, 3]);
    expect(snapshotProblem(snapshot, 3)).toBeUndefined();
    new Uint8Array(source.mem.buffer).fill(9);
    expect(snapshot.bytes[95]).toBe(1); // a copy, not a view
    const target = fakePolicy(1);
    restoreSnapshot(target, snapshot);
    expect(target.mem.buffer.byteLength).toBe(3 * PAGE);
    expect([...new Uint8Array(target.mem.buffer, 94, 6)]).toEqual([0, 1, 2, 3, 0, 0]);
    expect({ dataAddr: target.dataAddr, dataHeapPtr: target.dataHeapPtr, heapPtr: target.heapPtr }).toEqual({
      dataAddr: 60,
      dataHeapPtr: 98,
      heapPtr: 98,
    });
    const larger = fakePolicy(5);
    restoreSnapshot(larger, snapshot);
    expect(larger.mem.buffer.byteLength).toBe(5 * PAGE);
  });

  it("from another thread is refused unless every number points inside it and the memory limit", () => {
    expect(snapshotProblem(good, 2)).toBeUndefined();
    expect(snapshotProblem(undefined, 2)).toBe("no snapshot");
    expect(snapshotProblem(null, 2)).toBe("no snapshot");
    expect(snapshotProblem({ ...good, bytes: [0] }, 2)).toBe("no snapshot bytes");
    expect(snapshotProblem(good, 1)).toBe("a page count outside the memory limit");
    expect(snapshotProblem({ ...good, pages: -1 }, 2)).toBe("a page count outside the memory limit");
    expect(snapshotProblem({ ...good, pages: 1.5 }, 2)).toBe("a page count outside the memory limit");
    expect(snapshotProblem({ ...good, dataHeapPtr: 99 }, 2)).toBe("a heap pointer outside the snapshot");
    expect(snapshotProblem({ ...good, dataHeapPtr: "100" }, 2)).toBe("a heap pointer outside the snapshot");
    const big = new Uint8Array(PAGE + 1);
    expect(snapshotProblem({ ...good, bytes: big, dataHeapPtr: PAGE + 1, pages: 1 }, 2)).toBe(
      "a heap pointer outside the snapshot",
    );
    expect(snapshotProblem({ ...good, bytes: big, dataHeapPtr: PAGE + 1, pages: 2 }, 2)).toBeUndefined();
    expect(snapshotProblem({ ...good, dataAddr: 0 }, 2)).toBe("a data address outside the snapshot");
    expect(snapshotProblem({ ...good, dataAddr: 100 }, 2)).toBe("a data address outside the snapshot");
    expect(snapshotProblem({ ...good, dataAddr: 99 }, 2)).toBeUndefined();
    expect(snapshotProblem({ ...good, dataAddr: -3 }, 2)).toBe("a data address outside the snapshot");
    const empty = { bytes: new Uint8Array(0), pages: 0, dataAddr: 0, dataHeapPtr: 0 };
    expect(snapshotProblem(empty, 2)).toBe("a data address outside the snapshot");
    const full = { bytes: new Uint8Array(PAGE), pages: 1, dataAddr: 8, dataHeapPtr: PAGE };
    expect(snapshotProblem(full, 1)).toBeUndefined();
  });
});
