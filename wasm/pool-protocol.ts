import type { AuthorizerOptions } from "./authorizer.js";

/** What a pool worker is started with. */
export interface WorkerSetup {
  readonly bytes: Uint8Array;
  readonly options: Pick<AuthorizerOptions, "maxRequestBytes" | "maxMemoryPages" | "archiveLimits">;
}

/** Messages from the pool to a worker. */
export type ToWorker =
  | { readonly type: "decide"; readonly batch: number; readonly requests: readonly string[] }
  | { readonly type: "prepare"; readonly bytes: Uint8Array }
  | { readonly type: "commit" }
  | { readonly type: "abort" };

/** Messages from a worker to the pool. */
export type FromWorker =
  | { readonly type: "ready"; readonly revision: string }
  | { readonly type: "failed"; readonly code: string; readonly message: string }
  | { readonly type: "decided"; readonly batch: number; readonly decisions: readonly unknown[] }
  | { readonly type: "prepared"; readonly revision: string }
  | { readonly type: "committed"; readonly revision: string };
