import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpLoad, type DecisionServer } from "../../bench/harness/http.js";

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/**
 * A loopback decision server answering `{"result":{"allow":true}}`; `drop(nth)` says whether to
 * reset the socket instead of answering the nth request that socket carries (1-based).
 */
async function fake(drop: (nth: number) => boolean): Promise<DecisionServer> {
  const carried = new WeakMap<object, number>();
  const server = createServer((req, res) => {
    const nth = (carried.get(req.socket) ?? 0) + 1;
    carried.set(req.socket, nth);
    req.resume();
    req.on("end", () => {
      if (drop(nth)) req.socket.destroy();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"result":{"allow":true}}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    name: "fake",
    url: `http://127.0.0.1:${port}/v1/data/gatehouse/decision`,
    cpuSeconds: () => undefined,
    stop: () => Promise.resolve(),
  };
}

const options = { concurrency: 1, seconds: 0.2, warmupSeconds: 0.05 };

describe("bench: HTTP load", () => {
  it("sends a request again once when its reused keep-alive socket is reset, and counts it", async () => {
    const run = await httpLoad(await fake((nth) => nth === 2), ["{}"], [true], options);
    expect(run.requests).toBeGreaterThan(2);
    expect(run.retried).toBeGreaterThan(0);
    expect({ errors: run.errors, samples: run.errorSamples, wrong: run.wrong }).toEqual({
      errors: 0,
      samples: [],
      wrong: 0,
    });
  });

  it("counts a reset on a fresh socket as an error, with what happened", async () => {
    const run = await httpLoad(await fake(() => true), ["{}"], [true], options);
    expect(run.requests).toBe(0);
    expect(run.retried).toBe(0);
    expect(run.errors).toBeGreaterThan(0);
    expect(run.errorSamples[0]).toMatch(/^ECONNRESET: socket hang up$/);
    expect(run.errorSamples.length).toBeLessThanOrEqual(3);
  });

  it("counts a non-200 answer as an error with its status and body, and a wrong allow as wrong", async () => {
    const fail = createServer((_req, res) => res.writeHead(500).end("boom"));
    servers.push(fail);
    await new Promise<void>((r) => fail.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(fail.address() as AddressInfo).port}/v1/data/gatehouse/decision`;
    const server = { name: "500", url, cpuSeconds: () => undefined, stop: () => Promise.resolve() };
    const failed = await httpLoad(server, ["{}"], [true], options);
    expect(failed.errors).toBe(failed.requests);
    expect(failed.errorSamples[0]).toBe("HTTP 500: boom");
    const wrong = await httpLoad(await fake(() => false), ["{}"], [false], options);
    expect({ errors: wrong.errors, all: wrong.wrong === wrong.requests }).toEqual({ errors: 0, all: true });
  });
});
