// @ts-check
import { resolve } from "node:path";

// Stryker runs the tests in a copy of the repository without `.tools/`; the copy's global setup
// finds (or builds once) the pinned opa here instead.
process.env.GATEHOUSE_TOOLS_DIR ??= resolve(".tools");

/**
 * Mutation testing of the security-critical core modules against their unit tests
 * (`npm run mutate`, docs/testing.md). The incremental file (`--incremental`) lives under the
 * git-ignored reports/: it describes one working copy's last run and would go stale with every
 * commit.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export default {
  mutate: [
    "core/address.ts",
    "core/bundle-archive.ts",
    "core/bundle-signing.ts",
    "wasm/verify.ts",
    "compiler/lower/prefix-cover.ts",
  ],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // The machine is shared: two test processes at most.
  concurrency: 2,
  ignorePatterns: [".tools", "coverage", "bench/results", "reports"],
  incrementalFile: "reports/mutation/core-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/core.html" },
  jsonReporter: { fileName: "reports/mutation/core.json" },
  thresholds: { high: 95, low: 90, break: null },
};
