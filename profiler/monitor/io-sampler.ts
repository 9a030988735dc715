/**
 * This process's I/O counters from /proc/self/io (all threads together), with
 * per-second rates over the last interval. Missing off Linux, or where the
 * kernel lacks task I/O accounting: then the series are marked unavailable.
 */
import { ByteScanner, ProcFile } from "./proc-file.js";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { IoMetrics } from "./types.js";

/** The keys of /proc/self/io, in the order IoMetrics counters are stored. */
const KEYS = ["rchar:", "wchar:", "syscr:", "syscw:", "read_bytes:", "write_bytes:", "cancelled_write_bytes:"] as const;

export class IoSampler implements Sampler {
  private readonly file: ProcFile;
  private readonly scan = new ByteScanner();
  private available = false;
  private prev = new Float64Array(KEYS.length);
  private cur = new Float64Array(KEYS.length);
  readonly latest: IoMetrics = {
    available: false,
    readChars: NaN,
    writeChars: NaN,
    readSyscalls: NaN,
    writeSyscalls: NaN,
    readBytes: NaN,
    writeBytes: NaN,
    cancelledWriteBytes: NaN,
    rates: { readCharsPerSec: NaN, writeCharsPerSec: NaN, readSyscallsPerSec: NaN, writeSyscallsPerSec: NaN, readBytesPerSec: NaN, writeBytesPerSec: NaN },
  };

  /** @param ioPath the file to read; missing (off Linux) makes every I/O series unavailable. */
  constructor(ioPath = "/proc/self/io") {
    this.file = new ProcFile(ioPath, 512);
  }

  start(): SeriesSpec[] {
    this.available = this.file.open() && this.parse(this.prev);
    this.latest.available = this.available;
    if (this.available) this.publishTotals(this.prev);
    const a = this.available;
    return [
      { name: "io.readChars.rate", unit: "bytes/s", available: a },
      { name: "io.writeChars.rate", unit: "bytes/s", available: a },
      { name: "io.readSyscalls.rate", unit: "1/s", available: a },
      { name: "io.writeSyscalls.rate", unit: "1/s", available: a },
      { name: "io.readBytes.rate", unit: "bytes/s", available: a },
      { name: "io.writeBytes.rate", unit: "bytes/s", available: a },
    ];
  }

  sample(elapsedMs: number, row: Float64Array, offset: number): void {
    const ok = this.available && this.file.read() && this.parse(this.cur);
    const r = this.latest.rates;
    if (!ok) {
      for (let i = 0; i < 6; i++) row[offset + i] = NaN;
      r.readCharsPerSec = r.writeCharsPerSec = r.readSyscallsPerSec = r.writeSyscallsPerSec = r.readBytesPerSec = r.writeBytesPerSec = NaN;
      return;
    }
    const perSec = elapsedMs > 0 ? 1000 / elapsedMs : 0;
    const c = this.cur;
    const p = this.prev;
    r.readCharsPerSec = row[offset] = (c[0]! - p[0]!) * perSec;
    r.writeCharsPerSec = row[offset + 1] = (c[1]! - p[1]!) * perSec;
    r.readSyscallsPerSec = row[offset + 2] = (c[2]! - p[2]!) * perSec;
    r.writeSyscallsPerSec = row[offset + 3] = (c[3]! - p[3]!) * perSec;
    r.readBytesPerSec = row[offset + 4] = (c[4]! - p[4]!) * perSec;
    r.writeBytesPerSec = row[offset + 5] = (c[5]! - p[5]!) * perSec;
    this.publishTotals(c);
    this.prev = c;
    this.cur = p;
  }

  stop(): void {
    this.file.close();
  }

  private publishTotals(v: Float64Array): void {
    const L = this.latest;
    L.readChars = v[0]!;
    L.writeChars = v[1]!;
    L.readSyscalls = v[2]!;
    L.writeSyscalls = v[3]!;
    L.readBytes = v[4]!;
    L.writeBytes = v[5]!;
    L.cancelledWriteBytes = v[6]!;
  }

  /** Parses "key: value" lines by known key; false if a key is missing. */
  private parse(out: Float64Array): boolean {
    if (this.file.length === 0) return false;
    const s = this.scan;
    s.reset(this.file.buf, this.file.length);
    let found = 0;
    while (!s.atEnd()) {
      for (let k = 0; k < KEYS.length; k++) {
        const key = KEYS[k]!;
        if (s.lookingAt(key)) {
          s.skip(key.length);
          out[k] = s.readUint();
          found++;
          break;
        }
      }
      s.nextLine();
    }
    return found === KEYS.length;
  }
}
