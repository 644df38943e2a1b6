/**
 * The benchmark's side-by-side arms on the smallest tier: the Cedar policy decides the core of
 * the workload exactly as Gatehouse does, and every arm (floor, Cedar, `opa bench`, the HTTP
 * servers with their floor) runs and reports. Budgets are tiny: this checks the harness, it
 * times nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpArm } from "../../bench/harness/arms.js";
import { cedarAddress, cedarArm, CORE_TEMPLATE_IDS, isCoreTemplate, type CedarArm } from "../../bench/harness/cedar.js";
import { compileTier, type CompiledTier } from "../../bench/harness/compile-tier.js";
import { buildFloorBundle } from "../../bench/harness/floor.js";
import { opaNativeBench } from "../../bench/harness/opa-native.js";
import { Random } from "../../bench/harness/random.js";
import { isSkipped } from "../../bench/harness/results.js";
import { checkCedar, sideBySide } from "../../bench/harness/side-by-side.js";
import { buildStream, type StreamRequest } from "../../bench/harness/stream.js";
import { TIERS } from "../../bench/harness/tiers.js";
import type { Json } from "../../bench/harness/templates.js";
import { Authorizer } from "../../wasm/index.js";
import { opa } from "../helpers/opa.js";

let compiled: CompiledTier;
let authorizer: Authorizer;
let cedar: CedarArm;
let stream: StreamRequest[];

beforeAll(async () => {
  compiled = await compileTier(TIERS.S, undefined, opa());
  authorizer = await Authorizer.load(compiled.bundle);
  cedar = cedarArm(compiled.policy);
  stream = buildStream(compiled.model, new Random(31), 2048);
});

afterAll(() => compiled?.dispose());

/**
 * Core requests crossing the fields of the stream's core requests: any user, app and address
 * among them, as an API web-server login. Each combines zero, one or several of the three
 * faults (not allowlisted, not assigned, outside the login ranges).
 */
function crossed(count: number): Json[] {
  const core = stream.filter((r) => isCoreTemplate(r.template)).map((r) => r.request);
  const random = new Random(77);
  return Array.from({ length: count }, () => ({
    user: random.pick(core).user,
    app: random.pick(core).app,
    channel: "api",
    grant: "web_server",
    sourceIp: random.pick(core).sourceIp,
    login: true,
  }));
}

describe("bench: the Cedar arm is equivalent to Gatehouse on the core of the workload", () => {
  it("decides every core request of the stream as Gatehouse does, each core template included", () => {
    const check = checkCedar(authorizer, cedar, stream);
    expect(check.examples).toEqual([]);
    expect(check.disagreements).toBe(0);
    const seen = new Set(stream.filter((r) => isCoreTemplate(r.template)).map((r) => r.template.id));
    expect([...seen].sort()).toEqual([...CORE_TEMPLATE_IDS].sort());
    expect(check.checked).toBe(stream.filter((r) => isCoreTemplate(r.template)).length);
  });

  it("agrees on 1,000 crossed requests, among them allows for every address form and denies by each check", () => {
    const requests = crossed(1000);
    const outcomes = new Map<string, number>();
    const codes = new Set<string>();
    for (const request of requests) {
      const gatehouse = authorizer.decide(request);
      expect({ request, allow: cedar.decide(request) }).toEqual({ request, allow: gatehouse.allow });
      const form = String(request.sourceIp).startsWith("::ffff:")
        ? "mapped"
        : String(request.sourceIp).includes(":")
          ? "v6"
          : "v4";
      const key = `${form} ${gatehouse.allow ? "allow" : "deny"}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      for (const r of gatehouse.reasons) codes.add(r.code);
    }
    for (const key of ["v4", "v6", "mapped"].flatMap((f) => [`${f} allow`, `${f} deny`]))
      expect(outcomes.get(key), key).toBeGreaterThan(0);
    expect([...codes].sort()).toEqual(["AAC_APP_NOT_ALLOWLISTED", "APP_USER_NOT_APPROVED", "IP_OUTSIDE_LOGIN_RANGES"]);
  });

  it("denies what Gatehouse allows when a check is left out of the Cedar policy", () => {
    const withoutRanges = cedarArm({
      ...compiled.policy,
      profiles: new Map([...compiled.policy.profiles].map(([k, p]) => [k, { ...p, loginIpRanges: [] }])),
    });
    const outside = stream.find((r) => r.template.id === "deny: IP_OUTSIDE_LOGIN_RANGES")!;
    expect(authorizer.decide(outside.request).allow).toBe(false);
    expect(cedar.decide(outside.request)).toBe(false);
    expect(withoutRanges.decide(outside.request)).toBe(true);
  });

  it("writes IPv4-mapped addresses as IPv4, which Cedar refuses embedded", () => {
    expect(cedarAddress("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(cedarAddress("::FFFF:10.1.2.3")).toBe("10.1.2.3");
    expect(cedarAddress("2001:db8::1")).toBe("2001:db8::1");
    expect(cedarAddress("10.1.2.3")).toBe("10.1.2.3");
    expect(cedar.policyText).toContain('resource in Allowlist::"connected-apps"');
  });
});

describe("bench: the side-by-side arms run on a tiny tier", () => {
  it("times Gatehouse against the trivial-policy floor and Cedar on the same requests", async () => {
    const floor = await Authorizer.load(buildFloorBundle(opa()));
    expect(floor.decide(stream[0]!.request)).toMatchObject({ allow: true, reasons: [] });
    const tiny = { warmup: 20, count: 200, maxSeconds: 0.5 };
    const arms = sideBySide(authorizer, floor, cedar, stream, { floor: tiny, cedar: tiny, rounds: 2 });
    expect(arms.gatehouse.count).toBeGreaterThan(0);
    expect(arms.floor.count).toBeGreaterThan(0);
    expect(arms.floor.meanNs).toBeGreaterThan(0);
    if (isSkipped(arms.cedar)) throw new Error(arms.cedar.skipped);
    expect(arms.cedar.disagreements).toBe(0);
    expect(arms.cedar.cedar.count).toBeGreaterThan(0);
    expect(arms.cedar.policies).toBeGreaterThan(0);
  });

  it("skips Cedar, saying why, when it disagrees with Gatehouse", async () => {
    const floor = await Authorizer.load(buildFloorBundle(opa()));
    const allowAll: CedarArm = { ...cedar, decide: () => true };
    const tiny = { warmup: 1, count: 10, maxSeconds: 0.1 };
    const arms = sideBySide(authorizer, floor, allowAll, stream, { floor: tiny, cedar: tiny, rounds: 1 });
    expect(isSkipped(arms.cedar) && arms.cedar.skipped).toMatch(/^Cedar disagreed with Gatehouse on \d+ of \d+/);
  });

  it("runs `opa bench` on one prepared input", () => {
    const allowed = stream.find((r) => r.template.reasons.length === 0)!.request;
    const native = opaNativeBench(
      opa(),
      compiled.emitted,
      stream.slice(0, 4).map((r) => r.request),
      allowed,
      {
        pin: false,
      },
    );
    if (typeof native.single === "string") throw new Error(native.single);
    expect(native.single.decisionsPerOp).toBe(1);
    expect(native.single.nsPerDecision).toBeGreaterThan(0);
  });

  it("drives every HTTP server, the HTTP floor included, and reads each server's CPU time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-arms-"));
    const bundlePath = join(dir, "bundle.tar.gz");
    const floorPath = join(dir, "floor.tar.gz");
    writeFileSync(bundlePath, compiled.bundle);
    writeFileSync(floorPath, buildFloorBundle(opa()));
    const http = await httpArm(bundlePath, bundlePath, floorPath, stream.slice(0, 64), {
      opa: opa(),
      pin: false,
      // One connection: `opa run --server` evaluating a bundle's policy.wasm has been seen to
      // answer two concurrent requests with a 500 ("failed to parse wasm result: … illegal null
      // character"), OPA's own fault; the full bench records such errors with their text.
      concurrency: 1,
      seconds: 0.5,
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    for (const [server, run] of Object.entries({ gatehouse: http.gatehouse, opa: http.opa, floor: http.opaFloor })) {
      if (isSkipped(run)) throw new Error(run.skipped);
      expect({ server, errors: run.errorSamples, wrong: run.wrong }).toEqual({ server, errors: [], wrong: 0 });
      expect(run.errors).toBe(0);
      expect(run.requests).toBeGreaterThan(0);
      expect(run.serverCpuSeconds).toBeGreaterThan(0);
      expect(run.perCoreSecond).toBeGreaterThan(0);
    }
  });
});
