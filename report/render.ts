import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../core/package-root.js";

const PARTIALS = ["matrix", "coverage", "findings", "playground", "diff"] as const;

/** The href of a line of a policy file in the site, from the site's root. */
export function sourceHref(file: string, line: number): string {
  return `sources/${file.split("/").map(encodeURIComponent).join("/")}.html#L${line}`;
}

/**
 * A Handlebars environment of the report's own: strict, HTML escaping on (every value an admin
 * wrote is text on the page, never markup), and only the helpers below.
 */
function environment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper("src", (file: unknown, line: unknown) => {
    if (typeof file !== "string" || typeof line !== "number") throw new Error("report: `src` needs a file and a line");
    return sourceHref(file, line);
  });
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("one", (n: unknown) => n === 1);
  for (const name of PARTIALS) hb.registerPartial(name, template(name));
  return hb;
}

function template(name: string): string {
  return readFileSync(join(packageRoot(), "report", "templates", `${name}.hbs`), "utf8");
}

let cached: { page: HandlebarsTemplateDelegate; source: HandlebarsTemplateDelegate } | undefined;

function compiled(): { page: HandlebarsTemplateDelegate; source: HandlebarsTemplateDelegate } {
  if (cached) return cached;
  const hb = environment();
  const options = { strict: true, noEscape: false } as const;
  cached = { page: hb.compile(template("page"), options), source: hb.compile(template("source"), options) };
  return cached;
}

/** Renders the report's index page from its view model. */
export function renderPage(view: object): string {
  return compiled().page(view);
}

/** Renders one policy file as a page with an anchor per line (`#L12`). */
export function renderSource(file: string, text: string): string {
  const depth = file.split("/").length;
  const lines = text
    .replace(/\n$/, "")
    .split("\n")
    .map((t, i) => ({ n: i + 1, text: t }));
  return compiled().source({ file, root: "../".repeat(depth), lines });
}
