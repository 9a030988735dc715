/**
 * This process's CPU time, from `process.cpuUsage()` deltas (all threads of the process).
 *
 * The shares divide the CPU delta by the time between the same two readings,
 * taken together here, not by the monitor's `elapsedMs`: the monitor's time
 * baseline is taken after every sampler has started, so the CPU the later
 * samplers spent starting was divided by a shorter span, and `start();
 * sample()` reported `process.share` 440–472 on a 2-core machine (sweep 37).
 *
 * The share is then kept within 0..cores, the physical bound: over a span of
 * microseconds `process.cpuUsage()` itself is not exact, since other threads'
 * CPU time is accounted in lumps. Of 20,000 back-to-back pairs of readings
 * (2–20 µs apart) on the project's machine, 248 showed more CPU than twice
 * the wall time, typically +20 µs and up to 2.3 ms, so a first `sample()`
 * right after `start()` could still read 4.4 on 2 cores.
 */
import os from "node:os";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { ProcessCpuMetrics } from "./types.js";

export class ProcessCpuSampler implements Sampler {
  private prevUserUs = 0;
  private prevSystemUs = 0;
  /** `performance.now()` at the reading of prevUserUs/prevSystemUs. */
  private prevMs = 0;
  private cores = 1;
  readonly latest: ProcessCpuMetrics = { userSeconds: NaN, systemSeconds: NaN, share: NaN, userShare: NaN, systemShare: NaN, shareOfMachine: NaN };

  start(): SeriesSpec[] {
    this.cores = Math.max(1, os.cpus().length);
    const u = process.cpuUsage();
    this.prevMs = performance.now();
    this.prevUserUs = u.user;
    this.prevSystemUs = u.system;
    this.latest.userSeconds = u.user / 1e6;
    this.latest.systemSeconds = u.system / 1e6;
    return [
      { name: "process.cpu", unit: "ratio", available: true },
      { name: "process.cpu.user", unit: "ratio", available: true },
      { name: "process.cpu.system", unit: "ratio", available: true },
    ];
  }

  sample(_elapsedMs: number, row: Float64Array, offset: number): void {
    const u = process.cpuUsage();
    const now = performance.now();
    const elapsedUs = (now - this.prevMs) * 1000;
    this.prevMs = now;
    const L = this.latest;
    const user = elapsedUs > 0 ? (u.user - this.prevUserUs) / elapsedUs : 0;
    const system = elapsedUs > 0 ? (u.system - this.prevSystemUs) / elapsedUs : 0;
    // Scaled together, so that share stays userShare + systemShare (to rounding).
    const scale = user + system > this.cores ? this.cores / (user + system) : 1;
    L.userShare = user * scale;
    L.systemShare = system * scale;
    L.share = Math.min(this.cores, L.userShare + L.systemShare); // the sum of the scaled parts can round one ulp above
    L.shareOfMachine = L.share / this.cores;
    L.userSeconds = u.user / 1e6;
    L.systemSeconds = u.system / 1e6;
    this.prevUserUs = u.user;
    this.prevSystemUs = u.system;
    row[offset] = L.share;
    row[offset + 1] = L.userShare;
    row[offset + 2] = L.systemShare;
  }

  stop(): void {}
}
