/**
 * Replays recorded decisions against a new bundle. Each line of the log is one decision event in
 * OPA's shape (what `gatehouse serve` and OPA servers write): its `input` is decided again and
 * the new decision compared with its `result` as the diff compares them (allow, reason codes
 * with the declarations they cite, note codes). An event whose input or result a mask removed
 * or replaced (`erased`, `masked`), or that lacks either, is unreplayable: it is counted and
 * listed, never guessed. A line that is not a JSON object is unreadable: counted and listed with
 * its line number, and the replay goes on.
 */
import { decisionProblem, type Decision } from "../wasm/decision.js";
import { decisionKey } from "./decide.js";
import type { Decider } from "./version.js";

/** Most examples kept per group, and most line numbers listed per problem. */
export const REPLAY_EXAMPLES = 3;
export const REPLAY_LISTED = 20;

/** One changed decision, as an example of its group. */
export interface ReplayExample {
  readonly line: number;
  readonly decisionId?: string;
  readonly input: unknown;
  readonly old: Decision;
  readonly new: Decision;
}

/** Changed decisions that went from one outcome to another. */
export interface ReplayGroup {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly examples: readonly ReplayExample[];
}

/** The result of a replay. */
export interface ReplayReport {
  readonly log: string;
  readonly bundle: string;
  readonly revision: string;
  /** Lines holding a readable event. */
  readonly events: number;
  readonly same: number;
  readonly changed: number;
  /** Revisions of the bundles that made the logged decisions. */
  readonly loggedRevisions: readonly string[];
  readonly groups: readonly ReplayGroup[];
  readonly unreplayable: {
    readonly count: number;
    readonly lines: readonly number[];
    readonly reasons: Readonly<Record<string, number>>;
    readonly more: boolean;
  };
  readonly unreadable: {
    readonly count: number;
    readonly problems: ReadonlyArray<{ readonly line: number; readonly message: string }>;
    readonly more: boolean;
  };
}

const DECISION_PATHS = new Set(["gatehouse/decision", "data.gatehouse.decision", "/v1/data/gatehouse/decision"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Why an event cannot be replayed, or undefined when it can. */
export function unreplayableReason(event: Record<string, unknown>): string | undefined {
  const touched = [event.erased, event.masked].flatMap((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []));
  if (touched.length > 0) return "masked";
  if (typeof event.path === "string" && !DECISION_PATHS.has(event.path)) return "not the decision";
  if (!("input" in event)) return "no input";
  if (!("result" in event)) return "no result";
  if (decisionProblem(event.result) !== undefined) return "result is not a decision";
  return undefined;
}

/** An outcome as a group label: `allowed` or `denied A, B`, with the notes when there are any. */
export function outcomeLabel(d: Decision): string {
  const base = d.reasons.length === 0 ? "allowed" : `denied ${d.reasons.map((r) => r.code).join(", ")}`;
  return d.notes.length === 0 ? base : `${base} (notes ${d.notes.map((n) => n.code).join(", ")})`;
}

/** Replays every event of `lines` with `decider`; the log and bundle names only label the report. */
export async function replay(
  lines: AsyncIterable<string>,
  decider: Decider & { readonly revision: string },
  names: { readonly log: string; readonly bundle: string },
): Promise<ReplayReport> {
  const groups = new Map<string, { from: string; to: string; count: number; examples: ReplayExample[] }>();
  const revisions = new Set<string>();
  const unreplayable = { count: 0, lines: [] as number[], reasons: {} as Record<string, number> };
  const unreadable = { count: 0, problems: [] as Array<{ line: number; message: string }> };
  let lineNo = 0;
  let events = 0;
  let same = 0;
  let changed = 0;
  const bad = (message: string): void => {
    unreadable.count++;
    if (unreadable.problems.length < REPLAY_LISTED) unreadable.problems.push({ line: lineNo, message });
  };
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      bad(`not JSON: ${(error as Error).message}`);
      continue;
    }
    if (!isRecord(event)) {
      bad("not a decision event (a JSON object)");
      continue;
    }
    events++;
    if (isRecord(event.bundles))
      for (const b of Object.values(event.bundles))
        if (isRecord(b) && typeof b.revision === "string") revisions.add(b.revision);
    const why = unreplayableReason(event);
    if (why !== undefined) {
      unreplayable.count++;
      unreplayable.reasons[why] = (unreplayable.reasons[why] ?? 0) + 1;
      if (unreplayable.lines.length < REPLAY_LISTED) unreplayable.lines.push(lineNo);
      continue;
    }
    const old = event.result as Decision;
    const now = decider.decide(event.input);
    if (decisionKey(old) === decisionKey(now)) {
      same++;
      continue;
    }
    changed++;
    const from = outcomeLabel(old);
    const to = outcomeLabel(now);
    const key = JSON.stringify([from, to]);
    const group = groups.get(key) ?? { from, to, count: 0, examples: [] };
    group.count++;
    if (group.examples.length < REPLAY_EXAMPLES)
      group.examples.push({
        line: lineNo,
        ...(typeof event.decision_id === "string" ? { decisionId: event.decision_id } : {}),
        input: event.input,
        old,
        new: now,
      });
    groups.set(key, group);
  }
  return {
    log: names.log,
    bundle: names.bundle,
    revision: decider.revision,
    events,
    same,
    changed,
    loggedRevisions: [...revisions].sort(),
    groups: [...groups.values()].sort((a, b) => b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : 1)),
    unreplayable: { ...unreplayable, more: unreplayable.count > unreplayable.lines.length },
    unreadable: { ...unreadable, more: unreadable.count > unreadable.problems.length },
  };
}
