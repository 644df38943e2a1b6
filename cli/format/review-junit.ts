import type { Finding, Review } from "../../compiler/review/index.js";

// eslint-disable-next-line no-control-regex -- characters XML 1.0 cannot carry are the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function xml(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function testcase(f: Finding): string[] {
  const at = f.locations[0];
  const where = at ? ` file="${xml(at.file)}" line="${at.line}"` : "";
  const head = `    <testcase name="${xml(`${f.id} ${f.subject.kind} ${f.subject.name}`)}" classname="${xml(f.id)}"${where}>`;
  const detail = `${at ? `${at.file}:${at.line}:${at.column}: ` : ""}${f.severity}: ${f.message}`;
  const body = f.acknowledgement
    ? `      <skipped message="${xml(`acknowledged by ${f.acknowledgement.name}: ${f.acknowledgement.reason}`)}"/>`
    : `      <failure message="${xml(f.message)}" type="${f.severity}">${xml(detail)}</failure>`;
  return [head, body, "    </testcase>"];
}

/**
 * JUnit XML for CI dashboards: one testsuite per check that applies, a passing testcase when it
 * found nothing, otherwise one testcase per finding, failed when open, skipped when acknowledged.
 */
export function renderReviewJunit(result: Review): string {
  const applied = result.checks.filter((c) => c.examined > 0);
  const open = result.findings.filter((f) => !f.acknowledgement).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gatehouse review" tests="${applied.reduce((n, c) => n + Math.max(1, c.failed), 0)}" failures="${open}">`,
  ];
  for (const check of applied) {
    const findings = result.findings.filter((f) => f.id === check.id);
    const failures = findings.filter((f) => !f.acknowledgement).length;
    const skipped = findings.length - failures;
    out.push(
      `  <testsuite name="${xml(check.id)}" tests="${Math.max(1, findings.length)}" failures="${failures}" skipped="${skipped}">`,
    );
    if (findings.length === 0) out.push(`    <testcase name="${xml(check.id)}" classname="${xml(check.id)}"/>`);
    for (const f of findings) out.push(...testcase(f));
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
