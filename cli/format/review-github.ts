import { findingSpec, type Finding, type Review } from "../../compiler/review/index.js";

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** The workflow command for a finding: open critical and high are errors, medium warnings, the rest notices. */
function command(finding: Finding): "error" | "warning" | "notice" {
  if (finding.acknowledgement) return "notice";
  if (finding.severity === "critical" || finding.severity === "high") return "error";
  return finding.severity === "medium" ? "warning" : "notice";
}

/**
 * GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding at its
 * first YAML position, titled with its id and title; acknowledged findings are notices that say so.
 */
export function renderReviewGithub(result: Review): string {
  return result.findings
    .map((f) => {
      const at = f.locations[0];
      const spec = findingSpec(f.id);
      const title = `${f.id} (${f.severity}): ${spec?.title ?? f.id}`;
      const props = [
        ...(at
          ? [
              `file=${escapeProperty(at.file)}`,
              `line=${at.line}`,
              `col=${at.column}`,
              `endLine=${at.endLine}`,
              `endColumn=${at.endColumn}`,
            ]
          : []),
        `title=${escapeProperty(title)}`,
      ].join(",");
      const ack = f.acknowledgement;
      const message = ack
        ? `${f.message}\nacknowledged by \`${ack.name}\`: ${ack.reason}`
        : `${f.message}\nhelp: docs/review.md#${f.id.toLowerCase()}${spec ? `-${spec.slug}` : ""}`;
      return `::${command(f)} ${props}::${escapeData(message)}\n`;
    })
    .join("");
}
