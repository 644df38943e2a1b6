import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { OPAClient } from "@open-policy-agent/opa";
import { opa } from "./opa.js";

/** A port that was free a moment ago (the server that needs it binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A running `opa run --server`. */
export interface OpaServer {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the pinned `opa run --server` on a free loopback port with `args` (e.g. `--bundle
 * FILE`), and waits until its bundles are activated (`/health?bundles`).
 */
export async function startOpaServer(args: readonly string[]): Promise<OpaServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(opa().path, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitForHttp(`${url}/health?bundles`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nopa stderr:\n${stderr}`);
  }
  return { url, process: child, stop };
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
  const results = { first: [] as unknown[], second: [] as unknown[] };
  for (const c of cases) {
    results.first.push(await a.evaluate<Record<string, unknown>, unknown>(c.path, c.input as Record<string, unknown>));
    results.second.push(await b.evaluate<Record<string, unknown>, unknown>(c.path, c.input as Record<string, unknown>));
  }
  return results;
}
