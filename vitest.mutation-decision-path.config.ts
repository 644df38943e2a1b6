import { defineConfig } from "vitest/config";

/**
 * The tests the decision-path mutation run (stryker.decision-path.config.js) executes: tests of
 * the four modules that load no bundle in a hook, so that each mutant runs only the tests that
 * reach it. The integration tests (test/integration/), which load real bundles in their hooks,
 * run in `npm test`; in this run every mutant their hooks reach would need all of them.
 */
const ALL = [
  "test/unit/decision-log.test.ts",
  "test/unit/request-validator.test.ts",
  "test/unit/host-address.test.ts",
  "test/integration/authorizer-guards.test.ts",
  "test/integration/reloading-guards.test.ts",
];

/**
 * GATEHOUSE_MUTATION_TESTS (comma-separated files) narrows the run to some of them, to measure one
 * module against its own tests quickly: code that runs after a test has finished (a decision
 * log's scheduled write) counts as reached by no test, and such a mutant runs every file here.
 */
const only = (process.env.GATEHOUSE_MUTATION_TESTS ?? "").split(",").filter((f) => f !== "");

export default defineConfig({
  test: {
    include: only.length > 0 ? only : ALL,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ["test/global-setup.ts"],
  },
});
