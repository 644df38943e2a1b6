import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { BundleError } from "./errors.js";
import { snapshotProblem, type MemorySnapshot } from "./memory-snapshot.js";

/** What a trial load needs: the compiled module, the data, the memory bounds and the entry point to probe. */
export interface TrialInput {
  /** The compiled WebAssembly.Module, shared with the worker (compiled once, in the caller). */
  readonly module: object;
  readonly data: Uint8Array;
  readonly memory: { readonly initial: number; readonly maximum: number };
  readonly entrypoint: string;
}

// The trial runs as plain CommonJS in the worker (no build step, the same from sources and from
// dist): it instantiates the compiled module with opa-wasm, sets the data, copies the memory
// right after setData (the snapshot the caller then restores instead of setting the data
// again), makes one decision on `{}`, and answers with the snapshot, or with nothing when
// anything failed: errors are left for the caller's own load to report with their codes.
const TRIAL = `
const { parentPort, workerData } = require("node:worker_threads");
const { loadPolicy } = require(workerData.opaWasm);
(async () => {
  let snapshot;
  try {
    const { module, data, memory, entrypoint } = workerData.input;
    const policy = await loadPolicy(module, memory);
    policy.setData(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const bytes = new Uint8Array(policy.mem.buffer, 0, policy.dataHeapPtr).slice();
    const taken = { bytes, pages: policy.mem.buffer.byteLength / 65536, dataAddr: policy.dataAddr, dataHeapPtr: policy.dataHeapPtr };
    policy.evaluate({}, entrypoint);
    snapshot = taken;
  } catch {}
  parentPort.postMessage({ snapshot }, snapshot ? [snapshot.bytes.buffer] : []);
})();
`;

const opaWasm = createRequire(import.meta.url).resolve("@open-policy-agent/opa-wasm");

/**
 * Loads the policy once in a worker thread — instantiate (its start function included), set
 * its data, one decision — and resolves when that finishes within `timeoutMs`, with the memory
 * the worker had right after setData (undefined when the worker's load failed). A module that
 * loops there is stopped (the worker is terminated) and refused with LOAD_TIMEOUT, so the
 * calling thread never runs it. Failures other than time are not judged here: the caller's own
 * load, which sets the data itself when there is no snapshot, reports them with their codes.
 */
export function trialLoad(input: TrialInput, timeoutMs: number): Promise<MemorySnapshot | undefined> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(TRIAL, { eval: true, workerData: { opaWasm, input } });
    let settled = false;
    const settle = (error?: BundleError, snapshot?: MemorySnapshot): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve(snapshot);
    };
    const timer = setTimeout(
      () =>
        settle(
          new BundleError(
            "LOAD_TIMEOUT",
            `loading the policy (instantiate, set its data, one decision) did not finish within ${timeoutMs} ms; it was stopped`,
          ),
        ),
      timeoutMs,
    );
    worker.once("message", (message: { snapshot?: unknown }) => {
      const snapshot = message.snapshot;
      settle(
        undefined,
        snapshotProblem(snapshot, input.memory.maximum) === undefined ? (snapshot as MemorySnapshot) : undefined,
      );
    });
    worker.once("error", (error) =>
      settle(new BundleError("WASM_INVALID", `the policy's trial load failed: ${error.message}`, { cause: error })),
    );
    worker.once("exit", (code) =>
      settle(new BundleError("WASM_INVALID", `the policy's trial load stopped with exit code ${code}`)),
    );
  });
}
