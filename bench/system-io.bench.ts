/**
 * system-io: one large sequential read (≥ 1 GiB, written here) read in four
 * ways — buffered cold, buffered warm, buffered with advise('sequential'),
 * and O_DIRECT through readSequential at in-flight depths 1, 4 and 16. The
 * page cache is dropped before each cold read (`echo 3 >
 * /proc/sys/vm/drop_caches` when permitted, else fadvise DONTNEED). Rounds
 * are interleaved and the median MB/s is reported, with /proc/self/io
 * read_bytes to show which reads reached the device.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { join } from "node:path";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { markdownTable, type BenchSection } from "./harness.js";
import { isDirectIoSupported, advise, DirectFile } from "../runtime/directio.js";
import { drainSequential } from "../runtime/sequential-reader.js";

const MiB = 1 << 20;
const FILE_MIB = Number(process.env.KOS_BENCH_IO_MIB ?? 1024);
const CHUNK = MiB;
const ROUNDS = Number(process.env.KOS_BENCH_IO_ROUNDS ?? 3);

function repoTmp(): string {
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
  const dir = join(root, ".kos-tmp");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function deviceReadBytes(): number {
  return Number(/^read_bytes:\s*(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))![1]);
}

/** Drops the file's pages from the cache; returns the method that worked. */
function dropCache(path: string): string {
  try {
    execFileSync("sync");
    writeFileSync("/proc/sys/vm/drop_caches", "3");
    return "drop_caches";
  } catch {
    const fd = openSync(path, "r");
    try {
      advise(fd, 0, 0, "dontneed");
    } finally {
      closeSync(fd);
    }
    return "fadvise(DONTNEED)";
  }
}

async function writeTestFile(path: string): Promise<void> {
  const file = await DirectFile.open(path, { create: true, truncate: true, direct: true });
  try {
    const buf = file.allocBuffer(8 * MiB);
    randomFillSync(buf);
    for (let off = 0; off < FILE_MIB * MiB; off += buf.length) {
      buf.writeUInt32LE(off / buf.length, 0); // each chunk differs
      await file.write(buf, off);
    }
    await file.sync();
  } finally {
    file.close();
  }
}

/** The plain Node way: a FileHandle and one reused Buffer, one read at a time. */
async function bufferedRead(path: string, adviseSequential: boolean, chunk = CHUNK, end = Number.POSITIVE_INFINITY): Promise<number> {
  const handle = await open(path, "r");
  try {
    if (adviseSequential) advise(handle.fd, 0, 0, "sequential");
    const buf = Buffer.allocUnsafe(chunk);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(chunk, end - total), total);
      if (bytesRead === 0) return total;
      total += bytesRead;
      if (total >= end) return total;
    }
  } finally {
    await handle.close();
  }
}

interface Way {
  name: string;
  cold: boolean;
  read: (path: string) => Promise<number>;
  /** Bytes the way reads (default: the whole file). */
  bytes?: number;
}

const SMALL = 4096;
const SMALL_SPAN = 32 * MiB;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export default async function (): Promise<BenchSection> {
  const id = "system-io";
  const title = "System I/O: large sequential read, buffered vs O_DIRECT";
  if (!isDirectIoSupported()) {
    return { id, title, markdown: "_Skipped: the native addon is not loaded, so O_DIRECT cannot be measured._" };
  }
  const loadAtStart = loadavg().map((x) => x.toFixed(1)).join(", ");
  const path = join(repoTmp(), `system-io-${process.pid}.bin`);
  const ways: Way[] = [
    { name: "buffered, cold", cold: true, read: (p) => bufferedRead(p, false) },
    { name: "buffered, warm", cold: false, read: (p) => bufferedRead(p, false) },
    { name: "buffered + advise('sequential'), cold", cold: true, read: (p) => bufferedRead(p, true) },
    ...[1, 4, 16].map((depth): Way => ({
      name: `O_DIRECT, depth ${depth}`,
      cold: true,
      read: (p) => drainSequential(p, { direct: true, depth, chunkSize: CHUNK }),
    })),
    // Where direct I/O hurts: small reads lose the kernel's readahead.
    { name: "4 KiB reads, buffered, cold", cold: true, bytes: SMALL_SPAN, read: (p) => bufferedRead(p, false, SMALL, SMALL_SPAN) },
    { name: "4 KiB reads, O_DIRECT, depth 1", cold: true, bytes: SMALL_SPAN, read: (p) => drainSequential(p, { direct: true, depth: 1, chunkSize: SMALL, end: SMALL_SPAN }) },
    { name: "4 KiB reads, O_DIRECT, depth 4", cold: true, bytes: SMALL_SPAN, read: (p) => drainSequential(p, { direct: true, depth: 4, chunkSize: SMALL, end: SMALL_SPAN }) },
  ];
  const mbps = new Map<string, number[]>(ways.map((w) => [w.name, []]));
  const device = new Map<string, number[]>(ways.map((w) => [w.name, []]));
  let dropMethod = "";
  const started = Date.now();
  try {
    await writeTestFile(path);
    const writeSecs = (Date.now() - started) / 1000;
    for (let round = 0; round < ROUNDS; round++) {
      for (const way of ways) {
        if (way.cold) dropMethod = dropCache(path);
        else await bufferedRead(path, false); // make sure it is warm
        const before = deviceReadBytes();
        const t0 = process.hrtime.bigint();
        const bytes = await way.read(path);
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;
        const expected = way.bytes ?? FILE_MIB * MiB;
        if (bytes !== expected) throw new Error(`${way.name}: read ${bytes} bytes, expected ${expected}`);
        mbps.get(way.name)!.push(bytes / 1e6 / secs);
        device.get(way.name)!.push((deviceReadBytes() - before) / MiB);
      }
    }
    const base = median(mbps.get("buffered, cold")!);
    const rows = ways.filter((w) => w.bytes === undefined).map((w) => {
      const m = median(mbps.get(w.name)!);
      return [w.name, m.toFixed(0), `${(m / base).toFixed(2)}×`, median(device.get(w.name)!).toFixed(0), mbps.get(w.name)!.map((x) => x.toFixed(0)).join(" / ")];
    });
    const smallBase = median(mbps.get("4 KiB reads, buffered, cold")!);
    const smallRows = ways.filter((w) => w.bytes !== undefined).map((w) => {
      const m = median(mbps.get(w.name)!);
      return [w.name, m.toFixed(0), `${(m / smallBase).toFixed(2)}×`, mbps.get(w.name)!.map((x) => x.toFixed(0)).join(" / ")];
    });
    const pool = process.env.UV_THREADPOOL_SIZE ?? "4 (default)";
    return {
      id,
      title,
      markdown: [
        `Reading one ${FILE_MIB} MiB file (written by the suite with O_DIRECT in ${writeSecs.toFixed(1)} s) on the repo's disk, 1 MiB per read. ` +
          `Cold rows drop the page cache first (${dropMethod}). Load average at the start: ${loadAtStart}. Median of ${ROUNDS} interleaved rounds; “device MiB” is the growth of /proc/self/io read_bytes, i.e. what really came from the disk.`,
        "",
        markdownTable(["way", "MB/s (median)", "vs buffered cold", "device MiB", "MB/s per round"], rows),
        "",
        `Small reads: the first ${SMALL_SPAN / MiB} MiB of the same file in 4 KiB reads, cold.`,
        "",
        markdownTable(["way", "MB/s (median)", "vs buffered cold", "MB/s per round"], smallRows),
        "",
        `O_DIRECT reads run on libuv's thread pool (UV_THREADPOOL_SIZE = ${pool}), so at most that many are in the kernel at once whatever the depth.`,
      ].join("\n"),
    };
  } finally {
    if (existsSync(path)) rmSync(path);
  }
}
