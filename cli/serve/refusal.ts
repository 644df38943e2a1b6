import type { ReloadingAuthorizer } from "../../wasm/index.js";

/** The latest reload's refusal, when no bundle has been swapped in since; undefined otherwise. */
export function latestRefusal(
  authorizer: ReloadingAuthorizer,
): { readonly code: string; readonly message: string; readonly at: string } | undefined {
  const status = authorizer.status();
  const error = status.lastError;
  if (error === undefined || error.at < status.lastSuccess) return undefined;
  return { code: error.code, message: error.message, at: error.at.toISOString() };
}
