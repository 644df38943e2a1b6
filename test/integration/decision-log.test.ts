import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gatehouseVersion } from "../../core/package-root.js";
import {
  Authorizer,
  DecisionLog,
  OptionsError,
  type Decision,
  type DecisionEvent,
  type DecisionLogOptions,
} from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";

let bundle: TestBundle;
let plain: Authorizer;

beforeAll(async () => {
  bundle = await quickstartBundle();
  plain = await Authorizer.load(bundle.bytes);
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const REQUEST = QUICKSTART_REQUESTS[0] as { user: { id: string } };

/** An authorizer whose decisions go to a callback; returns it with the events it logged. */
async function logged(
  options: Omit<DecisionLogOptions, "sink"> = {},
): Promise<{ authorizer: Authorizer; events: DecisionEvent[]; log: DecisionLog }> {
  const events: DecisionEvent[] = [];
  const log = DecisionLog.open({ ...options, sink: (e) => events.push(e) });
  return { authorizer: await Authorizer.load(bundle.bytes, { decisionLog: log }), events, log };
}

describe("decision log events", () => {
  it("have OPA's decision-log shape: decision_id, labels, path, input, result, bundles, timestamp, metrics", async () => {
    const { authorizer, events, log } = await logged({ labels: { app: "orders" } });
    const decision = authorizer.decide(REQUEST);
    expect(decision).toEqual(plain.decide(REQUEST));
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(Object.keys(event)).toEqual([
      "decision_id",
      "labels",
      "path",
      "input",
      "result",
      "bundles",
      "timestamp",
      "metrics",
    ]);
    expect(event.decision_id).toMatch(UUID_V4);
    expect(event.labels).toEqual({ app: "orders", id: event.labels.id, version: gatehouseVersion() });
    expect(event.labels.id).toMatch(UUID_V4);
    expect(event.path).toBe("gatehouse/decision");
    expect(event.input).toEqual(REQUEST);
    expect(event.result).toEqual(decision);
    expect(event.bundles).toEqual({ gatehouse: { revision: bundle.revision } });
    expect(event.timestamp).toMatch(RFC3339);
    expect(Math.abs(Date.parse(event.timestamp) - Date.now())).toBeLessThan(60_000);
    expect(Object.keys(event.metrics)).toEqual(["timer_rego_query_eval_ns"]);
    expect(Number.isInteger(event.metrics.timer_rego_query_eval_ns)).toBe(true);
    expect(event.metrics.timer_rego_query_eval_ns).toBeGreaterThan(0);
    expect(log.stats()).toEqual({ events: 1, dropped: 0, errors: 0 });
  });

  it("give every decision its own id, and the callback a copy it cannot use to change the caller's decision", async () => {
    const { authorizer, events } = await logged();
    const decisions = authorizer.decideMany(QUICKSTART_REQUESTS.slice(0, 3));
    expect(new Set(events.map((e) => e.decision_id)).size).toBe(3);
    (events[0]!.result as { allow: boolean }).allow = false;
    expect(decisions[0]!.allow).toBe(true);
  });

  it("record text that is not JSON without an input", async () => {
    const { authorizer, events } = await logged();
    authorizer.decideJson("{nope");
    expect(events[0]!.input).toBeUndefined();
    expect((events[0]!.result as Decision).reasons[0]!.message).toBe("the request is not valid JSON");
  });

  it("leave decisions untouched when the callback throws, and report it", async () => {
    const errors: Error[] = [];
    const log = DecisionLog.open({
      sink: () => {
        throw new Error("log store down");
      },
      onError: (e) => errors.push(e),
    });
    const authorizer = await Authorizer.load(bundle.bytes, { decisionLog: log });
    expect(authorizer.decide(REQUEST)).toEqual(plain.decide(REQUEST));
    expect(errors.map((e) => e.message)).toEqual(["log store down"]);
    expect(log.stats()).toEqual({ events: 1, dropped: 0, errors: 1 });
  });
});

describe("masking", () => {
  it("removes a field and records the rule in `erased`, as OPA's mask does", async () => {
    const { authorizer, events } = await logged({ mask: ["/input/user/id"] });
    authorizer.decide(REQUEST);
    const { id: _id, ...user } = REQUEST.user;
    expect(events[0]!.input).toEqual({ ...REQUEST, user });
    expect(events[0]!.erased).toEqual(["/input/user/id"]);
    expect(events[0]!.masked).toBeUndefined();
    expect(REQUEST.user.id).toBe("005ERP");
  });

  it("replaces or inserts a value with `upsert` and records it in `masked`", async () => {
    const { authorizer, events } = await logged({
      mask: [
        { op: "upsert", path: "/input/sourceIp", value: "**REDACTED**" },
        { op: "upsert", path: "/input/session/originIp", value: "**REDACTED**" },
      ],
    });
    authorizer.decide(REQUEST);
    expect(events[0]!.input).toEqual({
      ...REQUEST,
      sourceIp: "**REDACTED**",
      session: { originIp: "**REDACTED**" },
    });
    expect(events[0]!.masked).toEqual(["/input/sourceIp", "/input/session/originIp"]);
  });

  it("skips rules whose path is absent, masks results on a copy, and reads %2F and array indexes", async () => {
    const { authorizer, events } = await logged({
      mask: ["/input/site", "/result/reasons/0/message", "/input/a%2Fb", "/result/notes"],
    });
    const decision = authorizer.decide({ ...REQUEST, "a/b": 1, channel: "nope" });
    expect(decision.reasons[0]!.message).toMatch(/^the request does not match the input schema/);
    expect((events[0]!.result as Decision).reasons).toEqual([
      { code: "INPUT_INVALID", control: "input", source: null },
    ]);
    expect(events[0]!.result).not.toHaveProperty("notes");
    expect(events[0]!.input).not.toHaveProperty("a/b");
    expect(events[0]!.erased).toEqual(["/result/reasons/0/message", "/input/a%2Fb", "/result/notes"]);
  });

  it("removes the whole input", async () => {
    const { authorizer, events } = await logged({ mask: ["/input"] });
    authorizer.decide(REQUEST);
    expect(events[0]).not.toHaveProperty("input");
    expect(events[0]!.erased).toEqual(["/input"]);
  });

  it.each<[DecisionLogOptions, string]>([
    [
      { sink: () => undefined, mask: ["/user/id"] },
      "mask rule path must start with `/input` or `/result`, got `/user/id`",
    ],
    [{ sink: () => undefined, mask: ["/input//id"] }, "mask rule path `/input//id` has an empty segment"],
    [{ sink: () => undefined, mask: ["/input/%zz"] }, "mask rule path `/input/%zz` has a malformed %-escape"],
    [
      { sink: () => undefined, mask: [{ op: "drop" as "remove", path: "/input/x" }] },
      "mask rule op must be `remove` or `upsert`, got `drop`",
    ],
    [{ sink: () => undefined, sampleRate: 1.5 }, "`sampleRate` must be a number from 0 to 1, got `1.5`"],
    [{ sink: "" }, "`sink` must be a file path or a function"],
  ])("refuses options it cannot honour (%#)", (options, message) => {
    expect(() => DecisionLog.open(options)).toThrow(new OptionsError(message));
  });
});

describe("sampling", () => {
  it("logs a decision when the random draw falls under the rate", async () => {
    const draws = [0.1, 0.9, 0.25, 0.26, 0.0];
    const { authorizer, events } = await logged({ sampleRate: 0.25, random: () => draws.shift()! });
    const decisions = authorizer.decideMany(QUICKSTART_REQUESTS.slice(0, 5));
    expect(decisions).toEqual(plain.decideMany(QUICKSTART_REQUESTS.slice(0, 5)));
    expect(events.map((e) => e.input)).toEqual([QUICKSTART_REQUESTS[0], QUICKSTART_REQUESTS[4]]);
  });

  it("logs nothing at rate 0 and everything at rate 1", async () => {
    const none = await logged({ sampleRate: 0 });
    none.authorizer.decideMany(QUICKSTART_REQUESTS);
    expect(none.events).toHaveLength(0);
    const all = await logged({ sampleRate: 1, random: () => 0.999 });
    all.authorizer.decideMany(QUICKSTART_REQUESTS);
    expect(all.events).toHaveLength(QUICKSTART_REQUESTS.length);
  });
});

describe("the JSON Lines file sink", () => {
  it("appends one event per line, written after decide returns, all there after flush and close", async () => {
    const file = join(tempDir(), "decisions.jsonl");
    const log = DecisionLog.open({ sink: file, mask: ["/input/user/id"] });
    const authorizer = await Authorizer.load(bundle.bytes, { decisionLog: log });
    for (let i = 0; i < 200; i++) authorizer.decide(QUICKSTART_REQUESTS[i % QUICKSTART_REQUESTS.length]);
    // Nothing is written inside decide: the writes happen after this turn of the event loop.
    expect(statSync(file).size).toBe(0);
    await log.flush();
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(200);
    const events = lines.map((l) => JSON.parse(l) as DecisionEvent);
    expect(events.map((e) => (e.result as Decision).allow)).toEqual(
      Array.from({ length: 200 }, (_, i) => plain.decide(QUICKSTART_REQUESTS[i % QUICKSTART_REQUESTS.length]).allow),
    );
    expect(
      events.every((e) => e.erased?.[0] === "/input/user/id" && !("id" in (e.input as { user: object }).user)),
    ).toBe(true);
    authorizer.decide(REQUEST);
    await log.close();
    authorizer.decide(REQUEST);
    await log.close();
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(202);
    expect(log.stats()).toEqual({ events: 201, dropped: 0, errors: 0 });
  });

  it("drops and counts events rather than buffer more than maxBufferedBytes", async () => {
    const file = join(tempDir(), "decisions.jsonl");
    const log = DecisionLog.open({ sink: file, maxBufferedBytes: 4096 });
    const authorizer = await Authorizer.load(bundle.bytes, { decisionLog: log });
    for (let i = 0; i < 100; i++) authorizer.decide(REQUEST);
    await log.close();
    const written = readFileSync(file, "utf8").split("\n").length - 1;
    const stats = log.stats();
    expect(stats.events).toBe(100);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(written + stats.dropped).toBe(100);
  });

  it("refuses a file it cannot open", () => {
    const file = join(tempDir(), "no", "such", "dir.jsonl");
    expect(() => DecisionLog.open({ sink: file })).toThrow(
      new OptionsError(`cannot open the decision log \`${file}\`: ENOENT`),
    );
  });
});
