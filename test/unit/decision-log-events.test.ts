import { describe, expect, it } from "vitest";
import { DecisionLog } from "../../wasm/decision-log.js";
import { RUNTIME_VERSION } from "../../wasm/version.js";
import { RESULT, callbackLog, optionsError } from "../helpers/decision-log.js";

/** The decision-log module alone, no bundle: the events a log records, sampling, options and a throwing callback. */

describe("events never share state with the caller", () => {
  it("copies the result before masking, so the caller's decision is unchanged", () => {
    const result = structuredClone(RESULT);
    const { log, events } = callbackLog({ mask: ["/result/reasons"] });
    log.record("p", "{}", result, "r", 0);
    expect(result).toEqual(RESULT);
    expect(events[0]!.result).toEqual({ allow: false, notes: [], revision: "r1" });
  });

  it("copies the result for a callback sink even without mask rules", () => {
    const result = structuredClone(RESULT);
    const { log, events } = callbackLog();
    log.record("p", "{}", result, "r", 0);
    (events[0]!.result as typeof RESULT).reasons.pop();
    expect(result).toEqual(RESULT);
  });
});

describe("event fields", () => {
  it("carry OPA's decision-log fields and the caller's context", () => {
    const { log, events } = callbackLog({ bundleName: "main", labels: { env: "test" } });
    const id = log.record("gatehouse/decision", '{"a":1}', RESULT, "rev9", 42, {
      decisionId: "d-1",
      requestedBy: "10.0.0.1",
      metrics: { extra: 3 },
    });
    expect(id).toBe("d-1");
    const event = events[0]!;
    expect(event).toMatchObject({
      decision_id: "d-1",
      path: "gatehouse/decision",
      input: { a: 1 },
      result: RESULT,
      bundles: { main: { revision: "rev9" } },
      requested_by: "10.0.0.1",
      metrics: { timer_rego_query_eval_ns: 42, extra: 3 },
    });
    expect(event.labels).toEqual({ env: "test", id: event.labels.id, version: RUNTIME_VERSION });
    expect(event.labels.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.timestamp)).not.toBeNaN();
  });

  it("default to the bundle name `gatehouse`, a fresh decision id, and no requested_by", () => {
    const { log, events } = callbackLog();
    const id = log.record("p", undefined, undefined, "r", 0);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(events[0]).toMatchObject({ decision_id: id, bundles: { gatehouse: { revision: "r" } } });
    expect(Object.keys(events[0]!)).not.toContain("requested_by");
    expect(Object.keys(events[0]!)).not.toContain("input");
    expect(Object.keys(events[0]!)).not.toContain("result");
    expect(log.stats()).toEqual({ events: 1, dropped: 0, errors: 0 });
  });
});

describe("sampling", () => {
  it.each([
    ["a negative rate", -0.1],
    ["a rate above 1", 1.5],
    ["NaN", Number.NaN],
    ["a rate that is not a number", "1" as unknown as number],
  ])("refuses %s", (_what, sampleRate) => {
    expect(optionsError(() => DecisionLog.open({ sink: () => undefined, sampleRate }))).toContain(
      "`sampleRate` must be a number from 0 to 1",
    );
  });

  it("logs every decision at rate 1 (the default) without drawing", () => {
    const random = (): number => {
      throw new Error("drawn");
    };
    expect(DecisionLog.open({ sink: () => undefined, random }).sampled()).toBe(true);
    expect(DecisionLog.open({ sink: () => undefined, random, sampleRate: 1 }).sampled()).toBe(true);
  });

  it("logs no decision at rate 0, without drawing", () => {
    const random = (): number => {
      throw new Error("drawn");
    };
    expect(DecisionLog.open({ sink: () => undefined, random, sampleRate: 0 }).sampled()).toBe(false);
  });

  it("logs a decision when the draw falls strictly under the rate", () => {
    const at = (draw: number): boolean =>
      DecisionLog.open({ sink: () => undefined, sampleRate: 0.5, random: () => draw }).sampled();
    expect(at(0.49)).toBe(true);
    expect(at(0.5)).toBe(false);
    expect(at(0.51)).toBe(false);
  });

  it("samples nothing once closed, and records nothing", async () => {
    const { log, events } = callbackLog();
    await log.close();
    expect(log.sampled()).toBe(false);
    expect(log.record("p", "{}", {}, "r", 0, { decisionId: "kept" })).toBe("kept");
    expect(events).toEqual([]);
    expect(log.stats().events).toBe(0);
  });
});

describe("options", () => {
  it.each([
    ["zero", 0],
    ["a fraction", 1.5],
    ["a negative number", -5],
  ])("refuses maxBufferedBytes of %s", (_what, maxBufferedBytes) => {
    expect(optionsError(() => DecisionLog.open({ sink: () => undefined, maxBufferedBytes }))).toContain(
      "`maxBufferedBytes` must be a positive integer",
    );
  });

  it("accepts maxBufferedBytes of 1", () => {
    expect(() => DecisionLog.open({ sink: () => undefined, maxBufferedBytes: 1 })).not.toThrow();
  });

  it.each([
    ["an empty path", ""],
    ["a number", 3 as unknown as string],
  ])("refuses a sink that is %s", (_what, sink) => {
    expect(optionsError(() => DecisionLog.open({ sink }))).toBe("`sink` must be a file path or a function");
  });
});

describe("a throwing callback never fails a decision", () => {
  it("counts and reports the failure, wrapping what is not an Error", () => {
    const reported: Error[] = [];
    const log = DecisionLog.open({
      sink: () => {
        throw "boom"; // eslint-disable-line @typescript-eslint/only-throw-error -- a callback may throw anything
      },
      onError: (e) => reported.push(e),
    });
    expect(() => log.record("p", "{}", {}, "r", 0)).not.toThrow();
    expect(log.stats()).toEqual({ events: 1, dropped: 0, errors: 1 });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(Error);
    expect(reported[0]!.message).toBe("boom");
  });

  it("passes an Error on as it is, and survives a throwing error handler", () => {
    const thrown = new Error("sink failed");
    const reported: Error[] = [];
    const log = DecisionLog.open({
      sink: () => {
        throw thrown;
      },
      onError: (e) => {
        reported.push(e);
        throw new Error("handler failed");
      },
    });
    expect(() => log.record("p", "{}", {}, "r", 0)).not.toThrow();
    expect(reported).toEqual([thrown]);
  });
});
