/**
 * readArchive's own checks on what the tar library hands over. tar-stream never gives an entry
 * more or fewer bytes than its header declares without an error, and hands over no entry once
 * destroyed; this file replaces its extractor by a scripted one that does, to show that
 * readArchive's checks hold on their own.
 */
import { PassThrough, Writable } from "node:stream";
import { setImmediate as tick } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import type * as tarStreamModule from "tar-stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GUNZIP_CHUNK_BYTES, readArchive, type ArchiveResult } from "../../core/bundle-archive.js";

/** What a scripted extractor does once all the (ignored) tar bytes have arrived. */
type Play = (extractor: ScriptedExtract) => Promise<void>;

const script = vi.hoisted(() => ({ play: undefined as Play | undefined, slow: false }));

/** An extractor that ignores the tar bytes and then plays the script, as readArchive sees it. */
class ScriptedExtract extends Writable {
  /** How many times readArchive asked for the next entry. */
  nexts = 0;
  /** The most bytes ever waiting in this extractor's buffer. */
  mostBuffered = 0;
  /** The largest chunk ever written to this extractor. */
  largestChunk = 0;

  constructor(
    private readonly play: Play,
    private readonly slow: boolean,
  ) {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.mostBuffered = Math.max(this.mostBuffered, this.writableLength);
    this.largestChunk = Math.max(this.largestChunk, chunk.length);
    if (this.slow) setTimeout(done, 1);
    else done();
  }

  override _final(done: () => void): void {
    void this.play(this).then(() => done());
  }

  /** Hands over one entry and returns its content stream, for the script to write. */
  offer(name: string, size: number, type = "file"): PassThrough {
    const stream = new PassThrough();
    this.emit("entry", { name, size, type }, stream, () => this.nexts++);
    return stream;
  }
}

vi.mock("tar-stream", async (importOriginal) => {
  const tar = await importOriginal<typeof tarStreamModule>();
  return {
    ...tar,
    extract: () => (script.play === undefined ? tar.extract() : new ScriptedExtract(script.play, script.slow)),
  };
});

afterEach(() => {
  script.play = undefined;
  script.slow = false;
});

/** readArchive over a valid gzip, with the extractor playing `play`; also returns that extractor. */
async function readScripted(
  play: Play,
  tar: Buffer = Buffer.from("tar bytes the script ignores"),
): Promise<{ result: ArchiveResult; extractor: ScriptedExtract }> {
  let extractor: ScriptedExtract | undefined;
  script.play = (ex) => {
    extractor = ex;
    return play(ex);
  };
  const result = await readArchive(gzipSync(tar));
  // Let the script run to its end: what it does after the read settled must change nothing.
  await tick();
  await tick();
  return { result, extractor: extractor! };
}

/** Writes `chunks` to an entry's stream and ends it, one chunk per turn of the event loop. */
async function give(stream: PassThrough, chunks: readonly string[]): Promise<void> {
  for (const chunk of chunks) {
    stream.write(chunk);
    await tick();
  }
  stream.end();
  await tick();
}

describe("readArchive checks each entry against its header, whatever the tar library gives", () => {
  it("reads an entry given in several chunks (the scripted extractor's baseline)", async () => {
    const { result, extractor } = await readScripted((ex) => give(ex.offer("/data.json", 4), ["{}", "\n\n"]));
    expect(result.ok && new TextDecoder().decode(result.files.get("data.json"))).toBe("{}\n\n");
    expect(extractor.nexts).toBe(1);
  });

  it("an entry that gives more bytes than its header declares is refused, never written past its buffer", async () => {
    const refused = { ok: false, problem: "ARCHIVE_CORRUPT", message: "entry `data.json` is longer than declared" };
    expect((await readScripted((ex) => give(ex.offer("/data.json", 2), ["{}", "x"]))).result).toEqual(refused);
    expect((await readScripted((ex) => give(ex.offer("/data.json", 2), ["{}x"]))).result).toEqual(refused);
  });

  it("an entry that ends before its declared size is refused, not padded with zeros", async () => {
    const { result, extractor } = await readScripted((ex) => give(ex.offer("/data.json", 3), ["{}"]));
    expect(result).toEqual({
      ok: false,
      problem: "ARCHIVE_CORRUPT",
      message: "entry `data.json` is shorter than declared",
    });
    expect(extractor.nexts).toBe(0);
  });

  it("an error on an entry's own stream settles as ARCHIVE_CORRUPT instead of escaping", async () => {
    const { result } = await readScripted(async (ex) => {
      const stream = ex.offer("/data.json", 8);
      stream.write("{}");
      stream.destroy(new Error("unexpected end of data"));
      await tick();
    });
    expect(result).toEqual({
      ok: false,
      problem: "ARCHIVE_CORRUPT",
      message: "the archive is not a valid tar: unexpected end of data",
    });
  });

  it("an entry that completes after the read has failed is not kept, and the next entry is not asked for", async () => {
    const { result, extractor } = await readScripted(async (ex) => {
      const stream = ex.offer("/data.json", 2);
      stream.write("{}");
      await tick();
      ex.emit("error", new Error("bad checksum"));
      await give(stream, []);
    });
    expect(result).toEqual({
      ok: false,
      problem: "ARCHIVE_CORRUPT",
      message: "the archive is not a valid tar: bad checksum",
    });
    expect(extractor.nexts).toBe(0);
  });

  it("an entry handed over after the read has failed is drained, not read", async () => {
    const { result, extractor } = await readScripted(async (ex) => {
      ex.emit("error", new Error("bad checksum"));
      const directory = ex.offer("/gatehouse", 0, "directory");
      directory.end();
      await tick();
      expect(directory.readableFlowing).toBe(true);
    });
    expect(result).toMatchObject({ ok: false, message: "the archive is not a valid tar: bad checksum" });
    expect(extractor.nexts).toBe(0);
  });
});

describe("readArchive holds little of the decompressed stream at a time", () => {
  it("decompression waits while the tar reader is busy: its buffer never holds more than one chunk past its limit", async () => {
    script.slow = true;
    // 2 MiB expands from a few KiB, far faster than this reader takes it (1 ms per chunk).
    const { result, extractor } = await readScripted(() => Promise.resolve(), Buffer.alloc(2 << 20));
    expect(result).toEqual({ ok: true, files: new Map() });
    expect(extractor.mostBuffered).toBeGreaterThan(0);
    expect(extractor.mostBuffered).toBeLessThanOrEqual(16 * 1024 + GUNZIP_CHUNK_BYTES);
  });

  it("decompresses in chunks of GUNZIP_CHUNK_BYTES (256 KiB), not zlib's default 16 KiB", async () => {
    const { extractor } = await readScripted(() => Promise.resolve(), Buffer.alloc(2 << 20));
    expect(GUNZIP_CHUNK_BYTES).toBe(256 * 1024);
    expect(extractor.largestChunk).toBe(GUNZIP_CHUNK_BYTES);
  });
});
