import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { OPAClient } from "@open-policy-agent/opa";
import { runServe, type ServeOptions } from "../../cli/commands/serve.js";
import { opa } from "./opa.js";

/** A loopback TCP port that was free a moment ago (the server that needs it binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A running `opa run --server`. */
export interface OpaServer {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  readonly stop: () => Promise<void>;
}

function startOpa(args: readonly string[], port: number): Started {
  const child = spawn(opa().path, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return { child, output: () => output, exited, stop };
}

/**
 * Starts the pinned `opa run --server` on a free loopback port with `args` (e.g. `--bundle
 * FILE`), and waits until its bundles are activated (`/health?bundles`). Fails with opa's output
 * when it exits first or is not healthy within 30 seconds.
 */
export async function startOpaServer(args: readonly string[]): Promise<OpaServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = startOpa(args, port);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (started.child.exitCode !== null)
      throw new Error(`opa exited with ${started.child.exitCode}: ${started.output()}`);
    if (Date.now() > deadline) {
      await started.stop();
      throw new Error(`opa did not become healthy within 30 s: ${started.output()}`);
    }
    const healthy = await fetch(`${url}/health?bundles`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { url, process: started.child, stop: started.stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `opa run --server` with `args`, calls `use` with its base URL, and always stops it. */
export async function withOpaServer<T>(args: readonly string[], use: (base: string) => Promise<T>): Promise<T> {
  const server = await startOpaServer(args);
  try {
    return await use(server.url);
  } finally {
    await server.stop();
  }
}

/**
 * Runs `opa run --server` with `args`, expecting it to refuse its bundle and exit; returns the
 * exit code and output. Fails if the server is still running after 20 seconds (then stopped).
 */
export async function opaServerRefusal(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const started = startOpa(args, await freePort());
  try {
    const code = await Promise.race([
      started.exited,
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 20_000).unref()),
    ]);
    if (code === "running") throw new Error(`opa accepted the bundle and kept running: ${started.output()}`);
    return { code, output: started.output() };
  } finally {
    await started.stop();
  }
}

/** A `gatehouse serve` running in this process. */
export interface GatehouseServer {
  readonly url: string;
  /** Stops the server; resolves with its exit code. */
  stop(): Promise<number>;
  stderr(): string;
}

/** Runs `gatehouse serve` in this process until `stop` is called; resolves once it listens. */
export async function startGatehouseServer(
  options: Partial<ServeOptions> & { bundle: string },
): Promise<GatehouseServer> {
  const controller = new AbortController();
  let stderr = "";
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const done = runServe(
    {
      addr: "127.0.0.1",
      port: 0,
      watch: false,
      pollMin: 60,
      pollMax: 120,
      maxBodyBytes: 1024 * 1024,
      maxRequestBytes: 65536,
      decisionLogMask: [],
      decisionLogSample: 1,
      ...options,
    },
    { stdout: () => undefined, stderr: (t) => (stderr += t), isTTY: false, env: {} },
    { signal: controller.signal, onListening: listening },
  );
  const failed = done.then((code) => {
    throw new Error(`gatehouse serve ended early with ${code}: ${stderr}`);
  });
  return {
    url: await Promise.race([url, failed]),
    stop: () => {
      controller.abort();
      return done;
    },
    stderr: () => stderr,
  };
}

/** One evaluation to compare: a path below /v1/data and an input. */
export interface Evaluation {
  readonly path: string;
  readonly input: unknown;
}

/**
 * Evaluates every case with the official OPA TypeScript client against each server and returns
 * the results side by side (in order), for the caller to compare. Works for any list of inputs,
 * so a conformance corpus can be pointed at it.
 */
export async function evaluateOnBoth(
  first: string,
  second: string,
  cases: readonly Evaluation[],
): Promise<{ first: unknown[]; second: unknown[] }> {
  const a = new OPAClient(first);
  const b = new OPAClient(second);
  const ask = (client: OPAClient, base: string, c: Evaluation): Promise<unknown> =>
    c.input === null
      ? postNullInput(base, c.path)
      : client.evaluate<Record<string, unknown>, unknown>(c.path, c.input as Record<string, unknown>);
  const results = { first: [] as unknown[], second: [] as unknown[] };
  for (const c of cases) {
    results.first.push(await ask(a, first, c));
    results.second.push(await ask(b, second, c));
  }
  return results;
}

/**
 * `{"input": null}` posted by hand: the OPA TypeScript client (2.0.0) throws on a null input
 * before sending it, but the Data API accepts it and policies must answer it.
 */
async function postNullInput(base: string, path: string): Promise<unknown> {
  const response = await fetch(`${base}/v1/data/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"input":null}',
  });
  if (!response.ok) throw new Error(`${base}/v1/data/${path} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { result?: unknown }).result;
}
