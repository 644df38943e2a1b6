import { findingSpec, type Review } from "../compiler/review/index.js";

/** A finding as the report shows it. */
export interface FindingView {
  readonly key: string;
  readonly id: string;
  readonly severity: string;
  readonly title: string;
  readonly cvss: string;
  readonly message: string;
  readonly subject: string;
  readonly recommendation: string;
  readonly affected: readonly string[];
  readonly locations: ReadonlyArray<{
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly message: string;
  }>;
  readonly acknowledgement: {
    readonly name: string;
    readonly reason: string;
    readonly expires: string | null;
    readonly file: string;
    readonly line: number;
  } | null;
}

/** The review as the report shows it: the score and every finding, acknowledged ones marked. */
export interface FindingsView {
  readonly score: number;
  readonly grade: string;
  readonly today: string;
  readonly open: number;
  readonly acknowledged: number;
  readonly findings: readonly FindingView[];
}

/**
 * Turns a review into the findings view, in the review's order; `relPath` maps the file a finding
 * names (as the user gave the directory) to its path inside the policy directory.
 */
export function findingsView(review: Review, relPath: (file: string) => string): FindingsView {
  const findings = review.findings.map((f, i): FindingView => {
    const spec = findingSpec(f.id);
    const ack = f.acknowledgement;
    return {
      key: `finding-${i + 1}`,
      id: f.id,
      severity: f.severity,
      title: spec?.title ?? f.id,
      cvss: spec ? `${spec.cvss.min.toFixed(1)}–${spec.cvss.max.toFixed(1)}` : "",
      message: f.message,
      subject: `${f.subject.kind} ${f.subject.name}`,
      recommendation: spec?.recommendation ?? "",
      affected: f.affected,
      locations: f.locations.map((l) => ({
        file: relPath(l.file),
        line: l.line,
        column: l.column,
        message: l.message,
      })),
      acknowledgement: ack
        ? {
            name: ack.name,
            reason: ack.reason,
            expires: ack.expires ?? null,
            file: relPath(ack.location.file),
            line: ack.location.line,
          }
        : null,
    };
  });
  const acknowledged = findings.filter((f) => f.acknowledgement !== null).length;
  return {
    score: review.score.value,
    grade: review.score.grade,
    today: review.today,
    open: findings.length - acknowledged,
    acknowledged,
    findings,
  };
}
