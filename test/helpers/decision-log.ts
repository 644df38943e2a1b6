/** What the decision-log module's own tests share: a request and decision, and logs that capture what they write. */
import { readlinkSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { DecisionLog, type DecisionEvent, type DecisionLogOptions, type MaskRule } from "../../wasm/decision-log.js";
import { OptionsError } from "../../wasm/errors.js";
import { tempDir } from "./policy.js";

export const INPUT = {
  user: { id: "005A", userType: "Standard", permissionSets: ["API", "Sales"] },
  app: { clientId: "erp-sync" },
  session: { sourceIp: "10.1.2.3", token: "secret-token" },
};
export const RESULT = {
  allow: false,
  reasons: [{ code: "X", message: "user `005A` from 10.1.2.3 is not allowed" }],
  notes: [],
  revision: "r1",
};

/** A log with a callback sink; returns it with the events it got. */
export function callbackLog(options: Omit<DecisionLogOptions, "sink"> = {}): {
  log: DecisionLog;
  events: DecisionEvent[];
} {
  const events: DecisionEvent[] = [];
  return { log: DecisionLog.open({ ...options, sink: (e) => events.push(e) }), events };
}

/** A log with a file sink whose writer only keeps each batch it is handed; returns it with those batches. */
export function capturingFileLog(options: Omit<DecisionLogOptions, "sink" | "writer"> = {}): {
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
export const NONE = Symbol("none");

/** The one event recorded for INPUT and RESULT (or others, or NONE) with these mask rules. */
export function masked(mask: readonly MaskRule[], input: unknown = INPUT, result: unknown = RESULT): DecisionEvent {
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
export function readlinkOr(fd: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return "";
  }
}

export function optionsError(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as Error).message;
  }
  throw new Error("no OptionsError");
}
