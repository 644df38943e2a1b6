import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Decision, DecisionLog, ReloadingAuthorizer } from "../../wasm/index.js";
import { latestRefusal } from "./refusal.js";

/** The routes the server counts requests by (a closed set, so label cardinality stays bounded). */
export type Route = "data" | "v0-data" | "health" | "metrics" | "other";

/** Decision latency buckets, in seconds: from 10 µs (a decision) to 100 ms (something is wrong). */
const DECISION_BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 1e-1];

/**
 * The server's Prometheus metrics, in their own registry: decisions by outcome and first
 * reason code, decision and request latency histograms, the bundle in use and its reloads,
 * the policy's WebAssembly memory and traps, decision-log counts, and Node's process metrics.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly decisions: Counter<"decision" | "reason">;
  private readonly decisionSeconds: Histogram;
  private readonly requests: Counter<"route" | "code">;
  private readonly requestSeconds: Histogram<"route">;

  constructor(authorizer: ReloadingAuthorizer, decisionLog: DecisionLog | undefined) {
    const registers = [this.registry];
    this.decisions = new Counter({
      name: "gatehouse_decisions_total",
      help: "Decisions made, by outcome (allow or deny) and the code of the first reason (empty for allow).",
      labelNames: ["decision", "reason"],
      registers,
    });
    this.decisionSeconds = new Histogram({
      name: "gatehouse_decision_duration_seconds",
      help: "Time to decide one request in the WebAssembly policy, validation included.",
      buckets: DECISION_BUCKETS,
      registers,
    });
    this.requests = new Counter({
      name: "gatehouse_http_requests_total",
      help: "HTTP requests answered, by route and status code.",
      labelNames: ["route", "code"],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "gatehouse_http_request_duration_seconds",
      help: "Time from a request's arrival to its answer, body reading included.",
      labelNames: ["route"],
      buckets: [1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 1],
      registers,
    });
    new Counter({
      name: "gatehouse_bundle_reloads_total",
      help: "New bundles swapped in (success) or refused (failure) since start.",
      labelNames: ["result"],
      registers,
      collect() {
        const status = authorizer.status();
        this.reset();
        this.inc({ result: "success" }, status.reloads);
        this.inc({ result: "failure" }, status.failures);
      },
    });
    new Gauge({
      name: "gatehouse_bundle_info",
      help: "The bundle in use: always 1, labelled with its revision.",
      labelNames: ["revision"],
      registers,
      collect() {
        this.reset();
        this.set({ revision: authorizer.revision }, 1);
      },
    });
    new Gauge({
      name: "gatehouse_bundle_last_success_timestamp_seconds",
      help: "When the bundle in use was loaded, in seconds since the epoch.",
      registers,
      collect() {
        this.set(authorizer.status().lastSuccess.getTime() / 1000);
      },
    });
    new Gauge({
      name: "gatehouse_bundle_refused",
      help: "1, labelled with the error code, while the latest new bundle was refused and the last good one serves.",
      labelNames: ["code"],
      registers,
      collect() {
        this.reset();
        const refused = latestRefusal(authorizer);
        if (refused) this.set({ code: refused.code }, 1);
      },
    });
    new Gauge({
      name: "gatehouse_bundle_signature",
      help: "The bundle in use: always 1, labelled verified, unverified (signed, no key configured) or unsigned.",
      labelNames: ["status"],
      registers,
      collect() {
        this.reset();
        this.set({ status: authorizer.current.signature }, 1);
      },
    });
    new Gauge({
      name: "gatehouse_wasm_memory_bytes",
      help: "WebAssembly memory held by the policy in use.",
      registers,
      collect() {
        this.set(authorizer.memoryUsage().bytes);
      },
    });
    new Gauge({
      name: "gatehouse_wasm_memory_max_bytes",
      help: "The bound on the policy's WebAssembly memory.",
      registers,
      collect() {
        this.set(authorizer.memoryUsage().maximumPages * 65536);
      },
    });
    new Gauge({
      name: "gatehouse_wasm_traps",
      help: "Evaluations of the bundle in use that trapped (each was denied and the instance replaced).",
      registers,
      collect() {
        this.set(authorizer.health().traps);
      },
    });
    if (decisionLog) {
      new Gauge({
        name: "gatehouse_decision_log_events",
        help: "Decision-log events recorded since start, by what became of them.",
        labelNames: ["state"],
        registers,
        collect() {
          const stats = decisionLog.stats();
          this.set({ state: "recorded" }, stats.events);
          this.set({ state: "dropped" }, stats.dropped);
          this.set({ state: "failed" }, stats.errors);
        },
      });
    }
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one decision and its latency. */
  decided(decision: Decision, seconds: number): void {
    this.decisions.inc({ decision: decision.allow ? "allow" : "deny", reason: decision.reasons[0]?.code ?? "" });
    this.decisionSeconds.observe(seconds);
  }

  /** Counts one answered HTTP request and its latency. */
  answered(route: Route, code: number, seconds: number): void {
    this.requests.inc({ route, code: String(code) });
    this.requestSeconds.observe({ route }, seconds);
  }
}
