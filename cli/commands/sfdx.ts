import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { compareText, hasErrors } from "../../compiler/diagnostics/diagnostic.js";
import { compile } from "../../compiler/pipeline.js";
import { exportSfdx } from "../../compiler/sfdx/export.js";
import { exportInto } from "../../compiler/sfdx/export-into.js";
import { packageRoot } from "../../core/package-root.js";
import { importSfdx, type ImportNote } from "../../compiler/sfdx/import.js";
import { CliError, errorExit, EXIT, type Io } from "../io.js";
import { writeEditorSettings } from "../init/write-editor-settings.js";
import { renderDiagnostics } from "./check.js";

const LEVELS: ReadonlyArray<ImportNote["level"]> = ["error", "warning", "mapped", "ignored"];

/** The import or export report: notes grouped by level (errors first), each at `file:line`. */
export function renderNotes(notes: readonly ImportNote[]): string {
  const out: string[] = [];
  for (const level of LEVELS) {
    const group = notes
      .filter((n) => n.level === level)
      .sort(
        (a, b) => compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || compareText(a.message, b.message),
      );
    if (group.length === 0) continue;
    out.push(`${level} (${group.length}):`);
    for (const n of group) out.push(`  ${n.file}${n.line === undefined ? "" : `:${n.line}`}: ${n.message}`);
    out.push("");
  }
  return out.join("\n");
}

function writeAll(out: string, files: ReadonlyMap<string, string>): void {
  for (const [path, text] of files) {
    const full = join(out, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** The org name for an import: `name` of the tree's sfdx-project.json, else the directory's name. */
export function defaultOrgName(dir: string): string {
  const project = join(dir, "sfdx-project.json");
  if (existsSync(project)) {
    try {
      const name = (JSON.parse(readFileSync(project, "utf8")) as { name?: unknown }).name;
      if (typeof name === "string" && name.trim() !== "") return name.trim();
    } catch {
      // An unreadable project file only loses the default name.
    }
  }
  return basename(resolve(dir));
}

/** Options of `gatehouse import sfdx`. */
export interface ImportCommandOptions {
  readonly out: string;
  readonly orgName?: string;
  readonly format: "text" | "json";
}

/**
 * `gatehouse import sfdx DIR -o OUT`: writes Gatehouse YAML for an SFDX source tree and prints
 * the import report. Nothing is written when the tree has values that cannot be imported (exit 1).
 */
export function runImportSfdx(dir: string, options: ImportCommandOptions, io: Io): number {
  if (!existsSync(dir)) throw new CliError(`\`${dir}\` does not exist`, EXIT.usage);
  // Editors find the schema through a path from the output directory to Gatehouse's own copy.
  const schemaPath = relative(resolve(options.out), join(packageRoot(), "schemas", "policy.schema.json"))
    .split(sep)
    .join("/");
  const result = importSfdx(dir, { orgName: options.orgName ?? defaultOrgName(dir), schemaPath });
  if (options.format === "json") {
    io.stdout(
      `${JSON.stringify({ files: result.files ? [...result.files.keys()] : [], notes: result.notes }, null, 2)}\n`,
    );
  } else {
    io.stdout(renderNotes(result.notes));
  }
  if (!result.files) {
    io.stderr(
      `gatehouse: nothing written: the source tree has values that cannot be imported (see the errors above)\n`,
    );
    return EXIT.policy;
  }
  writeAll(options.out, result.files);
  io.stderr(`gatehouse: wrote ${[...result.files.keys()].map((f) => join(options.out, f)).join(", ")}\n`);
  writeEditorSettings(options.out, io);
  return EXIT.ok;
}

/** Options of `gatehouse export sfdx`: exactly one of a fresh output directory or a tree to merge into. */
export interface ExportCommandOptions {
  readonly out?: string;
  readonly into?: string;
}

/** `gatehouse export sfdx DIR -o OUT`: writes the metadata Gatehouse owns for a valid policy set. */
export async function runExportSfdx(dir: string, options: ExportCommandOptions, io: Io): Promise<number> {
  if ((options.out === undefined) === (options.into === undefined))
    throw new CliError(
      "give exactly one of `-o OUT` (a new tree) and `--into SFDX_DIR` (merge into a retrieved tree)",
      EXIT.usage,
    );
  if (options.into !== undefined && !existsSync(options.into))
    throw new CliError(`\`${options.into}\` does not exist`, EXIT.usage);
  const compilation = await compile(dir, { until: "validate" });
  if (hasErrors(compilation.diagnostics) || !compilation.policy) {
    io.stderr(renderDiagnostics("text", compilation.diagnostics, compilation.sources, io));
    return errorExit(compilation.diagnostics);
  }
  if (options.into !== undefined) {
    const merged = exportInto(compilation.policy, options.into);
    io.stdout(renderNotes(merged.notes));
    if (merged.notes.some((n) => n.level === "error")) {
      io.stderr("gatehouse: nothing written: the tree has files that cannot be merged (see the errors above)\n");
      return EXIT.policy;
    }
    writeAll(options.into, merged.files);
    io.stderr(
      `gatehouse: changed or created ${merged.files.size} files under ${options.into}; ${merged.unchanged} already matched the policy\n`,
    );
    return EXIT.ok;
  }
  const out = options.out!;
  const result = exportSfdx(compilation.policy);
  writeAll(out, result.files);
  io.stdout(renderNotes(result.notes));
  io.stderr(`gatehouse: wrote ${result.files.size} files under ${out}\n`);
  return EXIT.ok;
}
