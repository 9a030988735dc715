/**
 * Machine CPU use, overall and per core, from deltas of /proc/stat's "cpu"
 * lines; where /proc/stat is missing, from deltas of `os.cpus()` times.
 * Busy time is everything except idle and iowait.
 */
import os from "node:os";
import { ByteScanner, ProcFile } from "./proc-file.js";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { CpuMetrics } from "./types.js";

/** Columns of a /proc/stat cpu line summed into "total": user nice system idle iowait irq softirq steal (guest is already in user). */
const SUMMED_COLUMNS = 8;

export class CpuSampler implements Sampler {
  private readonly file: ProcFile;
  private readonly scan = new ByteScanner();
  private useProc = false;
  private available = false;
  private cores = 0;
  /** Previous busy and total ticks: index 0 is the overall line, 1+i is core i. */
  private prevBusy = new Float64Array(0);
  private prevTotal = new Float64Array(0);
  private curBusy = new Float64Array(0);
  private curTotal = new Float64Array(0);
  readonly latest: CpuMetrics = { available: false, total: NaN, cores: [] };

  /** @param statPath the /proc/stat to read; a missing file makes the sampler fall back to os.cpus(). */
  constructor(statPath = "/proc/stat") {
    // Room for the "cpu" lines of every core (a line is at most ~230 bytes); the lines after them are not needed.
    this.file = new ProcFile(statPath, 256 + 256 * (os.cpus().length + 1));
  }

  start(): SeriesSpec[] {
    this.cores = os.cpus().length;
    this.useProc = this.file.open();
    this.allocate();
    this.available = this.readTimes(this.prevBusy, this.prevTotal);
    this.latest.available = this.available;
    this.latest.cores = new Array(this.cores).fill(NaN);
    const specs: SeriesSpec[] = [{ name: "cpu.total", unit: "ratio", available: this.available }];
    for (let i = 0; i < this.cores; i++) specs.push({ name: `cpu.core${i}`, unit: "ratio", available: this.available });
    return specs;
  }

  sample(_elapsedMs: number, row: Float64Array, offset: number): void {
    const ok = this.available && this.readTimes(this.curBusy, this.curTotal);
    for (let i = 0; i <= this.cores; i++) {
      let share = NaN;
      if (ok) {
        const dTotal = this.curTotal[i]! - this.prevTotal[i]!;
        const dBusy = this.curBusy[i]! - this.prevBusy[i]!;
        // dTotal is NaN when a core's line was missing from either read (offline core): report NaN.
        share = dTotal > 0 ? Math.min(1, Math.max(0, dBusy / dTotal)) : dTotal === 0 ? 0 : NaN;
      }
      row[offset + i] = share;
      if (i === 0) this.latest.total = share;
      else this.latest.cores[i - 1] = share;
    }
    if (ok) {
      const b = this.prevBusy;
      const t = this.prevTotal;
      this.prevBusy = this.curBusy;
      this.prevTotal = this.curTotal;
      this.curBusy = b;
      this.curTotal = t;
    }
  }

  stop(): void {
    this.file.close();
  }

  private allocate(): void {
    const n = this.cores + 1;
    this.prevBusy = new Float64Array(n);
    this.prevTotal = new Float64Array(n);
    this.curBusy = new Float64Array(n);
    this.curTotal = new Float64Array(n);
  }

  /** Fills busy/total ticks for the overall line and each core. False when the source cannot be read. */
  private readTimes(busy: Float64Array, total: Float64Array): boolean {
    return this.useProc ? this.readProcStat(busy, total) : this.readOsCpus(busy, total);
  }

  private readProcStat(busy: Float64Array, total: Float64Array): boolean {
    if (!this.file.read()) return false;
    busy.fill(NaN);
    total.fill(NaN);
    const s = this.scan;
    s.reset(this.file.buf, this.file.length);
    let seen = 0;
    while (!s.atEnd() && s.lookingAt("cpu")) {
      if (!s.lineIsComplete()) break;
      s.skip(3);
      // "cpu " is the overall line; "cpuN" is core N.
      const index = s.lookingAt(" ") ? 0 : s.readUint() + 1;
      let sum = 0;
      let idle = 0;
      for (let col = 0; col < SUMMED_COLUMNS; col++) {
        const v = s.readUint();
        if (Number.isNaN(v)) break; // old kernels have fewer columns
        sum += v;
        if (col === 3 || col === 4) idle += v;
      }
      if (index <= this.cores) {
        busy[index] = sum - idle;
        total[index] = sum;
        seen++;
      }
      s.nextLine();
    }
    return seen > 0;
  }

  private readOsCpus(busy: Float64Array, total: Float64Array): boolean {
    const cpus = os.cpus();
    if (cpus.length === 0) return false;
    busy[0] = 0;
    total[0] = 0;
    for (let i = 0; i < Math.min(cpus.length, this.cores); i++) {
      const t = cpus[i]!.times;
      const sum = t.user + t.nice + t.sys + t.idle + t.irq;
      busy[i + 1] = sum - t.idle;
      total[i + 1] = sum;
      busy[0] += sum - t.idle;
      total[0] += sum;
    }
    return true;
  }
}
