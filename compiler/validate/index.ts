import type { Diagnostic, StageResult } from "../diagnostics/diagnostic.js";
import { hasErrors, sortDiagnostics } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { SourceSet } from "../load/index.js";
import { KIND_SCHEMAS, validatorFor, type Kind } from "../schemas.js";
import { buildPolicySet, type ValidDoc } from "./build-model.js";
import { diagnosticAtPointer } from "./locate.js";
import type { PolicySet } from "./model.js";
import { RULES } from "./rules/index.js";
import { schemaDiagnostics } from "./schema-errors.js";

export type * from "./model.js";

function isKind(value: unknown): value is Kind {
  return typeof value === "string" && Object.hasOwn(KIND_SCHEMAS, value);
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.code}\u0000${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.message}`;
}

/**
 * Validates every document against its kind's JSON Schema, builds the resolved policy set and
 * runs every semantic rule. Reports every problem at once, sorted; yields the policy set only
 * when there is no error.
 */
export function validate(sources: SourceSet): StageResult<PolicySet> {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (d: Diagnostic): void => {
    const key = diagnosticKey(d);
    if (seen.has(key)) return;
    seen.add(key);
    diagnostics.push(d);
  };
  const valid: ValidDoc[] = [];
  // Declarations that failed their schema, or whose document failed to parse, still exist:
  // references to them are not reported as unknown as well.
  const invalidNames = new Set<string>();
  for (const doc of sources.docs) {
    const value = doc.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      report(
        diagnosticAtPointer(doc, "", "GH011", "a document must be a mapping with `kind` and `name`", {
          hint: "start the document with `kind:` and `name:`",
        }),
      );
      continue;
    }
    const kind = (value as { kind?: unknown }).kind;
    if (kind === undefined) {
      report(
        diagnosticAtPointer(doc, "", "GH101", "the document has no `kind`", {
          anchor: "first-line",
          hint: `add \`kind:\`, one of ${Object.keys(KIND_SCHEMAS).join(", ")}`,
        }),
      );
      continue;
    }
    if (!isKind(kind)) {
      report(
        diagnosticAtPointer(
          doc,
          "/kind",
          "GH100",
          `unknown kind ${typeof kind === "string" ? `\`${kind}\`` : "(not a string)"}`,
          {
            hint:
              (typeof kind === "string" ? didYouMean(kind, Object.keys(KIND_SCHEMAS)) : undefined) ??
              `use one of ${Object.keys(KIND_SCHEMAS).join(", ")}`,
          },
        ),
      );
      continue;
    }
    const check = validatorFor(kind);
    if (!check(value)) {
      for (const d of schemaDiagnostics(doc, kind, check.errors ?? [])) report(d);
      const name = (value as { name?: unknown }).name;
      invalidNames.add(kind);
      if (typeof name === "string") invalidNames.add(`${kind}\u0000${name}`);
      continue;
    }
    valid.push({ kind, doc, decl: value } as ValidDoc);
  }
  // A document that could not be parsed may declare anything its parser could not recover.
  let unknownKinds = false;
  const uncertainKinds = new Set<string>();
  for (const b of sources.broken) {
    if (b.kind === undefined) unknownKinds = true;
    else if (b.name === undefined) uncertainKinds.add(b.kind);
    else invalidNames.add(`${b.kind}\u0000${b.name}`);
    if (b.kind !== undefined) invalidNames.add(b.kind);
  }
  const maybeDeclared = (kind: Kind, name?: string): boolean =>
    unknownKinds || uncertainKinds.has(kind) || invalidNames.has(name === undefined ? kind : `${kind}\u0000${name}`);
  const policy = buildPolicySet(sources, valid, report, maybeDeclared);
  if (policy && !hasErrors(diagnostics)) {
    for (const rule of RULES) rule.check(policy, report);
  }
  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted) || !policy ? { diagnostics: sorted } : { value: policy, diagnostics: sorted };
}
