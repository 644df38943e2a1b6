import { defineConfig } from "vitest/config";

/**
 * The tests the decision-path mutation run (stryker.decision-path.config.js) executes: those that
 * load a real bundle into the runtime in process. End-to-end tests run the built CLI in a child
 * process, where no mutant is active, so they are left out.
 */
export default defineConfig({
  test: {
    include: [
      "test/integration/request-validator.test.ts",
      "test/integration/input-limits.test.ts",
      "test/integration/decision-log.test.ts",
      "test/integration/runtime.test.ts",
      "test/integration/reload.test.ts",
      "test/integration/bundle-verification.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ["test/global-setup.ts"],
  },
});
