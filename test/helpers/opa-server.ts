import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { opa } from "./opa.js";

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[], port: number): Started {
  const child = spawn(opa().path, ["run", "--server", "--addr", `127.0.0.1:${port}`, "--log-level", "error", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill("SIGTERM");
  await started.exited;
}

/**
 * Runs `opa run --server` on a free loopback port with `args`, waits until `/health?bundles`
 * reports every bundle activated, calls `use` with the server's base URL, and always stops the
 * server. Fails with opa's output when it exits or does not become healthy within 20 seconds.
 */
export async function withOpaServer<T>(args: readonly string[], use: (base: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const started = start(args, port);
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (started.child.exitCode !== null)
        throw new Error(`opa exited with ${started.child.exitCode}: ${started.output()}`);
      if (Date.now() > deadline) throw new Error(`opa did not become healthy: ${started.output()}`);
      const healthy = await fetch(`${base}/health?bundles`).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return await use(base);
  } finally {
    await stop(started);
  }
}

/**
 * Runs `opa run --server` with `args`, expecting it to refuse its bundle and exit; returns the
 * exit code and output. Fails if the server is still running after 20 seconds (then stopped).
 */
export async function opaServerRefusal(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const started = start(args, await freePort());
  try {
    const code = await Promise.race([
      started.exited,
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 20_000).unref()),
    ]);
    if (code === "running") throw new Error(`opa accepted the bundle and kept running: ${started.output()}`);
    return { code, output: started.output() };
  } finally {
    await stop(started);
  }
}
