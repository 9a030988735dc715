// Shared helpers for the system tests: reading /proc and starting TS workers.
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { parseCpuList } from "../../runtime/affinity.js";

/** Cpus_allowed_list of one thread, straight from /proc (the proof, not our API). */
export function procCpusAllowed(tid: number | "self"): number[] {
  const path = tid === "self" ? "/proc/thread-self/status" : `/proc/self/task/${tid}/status`;
  const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync(path, "utf8"));
  return parseCpuList(line![1]!);
}

/** `read_bytes` of /proc/self/io: bytes this process caused to be fetched from a device. */
export function procReadBytes(): number {
  return Number(/^read_bytes:\s*(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))![1]);
}

/**
 * Starts a TypeScript worker. On Node 20, `execArgv: ["--import", "tsx"]`
 * registers tsx's hooks too late for a worker's entry file ("Unknown file
 * extension .ts", checked here), so a tiny JS entry registers tsx first.
 */
export function tsWorker(file: string, workerData: unknown): Worker {
  const api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs");
  const target = new URL(file, import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(code, { eval: true, workerData });
}

/** Resolves with the worker's first message. */
export function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}
