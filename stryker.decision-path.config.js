// @ts-check
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import core from "./stryker.config.js";

// No compiler code is mutated here: the test bundles are compiled once per run and reused.
process.env.GATEHOUSE_TEST_BUNDLE_CACHE ??= mkdtempSync(join(tmpdir(), "gatehouse-mutation-bundles-"));

/**
 * Mutation testing of the runtime's decision path (request validation, address parsing, the
 * authorizer's fail-closed paths, decision-log masking, reloading) against the integration tests
 * that load a real bundle in process. A separate run, so that compiling those bundles in test hooks does not
 * turn every core mutant into one that needs the whole suite.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export default {
  ...core,
  mutate: [
    "wasm/request-validator.ts",
    "wasm/host-address.ts",
    "wasm/authorizer.ts",
    "wasm/decision-log.ts",
    "wasm/reloading-authorizer.ts",
  ],
  vitest: { configFile: "vitest.mutation-decision-path.config.ts" },
  incrementalFile: "reports/mutation/decision-path-incremental.json",
  htmlReporter: { fileName: "reports/mutation/decision-path.html" },
  jsonReporter: { fileName: "reports/mutation/decision-path.json" },
};
