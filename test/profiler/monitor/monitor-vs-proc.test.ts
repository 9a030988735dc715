/**
 * The monitor's values against /proc and `process`, read independently at
 * the same instant (right after `sample()`, with nothing async in between).
 */
import { afterEach, describe, expect, it } from "vitest";
import os from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMonitor, type Monitor } from "../../../profiler/monitor/index.js";
import { procMeminfoKb, procSelfCpuTicks, procSelfIo, procSelfStatusKb, procStatCpu, spin } from "./proc-helpers.js";

const MiB = 1024 * 1024;
const linux = process.platform === "linux";
let monitor: Monitor | null = null;
afterEach(() => {
  monitor?.stop();
  monitor = null;
});
/** A monitor whose timer never fires during a test: samples are taken by hand. */
const manual = (opts = {}) => (monitor = createMonitor({ intervalMs: 3_600_000, ...opts }).start());

describe.runIf(linux)("monitor values match /proc and process", () => {
  it("memory matches process.memoryUsage(), os and /proc", () => {
    const m = manual();
    const s = m.sample();
    const mu = process.memoryUsage();
    const vmRss = procSelfStatusKb("VmRSS") * 1024;
    const memAvailable = procMeminfoKb("MemAvailable") * 1024;
    expect(Math.abs(s.memory.rss - mu.rss)).toBeLessThan(8 * MiB);
    expect(Math.abs(s.memory.rss - vmRss)).toBeLessThan(8 * MiB);
    expect(Math.abs(s.memory.heapUsed - mu.heapUsed)).toBeLessThan(4 * MiB);
    expect(Math.abs(s.memory.heapTotal - mu.heapTotal)).toBeLessThan(4 * MiB);
    expect(Math.abs(s.memory.external - mu.external)).toBeLessThan(MiB);
    expect(Math.abs(s.memory.arrayBuffers - mu.arrayBuffers)).toBeLessThan(MiB);
    expect(s.memory.systemTotal).toBe(os.totalmem());
    expect(Math.abs(s.memory.systemTotal - procMeminfoKb("MemTotal") * 1024)).toBeLessThan(MiB);
    // Other processes on the machine move MemAvailable between the two reads.
    expect(Math.abs(s.memory.systemFree - memAvailable)).toBeLessThan(256 * MiB);
    expect(s.memory.heapUsed).toBeLessThanOrEqual(s.memory.heapTotal);
  });

  it("machine CPU overall and per core match /proc/stat deltas over the same interval", () => {
    const m = manual();
    m.sample();
    const a = procStatCpu();
    spin(500);
    const s = m.sample();
    const b = procStatCpu();
    const expected = a.total.map((t, i) => (b.busy[i]! - a.busy[i]!) / (b.total[i]! - t));
    expect(s.cpu.available).toBe(true);
    expect(s.cpu.cores.length).toBe(os.cpus().length);
    expect(expected.length).toBe(s.cpu.cores.length + 1);
    // A clock tick is 10 ms (1/50 of the interval per core); the reads are microseconds
    // apart unless the box preempts the test between them, hence 5 ticks of slack.
    expect(Math.abs(s.cpu.total - expected[0]!)).toBeLessThan(0.1);
    s.cpu.cores.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(Math.abs(v - expected[i + 1]!)).toBeLessThan(0.1);
    });
    // This process spun for the whole interval, so the machine was busy at least part of it.
    expect(s.cpu.total).toBeGreaterThan(0);
  });

  it("process CPU matches /proc/self/stat utime+stime", () => {
    const m = manual();
    m.sample();
    const t0 = procSelfCpuTicks();
    spin(400);
    const s = m.sample();
    const t1 = procSelfCpuTicks();
    const elapsedSec = s.elapsedMs / 1000;
    const expectedShare = (t1 - t0) / 100 / elapsedSec;
    // Ticks are 10 ms each: allow two ticks of rounding at each end, plus a little.
    expect(Math.abs(s.process.share - expectedShare)).toBeLessThan(0.02 / elapsedSec + 0.05);
    expect(Math.abs(s.process.userSeconds + s.process.systemSeconds - t1 / 100)).toBeLessThan(0.05);
    expect(s.process.share).toBeCloseTo(s.process.userShare + s.process.systemShare, 12);
    expect(s.process.shareOfMachine).toBeCloseTo(s.process.share / os.cpus().length, 12);
    expect(s.process.share).toBeGreaterThan(0);
  });

  it("I/O counters match /proc/self/io and rates cover a known write and read", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-mon-"));
    try {
      const m = manual();
      const before = m.sample();
      const file = join(dir, "blob");
      const data = Buffer.alloc(2 * MiB, 7);
      writeFileSync(file, data);
      const back = readFileSync(file);
      const s = m.sample();
      const io = procSelfIo();
      expect(back.length).toBe(data.length);
      expect(s.io.available).toBe(true);
      // Reading /proc/self/io itself adds a few hundred chars and a few syscalls.
      expect(io.rchar! - s.io.readChars).toBeGreaterThanOrEqual(0);
      // Slack for the test runner's own threads, which may read or write between the two reads.
      expect(io.rchar! - s.io.readChars).toBeLessThan(512 * 1024);
      expect(io.syscr! - s.io.readSyscalls).toBeLessThan(50);
      expect(io.wchar! - s.io.writeChars).toBeGreaterThanOrEqual(0);
      expect(io.wchar! - s.io.writeChars).toBeLessThan(512 * 1024);
      expect(s.io.readBytes).toBe(io.read_bytes);
      expect(s.io.writeBytes).toBeLessThanOrEqual(io.write_bytes!);
      expect(s.io.writeChars - before.io.writeChars).toBeGreaterThanOrEqual(2 * MiB);
      expect(s.io.readChars - before.io.readChars).toBeGreaterThanOrEqual(2 * MiB);
      // The rate is the delta over the sample's own interval.
      const seconds = s.elapsedMs / 1000;
      expect(s.io.rates.writeCharsPerSec * seconds).toBeCloseTo(s.io.writeChars - before.io.writeChars, 0);
      expect(s.io.rates.readSyscallsPerSec * seconds).toBeCloseTo(s.io.readSyscalls - before.io.readSyscalls, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GC and event loop", () => {
  it("counts a forced major collection, matching an independent observer", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let observed = 0;
    const obs = new PerformanceObserver((l) => (observed += l.getEntries().length));
    obs.observe({ entryTypes: ["gc"] });
    const m = manual();
    m.sample();
    // Both observers receive each entry in the same delivery, so counting from here matches the monitor's interval.
    observed = 0;
    gc();
    gc();
    await new Promise((r) => setTimeout(r, 100)); // GC entries arrive on a later turn
    const s = m.sample();
    const observedInInterval = observed;
    obs.disconnect();
    expect(s.gc.available).toBe(true);
    expect(s.gc.byKind.major.count).toBeGreaterThanOrEqual(2);
    expect(s.gc.interval.count).toBeGreaterThanOrEqual(2);
    expect(s.gc.interval.totalPauseMs).toBeGreaterThan(0);
    expect(s.gc.interval.count).toBe(observedInInterval);
    expect(s.gc.count).toBeGreaterThanOrEqual(s.gc.interval.count);
    const sumByKind = Object.values(s.gc.byKind).reduce((a, k) => a + k.count, 0);
    expect(sumByKind).toBe(s.gc.count);
    expect(s.gc.maxPauseMs).toBeLessThanOrEqual(s.gc.totalPauseMs);
    expect(m.history("gc.count").values.at(-1)).toBe(s.gc.interval.count);
  });

  it("sees a blocked loop in the delay percentiles and the utilization", async () => {
    const m = manual({ eventLoopResolutionMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    m.sample();
    const elu0 = performance.eventLoopUtilization();
    spin(150); // the loop is blocked for 150 ms
    await new Promise((r) => setTimeout(r, 100));
    const s = m.sample();
    const own = performance.eventLoopUtilization(performance.eventLoopUtilization(), elu0).utilization;
    expect(s.eventLoop.available).toBe(true);
    expect(s.eventLoop.delayMs.max).toBeGreaterThan(100);
    expect(s.eventLoop.delayMs.p50).toBeLessThanOrEqual(s.eventLoop.delayMs.max);
    expect(s.eventLoop.delayMs.min).toBeLessThanOrEqual(s.eventLoop.delayMs.p50);
    expect(Math.abs(s.eventLoop.utilization - own)).toBeLessThan(0.05);
    expect(s.eventLoop.utilization).toBeGreaterThan(0.2); // 150 ms busy of ~250 ms, less if the box delays the timer
  });
});
