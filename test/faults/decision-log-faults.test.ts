import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ServerMetrics } from "../../cli/serve/metrics.js";
import {
  Authorizer,
  DecisionLog,
  OptionsError,
  ReloadingAuthorizer,
  type DecisionEvent,
  type DecisionLogOptions,
} from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import { serveInProcess } from "./fault-helpers.js";

let bundle: TestBundle;

beforeAll(async () => {
  bundle = await quickstartBundle();
});

async function logged(
  options: Omit<DecisionLogOptions, "sink">,
): Promise<{ authorizer: Authorizer; events: DecisionEvent[] }> {
  const events: DecisionEvent[] = [];
  const log = DecisionLog.open({ ...options, sink: (e) => events.push(e) });
  return { authorizer: await Authorizer.load(bundle.bytes, { decisionLog: log }), events };
}

// Denied IP_OUTSIDE_LOGIN_RANGES: its reason message quotes the address and the profile.
const OUTSIDE = QUICKSTART_REQUESTS[1] as { sourceIp: string; user: { profile: string } };

describe("masked input never reappears anywhere in the event", () => {
  it("a reason message quoting a masked field is masked too; the decision returned is untouched", async () => {
    const { authorizer, events } = await logged({ mask: ["/input/sourceIp", "/input/user/profile"] });
    const decision = authorizer.decide(OUTSIDE);
    expect(decision.reasons[0]!.message).toContain(OUTSIDE.sourceIp);
    const text = JSON.stringify(events[0]);
    expect(text).not.toContain(OUTSIDE.sourceIp);
    expect(text).not.toContain(OUTSIDE.user.profile);
    expect(events[0]!.result).toMatchObject({
      allow: false,
      reasons: [{ code: "IP_OUTSIDE_LOGIN_RANGES", message: "(masked: quotes a masked input field)" }],
    });
    expect(events[0]!.erased).toEqual(["/input/sourceIp", "/input/user/profile"]);
  });

  it.each([
    ["an object", "/input/user", ["005ERP", "Integration", "Standard"]],
    ["a string", "/input/user/id", ["005ERP"]],
    ["a boolean", "/input/login", []],
  ])("masks apply whatever the JSON type at the path: %s", async (_type, path, secrets) => {
    for (const op of ["remove", "upsert"] as const) {
      const { authorizer, events } = await logged({ mask: [{ op, path, value: "x" }] });
      authorizer.decide(OUTSIDE);
      const text = JSON.stringify(events[0]);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(events[0]!.erased ?? events[0]!.masked).toEqual([path]);
    }
  });

  it("also masks an upserted field's old value where the result quotes it", async () => {
    const { authorizer, events } = await logged({
      mask: [{ op: "upsert", path: "/input/sourceIp", value: "0.0.0.0" }],
    });
    authorizer.decide(OUTSIDE);
    expect(JSON.stringify(events[0])).not.toContain(OUTSIDE.sourceIp);
    expect((events[0]!.input as { sourceIp: string }).sourceIp).toBe("0.0.0.0");
  });
});

describe("decision logs keep going after a write error", () => {
  it("drops and counts what a full disk refused, and resumes when writes work again; metrics show the drops", async () => {
    const file = join(tempDir(), "decisions.jsonl");
    let full = false;
    const errors: string[] = [];
    const { writeSync } = await import("node:fs");
    const log = DecisionLog.open({
      sink: file,
      onError: (e) => errors.push(e.message),
      writer: (fd, data) =>
        full
          ? Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }))
          : Promise.resolve(void writeSync(fd, data)),
    });
    const authorizer = await Authorizer.load(bundle.bytes, { decisionLog: log });
    const batch = async (): Promise<void> => {
      for (const request of QUICKSTART_REQUESTS.slice(0, 5)) authorizer.decide(request);
      await log.flush();
    };
    await batch();
    full = true;
    await batch();
    full = false;
    await batch();
    await log.close();
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(10);
    expect(log.stats()).toEqual({ events: 15, dropped: 5, errors: 1 });
    expect(errors).toEqual(["ENOSPC: no space left on device, write"]);
    const reloading = await ReloadingAuthorizer.open(bundle.bytes);
    const text = await new ServerMetrics(reloading, log).registry.metrics();
    expect(text).toContain('gatehouse_decision_log_events{state="dropped"} 5');
    await reloading.close();
  });
});

describe("a decision log path that is not a regular file is refused at start", () => {
  it("a FIFO (with no reader) is refused at once, with a clear error, by the API and by serve", async () => {
    const dir = tempDir();
    const fifo = join(dir, "decisions.fifo");
    execFileSync("mkfifo", [fifo]);
    expect(() => DecisionLog.open({ sink: fifo })).toThrow(OptionsError);
    expect(() => DecisionLog.open({ sink: fifo })).toThrow(
      `cannot open the decision log \`${fifo}\`: it is a FIFO with no reader; the decision log must be a regular file`,
    );
    const bundleFile = join(dir, "bundle.tar.gz");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(bundleFile, bundle.bytes);
    await expect(serveInProcess({ bundle: bundleFile, decisionLog: fifo })).rejects.toThrow("is a FIFO with no reader");
  });

  it.each([
    ["a device", "/dev/null"],
    ["a directory", "."],
  ])("%s is refused", (_what, path) => {
    expect(() => DecisionLog.open({ sink: path })).toThrow(OptionsError);
    expect(() => DecisionLog.open({ sink: path })).toThrow(/decision log/);
  });
});
