import { afterEach, describe, expect, it, vi } from "vitest";
import { DecisionLog, type Authorizer, type DecisionEvent } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { VALID, EXPECTED, summary, quickstart, inputInvalid } from "../helpers/authorizer-guards.js";

/**
 * The authorizer's refusals and fail-closed paths — memory, traps and decision logging. Every test loads
 * its own authorizer, so the decision-path mutation run charges each mutant only the tests
 * that reach it.
 */

afterEach(() => {
  vi.restoreAllMocks();
});

describe("memory and traps", () => {
  const wide = (): Record<string, string[]> => {
    const request: Record<string, string[]> = {};
    for (let i = 0; i < 1500; i++) request[`${"u".repeat(60)}${i}`] = ["x".repeat(10)];
    return request;
  };

  it("reports the pages in use and the bound", async () => {
    const loaded = await quickstart({ maxMemoryPages: 40 });
    const usage = loaded.memoryUsage();
    expect(usage.maximumPages).toBe(40);
    expect(usage.bytes).toBe(usage.pages * 65536);
    expect(usage.pages).toBeGreaterThanOrEqual(8);
    expect(loaded.health()).toEqual({ traps: 0, restarts: 0, healthy: true });
  });

  it("grows memory for a large request that fits the bound, and decides it", async () => {
    const loaded = await quickstart({ maxRequestBytes: 1 << 22 });
    const before = loaded.memoryUsage().pages;
    const big = { ...VALID, user: { ...VALID.user, id: "x".repeat(3_000_000) } };
    const decision = loaded.decide(big);
    expect(decision.reasons[0]?.code).toBe("INPUT_INVALID");
    expect(decision.reasons[0]?.message).not.toMatch(/memory|larger/);
    expect(loaded.memoryUsage().pages).toBeGreaterThan(before);
    expect(loaded.health().traps).toBe(0);
  });

  it("grows memory for a request up to three times the room left, and decides it whole", async () => {
    // 600 000 bytes: more than the 8 pages a small bundle starts with hold above its data, but
    // less than three times that, so only the exact UTF-8 size shows that memory must grow.
    const loaded = await quickstart({ maxMemoryPages: 40, maxRequestBytes: 1 << 21 });
    expect(loaded.memoryUsage().pages).toBe(8);
    const decision = loaded.decide({ ...VALID, user: { ...VALID.user, id: "x".repeat(600_000) } });
    expect(decision.reasons[0]).toMatchObject({
      code: "INPUT_INVALID",
      message: "the request does not match the input schema: invalid `user`",
    });
    expect(loaded.health().traps).toBe(0);
  });

  it("refuses a request that cannot fit in the bound with EVALUATION_ERROR, without a trap", async () => {
    const small = await quickstart({ maxMemoryPages: 9, maxRequestBytes: 1 << 22 });
    const decision = small.decide({ ...VALID, user: { id: "x".repeat(2_000_000) } });
    expect(decision.reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(decision.reasons[0]?.message).toMatch(/^the request does not fit in the policy's memory: ./);
    expect(small.health().traps).toBe(0);
  });

  it("replaces the instance after a trap, so the next request is decided afresh", async () => {
    const small = await quickstart({ maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    expect(small.decide(wide()).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.decide(wide()).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.health()).toEqual({ traps: 2, restarts: 2, healthy: true });
    expect(small.decideMany(QUICKSTART_REQUESTS).map(summary)).toEqual(EXPECTED);
  });

  it("denies every decision with EVALUATION_ERROR once an instance cannot be rebuilt", async () => {
    const small = await quickstart({ maxMemoryPages: 12, maxRequestBytes: 1 << 20 });
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (...args: unknown[]) => unknown } })
      .WebAssembly;
    vi.spyOn(wasm, "Instance").mockImplementation(() => {
      throw new Error("no instance");
    });
    expect(small.decide(wide()).reasons[0]?.code).toBe("EVALUATION_ERROR");
    expect(small.health()).toEqual({ traps: 1, restarts: 0, healthy: false });
    vi.restoreAllMocks();
    expect(small.decide(VALID).reasons[0]).toEqual({
      code: "EVALUATION_ERROR",
      message: "the policy could not be restarted after a trap",
      control: "runtime",
      source: null,
    });
  });
});

describe("decision logging", () => {
  async function logged(sampleRate = 1): Promise<{ loaded: Authorizer; events: DecisionEvent[] }> {
    const events: DecisionEvent[] = [];
    const decisionLog = DecisionLog.open({ sink: (e) => events.push(e), sampleRate, random: () => 0.5 });
    return { loaded: await quickstart({ decisionLog }), events };
  }

  it("records each sampled decision with the request as judged and the decision", async () => {
    const { loaded, events } = await logged();
    const decision = loaded.decide({ ...VALID, note: "a\ud800b" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      path: "gatehouse/decision",
      input: { ...VALID, note: "a\ufffdb" },
      result: decision,
    });
    expect(events[0]!.bundles).toEqual({ gatehouse: { revision: loaded.revision } });
    const ns = events[0]!.metrics.timer_rego_query_eval_ns!;
    expect(ns).toBeGreaterThan(0);
    // An elapsed time, not a clock reading: less than the monotonic clock itself.
    expect(ns).toBeLessThan(Number(process.hrtime.bigint()));
  });

  it("records nothing for decisions it does not sample", async () => {
    const { loaded, events } = await logged(0.4);
    loaded.decide(VALID);
    loaded.decideJson("{");
    expect(events).toEqual([]);
  });

  it("records a request that never became JSON without an input, not the previous request's", async () => {
    const { loaded, events } = await logged();
    loaded.decide(VALID);
    loaded.decide({ n: 1n });
    expect(events).toHaveLength(2);
    expect("input" in events[1]!).toBe(false);
    expect(events[1]!.result).toEqual(inputInvalid("the request cannot be serialized as JSON", loaded.revision));
  });

  it("records text that is not JSON without an input", async () => {
    const { loaded, events } = await logged();
    const decision = loaded.decideJson("{");
    expect(events).toHaveLength(1);
    expect("input" in events[0]!).toBe(false);
    expect(events[0]!.result).toEqual(decision);
    expect(events[0]!.metrics.timer_rego_query_eval_ns).toBe(0);
  });

  it("does not log the probe decision made at load", async () => {
    const { events } = await logged();
    expect(events).toEqual([]);
  });
});
