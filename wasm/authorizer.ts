import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from "../core/bundle-archive.js";
import { readBundleBytes, unpackBundle, type BundleManifest, type BundleSource } from "./bundle.js";
import { decisionProblem, evaluationError, inputInvalid, type Decision } from "./decision.js";
import { BundleError } from "./errors.js";
import { requestCheck, type RequestCheck } from "./request-validator.js";
import { verifyBundle, type BundleVerification } from "./verify.js";

/** The entry point that validates the request itself: the policy's public decision. */
export const DECISION_ENTRYPOINT = "gatehouse/decision";
/** The entry point for a request already validated by the runtime. */
export const ENGINE_ENTRYPOINT = "gatehouse/engine/decision";

const PAGE = 64 * 1024;

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
}

/** How much WebAssembly memory the policy holds. */
export interface MemoryUsage {
  readonly pages: number;
  readonly bytes: number;
  readonly maximumPages: number;
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
  readonly wasmInstance: { readonly exports: { readonly opa_eval?: OpaEval } };
  readonly dataHeapPtr: number;
  readonly dataAddr: number;
  readonly entrypoints: Record<string, number>;
  evaluate(input: unknown, entrypoint: number): unknown;
}

/**
 * A loaded, verified bundle that decides requests. `decide` is synchronous, never throws for
 * bad input or a WebAssembly trap, and fails closed: anything it cannot decide is a deny with
 * a reason code (INPUT_INVALID or EVALUATION_ERROR).
 */
export class Authorizer {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  private view: Uint8Array;
  private readonly evalFn: OpaEval | undefined;
  private readonly policy: PolicyInternals;

  private constructor(
    loaded: LoadedPolicy,
    readonly manifest: BundleManifest,
    private readonly entry: { readonly full: number; readonly engine: number },
    private readonly check: RequestCheck,
    private readonly maxRequestBytes: number,
    private readonly maxMemoryPages: number,
  ) {
    this.policy = loaded;
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
   * Throws a `BundleError` with a code when anything is wrong; nothing is half-loaded.
   */
  static async load(source: BundleSource, options: AuthorizerOptions = {}): Promise<Authorizer> {
    const bytes = await readBundleBytes(source, options.fetch);
    const bundle = await unpackBundle(bytes, options.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS);
    const verified = await verifyBundle(bundle.files, options.verification);
    if (!verified.ok) throw verified.error;
    const maxPages = options.maxMemoryPages ?? 16384;
    const initial = Math.min(maxPages, Math.max(8, Math.ceil((bundle.data.byteLength * 3) / PAGE)));
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(bundle.wasm, { initial, maximum: maxPages });
    } catch (error) {
      throw new BundleError("WASM_INVALID", `policy.wasm could not be instantiated: ${describe(error)}`, {
        cause: error,
      });
    }
    const entrypoints = (policy as unknown as PolicyInternals).entrypoints;
    const full = entrypoints[DECISION_ENTRYPOINT];
    const engine = entrypoints[ENGINE_ENTRYPOINT];
    if (full === undefined || engine === undefined) {
      throw new BundleError(
        "WASM_INVALID",
        `policy.wasm lacks the entry points \`${DECISION_ENTRYPOINT}\` and \`${ENGINE_ENTRYPOINT}\`; is this a Gatehouse bundle?`,
      );
    }
    try {
      const data = bundle.data;
      policy.setData(data.slice().buffer);
    } catch (error) {
      const message = describe(error);
      throw /memory|malloc|grow/i.test(message)
        ? new BundleError("MEMORY_LIMIT", `data.json does not fit in ${maxPages} memory pages: ${message}`, {
            cause: error,
          })
        : new BundleError("DATA_INVALID", `data.json could not be loaded: ${message}`, { cause: error });
    }
    const authorizer = new Authorizer(
      policy,
      bundle.manifest,
      { full, engine },
      requestCheck(),
      options.maxRequestBytes ?? 64 * 1024,
      maxPages,
    );
    const probe = authorizer.decide({});
    if (probe.reasons[0]?.code !== "INPUT_INVALID" || probe.revision !== bundle.manifest.revision) {
      throw new BundleError(
        "DATA_INVALID",
        probe.reasons[0]?.code === "EVALUATION_ERROR"
          ? `the policy does not evaluate: ${probe.reasons[0].message}`
          : `data.json carries revision \`${probe.revision}\`, but the manifest says \`${bundle.manifest.revision}\``,
      );
    }
    return authorizer;
  }

  /** Decides one request. Never throws. */
  decide(request: unknown): Decision {
    let json: string | undefined;
    try {
      json = JSON.stringify(request);
    } catch {
      return inputInvalid("the request cannot be serialized as JSON", this.revision);
    }
    if (json === undefined) return inputInvalid("the request is not a JSON value", this.revision);
    let validated: boolean;
    try {
      validated = this.check(request);
    } catch {
      validated = false;
    }
    return this.evaluate(json, validated);
  }

  /** Decides a request given as JSON text, validated by the policy itself. Never throws. */
  decideJson(json: string): Decision {
    return this.evaluate(json, false);
  }

  /** Decides many requests, in order. Never throws. */
  decideMany(requests: readonly unknown[]): Decision[] {
    return requests.map((r) => this.decide(r));
  }

  /** The WebAssembly memory the policy holds now, and its bound. */
  memoryUsage(): MemoryUsage {
    const bytes = this.policy.mem.buffer.byteLength;
    return { pages: bytes / PAGE, bytes, maximumPages: this.maxMemoryPages };
  }

  private evaluate(json: string, validated: boolean): Decision {
    if (
      json.length > this.maxRequestBytes ||
      (json.length * 3 > this.maxRequestBytes && this.encoder.encode(json).byteLength > this.maxRequestBytes)
    ) {
      return inputInvalid(`the request is larger than ${this.maxRequestBytes} bytes`, this.revision);
    }
    let result: unknown;
    try {
      const text = this.run(validated ? this.entry.engine : this.entry.full, json);
      result = JSON.parse(text);
    } catch (error) {
      return evaluationError(`the policy could not be evaluated: ${describe(error)}`, this.revision);
    }
    const decision =
      Array.isArray(result) && result.length === 1 ? (result[0] as { result?: unknown }).result : undefined;
    const problem = decisionProblem(decision);
    return problem === undefined ? (decision as Decision) : evaluationError(problem, this.revision);
  }

  /** Runs one entry point on JSON input and returns the result set as JSON text. */
  private run(entrypoint: number, json: string): string {
    const policy = this.policy;
    if (!this.evalFn) return JSON.stringify(policy.evaluate(JSON.parse(json), entrypoint));
    const base = policy.dataHeapPtr;
    const mem = policy.mem;
    const need = base + json.length * 3 + 1;
    if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
    if (this.view.buffer !== mem.buffer) this.view = new Uint8Array(mem.buffer);
    const { written } = this.encoder.encodeInto(json, this.view.subarray(base));
    const out = this.evalFn(0, entrypoint, policy.dataAddr, base, written, base + written, 0);
    if (this.view.buffer !== mem.buffer) this.view = new Uint8Array(mem.buffer);
    const end = this.view.indexOf(0, out);
    if (out <= 0 || end < 0) throw new Error("the policy returned no result");
    return this.decoder.decode(this.view.subarray(out, end));
  }
}

/** A message for anything thrown, including the bare strings the WebAssembly SDK throws. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}
