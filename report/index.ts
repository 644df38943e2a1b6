/**
 * The access report: a static site that shows who can reach which connected app, how and from
 * where, the IP coverage of every profile, the review findings, and a form that decides requests
 * in the browser with the bundle's own policy.wasm. It reads the validated policy set and the
 * built bundle; it adds no stage to `compile()` and writes nothing itself.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { canonicalJson } from "../core/canonical-json.js";
import { packageRoot } from "../core/package-root.js";
import { compareText } from "../compiler/diagnostics/diagnostic.js";
import { review } from "../compiler/review/index.js";
import type { PolicySet } from "../compiler/validate/model.js";
import { Authorizer } from "../wasm/authorizer.js";
import { unpackBundle, type BundleFiles } from "../wasm/bundle.js";
import { EXPLAIN_FILE } from "../wasm/explain.js";
import { computeCoverage } from "./coverage.js";
import { diffView, type ReportDiff } from "./diff.js";
import { findingsView } from "./findings.js";
import { computeMatrix } from "./matrix.js";
import { renderPage, renderSource, sourceHref } from "./render.js";
import { rangeLabels } from "./subjects.js";

export type * from "./model.js";
export { computeMatrix, GRANT_FAMILIES, type Decide } from "./matrix.js";
export { computeCoverage, mergeRanges, sizeText } from "./coverage.js";
export type { ReportDiff } from "./diff.js";

/** What the report is made from. */
export interface ReportInput {
  readonly policy: PolicySet;
  /** The bundle built from `policy` (`bundle.tar.gz` bytes). */
  readonly bundle: Uint8Array;
  /** Every policy file: its path relative to the policy directory, as diagnostics name it, and its text. */
  readonly sources: ReadonlyArray<{ readonly relPath: string; readonly displayPath: string; readonly text: string }>;
  /** Today, `YYYY-MM-DD`, for acknowledgement expiry. */
  readonly today: string;
  readonly version: string;
  /** The semantic diff from a base policy set to `policy`, for the diff view; no view without it. */
  readonly diff?: ReportDiff;
}

/** One file of the site: a path relative to its root, and its bytes. */
export interface SiteFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

const TRISTATES = [
  { id: "high-assurance", label: "High-assurance session" },
  { id: "identity-verified", label: "Identity verified in this session" },
  { id: "prior-authorization", label: "Authorized this app before uninstalled apps were blocked" },
];

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The enum of a property of the request schema, the one source of truth for the form's choices. */
function requestEnum(path: readonly string[]): string[] {
  let node = JSON.parse(readFileSync(join(packageRoot(), "schemas", "request.schema.json"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const key of path) node = (node.properties as Record<string, Record<string, unknown>>)[key]!;
  return node.enum as string[];
}

/** A JavaScript file that sets one global to a JSON value; `<` is escaped so it is also safe inline. */
function globalScript(name: string, value: unknown): string {
  return `window.${name} = ${canonicalJson(value).replace(/</g, "\\u003c")};\n`;
}

function asset(name: string): Uint8Array {
  return readFileSync(join(packageRoot(), "report", "assets", name));
}

/** The installed WebAssembly SDK's directory (its package root). */
function opaWasmDir(): string {
  // INVARIANT: the SDK's entry point is `<root>/src/index.cjs`.
  return dirname(dirname(createRequire(import.meta.url).resolve("@open-policy-agent/opa-wasm")));
}

/** The browser build of the WebAssembly SDK, as installed, without its source map reference. */
function opaWasmBrowser(): Uint8Array {
  const js = readFileSync(join(opaWasmDir(), "dist", "opa-wasm-browser.js"), "utf8");
  return text(js.replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n"));
}

/**
 * The data the page's policy decides with, as OPA sees the bundle: `data.json` with the
 * explanation table at `data.gatehouse.explain` (its own file in the bundle), which the page's
 * decisions read for their messages and the sources they link to.
 */
function pageData(files: BundleFiles): string {
  const data = JSON.parse(Buffer.from(files.data).toString("utf8")) as { gatehouse: Record<string, unknown> };
  const explain = files.files.get(EXPLAIN_FILE);
  if (explain !== undefined) data.gatehouse.explain = JSON.parse(Buffer.from(explain).toString("utf8")) as unknown;
  return canonicalJson(data);
}

/**
 * Builds the site: decides the matrix with the real runtime on `input.bundle`, computes coverage
 * and findings, and renders every file. The same input gives the same bytes; files are in path order.
 */
export async function buildReport(input: ReportInput): Promise<SiteFile[]> {
  const { policy } = input;
  const files = await unpackBundle(input.bundle);
  const authorizer = await Authorizer.load(input.bundle);
  const matrix = computeMatrix(policy, (request) => authorizer.decide(request));
  const coverage = computeCoverage(policy);
  const relPaths = new Map(input.sources.map((f) => [f.displayPath, f.relPath]));
  const findings = findingsView(review(policy, { today: input.today }), (file) => relPaths.get(file) ?? file);
  const names = declaredNames(policy);
  const firstProfile = names.profiles[0] ?? "";
  const org = { name: policy.org.name, label: policy.org.label ?? policy.org.name };
  const view = {
    version: input.version,
    revision: files.manifest.revision,
    org,
    families: matrix.families,
    coverage,
    openCoverage: coverage.length <= 10,
    orgTrusted: policy.org.trustedIpRanges.length > 0 ? rangeLabels(policy.org.trustedIpRanges) : [],
    findings,
    names,
    firstProfile,
    firstClientId: names.clientIds[0]?.id ?? "",
    firstAddress: firstProfile ? (matrix.addresses[firstProfile]?.inside ?? "") : "",
    userTypes: requestEnum(["user", "userType"]),
    grants: requestEnum(["grant"]),
    tristates: TRISTATES,
    diff: input.diff ? diffView(input.diff, new Set(input.sources.map((f) => f.relPath))) : null,
  };
  const out: SiteFile[] = [
    { path: "index.html", bytes: text(renderPage(view)) },
    { path: "assets/report.css", bytes: asset("report.css") },
    { path: "assets/report.js", bytes: asset("report.js") },
    { path: "assets/opa-wasm-browser.js", bytes: opaWasmBrowser() },
    { path: "assets/opa-wasm-LICENSE.txt", bytes: readFileSync(join(opaWasmDir(), "LICENSE")) },
    { path: "bundle.tar.gz", bytes: input.bundle },
    {
      path: "data/report-data.js",
      bytes: text(globalScript("GATEHOUSE_REPORT", { matrix, sourceHrefs: hrefs(input.sources) })),
    },
    {
      path: "data/policy.js",
      bytes: text(
        globalScript("GATEHOUSE_POLICY", {
          revision: files.manifest.revision,
          wasm: Buffer.from(files.wasm).toString("base64"),
          data: Buffer.from(pageData(files)).toString("base64"),
        }),
      ),
    },
  ];
  for (const file of input.sources)
    out.push({ path: `sources/${file.relPath}.html`, bytes: text(renderSource(file.relPath, file.text)) });
  return out.sort((a, b) => compareText(a.path, b.path));
}

/** The declared names the request form suggests, each list sorted. */
function declaredNames(policy: PolicySet) {
  const sorted = <T>(values: Iterable<T>, key: (v: T) => string): T[] =>
    [...values].sort((a, b) => compareText(key(a), key(b)));
  return {
    profiles: sorted(policy.profiles.keys(), (n) => n),
    permissionSets: sorted(policy.permissionSets.keys(), (n) => n),
    permissionSetGroups: sorted(policy.permissionSetGroups.keys(), (n) => n),
    sites: sorted(policy.sites.keys(), (n) => n),
    clientIds: sorted(
      [...policy.apps.values()].flatMap((a) => a.clientIds.map((id) => ({ id, app: a.label ?? a.name }))),
      (c) => c.id,
    ),
  };
}

/** The page of each policy file, from the site's root, so the script can link reasons to lines. */
function hrefs(sources: ReportInput["sources"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { relPath } of sources) out[relPath] = sourceHref(relPath, 1).replace(/#L1$/, "");
  return out;
}
