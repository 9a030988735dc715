/** This process's CPU time, from `process.cpuUsage()` deltas (all threads of the process). */
import os from "node:os";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { ProcessCpuMetrics } from "./types.js";

export class ProcessCpuSampler implements Sampler {
  private prevUserUs = 0;
  private prevSystemUs = 0;
  private cores = 1;
  readonly latest: ProcessCpuMetrics = { userSeconds: NaN, systemSeconds: NaN, share: NaN, userShare: NaN, systemShare: NaN, shareOfMachine: NaN };

  start(): SeriesSpec[] {
    this.cores = Math.max(1, os.cpus().length);
    const u = process.cpuUsage();
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

  sample(elapsedMs: number, row: Float64Array, offset: number): void {
    const u = process.cpuUsage();
    const elapsedUs = elapsedMs * 1000;
    const L = this.latest;
    L.userShare = elapsedUs > 0 ? (u.user - this.prevUserUs) / elapsedUs : 0;
    L.systemShare = elapsedUs > 0 ? (u.system - this.prevSystemUs) / elapsedUs : 0;
    L.share = L.userShare + L.systemShare;
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
