import { createGunzip, gzipSync, type Gunzip } from "node:zlib";
import type { PassThrough } from "node:stream";
import { extract, pack, type Extract, type Headers } from "tar-stream";

/** Limits that bound what reading an archive may cost. */
export interface ArchiveLimits {
  /** Largest compressed archive, in bytes. */
  readonly maxArchiveBytes: number;
  /** Largest total of uncompressed entry bytes. */
  readonly maxTotalBytes: number;
  /** Most entries. */
  readonly maxEntries: number;
}

/** Generous defaults: a tier-L bundle is a few tens of MB. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntries: 10_000,
};

/** Why an archive was refused. */
export type ArchiveProblem =
  "ARCHIVE_TOO_LARGE" | "ARCHIVE_CORRUPT" | "ENTRY_NOT_A_FILE" | "ENTRY_PATH_UNSAFE" | "ENTRY_DUPLICATE";

/** The outcome of reading an archive: its files by normalized path, or the first problem found. */
export type ArchiveResult =
  | { readonly ok: true; readonly files: ReadonlyMap<string, Uint8Array> }
  | { readonly ok: false; readonly problem: ArchiveProblem; readonly message: string };

/**
 * Normalizes an entry name to a bundle path: OPA writes names with one leading `/`, which is
 * the bundle root; anything else absolute, any `.`/`..`/empty segment, backslash, colon or
 * control character is unsafe. Returns undefined for an unsafe name.
 */
export function normalizeEntryName(name: string): string | undefined {
  const rel = name.startsWith("/") ? name.slice(1) : name;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\\:\u0000-\u001f\u007f]/.test(rel)) return undefined;
  // An empty `rel` splits into one empty segment, and one that still starts with `/` into an
  // empty first segment: both are refused here.
  const segments = rel.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return undefined;
  return rel;
}

/**
 * Reads a gzipped tar archive entirely in memory, never touching the file system. Refuses
 * links, directories with content, devices, unsafe names and duplicates (also after
 * normalization), and stops at the size limits.
 *
 * Decompression streams: the expanded bytes are counted as they come out of gunzip, and an
 * entry whose declared size would pass `maxTotalBytes` is refused at its header, before any of
 * its content is read; so a compression bomb is refused as soon as it passes the limit, having
 * held no more than one decompression chunk (GUNZIP_CHUNK_BYTES) and the files already accepted
 * in memory. Every fault of either layer — not gzip, a truncated gzip, a truncated or malformed tar — resolves
 * to a problem; the promise never rejects and no stream error escapes.
 */
export async function readArchive(
  bytes: Uint8Array,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveResult> {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    return {
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: `the archive is ${bytes.byteLength} bytes, over the ${limits.maxArchiveBytes}-byte limit`,
    };
  }
  return new Promise<ArchiveResult>((resolve) => new ArchiveReader(bytes, limits, resolve).start());
}

/** The expanded-size limit message, the same for a declared and a streamed overflow. */
const tooLarge = (limits: ArchiveLimits): string => `the archive expands past the ${limits.maxTotalBytes}-byte limit`;

/**
 * The most bytes gunzip hands over at a time. Larger than zlib's default 16 KiB: a tier-L
 * bundle then passes through the tar reader in a few dozen chunks instead of hundreds, which
 * takes a third of the time; it is also the most decompressed data held beyond the files.
 */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;

type TarHeader = Headers;
type Readable = PassThrough;

/** One streaming read of an archive: gunzip piped by hand into a tar extractor, both bounded. */
class ArchiveReader {
  private readonly files = new Map<string, Uint8Array>();
  private readonly gunzip: Gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  private readonly ex: Extract = extract();
  private settled = false;
  /** Bytes out of gunzip so far (tar headers and padding included). */
  private expanded = 0;
  /** Entry bytes declared by accepted headers so far. */
  private declared = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: ArchiveLimits,
    private readonly resolve: (result: ArchiveResult) => void,
  ) {}

  start(): void {
    // Tar framing (headers, padding, the end blocks) may add up to 1 MiB beyond the entry bytes.
    const expandedLimit = this.limits.maxTotalBytes + 1024 * 1024;
    this.gunzip.on("data", (chunk: Buffer) => {
      this.expanded += chunk.length;
      if (this.expanded > expandedLimit) return this.fail("ARCHIVE_TOO_LARGE", tooLarge(this.limits));
      if (!this.ex.write(chunk)) this.gunzip.pause();
    });
    this.ex.on("drain", () => this.gunzip.resume());
    this.gunzip.on("end", () => this.ex.end(undefined));
    this.gunzip.on("error", (error: Error) =>
      this.fail("ARCHIVE_CORRUPT", `the archive is not valid gzip data: ${error.message}`),
    );
    this.ex.on("entry", (header, stream, next) => this.entry(header, stream, next));
    this.ex.on("finish", () => this.finish({ ok: true, files: this.files }));
    this.ex.on("error", (error: Error) =>
      this.fail("ARCHIVE_CORRUPT", `the archive is not a valid tar: ${error.message}`),
    );
    this.gunzip.end(this.bytes);
  }

  /** Settles the read; a promise settles once, so a later result changes nothing. */
  private finish(result: ArchiveResult): void {
    this.settled = true;
    this.resolve(result);
  }

  /** Settles with a problem and tears both streams down (their later errors are ignored). */
  private fail(problem: ArchiveProblem, message: string): void {
    this.finish({ ok: false, problem, message });
    this.gunzip.destroy();
    this.ex.destroy();
  }

  private entry(header: TarHeader, stream: Readable, next: () => void): void {
    // A truncated entry errors its own stream; without a listener that error would be uncaught.
    stream.on("error", (error: Error) =>
      this.fail("ARCHIVE_CORRUPT", `the archive is not a valid tar: ${error.message}`),
    );
    if (this.settled) {
      stream.resume();
      return;
    }
    const path = normalizeEntryName(header.name);
    const refuse = (problem: ArchiveProblem, message: string): void => {
      stream.resume();
      this.fail(problem, message);
    };
    if (header.type === "directory" && path !== undefined) {
      stream.resume();
      next();
      return;
    }
    if (header.type !== "file" && header.type !== "contiguous-file")
      return refuse(
        "ENTRY_NOT_A_FILE",
        `entry \`${header.name}\` is a ${header.type ?? "special entry"}, not a regular file`,
      );
    if (path === undefined) return refuse("ENTRY_PATH_UNSAFE", `entry \`${header.name}\` has an unsafe path`);
    if (this.files.has(path)) return refuse("ENTRY_DUPLICATE", `entry \`${path}\` appears twice`);
    if (this.files.size >= this.limits.maxEntries)
      return refuse("ARCHIVE_TOO_LARGE", `the archive has more than ${this.limits.maxEntries} entries`);
    this.declared += header.size ?? 0;
    if (this.declared > this.limits.maxTotalBytes) return refuse("ARCHIVE_TOO_LARGE", tooLarge(this.limits));
    this.collect(path, header.size ?? 0, stream, next);
  }

  /** Reads one entry's content (at most its declared size) into a buffer of its own. */
  private collect(path: string, size: number, stream: Readable, next: () => void): void {
    // A plain Uint8Array over its own ArrayBuffer: Buffer.concat may hand out a slice of
    // Node's shared pool, whose `.buffer` (and `slice()`, which does not copy) would
    // expose the neighbouring bytes to whoever reads the file as an ArrayBuffer.
    const content = new Uint8Array(size);
    let offset = 0;
    stream.on("data", (data: unknown) => {
      const chunk = data as Buffer;
      // After settling, bytes copied here are dropped with the buffer: no check is needed.
      if (offset + chunk.length > size)
        return this.fail("ARCHIVE_CORRUPT", `entry \`${path}\` is longer than declared`);
      content.set(chunk, offset);
      offset += chunk.length;
    });
    stream.on("end", () => {
      if (this.settled) return;
      if (offset !== size) return this.fail("ARCHIVE_CORRUPT", `entry \`${path}\` is shorter than declared`);
      this.files.set(path, content);
      next();
    });
  }
}

/**
 * Writes files into a gzipped tar archive whose bytes depend only on the files: entries in the
 * given order, names with OPA's leading `/`, zero timestamps, owner and group, mode 0644, and a
 * gzip header without time or operating system. `level` is the deflate level (default 9); the
 * bytes depend on it too.
 */
export async function writeArchive(
  files: ReadonlyArray<readonly [path: string, content: Uint8Array]>,
  options: { readonly level?: number } = {},
): Promise<Uint8Array> {
  const tar = await new Promise<Buffer>((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    // Stryker disable next-line StringLiteral: tar-stream's pack errors only on an entry whose size differs from its header's, or one added after finalize or destroy; each entry here gets its own byte length, before finalize
    p.on("error", reject);
    for (const [path, content] of files) {
      p.entry(
        {
          name: `/${path}`,
          size: content.byteLength,
          mode: 0o644,
          mtime: new Date(0),
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
          // No `type`: tar-stream writes a regular file (typeflag 0) by default.
        },
        Buffer.from(content),
      );
    }
    p.finalize();
  });
  // Byte identity: the tar bytes depend only on `files`; the deflate stream also depends on the
  // zlib built into Node (`process.versions.zlib`): the same Node release always gives the same
  // bytes, another release may compress differently. The revision, the manifest and every file
  // (hence a signature's file hashes) are unaffected by that.
  const gz = gzipSync(tar, { level: options.level ?? 9 });
  // Byte 9 of a gzip header names the operating system; 255 ("unknown") is what Go writes.
  gz[9] = 0xff;
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}
