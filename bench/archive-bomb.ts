/**
 * Peak memory of refusing a decompression bomb with the default archive limits. Each case runs
 * in a child process of its own, so its peak resident set (`maxRSS`) is the cost of that read
 * alone; the baseline is the same child reading a small valid archive.
 *
 *   npx tsx bench/archive-bomb.ts [path of the readArchive module to measure]
 *
 * Results are recorded in bench/results/archive-bomb.md.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as ArchiveModuleNs from "../core/bundle-archive.js";
import { createGzip, gzipSync } from "node:zlib";

/** Prints one line of the report. */
const out = (line: string): void => void process.stdout.write(`${line}\n`);

type ArchiveModule = typeof ArchiveModuleNs;
type Case = "small" | "declared" | "padding";

/** A tar header for a regular file `data.json` declaring `size` bytes (ustar, checksum set). */
function header(size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write("data.json", 0, "ascii");
  h.write("0000644\0", 100, "ascii");
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  h.write("0", 156, "ascii");
  h.write("ustar\u000000", 257, "binary");
  h.fill(" ", 148, 156);
  const sum = h.reduce((n, b) => n + b, 0);
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** A gzipped tar holding one entry of `size` zero bytes, compressed as it is written. */
async function zeroEntry(size: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gz.on("end", resolve));
  gz.write(header(size));
  const block = Buffer.alloc(1 << 20);
  for (let left = size + ((512 - (size % 512)) % 512) + 1024; left > 0; left -= block.length) {
    if (!gz.write(block.subarray(0, Math.min(left, block.length))))
      await new Promise((resolve) => gz.once("drain", resolve));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

/** 2 GiB of zeros as 2048 concatenated gzip members of 1 MiB each (a few MB compressed). */
function paddingBomb(): Uint8Array {
  const member = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
  return Buffer.concat(Array.from({ length: 2048 }, () => member));
}

async function bytesOf(kind: Case): Promise<Uint8Array> {
  if (kind === "small") return zeroEntry(1024);
  if (kind === "declared") return zeroEntry(1100 * 1024 * 1024);
  return paddingBomb();
}

/** Child: reads one archive and prints the outcome and the peak RSS in MiB. */
async function child(kind: Case, modulePath: string): Promise<void> {
  const bytes = await bytesOf(kind);
  const { readArchive } = (await import(pathToFileURL(modulePath).href)) as ArchiveModule;
  const before = process.resourceUsage().maxRSS / 1024;
  const result = await readArchive(bytes);
  const peak = process.resourceUsage().maxRSS / 1024;
  const outcome = result.ok ? "accepted" : result.problem;
  out(JSON.stringify({ kind, compressed: bytes.byteLength, outcome, before, peak }));
}

const [, , first, second] = process.argv;
if (first === "--child") await child(second as Case, process.argv[4]!);
else {
  const modulePath = first ?? fileURLToPath(new URL("../core/bundle-archive.ts", import.meta.url));
  out(`| case | compressed bytes | outcome | peak RSS before read (MiB) | peak RSS after (MiB) |`);
  out(`|---|---|---|---|---|`);
  for (const kind of ["small", "declared", "padding"] as const) {
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--child", kind, modulePath],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    const r = JSON.parse(output.trim().split("\n").pop()!) as Record<string, number | string>;
    const mib = (v: number | string | undefined): string => (typeof v === "number" ? v.toFixed(0) : "?");
    out(`| ${kind} | ${r.compressed} | ${r.outcome} | ${mib(r.before)} | ${mib(r.peak)} |`);
  }
}
