import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

function found(): string | undefined {
  const fromEnv = process.env.CHROMIUM_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
}

/**
 * The Chromium the browser tests drive: `$CHROMIUM_BIN`, or the system's. When none is installed
 * and the tests run as root, Debian's `chromium` is installed with apt-get. Returns the binary, or
 * a sentence saying why there is none (the tests are then skipped with it).
 */
export function chromiumBinary(): { path: string } | { missing: string } {
  const have = found();
  if (have) return { path: have };
  if (process.getuid?.() !== 0)
    return { missing: "no Chromium found (set CHROMIUM_BIN, or run as root so `apt-get install chromium` can run)" };
  try {
    execFileSync("apt-get", ["update"], { stdio: "ignore", timeout: 300_000 });
    execFileSync("apt-get", ["install", "-y", "chromium"], {
      stdio: "ignore",
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    return { missing: `installing Chromium with apt-get failed: ${(error as Error).message}` };
  }
  const installed = found();
  return installed ? { path: installed } : { missing: "apt-get installed chromium but no binary was found" };
}
