/**
 * Reads the conformance corpus: YAML files in test/conformance/cases/, each one policy set and
 * the requests decided against it, with the decision expected from docs/semantics.md.
 *
 *   description: what the file covers
 *   policy: |            # the policy set, one or more YAML documents
 *     kind: Org …
 *   base: {…}            # a request every case starts from (optional)
 *   cases:
 *     - note: what this case shows
 *       with: {…}        # deep-merged over `base` (objects merge, everything else replaces)
 *       unset: [a.b]     # paths removed after merging (optional)
 *       raw: …           # or: the whole request, used as is (for invalid input)
 *       want: {allow: false, reasons: [CODE, …], notes: [CODE, …]}
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** One case, with its request built. */
export interface CorpusCase {
  readonly file: string;
  readonly note: string;
  readonly request: unknown;
  readonly want: { readonly allow: boolean; readonly reasons: readonly string[]; readonly notes: readonly string[] };
}

/** One corpus file: a policy set and its cases. */
export interface CorpusFile {
  readonly file: string;
  readonly description: string;
  readonly policy: string;
  readonly cases: readonly CorpusCase[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return structuredClone(over);
  const out: Json = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k], v) : structuredClone(v);
  return out;
}

function unset(value: unknown, path: string): void {
  const keys = path.split(".");
  let node = value;
  for (const k of keys.slice(0, -1)) node = isObject(node) ? node[k] : undefined;
  if (isObject(node)) delete node[keys[keys.length - 1]!];
}

/** Every corpus file under `dir`, sorted by name, with every case's request built. */
export function readCorpus(dir: string): CorpusFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const doc = parse(readFileSync(join(dir, file), "utf8")) as { description: string; policy: string; base?: unknown; cases: Json[] };
      const cases = doc.cases.map((c): CorpusCase => {
        let request: unknown;
        if ("raw" in c) request = c.raw;
        else {
          request = merge(doc.base ?? {}, c.with ?? {});
          for (const path of (c.unset as string[] | undefined) ?? []) unset(request, path);
        }
        const want = c.want as { allow: boolean; reasons?: string[]; notes?: string[] };
        return { file, note: String(c.note), request, want: { allow: want.allow, reasons: want.reasons ?? [], notes: want.notes ?? [] } };
      });
      return { file, description: doc.description, policy: doc.policy, cases };
    });
}
