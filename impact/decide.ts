/**
 * Decides every planned request class with both versions' runtimes and keeps the classes whose
 * decisions differ. Two decisions are the same when they allow alike and give the same reason
 * codes citing the same declarations (by kind and name) and the same note codes; where a
 * declaration is written, messages and the revision are not compared.
 */
import type { Decision } from "../wasm/decision.js";
import { classesOf, planEnumeration, requestOf, type EnumerationPlan, type RequestClass } from "./enumerate.js";
import { VersionIndex, type PolicyVersion } from "./version.js";

/** A class the two versions decide differently, with both decisions (shared between classes that decide alike). */
export interface DecidedChange {
  readonly cls: RequestClass;
  readonly base: Decision;
  readonly head: Decision;
}

/** The result of a semantic diff. */
export interface DiffResult {
  readonly plan: EnumerationPlan;
  /** Request classes decided, in each version. */
  readonly decided: number;
  readonly changes: readonly DecidedChange[];
  /**
   * Enumerated requests a version refused as invalid or could not evaluate: always zero unless
   * the enumeration or a runtime is broken, and then the diff is not to be trusted.
   */
  readonly undecidable: number;
  readonly base: VersionIndex;
  readonly head: VersionIndex;
}

/** Options of `diffVersions`. */
export interface DiffOptions {
  /** The most request classes to decide (default `DEFAULT_CLASS_LIMIT`). */
  readonly limit?: number;
}

/** What of a decision is compared: allow, reason codes with the declaration each cites, note codes. */
export function decisionKey(d: Decision): string {
  return JSON.stringify([
    d.allow,
    d.reasons.map((r) => [r.code, r.source?.kind ?? null, r.source?.name ?? null]),
    d.notes.map((n) => n.code),
  ]);
}

/** The keys of decisions already keyed (the diff's shared decision objects). */
const keys = new WeakMap<Decision, string>();

/** `decisionKey(d)`, computed once per decision object. */
export function cachedDecisionKey(d: Decision): string {
  let key = keys.get(d);
  if (key === undefined) keys.set(d, (key = decisionKey(d)));
  return key;
}

/** Decides, in both versions, every request class that can differ, and returns those that do. */
export function diffVersions(base: PolicyVersion, head: PolicyVersion, options: DiffOptions = {}): DiffResult {
  const baseIndex = new VersionIndex(base);
  const headIndex = new VersionIndex(head);
  const plan = planEnumeration(baseIndex, headIndex, options.limit);
  const changes: DecidedChange[] = [];
  // Many classes get the same decision: keep one object per distinct decision, not one per class.
  const interned = new Map<string, Decision>();
  const intern = (d: Decision, key: string): Decision => {
    const found = interned.get(key);
    if (found) return found;
    interned.set(key, d);
    keys.set(d, key.slice(1));
    return d;
  };
  let decided = 0;
  let undecidable = 0;
  const refused = (d: Decision): boolean =>
    d.reasons[0]?.code === "INPUT_INVALID" || d.reasons[0]?.code === "EVALUATION_ERROR";
  for (const pair of plan.pairs) {
    for (const cls of classesOf(pair)) {
      const request = requestOf(cls);
      const b = base.decider.decide(request);
      const h = head.decider.decide(request);
      decided++;
      if (refused(b) || refused(h)) undecidable++;
      const bk = decisionKey(b);
      const hk = decisionKey(h);
      if (bk !== hk) changes.push({ cls, base: intern(b, `b${bk}`), head: intern(h, `h${hk}`) });
    }
  }
  return { plan, decided, changes, undecidable, base: baseIndex, head: headIndex };
}
