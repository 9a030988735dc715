/** Independent readers of /proc for the monitor tests: plain strings and split(), nothing shared with the code under test. */
import { readFileSync } from "node:fs";

export function procStatCpu(): { busy: number[]; total: number[] } {
  const busy: number[] = [];
  const total: number[] = [];
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    if (!line.startsWith("cpu")) continue;
    const cols = line.trim().split(/\s+/);
    const v = cols.slice(1, 9).map(Number);
    const sum = v.reduce((a, b) => a + b, 0);
    busy.push(sum - v[3]! - v[4]!);
    total.push(sum);
  }
  return { busy, total };
}

/** utime + stime of this process, in clock ticks (1/100 s on Linux). */
export function procSelfCpuTicks(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export function procSelfIo(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync("/proc/self/io", "utf8").trim().split("\n")) {
    const [k, v] = line.split(":");
    out[k!.trim()] = Number(v);
  }
  return out;
}

export function procMeminfoKb(key: string): number {
  const line = readFileSync("/proc/meminfo", "utf8").split("\n").find((l) => l.startsWith(key + ":"));
  return Number(line!.split(/\s+/)[1]);
}

export function procSelfStatusKb(key: string): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(key + ":"));
  return Number(line!.split(/\s+/)[1]);
}

/** Keeps the CPU busy for `ms` of wall time. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}
