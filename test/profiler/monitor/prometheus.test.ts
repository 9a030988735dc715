import { afterEach, describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import perfHooks, { type ELDHistogram } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { collectDefaultMetrics, Gauge, register as globalRegister, Registry, type Histogram } from "prom-client";
import { createMonitor, type Monitor } from "../../../profiler/monitor/index.js";

let monitors: Monitor[] = [];
afterEach(() => {
  for (const m of monitors) m.stop();
  monitors = [];
});
const make = (options: Parameters<typeof createMonitor>[0] = {}) => {
  const m = createMonitor({ intervalMs: 3_600_000, ...options }).start();
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

/** Value of the sample line `name{labels}`. */
function value(text: string, nameAndLabels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(nameAndLabels + " "));
  if (!line) throw new Error(`no line ${nameAndLabels}`);
  return Number(line.slice(nameAndLabels.length + 1));
}

/** Names with more than one HELP or TYPE line: what promtool refuses ("second HELP line for metric name"). */
function duplicateHeaders(text: string): string[] {
  const seen = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (m) seen.set(`${m[1]} ${m[2]}`, (seen.get(`${m[1]} ${m[2]}`) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

const hasPromtool = spawnSync("promtool", ["--version"]).status === 0;

async function appRegistryWithMonitor(): Promise<{ registry: Registry; monitor: Monitor; text: string }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const monitor = make({ registry });
  monitor.sample();
  monitor.sample();
  return { registry, monitor, text: await registry.metrics() };
}

describe("the monitor's Prometheus export", () => {
  it("registers kos_monitor_* metrics into the application's registry, refreshed at every scrape", async () => {
    const { registry, monitor, text } = await appRegistryWithMonitor();
    expect(text).toMatch(/^# TYPE kos_monitor_latest gauge$/m);
    const before = value(text, 'kos_monitor_samples');
    expect(before).toBe(2);
    monitor.sample();
    expect(value(await registry.metrics(), "kos_monitor_samples")).toBe(3);
    // toPrometheus() is the same registry's text.
    expect(await monitor.toPrometheus()).toContain("kos_monitor_samples 3");
    expect(monitor.registry).toBe(registry);
  });

  it("exports each series' window statistics, trend and the leak verdict under kos_ names", async () => {
    const m = make({ defaultMetrics: false });
    for (let i = 0; i < 5; i++) m.sample();
    const summary = m.getSummary();
    const text = await m.toPrometheus();
    const heap = summary.series["memory.heapUsed"]!;
    const labels = '{series="memory.heapUsed",unit="bytes"}';
    expect(value(text, `kos_monitor_latest${labels}`)).toBe(heap.latest);
    expect(value(text, `kos_monitor_p50${labels}`)).toBe(heap.p50);
    expect(value(text, `kos_monitor_p95${labels}`)).toBe(heap.p95);
    expect(value(text, `kos_monitor_p99${labels}`)).toBe(heap.p99);
    expect(value(text, `kos_monitor_max${labels}`)).toBe(heap.max);
    expect(value(text, `kos_monitor_trend_slope_per_second${labels}`)).toBe(heap.trend.slopePerSec);
    expect(value(text, 'kos_monitor_leak_suspected{series="memory.heapUsed"}')).toBe(heap.leak!.suspected ? 1 : 0);
    expect(value(text, 'kos_monitor_leak_suspected{series="memory.rss"}')).toBe(summary.series["memory.rss"]!.leak!.suspected ? 1 : 0);
    // Without default metrics, every family is kos's own.
    for (const n of types(text).keys()) expect(n).toMatch(/^kos_monitor_/);
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|-Inf)$/);
    }
  });

  it("uses no prom-client name of its own: joined with prom-client's defaults, no HELP or TYPE line repeats", async () => {
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults });
    const defaultNames = new Set(types(await defaults.metrics()).keys());
    const { text } = await appRegistryWithMonitor();
    const kosNames = [...types(text).keys()].filter((n) => !defaultNames.has(n));
    expect(kosNames.length).toBeGreaterThan(5);
    for (const n of kosNames) expect(n).toMatch(/^kos_/);
    expect(duplicateHeaders(text)).toEqual([]);
    // The monitor's own registry carries prom-client's defaults (issue 13: they were missing).
    const own = await make().toPrometheus();
    for (const n of ["process_start_time_seconds", "nodejs_eventloop_lag_seconds", "process_cpu_seconds_total", "nodejs_gc_duration_seconds"]) expect(types(own).has(n), n).toBe(true);
    expect(duplicateHeaders(own)).toEqual([]);
    // Two monitors' texts joined by hand do repeat headers: the check above can fail.
    expect(duplicateHeaders(text + text).length).toBeGreaterThan(0);
  });

  it.skipIf(!hasPromtool)("passes promtool check metrics with prom-client's default metrics (only prom-client's own lint remarks remain)", async () => {
    const { text } = await appRegistryWithMonitor();
    const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    const remarks = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
    // Exit 1 is a parse error (e.g. a second HELP line); 3 is lint remarks, which must all be about prom-client's names.
    expect(r.status, remarks.join("\n")).not.toBe(1);
    expect(remarks.filter((l) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l))).toEqual([]);
    const bad = spawnSync("promtool", ["check", "metrics"], { input: text + text, encoding: "utf8" });
    expect(bad.status).toBe(1);
  });

  it("refuses a second monitor in one registry with a typed error, and never touches prom-client's global registry", async () => {
    const before = globalRegister.getMetricsAsArray().length;
    const registry = new Registry();
    make({ registry });
    expect(() => make({ registry })).toThrow(expect.objectContaining({ code: "EMONITOR_REGISTRY" }));
    const a = make();
    const b = make();
    a.sample();
    b.sample();
    expect((await a.toPrometheus()).length).toBeGreaterThan(0);
    expect((await b.toPrometheus()).length).toBeGreaterThan(0);
    expect(globalRegister.getMetricsAsArray().length).toBe(before);
  });

  it("stop() stops the default metrics it started (prom-client's lag histogram and GC observer) and takes them out of its registry", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // Which histograms prom-client enables, seen from outside.
    const histograms: ELDHistogram[] = [];
    const real = perfHooks.monitorEventLoopDelay;
    const spy = vi.spyOn(perfHooks, "monitorEventLoopDelay").mockImplementation((o) => {
      const h = real(o);
      histograms.push(h);
      return h;
    });
    let registry: Registry;
    let gcMetric: Histogram;
    const m = make({ eventLoopResolutionMs: 10 });
    try {
      m.sample();
      expect(await m.toPrometheus()).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
      registry = m.registry as unknown as Registry;
      gcMetric = registry.getSingleMetric("nodejs_gc_duration_seconds") as Histogram;
    } finally {
      spy.mockRestore();
    }
    // The last one is the live registry's (the first registration may also learn the names from a scratch one).
    const lag = histograms.at(-1)!;
    const gcCount = async () => (await gcMetric.get()).values.filter((v) => v.metricName === "nodejs_gc_duration_seconds_count").reduce((a, v) => a + v.value, 0);
    m.stop();
    // sweep 37: both kept running after stop (200 stopped monitors: idle CPU 1.1 → 15.9 ms/s, 19.4 MB retained).
    const lagTicks = lag.count;
    const collections = await gcCount();
    gc();
    gc();
    await new Promise((r) => setTimeout(r, 100)); // ten ticks of a 10 ms lag timer; GC entries arrive on a later turn
    expect(lag.count).toBe(lagTicks);
    expect(await gcCount()).toBe(collections);
    expect(registry.getSingleMetric("nodejs_gc_duration_seconds")).toBeUndefined();
    expect(registry.getSingleMetric("process_cpu_seconds_total")).toBeUndefined();
    // kos's families stay (the history is kept), and a restart brings the defaults back.
    const after = await m.toPrometheus();
    expect(after).toContain("kos_monitor_samples 1");
    expect(after).not.toContain("nodejs_gc_duration_seconds");
    m.start();
    expect(await m.toPrometheus()).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
    m.stop();
    expect(registry.getSingleMetric("nodejs_gc_duration_seconds")).toBeUndefined();
  });

  it("the registry getter alone starts nothing a stop() leaves running", async () => {
    const m = createMonitor({ intervalMs: 3_600_000 });
    const registry = m.registry as unknown as Registry;
    // Not started: no default metrics yet (they run while the monitor runs).
    expect(registry.getSingleMetric("nodejs_eventloop_lag_seconds")).toBeUndefined();
    m.start();
    expect(registry.getSingleMetric("nodejs_eventloop_lag_seconds")).toBeDefined();
    m.stop();
    expect(registry.getSingleMetric("nodejs_eventloop_lag_seconds")).toBeUndefined();
    expect(registry.getSingleMetric("kos_monitor_latest")).toBeDefined();
  });

  it("refuses defaultMetrics: true on a registry that already has them, with EMONITOR_REGISTRY, leaving the registry as it was", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const before = registry.getMetricsAsArray().map((m) => m.name);
    // sweep 37: prom-client's plain Error, and 13 kos_monitor_* gauges left behind.
    expect(() => createMonitor({ registry, defaultMetrics: true })).toThrow(expect.objectContaining({ code: "EMONITOR_REGISTRY" }));
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(before);
    // The registry still takes a monitor, the right way.
    const m = make({ registry });
    m.sample();
    expect(value(await registry.metrics(), "kos_monitor_samples")).toBe(1);
  });

  it("takes back a half-made registration: a registry holding one default metric's name gets none of them", () => {
    const registry = new Registry();
    new Gauge({ name: "nodejs_gc_duration_seconds", help: "the application's own", registers: [registry] });
    expect(() => createMonitor({ registry, defaultMetrics: true })).toThrow(expect.objectContaining({ code: "EMONITOR_REGISTRY" }));
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(["nodejs_gc_duration_seconds"]);
    // A second monitor's kos families clash at the first one: the first monitor's stay untouched.
    const first = make({ registry, defaultMetrics: false });
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(() => createMonitor({ registry })).toThrow(expect.objectContaining({ code: "EMONITOR_REGISTRY" }));
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(names);
    expect(first.running).toBe(true);
  });
});
