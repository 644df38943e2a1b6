import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, write } from "node:fs";
import { RUNTIME_VERSION } from "./version.js";
import { OptionsError } from "./errors.js";

/**
 * One decision-log event, in the shape of OPA's decision logs (openpolicyagent.org, "Decision
 * Logs"), so the consumers of OPA's logs read Gatehouse's unchanged.
 */
export interface DecisionEvent {
  readonly decision_id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly path: string;
  input?: unknown;
  result?: unknown;
  readonly bundles: Readonly<Record<string, { readonly revision: string }>>;
  readonly requested_by?: string;
  readonly timestamp: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** The mask rules that removed a field, as OPA records them. */
  erased?: string[];
  /** The mask rules that replaced (or inserted) a field, as OPA records them. */
  masked?: string[];
}

/**
 * A mask rule, as in OPA's `system.log.mask`: a path (`/input/...` or `/result/...`, segments
 * separated by `/`, `%2F` for a slash inside a key) whose value is removed, or an object that
 * removes it (`op: "remove"`) or sets it to `value` (`op: "upsert"`, creating missing objects).
 */
export type MaskRule = string | { readonly op?: "remove" | "upsert"; readonly path: string; readonly value?: unknown };

/** Options of `DecisionLog.open`. */
export interface DecisionLogOptions {
  /** A file to append JSON Lines to (buffered, written asynchronously), or a function given each event. */
  readonly sink: string | ((event: DecisionEvent) => void);
  /** Fields to remove or replace before an event is written. */
  readonly mask?: readonly MaskRule[];
  /** The fraction of decisions logged, from 0 to 1 (default 1: all). */
  readonly sampleRate?: number;
  /** The bundle's name in `bundles` (default `gatehouse`). */
  readonly bundleName?: string;
  /** Labels added to every event, beside `id` (this log's id) and `version`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Most bytes waiting to be written to the file; events beyond it are dropped and counted (default 16 MiB). */
  readonly maxBufferedBytes?: number;
  /** Told about write failures and throwing callbacks; decisions never are. */
  readonly onError?: (error: Error) => void;
  /** The random source for sampling, in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /**
   * Writes bytes to the log file's descriptor (default: `fs.write` until all are written). A
   * rejection (a full disk) drops that batch, counted, and the next batch is tried afresh.
   */
  readonly writer?: (fd: number, data: Buffer) => Promise<void>;
}

/** Counts kept by a decision log. */
export interface DecisionLogStats {
  /** Events built (sampled decisions). */
  readonly events: number;
  /** Events dropped because the write buffer was full or the file failed. */
  readonly dropped: number;
  /** Write or callback failures. */
  readonly errors: number;
}

/** Extra fields of an event that only its caller knows. */
export interface EventContext {
  readonly decisionId?: string;
  readonly requestedBy?: string;
  readonly metrics?: Readonly<Record<string, number>>;
}

interface CompiledRule {
  readonly rule: string;
  readonly op: "remove" | "upsert";
  readonly root: "input" | "result";
  readonly keys: readonly string[];
  readonly value: unknown;
}

function fail(message: string): never {
  throw new OptionsError(message);
}

function compileRule(rule: MaskRule): CompiledRule {
  const spec = typeof rule === "string" ? { op: "remove" as const, path: rule, value: undefined } : rule;
  const op = spec.op ?? "remove";
  if (op !== "remove" && op !== "upsert") fail(`mask rule op must be \`remove\` or \`upsert\`, got \`${String(op)}\``);
  const path = spec.path;
  if (typeof path !== "string" || !/^\/(input|result)(\/|$)/.test(path))
    fail(`mask rule path must start with \`/input\` or \`/result\`, got \`${String(path)}\``);
  let parts: string[];
  try {
    parts = path.slice(1).split("/").map(decodeURIComponent);
  } catch {
    fail(`mask rule path \`${path}\` has a malformed %-escape`);
  }
  // Stryker disable next-line MethodExpression: parts[0] is `input` or `result` (the pattern above), never empty
  if (parts.slice(1).some((p) => p === "")) fail(`mask rule path \`${path}\` has an empty segment`);
  return {
    rule: path,
    op,
    root: parts[0] as "input" | "result",
    keys: parts.slice(1),
    // Stryker disable next-line ConditionalExpression: a remove rule never reads its value
    value: op === "upsert" ? spec.value : undefined,
  };
}

type Json = Record<string, unknown> | unknown[];

function child(node: unknown, key: string): { node: Json; index: string | number } | undefined {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= node.length) return undefined;
    return { node, index: Number(key) };
  }
  if (typeof node === "object" && node !== null) return { node: node as Record<string, unknown>, index: key };
  return undefined;
}

/** Removes `keys` from `root`; whether something was removed. */
function removeAt(root: unknown, keys: readonly string[]): boolean {
  let node = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const at = child(node, keys[i]!);
    if (!at || !Object.hasOwn(at.node, at.index)) return false;
    node = (at.node as Record<string | number, unknown>)[at.index];
  }
  const at = child(node, keys[keys.length - 1]!);
  if (!at || !Object.hasOwn(at.node, at.index)) return false;
  if (Array.isArray(at.node)) at.node.splice(at.index as number, 1);
  else delete at.node[at.index];
  return true;
}

/** Sets `keys` in `root` to `value`, creating missing objects; whether it could. */
function upsertAt(root: unknown, keys: readonly string[], value: unknown): boolean {
  let node = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    if (Array.isArray(node)) {
      const at = child(node, key);
      if (!at) return false;
      node = node[at.index as number];
    } else if (typeof node === "object" && node !== null) {
      const object = node as Record<string, unknown>;
      if (!Object.hasOwn(object, key)) object[key] = {};
      node = object[key];
    } else return false;
  }
  const at = child(node, keys[keys.length - 1]!);
  if (!at) return false;
  (at.node as Record<string | number, unknown>)[at.index] = structuredClone(value);
  return true;
}

/** The value at `keys` below `root`, or undefined when absent. */
function valueAt(root: unknown, keys: readonly string[]): unknown {
  let node = root;
  for (const key of keys) {
    const at = child(node, key);
    if (!at || !Object.hasOwn(at.node, at.index)) return undefined;
    node = (at.node as Record<string | number, unknown>)[at.index];
  }
  return node;
}

/** Adds the text of every scalar in `value` (whatever its JSON type) to `into`. */
function collectScalars(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    if (value !== "") into.add(value);
  } else if (typeof value === "number" || typeof value === "boolean") into.add(String(value));
  // Stryker disable next-line ConditionalExpression: an array walked as an object (Object.values) gives the same elements
  else if (Array.isArray(value)) for (const v of value) collectScalars(v, into);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) collectScalars(v, into);
}

/** What a string in the result that quotes a masked input value is replaced with. */
export const QUOTES_MASKED_INPUT = "(masked: quotes a masked input field)";

/**
 * Replaces, in place, every string inside `node` (a reason's or note's message, any field) that
 * contains the text of a masked input value, so a masked value never reappears in the event.
 */
function scrub(node: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof node === "string") {
    for (const secret of secrets) if (node.includes(secret)) return QUOTES_MASKED_INPUT;
    return node;
  }
  // Stryker disable next-line ConditionalExpression: an array walked as an object (Object.keys) visits the same indexes
  if (Array.isArray(node)) for (let i = 0; i < node.length; i++) node[i] = scrub(node[i], secrets);
  else if (typeof node === "object" && node !== null) {
    const object = node as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = scrub(object[key], secrets);
  }
  return node;
}

/**
 * Applies mask rules to an event in order, recording each that took effect in `erased` or
 * `masked`; then replaces every string of the result that quotes a value an input rule masked.
 */
function applyMask(event: DecisionEvent, rules: readonly CompiledRule[]): void {
  const secrets = new Set<string>();
  for (const rule of rules) {
    if (event[rule.root] === undefined) continue;
    if (rule.root === "input") collectScalars(valueAt(event.input, rule.keys), secrets);
    let done: boolean;
    if (rule.keys.length === 0) {
      if (rule.op === "remove") delete event[rule.root];
      else event[rule.root] = structuredClone(rule.value);
      done = true;
    } else if (rule.op === "remove") done = removeAt(event[rule.root], rule.keys);
    else done = upsertAt(event[rule.root], rule.keys, rule.value);
    if (done) (rule.op === "remove" ? (event.erased ??= []) : (event.masked ??= [])).push(rule.rule);
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no secrets, scrub changes nothing (an absent result is pinned by a test)
  if (secrets.size > 0 && event.result !== undefined) event.result = scrub(event.result, secrets);
}

/**
 * Records decisions as OPA decision-log events, to a JSON Lines file or a callback, with
 * masking and sampling. Recording never throws and never waits: file writes are buffered and
 * asynchronous, and when the buffer is full events are dropped and counted rather than
 * slowing decisions down.
 */
export class DecisionLog {
  private readonly id = randomUUID();
  private readonly labels: Readonly<Record<string, string>>;
  private readonly masksResult: boolean;
  private readonly fd: number | undefined;
  private writes: Promise<void> = Promise.resolve();
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Bytes handed to the writer and not yet written. */
  private writingBytes = 0;
  private scheduled = false;
  private closed = false;
  private counts = { events: 0, dropped: 0, errors: 0 };

  private constructor(
    private readonly sink: ((event: DecisionEvent) => void) | { readonly fd: number },
    private readonly rules: readonly CompiledRule[],
    private readonly rate: number,
    private readonly bundleName: string,
    labels: Readonly<Record<string, string>>,
    private readonly maxBufferedBytes: number,
    private readonly onError: (error: Error) => void,
    private readonly random: () => number,
    private readonly writer: (fd: number, data: Buffer) => Promise<void>,
  ) {
    this.labels = { ...labels, id: this.id, version: RUNTIME_VERSION };
    // Input rules may scrub the result too (values it quotes), so any rule means a copy.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: copying a result no rule masks changes nothing but the cost (no copy with rules is pinned)
    this.masksResult = rules.length > 0;
    // Stryker disable next-line ConditionalExpression,StringLiteral: a function has no `fd`, so fd stays undefined
    if (typeof sink !== "function") this.fd = sink.fd;
  }

  /**
   * Opens a decision log (and its file, for appending, at once); throws an `OptionsError` for
   * options it cannot honour, including a file that cannot be opened.
   */
  static open(options: DecisionLogOptions): DecisionLog {
    const rate = options.sampleRate ?? 1;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1))
      fail(`\`sampleRate\` must be a number from 0 to 1, got \`${String(rate)}\``);
    const max = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    if (!Number.isInteger(max) || max < 1) fail(`\`maxBufferedBytes\` must be a positive integer, got \`${max}\``);
    const rules = (options.mask ?? []).map(compileRule);
    let sink: ((event: DecisionEvent) => void) | { fd: number };
    if (typeof options.sink === "function") sink = options.sink;
    else if (typeof options.sink === "string" && options.sink !== "") {
      sink = { fd: openLogFile(options.sink) };
    } else fail("`sink` must be a file path or a function");
    return new DecisionLog(
      sink,
      rules,
      rate,
      options.bundleName ?? "gatehouse",
      options.labels ?? {},
      max,
      options.onError ?? (() => undefined),
      options.random ?? Math.random,
      options.writer ?? writeAll,
    );
  }

  /** Whether to log the next decision; ask once per decision, before `record`. */
  sampled(): boolean {
    return !this.closed && (this.rate >= 1 || (this.rate > 0 && this.random() < this.rate));
  }

  /**
   * Records one decision and returns its decision id. `inputJson` is the input as JSON text
   * (absent when the input was not JSON); `result` is copied before any mask touches it.
   */
  record(
    path: string,
    inputJson: string | undefined,
    result: unknown,
    revision: string,
    evalNs: number,
    context: EventContext = {},
  ): string {
    const decisionId = context.decisionId ?? randomUUID();
    if (this.closed) return decisionId;
    const event: DecisionEvent = {
      decision_id: decisionId,
      labels: this.labels,
      path,
      ...(inputJson === undefined ? {} : { input: JSON.parse(inputJson) as unknown }),
      ...(result === undefined ? {} : { result }),
      bundles: { [this.bundleName]: { revision } },
      ...(context.requestedBy === undefined ? {} : { requested_by: context.requestedBy }),
      timestamp: new Date().toISOString(),
      metrics: { timer_rego_query_eval_ns: evalNs, ...context.metrics },
    };
    // Stryker disable next-line ConditionalExpression: copying a result no rule masks changes nothing but the cost
    if (event.result !== undefined && (typeof this.sink === "function" || this.masksResult))
      event.result = structuredClone(event.result);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: applyMask with no rules changes nothing
    if (this.rules.length > 0) applyMask(event, this.rules);
    this.counts.events++;
    if (typeof this.sink === "function") {
      try {
        this.sink(event);
      } catch (error) {
        this.counts.errors++;
        this.report(error);
      }
    } else this.enqueue(`${JSON.stringify(event)}\n`);
    return decisionId;
  }

  /** Counts of events built, dropped and failed. */
  stats(): DecisionLogStats {
    return { ...this.counts };
  }

  /** Resolves when every event recorded so far has been handed to the file system. */
  async flush(): Promise<void> {
    this.write();
    await this.writes;
  }

  /** Writes what is pending, closes the file, and records nothing more. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.write();
    this.closed = true;
    await this.writes;
    if (this.fd !== undefined) closeSync(this.fd);
  }

  private enqueue(line: string): void {
    // Stryker disable next-line StringLiteral: Buffer reads an empty encoding name as UTF-8
    const bytes = Buffer.byteLength(line, "utf8");
    if (this.pendingBytes + this.writingBytes + bytes > this.maxBufferedBytes) {
      this.counts.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += bytes;
    // Stryker disable next-line ConditionalExpression: a second scheduled write finds nothing pending and returns
    if (!this.scheduled) {
      // Stryker disable next-line BooleanLiteral: a second scheduled write finds nothing pending and returns
      this.scheduled = true;
      setImmediate(() => this.write());
    }
  }

  /**
   * Hands the pending lines to the writer, after the writes before them. A failed write (a full
   * disk) drops its lines, counted and reported; the next batch is written afresh, so logging
   * resumes as soon as the file system accepts writes again.
   */
  private write(): void {
    this.scheduled = false;
    const fd = this.fd;
    // Stryker disable next-line ConditionalExpression: only a file sink (with an fd) ever has lines pending
    if (this.pending.length === 0 || fd === undefined) return;
    // Stryker disable next-line StringLiteral: Buffer reads an empty encoding name as UTF-8
    const data = Buffer.from(this.pending.join(""), "utf8");
    const lines = this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.writingBytes += data.byteLength;
    this.writes = this.writes
      .then(() => this.writer(fd, data))
      .catch((error: unknown) => {
        this.counts.dropped += lines;
        this.counts.errors++;
        this.report(error);
      })
      .finally(() => {
        this.writingBytes -= data.byteLength;
      });
  }

  private report(error: unknown): void {
    try {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A failing error handler must not turn into a failing decision.
    }
  }
}

/**
 * Opens the log file for appending, refusing anything but a regular file: a FIFO (opened
 * without blocking, so one with no reader fails at once instead of hanging), a device, a
 * directory. Throws an OptionsError naming the path and the reason.
 */
function openLogFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return fail(
      `cannot open the decision log \`${path}\`: ${code === "ENXIO" ? "it is a FIFO with no reader; the decision log must be a regular file" : code}`,
    );
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    fail(`cannot use the decision log \`${path}\`: it is not a regular file (a FIFO, a device or a directory)`);
  }
  return fd;
}

/** Writes all of `data` at the end of the file `fd` (appending), however many calls it takes. */
function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (offset: number): void => {
      if (offset >= data.byteLength) return resolve();
      write(fd, data, offset, data.byteLength - offset, null, (error, written) => {
        if (error) reject(error);
        else next(offset + written);
      });
    };
    next(0);
  });
}
