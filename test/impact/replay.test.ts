/**
 * `gatehouse replay` against decision logs recorded by the real `gatehouse serve`: the decisions it
 * reports as changed are exactly those the new bundle decides differently; gzip logs read the same;
 * masked events are unreplayable, malformed lines unreadable with their line numbers.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { decisionKey } from "../../impact/decide.js";
import type { ReplayReport } from "../../impact/replay.js";
import { Authorizer } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS, blockedErpBundle, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";
import { startGatehouseServer } from "../helpers/servers.js";

let old: TestBundle;
let next: TestBundle;
let dir: string;
let nextFile: string;

/** Serves `bundle` with a decision log, sends every request, stops the server; returns the log path. */
async function record(name: string, requests: readonly unknown[], mask: string[] = []): Promise<string> {
  const bundle = join(dir, `${name}.tar.gz`);
  writeFileSync(bundle, old.bytes);
  const log = join(dir, `${name}.jsonl`);
  const server = await startGatehouseServer({ bundle, decisionLog: log, decisionLogMask: mask });
  try {
    for (const input of requests) {
      const response = await fetch(`${server.url}/v1/data/gatehouse/decision`, {
        method: "POST",
        body: JSON.stringify({ input }),
      });
      expect(response.status).toBe(200);
    }
  } finally {
    expect(await server.stop()).toBe(0);
  }
  return log;
}

async function replayJson(log: string): Promise<ReplayReport> {
  const run = await gatehouse(["replay", "--log", log, "--bundle", nextFile, "--format", "json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ReplayReport;
}

// The quick-start requests, each also as a non-login call: more decisions, some changed, some not.
const requests = QUICKSTART_REQUESTS.flatMap((r) => [r, { ...(r as object), login: false }]);

describe("gatehouse replay", () => {
  beforeAll(async () => {
    [old, next] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
    dir = tempDir();
    nextFile = join(dir, "next.tar.gz");
    writeFileSync(nextFile, next.bytes);
  });

  it("reports exactly the recorded decisions the new bundle decides differently", async () => {
    const log = await record("plain", requests);
    const report = await replayJson(log);
    const [a, b] = await Promise.all([Authorizer.load(old.bytes), Authorizer.load(next.bytes)]);
    const changed = requests.filter((r) => decisionKey(a.decide(r)) !== decisionKey(b.decide(r)));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(requests.length);
    expect(report.events).toBe(requests.length);
    expect(report.changed).toBe(changed.length);
    expect(report.same).toBe(requests.length - changed.length);
    expect(report.loggedRevisions).toEqual([old.revision]);
    expect(report.revision).toBe(next.revision);
    // Each group is (old outcome → new outcome), and its examples are changed requests from the log.
    expect(report.groups.reduce((n, g) => n + g.count, 0)).toBe(changed.length);
    for (const g of report.groups) {
      expect(g.to).toContain("APP_BLOCKED");
      for (const e of g.examples) {
        expect(changed).toContainEqual(e.input);
        expect(e.line).toBeGreaterThan(0);
      }
    }
  });

  it("reads a gzip log the same, and names the unreadable lines", async () => {
    const log = await record("zipped", requests);
    appendFileSync(log, "not json\n[1, 2]\n\n");
    const zipped = join(dir, "zipped.jsonl.gz");
    writeFileSync(zipped, gzipSync(readFileSync(log)));
    const report = await replayJson(zipped);
    expect(report.events).toBe(requests.length);
    expect(report.unreadable.count).toBe(2);
    expect(report.unreadable.problems.map((p) => p.line)).toEqual([requests.length + 1, requests.length + 2]);
    expect(report.unreadable.problems[0]!.message).toContain("not JSON");
    const text = await gatehouse(["replay", "--log", zipped, "--bundle", nextFile]);
    expect(text.stdout).toContain(`unreadable line ${requests.length + 1}: not JSON`);
  });

  it("counts masked events as unreplayable and never guesses them", async () => {
    const log = await record("masked", requests.slice(0, 3), ["/input/sourceIp"]);
    const report = await replayJson(log);
    expect(report.events).toBe(3);
    expect(report.unreplayable.count).toBe(3);
    expect(report.unreplayable.reasons).toEqual({ masked: 3 });
    expect(report.unreplayable.lines).toEqual([1, 2, 3]);
    expect(report.same + report.changed).toBe(0);
  });

  it("renders Markdown and refuses a missing log or bundle with exit 2", async () => {
    const log = await record("markdown", requests.slice(0, 4));
    const md = await gatehouse(["replay", "--log", log, "--bundle", nextFile, "--format", "markdown"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("| was | now | decisions |");
    expect((await gatehouse(["replay", "--log", join(dir, "none.jsonl"), "--bundle", nextFile])).code).toBe(2);
    expect((await gatehouse(["replay", "--log", log, "--bundle", join(dir, "none.tar.gz")])).code).toBe(2);
  });
});
