/**
 * The process's CPU time split by thread: the main thread, where the program, kos's entries and
 * loading run, and the rest (V8's platform workers: concurrent TurboFan compiles and concurrent
 * GC marking). `process.cpuUsage()` sums them, and a bench program's ratio to no kos does not say
 * which side moved: under `jit(fn)` tiering the DSP program's extra CPU was 11-15 ms on the main
 * thread and 1.5 ms in the workers (median of 15-21 paired runs, scripts/program-ab.mjs).
 *
 * Read from Linux's `/proc/self/task/<tid>/schedstat` (its first field: nanoseconds on a CPU);
 * null where there is no such file.
 */
export interface ThreadCpu {
  mainMs: number;
  backgroundMs: number;
}

export function threadCpuMs(): ThreadCpu | null {
  const fs = process.getBuiltinModule("node:fs");
  let tids: string[];
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    return null;
  }
  let mainMs = 0;
  let backgroundMs = 0;
  let sawMain = false;
  for (const tid of tids) {
    let ns: number;
    try {
      ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      continue; // the thread ended meanwhile
    }
    if (!Number.isFinite(ns)) continue;
    // The main thread's id is the process's.
    if (Number(tid) === process.pid) {
      mainMs += ns / 1e6;
      sawMain = true;
    } else backgroundMs += ns / 1e6;
  }
  return sawMain ? { mainMs, backgroundMs } : null;
}
