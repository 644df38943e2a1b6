import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { AuthorizerOptions } from "./authorizer.js";
import { readBundleBytes, type BundleSource } from "./bundle.js";
import { evaluationError, inputInvalid, type Decision } from "./decision.js";
import { BundleError, OptionsError, PoolError, type BundleErrorCode } from "./errors.js";
import type { FromWorker, ToWorker, WorkerLoadOptions, WorkerSetup } from "./pool-protocol.js";
import { snapshotRequest } from "./request-validator.js";

/**
 * Options of `AuthorizerPool.open`: every worker loads the bundle with the Authorizer options
 * given here (all but a decision log, which cannot cross threads), so whatever a load checks,
 * each worker checks.
 */
export interface PoolOptions extends Omit<AuthorizerOptions, "decisionLog"> {
  /** Worker threads, each with its own copy of the policy (default: the cores available). */
  readonly workers?: number;
  /** Most requests sent to a worker in one message (default 64). */
  readonly maxBatch?: number;
  /** The fetch used for `http(s):` sources. */
  readonly fetch?: typeof fetch;
}

type Control = "ready" | "prepared" | "committed";

/** One worker thread and what the pool is waiting for from it. */
class PoolThread {
  readonly worker: Worker;
  outstanding = 0;
  alive = true;
  private waiting: { type: Control; resolve: (revision: string) => void; reject: (e: Error) => void } | undefined;

  constructor(
    setup: WorkerSetup,
    private readonly onDecided: (batch: number, decisions: string) => void,
    private readonly onExit: (thread: PoolThread, error: Error) => void,
  ) {
    this.worker = new Worker(new URL("./pool-worker.js", import.meta.url), { workerData: setup });
    this.worker.on("message", (message: FromWorker) => this.receive(message));
    this.worker.on("error", (error) => this.exit(error));
    this.worker.on("exit", (code) => this.exit(new Error(`the worker exited with code ${code}`)));
  }

  /** Resolves with the revision of the next control message of `type`; rejects on failure. */
  expect(type: Control): Promise<string> {
    return new Promise((resolve, reject) => (this.waiting = { type, resolve, reject }));
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    if (message.type === "decided") {
      this.onDecided(message.batch, message.decisions);
      return;
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    if (message.type === "failed") {
      waiting?.reject(
        message.code === "WORKER_FAILED"
          ? new PoolError("WORKER_FAILED", message.message)
          : message.code === "OPTIONS_INVALID"
            ? new OptionsError(message.message)
            : new BundleError(message.code as BundleErrorCode, message.message),
      );
    } else waiting?.resolve(message.revision);
  }

  private exit(error: Error): void {
    if (!this.alive) return;
    this.alive = false;
    this.waiting?.reject(new PoolError("WORKER_FAILED", `a pool worker stopped: ${error.message}`, { cause: error }));
    this.waiting = undefined;
    this.onExit(this, error);
  }
}

/**
 * Decides requests on several worker threads, each holding its own instance of the same
 * bundle, so that one process uses every core. Requests made in the same turn of the event
 * loop travel to a worker together, as JSON, and each is decided exactly as
 * `Authorizer.decide` decides it. `decide` is asynchronous here; the single-instance
 * Authorizer stays synchronous. Workers run the built module (dist/wasm/pool-worker.js).
 */
export class AuthorizerPool {
  private readonly threads: PoolThread[] = [];
  private readonly batches = new Map<number, { thread: PoolThread; resolvers: Array<(d: Decision) => void> }>();
  private queue: string[] = [];
  private resolvers: Array<(d: Decision) => void> = [];
  private scheduled = false;
  private nextBatch = 0;
  private closed = false;
  private reloads: Promise<unknown> = Promise.resolve();
  private drained: (() => void) | undefined;

  private constructor(
    private bytes: Uint8Array,
    private currentRevision: string,
    private readonly options: PoolOptions,
    private readonly maxBatch: number,
  ) {}

  /** Starts the workers and loads the bundle in each; throws a BundleError when it cannot be loaded. */
  static async open(source: BundleSource, options: PoolOptions = {}): Promise<AuthorizerPool> {
    const workers = options.workers ?? availableParallelism();
    const maxBatch = options.maxBatch ?? 64;
    if (!Number.isInteger(workers) || workers < 1 || workers > 256)
      throw new OptionsError(`\`workers\` must be an integer from 1 to 256, got \`${workers}\``);
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new OptionsError(`\`maxBatch\` must be a positive integer, got \`${maxBatch}\``);
    const bytes = await readBundleBytes(source, options.fetch);
    const pool = new AuthorizerPool(bytes, "", options, maxBatch);
    try {
      const revisions = await Promise.all(Array.from({ length: workers }, () => pool.spawn()));
      pool.currentRevision = revisions[0]!;
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** The revision every worker has committed to. */
  get revision(): string {
    return this.currentRevision;
  }

  /** How many workers are running. */
  get size(): number {
    return this.threads.length;
  }

  /**
   * Decides one request on a worker. Resolves, never rejects for bad input or a trap (those are
   * denies, as with `Authorizer.decide`); rejects with a PoolError only once the pool is closed.
   */
  decide(request: unknown): Promise<Decision> {
    if (this.closed) return Promise.reject(new PoolError("POOL_CLOSED", "the pool is closed"));
    let json: string | undefined;
    try {
      json = JSON.stringify(snapshotRequest(request));
    } catch {
      return Promise.resolve(inputInvalid("the request cannot be serialized as JSON", this.currentRevision));
    }
    if (json === undefined)
      return Promise.resolve(inputInvalid("the request is not a JSON value", this.currentRevision));
    return new Promise((resolve) => {
      this.queue.push(json);
      this.resolvers.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Decides many requests, in order. */
  decideMany(requests: readonly unknown[]): Promise<Decision[]> {
    return Promise.all(requests.map((r) => this.decide(r)));
  }

  /**
   * Loads a new bundle in every worker and, once all have it, swaps it in everywhere; until
   * then the old one serves. Rejects with the BundleError when any worker refuses it, and
   * nothing changes. Resolves to the new revision.
   */
  reload(source: BundleSource): Promise<string> {
    const run = this.reloads.then(async () => {
      if (this.closed) throw new PoolError("POOL_CLOSED", "the pool is closed");
      const bytes = await readBundleBytes(source, this.options.fetch);
      const threads = [...this.threads];
      const prepared = threads.map((t) => {
        const p = t.expect("prepared");
        t.post({ type: "prepare", bytes });
        return p;
      });
      const outcomes = await Promise.allSettled(prepared);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
      if (refused) {
        for (const t of threads) if (t.alive) t.post({ type: "abort" });
        throw refused.reason;
      }
      const revision = (outcomes[0] as PromiseFulfilledResult<string>).value;
      await Promise.all(
        threads.map((t) => {
          const p = t.expect("committed");
          t.post({ type: "commit" });
          return p;
        }),
      );
      this.bytes = bytes;
      this.currentRevision = revision;
      return revision;
    });
    this.reloads = run.catch(() => undefined);
    return run;
  }

  /** Lets the requests already asked finish, then stops the workers. Later calls reject. */
  async close(): Promise<void> {
    if (this.closed && this.threads.length === 0) return;
    this.closed = true;
    await this.reloads;
    this.flush();
    if (this.batches.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    const threads = this.threads.splice(0);
    for (const t of threads) t.alive = false;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private spawn(): Promise<string> {
    const { workers: _workers, maxBatch: _maxBatch, fetch: _fetch, ...load } = this.options;
    const setup: WorkerSetup = { bytes: this.bytes, options: load satisfies WorkerLoadOptions };
    const thread = new PoolThread(
      setup,
      (batch, decisions) => this.decided(batch, decisions),
      (t, error) => this.lost(t, error),
    );
    this.threads.push(thread);
    return thread.expect("ready");
  }

  private flush(): void {
    this.scheduled = false;
    const live = this.threads.filter((t) => t.alive);
    if (this.queue.length === 0 || live.length === 0) return;
    const queue = this.queue;
    const resolvers = this.resolvers;
    this.queue = [];
    this.resolvers = [];
    for (let start = 0; start < queue.length; start += this.maxBatch) {
      let thread = live[0]!;
      for (const t of live) if (t.outstanding < thread.outstanding) thread = t;
      const batch = this.nextBatch++;
      const requests = queue.slice(start, start + this.maxBatch);
      this.batches.set(batch, { thread, resolvers: resolvers.slice(start, start + this.maxBatch) });
      thread.outstanding += requests.length;
      thread.post({ type: "decide", batch, requests });
    }
  }

  private decided(batch: number, json: string): void {
    const entry = this.batches.get(batch);
    if (!entry) return;
    this.batches.delete(batch);
    entry.thread.outstanding -= entry.resolvers.length;
    // INVARIANT: a worker answers a batch with one decision per request, in order.
    const decisions = JSON.parse(json) as Decision[];
    entry.resolvers.forEach((resolve, i) => resolve(decisions[i]!));
    if (this.batches.size === 0) this.drained?.();
  }

  /** A worker stopped: its unanswered requests are denied, and a replacement is started. */
  private lost(thread: PoolThread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
    for (const [batch, entry] of this.batches) {
      if (entry.thread !== thread) continue;
      this.batches.delete(batch);
      const denial = evaluationError(`the worker deciding this request stopped: ${error.message}`, this.revision);
      for (const resolve of entry.resolvers) resolve(denial);
    }
    if (this.batches.size === 0) this.drained?.();
    if (!this.closed && this.currentRevision !== "")
      this.spawn().then(
        () => this.flush(),
        () => undefined,
      );
  }
}
