/**
 * Shared helpers for benchmark suites. Every suite is a `*.bench.ts` file in
 * this folder whose default export returns a BenchSection; `bench/run.ts`
 * discovers them, runs them in one process, prints them and writes
 * BENCHMARKS.md. Quote medians and ratios: the machines are shared and noisy.
 */
import { measure, do_not_optimize } from "mitata";

export { do_not_optimize };

export interface BenchSection {
  /** Stable id, used by `npm run bench -- --only <id>` and as the BENCHMARKS.md anchor. */
  id: string;
  title: string;
  /** Markdown body: tables and a line of context (what was measured, how). */
  markdown: string;
}

export interface Timing {
  /** Median nanoseconds per call. */
  medianNs: number;
  p99Ns: number;
  samples: number;
}

/** Median time per call of `fn`, measured by mitata. */
export async function time(fn: () => unknown, opts: { minCpuTimeMs?: number } = {}): Promise<Timing> {
  const stats: any = await measure(fn, { min_cpu_time: (opts.minCpuTimeMs ?? 400) * 1e6 } as any);
  return { medianNs: stats.p50, p99Ns: stats.p99, samples: stats.samples.length };
}

/** Formats nanoseconds with a sensible unit. */
export function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** "2.41×" style ratio of how many times faster `fast` is than `slow` (time ratio slow/fast). */
export function speedup(slowNs: number, fastNs: number): string {
  return `${(slowNs / fastNs).toFixed(2)}×`;
}

export function geometricMean(values: number[]): number {
  if (values.length === 0) return NaN;
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

export function markdownTable(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Counts full and minor GCs while `fn` runs, with a PerformanceObserver on 'gc'. */
export async function countGcs<T>(fn: () => T | Promise<T>): Promise<{ result: T; gcs: number; gcPauseMs: number }> {
  const { PerformanceObserver } = await import("node:perf_hooks");
  let gcs = 0;
  let gcPauseMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs++;
      gcPauseMs += e.duration;
    }
  });
  obs.observe({ entryTypes: ["gc"] });
  const result = await fn();
  // GC entries are delivered asynchronously; give the observer a turn.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { result, gcs, gcPauseMs };
}

/**
 * CPU time per call of `run` (which makes `perRun` calls): user+system time
 * over 25 ms windows, the lowest of four. On a loaded machine CPU time stays
 * far steadier than wall-clock medians, so suites report it as a cross-check.
 */
export function cpuNsPerCall(run: () => void, perRun: number): number {
  let best = Infinity;
  for (let window = 0; window < 4; window++) {
    const start = process.cpuUsage();
    const until = performance.now() + 25;
    let batches = 0;
    while (performance.now() < until) {
      run();
      batches++;
    }
    const used = process.cpuUsage(start);
    best = Math.min(best, ((used.user + used.system) * 1000) / (batches * perRun));
  }
  return best;
}
