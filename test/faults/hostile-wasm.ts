import wabt from "wabt";
import { writeArchive } from "../../core/bundle-archive.js";

/** Where a hostile policy module misbehaves: each stage of loading a bundle, and the decision. */
export type Misbehaviour =
  "start-loop" | "start-trap" | "set-data-loop" | "eval-loop" | "eval-trap" | "decide-loop" | "decide-trap";

/**
 * A policy module that satisfies as much of the opa-wasm ABI (1.2) as loading needs — the ABI
 * globals, `builtins` and `entrypoints` answering JSON strings in its memory through an identity
 * `opa_json_dump`, a bump `opa_malloc`, the heap pointer — and misbehaves at one stage: its
 * start function (instantiation), `opa_json_parse` of the data (setData; the empty `{}` the
 * loader parses first passes), or `opa_eval` (the probe decision and every decision after).
 * The `decide-` modules answer the probe (input `{}`) with a sound INPUT_INVALID decision for
 * `revision` and misbehave on every longer input: they load, then hang or trap on a request.
 */
export function hostileWat(what: Misbehaviour, revision: string): string {
  const decision = JSON.stringify([
    {
      result: {
        allow: false,
        reasons: [{ code: "INPUT_INVALID", message: "probe", control: "input", source: null }],
        notes: [],
        revision,
      },
    },
  ]);
  const quoted = decision.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const body = (stage: string, fallback: string): string =>
    what === `${stage}-loop`
      ? "(loop $forever (br $forever)) unreachable"
      : what === `${stage}-trap`
        ? "unreachable"
        : fallback;
  return `(module
  (import "env" "memory" (memory 2))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (global $heap (mut i32) (i32.const 8192))
  (data (i32.const 1024) "{}\\00")
  (data (i32.const 1040) "{\\"gatehouse/decision\\":0}\\00")
  (data (i32.const 1100) "${quoted}\\00")
  (func $start ${body("start", "")})
  (start $start)
  (func (export "builtins") (result i32) (i32.const 1024))
  (func (export "entrypoints") (result i32) (i32.const 1040))
  (func (export "opa_json_dump") (param i32) (result i32) (local.get 0))
  (func (export "opa_malloc") (param i32) (result i32)
    (global.get $heap)
    (global.set $heap (i32.add (global.get $heap) (local.get 0))))
  (func (export "opa_json_parse") (param i32 i32) (result i32)
    (if (i32.gt_u (local.get 1) (i32.const 2)) (then ${body("set-data", "")}))
    (i32.const 1024))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
  (func (export "opa_eval") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (if (i32.gt_u (local.get 4) (i32.const 2)) (then ${body("decide", "")}))
    ${body("eval", "(i32.const 1100)")}))`;
}

/** The module of `hostileWat(what)`, compiled to WebAssembly bytes. */
export async function hostileModule(what: Misbehaviour, revision: string): Promise<Uint8Array> {
  const toolkit = await wabt();
  const parsed = toolkit.parseWat(`${what}.wat`, hostileWat(what, revision));
  try {
    return Uint8Array.from(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/** A bundle (manifest, data, module) whose policy is the hostile module `what`. */
export async function hostileBundle(what: Misbehaviour, revision: string = what): Promise<Uint8Array> {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return writeArchive([
    [
      ".manifest",
      text(JSON.stringify({ revision, wasm: [{ entrypoint: "gatehouse/decision", module: "/policy.wasm" }] })),
    ],
    ["data.json", text('{"gatehouse":{}}')],
    ["policy.wasm", await hostileModule(what, revision)],
  ]);
}
