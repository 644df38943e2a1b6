import { defineConfig } from "vitest/config";

/**
 * The tests the core mutation run (stryker.config.js) executes: the unit tests of the modules it
 * mutates. Tests that compile a policy in a hook reach these modules outside any test, which
 * would make each of their mutants cost a whole run, and add little: they are left out.
 */
export default defineConfig({
  test: {
    include: [
      "test/unit/address.test.ts",
      "test/unit/prefix-cover.test.ts",
      "test/unit/bundle-archive.test.ts",
      "test/unit/bundle-archive-streams.test.ts",
      "test/unit/bundle-signing.test.ts",
      "test/unit/bundle-signing-fast-path.test.ts",
      "test/unit/verify*.test.ts",
    ],
    testTimeout: 120_000,
    // No global setup: none of these tests runs opa or another tool, so a fresh clone runs them
    // (and the core mutation run) right after `npm ci`, without building any.
  },
});
