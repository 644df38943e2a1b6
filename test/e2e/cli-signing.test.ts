import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";
import { hmacSecret, keyFile, keyPair } from "../helpers/signing.js";

const quickstart = join(packageRoot(), "examples", "quickstart");
const requests = join(quickstart, "requests.jsonl");
const expected = join(quickstart, "expected.jsonl");

describe("gatehouse build --signing-key and eval --verification-key", () => {
  it("signs with RS256 by default; eval refuses it without the key and decides with it", async () => {
    const pair = keyPair("rsa");
    const out = tempDir();
    const built = await gatehouse(["build", quickstart, "-o", out, "--signing-key", keyFile("k.pem", pair.privateKey)]);
    expect(built.code).toBe(0);
    expect(built.stderr).toMatch(/, opa 1\.22\.2, signed RS256 by key `default`\)\n/);
    const bundle = join(out, "bundle.tar.gz");

    const unverified = await gatehouse(["eval", "--bundle", bundle, "--inputs", requests]);
    expect(unverified).toMatchObject({ code: 2, stdout: "" });
    expect(unverified.stderr).toBe(
      `gatehouse: error: cannot load bundle \`${bundle}\`: VERIFICATION_KEY_MISSING: the bundle is signed, but no verification key is configured to check \`.signatures.json\`\n` +
        "  help: pass the signer's public key (or secret) with `--verification-key`\n",
    );

    const pub = keyFile("k.pub", pair.publicKey);
    const verified = await gatehouse([
      "eval",
      "--bundle",
      bundle,
      "--inputs",
      requests,
      "--expect",
      expected,
      "--verification-key",
      pub,
    ]);
    expect(verified.code).toBe(0);
    expect(verified.stderr).toContain("decisions match");

    const other = keyFile("other.pub", keyPair("rsa", "other").publicKey);
    const wrong = await gatehouse(["eval", "--bundle", bundle, "--inputs", requests, "--verification-key", other]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("SIGNATURE_KEY_MISMATCH: the signature does not verify with the configured key");
  });

  it("signs with an HMAC secret, key id and scope, and eval checks each", async () => {
    const secret = keyFile("secret", hmacSecret());
    const out = tempDir();
    const built = await gatehouse([
      "build",
      quickstart,
      "-o",
      out,
      "--signing-key",
      secret,
      "--signing-alg",
      "HS256",
      "--key-id",
      "ci-2025",
      "--scope",
      "production",
    ]);
    expect(built.stderr).toContain("signed HS256 by key `ci-2025`");
    const bundle = join(out, "bundle.tar.gz");
    const evaluate = (...extra: string[]) =>
      gatehouse(["eval", "--bundle", bundle, "--inputs", requests, "--verification-key", secret, ...extra]);
    expect((await evaluate("--verification-alg", "HS256", "--key-id", "ci-2025", "--scope", "production")).code).toBe(
      0,
    );
    const noScope = await evaluate("--verification-alg", "HS256");
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toContain(
      "SIGNATURE_SCOPE_MISMATCH: the signature has scope `production`, but no scope is configured",
    );
    const rsOnly = await evaluate("--scope", "production");
    expect(rsOnly.stderr).toContain(
      "VERIFICATION_KEY_INVALID: the verification key is not a PEM public key or certificate for RS256",
    );
    const otherId = await evaluate("--verification-alg", "HS256", "--scope", "production", "--key-id", "ci-2024");
    expect(otherId.stderr).toContain(
      "SIGNATURE_KEY_MISMATCH: the bundle is signed with key `ci-2025`, but key `ci-2024` is configured",
    );
  });

  it("exits 2 without writing anything on a key that cannot sign, or options without a key", async () => {
    const out = join(tempDir(), "out");
    const pub = keyFile("k.pub", keyPair("rsa").publicKey);
    const run = await gatehouse(["build", quickstart, "-o", out, "--signing-key", pub]);
    expect(run).toMatchObject({ code: 2, stdout: "" });
    expect(run.stderr).toBe(
      `gatehouse: error: cannot sign with \`${pub}\`: it is a public key\n  help: sign with the private key; verifiers get the public one\n`,
    );
    const short = keyFile("short", "0123456789");
    expect(
      (await gatehouse(["build", quickstart, "-o", out, "--signing-key", short, "--signing-alg", "HS256"])).stderr,
    ).toContain("the HS256 secret is 10 bytes; it needs at least 32");
    expect(
      (await gatehouse(["build", quickstart, "-o", out, "--signing-key", join(out, "none.pem")])).stderr,
    ).toContain("cannot read the signing key");
    expect((await gatehouse(["build", quickstart, "-o", out, "--scope", "x"])).stderr).toBe(
      "gatehouse: error: `--scope` needs `--signing-key`\n",
    );
    expect((await gatehouse(["build", quickstart, "-o", out, "--signing-alg", "none"])).code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const evalRun = await gatehouse(["eval", "--bundle", join(out, "b.tar.gz"), "--input", "x", "--key-id", "k"]);
    expect(evalRun).toMatchObject({ code: 2, stderr: "gatehouse: error: `--key-id` needs `--verification-key`\n" });
  });
});
