import type { ErrorObject } from "ajv";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { SourceDoc } from "../load/yaml-document.js";
import { isScalar } from "yaml";
import { relatedAt } from "./build-model.js";
import { diagnosticAtPointer, findNode, pointerToPath } from "./locate.js";

const YAML11_BOOLEANS = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
]);
const RANGE_KEYS = ["cidr", "start", "end", "network", "feed"];

/**
 * How a message names a value. A number or boolean is quoted as written in the source when that
 * text is known (`9007199254740993`, `1e400`, `0x10`), never as the rounded or `null` value YAML
 * made of it.
 */
function describeValue(value: unknown, written?: string): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string \`${value.length > 40 ? `${value.slice(0, 40)}…` : value}\``;
  const text = written !== undefined && /^[^\n`]{1,80}$/.test(written) ? written : JSON.stringify(value);
  return `the ${typeof value} \`${text}\``;
}

function typeName(type: unknown): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    boolean: "a boolean",
    integer: "an integer",
    number: "a number",
    null: "null",
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(" or ");
}

function subject(pointer: string, docKind: string): string {
  const path = pointerToPath(pointer);
  return path === "" ? docKind : `\`${path}\``;
}

function typeHint(expected: unknown, value: unknown, written: string | undefined): string | undefined {
  const wanted = Array.isArray(expected) ? expected : [expected];
  if (wanted.includes("boolean") && typeof value === "string" && YAML11_BOOLEANS.has(value)) {
    return `YAML 1.2 reads \`${value}\` as a string; write \`${/^(y|yes|on)$/i.test(value) ? "true" : "false"}\``;
  }
  if (wanted.includes("string") && (typeof value === "number" || typeof value === "boolean")) {
    return written !== undefined && /^[^"'\n]{1,80}$/.test(written)
      ? `YAML reads \`${written}\` as a ${typeof value}; quote it to keep the text: \`"${written}"\``
      : 'quote the value so YAML keeps it as text, e.g. `"10.10"` rather than `10.10`';
  }
  return undefined;
}

/** The source text of the scalar at `pointer`, as the admin wrote it. */
function writtenText(doc: SourceDoc, pointer: string): string | undefined {
  const node = findNode(doc, pointer).node;
  if (!isScalar(node) || !node.range) return undefined;
  return doc.file.text.slice(node.range[0], node.range[1]);
}

/** Keeps the errors that explain a failure and drops the wrappers ajv adds around them. */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  const typeSeen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === "if") continue;
    if (e.keyword === "type") {
      if (typeSeen.has(e.instancePath)) continue;
      typeSeen.add(e.instancePath);
    }
    kept.push(e);
  }
  // A value of the wrong type also fails every keyword of the branch meant for the right one.
  const typed = kept.filter((e) => e.keyword === "type" || !typeSeen.has(e.instancePath));
  // An empty string also fails its pattern; "must not be empty" says all there is to say.
  const empty = new Set(typed.filter((e) => e.keyword === "minLength").map((e) => e.instancePath));
  // The branches of a `oneOf` report their own `required` errors; the `oneOf` error says it better.
  const oneOf = new Set(typed.filter((e) => e.keyword === "oneOf").map((e) => e.schemaPath));
  return typed.filter(
    (e) =>
      !(e.keyword === "pattern" && empty.has(e.instancePath)) &&
      ![...oneOf].some((path) => e.keyword === "required" && e.schemaPath.startsWith(`${path}/`)),
  );
}

/** Unknown properties by the path of their mapping: a likely misspelling of a missing required one. */
function unknownProperties(errors: readonly ErrorObject[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword !== "additionalProperties") continue;
    const list = byPath.get(e.instancePath) ?? [];
    list.push(String((e.params as { additionalProperty: string }).additionalProperty));
    byPath.set(e.instancePath, list);
  }
  return byPath;
}

/** True for a `required` error on a range entry that has none of a range's keys at all. */
function isNotARange(e: ErrorObject): boolean {
  const value = e.data as Record<string, unknown> | undefined;
  if (!value || typeof value !== "object") return false;
  if ((e.parentSchema as { title?: string } | undefined)?.title !== "Start–end range") return false;
  return !RANGE_KEYS.some((k) => k in value);
}

/**
 * Maps ajv errors for one document onto diagnostics at the YAML nodes that caused them: the key
 * of an unknown property, the value of a bad value, the mapping that misses a property.
 */
export function schemaDiagnostics(doc: SourceDoc, kind: string, errors: readonly ErrorObject[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rangeEntryReported = new Set<string>();
  const kept = relevant(errors);
  const unknown = unknownProperties(kept);
  // A required property that is missing because it was misspelt is reported once, as the misspelling.
  const misspelt = (at: string, missing: string): boolean =>
    (unknown.get(at) ?? []).some((prop) => didYouMean(prop, [missing]) !== undefined);
  const missingAt = (at: string): string[] =>
    kept
      .filter((e) => e.keyword === "required" && e.instancePath === at)
      .map((e) => String((e.params as { missingProperty: string }).missingProperty));
  // An object with none of a range's keys is reported once as "not a range", and nothing else.
  const notRanges = new Set(kept.filter((e) => e.keyword === "required" && isNotARange(e)).map((e) => e.instancePath));
  for (const e of kept) {
    const at = e.instancePath;
    if (notRanges.has(at) && e.keyword !== "required") continue;
    const what = subject(at, kind);
    switch (e.keyword) {
      case "additionalProperties": {
        const prop = String((e.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys(
          ((e.parentSchema ?? {}) as { properties?: Record<string, unknown> }).properties ?? {},
        );
        const pointer = `${at}/${prop.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        out.push(
          diagnosticAtPointer(doc, pointer, "GH102", `unknown property \`${prop}\` in ${at === "" ? kind : what}`, {
            anchor: "key",
            hint: ((): string | undefined => {
              const near = didYouMean(prop, known);
              const required = missingAt(at).find((m) => didYouMean(prop, [m]) !== undefined);
              if (required !== undefined) return `did you mean \`${required}\`? (\`${required}\` is required)`;
              return (
                near ?? (known.length > 0 ? `known properties: ${known.map((k) => `\`${k}\``).join(", ")}` : undefined)
              );
            })(),
          }),
        );
        break;
      }
      case "required": {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        if (isNotARange(e)) {
          if (rangeEntryReported.has(at)) break;
          rangeEntryReported.add(at);
          out.push(
            diagnosticAtPointer(
              doc,
              at,
              "GH101",
              `${what} is not a range: it needs \`cidr\`, \`start\` and \`end\`, or \`network\``,
              {
                hint: "write e.g. `10.0.0.0/8`, `{start: 10.0.0.1, end: 10.0.0.9}` or `{network: office}`",
              },
            ),
          );
          break;
        }
        if (misspelt(at, missing)) break;
        out.push(
          diagnosticAtPointer(doc, at, "GH101", `${what} is missing the required property \`${missing}\``, {
            anchor: at === "" ? "first-line" : "key",
          }),
        );
        break;
      }
      case "type": {
        const expected = (e.params as { type: unknown }).type;
        out.push(
          diagnosticAtPointer(
            doc,
            at,
            "GH103",
            `${what} must be ${typeName(expected)}, not ${describeValue(e.data, writtenText(doc, at))}`,
            {
              hint: typeHint(expected, e.data, writtenText(doc, at)),
            },
          ),
        );
        break;
      }
      case "enum": {
        const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
        out.push(
          diagnosticAtPointer(
            doc,
            at,
            "GH104",
            `${what} must be one of ${allowed.map((v) => `\`${v}\``).join(", ")}, not ${describeValue(e.data, writtenText(doc, at))}`,
            {
              hint: typeof e.data === "string" ? didYouMean(e.data, allowed) : undefined,
            },
          ),
        );
        break;
      }
      case "const": {
        const wanted = String((e.params as { allowedValue: unknown }).allowedValue);
        out.push(
          diagnosticAtPointer(
            doc,
            at,
            "GH104",
            `${what} must be \`${wanted}\`, not ${describeValue(e.data, writtenText(doc, at))}`,
          ),
        );
        break;
      }
      case "uniqueItems": {
        // ajv's fast and slow paths disagree on which of `i` and `j` is the earlier item.
        const { i, j } = e.params as { i: number; j: number };
        const [first, again] = [Math.min(i, j), Math.max(i, j)];
        out.push({
          ...diagnosticAtPointer(
            doc,
            `${at}/${again}`,
            "GH106",
            `${what} lists ${describeValue((e.data as unknown[])[again])} twice`,
            { hint: "remove one of them" },
          ),
          related: [relatedAt(doc, `${at}/${first}`, "first listed here")],
        });
        break;
      }
      case "oneOf": {
        // INVARIANT: the only `oneOf` in the schemas is a test case's `request` / `rawRequest`.
        const value = (e.data ?? {}) as Record<string, unknown>;
        const both = "request" in value && "rawRequest" in value;
        out.push(
          both
            ? diagnosticAtPointer(doc, `${at}/rawRequest`, "GH105", `${what} has both \`request\` and \`rawRequest\``, {
                anchor: "key",
                hint: "give `request` (checked against the request schema) or `rawRequest` (any JSON, to test `INPUT_INVALID`), not both",
              })
            : diagnosticAtPointer(doc, at, "GH101", `${what} has no \`request\``, {
                anchor: "first-line",
                hint: "add `request` (checked against the request schema), or `rawRequest` to test invalid input",
              }),
        );
        break;
      }
      default:
        out.push(diagnosticAtPointer(doc, at, "GH105", `${what} ${constraintMessage(e)}`));
    }
  }
  return out;
}

function constraintMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "minLength":
      return p.limit === 1 ? "must not be empty" : `must be at least ${String(p.limit)} characters long`;
    case "maxLength":
      return `must be at most ${String(p.limit)} characters long`;
    case "minItems":
      return `must have at least ${String(p.limit)} item${p.limit === 1 ? "" : "s"}`;
    case "pattern":
      return (e.parentSchema as { title?: string } | undefined)?.title === "Name" || /u0000/.test(String(p.pattern))
        ? "must not contain control characters (tabs, newlines, NUL)"
        : "is not of the required form";
    case "minimum":
      return `must be at least ${String(p.limit)}`;
    default:
      return (e.message ?? "is invalid").replace(/^must/, "must");
  }
}
