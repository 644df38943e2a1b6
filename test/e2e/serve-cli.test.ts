import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { QUICKSTART_REQUESTS, blockedErpBundle, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";
import { freePort } from "../helpers/servers.js";

const bin = join(packageRoot(), "bin", "gatehouse.js");
let a: TestBundle;
let b: TestBundle;
const running: ChildProcess[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([quickstartBundle(), blockedErpBundle()]);
});

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

/** Spawns `gatehouse serve ARGS --port 0` and resolves once it says where it listens. */
async function spawnServe(args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  running.push(child);
  let stderr = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = / on (http:\/\/\S+)\n/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    void exit.then((code) => reject(new Error(`gatehouse serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exit };
}

const decide = async (url: string, input: unknown): Promise<unknown> =>
  (
    (await (
      await fetch(`${url}/v1/data/gatehouse/decision`, { method: "POST", body: JSON.stringify({ input }) })
    ).json()) as { result: unknown }
  ).result;

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe("gatehouse serve as a process", () => {
  it("on SIGTERM stops accepting, finishes the request in flight, flushes the decision log and exits 0", async () => {
    const dir = tempDir();
    const file = join(dir, "bundle.tar.gz");
    const log = join(dir, "decisions.jsonl");
    writeFileSync(file, a.bytes);
    const served = await spawnServe(["--bundle", file, "--decision-log", log]);
    for (const input of QUICKSTART_REQUESTS) await decide(served.url, input);

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ input: QUICKSTART_REQUESTS[0] });
    const inFlight = request(`${served.url}/v1/data/gatehouse/decision/allow`, {
      method: "POST",
      headers: { "Content-Length": Buffer.byteLength(body) },
    });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      inFlight.on("response", (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      inFlight.on("error", reject);
    });
    inFlight.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    served.child.kill("SIGTERM");
    await until(() => served.stderr().includes("SIGTERM: finishing requests in flight"), "the shutdown message");
    await expect(fetch(`${served.url}/health`)).rejects.toThrow();
    inFlight.end(body.slice(10));
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ result: true });
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toMatch(/gatehouse: stopped\n$/);
    const lines = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    expect(lines).toHaveLength(QUICKSTART_REQUESTS.length + 1);
    expect((JSON.parse(lines.at(-1)!) as { path: string }).path).toBe("gatehouse/decision/allow");
  });

  it("reloads a bundle renamed over its file and says so", async () => {
    const dir = tempDir();
    const file = join(dir, "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    const served = await spawnServe(["--bundle", file]);
    expect(await decide(served.url, QUICKSTART_REQUESTS[0])).toMatchObject({ allow: true, revision: a.revision });
    writeFileSync(join(dir, "next.tmp"), b.bytes);
    renameSync(join(dir, "next.tmp"), file);
    await until(() => served.stderr().includes(`loaded revision ${b.revision} (was ${a.revision})`), "the reload");
    expect(await decide(served.url, QUICKSTART_REQUESTS[0])).toMatchObject({ allow: false, revision: b.revision });
    writeFileSync(join(dir, "broken.tmp"), "not a bundle");
    renameSync(join(dir, "broken.tmp"), file);
    await until(() => served.stderr().includes("the new bundle was refused: BUNDLE_CORRUPT"), "the refusal");
    expect(await decide(served.url, QUICKSTART_REQUESTS[0])).toMatchObject({ revision: b.revision });
    served.child.kill("SIGINT");
    expect(await served.exit).toBe(0);
  });

  it("warns when it listens beyond loopback", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    const served = await spawnServe(["--bundle", file, "--addr", "0.0.0.0", "--no-watch"]);
    expect(served.stderr()).toContain(
      "gatehouse: warning: listening on 0.0.0.0, reachable from other machines; the API has no authentication\n",
    );
    served.child.kill("SIGTERM");
    expect(await served.exit).toBe(0);
  });
});

describe("gatehouse serve usage errors exit 2", () => {
  it("for a bundle it cannot load", async () => {
    const missing = join(tempDir(), "missing.tar.gz");
    const run = await gatehouse(["serve", "--bundle", missing, "--port", "0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `gatehouse: error: cannot load bundle \`${missing}\`: BUNDLE_UNREADABLE: cannot read the bundle: ENOENT: no such file or directory, open '${missing}'\n`,
    );
  });

  it("for a port that is taken", async () => {
    const file = join(tempDir(), "bundle.tar.gz");
    writeFileSync(file, a.bytes);
    const port = await freePort();
    const first = await spawnServe(["--bundle", file, "--port", String(port)]);
    const run = await gatehouse(["serve", "--bundle", file, "--port", String(port)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`gatehouse: error: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);
  });

  it.each([
    [
      ["--port", "70000"],
      "error: option '--port <n>' argument '70000' is invalid. expected an integer from 0 to 65535",
    ],
    [
      ["--decision-log-sample", "2"],
      "error: option '--decision-log-sample <rate>' argument '2' is invalid. expected a number from 0 to 1",
    ],
    [
      ["--decision-log", "decisions.jsonl", "--decision-log-mask", "/user/id"],
      "gatehouse: error: mask rule path must start with `/input` or `/result`, got `/user/id`",
    ],
  ])("for %j", async (args, message) => {
    const run = await gatehouse(["serve", "--bundle", "bundle.tar.gz", ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
