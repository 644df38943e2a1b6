/** JSON renderings of a diff and a replay: stable field names, addresses as text. */
import { formatAddress } from "../core/address.js";
import type { ImpactReport } from "./classify.js";
import { describeRow } from "./describe.js";
import { describeSpans, type AddressSpan } from "./regions.js";
import type { ReplayReport } from "./replay.js";
import type { DiffSummary } from "./summary.js";

function span(s: AddressSpan): { family: 4 | 6; first: string; last: string } {
  return { family: s.family, first: formatAddress(s.family, s.first), last: formatAddress(s.family, s.last) };
}

/** The diff as one JSON document. */
export function renderDiffJson(summary: DiffSummary, report: ImpactReport): string {
  const rows = report.rows.map((r) => ({
    kind: r.kind,
    summary: describeRow(r),
    profile: r.profile,
    permissionSets: r.permissionSets,
    permissionSetGroups: r.permissionSetGroups,
    app: {
      clientId: r.app.clientId,
      clientIds: r.app.clientIds,
      ...(r.app.baseName === undefined ? {} : { base: r.app.baseName }),
      ...(r.app.headName === undefined ? {} : { head: r.app.headName }),
    },
    userTypes: r.userTypes.flatMap((u) => u.userTypes),
    channels: r.channels,
    grants: r.grants,
    login: r.logins,
    variants: r.variants,
    addresses: { text: describeSpans(r.addresses), ranges: r.addresses.map(span) },
    base: r.base,
    head: r.head,
    classes: r.classes,
    example: r.example,
    citations: r.citations,
  }));
  return `${JSON.stringify({ summary, changes: rows }, null, 2)}\n`;
}

/** The replay as one JSON document. */
export function renderReplayJson(report: ReplayReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
