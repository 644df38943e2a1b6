import type { Authorizer, Decision } from "../../wasm/index.js";
import { findNode } from "../validate/locate.js";
import type { PolicySet, TestCaseModel } from "../validate/model.js";
import { boundaryCases, type BoundaryOptions } from "./boundary-cases.js";

/** The outcome of one test case. */
export interface CaseResult {
  /** `Test name > case name`, or the boundary case's name. */
  readonly name: string;
  readonly suite: string;
  readonly kind: "declared" | "boundary";
  readonly passed: boolean;
  /** What differed, in one line; absent when passed. */
  readonly failure?: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly decision: Decision;
}

/** Every result, declared cases first (in file order), then boundary cases. */
export interface TestReport {
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
}

function codes(list: ReadonlyArray<{ code: string }>): string[] {
  return list.map((x) => x.code);
}

function describeDecision(d: Decision): string {
  const reasons = codes(d.reasons);
  return d.allow ? "allow" : `deny [${reasons.join(", ")}]`;
}

/** What differs between a decision and a case's expectation, or undefined when they agree. */
export function caseFailure(expect: TestCaseModel["expect"], d: Decision): string | undefined {
  const wantReasons = expect.reasons ?? [];
  const gotReasons = codes(d.reasons);
  const want = expect.allow ? "allow" : `deny [${wantReasons.join(", ")}]`;
  if (d.allow !== expect.allow || gotReasons.join(",") !== wantReasons.join(","))
    return `expected ${want}, got ${describeDecision(d)}`;
  if (expect.notes !== undefined) {
    const gotNotes = codes(d.notes);
    if (gotNotes.join(",") !== expect.notes.join(","))
      return `expected notes [${expect.notes.join(", ")}], got [${gotNotes.join(", ")}]`;
  }
  return undefined;
}

/** Options for `runTests`. */
export interface RunTestsOptions {
  /** Generate and run boundary cases too (default true). */
  readonly boundary?: boolean;
  readonly boundaryOptions?: BoundaryOptions;
}

/**
 * Runs every case of every `Test` declaration against the compiled policy, then the generated
 * boundary cases of every declared range list. Each result carries the YAML position of its case
 * (declared) or of the declaration it probes (boundary).
 */
export function runTests(policy: PolicySet, authorizer: Authorizer, options: RunTestsOptions = {}): TestReport {
  const results: CaseResult[] = [];
  for (const test of policy.tests.values()) {
    for (const c of test.cases) {
      const decision = authorizer.decide(c.request);
      const failure = caseFailure(c.expect, decision);
      const node = findNode(c.origin.doc, `${c.origin.pointer}/name`);
      const start = node.node?.range?.[0] ?? node.nearest?.range?.[0] ?? 0;
      const pos = c.origin.doc.file.lines.linePos(start);
      const result: CaseResult = {
        name: `${test.name} > ${c.name}`,
        suite: test.name,
        kind: "declared",
        passed: failure === undefined,
        file: c.origin.doc.file.displayPath,
        line: pos.line,
        column: pos.col,
        decision,
      };
      results.push(failure === undefined ? result : { ...result, failure });
    }
  }
  if (options.boundary !== false) {
    for (const b of boundaryCases(policy, options.boundaryOptions ?? { maxIntervalsPerList: 256 })) {
      const decision = authorizer.decide(b.request);
      const list = b.where === "reasons" ? codes(decision.reasons) : codes(decision.notes);
      const present = list.includes(b.code);
      const result: CaseResult = {
        name: b.name,
        suite: "boundary",
        kind: "boundary",
        passed: present === b.expectPresent && decision.reasons[0]?.code !== "INPUT_INVALID",
        file: b.file,
        line: b.line,
        column: 1,
        decision,
      };
      results.push(
        result.passed
          ? result
          : {
              ...result,
              failure: `expected ${b.code} ${b.expectPresent ? "in" : "not in"} the ${b.where}, got ${describeDecision(decision)}`,
            },
      );
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  return { results, passed: results.length - failed, failed };
}
