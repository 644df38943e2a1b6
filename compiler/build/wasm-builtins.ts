/**
 * The builtins a Gatehouse policy may call: those OPA's WebAssembly compiler implements
 * natively (the `builtinsFunctions` table of internal/compiler/wasm/wasm.go in OPA v1.22.2)
 * and those @open-policy-agent/opa-wasm 1.10.0 implements in JavaScript (src/builtins). The
 * committed capabilities.json is `opa capabilities --current` reduced to these, with the
 * `rego_v1` feature; a test re-derives it from the pinned opa and fails when they drift.
 */

/** Implemented natively by the WebAssembly target. */
export const WASM_NATIVE_BUILTINS = [
  "abs",
  "and",
  "array.concat",
  "array.flatten",
  "array.reverse",
  "array.slice",
  "assign",
  "base64.decode",
  "base64.encode",
  "base64.is_valid",
  "base64url.decode",
  "base64url.encode",
  "bits.and",
  "bits.lsh",
  "bits.negate",
  "bits.or",
  "bits.rsh",
  "bits.xor",
  "ceil",
  "concat",
  "contains",
  "count",
  "div",
  "endswith",
  "equal",
  "eq",
  "floor",
  "format_int",
  "glob.match",
  "graph.reachable",
  "gt",
  "gte",
  "indexof",
  "internal.member_2",
  "internal.member_3",
  "internal.template_string",
  "intersection",
  "is_array",
  "is_boolean",
  "is_null",
  "is_number",
  "is_object",
  "is_set",
  "is_string",
  "json.filter",
  "json.is_valid",
  "json.marshal",
  "json.remove",
  "json.unmarshal",
  "lower",
  "lt",
  "lte",
  "max",
  "min",
  "minus",
  "mul",
  "net.cidr_contains",
  "net.cidr_intersects",
  "neq",
  "numbers.range",
  "object.filter",
  "object.get",
  "object.keys",
  "object.remove",
  "object.union",
  "object.union_n",
  "or",
  "plus",
  "product",
  "regex.find_all_string_submatch_n",
  "regex.is_valid",
  "regex.match",
  "rem",
  "replace",
  "round",
  "sort",
  "split",
  "startswith",
  "strings.replace_n",
  "strings.reverse",
  "substring",
  "sum",
  "to_number",
  "trim",
  "trim_left",
  "trim_prefix",
  "trim_right",
  "trim_space",
  "trim_suffix",
  "type_name",
  "union",
  "upper",
  "walk",
] as const;

/** Implemented in JavaScript by @open-policy-agent/opa-wasm (slower: arguments cross as JSON). */
export const SDK_BUILTINS = [
  "json.is_valid",
  "regex.split",
  "sprintf",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
] as const;

/** Every builtin name allowed in a Gatehouse policy. */
export const ALLOWED_BUILTINS: ReadonlySet<string> = new Set<string>([...WASM_NATIVE_BUILTINS, ...SDK_BUILTINS]);

/** The shape of an OPA capabilities document, as far as Gatehouse reads it. */
export interface Capabilities {
  builtins: Array<{ name: string; decl?: unknown }>;
  features?: string[];
  [key: string]: unknown;
}

/** Reduces `opa capabilities --current` output to the allowed builtins and the `rego_v1` feature. */
export function gatehouseCapabilities(current: Capabilities): Capabilities {
  return {
    builtins: current.builtins
      .filter((b) => ALLOWED_BUILTINS.has(b.name))
      .map((b) => ({ name: b.name, decl: b.decl }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    features: ["rego_v1"],
  };
}
