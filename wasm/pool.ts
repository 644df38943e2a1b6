import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { AuthorizerOptions } from "./authorizer.js";
import { readBundleBytes, type BundleSource } from "./bundle.js";
import { evaluationError, inputInvalid, notAList, type Decision } from "./decision.js";
import { BundleError, OptionsError, PoolError, type BundleErrorCode } from "./errors.js";
import type { FromWorker, ToWorker, WorkerLoadOptions, WorkerSetup } from "./pool-protocol.js";
import { certainlyLargerThan, snapshotRequest } from "./request-validator.js";

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
  /**
   * How long a worker may take over one batch (default 10 000 ms). A worker past it is
   * terminated and replaced, and every request it held is decided EVALUATION_ERROR.
   */
  readonly batchTimeoutMs?: number;
}

type Control = "ready" | "prepared" | "committed";

/** One call's requests: their JSON, where each decision goes in `results`, and how many are still out. */
interface Job {
  readonly jsons: readonly string[];
  readonly slots: readonly number[];
  readonly results: Decision[];
  remaining: number;
  readonly resolve: (decisions: Decision[]) => void;
}

/** The requests `from` to `to` (exclusive) of a job, sent in one batch. */
interface Part {
  readonly job: Job;
  readonly from: number;
  readonly to: number;
}

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

  /** Takes the worker out of service now (as if it had died with `error`) and terminates it. */
  stop(error: Error): void {
    this.exit(error);
    void this.worker.terminate();
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
  private readonly batches = new Map<
    number,
    { readonly thread: PoolThread; readonly parts: readonly Part[]; readonly timer: NodeJS.Timeout }
  >();
  private queue: Job[] = [];
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
    const deadline = options.batchTimeoutMs ?? 10_000;
    if (!Number.isInteger(deadline) || deadline < 1 || deadline > 2 ** 31 - 1)
      throw new OptionsError(`\`batchTimeoutMs\` must be an integer from 1 to ${2 ** 31 - 1}, got \`${deadline}\``);
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
  async decide(request: unknown): Promise<Decision> {
    return (await this.decideMany([request]))[0]!;
  }

  /** Decides many requests, in order, as `decide` decides each. */
  decideMany(requests: readonly unknown[]): Promise<Decision[]> {
    if (this.closed) return Promise.reject(new PoolError("POOL_CLOSED", "the pool is closed"));
    if (!Array.isArray(requests)) return Promise.resolve([notAList(this.currentRevision)]);
    const limit = this.options.maxRequestBytes ?? 64 * 1024;
    const results = new Array<Decision>(requests.length);
    const jsons: string[] = [];
    const slots: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      let json: string | undefined;
      try {
        const snapshot = snapshotRequest(requests[i]);
        // Refused here, before serializing and copying to a worker (which would refuse it too).
        if (certainlyLargerThan(snapshot, limit)) {
          results[i] = inputInvalid(`the request is larger than ${limit} bytes`, this.currentRevision);
          continue;
        }
        json = JSON.stringify(snapshot);
      } catch {
        results[i] = inputInvalid("the request cannot be serialized as JSON", this.currentRevision);
        continue;
      }
      // Something JSON cannot carry travels as `null`, which the policy decides as it decides no
      // input at all (INPUT_INVALID, "not a JSON object"), so the pool answers as Authorizer.decide.
      jsons.push(json ?? "null");
      slots.push(i);
    }
    if (jsons.length === 0) return Promise.resolve(results);
    return new Promise((resolve) => {
      this.queue.push({ jsons, slots, results, remaining: jsons.length, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
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
    const { workers: _workers, maxBatch: _maxBatch, fetch: _fetch, batchTimeoutMs: _deadline, ...load } = this.options;
    const setup: WorkerSetup = { bytes: this.bytes, options: load satisfies WorkerLoadOptions };
    const thread = new PoolThread(
      setup,
      (batch, decisions) => this.decided(batch, decisions),
      (t, error) => this.lost(t, error),
    );
    this.threads.push(thread);
    return thread.expect("ready");
  }

  /** Sends the queued requests to the least-loaded workers, in batches of at most maxBatch. */
  private flush(): void {
    this.scheduled = false;
    const live = this.threads.filter((t) => t.alive);
    if (this.queue.length === 0 || live.length === 0) return;
    const jobs = this.queue;
    this.queue = [];
    let parts: Part[] = [];
    let texts: string[] = [];
    const send = (): void => {
      let thread = live[0]!;
      for (const t of live) if (t.outstanding < thread.outstanding) thread = t;
      const batch = this.nextBatch++;
      const timer = setTimeout(() => this.overdue(batch), this.options.batchTimeoutMs ?? 10_000);
      timer.unref();
      this.batches.set(batch, { thread, parts, timer });
      thread.outstanding += texts.length;
      thread.post({ type: "decide", batch, requests: `[${texts.join(",")}]` });
      parts = [];
      texts = [];
    };
    for (const job of jobs) {
      let from = 0;
      while (from < job.jsons.length) {
        const to = Math.min(job.jsons.length, from + this.maxBatch - texts.length);
        for (let k = from; k < to; k++) texts.push(job.jsons[k]!);
        parts.push({ job, from, to });
        from = to;
        if (texts.length === this.maxBatch) send();
      }
    }
    if (texts.length > 0) send();
  }

  private decided(batch: number, json: string): void {
    const entry = this.batches.get(batch);
    if (!entry) return;
    this.batches.delete(batch);
    clearTimeout(entry.timer);
    // INVARIANT: a worker answers a batch with one decision per request, in the order sent.
    const decisions = JSON.parse(json) as Decision[];
    entry.thread.outstanding -= decisions.length;
    let i = 0;
    for (const { job, from, to } of entry.parts) {
      for (let k = from; k < to; k++) job.results[job.slots[k]!] = decisions[i++]!;
      job.remaining -= to - from;
      if (job.remaining === 0) job.resolve(job.results);
    }
    if (this.batches.size === 0) this.drained?.();
  }

  /**
   * A batch passed its deadline: its worker is taken out (its requests denied, a replacement
   * started, as when a worker dies) and terminated, whatever it is running.
   */
  private overdue(batch: number): void {
    const entry = this.batches.get(batch);
    if (!entry) return;
    const ms = this.options.batchTimeoutMs ?? 10_000;
    entry.thread.stop(new Error(`it took longer than the ${ms} ms batch deadline and was terminated`));
  }

  /** A worker stopped: its unanswered requests are denied, and a replacement is started. */
  private lost(thread: PoolThread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
    const denial = evaluationError(`the worker deciding this request stopped: ${error.message}`, this.revision);
    for (const [batch, entry] of this.batches) {
      if (entry.thread !== thread) continue;
      this.batches.delete(batch);
      clearTimeout(entry.timer);
      for (const { job, from, to } of entry.parts) {
        for (let k = from; k < to; k++) job.results[job.slots[k]!] = denial;
        job.remaining -= to - from;
        if (job.remaining === 0) job.resolve(job.results);
      }
    }
    if (this.batches.size === 0) this.drained?.();
    if (!this.closed && this.currentRevision !== "")
      this.spawn().then(
        () => this.flush(),
        () => undefined,
      );
  }
}
