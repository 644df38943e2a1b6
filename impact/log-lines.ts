/** Reads a decision log line by line, gzip or plain, without holding the file in memory. */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";

/** Whether the file starts with gzip's magic bytes. */
async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The lines of a JSON Lines file, gunzipped when it is gzip (told by its first bytes, not its
 * name). Throws the file system's or zlib's error when the file cannot be read.
 */
export async function* logLines(path: string): AsyncGenerator<string> {
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  const stream = gzip ? file.pipe(createGunzip()) : file;
  // A gunzip error is not forwarded by pipe(): hand it to the readline consumer.
  if (gzip) file.on("error", (error) => stream.destroy(error));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
    file.destroy();
  }
}
