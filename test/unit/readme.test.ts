import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../core/package-root.js";

const root = packageRoot();

describe("README and CI", () => {
  it("CI runs exactly the README's two quick-start commands", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const quickStart = readme.slice(readme.indexOf("## Quick start"));
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? "";
    const commands = block.trim().split("\n");
    expect(commands).toHaveLength(2);
    const ci = readFileSync(join(root, ".ci", "run"), "utf8");
    const ciCommands = ci
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#") && !/^(set|cd|export|exec) /.test(l));
    expect(ciCommands).toEqual(commands);
  });
});
