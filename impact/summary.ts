/** The size of a diff and what it left out, shared by every output format. */
import type { ChangeKind, ImpactReport } from "./classify.js";
import type { DiffResult } from "./decide.js";
import { describeApp } from "./describe.js";

/** Labels of the two versions (a directory, or a git revision). */
export interface VersionLabels {
  readonly base: string;
  readonly head: string;
}

/** What a diff decided and what it bounded. */
export interface DiffSummary {
  readonly base: string;
  readonly head: string;
  /** Request classes decided in each version. */
  readonly classesDecided: number;
  readonly pairsConsidered: number;
  readonly pairsUnchanged: number;
  readonly pairsDecided: number;
  readonly complete: boolean;
  readonly limit: number;
  /** Pairs left undecided by the limit, as `profile … app …` with their class counts. */
  readonly bounded: ReadonlyArray<{ readonly pair: string; readonly classes: number }>;
  readonly undecidable: number;
  /** Changed request classes, by kind. */
  readonly changedClasses: Readonly<Record<ChangeKind, number>>;
  readonly rows: number;
}

/** Sums up a diff for the renderers. */
export function summarize(result: DiffResult, report: ImpactReport, labels: VersionLabels): DiffSummary {
  return {
    base: labels.base,
    head: labels.head,
    classesDecided: result.decided,
    pairsConsidered: result.plan.pairsConsidered,
    pairsUnchanged: result.plan.pairsUnchanged,
    pairsDecided: result.plan.pairs.length,
    complete: result.plan.bounded.length === 0,
    limit: result.plan.limit,
    bounded: result.plan.bounded.map((b) => ({
      pair: `profile \`${b.profile}\` ${describeApp(b.app)}`,
      classes: b.size,
    })),
    undecidable: result.undecidable,
    changedClasses: report.counts,
    rows: report.rows.length,
  };
}

/** The one-paragraph account of what was decided. */
export function sizeSentence(s: DiffSummary): string {
  const skipped = `${s.pairsUnchanged} of ${s.pairsConsidered} (profile, app) pairs read nothing that differs and were skipped`;
  const base = `Decided ${s.classesDecided} request classes in each version (${s.pairsDecided} pairs; ${skipped}).`;
  const bound = s.complete
    ? " The enumeration is complete."
    : ` The enumeration is INCOMPLETE: the limit of ${s.limit} classes left ${s.bounded.length} pairs (${s.bounded.reduce((n, b) => n + b.classes, 0)} classes) undecided.`;
  const broken =
    s.undecidable > 0 ? ` ${s.undecidable} enumerated requests could not be decided; do not trust this diff.` : "";
  return base + bound + broken;
}

/** Headings of each kind of change. */
export const KIND_TITLES: Record<ChangeKind, string> = {
  gained: "Access gained",
  lost: "Access lost",
  reasons: "Deny reasons changed",
  notes: "Notes changed",
};
