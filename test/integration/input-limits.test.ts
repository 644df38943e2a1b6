import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { terminalSafe } from "../../cli/format/terminal-safe.js";
import { Authorizer, ReloadingAuthorizer } from "../../wasm/index.js";
import { certainlyLargerThan } from "../../wasm/request-validator.js";
import { QUICKSTART_REQUESTS, quickstartBundle, type TestBundle } from "../helpers/bundles.js";
import { gatehouse } from "../helpers/cli.js";
import { tempDir } from "../helpers/policy.js";

let bundle: TestBundle;
let authorizer: Authorizer;

beforeAll(async () => {
  bundle = await quickstartBundle();
  authorizer = await Authorizer.load(bundle.bytes);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const VALID = QUICKSTART_REQUESTS[0] as { user: Record<string, unknown> };
const tooLarge = {
  allow: false,
  reasons: [{ code: "INPUT_INVALID", message: "the request is larger than 65536 bytes" }],
};

describe("the request size limit comes before any work that grows with the request", () => {
  it.each([
    ["900 000 lone surrogates in a field", { ...VALID, user: { ...VALID.user, id: "\ud800".repeat(900_000) } }],
    ["2^20 lone surrogates as the request", "\udc00".repeat(2 ** 20)],
    ["a million-element array", { ...VALID, extra: new Array<number>(1_000_000).fill(1) }],
    ["a million keys", { ...VALID, extra: Object.fromEntries(Array.from({ length: 1_000_000 }, (_, i) => [i, 0])) }],
  ])("%s: INPUT_INVALID, and the request is never serialized", (_what, request) => {
    const stringify = vi.spyOn(JSON, "stringify");
    expect(authorizer.decide(request)).toMatchObject(tooLarge);
    expect(stringify).not.toHaveBeenCalled();
  });

  it("the bound never refuses a request whose JSON fits (any JSON value, any limit)", () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: false, withMap: true, withSet: true, withDate: true }),
        fc.nat(400),
        (v, limit) => {
          const json = JSON.stringify(v);
          const bytes = json === undefined ? 0 : Buffer.byteLength(json, "utf8");
          if (certainlyLargerThan(v, limit)) expect(bytes).toBeGreaterThan(limit);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("members JSON leaves out do not count, and an object with toJSON is not walked", () => {
    expect(certainlyLargerThan({ a: undefined, b: () => 1, c: Symbol("s") }, 2)).toBe(false);
    expect(certainlyLargerThan({ toJSON: () => 1, padding: "x".repeat(100) }, 10)).toBe(false);
    expect(certainlyLargerThan({ a: "x".repeat(100) }, 10)).toBe(true);
  });
});

describe("decideMany never throws on a non-array", () => {
  const notLists: ReadonlyArray<readonly [string, unknown]> = [
    ["null", null],
    ["undefined", undefined],
    ["an object", { length: 2, 0: VALID, 1: VALID }],
    ["a string", "requests"],
    ["a number", 3],
  ];
  it.each(notLists)("Authorizer: %s is one INPUT_INVALID decision", (_what, value) => {
    expect(authorizer.decideMany(value as unknown[])).toEqual([
      expect.objectContaining({
        allow: false,
        reasons: [expect.objectContaining({ code: "INPUT_INVALID", message: "decideMany takes an array of requests" })],
      }),
    ]);
  });

  it("ReloadingAuthorizer: null is one INPUT_INVALID decision", async () => {
    const reloading = await ReloadingAuthorizer.open(bundle.bytes);
    expect(reloading.decideMany(null as unknown as unknown[])).toMatchObject([
      { allow: false, reasons: [{ code: "INPUT_INVALID" }] },
    ]);
    await reloading.close();
  });
});

describe("terminal output escapes control and bidirectional characters", () => {
  it("terminalSafe shows each unsafe character as an escape and leaves the rest", () => {
    expect(terminalSafe("a\u001b[2Jb\r\u0085c\u202ed\u2066e\u200ff\u2028\ud800 ok é 😀")).toBe(
      "a\\u{001b}[2Jb\\u{000d}\\u{0085}c\\u{202e}d\\u{2066}e\\u{200f}f\\u{2028}\\u{d800} ok é 😀",
    );
  });

  it("eval --format pretty prints a hostile request's values escaped", async () => {
    const dir = tempDir();
    const bundlePath = join(dir, "bundle.tar.gz");
    writeFileSync(bundlePath, bundle.bytes);
    const input = join(dir, "hostile.json");
    const hostile = { ...VALID, user: { ...VALID.user, profile: "\u001b]0;owned\u0007Admin\u202e" } };
    writeFileSync(input, JSON.stringify(hostile));
    const run = await gatehouse(["eval", "--bundle", bundlePath, "--input", input, "--format", "pretty"]);
    // eslint-disable-next-line no-control-regex -- the test is that no control character is printed
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(run.stdout).toContain("\\u{001b}]0;owned\\u{0007}Admin\\u{202e}");
  });
});

describe("compiler diagnostics escape what they quote of the source", () => {
  it("gatehouse check prints source lines holding an ESC or a bidi override escaped", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "org.yaml"), "kind: Org\nname: acme\n");
    // Raw characters in the source: a bidi override in a comment on an error line, an ESC in a value.
    writeFileSync(
      join(dir, "p.yaml"),
      'kind: Profile\nname: P\nuserLicense: 12 # \u202e reversed\nlabel: "\u001b[2J"\n',
    );
    const run = await gatehouse(["check", dir]);
    expect(run.code).toBe(1);
    // eslint-disable-next-line no-control-regex -- the test is that no control character is printed
    expect(run.stdout + run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(run.stdout + run.stderr).toContain("\\u{202e}");
  });
});
