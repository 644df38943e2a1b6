import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { Authorizer } from "../../wasm/index.js";
import { quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { tempDir } from "../helpers/policy.js";
import { startOpaServer } from "../helpers/servers.js";
import { gatehouse } from "../helpers/cli.js";
import { keyFile, keyPair } from "../helpers/signing.js";
import { parse } from "yaml";

const root = packageRoot();
const doc = readFileSync(join(root, "docs", "deployment.md"), "utf8");

/** The first fenced block of `language` in the section of docs/deployment.md whose heading starts with `heading`. */
function block(heading: string, language: string): string {
  const start = doc.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`docs/deployment.md has no section \`## ${heading}\``);
  const found = new RegExp("```" + language + "( runnable)?\\n([\\s\\S]*?)```").exec(doc.slice(start));
  if (!found) throw new Error(`docs/deployment.md section \`${heading}\` has no ${language} block`);
  return found[2]!;
}

let bundle: TestBundle;
/** A working directory holding the quick-start bundle where the docs put it. */
let cwd: string;
const scratch: string[] = [];

beforeAll(async () => {
  bundle = await quickstartBundle();
  cwd = tempDir();
  mkdirSync(join(cwd, "dist", "policy"), { recursive: true });
  writeFileSync(join(cwd, "dist", "policy", "bundle.tar.gz"), bundle.bytes);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("docs/deployment.md: deciding requests in production", () => {
  it("the embedding example runs as written, importing the runtime package, and prints what its comment says", () => {
    const code = block("Embedding in a Node service", "js");
    expect(code.split("\n").filter((l) => l.trim() !== "").length).toBeLessThanOrEqual(10);
    // Inside the repository, so that `gatehouse-policy-runtime` resolves through its node_modules link.
    const dir = mkdtempSync(join(root, "dist", "readme-"));
    scratch.push(dir);
    writeFileSync(join(dir, "example.mjs"), code);
    const run = spawnSync(process.execPath, [join(dir, "example.mjs")], { cwd, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const promised = /console\.log\(.*\); \/\/ (.*)$/m.exec(code)![1]!;
    expect(run.stdout.replace(/\s+/g, " ").trim()).toBe(promised);
  });

  it("the sidecar commands serve the decision the curl line asks for", async () => {
    const [serveLine, curlLine] = block("As a sidecar", "sh").trim().split("\n");
    expect(serveLine).toMatch(/^npx --no-install gatehouse serve /);
    const args = serveLine!
      .replace(/^npx --no-install /, "")
      .split(" ")
      .slice(1);
    expect(args[0]).toBe("serve");
    const port = args.indexOf("--port");
    args[port + 1] = "0";
    const child = spawn(process.execPath, [join(root, "bin", "gatehouse.js"), ...args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      let stderr = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          const found = / on (http:\/\/\S+)\n/.exec(stderr);
          if (found) resolve(found[1]!);
        });
        child.once("exit", () => reject(new Error(stderr)));
      });
      const body = /-d '(.*)'$/.exec(curlLine!)![1]!;
      const path = / localhost:8181(\S+) /.exec(curlLine!)![1]!;
      const response = await fetch(`${url}${path}`, { method: "POST", body });
      const answer = (await response.json()) as { result: { allow: boolean }; decision_id: string };
      expect(answer.result).toEqual({ allow: true, notes: [], reasons: [], revision: bundle.revision });
      expect(answer.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(
      readFileSync(join(cwd, "decisions.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(1);
  });

  it("the OPA configuration makes a real opa poll the bundle and give the runtime's decision", async () => {
    const config = block("On a fleet of OPA servers", "yaml");
    const resource = /resource: (\S+)/.exec(config)![1]!;
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url ?? "");
      if (req.url === `/${resource}`) res.writeHead(200, { ETag: '"1"' }).end(bundle.bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const file = join(tempDir(), "opa.yaml");
    const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(file, config.replace("https://policies.example.com", local));
    const opaServer = await startOpaServer(["-c", file]);
    try {
      const request = JSON.parse(/-d '(.*)'$/m.exec(block("As a sidecar", "sh"))![1]!) as { input: unknown };
      const response = await fetch(`${opaServer.url}/v1/data/gatehouse/decision`, {
        method: "POST",
        body: JSON.stringify(request),
      });
      const answer = (await response.json()) as { result: unknown };
      expect(answer.result).toEqual((await Authorizer.load(bundle.bytes)).decide(request.input));
      expect(served).toContain(`/${resource}`);
    } finally {
      await opaServer.stop();
      server.close();
    }
  });

  it("the fleet's signing keys make opa serve a bundle signed with the key and refuse one signed with another", async () => {
    type Config = { keys: Record<string, { key: string }>; bundles: { gatehouse: Record<string, unknown> } };
    const base = parse(block("On a fleet of OPA servers", "yaml")) as Config;
    const signing = parse(block("Signing keys on the fleet", "yaml")) as Config;
    const [keyId, keyConfig] = Object.entries(signing.keys)[0]!;
    const quickstart = join(root, "examples", "quickstart");
    const signed = async (label: string): Promise<Uint8Array> => {
      const out = tempDir();
      const key = keyFile("bundle.key", keyPair("rsa", label).privateKey);
      const run = await gatehouse(["build", quickstart, "-o", out, "--signing-key", key, "--key-id", keyId]);
      expect(run.code, run.stderr).toBe(0);
      return readFileSync(join(out, "bundle.tar.gz"));
    };
    const resource = /resource: (\S+)/.exec(block("On a fleet of OPA servers", "yaml"))![1]!;
    let serving = await signed("fleet");
    const server = createServer((req, res) => {
      if (req.url === `/${resource}`) res.writeHead(200).end(serving);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const config: Config = {
      ...base,
      keys: { [keyId]: { ...keyConfig, key: keyPair("rsa", "fleet").publicKey } },
      bundles: { gatehouse: { ...base.bundles.gatehouse, ...signing.bundles.gatehouse } },
    };
    const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = join(tempDir(), "opa.yaml");
    writeFileSync(file, JSON.stringify(config).replace("https://policies.example.com", local));
    try {
      const opaServer = await startOpaServer(["-c", file]);
      const request = JSON.parse(/-d '(.*)'$/m.exec(block("As a sidecar", "sh"))![1]!) as { input: unknown };
      const answer = (await (
        await fetch(`${opaServer.url}/v1/data/gatehouse/decision`, { method: "POST", body: JSON.stringify(request) })
      ).json()) as { result: { allow: boolean } };
      await opaServer.stop();
      expect(answer.result.allow).toBe(true);
      // Signed with another key: opa never activates it, so it never reports healthy.
      serving = await signed("intruder");
      await expect(startOpaServer(["-c", file])).rejects.toThrow(/did not become healthy|verification|signature/);
    } finally {
      server.close();
    }
  });
});
