import { describe, expect, it } from "vitest";
import { importedMemoryMinimum, initialPages } from "../../wasm/memory-import.js";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function name(s: string): number[] {
  return [...leb(s.length), ...new TextEncoder().encode(s)];
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

/** A module with a type section, then an import of function `env.f`, then memory `env.memory`. */
function moduleImporting(minimum: number, maximum?: number): Uint8Array {
  const types = section(1, [1, 0x60, 0, 0]);
  const limits = maximum === undefined ? [0x00, ...leb(minimum)] : [0x01, ...leb(minimum), ...leb(maximum)];
  const imports = section(2, [
    2,
    ...name("env"),
    ...name("f"),
    0x00,
    0,
    ...name("env"),
    ...name("memory"),
    0x02,
    ...limits,
  ]);
  return new Uint8Array([...HEADER, ...types, ...imports]);
}

/** The WebAssembly global, which the type libraries this project builds with do not declare. */
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number; maximum?: number }) => object;
      instantiate(bytes: Uint8Array, imports: object): Promise<unknown>;
      LinkError: new () => Error;
    };
  }
).WebAssembly;

/** Whether V8 links the module against a memory of `pages` pages (bounded by `maximum`, if any). */
async function links(wasm: Uint8Array, pages: number, maximum?: number): Promise<boolean> {
  const memory = new WebAssembly.Memory(maximum === undefined ? { initial: pages } : { initial: pages, maximum });
  try {
    await WebAssembly.instantiate(wasm, { env: { f: () => undefined, memory } });
    return true;
  } catch (error) {
    if (error instanceof WebAssembly.LinkError) return false;
    throw error;
  }
}

describe("importedMemoryMinimum reads the memory import's minimum from the binary", () => {
  it.each([
    [1, undefined],
    [13, 100],
    [300, undefined], // a minimum of two LEB128 bytes
    [1000, 4000],
  ])("minimum %i (maximum %s), as V8 links it", async (minimum, maximum) => {
    const wasm = moduleImporting(minimum, maximum);
    expect(importedMemoryMinimum(wasm)).toBe(minimum);
    expect(await links(wasm, minimum, maximum)).toBe(true);
    if (minimum > 1) expect(await links(wasm, minimum - 1, maximum)).toBe(false);
  });

  it("is undefined for a module that imports no memory", () => {
    expect(importedMemoryMinimum(new Uint8Array([...HEADER, ...section(1, [1, 0x60, 0, 0])]))).toBeUndefined();
    expect(importedMemoryMinimum(new Uint8Array(HEADER))).toBeUndefined();
  });

  it("throws a RangeError for a truncated binary instead of guessing", () => {
    const wasm = moduleImporting(13);
    expect(() => importedMemoryMinimum(wasm.subarray(0, wasm.length - 1))).toThrow(RangeError);
  });
});

describe("initialPages", () => {
  it("is 9.6 times data.json, at least 8 pages, within the maximum", () => {
    const wasm = moduleImporting(2);
    expect(initialPages(wasm, 0, 100)).toBe(8);
    expect(initialPages(wasm, 65536, 100)).toBe(10);
    expect(initialPages(wasm, 10 * 65536, 1000)).toBe(96);
    expect(initialPages(wasm, 10 * 65536 + 1, 1000)).toBe(97);
    expect(initialPages(wasm, 1000 * 65536, 100)).toBe(100);
  });

  it("is never less than the module requires, even above the maximum (the caller refuses that)", () => {
    expect(initialPages(moduleImporting(13), 0, 100)).toBe(13);
    expect(initialPages(moduleImporting(300), 0, 100)).toBe(300);
  });
});
