/**
 * How long to measure: up to `warmup` untimed calls (stopping early after half of `maxSeconds`),
 * then timed calls until `count` or `maxSeconds`, whichever comes first.
 */
export interface Budget {
  readonly warmup: number;
  readonly count: number;
  readonly maxSeconds: number;
}

/** Latency percentiles of one measured loop, in nanoseconds, and what the loop did. */
export interface LatencyStats {
  /** Untimed calls made first. */
  readonly warmup: number;
  /** Timed decisions (fewer than asked when the time budget ran out). */
  readonly count: number;
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
  /** Decisions that took over 1 ms (garbage collection pauses, preemption). */
  readonly over1ms: number;
}

/** Throughput of one loop timed as a whole. */
export interface Throughput {
  readonly warmup: number;
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/**
 * The `q`-quantile of ascending `sorted` by the nearest-rank method: the smallest sample such
 * that at least a fraction `q` of all samples are at most it.
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Percentiles and mean of unsorted `samples` (nanoseconds); sorts a copy. */
export function summarize(samples: ArrayLike<number>, warmup: number): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  let over1ms = 0;
  for (const s of sorted) {
    sum += s;
    if (s > 1e6) over1ms++;
  }
  return {
    warmup,
    count: sorted.length,
    meanNs: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50Ns: percentile(sorted, 0.5),
    p90Ns: percentile(sorted, 0.9),
    p99Ns: percentile(sorted, 0.99),
    p999Ns: percentile(sorted, 0.999),
    maxNs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    over1ms,
  };
}

let sink = 0;

/** Makes up to `budget.warmup` calls, for at most half the time budget; returns how many it made. */
function warmUp(fn: (i: number) => unknown, budget: Budget): number {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(budget.maxSeconds * 0.5e9));
  let i = 0;
  for (; i < budget.warmup; i++) {
    consume(fn(i));
    if (process.hrtime.bigint() > deadline) return i + 1;
  }
  return i;
}

/** Keeps results observable so the loops cannot be optimised away. */
function consume(value: unknown): void {
  if (value === sink) sink++;
}

/** Something that should never be printed, read so the sink stays live. */
export function sinkValue(): number {
  return sink;
}

/**
 * Times `fn(i)` one call at a time with `process.hrtime.bigint()`, after `budget.warmup`
 * untimed calls; `i` counts on from the warm-up so a cyclic stream keeps cycling.
 */
export function measureLatency(fn: (i: number) => unknown, budget: Budget): LatencyStats {
  const warmup = warmUp(fn, budget);
  return summarize(collectLatency(fn, budget, warmup), warmup);
}

/**
 * The per-call nanoseconds of up to `budget.count` calls `fn(offset)`, `fn(offset + 1)`, …
 * within `budget.maxSeconds` (no warm-up: the caller warms up or interleaves).
 */
export function collectLatency(fn: (i: number) => unknown, budget: Budget, offset: number): Float64Array {
  const samples = new Float64Array(budget.count);
  const deadline = process.hrtime.bigint() + BigInt(Math.round(budget.maxSeconds * 1e9));
  let n = 0;
  for (; n < budget.count; n++) {
    const t0 = process.hrtime.bigint();
    consume(fn(offset + n));
    const t1 = process.hrtime.bigint();
    samples[n] = Number(t1 - t0);
    if (t1 > deadline) {
      n++;
      break;
    }
  }
  return samples.subarray(0, n);
}

/**
 * Latency of several functions measured in interleaved rounds — all warmed up first, then each
 * timed for a share of its budget in turn, round after round — so that a change in the
 * machine's load during the run falls on all of them alike and their ratios stay meaningful.
 * `budget` applies to each function.
 */
export function measureInterleaved(
  fns: ReadonlyArray<(i: number) => unknown>,
  budget: Budget,
  rounds: number,
): LatencyStats[] {
  const warmups = fns.map((fn) => warmUp(fn, budget));
  const chunks: Float64Array[][] = fns.map(() => []);
  const offsets = [...warmups];
  const share: Budget = { warmup: 0, count: Math.ceil(budget.count / rounds), maxSeconds: budget.maxSeconds / rounds };
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      const samples = collectLatency(fn, share, offsets[k]!);
      offsets[k]! += samples.length;
      chunks[k]!.push(samples);
    });
  }
  return chunks.map((list, k) => {
    const all = new Float64Array(list.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of list) {
      all.set(c, at);
      at += c.length;
    }
    return summarize(all, warmups[k]!);
  });
}

/** Times `fn(i)` as a whole loop (no per-call timer), after the warm-up; decisions per second. */
export function measureThroughput(fn: (i: number) => unknown, budget: Budget): Throughput {
  const warmup = warmUp(fn, budget);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(budget.maxSeconds * 1e9));
  let n = 0;
  let chunk = 1;
  while (n < budget.count) {
    const size = Math.min(chunk, budget.count - n);
    for (let j = 0; j < size; j++) consume(fn(warmup + n + j));
    n += size;
    if (process.hrtime.bigint() > deadline) break;
    chunk = Math.min(1024, chunk * 2);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { warmup, count: n, seconds, perSecond: n / seconds };
}

/** Times an async batch function: `perCall` decisions per call, `inFlight` calls outstanding, for `seconds`. */
export async function measureAsyncThroughput(
  call: () => Promise<number>,
  options: { readonly warmupCalls: number; readonly inFlight: number; readonly seconds: number },
): Promise<Throughput & { readonly cpuCores: number }> {
  let warmup = 0;
  for (let i = 0; i < options.warmupCalls; i++) warmup += await call();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(options.seconds * 1e9));
  let n = 0;
  const lane = async (): Promise<void> => {
    while (process.hrtime.bigint() < deadline) {
      // Not `n += await call()`: that reads `n` before awaiting, so concurrent lanes would
      // overwrite each other's counts.
      const decided = await call();
      n += decided;
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, lane));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { warmup, count: n, seconds, perSecond: n / seconds, cpuCores: (used.user + used.system) / 1e6 / seconds };
}
