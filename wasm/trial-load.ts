import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { BundleError } from "./errors.js";

/** What a trial load needs: the module, the data, the memory bounds and the entry point to probe. */
export interface TrialInput {
  readonly wasm: Uint8Array;
  readonly data: Uint8Array;
  readonly memory: { readonly initial: number; readonly maximum: number };
  readonly entrypoint: string;
}

// The trial runs as plain CommonJS in the worker (no build step, the same from sources and from
// dist): it loads the policy with opa-wasm, sets the data and makes one decision on `{}`, then
// says "done" whatever the outcome; errors are left for the real load to report with their codes.
const TRIAL = `
const { parentPort, workerData } = require("node:worker_threads");
const { loadPolicy } = require(workerData.opaWasm);
(async () => {
  try {
    const { wasm, data, memory, entrypoint } = workerData.input;
    const policy = await loadPolicy(wasm, memory);
    policy.setData(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    policy.evaluate({}, entrypoint);
  } catch {}
  parentPort.postMessage("done");
})();
`;

const opaWasm = createRequire(import.meta.url).resolve("@open-policy-agent/opa-wasm");

/**
 * Loads the policy once in a worker thread — instantiate (its start function included), set
 * its data, one decision — and resolves when that finishes within `timeoutMs`. A module that
 * loops there is stopped (the worker is terminated) and refused with LOAD_TIMEOUT, so the
 * calling thread never runs it. Failures other than time are not judged here: the real load
 * that follows reports them with their own codes.
 */
export function trialLoad(input: TrialInput, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(TRIAL, { eval: true, workerData: { opaWasm, input } });
    let settled = false;
    const settle = (error?: BundleError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve();
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
    worker.once("message", () => settle());
    worker.once("error", (error) =>
      settle(new BundleError("WASM_INVALID", `the policy's trial load failed: ${error.message}`, { cause: error })),
    );
    worker.once("exit", (code) =>
      settle(new BundleError("WASM_INVALID", `the policy's trial load stopped with exit code ${code}`)),
    );
  });
}
