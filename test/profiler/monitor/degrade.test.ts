/**
 * Sources the platform lacks are marked unavailable instead of throwing, and
 * the /proc parsers read exact values from synthetic files.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import os from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CpuSampler } from "../../../profiler/monitor/cpu-sampler.js";
import { IoSampler } from "../../../profiler/monitor/io-sampler.js";
import { MemorySampler } from "../../../profiler/monitor/memory-sampler.js";
import { createMonitor } from "../../../profiler/monitor/index.js";
import { spin } from "./proc-helpers.js";

const dir = mkdtempSync(join(os.tmpdir(), "kos-proc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("missing sources degrade", () => {
  it("an absent /proc/self/io marks every I/O series unavailable and writes NaN", () => {
    const io = new IoSampler(join(dir, "no-such-io"));
    const specs = io.start();
    expect(specs.length).toBe(6);
    expect(specs.every((s) => !s.available)).toBe(true);
    const row = new Float64Array(6).fill(0);
    io.sample(1000, row, 0);
    expect([...row].every(Number.isNaN)).toBe(true);
    expect(io.latest.available).toBe(false);
    expect(Number.isNaN(io.latest.rates.readBytesPerSec)).toBe(true);
    io.stop();
  });

  it("an absent /proc/stat falls back to os.cpus() deltas", () => {
    const cpu = new CpuSampler(join(dir, "no-such-stat"));
    const specs = cpu.start();
    expect(specs.length).toBe(os.cpus().length + 1);
    expect(specs.every((s) => s.available)).toBe(true);
    spin(100);
    const row = new Float64Array(specs.length);
    cpu.sample(100, row, 0);
    for (const v of row) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    cpu.stop();
  });
});

describe("failing sources", () => {
  it("process.memoryUsage() throwing (EMFILE) gives NaN memory, not a crash", () => {
    const m = createMonitor({ intervalMs: 3_600_000 }).start();
    const spy = vi.spyOn(process, "memoryUsage").mockImplementation(() => {
      throw Object.assign(new Error("EMFILE: too many open files"), { code: "EMFILE" });
    });
    try {
      const s = m.sample();
      expect(Number.isNaN(s.memory.rss)).toBe(true);
      expect(Number.isNaN(s.memory.heapUsed)).toBe(true);
      expect(s.memory.systemTotal).toBe(os.totalmem());
    } finally {
      spy.mockRestore();
      m.stop();
    }
  });

  it.runIf(os.cpus().length >= 2)("a core missing from /proc/stat (offline) reads NaN, the others stay exact", () => {
    const path = join(dir, "stat-offline");
    const cores = os.cpus().length;
    const line = (name: string, user: number, idle: number) => `${name} ${user} 0 0 ${idle} 0 0 0 0 0 0\n`;
    let text = line("cpu ", 100 * cores, 100 * cores);
    for (let i = 0; i < cores; i++) text += line(`cpu${i}`, 100, 100);
    writeFileSync(path, text);
    const cpu = new CpuSampler(path);
    cpu.start();
    text = line("cpu ", 150 * cores, 150 * cores);
    for (let i = 0; i < cores; i++) if (i !== 1) text += line(`cpu${i}`, 150, 150);
    writeFileSync(path, text);
    const row = new Float64Array(cores + 1);
    cpu.sample(1000, row, 0);
    expect(row[0]).toBeCloseTo(0.5, 12);
    expect(row[1]).toBeCloseTo(0.5, 12);
    expect(Number.isNaN(row[2]!)).toBe(true);
    cpu.stop();
  });
});

describe("optional event-loop delay", () => {
  it("eventLoopDelay: false runs no delay timer: delay series unavailable, utilization still sampled", () => {
    const m = createMonitor({ intervalMs: 3_600_000, eventLoopDelay: false }).start();
    try {
      spin(30);
      const s = m.sample();
      expect(Number.isNaN(s.eventLoop.delayMs.p99)).toBe(true);
      expect(s.eventLoop.utilization).toBeGreaterThan(0);
      const summary = m.getSummary();
      expect(summary.series["eventLoop.delay.p99"]!.available).toBe(false);
      expect(summary.series["eventLoop.utilization"]!.available).toBe(true);
    } finally {
      m.stop();
    }
  });
});

describe("/proc parsers on synthetic files", () => {
  it("reads MemAvailable from /proc/meminfo, in bytes", () => {
    const path = join(dir, "meminfo");
    writeFileSync(path, "MemTotal:       24683620 kB\nMemFree:        24250172 kB\nMemAvailable:   1000 kB\nBuffers: 1 kB\n");
    const mem = new MemorySampler(path);
    mem.start();
    writeFileSync(path, "MemTotal:       24683620 kB\nMemFree:        24250172 kB\nMemAvailable:   2048 kB\nBuffers: 1 kB\n");
    const row = new Float64Array(7);
    mem.sample(1000, row, 0);
    expect(row[5]).toBe(2048 * 1024);
    expect(row[6]).toBe(os.totalmem());
    mem.stop();
  });

  it("falls back to os.freemem() without /proc/meminfo", () => {
    const mem = new MemorySampler(join(dir, "no-such-meminfo"));
    mem.start();
    const row = new Float64Array(7);
    mem.sample(1000, row, 0);
    expect(Math.abs(row[5]! - os.freemem())).toBeLessThan(256 * 1024 * 1024);
    expect(row[0]).toBeGreaterThan(0);
    mem.stop();
  });

  it("reads /proc/stat cpu lines and computes exact busy shares", () => {
    const path = join(dir, "stat");
    const cores = os.cpus().length;
    const line = (name: string, user: number, idle: number) => `${name} ${user} 0 0 ${idle} 0 0 0 0 0 0\n`;
    const write = (user: number, idle: number) => {
      let text = line("cpu ", user * cores, idle * cores);
      for (let i = 0; i < cores; i++) text += line(`cpu${i}`, user + i, idle);
      writeFileSync(path, text + "intr 1 2 3\nctxt 99\n");
    };
    write(100, 100);
    const cpu = new CpuSampler(path);
    cpu.start();
    write(130, 170); // overall +30 busy / +100 total per core; core i the same
    const row = new Float64Array(cores + 1);
    cpu.sample(1000, row, 0);
    expect(row[0]).toBeCloseTo(0.3, 12);
    for (let i = 0; i < cores; i++) expect(row[i + 1]).toBeCloseTo(0.3, 12);
    expect(cpu.latest.total).toBeCloseTo(0.3, 12);
    cpu.stop();
  });

  it("reads /proc/self/io keys and computes exact rates", () => {
    const path = join(dir, "io");
    const write = (k: number) =>
      writeFileSync(path, `rchar: ${1000 * k}\nwchar: ${2000 * k}\nsyscr: ${10 * k}\nsyscw: ${20 * k}\nread_bytes: ${4096 * k}\nwrite_bytes: ${8192 * k}\ncancelled_write_bytes: 0\n`);
    write(1);
    const io = new IoSampler(path);
    expect(io.start().every((s) => s.available)).toBe(true);
    write(3);
    const row = new Float64Array(6);
    io.sample(500, row, 0); // 0.5 s: rates are twice the deltas
    expect([...row]).toEqual([4000, 8000, 40, 80, 16384, 32768]);
    expect(io.latest.readChars).toBe(3000);
    expect(io.latest.writeBytes).toBe(24576);
    io.stop();
  });

  it("marks I/O unavailable when a key is missing", () => {
    const path = join(dir, "io-short");
    writeFileSync(path, "rchar: 1\nwchar: 2\n");
    const io = new IoSampler(path);
    expect(io.start().some((s) => s.available)).toBe(false);
    io.stop();
  });
});
