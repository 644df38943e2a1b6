/**
 * Gatehouse's runtime: load a bundle, decide requests. Importable as `gatehouse/runtime`
 * without pulling in the compiler.
 */
export {
  Authorizer,
  DECISION_ENTRYPOINT,
  type AuthorizerOptions,
  type MemoryUsage,
  type RuntimeHealth,
  type SignatureStatus,
} from "./authorizer.js";
export {
  downloadBundle,
  nextPollDelay,
  watchBundle,
  type BundleConsumer,
  type BundleWatcher,
  type Download,
  type WatchOptions,
} from "./bundle-watch.js";
export { AuthorizerPool, type PoolOptions } from "./pool.js";
export { ReloadingAuthorizer, type ReloadStatus, type ReloadingOptions } from "./reloading-authorizer.js";
export { readBundleBytes, unpackBundle, type BundleFiles, type BundleManifest, type BundleSource } from "./bundle.js";
export {
  evaluationError,
  inputInvalid,
  type Decision,
  type DecisionNote,
  type DecisionReason,
  type Request,
} from "./decision.js";
export {
  BundleError,
  OptionsError,
  PoolError,
  type BundleErrorCode,
  type PoolErrorCode,
  type SignatureErrorCode,
} from "./errors.js";
export { verifyBundle, type BundleVerification, type VerificationOutcome, type VerifiedSignature } from "./verify.js";
export { SIGNING_ALGORITHMS, type SigningAlgorithm } from "../core/bundle-signing.js";
export {
  DecisionLog,
  type DecisionEvent,
  type DecisionLogOptions,
  type DecisionLogStats,
  type EventContext,
  type MaskRule,
} from "./decision-log.js";
export { RUNTIME_VERSION } from "./version.js";
