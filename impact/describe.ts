/**
 * One sentence per report row, in the admin's words: who, can now / can no longer do what,
 * through which app, with which grants, from where, and what the other version decided.
 */
import { APPLESS_GRANTS, GRANTS, USER_TYPES } from "../compiler/emit/lib-tables.js";
import type { Decision } from "../wasm/decision.js";
import type { ChangeKind, Citation, ImpactRow } from "./classify.js";
import type { AppClass, Variant } from "./enumerate.js";
import { describeSpans } from "./regions.js";
import type { Place } from "./version.js";

/** Wraps a name in backticks, as every message of the project does. */
export function code(text: string): string {
  return `\`${text}\``;
}

const list = (values: readonly string[]): string => values.map(code).join(", ");

/** The app a row's requests name. */
export function describeApp(app: AppClass): string {
  if (app.clientId === null) return "without a connected app";
  if (app.baseName === undefined && app.headName === undefined)
    return `through an unknown client id (${code(app.clientId)})`;
  if (app.baseName !== undefined && app.headName !== undefined && app.baseName !== app.headName)
    return `through ${code(app.headName)} (was ${code(app.baseName)})`;
  const name = app.headName ?? app.baseName!;
  const where = app.headName === undefined ? " (removed)" : app.baseName === undefined ? " (new)" : "";
  return `through ${code(name)}${where}`;
}

function describeVariant(v: Variant): string {
  const parts = [
    ...(v.originIpSame ? ["session from the same address"] : []),
    ...(v.highAssurance ? ["high-assurance session"] : []),
    ...(v.identityVerified ? ["identity verified"] : []),
    ...(v.site !== undefined ? [`site ${code(v.site)}`] : []),
    ...(v.priorAuthorization ? ["authorized before"] : []),
  ];
  return parts.length === 0 ? "plain" : parts.join(" + ");
}

function verb(kind: ChangeKind): string {
  switch (kind) {
    case "gained":
      return "can now";
    case "lost":
      return "can no longer";
    case "reasons":
      return "is still denied, for other reasons, to";
    case "notes":
      return "gets other notes when they";
  }
}

function codes(d: Decision): string {
  return d.reasons.length === 0 ? "allowed" : `denied ${list(d.reasons.map((r) => r.code))}`;
}

function notes(d: Decision): string {
  return d.notes.length === 0 ? "no notes" : `note${d.notes.length > 1 ? "s" : ""} ${list(d.notes.map((n) => n.code))}`;
}

/** What the other version decided, in parentheses. */
export function describeOutcome(row: ImpactRow): string {
  switch (row.kind) {
    case "gained":
      return `was ${codes(row.base)}${row.head.notes.length > 0 ? `; now with ${notes(row.head)}` : ""}`;
    case "lost":
      return `now ${codes(row.head)}`;
    case "reasons":
      return `was ${codes(row.base)}, now ${codes(row.head)}`;
    case "notes":
      return `was ${notes(row.base)}, now ${notes(row.head)}`;
  }
}

/** The row as one sentence (Markdown-safe: names in backticks). */
export function describeRow(row: ImpactRow): string {
  const who = [`profile ${code(row.profile)}`];
  if (row.permissionSets.length > 0)
    who.push(`with permission set${row.permissionSets.length > 1 ? "s" : ""} ${list(row.permissionSets)}`);
  if (row.permissionSetGroups.length > 0)
    who.push(
      `${row.permissionSets.length > 0 ? "and" : "with"} permission set group${row.permissionSetGroups.length > 1 ? "s" : ""} ${list(row.permissionSetGroups)}`,
    );
  const types = new Set(row.userTypes.flatMap((u) => u.userTypes));
  if (types.size < USER_TYPES.length) who.push(`(${row.userTypes.map((u) => u.label).join(", ")})`);
  const action =
    row.channels.length === 2
      ? "call the API or use the UI"
      : row.channels[0] === "api"
        ? "call the API"
        : "use the UI";
  const allGrants: readonly string[] = row.app.clientId === null ? APPLESS_GRANTS : GRANTS;
  const missing = allGrants.filter((g) => !row.grants.includes(g));
  const grants =
    missing.length === 0
      ? "with any grant"
      : missing.length * 2 < allGrants.length
        ? `with any grant but ${list(missing)}`
        : `with ${list(allGrants.filter((g) => row.grants.includes(g)))}`;
  const login = row.logins.length === 2 ? "" : row.logins[0] ? " when logging in" : " on calls in an existing session";
  const variants =
    row.variants.length === 1 && Object.keys(row.variants[0]!).length === 0
      ? ""
      : ` (session and site: ${row.variants.map(describeVariant).join(" or ")})`;
  return `${who.join(" ")} ${verb(row.kind)} ${action} ${describeApp(row.app)} ${grants}${login}${variants} from ${describeSpans(row.addresses)} (${describeOutcome(row)})`;
}

function place(p: Place | undefined): string {
  return p ? `${p.file}:${p.line}` : "absent";
}

/** A citation as `Kind name (base file:line → head file:line, changed)`. */
export function describeCitation(c: Citation): string {
  const where =
    c.base && c.head && c.base.file === c.head.file && c.base.line === c.head.line
      ? place(c.head)
      : `base ${place(c.base)} → head ${place(c.head)}`;
  return `${c.kind} ${code(c.name)} (${where}${c.changed ? ", changed" : ""})`;
}
