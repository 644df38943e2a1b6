/**
 * One worker of an AuthorizerPool: holds an Authorizer for the pool's bundle and decides the
 * batches of JSON requests the pool sends it. Started by pool.ts only.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Authorizer, type AuthorizerOptions } from "./authorizer.js";
import { BundleError, OptionsError } from "./errors.js";
import type { ToWorker, FromWorker, WorkerSetup } from "./pool-protocol.js";

// INVARIANT: this module runs only as a worker started by the pool, which passes a WorkerSetup.
const port = parentPort!;
const setup = workerData as WorkerSetup;

function failure(error: unknown): FromWorker & { readonly type: "failed" } {
  return error instanceof BundleError || error instanceof OptionsError
    ? { type: "failed", code: error.code, message: error.message }
    : { type: "failed", code: "WORKER_FAILED", message: error instanceof Error ? error.message : String(error) };
}

async function load(bytes: Uint8Array, options: AuthorizerOptions): Promise<Authorizer> {
  return Authorizer.load(bytes, options);
}

let active: Authorizer;
let pending: Authorizer | undefined;

function send(message: FromWorker): void {
  port.postMessage(message);
}

function onMessage(message: ToWorker): void {
  switch (message.type) {
    case "decide": {
      // INVARIANT: the pool sends a JSON array it serialized itself, so parsing it cannot fail and
      // each element is plain data whose decision is the one Authorizer.decide gives the original.
      const requests = JSON.parse(message.requests) as unknown[];
      send({ type: "decided", batch: message.batch, decisions: JSON.stringify(active.decideMany(requests)) });
      return;
    }
    case "prepare":
      load(message.bytes, setup.options).then(
        (next) => {
          pending = next;
          send({ type: "prepared", revision: next.revision });
        },
        (error: unknown) => send(failure(error)),
      );
      return;
    case "commit":
      if (pending) active = pending;
      pending = undefined;
      send({ type: "committed", revision: active.revision });
      return;
    case "abort":
      pending = undefined;
      return;
  }
}

// No top-level await, so that the same source also builds as CommonJS: the worker answers
// messages only once its first bundle has loaded or failed, as the pool waits for that answer.
void load(setup.bytes, setup.options)
  .then(
    (authorizer) => {
      active = authorizer;
      send({ type: "ready", revision: authorizer.revision });
    },
    (error: unknown) => send(failure(error)),
  )
  .finally(() => port.on("message", onMessage));
