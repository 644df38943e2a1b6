import { gunzipSync, gzipSync } from "node:zlib";
import { pack, type Headers as Header } from "tar-stream";
import { describe, expect, it } from "vitest";
import { normalizeEntryName, readArchive, writeArchive, type ArchiveLimits } from "../../core/bundle-archive.js";
import { Authorizer, BundleError } from "../../wasm/index.js";

type Entry = Partial<Header> & Pick<Header, "name"> & { readonly content?: string };

/** A gzipped tar archive holding exactly `entries`, as any tar writer could produce it. */
async function archive(entries: readonly Entry[]): Promise<Uint8Array> {
  const tar = await new Promise<Buffer>((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
    for (const { content, ...header } of entries) {
      if (content === undefined) p.entry(header);
      else p.entry(header, content);
    }
    p.finalize();
  });
  return gzipSync(tar);
}

const file = (name: string, content = "{}"): Entry => ({ name, content, type: "file" });

async function problem(entries: readonly Entry[], limits?: ArchiveLimits): Promise<string> {
  const result = await readArchive(await archive(entries), limits);
  return result.ok ? `ok: ${[...result.files.keys()].join(", ")}` : `${result.problem}: ${result.message}`;
}

describe("readArchive refuses unsafe tar entries", () => {
  it("reads regular files under OPA's single leading `/` or none, skipping directory entries", async () => {
    expect(
      await problem([
        { name: "/gatehouse", type: "directory" },
        file("/gatehouse/decision.rego", "package gatehouse"),
        file("data.json"),
      ]),
    ).toBe("ok: gatehouse/decision.rego, data.json");
  });

  it.each([
    ["an absolute path beyond OPA's leading `/`", "//data.json"],
    ["an absolute path", "///etc/passwd"],
    ["a parent segment", "../data.json"],
    ["a parent segment inside", "/gatehouse/../../etc/passwd"],
    ["a `.` segment", "gatehouse/./decision.rego"],
    ["an empty segment", "gatehouse//decision.rego"],
    ["a backslash", "gatehouse\\..\\decision.rego"],
    ["a drive letter", "C:/data.json"],
    ["a NUL in a long (pax) name", `${"a".repeat(120)}\u0000.json`],
    ["a newline", "data.json\n"],
    ["a parent segment in a long (pax) name", `${"a".repeat(120)}/../../data.json`],
  ])("%s: ENTRY_PATH_UNSAFE", async (_what, name) => {
    const result = await problem([file(name)]);
    expect(result).toMatch(/^ENTRY_PATH_UNSAFE: entry `.*` has an unsafe path$/s);
  });

  it.each([
    [{ name: "data.json", type: "symlink", linkname: "/etc/passwd" }, "symlink"],
    [{ name: "data.json", type: "link", linkname: "policy.wasm" }, "link"],
    [{ name: "dev", type: "character-device", devmajor: 1, devminor: 3 }, "character-device"],
    [{ name: "disk", type: "block-device", devmajor: 8, devminor: 0 }, "block-device"],
    [{ name: "pipe", type: "fifo" }, "fifo"],
  ] as const)("a %s entry: ENTRY_NOT_A_FILE", async (entry, type) => {
    expect(await problem([file("/.manifest"), entry])).toBe(
      `ENTRY_NOT_A_FILE: entry \`${entry.name}\` is a ${type}, not a regular file`,
    );
  });

  it.each([
    [["data.json", "data.json"], "data.json"],
    [["/data.json", "data.json"], "data.json"],
    [["gatehouse/x.rego", "/gatehouse/x.rego"], "gatehouse/x.rego"],
  ])("duplicates %j, also after normalization: ENTRY_DUPLICATE", async (names, path) => {
    expect(await problem(names.map((n) => file(n)))).toBe(`ENTRY_DUPLICATE: entry \`${path}\` appears twice`);
  });

  it("stops at the size limits: compressed size, expanded size, entry count", async () => {
    const limits = { maxArchiveBytes: 1 << 20, maxTotalBytes: 1000, maxEntries: 3 };
    expect(await problem([file("a.json", "x".repeat(600)), file("b.json", "x".repeat(600))], limits)).toBe(
      "ARCHIVE_TOO_LARGE: the archive expands past the 1000-byte limit",
    );
    expect(
      await problem(
        ["a", "b", "c", "d"].map((n) => file(`${n}.rego`)),
        limits,
      ),
    ).toBe("ARCHIVE_TOO_LARGE: the archive has more than 3 entries");
    const small = { ...limits, maxArchiveBytes: 64 };
    expect(await problem([file("a.json", "x".repeat(100_000))], small)).toMatch(
      /^ARCHIVE_TOO_LARGE: the archive is \d+ bytes, over the 64-byte limit$/,
    );
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(20_000);
    const result = await readArchive(bomb, { ...limits, maxTotalBytes: 1024 * 1024 });
    expect(result).toMatchObject({ ok: false, problem: "ARCHIVE_TOO_LARGE" });
  });

  it("gives each file its own buffer, so slice().buffer holds exactly the file", async () => {
    const result = await readArchive(await archive([file("data.json", '{"small":true}'), file("policy.wasm", "x")]));
    if (!result.ok) throw new Error(result.message);
    for (const bytes of result.files.values()) {
      expect(bytes.slice().buffer.byteLength).toBe(bytes.byteLength);
      expect(bytes.byteOffset).toBe(0);
    }
    expect(new TextDecoder().decode(result.files.get("data.json")!.slice().buffer)).toBe('{"small":true}');
  });

  it("round-trips what writeArchive writes", async () => {
    const bytes = await writeArchive([["data.json", new TextEncoder().encode("{}")]]);
    const result = await readArchive(bytes);
    expect(result.ok && [...result.files.keys()]).toEqual(["data.json"]);
  });
});

describe("Authorizer.load maps archive problems to bundle error codes", () => {
  const symlink: Entry = { name: "data.json", type: "symlink", linkname: "/etc/passwd" };
  it.each([
    [[file("../data.json")], "BUNDLE_ENTRY_PATH_UNSAFE"],
    [[symlink], "BUNDLE_ENTRY_NOT_A_FILE"],
    [[file("/data.json"), file("data.json")], "BUNDLE_ENTRY_DUPLICATE"],
  ])("%#: %s", async (entries, code) => {
    const error = await Authorizer.load(await archive(entries)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe(code);
  });
});

/** The tar inside `archive(entries)`, cut to `length` bytes and gzipped again: valid gzip, truncated tar. */
async function truncatedTar(entries: readonly Entry[], length: number): Promise<Uint8Array> {
  return gzipSync(gunzipSync(await archive(entries)).subarray(0, length));
}

/** A ustar header of an entry `name` declaring `size` bytes (a regular file unless `typeflag` says otherwise), with its checksum. */
function tarHeader(name: string, size: number, typeflag = "0"): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, "ascii");
  h.write("0000644\0", 100, "ascii");
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  h.write(typeflag, 156, "ascii");
  h.write("ustar\u000000", 257, "binary");
  h.fill(" ", 148, 156);
  h.write(
    `${h
      .reduce((n, b) => n + b, 0)
      .toString(8)
      .padStart(6, "0")}\0 `,
    148,
    "ascii",
  );
  return h;
}

describe("readArchive turns every archive fault into a problem, never an uncaught error", () => {
  const entries = [file("/.manifest", '{"revision":"r"}'), file("/data.json", "x".repeat(3000))];

  // (A cut exactly at an entry boundary is a shorter, well-formed tar; the missing files are reported by the bundle check.)
  it.each([1, 100, 511, 512, 600, 1030, 1536, 2000, 4000])(
    "a valid gzip holding a tar truncated to %i bytes: ARCHIVE_CORRUPT",
    async (length) => {
      const result = await readArchive(await truncatedTar(entries, length));
      expect(result).toMatchObject({ ok: false, problem: "ARCHIVE_CORRUPT" });
    },
  );

  it.each([
    ["bytes that are not gzip", new TextEncoder().encode("definitely not a bundle")],
    ["an empty file", new Uint8Array(0)],
    ["a gzip header alone", Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])],
  ])("%s: ARCHIVE_CORRUPT", async (_what, bytes) => {
    expect(await readArchive(bytes)).toMatchObject({ ok: false, problem: "ARCHIVE_CORRUPT" });
  });

  it("a truncated gzip stream: ARCHIVE_CORRUPT", async () => {
    const whole = await archive(entries);
    for (const cut of [20, Math.floor(whole.length / 2), whole.length - 4]) {
      expect(await readArchive(whole.subarray(0, cut))).toMatchObject({ ok: false, problem: "ARCHIVE_CORRUPT" });
    }
  });

  it("an entry declaring more than the limit is refused at its header, before its content", async () => {
    // The header declares 64 MiB; only 10 bytes follow. Read to the end, this would be a truncated tar.
    const bytes = gzipSync(Buffer.concat([tarHeader("data.json", 64 << 20), Buffer.alloc(10)]));
    const limits = { maxArchiveBytes: 1 << 20, maxTotalBytes: 1 << 20, maxEntries: 10 };
    expect(await readArchive(bytes, limits)).toEqual({
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: "the archive expands past the 1048576-byte limit",
    });
  });

  it("a stream that expands past the limit is refused there, before the rest is decompressed", async () => {
    // 64 gzip members of 1 MiB of zeros (the tar end blocks, then padding), then bytes that are not gzip:
    // a reader that decompressed everything first would report the corrupt tail instead.
    const member = gzipSync(Buffer.alloc(1 << 20));
    const bytes = Buffer.concat([...Array.from({ length: 64 }, () => member), Buffer.from("not gzip at all")]);
    const limits = { maxArchiveBytes: 1 << 30, maxTotalBytes: 1 << 20, maxEntries: 10 };
    expect(await readArchive(bytes, limits)).toMatchObject({ ok: false, problem: "ARCHIVE_TOO_LARGE" });
  });

  it("Authorizer.load: a truncated tar is a BundleError BUNDLE_CORRUPT", async () => {
    const error = await Authorizer.load(await truncatedTar(entries, 700)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe("BUNDLE_CORRUPT");
  });
});

describe("Authorizer.load checks the manifest's field types", () => {
  it.each([
    ['{"revision":"r","wasm":[{"module":42}]}', "`wasm[0].module`"],
    ['{"revision":"r","wasm":[{"entrypoint":"a/b"}]}', "`wasm[0].module`"],
    ['{"revision":"r","wasm":[{"module":"/policy.wasm","entrypoint":7}]}', "`wasm[0].entrypoint`"],
    ['{"revision":"r","wasm":{"module":"/policy.wasm"}}', "`wasm`"],
    ['{"revision":"r","wasm":[null]}', "`wasm[0]`"],
    ['{"revision":"r","roots":"gatehouse"}', "`roots`"],
    ['{"revision":"r","roots":[1]}', "`roots`"],
    ['{"revision":"r","metadata":[]}', "`metadata`"],
    ['{"revision":7}', "`revision`"],
    ["[]", "`revision`"],
  ])("%s: MANIFEST_INVALID naming %s", async (manifest, field) => {
    const bytes = await archive([file("/.manifest", manifest), file("/data.json"), file("/policy.wasm", "x")]);
    const error = await Authorizer.load(bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe("MANIFEST_INVALID");
    expect((error as BundleError).message).toContain(field);
  });
});

describe("readArchive limits and reads (each test pins one rule)", () => {
  const GiB = 1024 * 1024 * 1024;

  it("applies the default limits when none are passed: an archive past a default limit is refused", async () => {
    expect(await readArchive(new Uint8Array(256 * 1024 * 1024 + 1))).toEqual({
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: "the archive is 268435457 bytes, over the 268435456-byte limit",
    });
    // Exactly at the default compressed limit it is read (and found not to be gzip).
    expect(await readArchive(new Uint8Array(256 * 1024 * 1024))).toMatchObject({
      ok: false,
      problem: "ARCHIVE_CORRUPT",
    });
    const declared = (size: number) => gzipSync(Buffer.concat([tarHeader("data.json", size), Buffer.alloc(10)]));
    expect(await readArchive(declared(GiB + 1))).toEqual({
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: "the archive expands past the 1073741824-byte limit",
    });
    expect(await readArchive(declared(GiB))).toMatchObject({ ok: false, problem: "ARCHIVE_CORRUPT" });
    const many = await archive(Array.from({ length: 10_001 }, (_, i) => file(`f${i}`, "")));
    expect(await readArchive(many)).toEqual({
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: "the archive has more than 10000 entries",
    });
  });

  it("accepts an entry exactly at the expanded-size limit and refuses one byte more", async () => {
    const limits = { maxArchiveBytes: 1 << 20, maxTotalBytes: 1000, maxEntries: 10 };
    const at = await readArchive(await archive([file("a.json", "x".repeat(1000))]), limits);
    expect(at.ok && at.files.get("a.json")?.byteLength).toBe(1000);
    expect(await problem([file("a.json", "x".repeat(1001))], limits)).toBe(
      "ARCHIVE_TOO_LARGE: the archive expands past the 1000-byte limit",
    );
    expect(await problem([file("a.json", "x".repeat(600)), file("b.json", "x".repeat(400))], limits)).toBe(
      "ok: a.json, b.json",
    );
  });

  it("accepts exactly the most entries and refuses one more", async () => {
    const limits = { maxArchiveBytes: 1 << 20, maxTotalBytes: 1000, maxEntries: 3 };
    expect(
      await problem(
        ["a", "b", "c"].map((n) => file(n)),
        limits,
      ),
    ).toBe("ok: a, b, c");
    expect(
      await problem(
        ["a", "b", "c", "d"].map((n) => file(n)),
        limits,
      ),
    ).toBe("ARCHIVE_TOO_LARGE: the archive has more than 3 entries");
  });

  it("accepts an archive exactly at the compressed-size limit and refuses one byte more", async () => {
    const bytes = await archive([file("a.json")]);
    const limits = { maxArchiveBytes: bytes.byteLength, maxTotalBytes: 1000, maxEntries: 3 };
    expect((await readArchive(bytes, limits)).ok).toBe(true);
    expect(await readArchive(bytes, { ...limits, maxArchiveBytes: bytes.byteLength - 1 })).toEqual({
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: `the archive is ${bytes.byteLength} bytes, over the ${bytes.byteLength - 1}-byte limit`,
    });
  });

  it("refuses a stream that expands past the limit plus 1 MiB of tar framing, and not before", async () => {
    const limits = { maxArchiveBytes: 1 << 30, maxTotalBytes: 1024, maxEntries: 10 };
    // Zeros read as tar end blocks: no entry, so only the streamed count can refuse them.
    const framing = (n: number) => gzipSync(Buffer.alloc(n));
    expect(await readArchive(framing(1024 + (1 << 20)), limits)).toEqual({ ok: true, files: new Map() });
    expect(await readArchive(framing(1024 + (1 << 20) + 512), limits)).toEqual({
      ok: false,
      problem: "ARCHIVE_TOO_LARGE",
      message: "the archive expands past the 1024-byte limit",
    });
  });

  it("reads an entry split over many chunks whole, byte for byte", async () => {
    const content = Buffer.alloc(300_000);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7919) % 251;
    const result = await readArchive(
      await writeArchive([
        ["policy.wasm", content],
        ["data.json", Buffer.from("{}")],
      ]),
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(Buffer.from(result.files.get("policy.wasm")!).equals(content)).toBe(true);
      expect(new TextDecoder().decode(result.files.get("data.json"))).toBe("{}");
    }
  });

  it("reads a contiguous-file entry (tar type 7) as a regular file", async () => {
    expect(await problem([{ name: "/data.json", type: "contiguous-file", content: "{}" }])).toBe("ok: data.json");
  });

  it("refuses an entry of a type tar does not define, naming it a special entry", async () => {
    const bytes = gzipSync(Buffer.concat([tarHeader("data.json", 0, "A"), Buffer.alloc(1024)]));
    expect(await readArchive(bytes)).toEqual({
      ok: false,
      problem: "ENTRY_NOT_A_FILE",
      message: "entry `data.json` is a special entry, not a regular file",
    });
  });

  it("refuses a directory entry with an unsafe name", async () => {
    expect(await problem([{ name: "../escape", type: "directory" }, file("data.json")])).toBe(
      "ENTRY_NOT_A_FILE: entry `../escape` is a directory, not a regular file",
    );
  });

  it("settles with a clear error for bytes that are not gzip, and for a valid gzip holding a corrupt tar", async () => {
    expect(await readArchive(new TextEncoder().encode("definitely not a bundle"))).toEqual({
      ok: false,
      problem: "ARCHIVE_CORRUPT",
      message: "the archive is not valid gzip data: incorrect header check",
    });
    const garbage = Buffer.alloc(1024, 0x41);
    expect(await readArchive(gzipSync(garbage))).toMatchObject({
      ok: false,
      problem: "ARCHIVE_CORRUPT",
      message: expect.stringMatching(/^the archive is not a valid tar: ./) as string,
    });
  });

  it("names the entry in each refusal", async () => {
    expect(await problem([file("/.manifest"), { name: "x", type: "fifo" }])).toBe(
      "ENTRY_NOT_A_FILE: entry `x` is a fifo, not a regular file",
    );
    expect(await problem([file("a/../b")])).toBe("ENTRY_PATH_UNSAFE: entry `a/../b` has an unsafe path");
  });
});

describe("writeArchive writes bytes that depend only on the files", () => {
  it("writes OPA's leading `/`, mode 0644, zero owners and time, empty owner names, and a gzip header of maximum compression without time or OS", async () => {
    const gz = Buffer.from(await writeArchive([["a.json", new TextEncoder().encode("{}")]]));
    // ID1 ID2, deflate, no flags, MTIME 0, XFL 2 (level 9, the slowest and smallest), OS 255 (unknown).
    expect(gz.subarray(0, 10).toString("hex")).toBe("1f8b08000000000002ff");
    const tar = gunzipSync(gz);
    const field = (at: number, length: number) => tar.subarray(at, at + length).toString("latin1");
    expect(field(0, 100)).toBe("/a.json".padEnd(100, "\0"));
    expect(field(100, 8)).toBe("000644 \0"); // mode
    expect(field(108, 8)).toBe("000000 \0"); // uid
    expect(field(116, 8)).toBe("000000 \0"); // gid
    expect(field(124, 12)).toBe("00000000002 "); // size
    expect(field(136, 12)).toBe("00000000000 "); // mtime
    expect(field(156, 1)).toBe("0"); // a regular file
    expect(field(257, 6)).toBe("ustar\0");
    expect(field(265, 32)).toBe("\0".repeat(32)); // uname
    expect(field(297, 32)).toBe("\0".repeat(32)); // gname
    expect(field(512, 2)).toBe("{}");
    expect(tar.byteLength).toBe(2048);
  });
});

describe("writeArchive's deflate level", () => {
  it("deflates at the level given, 9 when none is: the gzip header's XFL byte says which", async () => {
    const files: Array<[string, Uint8Array]> = [["a.json", new TextEncoder().encode("{}")]];
    // XFL: 2 for level 9 (slowest), 4 for level 1 (fastest), 0 for the levels between.
    const xfl = async (options?: { level: number }) => Buffer.from(await writeArchive(files, options))[8];
    expect([await xfl(), await xfl({ level: 9 }), await xfl({ level: 6 }), await xfl({ level: 1 })]).toEqual([
      2, 2, 0, 4,
    ]);
  });
});

describe("normalizeEntryName", () => {
  it.each([[""], ["/"], ["//"], ["//a"], ["a/"], ["/a//b"]])(
    "refuses %j: no empty name or segment, before or after OPA's leading `/`",
    (name) => {
      expect(normalizeEntryName(name)).toBeUndefined();
    },
  );

  it("drops exactly one leading `/`", () => {
    expect(normalizeEntryName("/gatehouse/a.rego")).toBe("gatehouse/a.rego");
    expect(normalizeEntryName("gatehouse/a.rego")).toBe("gatehouse/a.rego");
  });
});
