import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../../core/package-root.js";

/** The Rego modules Gatehouse generates, as template name → path inside the bundle. */
export const REGO_MODULES = [
  ["decision", "decision.rego"],
  ["runtime", "runtime.rego"],
  ["facts", "facts.rego"],
  ["allow", "allow.rego"],
  ["explanations", "explanations.rego"],
  ["request", "request.rego"],
  ["net", "net.rego"],
] as const;

/** What a template may see: validated identifiers and version text only, never declaration data. */
export interface TemplateContext {
  /** The Rego package prefix, e.g. `gatehouse`. */
  readonly pkg: string;
  /** Gatehouse's version, shown in the header comment. */
  readonly version: string;
}

const PACKAGE = /^[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62}){0,7}$/;
const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]{1,40})?$/;

/** A Handlebars environment of its own: strict, no HTML escaping, and only the helpers below. */
function environment(): typeof Handlebars {
  const hb = Handlebars.create();
  // The single way a string reaches Rego source: as a JSON-escaped Rego string literal.
  hb.registerHelper("rego_string", (value: unknown) => JSON.stringify(String(value)));
  return hb;
}

/**
 * Renders the Rego modules for `context`. The context is checked first: a package name that is
 * not a plain dotted identifier, or a version that is not semver, is refused rather than spliced.
 */
export function renderRego(context: TemplateContext): Map<string, string> {
  if (!PACKAGE.test(context.pkg))
    throw new Error(`gatehouse: invalid Rego package name ${JSON.stringify(context.pkg)}`);
  if (!VERSION.test(context.version)) throw new Error(`gatehouse: invalid version ${JSON.stringify(context.version)}`);
  const hb = environment();
  const out = new Map<string, string>();
  for (const [name, file] of REGO_MODULES) {
    const source = readFileSync(join(packageRoot(), "templates", `${name}.rego.hbs`), "utf8");
    const template = hb.compile(source, {
      strict: true,
      noEscape: true,
      knownHelpers: { rego_string: true },
      knownHelpersOnly: true,
    });
    out.set(`${context.pkg.replace(/\./g, "/")}/${file}`, template({ pkg: context.pkg, version: context.version }));
  }
  return out;
}
