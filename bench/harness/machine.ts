import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { packageRoot } from "../../core/package-root.js";

/** The machine and software a run was made on, as recorded in the results. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly opa: string;
  readonly platform: string;
  readonly date: string;
  readonly commit: string;
  /** True when the working tree had uncommitted changes. */
  readonly dirty: boolean;
  readonly tasksetAvailable: boolean;
  /** 1-minute load averages when the run started and ended. */
  readonly loadAverage: { start: number; end?: number };
}

function cpuModel(): string {
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
    if (model) return model.trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? "unknown";
}

function git(args: readonly string[]): string | undefined {
  const run = spawnSync("git", [...args], { cwd: packageRoot(), encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** Whether `taskset` can pin processes here. */
export function tasksetAvailable(): boolean {
  return spawnSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" }).status === 0;
}

/** Describes this machine, now. */
export function machineInfo(opaVersion: string): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    opa: opaVersion,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    commit: git(["rev-parse", "--short=12", "HEAD"]) ?? "unknown",
    dirty: (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "",
    tasksetAvailable: tasksetAvailable(),
    loadAverage: { start: loadavg()[0]! },
  };
}

/** This process's affinity while pinned, and how to undo it. */
export interface Pin {
  readonly pinned: boolean;
  restore(): void;
}

/**
 * Pins every thread of this process to `cpu` with `taskset -a -p` (Node's helper and garbage
 * collector threads included), so a measured loop runs on one core; `restore` puts the mask
 * back. Does nothing when taskset is unavailable.
 */
export function pinProcess(cpu: number): Pin {
  const pid = String(process.pid);
  const before = /:\s*([0-9a-f]+)\s*$/i.exec(spawnSync("taskset", ["-p", pid], { encoding: "utf8" }).stdout ?? "")?.[1];
  if (before === undefined) return { pinned: false, restore: () => undefined };
  const run = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), pid], { encoding: "utf8" });
  if (run.status !== 0) return { pinned: false, restore: () => undefined };
  return {
    pinned: true,
    restore: () => {
      spawnSync("taskset", ["-a", "-p", before, pid], { encoding: "utf8" });
    },
  };
}

/** The command and arguments that run `command` on `cpu` when taskset is available. */
export function onCpu(cpu: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpu === undefined ? [command, [...args]] : ["taskset", ["-c", String(cpu), command, ...args]];
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return loadavg()[0]!;
}
