/**
 * The diff view of the report: the rows of the semantic diff (`impact/`) between a base policy set
 * and the one reported on, grouped by kind of change, each with its sentence and the declarations
 * it rests on, linked to their lines when the file is one of the reported policy's.
 */
import { CHANGE_KINDS, type ImpactReport, type ImpactRow } from "../impact/classify.js";
import { describeRow } from "../impact/describe.js";
import { KIND_TITLES, sizeSentence, type DiffSummary } from "../impact/summary.js";
import { sourceHref } from "./render.js";

/** Most rows the view lists of one kind of change; the page says how many more there are. */
export const DIFF_ROW_LIMIT = 50;

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
    /** The rows of this kind past the first `DIFF_ROW_LIMIT`, not listed. */
    readonly more: number;
    /** The request classes those rows stand for. */
    readonly moreClasses: number;
    /** The first `DIFF_ROW_LIMIT` rows, most risky first. */
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

type DiffRowView = DiffView["groups"][number]["rows"][number];

/** One row as the view shows it; head places in `headFiles` link to their line. */
function rowView(r: ImpactRow, headFiles: ReadonlySet<string>): DiffRowView {
  const place = (p: { file: string; line: number } | undefined, link: boolean): PlaceView | null =>
    p ? { text: `${p.file}:${p.line}`, href: link && headFiles.has(p.file) ? sourceHref(p.file, p.line) : null } : null;
  return {
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
  };
}

/**
 * The view of `diff`. `headFiles` are the reported policy's files (relative paths): head places
 * in them link to their line; base places are shown as text, the site has no page for them.
 * Each kind lists its first `DIFF_ROW_LIMIT` rows and counts the rest.
 */
export function diffView(diff: ReportDiff, headFiles: ReadonlySet<string>): DiffView {
  const groups = CHANGE_KINDS.map((kind) => {
    const rows = diff.impact.rows.filter((r) => r.kind === kind);
    const rest = rows.slice(DIFF_ROW_LIMIT);
    return {
      kind,
      title: KIND_TITLES[kind],
      more: rest.length,
      moreClasses: rest.reduce((n, r) => n + r.classes, 0),
      rows: rows.slice(0, DIFF_ROW_LIMIT).map((r) => rowView(r, headFiles)),
    };
  }).filter((g) => g.rows.length > 0);
  return {
    base: diff.summary.base,
    head: diff.summary.head,
    size: sizeSentence(diff.summary),
    counts: CHANGE_KINDS.map((kind) => ({ kind, title: KIND_TITLES[kind], classes: diff.impact.counts[kind] })),
    groups,
  };
}
