import type { Span } from "../diagnostics/diagnostic.js";
import type { Kind } from "../schemas.js";
import type { PolicySet } from "../validate/model.js";

/** How serious a finding is, most serious first (Salesforce Health Check's risk groups plus critical). */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;

/** A finding's severity. */
export type FindingSeverity = (typeof SEVERITIES)[number];

/** True when `a` is at least as serious as `b`. */
export function atLeast(a: FindingSeverity, b: FindingSeverity): boolean {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b);
}

/** An estimated CVSS v3 base score range, as Security Health Review states it for each control. */
export interface CvssRange {
  readonly min: number;
  readonly max: number;
}

/** Everything documented about one kind of finding; docs/review.md is generated from these. */
export interface FindingSpec {
  /** Stable id, `GR` and three digits; never reused for another meaning. */
  readonly id: string;
  /** A short stable kebab-case name. */
  readonly slug: string;
  /** One line, sentence case, no final period. */
  readonly title: string;
  readonly severity: FindingSeverity;
  readonly cvss: CvssRange;
  /** Where the severity and CVSS range come from. */
  readonly basis: string;
  /** What the finding checks, in one or two sentences. */
  readonly checks: string;
  readonly threatScenarios: readonly string[];
  readonly securityImpact: string;
  readonly businessImpact: string;
  /** The configuration that makes the finding go away. */
  readonly recommendation: string;
  /** Who is exposed, in general; each finding also lists the declarations affected. */
  readonly affects: string;
  /** The kinds of declaration a finding of this id is about. */
  readonly subjectKinds: readonly Kind[];
}

/** A place in the policy YAML involved in a finding, and what it shows. */
export interface FindingLocation extends Span {
  readonly file: string;
  readonly pointer: string;
  readonly message: string;
}

/** The declaration a finding is about. */
export interface FindingSubject {
  readonly kind: Kind;
  readonly name: string;
}

/** An acknowledgement that accepted a finding. */
export interface AcknowledgementRef {
  readonly name: string;
  readonly reason: string;
  readonly expires?: string;
  readonly location: FindingLocation;
}

/** One finding: a spec that applies to one declaration, with every YAML position involved (the first is the primary one). */
export interface Finding {
  readonly id: string;
  readonly severity: FindingSeverity;
  readonly subject: FindingSubject;
  /** One line, lowercase, user input in backticks. */
  readonly message: string;
  readonly locations: readonly FindingLocation[];
  /** The declarations whose users are exposed, e.g. `profile \`Integration\``. */
  readonly affected: readonly string[];
  /** Set when an acknowledgement in force accepts this finding. */
  readonly acknowledgement?: AcknowledgementRef;
  /**
   * Set when the finding rests on facts the importer did not see: it is reported as unverified,
   * with what to retrieve, and counts neither in the score nor for `--fail-on`.
   */
  readonly unverified?: {
    readonly facts: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly fact: string }>;
    readonly retrieve: readonly string[];
  };
}

/** A finding before acknowledgements are applied. */
export type FindingDraft = Omit<Finding, "id" | "severity" | "acknowledgement" | "unverified">;

/** What one check saw: how many declarations it examined (0: not applicable) and what it found. */
export interface CheckResult {
  readonly examined: number;
  readonly findings: readonly FindingDraft[];
}

/** One kind of finding: its documentation and the check that reports it; checks report, never throw. */
export interface FindingCheck {
  readonly spec: FindingSpec;
  readonly check: (policy: PolicySet) => CheckResult;
}
