/** What the benchmark checks and logs of a tier: its stream's decisions, its sizes, its arms. */
import { lower } from "../../compiler/lower/index.js";
import type { Authorizer } from "../../wasm/index.js";
import { cedarArm, type CedarArm } from "./cedar.js";
import type { CompiledTier } from "./compile-tier.js";
import { isSkipped, type SideBySide, type Skipped } from "./results.js";
import type { StreamRequest } from "./stream.js";
import { median } from "./targets.js";

/** Checks every stream request gets exactly the reasons and notes its template promises. */
export function verifyStream(authorizer: Authorizer, stream: readonly StreamRequest[], tier: string): void {
  for (const r of stream) {
    const d = authorizer.decide(r.request);
    const reasons = d.reasons.map((x) => x.code).join(",");
    const notes = d.notes.map((x) => x.code).join(",");
    if (reasons !== r.template.reasons.join(",") || notes !== r.template.notes.join(",")) {
      throw new Error(
        `bench: tier ${tier}: \`${r.template.id}\` was decided [${reasons}] with notes [${notes}]: ${r.json}`,
      );
    }
  }
}

/** How many address sets the tier's policy lowers to, and their prefixes. */
export function prefixCount(compiled: CompiledTier): { sets: number; prefixes: number } {
  const sets = lower(compiled.policy).value!.addressSets;
  let prefixes = 0;
  for (const s of sets) prefixes += s.prefixCount.v4 + s.prefixCount.v6;
  return { sets: sets.length, prefixes };
}

/** The median of some timings for the progress log, or "not measured" when the run took none. */
export function msOrNone(ms: readonly number[]): string {
  return ms.length === 0 ? "not measured" : `${median(ms).toFixed(0)} ms`;
}

/** The Cedar arm of a tier: S and M (at L its linear range tests would take seconds per decision). */
export function cedarFor(compiled: CompiledTier): CedarArm | Skipped {
  if (compiled.spec.name === "L")
    return { skipped: "not on tier L: Cedar tests each login IP prefix in turn (about 300k per decision there)" };
  try {
    return cedarArm(compiled.policy);
  } catch (error) {
    return { skipped: (error as Error).message };
  }
}

/** The side-by-side arms of a tier, in one line of the progress log. */
export function armsLine(arms: SideBySide | Skipped): string {
  if (isSkipped(arms)) return `side-by-side arms: ${arms.skipped}`;
  const mean = (ns: number): string => `${(ns / 1000).toFixed(2)} µs`;
  const c = arms.cedar;
  return (
    `mean ${mean(arms.gatehouse.meanNs)} vs floor ${mean(arms.floor.meanNs)} (${(arms.gatehouse.meanNs / arms.floor.meanNs).toFixed(2)}×)` +
    (isSkipped(c)
      ? `; Cedar: ${c.skipped}`
      : `; core: Gatehouse ${mean(c.gatehouse.meanNs)} vs Cedar ${mean(c.cedar.meanNs)}`)
  );
}
