import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** The ticking thread: rewrites the line every second until the main thread takes the lock for good. */
const TICKER = `
const { writeSync } = require("node:fs");
const { workerData } = require("node:worker_threads");
const { fd, label, state } = workerData;
const start = Date.now();
const tick = () => {
  // 0 idle, 1 writing, 2 stopped: write only while holding the line, never after stop.
  if (Atomics.compareExchange(state, 0, 0, 1) !== 0) return clearInterval(timer);
  writeSync(fd, "\\r" + label + " " + Math.floor((Date.now() - start) / 1000) + "s");
  Atomics.store(state, 0, 0);
};
const timer = setInterval(tick, 1000);
tick();
`;

/**
 * Shows `label` followed by the seconds elapsed on `fd` (a terminal), rewritten every second by
 * a worker thread, so that it keeps ticking while this thread is blocked (a synchronous
 * `go build`). The returned function stops it and clears the line; no tick is written after.
 */
export function startProgress(label: string, fd = 2): () => void {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(TICKER, { eval: true, workerData: { fd, label, state } });
  worker.unref();
  return () => {
    // Wait out a tick being written, then stop the ticker for good.
    while (Atomics.compareExchange(state, 0, 0, 2) === 1);
    void worker.terminate();
    writeSync(fd, "\r\u001b[K");
  };
}
