import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { OpaApiClient } from "@open-policy-agent/opa/sdk/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecisionEvent } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import {
  evaluateOnBoth,
  startGatehouseServer,
  startOpaServer,
  type Evaluation,
  type GatehouseServer,
  type OpaServer,
} from "../helpers/servers.js";

let bundle: TestBundle;
let bundleFile: string;
let logFile: string;
let gatehouse: GatehouseServer;
let opaServer: OpaServer;

beforeAll(async () => {
  bundle = await quickstartBundle();
  const dir = tempDir();
  bundleFile = join(dir, "bundle.tar.gz");
  logFile = join(dir, "decisions.jsonl");
  writeFileSync(bundleFile, bundle.bytes);
  // Each server is kept as soon as it is up, so afterAll stops it even if the other fails to start.
  const started = await Promise.allSettled([
    startGatehouseServer({ bundle: bundleFile, decisionLog: logFile, decisionLogMask: ["/input/user/id"] }).then(
      (s) => (gatehouse = s),
    ),
    startOpaServer(["--bundle", bundleFile]).then((s) => (opaServer = s)),
  ]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
});

afterAll(async () => {
  await Promise.all([gatehouse?.stop(), opaServer?.stop()]);
});

const VALID = QUICKSTART_REQUESTS[0] as Record<string, unknown>;
const USER = VALID.user as Record<string, unknown>;

/** Requests beyond the quick start's: invalid ones of every kind, and edge cases of the valid ones. */
const OWN_REQUESTS: readonly unknown[] = [
  {},
  { ...VALID, login: "yes" },
  { ...VALID, channel: "API" },
  { ...VALID, grant: "JWT_BEARER" },
  { ...VALID, extra: 1, another: [1, 2] },
  { ...VALID, app: null },
  { ...VALID, app: null, grant: "password" },
  { ...VALID, app: { clientId: "nobody-knows-this-app" } },
  { ...VALID, sourceIp: "010.0.0.1" },
  { ...VALID, sourceIp: "198.51.100.20 " },
  { ...VALID, sourceIp: "::ffff:198.51.100.20" },
  { ...VALID, sourceIp: "fe80::1%eth0" },
  { ...VALID, user: { ...USER, profile: "x".repeat(256) } },
  { ...VALID, user: { ...USER, profile: "Nobody" } },
  { ...VALID, user: { ...USER, userType: "Guest" } },
  { ...VALID, user: { ...USER, id: "\ud800" } },
  { ...VALID, user: { ...USER, permissionSets: ["ERP_API", ""] } },
  { ...VALID, session: { originIp: "198.51.100.20", highAssurance: true, identityVerified: false } },
  { ...VALID, site: "partners" },
  [VALID],
  "a string",
  42,
  true,
];

/**
 * The cases both servers answer: every request at the decision, and at paths inside it. The
 * conformance corpus can be compared the same way by building this list from its requests.
 */
function cases(requests: readonly unknown[]): Evaluation[] {
  return requests.flatMap((input) => [
    { path: "gatehouse/decision", input },
    { path: "gatehouse/decision/allow", input },
    { path: "gatehouse/decision/reasons/0/code", input },
  ]);
}

describe("gatehouse serve and opa run --server, asked by the official OPA TypeScript client", () => {
  it("give identical results on the quick-start requests", async () => {
    const { first, second } = await evaluateOnBoth(gatehouse.url, opaServer.url, cases(QUICKSTART_REQUESTS));
    expect(first).toEqual(second);
    expect(first[0]).toEqual({ allow: true, notes: [], reasons: [], revision: bundle.revision });
  });

  it("give identical results on invalid and edge-case requests", async () => {
    const { first, second } = await evaluateOnBoth(gatehouse.url, opaServer.url, cases(OWN_REQUESTS));
    expect(first).toEqual(second);
    expect(first.filter((r) => r === "INPUT_INVALID").length).toBeGreaterThan(10);
  });

  it("both answer undefined for a path outside the bundle, and deny a decision without input", async () => {
    const { first, second } = await evaluateOnBoth(gatehouse.url, opaServer.url, [
      { path: "somewhere/else", input: VALID },
      { path: "gatehouse/decision/reasons/0", input: VALID },
    ]);
    expect(first).toEqual([undefined, undefined]);
    expect(second).toEqual(first);
    const answers: unknown[] = [];
    for (const url of [gatehouse.url, opaServer.url]) {
      const response = await fetch(`${url}/v1/data/gatehouse/decision`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        result: { allow: boolean; reasons: Array<{ code: string; message: string }> };
      };
      expect(body.result.allow).toBe(false);
      expect(body.result.reasons.map((r) => [r.code, r.message])).toEqual([
        ["INPUT_INVALID", "the request is not a JSON object"],
      ]);
      answers.push(body.result);
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});

/** The decision-log event with this id, once the asynchronous writer has written it. */
async function loggedEvent(decisionId: string): Promise<DecisionEvent> {
  for (let i = 0; i < 500; i++) {
    const event = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as DecisionEvent)
      .find((e) => e.decision_id === decisionId);
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no decision-log event ${decisionId}`);
}

describe("gatehouse serve speaks OPA's REST API", () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${gatehouse.url}${path}`, { method: "POST", body, headers });

  it("answers {result} with a decision_id when logging, and logs each decision in OPA's shape", async () => {
    const api = new OpaApiClient({ serverURL: gatehouse.url });
    const response = await api.executePolicyWithInput({
      path: "gatehouse/decision",
      requestBody: { input: VALID },
    });
    const body = response.successfulPolicyResponse!;
    expect(body.result).toEqual({ allow: true, notes: [], reasons: [], revision: bundle.revision });
    expect(body.decisionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const event = await loggedEvent(body.decisionId!);
    expect(event).toMatchObject({
      path: "gatehouse/decision",
      result: body.result,
      bundles: { gatehouse: { revision: bundle.revision } },
      erased: ["/input/user/id"],
    });
    expect(event.input).toEqual({ ...VALID, user: { userType: "Standard", profile: "Integration" } });
    expect(event.requested_by).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(Object.keys(event.metrics)).toEqual(["timer_rego_query_eval_ns", "timer_server_handler_ns"]);
  });

  it("logs a query outside the bundle with its input and no result, as OPA does", async () => {
    const response = await post("/v1/data/somewhere/else", JSON.stringify({ input: { a: 1 } }));
    const body = (await response.json()) as { decision_id: string };
    expect(Object.keys(body)).toEqual(["decision_id"]);
    const event = await loggedEvent(body.decision_id);
    expect(event).toMatchObject({ path: "somewhere/else", input: { a: 1 } });
    expect(event).not.toHaveProperty("result");
  });

  it("pretty-prints with ?pretty, includes metrics with ?metrics, and warns when input is missing", async () => {
    const pretty = await post("/v1/data/gatehouse/decision/allow?pretty", JSON.stringify({ input: VALID }));
    expect(await pretty.text()).toMatch(/^\{\n {2}"decision_id": "[0-9a-f-]{36}",\n {2}"result": true\n\}\n$/);
    const withMetrics = (await (
      await post("/v1/data/gatehouse/decision/allow?metrics", JSON.stringify({ input: VALID }))
    ).json()) as { metrics: Record<string, number> };
    expect(Object.keys(withMetrics.metrics)).toEqual(["timer_rego_query_eval_ns", "timer_server_handler_ns"]);
    expect(await (await post("/v1/data/gatehouse/decision", "")).json()).toMatchObject({
      warning: { code: "api_usage_warning", message: "'input' key missing from the request" },
    });
  });

  it("answers the v0 API with the bare result, and 404 undefined_document when there is none", async () => {
    const v0 = await post("/v0/data/gatehouse/decision/allow", JSON.stringify(VALID));
    expect(await v0.text()).toBe("true");
    const missing = await post("/v0/data/gatehouse/decision/nothing", JSON.stringify(VALID));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      code: "undefined_document",
      message: "document missing: data.gatehouse.decision.nothing",
    });
  });

  it.each<[string, string, number, unknown]>([
    [
      "malformed JSON",
      '{"input": 5',
      400,
      {
        code: "invalid_parameter",
        message:
          "body contains malformed input document: Expected ',' or '}' after property value in JSON at position 11",
      },
    ],
    [
      "a body that is not an object",
      "[]",
      400,
      { code: "invalid_parameter", message: "body contains malformed input document: the body must be a JSON object" },
    ],
  ])("answers %s with 400, as OPA does", async (_name, body, status, json) => {
    const response = await post("/v1/data/gatehouse/decision", body);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(json);
    const opaResponse = await fetch(`${opaServer.url}/v1/data/gatehouse/decision`, { method: "POST", body });
    expect(opaResponse.status).toBe(status);
  });

  it("reads gzipped bodies and refuses bodies over the limit with 413", async () => {
    const gz = await fetch(`${gatehouse.url}/v1/data/gatehouse/decision/allow`, {
      method: "POST",
      body: gzipSync(JSON.stringify({ input: VALID })),
      headers: { "Content-Encoding": "gzip" },
    });
    expect(await gz.json()).toMatchObject({ result: true });
    const big = await post("/v1/data/gatehouse/decision", JSON.stringify({ input: { pad: "x".repeat(1024 * 1024) } }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      code: "invalid_parameter",
      message: "request body too large: the limit is 1048576 bytes",
    });
    const bomb = await fetch(`${gatehouse.url}/v1/data/gatehouse/decision`, {
      method: "POST",
      body: gzipSync(JSON.stringify({ input: { pad: "x".repeat(8 * 1024 * 1024) } })),
      headers: { "Content-Encoding": "gzip" },
    });
    expect(bomb.status).toBe(413);
  });

  it("on a real OPA server, no document of the bundle allows a request the input contract refuses", async () => {
    const user = VALID.user as Record<string, unknown>;
    const invalid = [
      { ...VALID, roles: ["admin"] },
      { ...VALID, login: "yes" },
      { ...VALID, user: { ...user, userType: ["Standard"] } },
      { ...VALID, user: { ...user, permissionSets: "ERP_API" } },
      { ...VALID, sourceIp: "010.0.0.1" },
    ];
    for (const input of invalid) {
      for (const path of ["gatehouse/decision", "gatehouse/engine/decision"]) {
        const answer = (await (
          await fetch(`${opaServer.url}/v1/data/${path}`, { method: "POST", body: JSON.stringify({ input }) })
        ).json()) as {
          result: { allow: boolean; reasons: Array<{ code: string }> };
        };
        expect(answer.result.allow, `${path} ${JSON.stringify(input)}`).toBe(false);
        expect(answer.result.reasons.map((r) => r.code)).toEqual(["INPUT_INVALID"]);
      }
      for (const path of ["gatehouse/engine/allow", "gatehouse/engine/quick_allow"]) {
        const answer = (await (
          await fetch(`${opaServer.url}/v1/data/${path}`, { method: "POST", body: JSON.stringify({ input }) })
        ).json()) as { result?: boolean };
        expect(answer.result === true, `${path} ${JSON.stringify(input)}`).toBe(false);
      }
    }
  });

  it("refuses the documents inside the engine of the bundle with 404, and answers unknown routes as OPA does", async () => {
    const engine = await post("/v1/data/gatehouse/engine/decision", JSON.stringify({ input: {} }));
    expect(engine.status).toBe(404);
    expect(await engine.json()).toEqual({
      code: "resource_not_found",
      message:
        "gatehouse serve answers `data.gatehouse.decision` and the paths inside it, not `data.gatehouse.engine.decision`",
    });
    // The runtime's own entry point trusts its input; the server never answers it.
    for (const path of ["gatehouse/runtime/decision", "gatehouse/runtime"]) {
      const runtime = await post(`/v1/data/${path}`, JSON.stringify({ input: VALID }));
      expect(runtime.status, path).toBe(404);
      expect(((await runtime.json()) as { code: string }).code).toBe("resource_not_found");
    }
    expect((await post("/v1/data", "{}")).status).toBe(404);
    for (const url of [gatehouse.url, opaServer.url]) {
      const unknown = await fetch(`${url}/v1/nothing`);
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toBe("404 page not found\n");
    }
    const put = await fetch(`${gatehouse.url}/v1/data/gatehouse/decision`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
  });

  it("redirects a trailing slash and doubled slashes as OPA does", async () => {
    for (const url of [gatehouse.url, opaServer.url]) {
      const trailing = await fetch(`${url}/v1/data/gatehouse/decision/`, { redirect: "manual" });
      expect([trailing.status, trailing.headers.get("location")]).toEqual([301, "/v1/data/gatehouse/decision"]);
      const doubled = await fetch(`${url}/v1/data/gatehouse//decision`, { redirect: "manual" });
      expect([doubled.status, doubled.headers.get("location")]).toEqual([307, "/v1/data/gatehouse/decision"]);
    }
  });

  it("answers /health and /health?bundles with 200 {}", async () => {
    for (const path of ["/health", "/health?bundles"]) {
      const response = await fetch(`${gatehouse.url}${path}`);
      expect([response.status, await response.json()]).toEqual([200, {}]);
    }
  });

  it("exposes Prometheus metrics: decisions by outcome and first reason, a latency histogram, the bundle", async () => {
    const before = await (await fetch(`${gatehouse.url}/metrics`)).text();
    const count = (text: string, series: string): number =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? "0");
    const blocked = QUICKSTART_REQUESTS[6];
    await post("/v1/data/gatehouse/decision", JSON.stringify({ input: blocked }));
    await post("/v1/data/gatehouse/decision", JSON.stringify({ input: blocked }));
    await post("/v1/data/gatehouse/decision", JSON.stringify({ input: VALID }));
    const response = await fetch(`${gatehouse.url}/metrics`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const after = await response.text();
    const denied = 'gatehouse_decisions_total{decision="deny",reason="APP_BLOCKED"}';
    const allowed = 'gatehouse_decisions_total{decision="allow",reason=""}';
    expect(count(after, denied) - count(before, denied)).toBe(2);
    expect(count(after, allowed) - count(before, allowed)).toBe(1);
    const observed = "gatehouse_decision_duration_seconds_count";
    expect(count(after, observed) - count(before, observed)).toBe(3);
    expect(after).toContain('gatehouse_decision_duration_seconds_bucket{le="0.00001"}');
    expect(after).toContain(`gatehouse_bundle_info{revision="${bundle.revision}"} 1`);
    expect(after).toContain('gatehouse_bundle_reloads_total{result="failure"} 0');
    expect(after).toMatch(/^gatehouse_wasm_memory_bytes \d+$/m);
    expect(after).toMatch(/^gatehouse_decision_log_events\{state="recorded"\} \d+$/m);
  });
});
