import { isSkipped, type BenchResults, type ScalingPoint, type TierResult } from "./results.js";
import type { LatencyStats } from "./measure.js";
import { median } from "./targets.js";

/** Nanoseconds as microseconds with two decimals. */
export function us(ns: number): string {
  return Number.isFinite(ns) ? `${(ns / 1000).toFixed(2)} µs` : "—";
}

/** A count with thousands separators. */
export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";
}

function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(0)} ms` : "—";
}

function ratio(v: number): string {
  return Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v.toFixed(2)}×` : "—";
}

/** A Markdown table; cells are escaped for pipes. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ].join("\n");
}

function ranges(t: TierResult): string {
  return `${count(t.spec.ranges)}${t.spec.feed ? " + feed" : ""}`;
}

function tierRows(tiers: readonly TierResult[]): string[][] {
  return tiers.map((t) => {
    const d = t.gatehouse.decide;
    const pool = t.baselines.pool;
    return [
      t.spec.name,
      count(t.spec.apps),
      count(t.spec.profiles),
      ranges(t),
      mib(t.sizes.dataJsonBytes),
      count(t.gatehouse.decideThroughput.perSecond),
      us(d.p50Ns),
      us(d.p90Ns),
      us(d.p99Ns),
      us(d.p999Ns),
      `${count(d.count)}`,
      count(t.gatehouse.decideMany.perSecond),
      pool.available
        ? `${count(pool.perSecond)} (${pool.workers} workers, ${pool.cpuCores.toFixed(2)} cores busy)`
        : `— (${pool.reason})`,
    ];
  });
}

function baselineRows(t: TierResult): string[][] {
  const gatehouseMean = 1e9 / t.gatehouse.decideThroughput.perSecond;
  const rows: string[][] = [
    [
      "Gatehouse `decide(request)`",
      us(gatehouseMean),
      "1×",
      `mean of ${count(t.gatehouse.decideThroughput.count)} decisions`,
    ],
  ];
  const naive = t.baselines.naive;
  rows.push(
    isSkipped(naive)
      ? ["(a) naive Rego, same runtime", "—", "—", naive.skipped]
      : [
          "(a) naive Rego, same runtime",
          us(naive.latency.meanNs),
          ratio(naive.latency.meanNs / gatehouseMean),
          `p50 ${us(naive.latency.p50Ns)} (Gatehouse ${us(t.gatehouse.decide.p50Ns)}); ${count(naive.latency.count)} decisions; ${count(naive.appRules)} app rules, ${count(naive.cidrs)} CIDRs; agreed with the expected allow/deny on ${count(naive.checked - naive.disagreements)} of ${count(naive.checked)}`,
        ],
  );
  const onOpaInputs = 1e9 / t.gatehouse.opaInputs.perSecond;
  for (const [label, r] of [
    ["(b) OPA Go evaluator, loop", t.baselines.opaNative.loop],
    ["(b) OPA Go evaluator, one input", t.baselines.opaNative.single],
  ] as const) {
    rows.push(
      isSkipped(r)
        ? [label, "—", "—", r.skipped]
        : [
            label,
            us(r.nsPerDecision),
            ratio(r.nsPerDecision / onOpaInputs),
            `${r.what}; ${count(r.ops)} ops; ${r.allocsPerDecision.toFixed(0)} allocs/decision${r.pinned ? "; one core" : ""}; vs Gatehouse ${us(onOpaInputs)} on the same inputs`,
          ],
    );
  }
  const inOut = 1e9 / t.gatehouse.jsonInOut.perSecond;
  const reference = 1e9 / t.baselines.reference.perSecond;
  rows.push([
    "(d) reference evaluator, JSON in → JSON out",
    us(reference),
    ratio(inOut / reference),
    `Gatehouse JSON in → JSON out ${us(inOut)} ÷ this; ${count(t.baselines.reference.count)} decisions`,
  ]);
  rows.push([
    "JSON floor: parse request, stringify a fixed decision",
    us(1e9 / t.baselines.jsonFloor.perSecond),
    ratio(inOut / (1e9 / t.baselines.jsonFloor.perSecond)),
    "Gatehouse JSON in → JSON out ÷ this",
  ]);
  return rows;
}

function httpRows(tiers: readonly TierResult[]): string[][] {
  const rows: string[][] = [];
  for (const t of tiers) {
    const h = t.baselines.http;
    for (const [label, run] of [
      ["gatehouse serve", h.gatehouse],
      ["opa run --server, the same bundle", h.opa],
      ["opa run --server, its Rego and data (topdown)", h.opaTopdown],
      ["opa run --server, trivial-policy floor (HTTP floor)", h.opaFloor],
    ] as const) {
      if (run === undefined) continue;
      if (isSkipped(run)) {
        rows.push([t.spec.name, label, "—", "—", "—", "—", "—", run.skipped]);
        continue;
      }
      const vs = isSkipped(h.gatehouse) ? "—" : ratio(h.gatehouse.perSecond / run.perSecond);
      rows.push([
        t.spec.name,
        label,
        count(run.perSecond),
        run.perCoreSecond === undefined
          ? "—"
          : `${count(run.perCoreSecond)} (${run.serverCpuSeconds!.toFixed(1)} CPU s)`,
        us(run.latency.p50Ns),
        us(run.latency.p99Ns),
        vs,
        `${run.concurrency} connections, ${count(run.requests)} requests, ${run.errors} errors, ${run.wrong} wrong${run.retried > 0 ? `, ${run.retried} resent after a keep-alive reset` : ""}${h.serverPinned ? "; server on core 1, client on core 0" : ""}`,
      ]);
    }
  }
  return rows;
}

function sideBySideRows(tiers: readonly TierResult[]): string[][] {
  const rows: string[][] = [];
  const line = (t: TierResult, arm: string, l: LatencyStats, r: string, what: string): string[] => [
    t.spec.name,
    arm,
    us(l.meanNs),
    us(l.p50Ns),
    us(l.p99Ns),
    count(l.count),
    r,
    what,
  ];
  for (const t of tiers) {
    const a = t.sideBySide;
    if (isSkipped(a)) {
      rows.push([t.spec.name, "—", "—", "—", "—", "—", "—", a.skipped]);
      continue;
    }
    rows.push(line(t, "Gatehouse `decide(request)`", a.gatehouse, "1×", "every stream request"));
    rows.push(
      line(
        t,
        "trivial-policy floor, same runtime",
        a.floor,
        `Gatehouse ÷ floor = ${ratio(a.gatehouse.meanNs / a.floor.meanNs)}`,
        "the same requests",
      ),
    );
    const c = a.cedar;
    if (isSkipped(c)) {
      rows.push([t.spec.name, "Cedar", "—", "—", "—", "—", "—", c.skipped]);
      continue;
    }
    rows.push(line(t, "Gatehouse, core requests", c.gatehouse, "1×", `the stream's ${count(c.checked)} core requests`));
    rows.push(
      line(
        t,
        `Cedar ${c.version}, equivalent policy`,
        c.cedar,
        `Cedar ÷ Gatehouse = ${ratio(c.cedar.meanNs / c.gatehouse.meanNs)}`,
        `${count(c.policies)} policies, ${count(c.rangeTests)} isInRange tests, parsed in ${ms(c.prepareMs)}; ` +
          `agreed on ${count(c.checked - c.disagreements)} of ${count(c.checked)}`,
      ),
    );
  }
  return rows;
}

function compileRows(tiers: readonly TierResult[]): string[][] {
  return tiers.map((t) => {
    const f = t.compile.first;
    const l = t.load;
    return [
      t.spec.name,
      mib(t.sizes.sourceBytes),
      `${ms(f.total)} (${[f.load, f.validate, f.lower, f.emit, f.build].map((v) => v.toFixed(0)).join(" / ")})`,
      ms(median(t.compile.warmMs)),
      ms(median(t.compile.coldMs)),
      `${ms(l.totalMs)} (${[l.readMs, l.unpackMs, l.verifyMs, l.instantiateMs, l.setDataMs].map((v) => v.toFixed(1)).join(" / ")})`,
      l.warmMs === undefined ? "—" : ms(l.warmMs),
      `${mib(t.memory.wasmMemoryBytes)} (${(t.memory.wasmMemoryBytes / t.memory.dataJsonBytes).toFixed(1)}× data.json)`,
      isSkipped(t.memory.process)
        ? t.memory.process.skipped
        : `${mib(t.memory.process.baselineBytes)} → ${mib(t.memory.process.loadedBytes)}`,
    ];
  });
}

function breakdownSection(tiers: readonly TierResult[]): string[] {
  const out: string[] = [];
  const names = tiers.map((t) => t.spec.name);
  out.push(
    table(
      [
        "tier",
        "copy + JSON.stringify",
        "validate (ajv)",
        "opa_eval: write input, evaluate, decode",
        "JSON.parse(result)",
        "decide() total",
      ],
      tiers.map((t) => {
        const s = t.breakdown.steps;
        return "skipped" in s
          ? [t.spec.name, s.skipped, "", "", "", ""]
          : [t.spec.name, us(s.serializeNs), us(s.validateNs), us(s.evaluateNs), us(s.parseResultNs), us(s.decideNs)];
      }),
    ),
  );
  out.push(
    "Means on the stream's valid requests, each step timed alone (the runtime skips parsing the result for a plain allow it has seen before).",
    "",
  );
  const ruleNames = [...new Set(tiers.flatMap((t) => (isSkipped(t.rules) ? [] : t.rules.map((r) => r.rule))))];
  if (ruleNames.length > 0) {
    out.push(
      table(
        ["rule evaluated alone", ...names.map((n) => `mean, ${n}`)],
        ruleNames.map((rule) => [
          `\`${rule}\``,
          ...tiers.map((t) =>
            isSkipped(t.rules) ? "—" : us(t.rules.find((r) => r.rule === rule)?.meanNs ?? Number.NaN),
          ),
        ]),
      ),
    );
    out.push(
      "Each rule is an entry point of a second build of the same Rego and is evaluated alone through `opa_eval` on every request of the stream, so its time includes the rules it depends on (an undefined rule returns early).",
      "",
    );
  }
  const ids = Object.keys(tiers[0]?.breakdown.byTemplate ?? {});
  out.push(
    table(
      ["template", ...names.map((n) => `p50, ${n}`)],
      ids.map((id) => [id, ...tiers.map((t) => us(t.breakdown.byTemplate[id]?.p50Ns ?? Number.NaN))]),
    ),
  );
  out.push(
    table(
      ["allowed requests by address form", ...names.map((n) => `p50, ${n}`)],
      (["v4", "v6", "mapped"] as const).map((f) => [
        { v4: "IPv4", v6: "IPv6", mapped: "IPv4-mapped IPv6" }[f],
        ...tiers.map((t) => us(t.breakdown.byForm[f].p50Ns)),
      ]),
    ),
  );
  return out;
}

function scalingRows(points: readonly ScalingPoint[], field: "ranges" | "apps"): string[][] {
  const first = points[0]?.gatehouse.p50Ns ?? Number.NaN;
  return points.map((p) => {
    const naive = p.naive;
    const n = isSkipped(naive) ? undefined : naive;
    return [
      count(p.spec[field]),
      count(p.prefixes),
      mib(p.dataJsonBytes),
      us(p.gatehouse.p50Ns),
      us(p.gatehouse.p99Ns),
      ratio(p.gatehouse.p50Ns / first),
      n ? us(n.p50Ns) : isSkipped(naive) ? naive.skipped : "—",
      n ? ratio(n.p50Ns / p.gatehouse.p50Ns) : "—",
    ];
  });
}

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

/** The results as a Markdown report: targets first, then every measurement, then how it was measured. */
export function markdownReport(r: BenchResults, chartFile: string | undefined): string {
  const out: string[] = [];
  out.push(`# Gatehouse benchmark (${r.mode} run)`, "");
  out.push(runLine(r), "");
  out.push(
    `Provider feed: ${r.feed.origin === "file" ? `\`${r.feed.path}\`` : "generated with the real feed's size and shape (the real one was absent)"}, ${count(r.feed.v4)} IPv4 and ${count(r.feed.v6)} IPv6 prefixes.`,
    "",
  );
  out.push("## Targets", "");
  out.push(targetsTable(r));
  out.push("Ratio to goal: the measured value over the goal, oriented so that 1 or less meets it.", "");
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
  out.push("## Where a decision's time goes", "");
  out.push(...breakdownSection(r.tiers));
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
  out.push("## Budgets", "");
  out.push(
    table(
      ["budget", "value"],
      Object.entries(r.budgets).map(([k, v]) => [k, Number.isInteger(v) ? count(v) : String(v)]),
    ),
  );
  return out.join("\n");
}
