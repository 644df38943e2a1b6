import { createHash } from "node:crypto";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { emit, type EmittedBundle } from "../../compiler/emit/index.js";
import type { BrokenDoc, SourceSet } from "../../compiler/load/index.js";
import { parsePolicyFile, type SourceDoc, type SourceFile } from "../../compiler/load/yaml-document.js";
import { lower } from "../../compiler/lower/index.js";
import { validate, type PolicySet } from "../../compiler/validate/index.js";

/** A policy set compiled from text, without touching the file system. */
export interface TextCompilation {
  readonly policy?: PolicySet;
  readonly emitted?: EmittedBundle;
  readonly diagnostics: readonly Diagnostic[];
}

/** Compiles `files` (path → YAML text) in memory through validate, lower and emit. */
export function compileText(files: Record<string, string>): TextCompilation {
  const diagnostics: Diagnostic[] = [];
  const parsed: SourceFile[] = [];
  const docs: SourceDoc[] = [];
  const broken: BrokenDoc[] = [];
  const fileHashes = new Map<string, string>();
  for (const [path, text] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = parsePolicyFile(path, path, text);
    parsed.push(r.file);
    docs.push(...r.docs);
    broken.push(...r.broken);
    diagnostics.push(...r.diagnostics);
    fileHashes.set(path, createHash("sha256").update(text).digest("hex"));
  }
  const sources: SourceSet = { displayDir: ".", files: parsed, docs, broken, feeds: new Map(), fileHashes };
  const validated = validate(sources);
  diagnostics.push(...validated.diagnostics);
  if (!validated.value || hasErrors(diagnostics)) return { diagnostics };
  const ir = lower(validated.value).value!;
  return { policy: validated.value, emitted: emit(ir).value!, diagnostics };
}
