import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import { keyFile, keyPair } from "../helpers/signing.js";
import { BundleServer, type Served } from "../helpers/fleet-bundle-server.js";
import { load, problems, underLoad } from "../helpers/fleet-load.js";
import {
  quickstart,
  OPA_REVISION_PATH,
  OPA_ACTIVATION_METRIC,
  OPA_REFUSAL_METRIC,
  GATEHOUSE_REVISION_METRIC,
  GATEHOUSE_REFUSAL_METRIC,
  optionValue,
  opaYaml,
  opaArgs,
  serveArgs,
  buildArgs,
  checks,
  serviceUrl,
  resource,
  keyId,
  scope,
  CONVERGENCE_BOUND_MS,
} from "../helpers/fleet-page.js";
import {
  sleep,
  type Revision,
  variant,
  children,
  publishable,
  type Member,
  startOpa,
  startGatehouse,
  reportedRevision,
  opaActivatedRevision,
  refused,
  untilEach,
} from "../helpers/fleet-servers.js";

/**
 * The fleet of docs/deployment.md ("On a fleet of OPA servers"), run as the page writes it: a
 * bundle server with ETags, two `opa run --server` started by the page's command line with the
 * page's opa.yaml (only the service URL points at the test's server), and a `gatehouse serve`
 * started by the page's command line (only the URL and the port change), all polling the same
 * resource. Bundles are built and signed by the built CLI with the page's build line.
 */

let cwd: string;
let origin: BundleServer;
let members: Member[];
let r1: Revision;
let r2: Revision;
let wrongKey: Revision;
let wrongScope: Revision;

beforeAll(async () => {
  // The fleet's working directory: opa.yaml and bundle.pub where the page's commands expect them.
  cwd = tempDir("gatehouse-fleet-");
  const trusted = keyPair("rsa", "fleet");
  writeFileSync(join(cwd, "bundle.pub"), trusted.publicKey);
  const signingKey = keyFile("bundle.key", trusted.privateKey);
  const intruderKey = keyFile("intruder.key", keyPair("rsa", "intruder").privateKey);

  [r1, r2, wrongKey, wrongScope] = await Promise.all([
    publishable("revision 1", variant(undefined), signingKey),
    publishable("revision 2", variant("erp-sync"), signingKey),
    publishable("another key", variant("partner-portal"), intruderKey),
    publishable("another scope", variant("legacy-reporting"), signingKey, "staging"),
  ]);

  origin = new BundleServer();
  const local = await origin.listen();
  writeFileSync(join(cwd, "opa.yaml"), opaYaml.replace(serviceUrl, local));
  origin.publish(r1);
  members = await Promise.all([
    startOpa("opa 1", cwd),
    startOpa("opa 2", cwd),
    startGatehouse(cwd, `${local}/${resource}`),
  ]);
});

afterAll(async () => {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
  origin?.server.closeAllConnections();
  origin?.server.close();
});

describe("a fleet of two OPA servers and a gatehouse serve, configured from docs/deployment.md", () => {
  it("the page's commands and checks are the ones this test runs", () => {
    expect(opaArgs.slice(0, 2)).toEqual(["run", "--server"]);
    expect(opaArgs).toContain("-c");
    expect(optionValue(opaArgs, "--set-file")).toBe(`keys.${keyId}.key=bundle.pub`);
    expect(serveArgs[0]).toBe("serve");
    expect(optionValue(serveArgs, "--bundle")).toBe(`${serviceUrl}/${resource}`);
    expect(optionValue(serveArgs, "--verification-key")).toBe("bundle.pub");
    expect(optionValue(serveArgs, "--key-id")).toBe(keyId);
    expect(optionValue(serveArgs, "--scope")).toBe(scope);
    expect(optionValue(buildArgs, "--key-id")).toBe(keyId);
    expect(optionValue(buildArgs, "--scope")).toBe(scope);
    for (const documented of [
      OPA_REVISION_PATH,
      OPA_ACTIVATION_METRIC,
      OPA_REFUSAL_METRIC,
      GATEHOUSE_REVISION_METRIC.replace("gatehouse_bundle_", ""),
      GATEHOUSE_REFUSAL_METRIC.replace("gatehouse_bundle_", ""),
      "/health",
    ])
      expect(checks).toContain(documented);
  });

  it("the revisions differ in decisions the load can tell apart, and revision 1 decides as examples/quickstart/expected.jsonl says", () => {
    const expected = readFileSync(join(quickstart, "expected.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { allow: boolean; reasons: string[] });
    expect(r1.decisions.map((d) => ({ allow: d.allow, reasons: d.reasons.map((r) => r.code) }))).toEqual(
      expected.map((e) => ({ allow: e.allow, reasons: e.reasons })),
    );
    const flipped = (a: Revision, b: Revision): number =>
      a.decisions.filter((d, i) => d.allow !== b.decisions[i]!.allow).length;
    expect(flipped(r1, r2)).toBeGreaterThan(0);
    expect(flipped(r2, wrongKey)).toBeGreaterThan(0);
    expect(flipped(r2, wrongScope)).toBeGreaterThan(0);
    expect(new Set([r1, r2, wrongKey, wrongScope].map((r) => r.revision)).size).toBe(4);
  });

  it("all three start on revision 1, report it, and decide every request as the runtime does", async () => {
    for (const member of members) {
      expect(await reportedRevision(member), member.name).toBe(r1.revision);
      if (member.kind === "opa") expect(await opaActivatedRevision(member)).toBe(r1.revision);
    }
    const limit = 2 * QUICKSTART_REQUESTS.length;
    const tallies = await load(members, [r1], () => false, limit);
    expect(problems(tallies)).toEqual({});
    for (const t of tallies.values()) expect(t.byRevision).toEqual(new Map([[r1.revision, limit]]));
  });

  it("revision 2 rolls out under load: all three converge within the bound, no request fails, every decision is right for its revision", async ({
    annotate,
  }) => {
    const started = Date.now();
    let published = started;
    const { tallies, value: converged } = await underLoad(members, [r1, r2], async () => {
      await sleep(500); // decisions by revision 1 first
      published = Date.now();
      origin.publish(r2);
      const when = await untilEach(
        members,
        async (m) => (await reportedRevision(m)) === r2.revision,
        published,
        "revision 2 reported",
      );
      await sleep(500); // and by revision 2 after
      return when;
    });
    for (const [name, t] of tallies) {
      expect(t.byRevision.get(r1.revision), name).toBeGreaterThan(0);
      expect(t.byRevision.get(r2.revision), name).toBeGreaterThan(0);
      expect(t.lastRevision, name).toBe(r2.revision);
    }
    for (const m of members.filter((m) => m.kind === "opa")) expect(await opaActivatedRevision(m)).toBe(r2.revision);
    const sent = [...tallies.values()].reduce((n, t) => n + t.decisions, 0);
    await annotate(
      `revision 2 reported ${[...converged].map(([n, ms]) => `${n} ${ms} ms`).join(", ")} after publishing; ` +
        `first decision by it ${[...tallies].map(([n, t]) => `${n} ${t.firstNewest! - (published - started)} ms`).join(", ")}; ` +
        `${sent} decisions, none failed or wrong`,
    );
  });

  it.for([
    ["another key", () => wrongKey, { opa: /verif/i, gatehouse: "SIGNATURE_KEY_MISMATCH" }],
    ["another scope", () => wrongScope, { opa: /scope/i, gatehouse: "SIGNATURE_SCOPE_MISMATCH" }],
  ] as const)(
    "a revision signed with %s is refused by all three, and revision 2 keeps deciding every request",
    async ([label, refusedRevision, why], { annotate }) => {
      const { tallies, value: refusedAfter } = await underLoad(members, [r2], async () => {
        const published = Date.now();
        origin.publish(refusedRevision());
        const when = await untilEach(members, (m) => refused(m, why), published, `${label} refused`);
        await sleep(500);
        return when;
      });
      for (const [name, t] of tallies) expect(t.byRevision, name).toEqual(new Map([[r2.revision, t.decisions]]));
      for (const member of members) expect(await reportedRevision(member), member.name).toBe(r2.revision);
      await annotate(`refused: ${[...refusedAfter].map(([n, ms]) => `${n} ${ms} ms`).join(", ")} after publishing`);
    },
  );

  it("polls are conditional: an unchanged bundle is answered 304 to all three, and each server downloads an accepted revision once", async () => {
    // Revision 2 again, with its ETag: the one OPA has active, not the one gatehouse serve saw last.
    const mark = origin.log.length;
    origin.publish(r2);
    const since = (client: Served["client"]): Served[] => origin.log.slice(mark).filter((s) => s.client === client);
    const published = Date.now();
    while (since("opa").length < 3 || since("gatehouse").length < 2) {
      if (Date.now() - published > CONVERGENCE_BOUND_MS)
        throw new Error(`too few polls within ${CONVERGENCE_BOUND_MS} ms: ${JSON.stringify(origin.log.slice(mark))}`);
      await sleep(100);
    }
    expect(since("opa").map((s) => [s.ifNoneMatch, s.status])).toEqual(since("opa").map(() => [r2.etag, 304]));
    // gatehouse serve moved to the refused bundle's ETag, so it downloads revision 2 once more, then asks with its ETag.
    expect(since("gatehouse").map((s) => [s.ifNoneMatch, s.status])).toEqual([
      [wrongScope.etag, 200],
      ...since("gatehouse")
        .slice(1)
        .map(() => [r2.etag, 304]),
    ]);
    const downloads = (client: Served["client"], r: Revision): number =>
      origin.log.filter((s) => s.client === client && s.status === 200 && s.etag === r.etag).length;
    // Each OPA server downloads an accepted revision once; it asks for a refused one again at every poll.
    expect([downloads("opa", r1), downloads("opa", r2)]).toEqual([2, 2]);
    expect(downloads("opa", wrongKey)).toBeGreaterThanOrEqual(2);
    expect([r1, r2, wrongKey, wrongScope].map((r) => downloads("gatehouse", r))).toEqual([1, 2, 1, 1]);
  });
});
