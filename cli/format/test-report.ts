import type { CaseResult, TestReport } from "../../compiler/testing/run-tests.js";
import { palette } from "./text.js";

/** A readable report: every failure with its YAML position, then counts per kind. */
export function renderTestText(report: TestReport, color: boolean): string {
  const p = palette(color);
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.passed) continue;
    lines.push(`${p.bold(`${r.file}:${r.line}:${r.column}:`)} ${p.red(p.bold("FAIL"))} ${r.name}`);
    lines.push(`    ${r.failure ?? ""}`);
    for (const reason of r.decision.reasons) lines.push(p.dim(`    ${reason.code}: ${reason.message}`));
  }
  const count = (kind: CaseResult["kind"], passed: boolean): number =>
    report.results.filter((r) => r.kind === kind && r.passed === passed).length;
  const part = (label: string, kind: CaseResult["kind"]): string => {
    const ok = count(kind, true);
    const bad = count(kind, false);
    return `${label}: ${p.green(`${ok} passed`)}${bad > 0 ? `, ${p.red(`${bad} failed`)}` : ""}`;
  };
  if (lines.length > 0) lines.push("");
  lines.push(`${part("test cases", "declared")}; ${part("boundary cases", "boundary")}`);
  return `${lines.join("\n")}\n`;
}

/** The report as one JSON document. */
export function renderTestJson(report: TestReport): string {
  return `${JSON.stringify(
    {
      summary: { passed: report.passed, failed: report.failed },
      results: report.results.map((r) => ({
        name: r.name,
        suite: r.suite,
        kind: r.kind,
        status: r.passed ? "passed" : "failed",
        ...(r.failure === undefined ? {} : { failure: r.failure }),
        file: r.file,
        line: r.line,
        column: r.column,
        decision: r.decision,
      })),
    },
    null,
    2,
  )}\n`;
}

/** Characters XML 1.0 cannot carry at all; they are dropped. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function xml(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JUnit XML, one `testsuite` per Test declaration (and one for boundary cases), for CI dashboards. */
export function renderTestJunit(report: TestReport): string {
  const suites = new Map<string, CaseResult[]>();
  for (const r of report.results) suites.set(r.suite, [...(suites.get(r.suite) ?? []), r]);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gatehouse" tests="${report.results.length}" failures="${report.failed}">`,
  ];
  for (const [name, results] of suites) {
    const failures = results.filter((r) => !r.passed).length;
    out.push(`  <testsuite name="${xml(name)}" tests="${results.length}" failures="${failures}">`);
    for (const r of results) {
      const attrs = `name="${xml(r.name)}" classname="${xml(name)}" file="${xml(r.file)}" line="${r.line}"`;
      if (r.passed) out.push(`    <testcase ${attrs}/>`);
      else {
        out.push(`    <testcase ${attrs}>`);
        out.push(
          `      <failure message="${xml(r.failure ?? "")}">${xml(`${r.file}:${r.line}:${r.column}: ${r.failure ?? ""}\n${JSON.stringify(r.decision, null, 2)}`)}</failure>`,
        );
        out.push("    </testcase>");
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
