import { breakdownSection, compileRows, scalingRows } from "./markdown-costs.js";
import { baselineRows, httpRows, sideBySideRows, tierRows } from "./markdown-decisions.js";
import { count, table } from "./markdown-format.js";
import type { BenchResults } from "./results.js";

export { count, table, us } from "./markdown-format.js";

/** The machine, the commit and the conditions of the run, in one paragraph. */
function runLine(r: BenchResults): string {
  const m = r.machine;
  return (
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; opa ${m.opa}; ${m.platform}; ` +
    `commit \`${m.commit}\`${m.dirty ? " (with uncommitted changes)" : ""}; ${m.date}. ` +
    `Load average ${m.loadAverage.start.toFixed(2)} at the start, ${m.loadAverage.end?.toFixed(2) ?? "—"} at the end. ` +
    `Single-core loops ${r.tiers.every((t) => t.pinned) ? "pinned to CPU 0 with taskset" : "not pinned (taskset unavailable)"}; ` +
    `run took ${(r.durationSeconds / 60).toFixed(1)} min.`
  );
}

/** Every target with its goal, measurement and status. */
function targetsTable(r: BenchResults): string {
  return table(
    ["target", "goal", "measured", "ratio to goal", "status"],
    r.targets.map((t) => [
      t.target,
      t.goal,
      t.measured,
      Number.isFinite(t.ratio) ? t.ratio.toFixed(2) : "—",
      t.status + (t.note ? ` (${t.note})` : ""),
    ]),
  );
}

/** The run and its targets, as the README quotes them (a test checks the README holds this text). */
export function summaryMarkdown(r: BenchResults): string {
  return [runLine(r), "", targetsTable(r)].join("\n");
}

/** The title, the run and the provider feed. */
function intro(r: BenchResults): string[] {
  const out: string[] = [];
  out.push(`# Gatehouse benchmark (${r.mode} run)`, "");
  out.push(runLine(r), "");
  out.push(
    `Provider feed: ${r.feed.origin === "file" ? `\`${r.feed.path}\`` : "generated with the real feed's size and shape (the real one was absent)"}, ${count(r.feed.v4)} IPv4 and ${count(r.feed.v6)} IPv6 prefixes.`,
    "",
  );
  return out;
}

/** The targets, judged. */
function targetsSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Targets", "");
  out.push(targetsTable(r));
  out.push("Ratio to goal: the measured value over the goal, oriented so that 1 or less meets it.", "");
  return out;
}

/** Decisions on one core, per tier. */
function decisionsSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Decisions, one core", "");
  out.push(
    table(
      [
        "tier",
        "apps",
        "profiles",
        "ranges",
        "data.json",
        "decisions/s",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "timed",
        "decideMany/s",
        "worker pool/s",
      ],
      tierRows(r.tiers),
    ),
  );
  out.push(
    "`decide(request)` on a request object (what an embedding service calls), one decision at a time, on the tier's stream. " +
      "Decisions/s from a loop timed as a whole; percentiles from `process.hrtime.bigint()` around each decision in a second loop. " +
      "decideMany: batches of the stream. Worker pool: every core, batches in flight.",
    "",
  );
  return out;
}

/** Gatehouse beside the trivial-policy floor and Cedar. */
function sideBySideSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Side by side: the trivial-policy floor and Cedar", "");
  out.push(table(["tier", "arm", "mean", "p50", "p99", "timed", "ratio", "what"], sideBySideRows(r.tiers)));
  out.push(
    "Timed in one process on the same requests, in interleaved rounds (each pair alternates " +
      "within every round, so a change in the machine's load falls on both). The floor is a bundle whose " +
      "policy returns a constant plain allow, built by the same `opa build -t wasm` and decided by the same " +
      "runtime (`Authorizer.decide`): everything but the Rego. Cedar decides, through `@cedar-policy/cedar-wasm` " +
      "(`statefulIsAuthorized`, policies parsed once), an equivalent policy for the core of the workload — the " +
      "connected-app allowlist, app assignment by profile or permission set, the profile's login IP ranges — " +
      "generated from the same declarations (bench/harness/cedar.ts), on the stream's requests inside that core, " +
      "after checking that it decides each of them as Gatehouse does.",
    "",
  );
  return out;
}

/** The baselines of each tier, then the HTTP servers. */
function baselinesSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Baselines", "");
  for (const t of r.tiers) {
    out.push(`### Tier ${t.spec.name}`, "");
    out.push(table(["arm", "mean per decision", "ratio to Gatehouse", "what"], baselineRows(t)));
  }
  out.push("### (c) HTTP on loopback", "");
  out.push(
    table(
      [
        "tier",
        "server",
        "requests/s",
        "per core (requests ÷ server CPU seconds)",
        "p50",
        "p99",
        "gatehouse serve ÷ this (requests/s)",
        "how",
      ],
      httpRows(r.tiers),
    ),
  );
  out.push(
    "The same keep-alive client, concurrency and stream against every server. The HTTP floor serves a policy whose " +
      "decision is a constant allow: what OPA's server costs per request before any policy runs.",
    "",
  );
  return out;
}

/** Where a decision's time goes. */
function breakdownPart(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Where a decision's time goes", "");
  out.push(...breakdownSection(r.tiers));
  return out;
}

/** Compile, load and memory. */
function compileSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Compile, load, memory", "");
  out.push(
    table(
      [
        "tier",
        "YAML + feed",
        "first compile (load / validate / lower / emit / build ms)",
        "warm compile",
        "cold `gatehouse build`",
        "Authorizer.load, cold (read / unpack / verify / compile + instantiate / setData ms)",
        "Authorizer.load, warm (same revision, third load)",
        "WebAssembly memory",
        "process RSS (fresh Node: runtime imported → bundle loaded)",
      ],
      compileRows(r.tiers),
    ),
  );
  return out;
}

/** Latency against ranges and apps, with the chart when one was drawn. */
function scalingSection(r: BenchResults, chartFile: string | undefined): string[] {
  const out: string[] = [];
  out.push("## Scaling", "");
  if (chartFile) out.push(`![p50 and p99 latency against ranges and apps](${chartFile})`, "");
  out.push("Login IP ranges (10 apps, 8 profiles):", "");
  out.push(
    table(
      ["ranges", "prefixes", "data.json", "p50", "p99", "p50 ÷ first", "naive p50", "naive ÷ Gatehouse"],
      scalingRows(r.scaling.ranges, "ranges"),
    ),
  );
  out.push("Connected apps (10 ranges, 8 profiles):", "");
  out.push(
    table(
      ["apps", "prefixes", "data.json", "p50", "p99", "p50 ÷ first", "naive p50", "naive ÷ Gatehouse"],
      scalingRows(r.scaling.apps, "apps"),
    ),
  );
  return out;
}

/** The request stream the tiers decide. */
function streamSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Request stream", "");
  const s = r.tiers[0]?.stream;
  if (s) {
    out.push(
      `Each tier decides a fixed, seeded stream of ${count(s.requests)} requests (${((s.allowed / s.requests) * 100).toFixed(0)}% allowed), cycled. ` +
        `Addresses: ${count(s.byForm.v4)} IPv4, ${count(s.byForm.v6)} IPv6, ${count(s.byForm.mapped)} IPv4-mapped IPv6. ` +
        `Request JSON: mean ${s.meanBytes.toFixed(0)} bytes, largest ${s.maxBytes} bytes. ` +
        `Deny paths: ${s.reasonCodes.length} of the 18 reason codes (all but EVALUATION_ERROR, which only the runtime produces). ` +
        `Mix of tier ${r.tiers[0]!.spec.name} (the other tiers draw the same templates with the same weights):`,
      "",
    );
    out.push(
      table(
        ["template", "requests", "share"],
        Object.entries(s.byTemplate).map(([id, n]) => [id, count(n), `${((n / s.requests) * 100).toFixed(1)}%`]),
      ),
    );
  }
  return out;
}

/** The budgets of the run. */
function budgetsSection(r: BenchResults): string[] {
  const out: string[] = [];
  out.push("## Budgets", "");
  out.push(
    table(
      ["budget", "value"],
      Object.entries(r.budgets).map(([k, v]) => [k, Number.isInteger(v) ? count(v) : String(v)]),
    ),
  );
  return out;
}

/** The results as a Markdown report: targets first, then every measurement, then how it was measured. */
export function markdownReport(r: BenchResults, chartFile: string | undefined): string {
  return [
    ...intro(r),
    ...targetsSection(r),
    ...decisionsSection(r),
    ...sideBySideSection(r),
    ...baselinesSection(r),
    ...breakdownPart(r),
    ...compileSection(r),
    ...scalingSection(r, chartFile),
    ...streamSection(r),
    ...budgetsSection(r),
  ].join("\n");
}
