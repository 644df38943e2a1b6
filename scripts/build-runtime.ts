/**
 * Builds the runtime package (`wasm/`, published as gatehouse-policy-runtime) into its own
 * `wasm/dist`, twice: ESM with declarations by `tsc` (`dist/esm`), and CommonJS by esbuild from
 * the same sources (`dist/cjs`, with a copy of the declarations and a `package.json` saying
 * `"type": "commonjs"`). The `core/` modules the runtime imports are compiled into both, so the
 * package needs nothing from the compiler. Run by `npm run build`.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "wasm");
const esm = join(pkg, "dist", "esm");
const cjs = join(pkg, "dist", "cjs");

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

rmSync(join(pkg, "dist"), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(pkg, "tsconfig.build.json")],
  { stdio: "inherit" },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const emitted = filesUnder(esm);
const sources = emitted.filter((file) => file.endsWith(".js")).map((file) => join(root, file.replace(/\.js$/, ".ts")));
await build({
  entryPoints: sources,
  outbase: root,
  outdir: cjs,
  format: "cjs",
  platform: "node",
  target: "node20",
  bundle: false,
  logLevel: "warning",
  // CommonJS has no import.meta: the one use (the pool's worker file) resolves next to this file.
  define: { "import.meta.url": "__gatehouseModuleUrl" },
  banner: { js: 'const __gatehouseModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
for (const file of emitted.filter((f) => f.endsWith(".d.ts"))) {
  mkdirSync(dirname(join(cjs, file)), { recursive: true });
  copyFileSync(join(esm, file), join(cjs, file));
}
writeFileSync(join(cjs, "package.json"), '{ "type": "commonjs" }\n');
