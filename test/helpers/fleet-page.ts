/** The fleet test's reading of docs/deployment.md: the page's commands, its opa.yaml and its checks. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../core/package-root.js";

export const root = packageRoot();
export const bin = join(root, "bin", "gatehouse.js");
export const quickstart = join(root, "examples", "quickstart");
export const doc = readFileSync(join(root, "docs", "deployment.md"), "utf8");

/** The documented ways to read a server's revision and refusals (the page's "Checking convergence"). */
export const OPA_REVISION_PATH = "/v1/data/system/bundles/gatehouse/manifest/revision";
export const OPA_ACTIVATION_METRIC = "last_success_bundle_activation";
export const OPA_REFUSAL_METRIC = "bundle_failed_load_counter";
export const GATEHOUSE_REVISION_METRIC = "gatehouse_bundle_info";
export const GATEHOUSE_REFUSAL_METRIC = "gatehouse_bundle_refused";

/**
 * The text of `docs/deployment.md` from the heading `title` to the next heading of the same or a
 * higher level (lines inside fenced blocks are never headings).
 */
export function section(title: string): string {
  const lines = doc.split("\n");
  let fenced = false;
  let level = 0;
  const taken: string[] = [];
  for (const line of lines) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^(#+) (.*)$/.exec(line);
    if (level > 0 && heading && heading[1]!.length <= level) break;
    if (level > 0) taken.push(line);
    if (level === 0 && heading?.[2] === title) level = heading[1]!.length;
  }
  if (level === 0) throw new Error(`docs/deployment.md has no section \`${title}\``);
  return taken.join("\n");
}

/** A one-line command's words (the page quotes only words without spaces). */
export function words(line: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/^"(.*)"$/, "$1"));
}

/** `args` with the value of option `name` replaced (the option must be there). */
export function withOption(args: readonly string[], name: string, value: string): string[] {
  const at = args.indexOf(name);
  if (at < 0 || at + 1 >= args.length)
    throw new Error(`the documented command has no \`${name} VALUE\`: ${args.join(" ")}`);
  return args.map((a, i) => (i === at + 1 ? value : a));
}

/** The value of option `name` in `args`. */
export function optionValue(args: readonly string[], name: string): string {
  const at = args.indexOf(name);
  if (at < 0) throw new Error(`the documented command has no \`${name}\`: ${args.join(" ")}`);
  return args[at + 1]!;
}

/** The first group of `pattern` in `text`, or an error naming what the page lacks. */
export function found(pattern: RegExp, text: string, what: string): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`docs/deployment.md: the fleet section has no ${what}`);
  return match[1]!;
}

export const fleet = section("On a fleet of OPA servers");
export const opaYaml = found(/^```yaml\n([\s\S]*?)^```$/m, fleet, "yaml block");
/** `opa run …` from the config's first comment line, without the leading `opa`. */
export const opaArgs = words(
  found(/^# opa\.yaml — run with: opa (.*)$/m, opaYaml, "`# opa.yaml — run with: opa …` line"),
);
export const serveArgs = words(found(/^npx --no-install gatehouse (serve .*)$/m, fleet, "`gatehouse serve` line"));
export const buildArgs = words(
  found(/^npx --no-install gatehouse (build .*)$/m, section("Publishing a revision"), "`gatehouse build` line"),
);
export const checks = found(/^```sh\n([\s\S]*?)^```$/m, section("Checking convergence"), "block of checks");
export const serviceUrl = found(/^ {4}url: (\S+)$/m, opaYaml, "service `url:`");
export const resource = found(/^ {4}resource: (\S+)$/m, opaYaml, "bundle `resource:`");
export const keyId = found(/^ {6}keyid: (\S+)$/m, opaYaml, "`signing.keyid:`");
export const scope = found(/^ {6}scope: (\S+)$/m, opaYaml, "`signing.scope:`");
export const maxDelaySeconds = Number(found(/^ {6}max_delay_seconds: (\d+)$/m, opaYaml, "`max_delay_seconds:`"));
/** How long after a publish every server must have acted on it: the longest poll delay plus time to download and load. */
export const CONVERGENCE_BOUND_MS =
  Math.max(maxDelaySeconds, Number(optionValue(serveArgs, "--poll-max"))) * 1000 + 8000;
