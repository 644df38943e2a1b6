/**
 * The smallest memory a policy module will link against. `opa build -t wasm` declares its
 * memory as an import whose minimum grows with the policy's static data (a large Rego constant,
 * many rules); instantiating it with a smaller memory fails with a LinkError. The WebAssembly
 * JavaScript API lists a module's imports but not their limits, so this reads them from the
 * binary's import section (WebAssembly core specification §5.5.5).
 */

const SECTION_IMPORT = 2;
const KIND_FUNCTION = 0;
const KIND_TABLE = 1;
const KIND_MEMORY = 2;
const KIND_GLOBAL = 3;

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  byte(): number {
    const b = this.bytes[this.offset++];
    if (b === undefined) throw new RangeError("unexpected end of the module");
    return b;
  }

  /** An unsigned LEB128 integer of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw new RangeError("malformed LEB128 integer");
  }

  skip(n: number): void {
    if (this.offset + n > this.bytes.length) throw new RangeError("unexpected end of the module");
    this.offset += n;
  }

  /** Limits: a flags byte, the minimum, and the maximum when flag bit 0 is set. */
  limits(): number {
    const flags = this.byte();
    if (flags > 0x03) throw new RangeError(`unsupported limits flags 0x${flags.toString(16)}`);
    const minimum = this.u32();
    if (flags & 0x01) this.u32();
    return minimum;
  }
}

/**
 * The minimum, in 64 KiB pages, of the memory the module imports; undefined when it imports
 * none. Throws a RangeError for a binary it cannot read (the caller's instantiate would fail too).
 */
export function importedMemoryMinimum(wasm: Uint8Array): number | undefined {
  const r = new Reader(wasm);
  r.skip(8); // magic and version, checked by WebAssembly.compile
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    if (id !== SECTION_IMPORT) {
      r.skip(size);
      continue;
    }
    for (let count = r.u32(); count > 0; count--) {
      r.skip(r.u32()); // module name
      r.skip(r.u32()); // field name
      const kind = r.byte();
      if (kind === KIND_FUNCTION) r.u32();
      else if (kind === KIND_TABLE) {
        r.byte();
        r.limits();
      } else if (kind === KIND_MEMORY) return r.limits();
      else if (kind === KIND_GLOBAL) r.skip(2);
      else throw new RangeError(`unknown import kind ${kind}`);
    }
    return undefined;
  }
  return undefined;
}

/** 64 KiB, the size of a WebAssembly memory page. */
export const PAGE = 65536;

/**
 * How many times its JSON size data.json takes once the module has parsed it: 9.55 at tier L.
 * The module grows its memory one page at a time past the initial size, and in V8 each grow of
 * a large memory soon costs a garbage collection: starting with room for the parsed data halves
 * setData at tier L. Pages never touched take no resident memory, but they count in
 * `memoryUsage()`, hence not more. Data that parses larger still loads; its memory grows.
 */
export const PARSED_DATA_FACTOR = 9.6;

/**
 * The pages to start a policy's memory with: room for data.json parsed into the heap
 * (PARSED_DATA_FACTOR times its size), at least 8 pages, and never fewer than the module itself
 * requires. The result may exceed `maximum`; the caller refuses the bundle then.
 */
export function initialPages(wasm: Uint8Array, dataBytes: number, maximum: number): number {
  const required = importedMemoryMinimum(wasm) ?? 0;
  return Math.max(required, Math.min(maximum, Math.max(8, Math.ceil((dataBytes * PARSED_DATA_FACTOR) / PAGE))));
}
