/**
 * `gatehouse review`: security findings over a validated policy set (docs/semantics.md §6), each
 * with its documentation, every YAML position involved and its acknowledgement, and a score.
 */
import { compareText } from "../diagnostics/diagnostic.js";
import type { PolicySet } from "../validate/model.js";
import { applyAcknowledgements } from "./acknowledgements.js";
import { SEVERITIES, type Finding, type FindingSeverity } from "./finding.js";
import { FINDING_CHECKS } from "./registry.js";
import { score, type CheckOutcome, type Score } from "./score.js";
import { unseenBasis } from "./unverified.js";

export * from "./finding.js";
export { FINDING_CHECKS, FINDING_SPECS, findingSpec } from "./registry.js";
export { GRADES, SEVERITY_WEIGHTS, score, type CheckOutcome, type Score } from "./score.js";
export { unseenBasis, type UnseenBasis } from "./unverified.js";

/** The outcome of a review. */
export interface Review {
  /** Sorted by severity, then id, then primary position; none rests on an unseen fact. */
  readonly findings: readonly Finding[];
  /** Findings that rest on facts the importer did not see, each with what to retrieve; outside the score. */
  readonly unverified: readonly Finding[];
  readonly checks: readonly CheckOutcome[];
  readonly score: Score;
  /** The date acknowledgements were judged against, `YYYY-MM-DD`. */
  readonly today: string;
}

/** Options of `review`. */
export interface ReviewOptions {
  /** Today, `YYYY-MM-DD`: acknowledgements expire against it. */
  readonly today: string;
}

function compareFindings(a: Finding, b: Finding): number {
  const pa = a.locations[0];
  const pb = b.locations[0];
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.id, b.id) ||
    compareText(pa?.file ?? "", pb?.file ?? "") ||
    (pa?.line ?? 0) - (pb?.line ?? 0) ||
    (pa?.column ?? 0) - (pb?.column ?? 0) ||
    compareText(a.subject.name, b.subject.name)
  );
}

/** Reviews a validated policy set: runs every check, applies acknowledgements, scores. Reports, never throws. */
export function review(policy: PolicySet, options: ReviewOptions): Review {
  const raw: Array<Omit<Finding, "acknowledgement">> = [];
  const checks: CheckOutcome[] = [];
  for (const { spec, check } of FINDING_CHECKS) {
    const result = check(policy);
    let unverified = 0;
    for (const draft of result.findings) {
      const basis = unseenBasis(policy, { id: spec.id, subject: draft.subject });
      if (basis.length === 0) {
        raw.push({ ...draft, id: spec.id, severity: spec.severity });
        continue;
      }
      unverified++;
      raw.push({
        ...draft,
        id: spec.id,
        severity: spec.severity,
        unverified: {
          facts: basis.map(({ kind, name, fact }) => ({ kind, name, fact })),
          retrieve: [...new Set(basis.map((b) => b.retrieve))],
        },
      });
    }
    checks.push({
      id: spec.id,
      severity: spec.severity,
      examined: result.examined,
      failed: result.findings.length - unverified,
      unverified,
    });
  }
  const all = applyAcknowledgements(policy, raw, options.today).sort(compareFindings);
  const findings = all.filter((f) => f.unverified === undefined);
  const unverified = all.filter((f) => f.unverified !== undefined);
  return { findings, unverified, checks, score: score(checks), today: options.today };
}

/** The findings that are neither acknowledged nor unverified and at least as serious as `threshold`. */
export function openAtLeast(findings: readonly Finding[], threshold: FindingSeverity): Finding[] {
  return findings.filter(
    (f) =>
      f.acknowledgement === undefined &&
      f.unverified === undefined &&
      SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(threshold),
  );
}
