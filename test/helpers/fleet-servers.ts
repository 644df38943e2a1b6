/** The fleet test's servers and builds: the built CLI, opa and `gatehouse serve` started as the page says. */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { Authorizer, type Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "./bundles.js";
import { opa } from "./opa.js";
import { tempDir } from "./policy.js";
import { freePort } from "./servers.js";
import {
  bin,
  quickstart,
  OPA_REVISION_PATH,
  OPA_ACTIVATION_METRIC,
  OPA_REFUSAL_METRIC,
  GATEHOUSE_REVISION_METRIC,
  GATEHOUSE_REFUSAL_METRIC,
  withOption,
  opaArgs,
  serveArgs,
  buildArgs,
  CONVERGENCE_BOUND_MS,
} from "./fleet-page.js";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One built revision: the bundle, its revision, and the decisions the runtime gives the quick-start requests with it. */
export interface Revision {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly revision: string;
  readonly etag: string;
  readonly decisions: readonly Decision[];
}

/** The quick start with one connected app blocked (or as it is), as a fresh policy directory. */
export function variant(blockedApp: string | undefined): string {
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

export const children: ChildProcess[] = [];
// A backstop for a worker that exits without running afterAll: no server outlives the test file.
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs the built CLI; resolves with its exit code and output. */
export function cli(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

/** Builds `dir` with the page's build line, signed with `signingKey` (and another scope when given). */
export async function publishable(
  label: string,
  dir: string,
  signingKey: string,
  otherScope?: string,
): Promise<Revision> {
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

/** A server of the fleet: how to reach it, how to read its revision and refusals, and its output for failures. */
export interface Member {
  readonly name: string;
  readonly kind: "opa" | "gatehouse";
  readonly url: string;
  readonly output: () => string;
}

/** Keeps the last 64 KiB of a child's output (OPA logs every decision to the console). */
export function tail(child: ChildProcess): () => string {
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
export async function startOpa(name: string, cwd: string): Promise<Member> {
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
export async function startGatehouse(cwd: string, bundleUrl: string): Promise<Member> {
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
export async function reportedRevision(member: Member): Promise<string | undefined> {
  if (member.kind === "opa") {
    const answer = (await (await fetch(`${member.url}${OPA_REVISION_PATH}`)).json()) as { result?: string };
    return answer.result;
  }
  const metrics = await (await fetch(`${member.url}/metrics`)).text();
  return new RegExp(`^${GATEHOUSE_REVISION_METRIC}\\{revision="([^"]*)"\\} 1$`, "m").exec(metrics)?.[1];
}

/** The revision OPA's metrics label as active (`status.prometheus` in the page's config). */
export async function opaActivatedRevision(member: Member): Promise<string | undefined> {
  const metrics = await (await fetch(`${member.url}/metrics`)).text();
  return new RegExp(`^${OPA_ACTIVATION_METRIC}\\{active_revision="([^"]*)"`, "m").exec(metrics)?.[1];
}

/** Whether a member has refused a new bundle for `why` (OPA: the failure's message; gatehouse: the code). */
export async function refused(member: Member, why: { opa: RegExp; gatehouse: string }): Promise<boolean> {
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
export async function untilEach(
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
