import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DecisionLog, type DecisionEvent } from "../../wasm/decision-log.js";
import { tempDir } from "../helpers/policy.js";
import { RESULT, capturingFileLog, readlinkOr, optionsError } from "../helpers/decision-log.js";

/** The decision-log module alone, no bundle: the file sink. */

describe("the file sink", () => {
  it("appends one JSON line per event, all there after close", async () => {
    const file = join(tempDir("gatehouse-log-"), "d.jsonl");
    writeFileSync(file, "earlier\n");
    const log = DecisionLog.open({ sink: file });
    log.record("p", '{"a":1}', { allow: true }, "r", 0, { decisionId: "1" });
    log.record("p", '{"a":2}', { allow: true }, "r", 0, { decisionId: "2" });
    await log.close();
    expect(log.stats()).toEqual({ events: 2, dropped: 0, errors: 0 });
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines[0]).toBe("earlier");
    expect(lines.slice(1, 3).map((l) => (JSON.parse(l) as DecisionEvent).decision_id)).toEqual(["1", "2"]);
    expect(lines[3]).toBe("");
    await log.close();
  });

  it("writes on its own soon after record, batch after batch, without flush", async () => {
    const { log, batches } = capturingFileLog();
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    log.record("p", undefined, undefined, "r", 0);
    log.record("p", undefined, undefined, "r", 0);
    await settle();
    expect(batches).toHaveLength(1);
    log.record("p", undefined, undefined, "r", 0);
    await settle();
    expect(batches).toHaveLength(2);
    await log.close();
  });

  it("masks a copy of the result for a file sink, never the caller's decision", async () => {
    const result = structuredClone(RESULT);
    const { log, batches: written } = capturingFileLog({ mask: ["/result/reasons"] });
    log.record("p", "{}", result, "r", 0);
    expect(result).toEqual(RESULT);
    await log.close();
    expect((JSON.parse(written[0]!) as DecisionEvent).result).toEqual({ allow: false, notes: [], revision: "r1" });
  });

  it.skipIf(!existsSync("/proc/self/fd"))("closes its file at close (Linux: counted in /proc/self/fd)", async () => {
    const file = join(tempDir("gatehouse-log-"), "d.jsonl");
    const open = (): number => readdirSync("/proc/self/fd").filter((fd) => readlinkOr(fd) === file).length;
    const log = DecisionLog.open({ sink: file });
    expect(open()).toBe(1);
    await log.close();
    expect(open()).toBe(0);
  });

  it.skipIf(!existsSync("/proc/self/fd"))(
    "counts and reports a write the file system refuses (Linux: its descriptor closed underneath)",
    async () => {
      const file = join(tempDir("gatehouse-log-"), "d.jsonl");
      const reported: Error[] = [];
      const log = DecisionLog.open({ sink: file, onError: (e) => reported.push(e) });
      const fd = readdirSync("/proc/self/fd").find((fd) => readlinkOr(fd) === file)!;
      closeSync(Number(fd));
      log.record("p", undefined, undefined, "r", 0);
      await log.flush();
      expect(log.stats()).toEqual({ events: 1, dropped: 1, errors: 1 });
      expect(reported.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["EBADF"]);
    },
  );

  it("hands every pending event to the writer on flush, in one batch after the earlier ones", async () => {
    const { log, batches } = capturingFileLog();
    log.record("p", undefined, undefined, "r", 0, { decisionId: "1" });
    log.record("p", undefined, undefined, "r", 0, { decisionId: "2" });
    await log.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.trimEnd().split("\n")).toHaveLength(2);
    await log.flush();
    expect(batches).toHaveLength(1);
    log.record("p", undefined, undefined, "r", 0, { decisionId: "3" });
    await new Promise((resolve) => setImmediate(resolve));
    await log.flush();
    expect(batches).toHaveLength(2);
    await log.close();
  });

  it("buffers up to exactly maxBufferedBytes, and drops and counts the event that would pass it", async () => {
    // Every event below serializes to the same length: measure one through a callback sink.
    const probe: string[] = [];
    DecisionLog.open({ sink: (e) => probe.push(`${JSON.stringify(e)}\n`) }).record("p", undefined, undefined, "r", 0, {
      decisionId: "0",
    });
    const size = Buffer.byteLength(probe[0]!);
    const kept = async (maxBufferedBytes: number): Promise<{ lines: number; dropped: number }> => {
      const { log, batches: written } = capturingFileLog({ maxBufferedBytes });
      for (const id of ["1", "2", "3"]) log.record("p", undefined, undefined, "r", 0, { decisionId: id });
      const { dropped, events } = log.stats();
      expect(events).toBe(3);
      await log.close();
      return { lines: written.join("").split("\n").length - 1, dropped };
    };
    expect(await kept(size * 2)).toEqual({ lines: 2, dropped: 1 });
    expect(await kept(size * 2 - 1)).toEqual({ lines: 1, dropped: 2 });
  });

  it("counts bytes being written against the limit until the write finishes", async () => {
    let release: () => void = () => undefined;
    let hold = true;
    const log = DecisionLog.open({
      sink: join(tempDir("gatehouse-log-"), "d.jsonl"),
      maxBufferedBytes: 1000,
      writer: () => (hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
    });
    const big = JSON.stringify({ pad: "x".repeat(500) });
    log.record("p", big, undefined, "r", 0);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // The first event is with the writer now, not pending: it still counts.
    log.record("p", big, undefined, "r", 0);
    expect(log.stats().dropped).toBe(1);
    hold = false;
    release();
    await log.flush();
    log.record("p", big, undefined, "r", 0);
    expect(log.stats().dropped).toBe(1);
    await log.close();
  });

  it("drops a batch the writer rejects, counts and reports it, and writes the next batch afresh", async () => {
    const reported: Error[] = [];
    const written: string[] = [];
    let fail = true;
    const log = DecisionLog.open({
      sink: join(tempDir("gatehouse-log-"), "d.jsonl"),
      onError: (e) => reported.push(e),
      writer: (_fd, data) => {
        if (fail) return Promise.reject(new Error("ENOSPC"));
        written.push(data.toString("utf8"));
        return Promise.resolve();
      },
    });
    log.record("p", undefined, undefined, "r", 0, { decisionId: "1" });
    log.record("p", undefined, undefined, "r", 0, { decisionId: "2" });
    await log.flush();
    expect(log.stats()).toEqual({ events: 2, dropped: 2, errors: 1 });
    expect(reported.map((e) => e.message)).toEqual(["ENOSPC"]);
    fail = false;
    log.record("p", undefined, undefined, "r", 0, { decisionId: "3" });
    await log.close();
    expect(written).toHaveLength(1);
    expect((JSON.parse(written[0]!) as DecisionEvent).decision_id).toBe("3");
    expect(log.stats()).toEqual({ events: 3, dropped: 2, errors: 1 });
  });

  it("refuses a directory, naming the path", () => {
    const dir = tempDir("gatehouse-log-");
    expect(optionsError(() => DecisionLog.open({ sink: dir }))).toBe(`cannot open the decision log \`${dir}\`: EISDIR`);
  });

  it("refuses a FIFO with no reader at once instead of hanging", () => {
    const fifo = join(tempDir("gatehouse-log-"), "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(optionsError(() => DecisionLog.open({ sink: fifo }))).toBe(
      `cannot open the decision log \`${fifo}\`: it is a FIFO with no reader; the decision log must be a regular file`,
    );
  });

  it("refuses a device that opens, as not a regular file", () => {
    expect(optionsError(() => DecisionLog.open({ sink: "/dev/null" }))).toBe(
      "cannot use the decision log `/dev/null`: it is not a regular file (a FIFO, a device or a directory)",
    );
  });

  it("refuses a file in a missing directory, naming the error code", () => {
    const file = join(tempDir("gatehouse-log-"), "missing", "d.jsonl");
    expect(optionsError(() => DecisionLog.open({ sink: file }))).toBe(
      `cannot open the decision log \`${file}\`: ENOENT`,
    );
  });
});
