import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DecisionLog,
  QUOTES_MASKED_INPUT,
  type DecisionEvent,
  type DecisionLogOptions,
  type MaskRule,
} from "../../wasm/decision-log.js";
import { OptionsError } from "../../wasm/errors.js";
import { RUNTIME_VERSION } from "../../wasm/version.js";
import { tempDir } from "../helpers/policy.js";

/** The decision-log module alone, no bundle: masking, sampling, options and the file sink. */

const INPUT = {
  user: { id: "005A", userType: "Standard", permissionSets: ["API", "Sales"] },
  app: { clientId: "erp-sync" },
  session: { sourceIp: "10.1.2.3", token: "secret-token" },
};
const RESULT = {
  allow: false,
  reasons: [{ code: "X", message: "user `005A` from 10.1.2.3 is not allowed" }],
  notes: [],
  revision: "r1",
};

/** A log with a callback sink; returns it with the events it got. */
function callbackLog(options: Omit<DecisionLogOptions, "sink"> = {}): { log: DecisionLog; events: DecisionEvent[] } {
  const events: DecisionEvent[] = [];
  return { log: DecisionLog.open({ ...options, sink: (e) => events.push(e) }), events };
}

/** A log with a file sink whose writer only keeps each batch it is handed; returns it with those batches. */
function capturingFileLog(options: Omit<DecisionLogOptions, "sink" | "writer"> = {}): {
  log: DecisionLog;
  batches: string[];
} {
  const batches: string[] = [];
  const log = DecisionLog.open({
    ...options,
    sink: join(tempDir("gatehouse-log-"), "d.jsonl"),
    writer: (_fd, data) => {
      batches.push(data.toString("utf8"));
      return Promise.resolve();
    },
  });
  return { log, batches };
}

/** Stands for an absent input (a request that was not JSON) or an absent result. */
const NONE = Symbol("none");

/** The one event recorded for INPUT and RESULT (or others, or NONE) with these mask rules. */
function masked(mask: readonly MaskRule[], input: unknown = INPUT, result: unknown = RESULT): DecisionEvent {
  const { log, events } = callbackLog({ mask });
  log.record(
    "gatehouse/decision",
    input === NONE ? undefined : JSON.stringify(input),
    result === NONE ? undefined : result,
    "r1",
    7,
  );
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** Where the descriptor `fd` of this process points, or "" when it is gone. */
function readlinkOr(fd: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return "";
  }
}

function optionsError(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as Error).message;
  }
  throw new Error("no OptionsError");
}

describe("mask rules are checked when the log opens", () => {
  it.each<[string, MaskRule, string]>([
    [
      "an op other than remove or upsert",
      { op: "replace" as "remove", path: "/input/a" },
      "op must be `remove` or `upsert`, got `replace`",
    ],
    ["a path outside /input and /result", "/output/a", "must start with `/input` or `/result`, got `/output/a`"],
    ["a path that only begins like /input", "/inputs/a", "got `/inputs/a`"],
    ["a path with text before /input", "x/input/a", "got `x/input/a`"],
    ["a path that is not a string", { path: 7 as unknown as string }, "got `7`"],
    ["a malformed %-escape", "/input/%E0%A4%A", "has a malformed %-escape"],
    ["an empty segment inside", "/input//a", "has an empty segment"],
    ["an empty last segment", "/input/a/", "has an empty segment"],
  ])("refuses %s", (_what, rule, message) => {
    expect(optionsError(() => DecisionLog.open({ sink: () => undefined, mask: [rule] }))).toContain(message);
  });

  it("refuses a path that is not a string even when its text would be one", () => {
    const path = { toString: () => "/input/a" } as unknown as string;
    expect(optionsError(() => DecisionLog.open({ sink: () => undefined, mask: [{ path }] }))).toContain(
      "must start with `/input` or `/result`",
    );
  });

  it("accepts the bare roots /input and /result", () => {
    expect(() => DecisionLog.open({ sink: () => undefined, mask: ["/input", "/result"] })).not.toThrow();
  });
});

describe("masking removes fields and records the rule in `erased`", () => {
  it("removes a field named by a string rule", () => {
    const event = masked(["/input/session/token"]);
    expect(event.input).toEqual({ ...INPUT, session: { sourceIp: "10.1.2.3" } });
    expect(event.erased).toEqual(["/input/session/token"]);
    expect(event.masked).toBeUndefined();
  });

  it("removes with an object rule whose op is absent, ignoring its value", () => {
    const event = masked([{ path: "/input/app/clientId", value: "x" }]);
    expect(event.input).toEqual({ ...INPUT, app: {} });
    expect(event.erased).toEqual(["/input/app/clientId"]);
  });

  it("removes an array element by its index, closing the gap", () => {
    const event = masked(["/input/user/permissionSets/0"]);
    expect((event.input as typeof INPUT).user.permissionSets).toEqual(["Sales"]);
    expect(event.erased).toEqual(["/input/user/permissionSets/0"]);
  });

  it("removes the whole input or the whole result", () => {
    const event = masked(["/input", "/result"]);
    expect("input" in event).toBe(false);
    expect("result" in event).toBe(false);
    expect(event.erased).toEqual(["/input", "/result"]);
  });

  it("reads a multi-digit array index", () => {
    const list = Array.from({ length: 12 }, (_, i) => i);
    const event = masked(["/input/list/10"], { list });
    expect(event.input).toEqual({ list: list.filter((i) => i !== 10) });
    expect(event.erased).toEqual(["/input/list/10"]);
  });

  it.each([
    ["a path through null", "/input/a/b"],
    ["a path two levels through null", "/input/a/b/c"],
  ])("skips %s without failing", (_what, rule) => {
    const event = masked([rule, { op: "upsert", path: rule, value: 1 }], { a: null });
    expect(event.input).toEqual({ a: null });
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });

  it("never removes through an inherited object: /input/__proto__/… leaves Object.prototype alone", () => {
    const saved = Object.getOwnPropertyDescriptor(Object.prototype, "propertyIsEnumerable")!;
    try {
      const event = masked(["/input/__proto__/propertyIsEnumerable"]);
      expect(event.erased).toBeUndefined();
      expect(Object.hasOwn(Object.prototype, "propertyIsEnumerable")).toBe(true);
    } finally {
      if (!Object.hasOwn(Object.prototype, "propertyIsEnumerable"))
        Object.defineProperty(Object.prototype, "propertyIsEnumerable", saved);
    }
  });

  it("skips an index with text after its digits", () => {
    const event = masked([
      "/input/user/permissionSets/1x",
      { op: "upsert", path: "/input/user/permissionSets/1x", value: 1 },
    ]);
    expect(event.input).toEqual(INPUT);
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });

  it("reads %2F as a slash inside a key", () => {
    const event = masked(["/input/a%2Fb"], { "a/b": 1, a: { b: 2 } });
    expect(event.input).toEqual({ a: { b: 2 } });
  });

  it.each([
    ["a missing field", "/input/session/nothing"],
    ["a missing parent", "/input/nothing/token"],
    ["a path through a scalar", "/input/session/token/x"],
    ["a path two levels below a scalar", "/input/session/token/x/y"],
    ["an index past the end of an array", "/input/user/permissionSets/2"],
    ["an index with a leading zero", "/input/user/permissionSets/01"],
    ["a negative index", "/input/user/permissionSets/-1"],
    ["a key only inherited by the object", "/input/session/toString"],
    ["an inherited parent", "/input/constructor/name"],
    ["an array's inherited key", "/input/user/permissionSets/length"],
  ])("skips and does not record a rule naming %s", (_what, rule) => {
    const event = masked([rule]);
    expect(event.input).toEqual(INPUT);
    expect(event.erased).toBeUndefined();
    expect(event.result).toEqual(RESULT);
  });

  it("skips an input rule when the event has no input (a request that was not JSON)", () => {
    const event = masked(["/input", "/input/a", { op: "upsert", path: "/input/a", value: 1 }], NONE);
    expect("input" in event).toBe(false);
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });

  it("skips a result rule when the decision has no result", () => {
    const event = masked(["/result", { op: "upsert", path: "/result/a", value: 1 }], INPUT, NONE);
    expect("result" in event).toBe(false);
    expect(event.erased).toBeUndefined();
    expect(event.masked).toBeUndefined();
  });
});

describe("masking with upsert replaces or inserts a value and records the rule in `masked`", () => {
  it("replaces an existing field", () => {
    const event = masked([{ op: "upsert", path: "/input/user/id", value: "***" }]);
    expect((event.input as typeof INPUT).user).toEqual({ ...INPUT.user, id: "***" });
    expect(event.masked).toEqual(["/input/user/id"]);
    expect(event.erased).toBeUndefined();
  });

  it("creates the missing objects on its path and keeps their siblings", () => {
    const event = masked([{ op: "upsert", path: "/input/session/extra/deep", value: 1 }]);
    expect((event.input as typeof INPUT).session).toEqual({ ...INPUT.session, extra: { deep: 1 } });
    expect(event.masked).toEqual(["/input/session/extra/deep"]);
  });

  it("goes through an array element by its index", () => {
    const event = masked([{ op: "upsert", path: "/input/list/1/k", value: "v" }], { list: [{ k: 0 }, { k: 1 }] });
    expect(event.input).toEqual({ list: [{ k: 0 }, { k: "v" }] });
  });

  it("replaces an array element in place", () => {
    const event = masked([{ op: "upsert", path: "/input/user/permissionSets/1", value: "*" }]);
    expect((event.input as typeof INPUT).user.permissionSets).toEqual(["API", "*"]);
  });

  it("replaces the whole input or result", () => {
    const event = masked([
      { op: "upsert", path: "/input", value: { gone: true } },
      { op: "upsert", path: "/result", value: "hidden" },
    ]);
    expect(event.input).toEqual({ gone: true });
    expect(event.result).toBe("hidden");
    expect(event.masked).toEqual(["/input", "/result"]);
  });

  it.each([
    ["an index past the end of an array", "/input/user/permissionSets/2"],
    ["a path through an array with a key that is not an index", "/input/user/permissionSets/x/y"],
    ["a path through a missing array element", "/input/user/permissionSets/5/y"],
    ["a path through a scalar", "/input/user/id/x/y"],
    ["a last key below a scalar", "/input/user/id/x"],
  ])("skips and does not record a rule naming %s", (_what, path) => {
    const event = masked([{ op: "upsert", path, value: "*" }]);
    expect(event.input).toEqual(INPUT);
    expect(event.masked).toBeUndefined();
  });

  it("gives every event its own copy of the value", () => {
    const value = { nested: ["a"] };
    const { log, events } = callbackLog({ mask: [{ op: "upsert", path: "/input/v", value }] });
    log.record("p", "{}", undefined, "r", 0);
    log.record("p", "{}", undefined, "r", 0);
    (events[0]!.input as { v: { nested: string[] } }).v.nested.push("changed");
    expect(events[1]!.input).toEqual({ v: { nested: ["a"] } });
    expect(value).toEqual({ nested: ["a"] });
  });

  it("gives the whole-root replacement its own copy too", () => {
    const value = { nested: ["a"] };
    const { log, events } = callbackLog({ mask: [{ op: "upsert", path: "/input", value }] });
    log.record("p", "{}", undefined, "r", 0);
    (events[0]!.input as { nested: string[] }).nested.push("changed");
    expect(value).toEqual({ nested: ["a"] });
  });
});

describe("a masked input value never reappears in the result", () => {
  it("replaces every result string that quotes a removed input value", () => {
    const event = masked(["/input/user/id"]);
    expect(event.result).toEqual({
      ...RESULT,
      reasons: [{ code: "X", message: QUOTES_MASKED_INPUT }],
    });
  });

  it("collects every scalar below a masked object: strings, numbers and booleans", () => {
    const input = { s: { text: "alpha", n: 4711, b: true, list: ["beta"], empty: "", nothing: null } };
    const result = { a: "has alpha", b: "has 4711", c: "is true", d: "beta!", e: "clean", f: 4711, g: ["x", "beta"] };
    const event = masked(["/input/s"], input, result);
    expect(event.result).toEqual({
      a: QUOTES_MASKED_INPUT,
      b: QUOTES_MASKED_INPUT,
      c: QUOTES_MASKED_INPUT,
      d: QUOTES_MASKED_INPUT,
      e: "clean",
      f: 4711,
      g: ["x", QUOTES_MASKED_INPUT],
    });
  });

  it("scrubs for upserted input values too, with the value as it was before the rule", () => {
    const event = masked([{ op: "upsert", path: "/input/session/sourceIp", value: "0.0.0.0" }]);
    expect((event.result as typeof RESULT).reasons[0]!.message).toBe(QUOTES_MASKED_INPUT);
  });

  it("does not treat an empty masked string as quoted by every string", () => {
    const event = masked(["/input/e"], { e: "" }, { message: "fine" });
    expect(event.result).toEqual({ message: "fine" });
  });

  it("leaves the result alone when the masked input field is absent", () => {
    const event = masked(["/input/nothing"]);
    expect(event.result).toEqual(RESULT);
  });

  it("does not scrub for a result rule whose path also exists in the input", () => {
    const result = { session: { token: "x" }, message: "quotes secret-token" };
    const event = masked(["/result/session/token"], INPUT, result);
    expect(event.result).toEqual({ session: {}, message: "quotes secret-token" });
  });

  it("scrubs around nulls and numbers in the result", () => {
    const event = masked(["/input/user/id"], INPUT, { a: null, b: [null, 1, "005A"], c: { d: null } });
    expect(event.result).toEqual({ a: null, b: [null, 1, QUOTES_MASKED_INPUT], c: { d: null } });
  });

  it("says why a string was replaced", () => {
    expect(QUOTES_MASKED_INPUT).toBe("(masked: quotes a masked input field)");
  });

  it("does not scrub for rules on the result", () => {
    const event = masked(["/result/revision"], INPUT, { ...RESULT, other: "r1" });
    expect(event.result).toEqual({ allow: false, reasons: RESULT.reasons, notes: [], other: "r1" });
    expect(event.input).toEqual(INPUT);
  });

  it("scrubs a result that is itself a quoting string", () => {
    expect(masked(["/input/user/id"], INPUT, "005A was here").result).toBe(QUOTES_MASKED_INPUT);
  });
});

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

describe("the file sink", () => {
  it("appends one JSON line per event, all there after close", async () => {
    const file = join(tempDir("gatehouse-log-"), "d.jsonl");
    writeFileSync(file, "earlier\n");
    const log = DecisionLog.open({ sink: file });
    log.record("p", '{"a":1}', { allow: true }, "r", 0, { decisionId: "1" });
    log.record("p", '{"a":2}', { allow: true }, "r", 0, { decisionId: "2" });
    await log.close();
    expect(log.stats()).toEqual({ events: 2, dropped: 0, errors: 0 });
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines[0]).toBe("earlier");
    expect(lines.slice(1, 3).map((l) => (JSON.parse(l) as DecisionEvent).decision_id)).toEqual(["1", "2"]);
    expect(lines[3]).toBe("");
    await log.close();
  });

  it("writes on its own soon after record, batch after batch, without flush", async () => {
    const { log, batches } = capturingFileLog();
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    log.record("p", undefined, undefined, "r", 0);
    log.record("p", undefined, undefined, "r", 0);
    await settle();
    expect(batches).toHaveLength(1);
    log.record("p", undefined, undefined, "r", 0);
    await settle();
    expect(batches).toHaveLength(2);
    await log.close();
  });

  it("masks a copy of the result for a file sink, never the caller's decision", async () => {
    const result = structuredClone(RESULT);
    const { log, batches: written } = capturingFileLog({ mask: ["/result/reasons"] });
    log.record("p", "{}", result, "r", 0);
    expect(result).toEqual(RESULT);
    await log.close();
    expect((JSON.parse(written[0]!) as DecisionEvent).result).toEqual({ allow: false, notes: [], revision: "r1" });
  });

  it.skipIf(!existsSync("/proc/self/fd"))("closes its file at close (Linux: counted in /proc/self/fd)", async () => {
    const file = join(tempDir("gatehouse-log-"), "d.jsonl");
    const open = (): number => readdirSync("/proc/self/fd").filter((fd) => readlinkOr(fd) === file).length;
    const log = DecisionLog.open({ sink: file });
    expect(open()).toBe(1);
    await log.close();
    expect(open()).toBe(0);
  });

  it.skipIf(!existsSync("/proc/self/fd"))(
    "counts and reports a write the file system refuses (Linux: its descriptor closed underneath)",
    async () => {
      const file = join(tempDir("gatehouse-log-"), "d.jsonl");
      const reported: Error[] = [];
      const log = DecisionLog.open({ sink: file, onError: (e) => reported.push(e) });
      const fd = readdirSync("/proc/self/fd").find((fd) => readlinkOr(fd) === file)!;
      closeSync(Number(fd));
      log.record("p", undefined, undefined, "r", 0);
      await log.flush();
      expect(log.stats()).toEqual({ events: 1, dropped: 1, errors: 1 });
      expect(reported.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["EBADF"]);
    },
  );

  it("hands every pending event to the writer on flush, in one batch after the earlier ones", async () => {
    const { log, batches } = capturingFileLog();
    log.record("p", undefined, undefined, "r", 0, { decisionId: "1" });
    log.record("p", undefined, undefined, "r", 0, { decisionId: "2" });
    await log.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.trimEnd().split("\n")).toHaveLength(2);
    await log.flush();
    expect(batches).toHaveLength(1);
    log.record("p", undefined, undefined, "r", 0, { decisionId: "3" });
    await new Promise((resolve) => setImmediate(resolve));
    await log.flush();
    expect(batches).toHaveLength(2);
    await log.close();
  });

  it("buffers up to exactly maxBufferedBytes, and drops and counts the event that would pass it", async () => {
    // Every event below serializes to the same length: measure one through a callback sink.
    const probe: string[] = [];
    DecisionLog.open({ sink: (e) => probe.push(`${JSON.stringify(e)}\n`) }).record("p", undefined, undefined, "r", 0, {
      decisionId: "0",
    });
    const size = Buffer.byteLength(probe[0]!);
    const kept = async (maxBufferedBytes: number): Promise<{ lines: number; dropped: number }> => {
      const { log, batches: written } = capturingFileLog({ maxBufferedBytes });
      for (const id of ["1", "2", "3"]) log.record("p", undefined, undefined, "r", 0, { decisionId: id });
      const { dropped, events } = log.stats();
      expect(events).toBe(3);
      await log.close();
      return { lines: written.join("").split("\n").length - 1, dropped };
    };
    expect(await kept(size * 2)).toEqual({ lines: 2, dropped: 1 });
    expect(await kept(size * 2 - 1)).toEqual({ lines: 1, dropped: 2 });
  });

  it("counts bytes being written against the limit until the write finishes", async () => {
    let release: () => void = () => undefined;
    let hold = true;
    const log = DecisionLog.open({
      sink: join(tempDir("gatehouse-log-"), "d.jsonl"),
      maxBufferedBytes: 1000,
      writer: () => (hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
    });
    const big = JSON.stringify({ pad: "x".repeat(500) });
    log.record("p", big, undefined, "r", 0);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // The first event is with the writer now, not pending: it still counts.
    log.record("p", big, undefined, "r", 0);
    expect(log.stats().dropped).toBe(1);
    hold = false;
    release();
    await log.flush();
    log.record("p", big, undefined, "r", 0);
    expect(log.stats().dropped).toBe(1);
    await log.close();
  });

  it("drops a batch the writer rejects, counts and reports it, and writes the next batch afresh", async () => {
    const reported: Error[] = [];
    const written: string[] = [];
    let fail = true;
    const log = DecisionLog.open({
      sink: join(tempDir("gatehouse-log-"), "d.jsonl"),
      onError: (e) => reported.push(e),
      writer: (_fd, data) => {
        if (fail) return Promise.reject(new Error("ENOSPC"));
        written.push(data.toString("utf8"));
        return Promise.resolve();
      },
    });
    log.record("p", undefined, undefined, "r", 0, { decisionId: "1" });
    log.record("p", undefined, undefined, "r", 0, { decisionId: "2" });
    await log.flush();
    expect(log.stats()).toEqual({ events: 2, dropped: 2, errors: 1 });
    expect(reported.map((e) => e.message)).toEqual(["ENOSPC"]);
    fail = false;
    log.record("p", undefined, undefined, "r", 0, { decisionId: "3" });
    await log.close();
    expect(written).toHaveLength(1);
    expect((JSON.parse(written[0]!) as DecisionEvent).decision_id).toBe("3");
    expect(log.stats()).toEqual({ events: 3, dropped: 2, errors: 1 });
  });

  it("refuses a directory, naming the path", () => {
    const dir = tempDir("gatehouse-log-");
    expect(optionsError(() => DecisionLog.open({ sink: dir }))).toBe(`cannot open the decision log \`${dir}\`: EISDIR`);
  });

  it("refuses a FIFO with no reader at once instead of hanging", () => {
    const fifo = join(tempDir("gatehouse-log-"), "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(optionsError(() => DecisionLog.open({ sink: fifo }))).toBe(
      `cannot open the decision log \`${fifo}\`: it is a FIFO with no reader; the decision log must be a regular file`,
    );
  });

  it("refuses a device that opens, as not a regular file", () => {
    expect(optionsError(() => DecisionLog.open({ sink: "/dev/null" }))).toBe(
      "cannot use the decision log `/dev/null`: it is not a regular file (a FIFO, a device or a directory)",
    );
  });

  it("refuses a file in a missing directory, naming the error code", () => {
    const file = join(tempDir("gatehouse-log-"), "missing", "d.jsonl");
    expect(optionsError(() => DecisionLog.open({ sink: file }))).toBe(
      `cannot open the decision log \`${file}\`: ENOENT`,
    );
  });
});
