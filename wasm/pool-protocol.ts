import type { AuthorizerOptions } from "./authorizer.js";

/**
 * The load options a worker receives: every Authorizer option except those that cannot cross
 * a thread (the fetch, used only in the pool's own thread, and a decision log).
 */
export type WorkerLoadOptions = Omit<AuthorizerOptions, "fetch" | "decisionLog">;

/** What a pool worker is started with. */
export interface WorkerSetup {
  readonly bytes: Uint8Array;
  readonly options: WorkerLoadOptions;
}

/**
 * Messages from the pool to a worker. A batch's requests travel as one JSON array of the
 * requests as the pool serialized them (one string to copy rather than one per request).
 */
export type ToWorker =
  | { readonly type: "decide"; readonly batch: number; readonly requests: string }
  | { readonly type: "prepare"; readonly bytes: Uint8Array }
  | { readonly type: "commit" }
  | { readonly type: "abort" };

/**
 * Messages from a worker to the pool. A batch's decisions travel as one JSON array: parsing it
 * costs the pool's thread about half what deserializing the structured clone would.
 */
export type FromWorker =
  | { readonly type: "ready"; readonly revision: string }
  | { readonly type: "failed"; readonly code: string; readonly message: string }
  | { readonly type: "decided"; readonly batch: number; readonly decisions: string }
  | { readonly type: "prepared"; readonly revision: string }
  | { readonly type: "committed"; readonly revision: string };
