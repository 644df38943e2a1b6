/**
 * `npm run mutate`: the two mutation runs in turn — the core modules against their unit tests
 * (stryker.config.js), then the runtime's decision path against its in-process integration tests
 * (stryker.decision-path.config.js) — passing any further arguments (such as `--incremental`) to
 * both. `npm run mutate -- --only core` (or `--only decision-path`) runs one of them. Exits with
 * the first failing run's status; reports land in reports/mutation/.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { packageRoot } from "../core/package-root.js";

const RUNS = { core: "stryker.config.js", "decision-path": "stryker.decision-path.config.js" } as const;

const args = process.argv.slice(2);
const at = args.indexOf("--only");
const only = at < 0 ? undefined : args.splice(at, 2)[1];
const chosen = only === undefined ? Object.keys(RUNS) : [only];
const stryker = join(
  dirname(createRequire(import.meta.url).resolve("@stryker-mutator/core/package.json")),
  "bin",
  "stryker.js",
);

for (const name of chosen) {
  const config = (RUNS as Record<string, string>)[name];
  if (config === undefined) {
    process.stderr.write(`--only takes ${Object.keys(RUNS).join(" or ")}, not \`${name}\`\n`);
    process.exitCode = 2;
    break;
  }
  const run = spawnSync(process.execPath, [stryker, "run", config, ...args], { cwd: packageRoot(), stdio: "inherit" });
  if (run.status !== 0) {
    process.exitCode = run.status ?? 1;
    break;
  }
}
