/**
 * The shapes a performance monitor returns. Ratios are 0..1, times are in
 * milliseconds unless a name says seconds, sizes are bytes, rates are per
 * second. A source the platform lacks is marked `available: false` and its
 * numbers are NaN: the monitor degrades instead of throwing.
 */

/** Options for {@link createMonitor}. */
export interface MonitorOptions {
  /** Milliseconds between samples, 1 to 2^31−1 (Node's timer range). Default 1000. */
  intervalMs?: number;
  /** Samples kept per series (the ring size), 2 to 2^24. Default 600: ten minutes at 1 s. */
  historySize?: number;
  /**
   * Period of the timer whose lateness measures event-loop delay, in ms.
   * Default: intervalMs / 20, kept within 10..100 (1 s → 50 ms); at most
   * 2^31−1. A finer value resolves shorter stalls; each tick wakes the
   * process, which costs CPU.
   */
  eventLoopResolutionMs?: number;
  /**
   * Measure event-loop delay (default true). Its timer wakes the process every
   * `eventLoopResolutionMs` and is most of the monitor's cost; with `false`,
   * the delay series are unavailable and utilization is still sampled.
   */
  eventLoopDelay?: boolean;
  /** Overrides for the leak rule; see {@link LeakRule}. */
  leakRule?: Partial<LeakRule>;
  /**
   * The application's prom-client `Registry`: the monitor registers its
   * `kos_monitor_*` metrics into it at once, and they update whenever the
   * registry is scraped. Default: a registry of the monitor's own, made on
   * first use of `toPrometheus()` or `registry`. (prom-client is an optional
   * peer dependency: install it to use either.)
   */
  registry?: PrometheusRegistry;
  /**
   * Also register prom-client's default metrics (process CPU, memory, event-loop
   * lag, GC, start time) into the registry. Default: true for the monitor's own
   * registry, false for the application's (it calls `collectDefaultMetrics` itself).
   * They run (a lag timer, a GC observer) from `start()` to `stop()`, which
   * takes them back out of the registry. An application registry that already
   * has them is refused with `EMONITOR_REGISTRY`.
   */
  defaultMetrics?: boolean;
  /**
   * Where the samples are taken. `"main"` (default): an unref'd timer on the
   * main thread, which takes no sample while that thread is busy. `"worker"`:
   * a worker thread takes them on time even then. It reads the process-wide
   * sources itself (CPU, RSS, system memory, I/O); the V8 heap, GC and
   * event-loop series, which only the main thread can read, are NaN in rows
   * taken while it did not run; and the series `mainThread.blockedMs` says
   * how long the main thread had not run. Each of the main thread's intervals
   * goes into one row, so per-interval series (gc.count, gc.pauseMs) sum to
   * the truth as in `"main"`; a row's main-thread values cover the main
   * thread's time up to its first heartbeat after the previous row. Costs a
   * thread and a heartbeat timer every `eventLoopResolutionMs`.
   */
  sampleFrom?: "main" | "worker";
}

/**
 * The part of a prom-client `Registry` the monitor uses (declared here so
 * kos's types do not require prom-client to be installed).
 */
export interface PrometheusRegistry {
  registerMetric(metric: never): void;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Machine-wide CPU use over the last interval, from /proc/stat deltas (os.cpus() elsewhere). */
export interface CpuMetrics {
  available: boolean;
  /** Busy share of all cores together, 0..1. */
  total: number;
  /** Busy share of each core, 0..1, in core order. */
  cores: number[];
}

/** This process's CPU time, from `process.cpuUsage()`. */
export interface ProcessCpuMetrics {
  /** Cumulative user CPU seconds since the process started. */
  userSeconds: number;
  /** Cumulative system CPU seconds since the process started. */
  systemSeconds: number;
  /** CPU used over the last interval as a share of one core (can exceed 1 with threads). */
  share: number;
  userShare: number;
  systemShare: number;
  /** `share` divided by the core count: the share of the whole machine. */
  shareOfMachine: number;
}

export interface MemoryMetrics {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** System memory available for new allocations (`os.freemem()`, MemAvailable on Linux). */
  systemFree: number;
  systemTotal: number;
}

/** Cumulative I/O counters of this process from /proc/self/io, with per-second rates over the last interval. */
export interface IoMetrics {
  available: boolean;
  /** Bytes passed to read-like syscalls (rchar), cache hits included. */
  readChars: number;
  /** Bytes passed to write-like syscalls (wchar). */
  writeChars: number;
  readSyscalls: number;
  writeSyscalls: number;
  /** Bytes really fetched from storage (read_bytes). */
  readBytes: number;
  /** Bytes sent to storage (write_bytes). */
  writeBytes: number;
  cancelledWriteBytes: number;
  rates: {
    readCharsPerSec: number;
    writeCharsPerSec: number;
    readSyscallsPerSec: number;
    writeSyscallsPerSec: number;
    readBytesPerSec: number;
    writeBytesPerSec: number;
  };
}

export type GcKind = "minor" | "major" | "incremental" | "weakcb";

export interface GcKindStats {
  count: number;
  totalPauseMs: number;
  maxPauseMs: number;
}

/** Garbage collections seen by a PerformanceObserver since the monitor started. */
export interface GcMetrics {
  available: boolean;
  count: number;
  totalPauseMs: number;
  maxPauseMs: number;
  byKind: Record<GcKind, GcKindStats>;
  /** Collections during the last interval only. */
  interval: GcKindStats;
}

export interface EventLoopMetrics {
  available: boolean;
  /** How late the loop ran a timer ticking every `eventLoopResolutionMs`, over the last interval, in ms (0 = on time); NaN when no tick fell in the interval. */
  delayMs: { min: number; max: number; mean: number; stddev: number; p50: number; p90: number; p99: number };
  /** Share of the last interval the loop spent busy, 0..1 (`performance.eventLoopUtilization`). */
  utilization: number;
}

/** One sample: the latest values of every source. */
export interface MonitorMetrics {
  /** Wall-clock time of the sample, ms since the epoch. */
  timestamp: number;
  /** Milliseconds since the previous sample (the interval the deltas cover). */
  elapsedMs: number;
  /** Samples taken since start. */
  samples: number;
  cpu: CpuMetrics;
  process: ProcessCpuMetrics;
  memory: MemoryMetrics;
  io: IoMetrics;
  gc: GcMetrics;
  eventLoop: EventLoopMetrics;
}

export type TrendDirection = "rising" | "falling" | "flat";

/** A least-squares line through a series against time. */
export interface Trend {
  /** Units per second. */
  slopePerSec: number;
  /** Coefficient of determination of the fit, 0..1 (0 for a constant series). */
  r2: number;
  direction: TrendDirection;
}

/** Statistics of one series over the held window. */
export interface SeriesSummary {
  unit: string;
  available: boolean;
  /** Values in the window (NaN samples are skipped). */
  count: number;
  latest: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  trend: Trend;
  /** Present on memory series only: the leak rule's verdict. */
  leak?: LeakVerdict;
}

/**
 * When a memory series counts as a leak. The GC makes heap use a sawtooth, so
 * the rule looks at the baseline: the window is cut into equal blocks and the
 * minimum of each block is kept (the post-collection floor). A leak is
 * suspected when all of these hold:
 * - at least `minSamples` samples are held;
 * - a least-squares line through the block minima rises by at least `minGrowthBytesPerSec`;
 * - the line explains the minima well: R² ≥ `minR2` (steady, not noise);
 * - the baseline grows by at least `minTotalGrowthBytes` across the window.
 */
export interface LeakRule {
  /** Default 30. */
  minSamples: number;
  /** Default 1024 (1 KiB/s). */
  minGrowthBytesPerSec: number;
  /** Default 0.8. */
  minR2: number;
  /** Default 1 MiB. */
  minTotalGrowthBytes: number;
  /** Blocks the window is cut into for the baseline, at most (an integer ≥ 2); at least 4 samples per block. Default 16. */
  maxBlocks: number;
}

export interface LeakVerdict {
  suspected: boolean;
  /** Slope of the baseline (block minima), bytes per second. */
  baselineSlopeBytesPerSec: number;
  baselineR2: number;
  /** Growth of the fitted baseline across the window, bytes. */
  baselineGrowthBytes: number;
  /** Why the verdict is what it is, for humans. */
  reason: string;
}

/** Statistics of every series, and whether memory looks like it leaks. */
export interface MonitorSummary {
  samples: number;
  /** Time covered by the held window, ms. */
  windowMs: number;
  series: Record<string, SeriesSummary>;
  /** True when any memory series (heap used, rss) meets the leak rule. */
  leakSuspected: boolean;
  /** Names of the series that met the leak rule. */
  leakingSeries: string[];
}
