/**
 * The performance monitor: samples CPU, memory, I/O, GC and the event loop on
 * an unref'd timer, keeps every series in a fixed-size ring, and answers with
 * the latest values, window statistics with trends and a leak verdict, or the
 * Prometheus text format (kos_monitor_* metrics in the application's
 * prom-client registry or the monitor's own; prometheus.ts).
 *
 * @example
 * const monitor = createMonitor({ intervalMs: 1000, historySize: 600 }).start();
 * // ... later
 * console.log(monitor.getSummary().leakSuspected);
 * monitor.stop();
 */
import { KosError } from "../../errors.js";
import { CpuSampler } from "./cpu-sampler.js";
import { EventLoopSampler } from "./event-loop-sampler.js";
import { GcSampler } from "./gc-sampler.js";
import { IoSampler } from "./io-sampler.js";
import { detectLeak } from "./leak.js";
import { MemorySampler } from "./memory-sampler.js";
import { checkOptions } from "./options.js";
import { ProcessCpuSampler } from "./process-cpu-sampler.js";
import { PrometheusExport } from "./prometheus.js";
import type { PrometheusRegistry } from "./types.js";
import { RingBuffer } from "./ring-buffer.js";
import type { Sampler, SeriesSpec } from "./sampler.js";
import { trendOf, windowStats } from "./statistics.js";
import { BLOCKED_SERIES } from "./worker-channel.js";
import { WorkerSampling } from "./worker-sampling.js";
import type { LeakRule, MonitorMetrics, MonitorOptions, MonitorSummary, SeriesSummary } from "./types.js";

export type * from "./types.js";
export { detectLeak, DEFAULT_LEAK_RULE } from "./leak.js";

/** A running (or stopped) performance monitor. Create it with {@link createMonitor}. */
export interface Monitor {
  readonly intervalMs: number;
  readonly historySize: number;
  readonly running: boolean;
  /** The last error a timer-driven sample swallowed (a monitor never throws into its host's timers); undefined if none. */
  readonly lastError: unknown;
  /**
   * Starts sampling every `intervalMs`. The timer is unref'd: it never keeps the process alive. Returns the monitor.
   * @throws KosError `EMONITOR_REGISTRY` when prom-client's default metrics, which it registers, were put into the registry since (nothing is started)
   */
  start(): Monitor;
  /**
   * Stops the timer and releases file descriptors, observers and prom-client's
   * default metrics (which leave the registry until the next start; the
   * `kos_monitor_*` families stay). History is kept. Safe to call twice.
   */
  stop(): void;
  /**
   * Takes one sample now (outside the timer) and returns it.
   * @throws KosError `EMONITOR_NOT_STARTED` before `start()`, `EMONITOR_STOPPED` after `stop()`
   */
  sample(): MonitorMetrics;
  /** The latest sample (a copy). Before the first sample its values are NaN; cumulative counters (GC, I/O totals, CPU seconds) are filled from start. */
  getMetrics(): MonitorMetrics;
  /** Per-series min, max, mean, p50, p95, p99 and trend over the held window, with the leak verdict. */
  getSummary(): MonitorSummary;
  /** The held values of one series, oldest first, with their timestamps (ms since the epoch). */
  history(series: string): { timestamps: Float64Array; values: Float64Array; unit: string; available: boolean };
  /** Names of every series, in sampling order. Empty before the first start. */
  seriesNames(): string[];
  /**
   * The prom-client Registry holding the monitor's `kos_monitor_*` metrics:
   * the application's (option `registry`) or the monitor's own, made now,
   * which also holds prom-client's default metrics while the monitor runs.
   * @throws KosError `KOS_MISSING_PEER` when prom-client is not installed
   */
  readonly registry: PrometheusRegistry;
  /**
   * The Prometheus text format of {@link Monitor.registry}: kos's series (latest,
   * window min/max/mean/p50/p95/p99, trend, leak verdict) and, in the monitor's
   * own registry while it runs, prom-client's default metrics.
   * @throws KosError `EMONITOR_NOT_STARTED`, or `KOS_MISSING_PEER` without prom-client
   */
  toPrometheus(): Promise<string>;
}

const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_HISTORY = 600;
/**
 * Default period of the event-loop delay timer: a twentieth of the sampling
 * interval, kept within 10..100 ms (1 s → 50 ms, 100 ms → 10 ms). Not Node's
 * fixed 10 ms: each tick wakes an idle process, and in bench profiler-monitor
 * an idle process with the monitor at 1 s used 2.2–2.7% of a core with a
 * 10 ms timer, 0.76–1.07% with 50 ms and 0.14–0.28% with no timer (loaded
 * 2-core machine, six runs).
 * Twenty ticks per interval still catch any block longer than one tick.
 */
export function defaultEventLoopResolutionMs(intervalMs: number): number {
  return Math.min(100, Math.max(10, Math.round(intervalMs / 20)));
}

class PerformanceMonitor implements Monitor {
  readonly intervalMs: number;
  readonly historySize: number;
  private readonly leakRule: Partial<LeakRule>;
  private readonly cpu = new CpuSampler();
  private readonly proc = new ProcessCpuSampler();
  private readonly memory = new MemorySampler();
  private readonly io = new IoSampler();
  private readonly gc = new GcSampler();
  private readonly loop: EventLoopSampler;
  private readonly samplers: Sampler[];
  private specs: SeriesSpec[] = [];
  private offsets: number[] = [];
  private rings: RingBuffer[] = [];
  private readonly times: RingBuffer;
  private row = new Float64Array(0);
  private timer: NodeJS.Timeout | null = null;
  private lastSampleMs = 0;
  private lastElapsedMs = NaN;
  private sampleCount = 0;
  private started = false;
  private exporter: PrometheusExport | null = null;
  private readonly exportOptions: { registry?: PrometheusRegistry; defaultMetrics?: boolean; eventLoopResolutionMs: number };
  private readonly sampleFrom: "main" | "worker";
  private readonly heartbeatMs: number;
  private workerSampling: WorkerSampling | null = null;
  /** The last error a timer-driven sample swallowed, for debugging; `sample()` throws instead. */
  lastError: unknown = undefined;

  constructor(options: MonitorOptions) {
    const o = checkOptions(options, defaultEventLoopResolutionMs, { intervalMs: DEFAULT_INTERVAL_MS, historySize: DEFAULT_HISTORY });
    this.intervalMs = o.intervalMs;
    this.historySize = o.historySize;
    this.leakRule = o.leakRule;
    this.loop = new EventLoopSampler(o.eventLoopDelay ? o.resolutionMs : null);
    this.samplers = [this.cpu, this.proc, this.memory, this.io, this.gc, this.loop];
    this.times = new RingBuffer(o.historySize);
    this.sampleFrom = o.sampleFrom;
    this.heartbeatMs = o.resolutionMs;
    this.exportOptions = { eventLoopResolutionMs: o.resolutionMs };
    if (o.registry !== undefined) this.exportOptions.registry = o.registry;
    if (o.defaultMetrics !== undefined) this.exportOptions.defaultMetrics = o.defaultMetrics;
    // The application's registry gets kos's metrics at once, so its own /metrics handler exports them.
    if (o.registry !== undefined) this.exporter = this.makeExporter();
  }

  private makeExporter(): PrometheusExport {
    const exporter = new PrometheusExport({ sampleCount: () => (this.drainWorker(), this.sampleCount), getSummary: () => this.getSummary() }, this.exportOptions);
    // prom-client's default metrics run while the monitor runs: from start(), or from now if it runs.
    if (this.timer) exporter.startDefaultMetrics();
    return exporter;
  }

  get registry(): PrometheusRegistry {
    this.exporter ??= this.makeExporter();
    return this.exporter.registry as unknown as PrometheusRegistry;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  start(): Monitor {
    if (this.timer) return this;
    // First, as it is the one step that can fail (EMONITOR_REGISTRY): nothing has started yet.
    this.exporter?.startDefaultMetrics();
    const specs: SeriesSpec[] = [];
    const offsets: number[] = [];
    for (const s of this.samplers) {
      offsets.push(specs.length);
      specs.push(...s.start());
    }
    // Written by the sampling worker; a sample the main thread takes itself finds it running (0).
    if (this.sampleFrom === "worker") specs.push({ name: BLOCKED_SERIES, unit: "ms", available: true });
    // The series set is fixed by the first start; a restart keeps the rings (and the history) when it matches.
    const same = this.specs.length === specs.length && this.specs.every((s, i) => s.name === specs[i]!.name);
    if (!same) {
      this.rings = specs.map(() => new RingBuffer(this.historySize));
      this.times.clear();
    }
    this.specs = specs;
    this.offsets = offsets;
    this.row = new Float64Array(specs.length).fill(NaN);
    this.lastSampleMs = performance.now();
    this.lastElapsedMs = NaN;
    this.started = true;
    if (this.sampleFrom === "worker") {
      this.workerSampling = new WorkerSampling(specs, this.historySize, this.intervalMs, this.heartbeatMs, () => (this.readSamplers(), this.row));
    }
    this.timer = setInterval(() => this.tickSafely(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    // Also when not running: the registry getter may have made an export and its default metrics.
    this.exporter?.stopDefaultMetrics();
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.drainWorker();
    this.workerSampling?.stop();
    this.workerSampling = null;
    for (const s of this.samplers) s.stop();
  }

  sample(): MonitorMetrics {
    // Before start(), the code getMetrics() and toPrometheus() give; after stop(), STOPPED (sweep37).
    if (!this.timer) throw this.started ? new KosError("EMONITOR_STOPPED", "sample() needs a running monitor: it was stopped; call start() again") : new KosError("EMONITOR_NOT_STARTED", "sample() needs a started monitor: call start() first");
    this.drainWorker();
    this.tick();
    return this.getMetrics();
  }

  /** The timer's entry: a failing source must never become an uncaught exception in the host process. */
  private tickSafely(): void {
    try {
      if (this.workerSampling) {
        // The worker takes the rows; this timer (like the heartbeat) shares what only the main thread can read.
        this.drainWorker();
        this.workerSampling.offer();
      } else this.tick();
    } catch (error) {
      this.lastError = error;
    }
  }

  /** Appends the rows the sampling worker wrote since the last call. */
  private drainWorker(): void {
    const ws = this.workerSampling;
    if (!ws) return;
    if (ws.error !== undefined) this.lastError = ws.error;
    ws.drain((timestamp, elapsedMs, values) => {
      this.times.push(timestamp);
      for (let i = 0; i < values.length; i++) this.rings[i]!.push(values[i]!);
      this.lastElapsedMs = elapsedMs;
      this.sampleCount++;
    });
  }

  /** Runs every sampler into the row (and the samplers' `latest`), without appending it. */
  private readSamplers(): void {
    const now = performance.now();
    const elapsed = now - this.lastSampleMs;
    this.lastSampleMs = now;
    this.lastElapsedMs = elapsed;
    const row = this.row;
    for (let i = 0; i < this.samplers.length; i++) this.samplers[i]!.sample(elapsed, row, this.offsets[i]!);
    if (this.sampleFrom === "worker") row[row.length - 1] = 0;
  }

  private tick(): void {
    this.readSamplers();
    const row = this.row;
    this.times.push(Date.now());
    for (let i = 0; i < row.length; i++) this.rings[i]!.push(row[i]!);
    this.sampleCount++;
  }

  getMetrics(): MonitorMetrics {
    if (!this.started) throw new KosError("EMONITOR_NOT_STARTED", "getMetrics() needs a monitor that has been started");
    this.drainWorker();
    return {
      timestamp: this.times.size > 0 ? this.times.latest() : Date.now(),
      elapsedMs: this.lastElapsedMs,
      samples: this.sampleCount,
      cpu: { ...this.cpu.latest, cores: [...this.cpu.latest.cores] },
      process: { ...this.proc.latest },
      memory: { ...this.memory.latest },
      io: { ...this.io.latest, rates: { ...this.io.latest.rates } },
      gc: structuredClone(this.gc.latest),
      eventLoop: { ...this.loop.latest, delayMs: { ...this.loop.latest.delayMs } },
    };
  }

  seriesNames(): string[] {
    return this.specs.map((s) => s.name);
  }

  history(series: string): { timestamps: Float64Array; values: Float64Array; unit: string; available: boolean } {
    this.drainWorker();
    const i = this.specs.findIndex((s) => s.name === series);
    if (i < 0) throw new KosError("EUNKNOWN_SERIES", `no series named "${series}"; known: ${this.seriesNames().join(", ")}`);
    return { timestamps: this.times.toArray(), values: this.rings[i]!.toArray(), unit: this.specs[i]!.unit, available: this.specs[i]!.available };
  }

  getSummary(): MonitorSummary {
    this.drainWorker();
    const timestamps = this.times.toArray();
    const n = timestamps.length;
    const t0 = n > 0 ? timestamps[0]! : 0;
    const timesSec = new Float64Array(n);
    for (let j = 0; j < n; j++) timesSec[j] = (timestamps[j]! - t0) / 1000;
    const series: Record<string, SeriesSummary> = {};
    const leakingSeries: string[] = [];
    // Scratch for the NaN-free part of each series, reused across series.
    const fT = new Float64Array(n);
    const fV = new Float64Array(n);
    for (let i = 0; i < this.specs.length; i++) {
      const spec = this.specs[i]!;
      const values = this.rings[i]!.toArray();
      let k = 0;
      for (let j = 0; j < values.length; j++) {
        if (!Number.isNaN(values[j]!)) {
          fT[k] = timesSec[j]!;
          fV[k] = values[j]!;
          k++;
        }
      }
      const t = fT.subarray(0, k);
      const v = fV.subarray(0, k);
      const summary: SeriesSummary = {
        unit: spec.unit,
        available: spec.available,
        ...windowStats(v),
        latest: this.rings[i]!.latest(),
        trend: trendOf(t, v),
      };
      if (spec.leakCandidate) {
        summary.leak = detectLeak(t, v, this.leakRule);
        if (summary.leak.suspected) leakingSeries.push(spec.name);
      }
      series[spec.name] = summary;
    }
    return {
      samples: n,
      windowMs: n > 1 ? timestamps[n - 1]! - t0 : 0,
      series,
      leakSuspected: leakingSeries.length > 0,
      leakingSeries,
    };
  }

  async toPrometheus(): Promise<string> {
    if (!this.started) throw new KosError("EMONITOR_NOT_STARTED", "toPrometheus() needs a monitor that has been started");
    this.exporter ??= this.makeExporter();
    return this.exporter.text();
  }
}

/**
 * Creates a performance monitor. It does nothing until `start()`; sampling
 * runs on an unref'd interval timer until `stop()`.
 *
 * @param options.intervalMs milliseconds between samples (default 1000)
 * @param options.historySize samples kept per series (default 600, at most 2^24)
 * @throws KosError on bad options, before anything is allocated or registered:
 * `EINVAL_INTERVAL`, `EINVAL_RESOLUTION` (periods are 1..2^31−1 ms, Node's
 * timer range), `EINVAL_HISTORY`, `EINVAL_SAMPLE_FROM`, `EINVAL_LEAK_RULE`,
 * `EINVAL_REGISTRY` (not a prom-client Registry), `EINVAL_OPTIONS` (not an
 * object, an unknown key, a non-boolean flag); `EMONITOR_REGISTRY` when the
 * registry already holds what the monitor would register
 */
export function createMonitor(options: MonitorOptions = {}): Monitor {
  return new PerformanceMonitor(options);
}
