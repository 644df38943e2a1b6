import { defineConfig } from "vitest/config";

/**
 * The tests the decision-path mutation run (stryker.decision-path.config.js) executes: tests of
 * the four modules that load no bundle in a hook, so that each mutant runs only the tests that
 * reach it. The integration tests (test/integration/), which load real bundles in their hooks,
 * run in `npm test`; in this run every mutant their hooks reach would need all of them.
 */
export default defineConfig({
  test: {
    include: [
      "test/unit/decision-log.test.ts",
      "test/unit/request-validator.test.ts",
      "test/integration/authorizer-guards.test.ts",
      "test/integration/reloading-guards.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ["test/global-setup.ts"],
  },
});
