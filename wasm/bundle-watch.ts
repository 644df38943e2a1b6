import { createHash } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { BundleError } from "./errors.js";

/** How a watcher hands over a changed bundle: resolves when it is in use, rejects when refused. */
export type BundleConsumer = (bytes: Uint8Array) => Promise<void>;

/** Options of `watchBundle`. */
export interface WatchOptions {
  /** Files: how long to wait after a change event for writes to settle, in ms (default 100). */
  readonly debounceMs?: number;
  /** Files: how often to stat the file as well, for file systems where events go missing, in ms (default 2000). */
  readonly statIntervalMs?: number;
  /** URLs: the shortest wait between polls, in ms (default 60 000, as OPA's `min_delay_seconds`). */
  readonly minDelayMs?: number;
  /** URLs: the longest wait between polls, in ms (default 120 000, as OPA's `max_delay_seconds`). */
  readonly maxDelayMs?: number;
  /** URLs: the longest wait after failures, in ms (default 300 000). */
  readonly maxBackoffMs?: number;
  /** URLs: how long one download may take, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** URLs: the fetch to use. */
  readonly fetch?: typeof fetch;
  /** Told when a check could not read the bundle (the consumer's own refusals are its to report). */
  readonly onError?: (error: BundleError) => void;
  /** The random source for poll jitter, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** A running watch; `stop` ends it and waits for a check in progress. */
export interface BundleWatcher {
  stop(): Promise<void>;
}

/** A URL to poll, or undefined for a file path (`file:` URLs become paths). */
export function httpUrl(source: string | URL): URL | undefined {
  const url = source instanceof URL ? source : /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? new URL(source) : undefined;
  return url && url.protocol !== "file:" ? url : undefined;
}

function filePath(source: string | URL): string {
  return source instanceof URL || source.startsWith("file:") ? fileURLToPath(source) : source;
}

function digest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The wait before the next poll, as OPA's bundle downloader does it: a random delay between
 * the minimum and maximum after a successful poll, and after `failures` failures in a row an
 * exponential backoff from the minimum, capped, with the same jitter.
 */
export function nextPollDelay(
  failures: number,
  options: { readonly minDelayMs: number; readonly maxDelayMs: number; readonly maxBackoffMs: number },
  random: () => number,
): number {
  const { minDelayMs, maxDelayMs, maxBackoffMs } = options;
  if (failures === 0) return Math.round(minDelayMs + random() * (maxDelayMs - minDelayMs));
  const base = Math.min(maxBackoffMs, minDelayMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(Math.min(maxBackoffMs, base * (1 + random() * 0.5)));
}

/** The outcome of one conditional download. */
export type Download =
  | { readonly changed: true; readonly bytes: Uint8Array; readonly etag: string | undefined }
  | { readonly changed: false };

/**
 * Downloads a bundle, conditionally on `etag` (If-None-Match) as OPA's bundle service protocol
 * does: a 304 is "unchanged". Throws a BundleError (BUNDLE_UNREADABLE) for anything but 200 or
 * 304, a network error or a timeout.
 */
export async function downloadBundle(
  url: URL,
  etag: string | undefined,
  options: { readonly fetch?: typeof fetch; readonly timeoutMs?: number } = {},
): Promise<Download> {
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: etag === undefined ? {} : { "If-None-Match": etag },
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new BundleError("BUNDLE_UNREADABLE", `GET ${url.href} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { changed: false };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new BundleError("BUNDLE_UNREADABLE", `GET ${url.href} answered ${response.status}`);
  }
  try {
    return {
      changed: true,
      bytes: new Uint8Array(await response.arrayBuffer()),
      etag: response.headers.get("etag") ?? undefined,
    };
  } catch (error) {
    throw new BundleError("BUNDLE_UNREADABLE", `GET ${url.href} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Watches a bundle and hands every changed version to `consume`, one at a time. A file is
 * watched through its directory (so a rename over it is seen) with a debounce, and stat'ed
 * periodically as well; a URL is polled with If-None-Match. Unchanged bytes are never handed
 * over twice in a row. `initial` describes the version already in use, so it is not reloaded.
 */
export function watchBundle(
  source: string | URL,
  consume: BundleConsumer,
  initial: { readonly bytes: Uint8Array; readonly etag?: string | undefined },
  options: WatchOptions = {},
): BundleWatcher {
  const url = httpUrl(source);
  return url
    ? new HttpPoller(url, consume, initial, options)
    : new FileWatcher(filePath(source), consume, initial, options);
}

class FileWatcher implements BundleWatcher {
  private watcher: FSWatcher | undefined;
  private readonly interval: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | undefined;
  private lastDigest: string;
  private lastStat = "";
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly consume: BundleConsumer,
    initial: { readonly bytes: Uint8Array },
    private readonly options: WatchOptions,
  ) {
    this.lastDigest = digest(initial.bytes);
    void stat(path).then(
      (s) => (this.lastStat ||= `${s.ino}:${s.size}:${s.mtimeMs}`),
      () => undefined,
    );
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(path)) this.schedule();
      });
      this.watcher.on("error", () => {
        // The periodic stat keeps watching when the directory watch fails.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
    this.interval = setInterval(() => void this.poll(), options.statIntervalMs ?? 2000);
    this.interval.unref();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  private async poll(): Promise<void> {
    try {
      const s = await stat(this.path);
      const key = `${s.ino}:${s.size}:${s.mtimeMs}`;
      if (key !== this.lastStat) this.schedule();
    } catch {
      // A missing file is not a new bundle; the one in use keeps serving.
    }
  }

  private check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once();
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
    return this.running;
  }

  private async once(): Promise<void> {
    if (this.stopped) return;
    let bytes: Uint8Array;
    try {
      const s = await stat(this.path);
      this.lastStat = `${s.ino}:${s.size}:${s.mtimeMs}`;
      bytes = new Uint8Array(await readFile(this.path));
    } catch (error) {
      this.options.onError?.(
        new BundleError("BUNDLE_UNREADABLE", `cannot read the bundle: ${(error as Error).message}`, { cause: error }),
      );
      return;
    }
    const d = digest(bytes);
    if (d === this.lastDigest) return;
    this.lastDigest = d;
    await this.consume(bytes).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.interval);
    this.watcher?.close();
    await this.running;
  }
}

class HttpPoller implements BundleWatcher {
  private etag: string | undefined;
  private lastDigest: string;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly delays: { minDelayMs: number; maxDelayMs: number; maxBackoffMs: number };

  constructor(
    private readonly url: URL,
    private readonly consume: BundleConsumer,
    initial: { readonly bytes: Uint8Array; readonly etag?: string | undefined },
    private readonly options: WatchOptions,
  ) {
    this.etag = initial.etag;
    this.lastDigest = digest(initial.bytes);
    const minDelayMs = options.minDelayMs ?? 60_000;
    this.delays = {
      minDelayMs,
      maxDelayMs: Math.max(minDelayMs, options.maxDelayMs ?? 120_000),
      maxBackoffMs: options.maxBackoffMs ?? 300_000,
    };
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const delay = nextPollDelay(this.failures, this.delays, this.options.random ?? Math.random);
    this.timer = setTimeout(() => {
      this.running = this.once().finally(() => {
        this.running = undefined;
        this.arm();
      });
    }, delay);
    this.timer.unref();
  }

  private async once(): Promise<void> {
    let download: Download;
    try {
      download = await downloadBundle(this.url, this.etag, this.options);
    } catch (error) {
      this.failures++;
      this.options.onError?.(error as BundleError);
      return;
    }
    this.failures = 0;
    if (!download.changed || this.stopped) return;
    // INVARIANT: the ETag moves on even when the consumer refuses the bundle, so a bad bundle
    // is reported once and then answered with 304s until the server has a new one.
    this.etag = download.etag;
    const d = digest(download.bytes);
    if (d === this.lastDigest) return;
    this.lastDigest = d;
    await this.consume(download.bytes).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
