/**
 * How a bench program wraps its hot functions, from env `KOS_BENCH_MODE`:
 * `none` (plain functions), `jit` (`jit(fn)`, as a user would; with
 * `KOS_PROFILE` or `KOS_JIT=0` in the environment this is also the
 * profile-guided and the disabled run), `specialize` (explicit
 * `jit(fn, { specialize })`). The program prints `{"workMs": …, "wallMs": …, "cpuMs": …, "check": …}`,
 * and on Linux `mainCpuMs` and `backgroundCpuMs` (thread-cpu.ts).
 */
import { jit } from "../../index.js";
import { threadCpuMs } from "./thread-cpu.js";

export type BenchMode = "none" | "jit" | "specialize";

export function benchMode(): BenchMode {
  const m = process.env.KOS_BENCH_MODE ?? "none";
  if (m !== "none" && m !== "jit" && m !== "specialize") throw new Error(`KOS_BENCH_MODE must be none, jit or specialize, got ${m}`);
  return m;
}

/** Wraps `fn` for the mode: `specialize` gets the explicit options, `jit` none. */
export function wrap<F extends Function>(fn: F, explicit: Parameters<typeof jit>[1]): F {
  const mode = benchMode();
  if (mode === "none") return fn;
  if (mode === "jit") return jit(fn);
  return jit(fn, explicit);
}

/**
 * Runs `work` and prints the program's time: `workMs` (the work loop's wall
 * time), and `wallMs`/`cpuMs` for the whole program from process start
 * (module loading, `jit()` and every compilation included, wherever it
 * happens: explicit `specialize` compiles at load, tiering inside the loop).
 * CPU time counts the compiler and GC threads too, and moves far less than
 * wall time when other processes compete for the cores. `check` guards
 * against dead code and wrong results.
 */
export function report(work: () => number): void {
  const started = performance.now();
  const check = work();
  const end = performance.now();
  const used = process.cpuUsage();
  // Read after cpuUsage, so that reading it is not counted: cpuMs split by thread (thread-cpu.ts).
  const threads = threadCpuMs();
  process.stdout.write(JSON.stringify({ workMs: end - started, wallMs: end, cpuMs: (used.user + used.system) / 1000, check, ...(threads ? { mainCpuMs: threads.mainMs, backgroundCpuMs: threads.backgroundMs } : {}) }) + "\n");
}
