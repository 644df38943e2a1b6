import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { opa } from "../helpers/opa.js";
import { tempDir } from "../helpers/policy.js";
import { freePort } from "../helpers/servers.js";
import { keyFile, keyPair } from "../helpers/signing.js";

/**
 * The fleet of docs/deployment.md ("On a fleet of OPA servers"), run as the page writes it: a
 * bundle server with ETags, two `opa run --server` started by the page's command line with the
 * page's opa.yaml (only the service URL points at the test's server), and a `gatehouse serve`
 * started by the page's command line (only the URL and the port change), all polling the same
 * resource. Bundles are built and signed by the built CLI with the page's build line.
 */
const root = packageRoot();
const bin = join(root, "bin", "gatehouse.js");
const quickstart = join(root, "examples", "quickstart");
const doc = readFileSync(join(root, "docs", "deployment.md"), "utf8");

/** The documented ways to read a server's revision and refusals (the page's "Checking convergence"). */
const OPA_REVISION_PATH = "/v1/data/system/bundles/gatehouse/manifest/revision";
const OPA_ACTIVATION_METRIC = "last_success_bundle_activation";
const OPA_REFUSAL_METRIC = "bundle_failed_load_counter";
const GATEHOUSE_REVISION_METRIC = "gatehouse_bundle_info";
const GATEHOUSE_REFUSAL_METRIC = "gatehouse_bundle_refused";

/** Decision requests sent in flight at once to each server, and the pause each sender takes between two. */
const SENDERS_PER_SERVER = 2;
const PAUSE_MS = 20;
/** The most decisions one load phase sends to one server, whatever happens. */
const MAX_DECISIONS_PER_SERVER = 2000;

/**
 * The text of `docs/deployment.md` from the heading `title` to the next heading of the same or a
 * higher level (lines inside fenced blocks are never headings).
 */
function section(title: string): string {
  const lines = doc.split("\n");
  let fenced = false;
  let level = 0;
  const taken: string[] = [];
  for (const line of lines) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^(#+) (.*)$/.exec(line);
    if (level > 0 && heading && heading[1]!.length <= level) break;
    if (level > 0) taken.push(line);
    if (level === 0 && heading?.[2] === title) level = heading[1]!.length;
  }
  if (level === 0) throw new Error(`docs/deployment.md has no section \`${title}\``);
  return taken.join("\n");
}

/** A one-line command's words (the page quotes only words without spaces). */
function words(line: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/^"(.*)"$/, "$1"));
}

/** `args` with the value of option `name` replaced (the option must be there). */
function withOption(args: readonly string[], name: string, value: string): string[] {
  const at = args.indexOf(name);
  if (at < 0 || at + 1 >= args.length)
    throw new Error(`the documented command has no \`${name} VALUE\`: ${args.join(" ")}`);
  return args.map((a, i) => (i === at + 1 ? value : a));
}

/** The value of option `name` in `args`. */
function optionValue(args: readonly string[], name: string): string {
  const at = args.indexOf(name);
  if (at < 0) throw new Error(`the documented command has no \`${name}\`: ${args.join(" ")}`);
  return args[at + 1]!;
}

/** The first group of `pattern` in `text`, or an error naming what the page lacks. */
function found(pattern: RegExp, text: string, what: string): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`docs/deployment.md: the fleet section has no ${what}`);
  return match[1]!;
}

const fleet = section("On a fleet of OPA servers");
const opaYaml = found(/^```yaml\n([\s\S]*?)^```$/m, fleet, "yaml block");
/** `opa run …` from the config's first comment line, without the leading `opa`. */
const opaArgs = words(found(/^# opa\.yaml — run with: opa (.*)$/m, opaYaml, "`# opa.yaml — run with: opa …` line"));
const serveArgs = words(found(/^npx --no-install gatehouse (serve .*)$/m, fleet, "`gatehouse serve` line"));
const buildArgs = words(
  found(/^npx --no-install gatehouse (build .*)$/m, section("Publishing a revision"), "`gatehouse build` line"),
);
const checks = found(/^```sh\n([\s\S]*?)^```$/m, section("Checking convergence"), "block of checks");
const serviceUrl = found(/^ {4}url: (\S+)$/m, opaYaml, "service `url:`");
const resource = found(/^ {4}resource: (\S+)$/m, opaYaml, "bundle `resource:`");
const keyId = found(/^ {6}keyid: (\S+)$/m, opaYaml, "`signing.keyid:`");
const scope = found(/^ {6}scope: (\S+)$/m, opaYaml, "`signing.scope:`");
const maxDelaySeconds = Number(found(/^ {6}max_delay_seconds: (\d+)$/m, opaYaml, "`max_delay_seconds:`"));
/** How long after a publish every server must have acted on it: the longest poll delay plus time to download and load. */
const CONVERGENCE_BOUND_MS = Math.max(maxDelaySeconds, Number(optionValue(serveArgs, "--poll-max"))) * 1000 + 8000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One built revision: the bundle, its revision, and the decisions the runtime gives the quick-start requests with it. */
interface Revision {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly revision: string;
  readonly etag: string;
  readonly decisions: readonly Decision[];
}

/** The quick start with one connected app blocked (or as it is), as a fresh policy directory. */
function variant(blockedApp: string | undefined): string {
  const dir = tempDir("gatehouse-fleet-policy-");
  cpSync(quickstart, dir, { recursive: true });
  if (blockedApp !== undefined) {
    const apps = readFileSync(join(dir, "apps.yaml"), "utf8");
    const patched = apps.replace(`name: ${blockedApp}\n`, `name: ${blockedApp}\nblocked: true\n`);
    if (patched === apps) throw new Error(`apps.yaml has no \`name: ${blockedApp}\``);
    writeFileSync(join(dir, "apps.yaml"), patched);
  }
  return dir;
}

const children: ChildProcess[] = [];
// A backstop for a worker that exits without running afterAll: no server outlives the test file.
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs the built CLI; resolves with its exit code and output. */
function cli(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

/** Builds `dir` with the page's build line, signed with `signingKey` (and another scope when given). */
async function publishable(label: string, dir: string, signingKey: string, otherScope?: string): Promise<Revision> {
  const out = tempDir("gatehouse-fleet-out-");
  let args = withOption(withOption(buildArgs, "-o", out), "--signing-key", signingKey);
  expect(args.slice(0, 2)).toEqual(["build", "policies"]);
  args = ["build", dir, ...args.slice(2)];
  if (otherScope !== undefined) args = withOption(args, "--scope", otherScope);
  const run = await cli(args, dir);
  expect(run.code, run.stderr).toBe(0);
  const bytes = new Uint8Array(readFileSync(join(out, "bundle.tar.gz")));
  const authorizer = await Authorizer.load(bytes, { acceptUnverifiedSignature: true });
  expect(run.stderr).toContain(`(revision ${authorizer.revision}, `);
  return {
    label,
    bytes,
    revision: authorizer.revision,
    etag: `"${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}"`,
    decisions: authorizer.decideMany(QUICKSTART_REQUESTS),
  };
}

/** What the bundle server answered, request by request. */
interface Served {
  readonly client: "opa" | "gatehouse";
  readonly ifNoneMatch: string | undefined;
  readonly status: number;
  readonly etag: string;
}

/** A static bundle server: the published bundle at the resource path, with an ETag, 304 for a matching If-None-Match. */
class BundleServer {
  readonly log: Served[] = [];
  private current: Revision | undefined;
  readonly server: Server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== `/${resource}` || !this.current) {
      res.writeHead(404).end();
      return;
    }
    const { bytes, etag } = this.current;
    const ifNoneMatch = req.headers["if-none-match"];
    const client = /Open-Policy-Agent/.test(req.headers["user-agent"] ?? "") ? "opa" : "gatehouse";
    const status = ifNoneMatch === etag ? 304 : 200;
    this.log.push({ client, ifNoneMatch, status, etag });
    if (status === 304) res.writeHead(304, { ETag: etag }).end();
    else
      res
        .writeHead(200, { ETag: etag, "Content-Type": "application/gzip", "Content-Length": bytes.byteLength })
        .end(bytes);
  });

  publish(revision: Revision): void {
    this.current = revision;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

/** A server of the fleet: how to reach it, how to read its revision and refusals, and its output for failures. */
interface Member {
  readonly name: string;
  readonly kind: "opa" | "gatehouse";
  readonly url: string;
  readonly output: () => string;
}

/** Keeps the last 64 KiB of a child's output (OPA logs every decision to the console). */
function tail(child: ChildProcess): () => string {
  let text = "";
  const take = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-65536);
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  return () => text;
}

/**
 * Starts `opa` with the page's command line in `cwd` (where opa.yaml and bundle.pub are), on a
 * free loopback port, and waits until its bundle is active. A port taken between choosing it and
 * opa binding it makes opa exit at once; then another port is tried.
 */
async function startOpa(name: string, cwd: string): Promise<Member> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = withOption(opaArgs, "--addr", `127.0.0.1:${port}`);
    const child = spawn(opa().path, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    const output = tail(child);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (child.exitCode === null && Date.now() < deadline) {
      const ready = await fetch(`${url}/health?bundles`).then(
        (r) => r.ok,
        () => false,
      );
      // Only while this opa runs: after a lost bind race, the port is another process's.
      if (ready && child.exitCode === null) return { name, kind: "opa", url, output };
      await sleep(50);
    }
    if (child.exitCode !== null && /address already in use/.test(output()) && attempt < 5) continue;
    throw new Error(`${name} did not become ready (exit ${child.exitCode}): ${output()}`);
  }
}

/** Starts `gatehouse serve` with the page's command line in `cwd`, on a port it chooses itself. */
async function startGatehouse(cwd: string, bundleUrl: string): Promise<Member> {
  const args = [...withOption(serveArgs, "--bundle", bundleUrl), "--port", "0"];
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  const output = tail(child);
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", () => {
      const found = / on (http:\/\/\S+)\n/.exec(output());
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`gatehouse serve exited with ${code}: ${output()}`)));
  });
  return { name: "gatehouse serve", kind: "gatehouse", url, output };
}

/** The revision a member reports through its status API: OPA's bundle manifest, gatehouse's metrics. */
async function reportedRevision(member: Member): Promise<string | undefined> {
  if (member.kind === "opa") {
    const answer = (await (await fetch(`${member.url}${OPA_REVISION_PATH}`)).json()) as { result?: string };
    return answer.result;
  }
  const metrics = await (await fetch(`${member.url}/metrics`)).text();
  return new RegExp(`^${GATEHOUSE_REVISION_METRIC}\\{revision="([^"]*)"\\} 1$`, "m").exec(metrics)?.[1];
}

/** The revision OPA's metrics label as active (`status.prometheus` in the page's config). */
async function opaActivatedRevision(member: Member): Promise<string | undefined> {
  const metrics = await (await fetch(`${member.url}/metrics`)).text();
  return new RegExp(`^${OPA_ACTIVATION_METRIC}\\{active_revision="([^"]*)"`, "m").exec(metrics)?.[1];
}

/** Whether a member has refused a new bundle for `why` (OPA: the failure's message; gatehouse: the code). */
async function refused(member: Member, why: { opa: RegExp; gatehouse: string }): Promise<boolean> {
  const metrics = await (await fetch(`${member.url}/metrics`)).text();
  if (member.kind === "opa")
    return metrics
      .split("\n")
      .some((l) => l.startsWith(`${OPA_REFUSAL_METRIC}{`) && why.opa.test(/message="([^"]*)"/.exec(l)?.[1] ?? ""));
  const health = (await (await fetch(`${member.url}/health`)).json()) as { bundle?: { refused?: { code: string } } };
  return (
    health.bundle?.refused?.code === why.gatehouse &&
    metrics.includes(`${GATEHOUSE_REFUSAL_METRIC}{code="${why.gatehouse}"} 1`)
  );
}

/** Waits until `condition` holds for every member; resolves with when it first held for each (ms since `since`). */
async function untilEach(
  members: readonly Member[],
  condition: (m: Member) => Promise<boolean>,
  since: number,
  what: string,
): Promise<Map<string, number>> {
  const when = new Map<string, number>();
  while (when.size < members.length) {
    if (Date.now() - since > CONVERGENCE_BOUND_MS)
      throw new Error(
        `${what}: not within ${CONVERGENCE_BOUND_MS} ms for ${members
          .filter((m) => !when.has(m.name))
          .map((m) => `${m.name}\n${m.output().slice(-2000)}`)
          .join("\n")}`,
      );
    for (const m of members) if (!when.has(m.name) && (await condition(m))) when.set(m.name, Date.now() - since);
    await sleep(100);
  }
  return when;
}

/** What a load phase saw at one member. */
interface Tally {
  decisions: number;
  readonly byRevision: Map<string, number>;
  /** Failed requests: errors, non-200 answers, answers without a decision. */
  readonly failed: string[];
  /** Decisions that are not the runtime's decision for the revision they report, or from a revision not allowed. */
  readonly wrong: string[];
  /** When a decision from the newest allowed revision first came back (ms since the phase started). */
  firstNewest?: number;
  lastRevision?: string;
}

/**
 * Sends the quick-start requests round-robin to every member, SENDERS_PER_SERVER at a time with
 * a pause between two, until `done` says so or `limit` were sent to each, and checks each answer: a
 * 200 whose decision is exactly the runtime's decision for the revision it reports, that
 * revision one of `allowed` (oldest first), and never older than a revision the member already
 * answered with before the request was sent.
 */
async function load(
  members: readonly Member[],
  allowed: readonly Revision[],
  done: () => boolean,
  limit = MAX_DECISIONS_PER_SERVER,
): Promise<Map<string, Tally>> {
  const started = Date.now();
  const tallies = new Map<string, Tally>();
  const order = new Map(allowed.map((r, i) => [r.revision, i]));
  await Promise.all(
    members.map(async (member) => {
      const tally: Tally = { decisions: 0, byRevision: new Map(), failed: [], wrong: [] };
      tallies.set(member.name, tally);
      /** The rank in `allowed` of the newest revision a completed answer carried. */
      let newestSeen = -1;
      let next = 0;
      const sender = async (): Promise<void> => {
        while (!done() && tally.decisions < limit) {
          const i = next++ % QUICKSTART_REQUESTS.length;
          const floor = newestSeen;
          tally.decisions++;
          try {
            const response = await fetch(`${member.url}/v1/data/gatehouse/decision`, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ input: QUICKSTART_REQUESTS[i] }),
            });
            const body = (await response.json()) as { result?: Decision };
            const decision = body.result;
            if (response.status !== 200 || decision === undefined) {
              tally.failed.push(`request ${i}: ${response.status} ${JSON.stringify(body)}`);
              continue;
            }
            const rank = order.get(decision.revision);
            tally.byRevision.set(decision.revision, (tally.byRevision.get(decision.revision) ?? 0) + 1);
            tally.lastRevision = decision.revision;
            if (rank === undefined) tally.wrong.push(`request ${i}: revision ${decision.revision} is not allowed here`);
            else if (rank < floor) tally.wrong.push(`request ${i}: revision ${decision.revision} after a newer one`);
            else if (!isDeepStrictEqual(decision, allowed[rank]!.decisions[i]))
              tally.wrong.push(`request ${i} on ${allowed[rank]!.label}: ${JSON.stringify(decision)}`);
            if (rank !== undefined && rank > newestSeen) newestSeen = rank;
            if (rank === allowed.length - 1) tally.firstNewest ??= Date.now() - started;
          } catch (error) {
            tally.failed.push(`request ${i}: ${(error as Error).message}`);
          }
          await sleep(PAUSE_MS);
        }
      };
      await Promise.all(Array.from({ length: SENDERS_PER_SERVER }, sender));
    }),
  );
  return tallies;
}

/** Every tally's failures and wrong decisions, by member (empty when all is well). */
function problems(tallies: Map<string, Tally>): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, t] of tallies)
    if (t.failed.length + t.wrong.length > 0) found[name] = [...t.failed, ...t.wrong].slice(0, 10);
  return found;
}

/**
 * Runs `action` while a load (see `load`) runs against every member; stops the load when the
 * action ends, fails on any failed or wrong decision, then rethrows what the action threw.
 */
async function underLoad<T>(
  allowed: readonly Revision[],
  action: () => Promise<T>,
): Promise<{ tallies: Map<string, Tally>; value: T }> {
  let stop = false;
  const running = load(members, allowed, () => stop);
  let outcome: { readonly value: T } | { readonly error: Error };
  try {
    outcome = { value: await action() };
  } catch (error) {
    outcome = { error: error as Error };
  }
  stop = true;
  // Wrong or failed decisions explain a failure best; then what the action found.
  const tallies = await running;
  expect(problems(tallies)).toEqual({});
  if ("error" in outcome) throw outcome.error;
  return { tallies, value: outcome.value };
}

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
    const { tallies, value: converged } = await underLoad([r1, r2], async () => {
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
      const { tallies, value: refusedAfter } = await underLoad([r2], async () => {
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
