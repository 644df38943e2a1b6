/**
 * The issue-15 arms in one measurement: Gatehouse and the trivial-policy floor on every stream
 * request, then Gatehouse and Cedar on the stream's core requests, each pair timed in
 * interleaved rounds so that a change in the machine's load falls on both alike.
 */
import type { Authorizer } from "../../wasm/index.js";
import { cedarVersion, isCoreTemplate, type CedarArm } from "./cedar.js";
import { measureInterleaved, type Budget } from "./measure.js";
import { isSkipped, type CedarResult, type SideBySide, type Skipped } from "./results.js";
import type { StreamRequest } from "./stream.js";

/** Budgets of the two pairs (each function of a pair gets its budget). */
export interface SideBySideBudgets {
  readonly floor: Budget;
  readonly cedar: Budget;
  readonly rounds: number;
}

/**
 * Checks Cedar against Gatehouse on every core request of `stream` (allow against allow);
 * returns the number checked and the first disagreements.
 */
export function checkCedar(
  authorizer: Authorizer,
  cedar: CedarArm,
  stream: readonly StreamRequest[],
): { checked: number; disagreements: number; examples: string[] } {
  let checked = 0;
  let disagreements = 0;
  const examples: string[] = [];
  for (const r of stream) {
    if (!isCoreTemplate(r.template)) continue;
    checked++;
    const gatehouse = authorizer.decide(r.request).allow;
    if (cedar.decide(r.request) !== gatehouse) {
      disagreements++;
      if (examples.length < 3) examples.push(`Gatehouse ${gatehouse ? "allows" : "denies"} ${r.json}`);
    }
  }
  return { checked, disagreements, examples };
}

/** Times the arms; `floor` decides with the trivial policy, `cedar` is absent where it does not run. */
export function sideBySide(
  authorizer: Authorizer,
  floor: Authorizer,
  cedar: CedarArm | Skipped,
  stream: readonly StreamRequest[],
  budgets: SideBySideBudgets,
): SideBySide {
  const all = stream.map((r) => r.request);
  const n = all.length;
  const [gatehouse, floorStats] = measureInterleaved(
    [(i) => authorizer.decide(all[i % n]), (i) => floor.decide(all[i % n])],
    budgets.floor,
    budgets.rounds,
  );
  return {
    rounds: budgets.rounds,
    gatehouse: gatehouse!,
    floor: floorStats!,
    cedar: cedarPair(authorizer, cedar, stream, budgets),
  };
}

function cedarPair(
  authorizer: Authorizer,
  cedar: CedarArm | Skipped,
  stream: readonly StreamRequest[],
  budgets: SideBySideBudgets,
): CedarResult | Skipped {
  if (isSkipped(cedar)) return cedar;
  const check = checkCedar(authorizer, cedar, stream);
  if (check.checked === 0) return { skipped: "the stream has no core request" };
  if (check.disagreements > 0)
    return {
      skipped: `Cedar disagreed with Gatehouse on ${check.disagreements} of ${check.checked} core requests, e.g. ${check.examples[0]}`,
    };
  const core = stream.filter((r) => isCoreTemplate(r.template)).map((r) => r.request);
  const n = core.length;
  const [gatehouse, cedarStats] = measureInterleaved(
    [(i) => authorizer.decide(core[i % n]), (i) => cedar.decide(core[i % n]!)],
    budgets.cedar,
    budgets.rounds,
  );
  return {
    version: cedarVersion(),
    policies: cedar.policies,
    rangeTests: cedar.rangeTests,
    prepareMs: cedar.prepareMs,
    checked: check.checked,
    disagreements: check.disagreements,
    gatehouse: gatehouse!,
    cedar: cedarStats!,
  };
}
