/** How much each arm of the benchmark measures: counts of decisions, seconds, rounds. */

/** The budgets of a full run. */
export const FULL_BUDGETS = {
  streamRequests: 8192,
  warmup: 10_000,
  decisions: 1_000_000,
  decisionsL: 300_000,
  latencySeconds: 10,
  throughputDecisions: 300_000,
  secondary: 200_000,
  secondarySeconds: 3,
  loopSeconds: 6,
  naiveDecisions: 20_000,
  naiveSeconds: 5,
  scalingDecisions: 300_000,
  scalingSeconds: 5,
  opaLoopInputs: 256,
  httpSeconds: 5,
  poolSeconds: 4,
  warmCompiles: 1,
  coldCompiles: 1,
  loads: 3,
  breakdownDecisions: 60_000,
  breakdownSeconds: 0.5,
  floorDecisions: 400_000,
  floorSeconds: 8,
  cedarDecisions: 100_000,
  cedarSeconds: 6,
};

/** The budgets of a quick run: the same shape with smaller counts. */
export const QUICK_BUDGETS: typeof FULL_BUDGETS = {
  streamRequests: 2048,
  warmup: 10_000,
  decisions: 50_000,
  decisionsL: 20_000,
  latencySeconds: 1,
  throughputDecisions: 50_000,
  secondary: 20_000,
  secondarySeconds: 0.5,
  loopSeconds: 1,
  naiveDecisions: 1_000,
  naiveSeconds: 1,
  scalingDecisions: 20_000,
  scalingSeconds: 1,
  opaLoopInputs: 32,
  httpSeconds: 1.5,
  poolSeconds: 1.5,
  warmCompiles: 0,
  coldCompiles: 1,
  loads: 1,
  breakdownDecisions: 5_000,
  breakdownSeconds: 0.15,
  floorDecisions: 50_000,
  floorSeconds: 1,
  cedarDecisions: 5_000,
  cedarSeconds: 1,
};

/** The budgets of a run. */
export type Budgets = typeof FULL_BUDGETS;
