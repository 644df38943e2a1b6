import { spawnSync } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startProgress } from "../../cli/progress.js";
import { tempDir } from "../helpers/policy.js";

describe("the progress line while opa builds", () => {
  it("keeps counting seconds while this thread is blocked, then clears itself and writes nothing more", () => {
    const file = join(tempDir(), "tty");
    const fd = openSync(file, "w");
    const stop = startProgress("building opa…", fd);
    spawnSync("sleep", ["4"]);
    stop();
    const written = readFileSync(file, "utf8");
    const ticks = written.split("\r").filter((t) => t !== "");
    expect(ticks.at(-1)).toBe("\u001b[K");
    const seconds = ticks.slice(0, -1).map((t) => /^building opa… (\d+)s$/.exec(t)?.[1]);
    expect(seconds.every((s) => s !== undefined)).toBe(true);
    // Written during the blocking call: more than one tick, counting up.
    expect(seconds.length).toBeGreaterThanOrEqual(2);
    expect(seconds.map(Number)).toEqual([...seconds.map(Number)].sort((a, b) => a - b));
    spawnSync("sleep", ["1.5"]);
    expect(readFileSync(file, "utf8")).toBe(written);
  });
});
