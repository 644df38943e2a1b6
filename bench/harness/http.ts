import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import type { OpaBinary } from "../../compiler/build/index.js";
import { packageRoot } from "../../core/package-root.js";
import { onCpu } from "./machine.js";
import { summarize, type LatencyStats } from "./measure.js";

/** A decision server under test: OPA's REST API for `data.gatehouse.decision` at `url`. */
export interface DecisionServer {
  readonly name: string;
  /** The decision endpoint, e.g. `http://127.0.0.1:8181/v1/data/gatehouse/decision`. */
  readonly url: string;
  /** CPU seconds the server process has used so far (all its threads), when the system tells. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** What one HTTP run measured: throughput, per-request latency, and whether answers were right. */
export interface HttpRun {
  readonly concurrency: number;
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly latency: LatencyStats;
  readonly errors: number;
  /** What the first few errors were (a status and body, or the socket error), to tell why. */
  readonly errorSamples: readonly string[];
  /** Requests sent again because their reused keep-alive socket was reset before any answer. */
  readonly retried: number;
  /** Responses whose `allow` differed from the stream's expectation (checked on every response). */
  readonly wrong: number;
  /** CPU seconds the server used during the timed run, when measured. */
  readonly serverCpuSeconds?: number;
  /** Requests per second of server CPU: the throughput one core would give. */
  readonly perCoreSecond?: number;
}

let clockTicks: number | undefined;

/** CPU seconds (user + system) process `pid` has used, from /proc; undefined elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    clockTicks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function waitFor(check: () => Promise<boolean>, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: the server exited: ${output()}`);
    if (Date.now() > deadline) throw new Error(`bench: the server did not start: ${output()}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `opa run --server` on the bundle, on a free loopback port (on `cpu` when given). */
export async function startOpaServer(opa: OpaBinary, bundlePath: string, cpu?: number): Promise<DecisionServer> {
  const port = await freePort();
  const [command, args] = onCpu(cpu, opa.path, [
    "run",
    "--server",
    "--addr",
    `127.0.0.1:${port}`,
    "--log-level",
    "error",
    bundlePath,
  ]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${base}/health?bundles`).then(
        (r) => r.ok,
        () => false,
      ),
    child,
    () => output,
  );
  return {
    name: "opa run --server",
    url: `${base}/v1/data/gatehouse/decision`,
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop: () => stopChild(child),
  };
}

/** Whether this build has `gatehouse serve` (listed among the CLI's commands). */
export function gatehouseServeAvailable(): boolean {
  const run = spawnSync(process.execPath, [join(packageRoot(), "bin", "gatehouse.js"), "--help"], {
    encoding: "utf8",
  });
  return run.status === 0 && /^\s+serve\b/m.test(run.stdout);
}

/** Starts `gatehouse serve` on the bundle, on a free loopback port (on `cpu` when given). */
export async function startGatehouseServe(bundlePath: string, cpu?: number): Promise<DecisionServer> {
  const [command, args] = onCpu(cpu, process.execPath, [
    join(packageRoot(), "bin", "gatehouse.js"),
    "serve",
    "--bundle",
    bundlePath,
    "--addr",
    "127.0.0.1",
    "--port",
    "0",
    "--no-watch",
  ]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  let base = "";
  await waitFor(
    () => {
      base = / on (http:\/\/[^\s/]+)/.exec(output)?.[1] ?? "";
      return Promise.resolve(base !== "");
    },
    child,
    () => output,
  );
  return {
    name: "gatehouse serve",
    url: `${base}/v1/data/gatehouse/decision`,
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop: () => stopChild(child),
  };
}

/**
 * One POST on the keep-alive `agent`. A request whose reused socket was reset before any answer
 * (the server closed it as it was picked) is sent once more on a fresh one, as HTTP clients do for
 * idempotent requests — a decision query is one; `retried` counts it.
 */
function post(agent: Agent, url: URL, body: string, retried: () => void): Promise<{ status: number; text: string }> {
  const once = (): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        reject(Object.assign(error, { reused: req.reusedSocket && error.code === "ECONNRESET" })),
      );
      req.end(body);
    });
  return once().catch((error: { reused?: boolean }) => {
    if (!error.reused) throw error;
    retried();
    return once();
  });
}

/**
 * Drives `server` with one keep-alive client at fixed `concurrency`: each lane posts the next
 * request of the stream (`{"input": …}`, pre-serialised) as soon as its previous one answered,
 * for `seconds` after `warmupSeconds`. Every answer is checked against `expectAllow`.
 */
export async function httpLoad(
  server: DecisionServer,
  bodies: readonly string[],
  expectAllow: readonly boolean[],
  options: { readonly concurrency: number; readonly seconds: number; readonly warmupSeconds: number },
): Promise<HttpRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const url = new URL(server.url);
  let next = 0;
  let errors = 0;
  let wrong = 0;
  let errorSamples: string[] = [];
  let retried = 0;
  const failed = (what: string): void => {
    errors++;
    if (errorSamples.length < 3) errorSamples.push(what);
  };
  const samples: number[] = [];
  const run = async (seconds: number, record: boolean): Promise<number> => {
    const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
    let done = 0;
    const lane = async (): Promise<void> => {
      while (process.hrtime.bigint() < deadline) {
        const i = next++ % bodies.length;
        const t0 = process.hrtime.bigint();
        try {
          const res = await post(agent, url, bodies[i]!, () => retried++);
          const t1 = process.hrtime.bigint();
          const allow =
            res.status === 200 ? (JSON.parse(res.text) as { result?: { allow?: unknown } }).result?.allow : undefined;
          if (res.status !== 200) failed(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
          else if (allow !== expectAllow[i]) wrong++;
          if (record) samples.push(Number(t1 - t0));
          done++;
        } catch (error) {
          failed(
            error instanceof Error
              ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`
              : String(error),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
    return done;
  };
  await run(options.warmupSeconds, false);
  errors = 0;
  errorSamples = [];
  retried = 0;
  wrong = 0;
  const cpuBefore = server.cpuSeconds();
  const start = process.hrtime.bigint();
  const requests = await run(options.seconds, true);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = server.cpuSeconds();
  agent.destroy();
  const cpu =
    cpuBefore !== undefined && cpuAfter !== undefined && cpuAfter > cpuBefore ? cpuAfter - cpuBefore : undefined;
  return {
    ...(cpu !== undefined ? { serverCpuSeconds: cpu, perCoreSecond: requests / cpu } : {}),
    concurrency: options.concurrency,
    requests,
    seconds,
    perSecond: requests / seconds,
    latency: summarize(samples, 0),
    errors,
    errorSamples,
    retried,
    wrong,
  };
}
