import { Authorizer, type AuthorizerOptions, type MemoryUsage, type RuntimeHealth } from "./authorizer.js";
import { readBundleBytes, type BundleSource } from "./bundle.js";
import { downloadBundle, httpUrl, watchBundle, type BundleWatcher, type WatchOptions } from "./bundle-watch.js";
import type { Decision } from "./decision.js";
import { BundleError } from "./errors.js";

/** Options of `ReloadingAuthorizer.open`: those of every load, and how to watch for new bundles. */
export interface ReloadingOptions extends AuthorizerOptions {
  /** Whether to watch a path or URL source for new bundles (default true; buffers are never watched). */
  readonly watch?: boolean;
  /** How to watch: debounce and stat interval for files, poll delays and backoff for URLs. */
  readonly watchOptions?: Omit<WatchOptions, "fetch" | "onError">;
  /** Called after a new bundle is in use. */
  readonly onReload?: (event: { readonly revision: string; readonly previous: string }) => void;
  /** Called when a new bundle could not be read or loaded; the one in use keeps serving. */
  readonly onReloadError?: (error: BundleError) => void;
}

/** The default bound on loading one bundle (instantiate, setData, the probe decision). */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/** Where a reloading authorizer stands. */
export interface ReloadStatus {
  /** The revision in use. */
  readonly revision: string;
  /** When the bundle in use was loaded. */
  readonly lastSuccess: Date;
  /** The last failure to read or load a new bundle, if any since start. */
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: Date };
  /** Bundles swapped in since start (not counting the first). */
  readonly reloads: number;
  /** New bundles refused or unreadable since start. */
  readonly failures: number;
}

function asBundleError(error: unknown): BundleError {
  return error instanceof BundleError
    ? error
    : new BundleError("BUNDLE_UNREADABLE", error instanceof Error ? error.message : String(error), { cause: error });
}

/** Calls a listener; a throwing listener must not stop reloads. */
function notify(listener: () => void): void {
  try {
    listener();
  } catch {
    // The listener's failure is its own; the swap has happened (or been refused) regardless.
  }
}

/**
 * An authorizer that replaces its bundle while it serves. A new bundle is loaded completely —
 * unpacked, instantiated, probed (and verified, when the load options ask for it) — beside the
 * one in use, and only then swapped in by one assignment; `decide` is synchronous, so every
 * decision is made entirely by one bundle, and none is refused during a swap. A bundle that
 * fails to load is reported and the one in use keeps serving.
 */
export class ReloadingAuthorizer {
  private active: Authorizer;
  private watcher: BundleWatcher | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private state: {
    lastSuccess: Date;
    lastError?: { code: string; message: string; at: Date };
    reloads: number;
    failures: number;
  };

  private constructor(
    first: Authorizer,
    private readonly options: ReloadingOptions,
  ) {
    this.active = first;
    this.state = { lastSuccess: new Date(), reloads: 0, failures: 0 };
  }

  /**
   * Loads the first bundle (throwing a BundleError, as `Authorizer.load` does, when it fails)
   * and starts watching a path or URL source for new ones.
   */
  static async open(source: BundleSource, given: ReloadingOptions = {}): Promise<ReloadingAuthorizer> {
    // Every bundle this authorizer loads is first tried in a worker with a time bound.
    const options: ReloadingOptions = { loadTimeoutMs: DEFAULT_LOAD_TIMEOUT_MS, ...given };
    const url = source instanceof Uint8Array ? undefined : httpUrl(source);
    let bytes: Uint8Array;
    let etag: string | undefined;
    if (url) {
      const download = await downloadBundle(url, undefined, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.watchOptions?.timeoutMs ? { timeoutMs: options.watchOptions.timeoutMs } : {}),
      });
      // INVARIANT: an unconditional GET is never answered 304.
      if (!download.changed) throw new BundleError("BUNDLE_UNREADABLE", `GET ${url.href} answered 304`);
      bytes = download.bytes;
      etag = download.etag;
    } else bytes = await readBundleBytes(source, options.fetch);
    const handle = new ReloadingAuthorizer(await Authorizer.load(bytes, options), options);
    if (!(source instanceof Uint8Array) && options.watch !== false) {
      handle.watcher = watchBundle(
        source,
        (next) => handle.swap(next),
        { bytes, etag },
        {
          ...options.watchOptions,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          onError: (error) => handle.failed(error),
        },
      );
    }
    return handle;
  }

  /** The authorizer in use now. */
  get current(): Authorizer {
    return this.active;
  }

  /** The revision in use now. */
  get revision(): string {
    return this.active.revision;
  }

  /** Decides one request with the bundle in use. Never throws. */
  decide(request: unknown): Decision {
    return this.active.decide(request);
  }

  /** Decides a request given as JSON text with the bundle in use. Never throws. */
  decideJson(json: string): Decision {
    return this.active.decideJson(json);
  }

  /** Decides many requests, in order, all with the same bundle. Never throws. */
  decideMany(requests: readonly unknown[]): Decision[] {
    return this.active.decideMany(requests);
  }

  /** The memory of the bundle in use. */
  memoryUsage(): MemoryUsage {
    return this.active.memoryUsage();
  }

  /** Traps and restarts of the bundle in use. */
  health(): RuntimeHealth {
    return this.active.health();
  }

  /** The revision in use, the last success and failure, and counts. */
  status(): ReloadStatus {
    return { revision: this.active.revision, ...this.state };
  }

  /**
   * Loads a bundle now (from any source) and swaps it in. Resolves to the revision in use
   * afterwards; rejects with the BundleError when it was refused (the old one keeps serving).
   * Reloads run one at a time, in the order asked.
   */
  async reload(source: BundleSource): Promise<string> {
    const bytes = await readBundleBytes(source, this.options.fetch).catch((error: unknown) => {
      const e = asBundleError(error);
      this.failed(e);
      throw e;
    });
    await this.swap(bytes);
    return this.active.revision;
  }

  /** Stops watching; decisions keep working with the bundle in use. */
  async close(): Promise<void> {
    await this.watcher?.stop();
    this.watcher = undefined;
    await this.queue.catch(() => undefined);
  }

  private swap(bytes: Uint8Array): Promise<void> {
    const run = this.queue.then(async () => {
      let next: Authorizer;
      try {
        // Every candidate goes through Authorizer.load with the options of the first load, so
        // whatever that load checks — including bundle verification when it is configured —
        // gates each swap exactly as it gated the start.
        next = await Authorizer.load(bytes, this.options);
      } catch (error) {
        const e = asBundleError(error);
        this.failed(e);
        throw e;
      }
      const previous = this.active.revision;
      this.active = next;
      this.state.lastSuccess = new Date();
      this.state.reloads++;
      // Stryker disable next-line OptionalChaining: notify swallows the TypeError of calling an absent listener
      notify(() => this.options.onReload?.({ revision: next.revision, previous }));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private failed(error: BundleError): void {
    this.state.failures++;
    this.state.lastError = { code: error.code, message: error.message, at: new Date() };
    // Stryker disable next-line OptionalChaining: notify swallows the TypeError of calling an absent listener
    notify(() => this.options.onReloadError?.(error));
  }
}
