import { gunzipSync, gzipSync } from "node:zlib";
import { extract, pack } from "tar-stream";

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
  if (rel === "" || rel.startsWith("/")) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\\:\u0000-\u001f\u007f]/.test(rel)) return undefined;
  const segments = rel.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return undefined;
  return rel;
}

/**
 * Reads a gzipped tar archive entirely in memory, never touching the file system. Refuses
 * links, directories with content, devices, unsafe names and duplicates (also after
 * normalization), and stops at the size limits.
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
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: limits.maxTotalBytes + 1024 * 1024 });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
    return tooLarge
      ? {
          ok: false,
          problem: "ARCHIVE_TOO_LARGE",
          message: `the archive expands past the ${limits.maxTotalBytes}-byte limit`,
        }
      : { ok: false, problem: "ARCHIVE_CORRUPT", message: `the archive is not gzip data: ${(error as Error).message}` };
  }
  return new Promise<ArchiveResult>((resolve) => {
    const files = new Map<string, Uint8Array>();
    let settled = false;
    let total = 0;
    const finish = (result: ArchiveResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const ex = extract();
    ex.on("entry", (header, stream, next) => {
      if (settled) {
        stream.resume();
        next();
        return;
      }
      const path = normalizeEntryName(header.name);
      const fail = (problem: ArchiveProblem, message: string): void => {
        finish({ ok: false, problem, message });
        stream.resume();
        ex.destroy();
      };
      if (header.type === "directory" && path !== undefined) {
        stream.resume();
        next();
        return;
      }
      if (header.type !== "file" && header.type !== "contiguous-file")
        return fail(
          "ENTRY_NOT_A_FILE",
          `entry \`${header.name}\` is a ${header.type ?? "special entry"}, not a regular file`,
        );
      if (path === undefined) return fail("ENTRY_PATH_UNSAFE", `entry \`${header.name}\` has an unsafe path`);
      if (files.has(path)) return fail("ENTRY_DUPLICATE", `entry \`${path}\` appears twice`);
      if (files.size >= limits.maxEntries)
        return fail("ARCHIVE_TOO_LARGE", `the archive has more than ${limits.maxEntries} entries`);
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: unknown) => {
        const bytes = chunk as Buffer;
        total += bytes.length;
        if (total > limits.maxTotalBytes)
          fail("ARCHIVE_TOO_LARGE", `the archive expands past the ${limits.maxTotalBytes}-byte limit`);
        else chunks.push(bytes);
      });
      stream.on("end", () => {
        // A plain Uint8Array over its own ArrayBuffer: Buffer.concat may hand out a slice of
        // Node's shared pool, whose `.buffer` (and `slice()`, which does not copy) would
        // expose the neighbouring bytes to whoever reads the file as an ArrayBuffer.
        const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let offset = 0;
        for (const chunk of chunks) {
          bytes.set(chunk, offset);
          offset += chunk.length;
        }
        files.set(path, bytes);
        next();
      });
    });
    ex.on("finish", () => finish({ ok: true, files }));
    ex.on("error", (error: Error) =>
      finish({ ok: false, problem: "ARCHIVE_CORRUPT", message: `the archive is not a valid tar: ${error.message}` }),
    );
    ex.end(tar);
  });
}

/**
 * Writes files into a gzipped tar archive whose bytes depend only on the files: entries in the
 * given order, names with OPA's leading `/`, zero timestamps, owner and group, mode 0644, and a
 * gzip header without time or operating system.
 */
export async function writeArchive(
  files: ReadonlyArray<readonly [path: string, content: Uint8Array]>,
): Promise<Uint8Array> {
  const tar = await new Promise<Buffer>((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
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
          type: "file",
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
  const gz = gzipSync(tar, { level: 9 });
  // Byte 9 of a gzip header names the operating system; 255 ("unknown") is what Go writes.
  gz[9] = 0xff;
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}
