/**
 * The clocks kos reads for itself, captured when `import "kos"` runs, before
 * the program's first `jit()`. A program or a test may replace `Date.now`,
 * `process.hrtime`, `process.cpuUsage` or `Math.random` later (jest's and
 * sinon's fake timers, a queue of mocked return values, a seeded random): kos
 * read them at each history event, timed call and compile, so it consumed the
 * program's queued values and advanced its seeded sequence (sweep40: a
 * program measured `elapsed = -1250` instead of 250 under a mocked
 * `Date.now`). Loaded with kos's entry (lazy-modules.ts), so the core and the
 * compiler, loaded later, read these same captures.
 *
 * Not `performance.now`: Node 20 loads perf_hooks at the first read of the
 * global `performance` (1.5-3.4 ms of CPU, call-clock.ts).
 */
const hrtime = process.hrtime;
const hrtimeBigint = process.hrtime.bigint;
const cpuUsageOf = process.cpuUsage;
const uptime = process.uptime;
const dateNow = Date.now;

/** Milliseconds on a monotonic clock (process.hrtime, as kos loaded it). */
export function monotonicMs(): number {
  const t = hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}

/** Nanoseconds on the same clock, as a bigint. */
export function monotonicNs(): bigint {
  return hrtimeBigint();
}

/** Milliseconds since the epoch (Date.now, as kos loaded it): for timestamps a person reads. */
export function wallClockMs(): number {
  return dateNow();
}

/** Milliseconds since the process started (process.uptime, as kos loaded it). */
export function uptimeMs(): number {
  return uptime() * 1000;
}

/** process.cpuUsage, as kos loaded it. */
export function cpuUsage(previous?: NodeJS.CpuUsage): NodeJS.CpuUsage {
  return cpuUsageOf(previous);
}
