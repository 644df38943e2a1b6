/**
 * The diff view of the report: the rows of the semantic diff (`impact/`) between a base policy set
 * and the one reported on, grouped by kind of change, each with its sentence and the declarations
 * it rests on, linked to their lines when the file is one of the reported policy's.
 */
import { CHANGE_KINDS, type ImpactReport } from "../impact/classify.js";
import { describeRow } from "../impact/describe.js";
import { KIND_TITLES, sizeSentence, type DiffSummary } from "../impact/summary.js";
import { sourceHref } from "./render.js";

/** A semantic diff as the impact analysis gives it. */
export interface ReportDiff {
  readonly summary: DiffSummary;
  readonly impact: ImpactReport;
}

interface PlaceView {
  readonly text: string;
  /** Set when the file is one of the reported policy's, so the site has its page. */
  readonly href: string | null;
}

/** The diff view's model: plain values for the template. */
export interface DiffView {
  readonly base: string;
  readonly head: string;
  readonly size: string;
  readonly counts: ReadonlyArray<{ readonly kind: string; readonly title: string; readonly classes: number }>;
  readonly groups: ReadonlyArray<{
    readonly kind: string;
    readonly title: string;
    readonly rows: ReadonlyArray<{
      /** The row's sentence, its `quoted` names marked as code. */
      readonly sentence: ReadonlyArray<{ readonly text: string; readonly code: boolean }>;
      readonly classes: number;
      readonly example: string;
      readonly citations: ReadonlyArray<{
        readonly kind: string;
        readonly name: string;
        readonly changed: boolean;
        readonly base: PlaceView | null;
        readonly head: PlaceView | null;
      }>;
    }>;
  }>;
}

/**
 * The view of `diff`. `headFiles` are the reported policy's files (relative paths): head places
 * in them link to their line; base places are shown as text, the site has no page for them.
 */
export function diffView(diff: ReportDiff, headFiles: ReadonlySet<string>): DiffView {
  const place = (p: { file: string; line: number } | undefined, link: boolean): PlaceView | null =>
    p ? { text: `${p.file}:${p.line}`, href: link && headFiles.has(p.file) ? sourceHref(p.file, p.line) : null } : null;
  const groups = CHANGE_KINDS.map((kind) => ({
    kind,
    title: KIND_TITLES[kind],
    rows: diff.impact.rows
      .filter((r) => r.kind === kind)
      .map((r) => ({
        sentence: describeRow(r)
          .split("`")
          .map((text, i) => ({ text, code: i % 2 === 1 }))
          .filter((p) => p.text !== ""),
        classes: r.classes,
        example: JSON.stringify(r.example),
        citations: r.citations.map((c) => ({
          kind: c.kind,
          name: c.name,
          changed: c.changed,
          base: place(c.base, false),
          head: place(c.head, true),
        })),
      })),
  })).filter((g) => g.rows.length > 0);
  return {
    base: diff.summary.base,
    head: diff.summary.head,
    size: sizeSentence(diff.summary),
    counts: CHANGE_KINDS.map((kind) => ({ kind, title: KIND_TITLES[kind], classes: diff.impact.counts[kind] })),
    groups,
  };
}
