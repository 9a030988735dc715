/**
 * Process memory from `process.memoryUsage()`, and system memory: total once
 * at start (`os.totalmem()`), available memory per sample from /proc/meminfo's
 * MemAvailable (the value `os.freemem()` returns on Linux) through one pread
 * of an open fd, instead of libuv's open/read/close per call; `os.freemem()`
 * where /proc/meminfo is missing.
 */
import os from "node:os";
import { ByteScanner, ProcFile } from "./proc-file.js";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { MemoryMetrics } from "./types.js";

export class MemorySampler implements Sampler {
  private readonly meminfo: ProcFile;
  private readonly scan = new ByteScanner();
  private useProc = false;
  private systemTotal = NaN;
  readonly latest: MemoryMetrics = { rss: NaN, heapUsed: NaN, heapTotal: NaN, external: NaN, arrayBuffers: NaN, systemFree: NaN, systemTotal: NaN };

  /** @param meminfoPath the /proc/meminfo to read; missing makes the sampler use os.freemem(). */
  constructor(meminfoPath = "/proc/meminfo") {
    this.meminfo = new ProcFile(meminfoPath, 8192);
  }

  start(): SeriesSpec[] {
    this.useProc = this.meminfo.open() && !Number.isNaN(this.memAvailable());
    this.systemTotal = os.totalmem();
    return [
      { name: "memory.rss", unit: "bytes", available: true, leakCandidate: true },
      { name: "memory.heapUsed", unit: "bytes", available: true, leakCandidate: true },
      { name: "memory.heapTotal", unit: "bytes", available: true },
      { name: "memory.external", unit: "bytes", available: true },
      { name: "memory.arrayBuffers", unit: "bytes", available: true },
      { name: "system.memory.free", unit: "bytes", available: true },
      { name: "system.memory.total", unit: "bytes", available: true },
    ];
  }

  sample(_elapsedMs: number, row: Float64Array, offset: number): void {
    const L = this.latest;
    try {
      const m = process.memoryUsage();
      L.rss = m.rss;
      L.heapUsed = m.heapUsed;
      L.heapTotal = m.heapTotal;
      L.external = m.external;
      L.arrayBuffers = m.arrayBuffers;
    } catch {
      // memoryUsage() reads /proc/self/stat for rss and throws when the process
      // is out of file descriptors (EMFILE); a monitor must not crash its host.
      L.rss = L.heapUsed = L.heapTotal = L.external = L.arrayBuffers = NaN;
    }
    const fromProc = this.useProc && this.meminfo.read() ? this.memAvailable() : NaN;
    L.systemFree = Number.isNaN(fromProc) ? os.freemem() : fromProc;
    L.systemTotal = this.systemTotal;
    row[offset] = L.rss;
    row[offset + 1] = L.heapUsed;
    row[offset + 2] = L.heapTotal;
    row[offset + 3] = L.external;
    row[offset + 4] = L.arrayBuffers;
    row[offset + 5] = L.systemFree;
    row[offset + 6] = L.systemTotal;
  }

  stop(): void {
    this.meminfo.close();
  }

  /** MemAvailable in bytes from the last read, or NaN (kernels before 3.14 lack the line). */
  private memAvailable(): number {
    const s = this.scan;
    s.reset(this.meminfo.buf, this.meminfo.length);
    while (!s.atEnd()) {
      if (s.lookingAt("MemAvailable:")) {
        s.skip(13);
        return s.readUint() * 1024; // the file says kB, meaning KiB
      }
      s.nextLine();
    }
    return NaN;
  }
}
