import { afterEach, describe, expect, it } from "vitest";
import { collectDefaultMetrics, register as globalRegister, Registry } from "prom-client";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMonitor, type Monitor } from "../../../profiler/monitor/index.js";

let monitors: Monitor[] = [];
afterEach(() => {
  for (const m of monitors) m.stop();
  monitors = [];
});
const make = () => {
  const m = createMonitor({ intervalMs: 3_600_000 }).start();
  monitors.push(m);
  return m;
};

/** name → type, from the "# TYPE" lines of an exposition. */
function types(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Value of an unlabelled sample line. */
function value(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return Number(line!.slice(name.length + 1));
}

describe("toPrometheus", () => {
  it("uses prom-client's default metric names and types where they overlap", async () => {
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults });
    const defaultTypes = types(await defaults.metrics());
    const m = make();
    m.sample();
    const ours = types(await m.toPrometheus());
    const overlap = [...ours.keys()].filter((n) => defaultTypes.has(n));
    for (const n of [
      "process_cpu_user_seconds_total",
      "process_cpu_system_seconds_total",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_total_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_external_memory_bytes",
      "nodejs_eventloop_lag_p99_seconds",
      "nodejs_gc_duration_seconds",
    ]) {
      expect(overlap).toContain(n);
    }
    for (const n of overlap) expect(ours.get(n), n).toBe(defaultTypes.get(n));
    // Every other metric carries the kos_ prefix.
    for (const n of ours.keys()) if (!defaultTypes.has(n)) expect(n).toMatch(/^kos_/);
  });

  it("exports the latest sample's values in valid text format", async () => {
    const m = make();
    const s = m.sample();
    const text = await m.toPrometheus();
    expect(value(text, "nodejs_heap_size_used_bytes")).toBe(s.memory.heapUsed);
    expect(value(text, "process_resident_memory_bytes")).toBe(s.memory.rss);
    expect(value(text, "kos_system_memory_total_bytes")).toBe(s.memory.systemTotal);
    expect(value(text, "process_cpu_user_seconds_total")).toBeCloseTo(s.process.userSeconds, 9);
    expect(text).toContain(`kos_cpu_utilization_ratio{cpu="all"} ${s.cpu.total}`);
    expect(text).toContain(`kos_cpu_utilization_ratio{cpu="0"}`);
    if (s.io.available) expect(value(text, "kos_io_read_chars_total")).toBe(s.io.readChars);
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/);
    }
  });

  it("feeds each collection into nodejs_gc_duration_seconds by kind", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const m = make();
    gc();
    await new Promise((r) => setTimeout(r, 100));
    const s = m.sample();
    const text = await m.toPrometheus();
    const line = text.split("\n").find((l) => l.startsWith('nodejs_gc_duration_seconds_count{kind="major"}'));
    expect(Number(line!.split(" ")[1])).toBe(s.gc.byKind.major.count);
    expect(s.gc.byKind.major.count).toBeGreaterThanOrEqual(1);
  });

  it("keeps to a private registry: nothing in prom-client's global one, no clash between monitors", async () => {
    const before = globalRegister.getMetricsAsArray().length;
    const a = make();
    const b = make();
    a.sample();
    b.sample();
    expect((await a.toPrometheus()).length).toBeGreaterThan(0);
    expect((await b.toPrometheus()).length).toBeGreaterThan(0);
    expect(globalRegister.getMetricsAsArray().length).toBe(before);
  });
});
