import { build } from "../../compiler/build/index.js";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { compile } from "../../compiler/pipeline.js";
import { runTests } from "../../compiler/testing/run-tests.js";
import { Authorizer } from "../../wasm/index.js";
import { renderTestJson, renderTestJunit, renderTestText } from "../format/test-report.js";
import { errorExit, EXIT, useColor, type Io } from "../io.js";
import { requireOpa } from "../opa.js";
import { renderDiagnostics } from "./check.js";

/** Options of `gatehouse test`. */
export interface TestOptions {
  readonly format: "text" | "json" | "junit";
  readonly boundary: boolean;
  readonly boundaryLimit: number;
}

/**
 * `gatehouse test DIR`: compiles the policy set with the real opa, then runs every `Test` case
 * and the generated boundary cases against the compiled WebAssembly. Exit 1 on any failure.
 */
export async function runTestCommand(dir: string, options: TestOptions, io: Io): Promise<number> {
  const compilation = await compile(dir, { until: "emit" });
  if (hasErrors(compilation.diagnostics) || !compilation.emitted || !compilation.policy) {
    io.stderr(renderDiagnostics("text", compilation.diagnostics, compilation.sources, io));
    return errorExit(compilation.diagnostics);
  }
  const built = await build(compilation.emitted, requireOpa(io));
  if (!built.value) {
    io.stderr(renderDiagnostics("text", built.diagnostics, compilation.sources, io));
    return EXIT.policy;
  }
  const authorizer = await Authorizer.load(built.value.bundle);
  const report = runTests(compilation.policy, authorizer, {
    boundary: options.boundary,
    boundaryOptions: { maxIntervalsPerList: options.boundaryLimit },
  });
  const text =
    options.format === "json"
      ? renderTestJson(report)
      : options.format === "junit"
        ? renderTestJunit(report)
        : renderTestText(report, useColor(io));
  io.stdout(text);
  return report.failed > 0 ? EXIT.policy : EXIT.ok;
}
