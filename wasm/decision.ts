import type { Decision } from "../core/model.generated.js";

export type { Decision, Request } from "../core/model.generated.js";

/** One reason of a decision. */
export type DecisionReason = Decision["reasons"][number];

/** One note of a decision. */
export type DecisionNote = Decision["notes"][number];

/** A deny decided by the runtime itself, when the policy could not decide (docs/semantics.md §5). */
export function evaluationError(message: string, revision: string): Decision {
  return {
    allow: false,
    reasons: [{ code: "EVALUATION_ERROR", message, control: "runtime", source: null }],
    notes: [],
    revision,
  };
}

/** A deny for a request the runtime refused before evaluation (too large, not serializable). */
export function inputInvalid(message: string, revision: string): Decision {
  return {
    allow: false,
    reasons: [{ code: "INPUT_INVALID", message, control: "input", source: null }],
    notes: [],
    revision,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks that a policy result has the decision shape and keeps its invariant (reasons empty
 * exactly when allowed). Returns a reason for refusing it, or undefined when it is sound.
 */
export function decisionProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "the policy returned no decision";
  if (typeof value.allow !== "boolean") return "the decision has no boolean `allow`";
  if (!Array.isArray(value.reasons) || !Array.isArray(value.notes))
    return "the decision has no `reasons` or `notes` list";
  if (typeof value.revision !== "string") return "the decision has no `revision`";
  if (value.allow !== (value.reasons.length === 0)) return "the decision's `reasons` disagree with `allow`";
  for (const r of value.reasons) {
    if (
      !isRecord(r) ||
      typeof r.code !== "string" ||
      typeof r.message !== "string" ||
      typeof r.control !== "string" ||
      !("source" in r)
    ) {
      return "the decision has a malformed reason";
    }
  }
  for (const n of value.notes) {
    if (!isRecord(n) || typeof n.code !== "string" || typeof n.message !== "string")
      return "the decision has a malformed note";
  }
  return undefined;
}

/** The answer to a `decideMany` given anything but an array: one INPUT_INVALID decision. */
export function notAList(revision: string): Decision {
  return inputInvalid("decideMany takes an array of requests", revision);
}
