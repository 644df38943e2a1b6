/**
 * Impact analysis at tier M: `gatehouse diff` of the tier M benchmark policy set against the same
 * set with one line changed (the first blocked connected app unblocked). Times the two builds,
 * the exact enumeration and deciding, and the report; counts the request classes decided.
 * Writes bench/results/impact-diff.{json,md}. Not part of `npm test` or `npm run bench`.
 * Run: npx tsx bench/impact-diff.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { findOpa, isOpaBinary } from "../compiler/build/index.js";
import { packageRoot } from "../core/package-root.js";
import { classify } from "../impact/classify.js";
import { diffVersions } from "../impact/decide.js";
import { loadVersion } from "../impact/load-version.js";
import { generateTier, TIERS } from "./harness/tiers.js";

const opa = findOpa();
if (!isOpaBinary(opa)) throw new Error(opa.message);

const tier = generateTier(TIERS.M, undefined);
const root = mkdtempSync(join(tmpdir(), "gatehouse-impact-bench-"));
const write = (dir: string, files: ReadonlyMap<string, string>): void => {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
};
const apps = tier.files.get("apps.yaml")!;
const changed = apps.replace(/^blocked: true$/m, "blocked: false");
if (changed === apps) throw new Error("bench: tier M blocks no app");
const changedApp = /name: (\S+)\n(?:(?!---)[\s\S])*?blocked: false/.exec(changed)?.[1];
write(join(root, "base"), tier.files);
write(join(root, "head"), new Map([...tier.files, ["apps.yaml", changed]]));

try {
  let t = performance.now();
  const [base, head] = await Promise.all([loadVersion(join(root, "base"), opa), loadVersion(join(root, "head"), opa)]);
  const buildMs = performance.now() - t;
  if (!base.version || !head.version) throw new Error("bench: tier M does not compile");
  t = performance.now();
  const result = diffVersions(base.version, head.version);
  const decideMs = performance.now() - t;
  t = performance.now();
  const report = classify(result);
  const classifyMs = performance.now() - t;
  const figures = {
    tier: "M",
    change: `one line: connected app \`${changedApp}\` unblocked (blocked: true → false)`,
    apps: TIERS.M.apps,
    profiles: TIERS.M.profiles,
    permissionSets: TIERS.M.permissionSets,
    ranges: TIERS.M.ranges,
    buildBothSeconds: +(buildMs / 1000).toFixed(2),
    enumerateAndDecideSeconds: +(decideMs / 1000).toFixed(2),
    classifySeconds: +(classifyMs / 1000).toFixed(2),
    diffSeconds: +((decideMs + classifyMs) / 1000).toFixed(2),
    classesDecided: result.decided,
    decisions: result.decided * 2,
    microsecondsPerClass: +((decideMs * 1000) / Math.max(1, result.decided)).toFixed(1),
    pairsConsidered: result.plan.pairsConsidered,
    pairsDecided: result.plan.pairs.length,
    complete: result.plan.bounded.length === 0,
    rows: report.rows.length,
    changedClasses: report.counts,
    node: process.version,
    loadAverage: loadavg().map((l) => +l.toFixed(2)),
    date: new Date().toISOString(),
  };
  const out = join(packageRoot(), "bench", "results");
  writeFileSync(join(out, "impact-diff.json"), `${JSON.stringify(figures, null, 2)}\n`);
  const md = [
    "# Impact analysis at tier M",
    "",
    `\`gatehouse diff\` of the tier M policy set (${figures.apps} apps, ${figures.profiles} profiles, ${figures.permissionSets} permission sets, ${figures.ranges} ranges) against ${figures.change}.`,
    "",
    "| step | seconds |",
    "| --- | ---: |",
    `| build both versions (two \`opa build\`, in parallel) | ${figures.buildBothSeconds} |`,
    `| enumerate and decide (${figures.classesDecided} request classes × 2 versions) | ${figures.enumerateAndDecideSeconds} |`,
    `| classify and merge into ${figures.rows} report rows | ${figures.classifySeconds} |`,
    "",
    `${figures.pairsDecided} of ${figures.pairsConsidered} (profile, app) pairs decided; enumeration complete: ${figures.complete}. ${figures.microsecondsPerClass} µs per class (both decisions). Changed classes: ${JSON.stringify(figures.changedClasses)}.`,
    "",
    `Node ${figures.node}, ${figures.date}, load average ${figures.loadAverage.join(" ")} at the end (on a shared machine, seconds grow with the load). Run: \`npx tsx bench/impact-diff.ts\`.`,
    "",
  ].join("\n");
  writeFileSync(join(out, "impact-diff.md"), md);
  process.stdout.write(md);
} finally {
  rmSync(root, { recursive: true, force: true });
}
