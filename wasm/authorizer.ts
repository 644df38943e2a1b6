import { Buffer } from "node:buffer";
import * as opaWasm from "@open-policy-agent/opa-wasm";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from "../core/bundle-archive.js";
import { SIGNATURES_FILE } from "../core/bundle-signing.js";
import { readBundleBytes, unpackBundle, type BundleFiles, type BundleManifest, type BundleSource } from "./bundle.js";
import { decisionProblem, evaluationError, inputInvalid, notAList, type Decision } from "./decision.js";
import type { DecisionLog } from "./decision-log.js";
import { BundleError, OptionsError } from "./errors.js";
import { expandDecision, readExplainTable, type ExplainTable } from "./explain.js";
import { hostAddresses } from "./host-address.js";
import { cachedImage, rememberImage, type PolicyImage } from "./load-cache.js";
import { initialPages, PAGE } from "./memory-import.js";
import { restoreSnapshot, takeSnapshot, type MemorySnapshot } from "./memory-snapshot.js";
import {
  certainlyLargerThan,
  nestsDeeperThan,
  snapshotRequest,
  validateRequest,
  wellFormedJson,
} from "./request-validator.js";
import { trialLoad } from "./trial-load.js";
import { verifyBundle, type BundleVerification } from "./verify.js";

/** The policy's public entry point: the decision, which validates its input itself. */
export const DECISION_ENTRYPOINT = "gatehouse/decision";

/**
 * The runtime's own entry point: the decision for a request this runtime's validator accepted,
 * with its addresses parsed here (`$addr`, `$origin`); 1 stands for the plain allow, and reasons
 * and notes are keys expanded from the bundle's explanation table (wasm/explain.ts). Used when the
 * bundle has both (docs/runtime.md).
 */
export const RUNTIME_ENTRYPOINT = "gatehouse/runtime/decision";

/**
 * The runtime entry point's result set for the plain allow, exactly as `opa_eval` writes it: the
 * only text read as its plain allow (the number 1 spelled any other way is no decision).
 */
const RUNTIME_PLAIN_ALLOW = '[{"result":1}]';

const MAX_PAGES = 65536;
/** Valid requests nest three levels; this leaves room for any plausible invalid one. */
const MAX_DEPTH = 64;

/** Options of `Authorizer.load`. */
export interface AuthorizerOptions {
  /** Largest request, in UTF-8 bytes of its JSON; larger ones are denied with INPUT_INVALID (default 64 KiB). */
  readonly maxRequestBytes?: number;
  /** Most WebAssembly memory pages (64 KiB each) the policy may use (default 16384 = 1 GiB). */
  readonly maxMemoryPages?: number;
  /** Limits on the bundle archive. */
  readonly archiveLimits?: ArchiveLimits;
  /** The fetch used for `http(s):` sources. */
  readonly fetch?: typeof fetch;
  /**
   * Verify the bundle's signature with this key before anything is instantiated. Without it an
   * unsigned bundle loads and a signed one is refused (VERIFICATION_KEY_MISSING).
   */
  readonly verification?: BundleVerification;
  /** Where `decide` records decisions (OPA's decision-log events); off when absent. */
  readonly decisionLog?: DecisionLog;
  /**
   * Without `verification`, load a signed bundle without checking its signature instead of
   * refusing it (VERIFICATION_KEY_MISSING); `signature` then says "unverified", for the caller
   * to warn. A signed bundle is then trusted exactly as an unsigned one. Default false.
   */
  readonly acceptUnverifiedSignature?: boolean;
  /**
   * Load the policy once in a worker thread first (instantiate, setData, the probe decision)
   * and refuse it with LOAD_TIMEOUT unless that finishes within this many milliseconds, so a
   * module that loops never runs on the calling thread (which then restores the worker's memory
   * instead of setting the data again). Off when absent (the module is trusted,
   * see docs/runtime-security.md); ReloadingAuthorizer sets 10 000 unless told otherwise.
   */
  readonly loadTimeoutMs?: number;
}

/** Whether the loaded bundle's signature was verified, ignored (no key configured), or absent. */
export type SignatureStatus = "verified" | "unverified" | "unsigned";

/** How much WebAssembly memory the policy holds. */
export interface MemoryUsage {
  readonly pages: number;
  readonly bytes: number;
  readonly maximumPages: number;
}

/** What went wrong inside the WebAssembly module since the bundle was loaded. */
export interface RuntimeHealth {
  /** Evaluations that trapped (out of memory, stack exhausted, …); each was denied. */
  readonly traps: number;
  /** Fresh instances built after a trap, so no trap's leftovers reach a later decision. */
  readonly restarts: number;
  /** False when an instance could not be rebuilt; every decision is then EVALUATION_ERROR. */
  readonly healthy: boolean;
}

type OpaEval = (
  reserved: number,
  entrypoint: number,
  data: number,
  input: number,
  inputLen: number,
  heap: number,
  format: number,
) => number;

/**
 * The parts of the SDK's LoadedPolicy the fast path uses (public fields of opa-wasm 1.10.0,
 * typed loosely upstream). The fast path calls `opa_eval` (ABI 1.2) directly, writing the input
 * with a reused encoder where the SDK would allocate a new one on every call.
 */
interface PolicyInternals {
  readonly mem: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly wasmInstance: {
    readonly exports: { readonly opa_eval?: OpaEval; readonly opa_heap_ptr_set: (ptr: number) => void };
  };
  dataHeapPtr: number;
  dataAddr: number;
  readonly entrypoints: Record<string, number>;
  evaluate(input: unknown, entrypoint: number): unknown;
  setData(data: ArrayBuffer): void;
}

function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new OptionsError(`\`${name}\` must be an integer from ${min} to ${max}, got \`${String(value)}\``);
}

// The SDK's ESM entry exports `loadPolicySync` only on its default export, although its types
// declare it as a named export.
const loadPolicySync = (opaWasm as unknown as { default: { loadPolicySync: typeof opaWasm.loadPolicySync } }).default
  .loadPolicySync;

/**
 * A compiled WebAssembly.Module, opaque here: Node has the WebAssembly global, but the type
 * libraries this project builds with (ES2023 and Node's) do not declare it.
 */
type CompiledModule = object & { readonly __compiledModule?: never };

/** The SDK's first parameter, which accepts a compiled module. */
type PolicySource = Parameters<typeof loadPolicy>[0];

/**
 * Compiles policy.wasm once per load (compiling runs none of its code), so that the trial load's
 * worker, this thread's instance and every later one (after a trap) share it.
 */
async function compilePolicy(bytes: Uint8Array): Promise<CompiledModule> {
  const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<CompiledModule> } })
    .WebAssembly;
  try {
    return await wasm.compile(bytes);
  } catch (error) {
    throw new BundleError("WASM_INVALID", `policy.wasm could not be instantiated: ${describe(error)}`, {
      cause: error,
    });
  }
}

/** Instantiates the compiled policy (its start function runs) without data. */
async function instantiatePolicy(
  module: CompiledModule,
  memory: { initial: number; maximum: number },
): Promise<PolicyInternals> {
  try {
    return await loadPolicy(module, memory);
  } catch (error) {
    throw new BundleError("WASM_INVALID", `policy.wasm could not be instantiated: ${describe(error)}`, {
      cause: error,
    });
  }
}

/**
 * Loads data.json into a fresh instance (parsed by the module itself; the bytes are handed over
 * as they are, never parsed in JavaScript); throws MEMORY_LIMIT or DATA_INVALID.
 */
function setData(policy: PolicyInternals, data: Uint8Array, maxPages: number): void {
  try {
    // Stryker disable next-line MethodExpression: readArchive gives each file an ArrayBuffer of its own, so the copy holds the same bytes
    policy.setData(data.slice().buffer);
  } catch (error) {
    const message = describe(error);
    throw /memory|malloc|grow/i.test(message)
      ? new BundleError("MEMORY_LIMIT", `data.json does not fit in ${maxPages} memory pages: ${message}`, {
          cause: error,
        })
      : new BundleError("DATA_INVALID", `data.json could not be loaded: ${message}`, { cause: error });
  }
}

/** The memory to instantiate with so that `snapshot` fits without growing. */
function memoryFor(
  memory: PolicyImage["memory"],
  snapshot: MemorySnapshot | undefined,
): { initial: number; maximum: number } {
  return { initial: Math.max(memory.initial, snapshot?.pages ?? 0), maximum: memory.maximum };
}

/**
 * Instantiates the policy with its data loaded (from the image's snapshot when it has one),
 * synchronously; throws what the SDK throws.
 */
function instantiate(image: PolicyImage): PolicyInternals {
  const snapshot = image.snapshot;
  const policy = loadPolicySync(
    image.module as PolicySource,
    memoryFor(image.memory, snapshot),
  ) as unknown as PolicyInternals;
  if (snapshot !== undefined) restoreSnapshot(policy, snapshot);
  else setData(policy, image.data, image.memory.maximum);
  return policy;
}

/**
 * An instance of the bundle's policy with its data loaded, and the image it was built from. The
 * image comes from the load cache when the same bundle is loaded in this thread (load-cache.ts);
 * otherwise the module is compiled once and its data set once: in the trial load's worker when
 * `loadTimeoutMs` is set (this thread then restores the worker's memory), else here. Throws
 * WASM_INVALID, MEMORY_LIMIT, DATA_INVALID or LOAD_TIMEOUT.
 */
async function preparePolicy(
  bundle: BundleFiles,
  memory: PolicyImage["memory"],
  loadTimeoutMs: number | undefined,
): Promise<{ policy: PolicyInternals; image: PolicyImage }> {
  const { wasm, data } = bundle;
  // The bundle was unpacked and its signature checked on this load: the cache only skips
  // compiling the module and parsing data.json again.
  const cached = cachedImage(bundle.manifest.revision, wasm, data, memory, loadTimeoutMs);
  const module = cached?.module ?? (await compilePolicy(wasm));
  let trialMs: number | undefined;
  let snapshot = cached?.snapshot;
  // Stryker disable next-line ConditionalExpression: a cached image passed a trial load within the bound already; trying again gives the same memory
  if (cached === undefined && loadTimeoutMs !== undefined) {
    const start = performance.now();
    snapshot = await trialLoad({ module, data, memory, entrypoint: DECISION_ENTRYPOINT }, loadTimeoutMs);
    trialMs = performance.now() - start;
  }
  const policy = await instantiatePolicy(module, memoryFor(memory, snapshot));
  if (policy.entrypoints[DECISION_ENTRYPOINT] === undefined) {
    throw new BundleError(
      "WASM_INVALID",
      `policy.wasm lacks the entry point \`${DECISION_ENTRYPOINT}\`; is this a Gatehouse bundle?`,
    );
  }
  if (snapshot !== undefined) restoreSnapshot(policy, snapshot);
  else {
    setData(policy, data, memory.maximum);
    // A second load of the same bundle: keep the memory for the loads after it.
    if (cached !== undefined) snapshot = cached.snapshot = takeSnapshot(policy);
  }
  return { policy, image: cached ?? { module, snapshot, memory, wasm, data, trialMs } };
}

/**
 * A loaded, verified bundle that decides requests. `decide` is synchronous, never throws for
 * bad input or a WebAssembly trap, and fails closed: anything it cannot decide is a deny with
 * a reason code (INPUT_INVALID or EVALUATION_ERROR).
 *
 * TRUST: the policy module runs on the calling thread, bounded in memory but not in time; a
 * module that loops blocks the thread. Load only bundles you trust — signed and verified
 * (`verification`) — or bound the load with `loadTimeoutMs` and decide through AuthorizerPool
 * (per-batch deadline) for other sources (docs/runtime-security.md).
 */
export class Authorizer {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  private policy: PolicyInternals;
  private view: Uint8Array;
  private evalFn: OpaEval | undefined;
  private traps = 0;
  private restarts = 0;
  private broken = false;
  /** The policy's exact text for a plain allow, once seen (see `evaluate`). */
  private plainAllowText: string | undefined;
  /** The JSON of the request `decide` judged last, read by the decision log. */
  private lastJson: string | undefined;
  /** The runtime entry point's id, when the bundle has it and its explanation table. */
  private readonly runtimeEntrypoint: number | undefined;
  /** The bundle's explanation table, which the runtime entry point's answers need. */
  private readonly explain: ExplainTable | undefined;

  private constructor(
    loaded: PolicyInternals,
    private readonly image: PolicyImage,
    readonly manifest: BundleManifest,
    private readonly entrypoint: number,
    /** The runtime entry point's id and the explanation table, or undefined when the bundle predates them. */
    runtime: { readonly id: number | undefined; readonly explain: ExplainTable } | undefined,
    private readonly maxRequestBytes: number,
    private readonly log: DecisionLog | undefined,
    /** Whether the bundle's signature was verified, ignored or absent. */
    readonly signature: SignatureStatus = "unsigned",
  ) {
    this.policy = loaded;
    this.runtimeEntrypoint = runtime?.id;
    this.explain = runtime?.explain;
    this.view = new Uint8Array(this.policy.mem.buffer);
    this.evalFn = this.policy.wasmInstance.exports.opa_eval;
  }

  /** The revision of the loaded bundle (its manifest `revision`). */
  get revision(): string {
    return this.manifest.revision;
  }

  /**
   * Loads a bundle from a path, URL or buffer: unpacks it in memory, instantiates its policy
   * with bounded memory, loads its data, and checks with one evaluation that it decides.
   * Throws a `BundleError` with a code when anything is wrong (an `OptionsError` for options it
   * cannot honour); nothing is half-loaded.
   */
  static async load(source: BundleSource, options: AuthorizerOptions = {}): Promise<Authorizer> {
    checkInteger("maxRequestBytes", options.maxRequestBytes, 2, 2 ** 30);
    checkInteger("maxMemoryPages", options.maxMemoryPages, 2, MAX_PAGES);
    checkInteger("loadTimeoutMs", options.loadTimeoutMs, 1, 2 ** 31 - 1);
    const bytes = await readBundleBytes(source, options.fetch);
    const bundle = await unpackBundle(bytes, options.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS);
    const signature = await checkSignature(bundle.files, options);
    const explain = readExplainTable(bundle.files, bundle.manifest.revision);
    const maxPages = options.maxMemoryPages ?? 16384;
    let initial: number;
    try {
      initial = initialPages(bundle.wasm, bundle.data.byteLength, maxPages);
    } catch (error) {
      throw new BundleError("WASM_INVALID", `policy.wasm is not a readable module: ${describe(error)}`, {
        cause: error,
      });
    }
    if (initial > maxPages) {
      throw new BundleError(
        "MEMORY_LIMIT",
        `policy.wasm needs at least ${initial} memory pages, more than the limit of ${maxPages}`,
      );
    }
    const memory = { initial, maximum: maxPages };
    const { policy, image } = await preparePolicy(bundle, memory, options.loadTimeoutMs);
    const entrypoints = policy.entrypoints;
    const entrypoint = entrypoints[DECISION_ENTRYPOINT];
    // INVARIANT: preparePolicy refused a module without it.
    const authorizer = new Authorizer(
      policy,
      image,
      bundle.manifest,
      entrypoint!,
      // Without its explanation table a bundle's runtime entry point (if any) answers whole
      // decisions, from an older Gatehouse: the validating entry point decides then.
      explain === undefined ? undefined : { id: entrypoints[RUNTIME_ENTRYPOINT], explain },
      options.maxRequestBytes ?? 64 * 1024,
      options.decisionLog,
      signature,
    );
    const probe = authorizer.decideUnlogged({});
    // Stryker disable next-line OptionalChaining: the runtime's validator refuses the probe `{}`, so it always has a reason
    if (probe.reasons[0]?.code !== "INPUT_INVALID" || probe.revision !== bundle.manifest.revision) {
      throw new BundleError(
        "DATA_INVALID",
        // Stryker disable next-line OptionalChaining: the runtime's validator refuses the probe `{}`, so it always has a reason
        probe.reasons[0]?.code === "EVALUATION_ERROR"
          ? `the policy does not evaluate: ${probe.reasons[0].message}`
          : `data.json carries revision \`${probe.revision}\`, but the manifest says \`${bundle.manifest.revision}\``,
      );
    }
    rememberImage(bundle.manifest.revision, image);
    return authorizer;
  }

  /**
   * Decides one request: the decision for the JSON value of `request`. Never throws: a request
   * that is not JSON data, too large or too deep is INPUT_INVALID; a trap is EVALUATION_ERROR.
   */
  decide(request: unknown): Decision {
    if (this.log !== undefined) return this.decideLogged(request);
    return this.decideUnlogged(request);
  }

  /** Decides a request given as JSON text (the same decision `decide` gives its value). Never throws. */
  decideJson(json: string): Decision {
    let request: unknown;
    try {
      request = JSON.parse(json);
    } catch {
      const decision = inputInvalid("the request is not valid JSON", this.revision);
      if (this.log?.sampled()) this.log.record(DECISION_ENTRYPOINT, undefined, decision, this.revision, 0);
      return decision;
    }
    return this.decide(request);
  }

  /**
   * Decides many requests, in order. Never throws: anything but an array (null, an object, a
   * string) is answered with one INPUT_INVALID decision, never an empty list that a caller
   * checking "every decision allows" would read as an allow.
   */
  decideMany(requests: readonly unknown[]): Decision[] {
    if (!Array.isArray(requests)) return [notAList(this.revision)];
    // Stryker disable next-line ArrayDeclaration: every slot is filled below; the length only preallocates
    const out = new Array<Decision>(requests.length);
    for (let i = 0; i < requests.length; i++) out[i] = this.decide(requests[i]);
    return out;
  }

  /** The WebAssembly memory the policy holds now, and its bound. */
  memoryUsage(): MemoryUsage {
    const bytes = this.policy.mem.buffer.byteLength;
    return { pages: bytes / PAGE, bytes, maximumPages: this.image.memory.maximum };
  }

  /** Traps and restarts since load, and whether the policy can still decide. */
  health(): RuntimeHealth {
    return { traps: this.traps, restarts: this.restarts, healthy: !this.broken };
  }

  private decideLogged(request: unknown): Decision {
    // INVARIANT: only called when `this.log` is set.
    const log = this.log!;
    if (!log.sampled()) return this.decideUnlogged(request);
    const start = process.hrtime.bigint();
    this.lastJson = undefined;
    const decision = this.decideUnlogged(request);
    const ns = Number(process.hrtime.bigint() - start);
    log.record(DECISION_ENTRYPOINT, this.lastJson, decision, this.revision, ns);
    return decision;
  }

  private decideUnlogged(request: unknown): Decision {
    let snapshot: unknown;
    let json: string | undefined;
    try {
      snapshot = snapshotRequest(request);
      // The size limit comes before any work that grows with the request: serializing, the
      // per-character passes over the JSON, validation.
      if (certainlyLargerThan(snapshot, this.maxRequestBytes)) return this.tooLarge();
      json = JSON.stringify(snapshot);
    } catch {
      return inputInvalid("the request cannot be serialized as JSON", this.revision);
    }
    // Something JSON cannot carry (undefined, a function) is no input at all, which the policy
    // decides as OPA evaluates a query without one (INPUT_INVALID); the runtime's validator, which
    // refuses no input, keeps the last word there too.
    if (json === undefined) return this.lastWord(false, this.evaluate(undefined));
    if (this.exceedsLimit(json)) return this.tooLarge();
    const serialized = json;
    json = wellFormedJson(json);
    this.lastJson = json;
    // INVARIANT: `json` is the serialization of `snapshot` (lone surrogates replaced one for one
    // with U+FFFD, which keeps every length and cannot make a field valid), so the precompiled
    // validator judges exactly the input the policy sees.
    const validated = validateRequest(snapshot);
    if (validated && this.runtimeEntrypoint !== undefined) {
      // INVARIANT: a validated request is a JSON object with a strict `sourceIp` (and a strict
      // `session.originIp` when present), so the addresses parse and `json` ends with `}`.
      const addresses = hostAddresses(snapshot);
      // Stryker disable next-line ConditionalExpression,MethodExpression: by the invariant the addresses parse; without them (or with the object left open) the runtime entry's rules parse `sourceIp` themselves
      if (addresses !== undefined) {
        // The request as the policy reads it (lone surrogates replaced), which messages quote.
        // Stryker disable next-line ConditionalExpression: a fast path; a validated snapshot is JSON data, so parsing its own serialization gives an equal value
        const seen: unknown = json === serialized ? snapshot : JSON.parse(json);
        return this.evaluateRuntime(`${json.slice(0, -1)},${addresses}}`, seen);
      }
    }
    if (!validated && nestsDeeperThan(json, MAX_DEPTH))
      return inputInvalid(`the request nests deeper than ${MAX_DEPTH} levels`, this.revision);
    return this.lastWord(validated, this.evaluate(json));
  }

  /**
   * Two independent validators judge every request; when the policy's accepts what the runtime's
   * refuses (a disagreement the tests rule out for the compiled policy), the request is refused
   * all the same.
   */
  private lastWord(validated: boolean, decision: Decision): Decision {
    if (
      !validated &&
      decision.reasons[0]?.code !== "INPUT_INVALID" &&
      decision.reasons[0]?.code !== "EVALUATION_ERROR"
    ) {
      return inputInvalid(
        "the request does not match the input schema (the runtime's validator refused it)",
        this.revision,
      );
    }
    return decision;
  }

  /** Whether the JSON text is over the request size limit in UTF-8 bytes. */
  private exceedsLimit(json: string): boolean {
    return (
      // Stryker disable next-line ConditionalExpression: a fast path; more UTF-16 units than the limit are more UTF-8 bytes, which the next line finds
      json.length > this.maxRequestBytes ||
      (json.length * 3 > this.maxRequestBytes && Buffer.byteLength(json, "utf8") > this.maxRequestBytes)
    );
  }

  private tooLarge(): Decision {
    return inputInvalid(`the request is larger than ${this.maxRequestBytes} bytes`, this.revision);
  }

  /**
   * Evaluates the entry point on `json` (no input when undefined), failing closed.
   * INVARIANT: `json` is within the size limit (decideUnlogged checks it before every call).
   */
  private evaluate(json: string | undefined): Decision {
    const ran = this.runFailClosed(this.entrypoint, json, this.plainAllowText);
    if (!("text" in ran)) return ran;
    const problem = decisionProblem(ran.value);
    if (problem !== undefined) return evaluationError(problem, this.revision);
    const d = ran.value as Decision;
    if (d.allow && d.notes.length === 0 && d.revision === this.revision && Object.keys(d).length === 4) {
      this.plainAllowText = ran.text;
    }
    return d;
  }

  /**
   * Evaluates the runtime entry point on a validated request with its parsed addresses appended,
   * failing closed: the number 1 (recognised by its text, RUNTIME_PLAIN_ALLOW) is the plain allow,
   * anything else must be a decision whose reason and note keys the explanation table expands for
   * `request`, and whatever is neither is EVALUATION_ERROR.
   */
  private evaluateRuntime(json: string, request: unknown): Decision {
    // The size limit is the caller's request's (checked before): the parsed addresses appended
    // here add a bounded few dozen bytes, for which `runFailClosed` reserves memory like any other.
    // INVARIANT: set in the constructor whenever this method is called.
    const ran = this.runFailClosed(this.runtimeEntrypoint!, json, RUNTIME_PLAIN_ALLOW);
    if (!("text" in ran)) return ran;
    // INVARIANT: the explanation table is set whenever the runtime entry point is.
    return expandDecision(ran.value, request, this.explain!, this.revision);
  }

  /**
   * Runs `entrypoint` on `json` (no input when undefined) in reserved memory. Returns a decision
   * when the run failed (EVALUATION_ERROR) or answered `plainAllow`, the text of the plain allow
   * (recognised instead of parsed: by far the most common answer, always the same text; for the
   * runtime entry point the only way to its plain allow);
   * otherwise the single result's value, not yet checked, with the text it came from.
   */
  private runFailClosed(
    entrypoint: number,
    json: string | undefined,
    plainAllow: string | undefined,
  ): Decision | { readonly text: string; readonly value: unknown } {
    if (this.broken) return evaluationError("the policy could not be restarted after a trap", this.revision);
    if (json !== undefined) {
      try {
        this.reserve(json);
      } catch (error) {
        return evaluationError(`the request does not fit in the policy's memory: ${describe(error)}`, this.revision);
      }
    }
    let text: string;
    let result: unknown;
    try {
      text = this.run(entrypoint, json);
      if (text === plainAllow) return { allow: true, reasons: [], notes: [], revision: this.revision };
      result = JSON.parse(text);
    } catch (error) {
      this.recover();
      return evaluationError(`the policy could not be evaluated: ${describe(error)}`, this.revision);
    }
    const value = Array.isArray(result) && result.length === 1 ? (result[0] as { result?: unknown }).result : undefined;
    return { text, value };
  }

  /**
   * Replaces the instance after a failed evaluation. A trap leaves the module's shadow stack
   * pointer where the trap happened; after enough of them the instance corrupts its own memory,
   * so it is never used again.
   */
  private recover(): void {
    this.traps++;
    try {
      this.policy = instantiate(this.image);
      this.view = new Uint8Array(this.policy.mem.buffer);
      this.evalFn = this.policy.wasmInstance.exports.opa_eval;
      this.restarts++;
    } catch {
      this.broken = true;
    }
  }

  /** Grows memory so that `json` fits above the data; throws when the bound does not allow it. */
  private reserve(json: string): void {
    const mem = this.policy.mem;
    const base = this.policy.dataHeapPtr;
    if (base + json.length * 3 + 1 <= mem.buffer.byteLength) return;
    // Stryker disable next-line StringLiteral: Buffer reads an empty encoding name as UTF-8
    const need = base + Buffer.byteLength(json, "utf8") + 1;
    // Stryker disable next-line EqualityOperator: growing by zero pages changes nothing
    if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
  }

  /** Runs the entry point on JSON input (none when undefined) and returns the result set as JSON text. */
  private run(entrypoint: number, json: string | undefined): string {
    const policy = this.policy;
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: modules of the pinned opa export opa_eval (ABI 1.2); the SDK's evaluate gives the same result set
    if (!this.evalFn)
      return JSON.stringify(policy.evaluate(json === undefined ? undefined : JSON.parse(json), entrypoint));
    const base = policy.dataHeapPtr;
    const mem = policy.mem;
    // INVARIANT: `reserve` made room for the UTF-8 bytes of `json` above `base`.
    if (this.view.buffer !== mem.buffer) this.view = new Uint8Array(mem.buffer);
    const written = json === undefined ? 0 : this.encoder.encodeInto(json, this.view.subarray(base)).written;
    const out = this.evalFn(0, entrypoint, policy.dataAddr, json === undefined ? 0 : base, written, base + written, 0);
    if (this.view.buffer !== mem.buffer) this.view = new Uint8Array(mem.buffer);
    const end = this.view.indexOf(0, out);
    if (out <= 0 || end < 0) throw new Error("the policy returned no result");
    return this.decoder.decode(this.view.subarray(out, end));
  }
}

/** A message for anything thrown, including the bare strings the WebAssembly SDK throws. */
function describe(error: unknown): string {
  // Stryker disable next-line ConditionalExpression: an Error has a `message`, read the same way below
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}

/**
 * Verifies the bundle's signature as the options ask; throws the BundleError refusing it. With
 * `acceptUnverifiedSignature` and no verification, a signed bundle passes unchecked.
 */
async function checkSignature(
  files: ReadonlyMap<string, Uint8Array>,
  options: AuthorizerOptions,
): Promise<SignatureStatus> {
  if (options.verification === undefined && options.acceptUnverifiedSignature === true && files.has(SIGNATURES_FILE))
    return "unverified";
  const verified = await verifyBundle(files, options.verification);
  if (!verified.ok) throw verified.error;
  return verified.signature === undefined ? "unsigned" : "verified";
}
