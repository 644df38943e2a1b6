import type { FindingSeverity } from "./finding.js";

/** How much a failing check of each severity weighs in the score; informational findings do not count. */
export const SEVERITY_WEIGHTS: Readonly<Record<FindingSeverity, number>> = {
  critical: 8,
  high: 4,
  medium: 2,
  low: 1,
  info: 0,
};

/** Salesforce Health Check's grades, by lowest score. */
export const GRADES: ReadonlyArray<readonly [minimum: number, grade: string]> = [
  [90, "Excellent"],
  [80, "Very Good"],
  [70, "Good"],
  [55, "Poor"],
  [0, "Very Poor"],
];

/** What one check contributes to the score. */
export interface CheckOutcome {
  readonly id: string;
  readonly severity: FindingSeverity;
  /** Declarations it examined; 0 means it does not apply to this policy set. */
  readonly examined: number;
  /** Findings it reported, acknowledged or not, that rest only on seen facts. */
  readonly failed: number;
  /** Findings that rest on unseen facts: kept out of the score. */
  readonly unverified?: number;
}

/** The review score and how it was reached. */
export interface Score {
  /** 0–100. */
  readonly value: number;
  readonly grade: string;
  /** Sum of the weights of the checks that apply. */
  readonly possible: number;
  /** Sum of the weights of the applicable checks that reported nothing. */
  readonly earned: number;
}

/**
 * The score: `round(100 × earned / possible)`, where `possible` sums the severity weight of every
 * check that applies to the policy set and `earned` those that reported no finding (acknowledged
 * findings still count as failing: the score measures the configuration, not the paperwork; a
 * check whose only findings rest on unseen facts counts neither way). A
 * policy set to which no weighted check applies scores 100.
 */
export function score(outcomes: readonly CheckOutcome[]): Score {
  let possible = 0;
  let earned = 0;
  for (const o of outcomes) {
    const weight = SEVERITY_WEIGHTS[o.severity];
    // A check whose only findings are unverified has not been decided either way: it does not count.
    if (o.examined === 0 || weight === 0 || (o.failed === 0 && (o.unverified ?? 0) > 0)) continue;
    possible += weight;
    if (o.failed === 0) earned += weight;
  }
  const value = possible === 0 ? 100 : Math.round((100 * earned) / possible);
  const grade = GRADES.find(([min]) => value >= min)?.[1] ?? "Very Poor";
  return { value, grade, possible, earned };
}
