/**
 * Prometheus text export through prom-client, on a private Registry (never
 * the global one, so an application's own default metrics do not collide).
 * Where prom-client's default collectors have a metric for the same thing,
 * its name, type, labels and units are used (process_cpu_*_seconds_total,
 * process_resident_memory_bytes, nodejs_heap_size_*_bytes,
 * nodejs_external_memory_bytes, nodejs_eventloop_lag_*_seconds,
 * nodejs_gc_duration_seconds); everything else is prefixed `kos_`.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { GcSampler } from "./gc-sampler.js";
import type { MonitorMetrics } from "./types.js";

/** prom-client's own default buckets for nodejs_gc_duration_seconds. */
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

/** Sets a gauge unless the value is NaN (an unavailable source or an empty interval): prom-client would print "Nan". */
function setIfNumber(g: Gauge, v: number, labels?: Record<string, string>): void {
  if (Number.isNaN(v)) return;
  if (labels) g.set(labels, v);
  else g.set(v);
}

/** Counters hold cumulative values read from the system: reset, then add the current total. */
function setCounter(c: Counter, v: number): void {
  if (Number.isNaN(v) || v < 0) return;
  c.reset();
  c.inc(v);
}

export class PrometheusExport {
  readonly registry = new Registry();
  private readonly r = [this.registry];
  private readonly cpuUser = new Counter({ name: "process_cpu_user_seconds_total", help: "Total user CPU time spent in seconds.", registers: this.r });
  private readonly cpuSystem = new Counter({ name: "process_cpu_system_seconds_total", help: "Total system CPU time spent in seconds.", registers: this.r });
  private readonly cpuTotal = new Counter({ name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", registers: this.r });
  private readonly rss = new Gauge({ name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", registers: this.r });
  private readonly heapTotal = new Gauge({ name: "nodejs_heap_size_total_bytes", help: "Process heap size from Node.js in bytes.", registers: this.r });
  private readonly heapUsed = new Gauge({ name: "nodejs_heap_size_used_bytes", help: "Process heap size used from Node.js in bytes.", registers: this.r });
  private readonly external = new Gauge({ name: "nodejs_external_memory_bytes", help: "Node.js external memory size in bytes.", registers: this.r });
  private readonly arrayBuffers = new Gauge({ name: "kos_nodejs_array_buffers_bytes", help: "Memory allocated for ArrayBuffers and SharedArrayBuffers, in bytes.", registers: this.r });
  private readonly sysFree = new Gauge({ name: "kos_system_memory_free_bytes", help: "System memory available for new allocations, in bytes.", registers: this.r });
  private readonly sysTotal = new Gauge({ name: "kos_system_memory_total_bytes", help: "Total system memory, in bytes.", registers: this.r });
  private readonly cpuUtil = new Gauge({ name: "kos_cpu_utilization_ratio", help: "Busy share of the machine's CPUs over the last interval; cpu=\"all\" or a core index.", labelNames: ["cpu"], registers: this.r });
  private readonly procUtil = new Gauge({ name: "kos_process_cpu_utilization_ratio", help: "This process's CPU use over the last interval, as a share of one core.", registers: this.r });
  private readonly lag: Record<"min" | "max" | "mean" | "stddev" | "p50" | "p90" | "p99", Gauge>;
  private readonly elu = new Gauge({ name: "kos_eventloop_utilization_ratio", help: "Share of the last interval the event loop was busy.", registers: this.r });
  private readonly gcDuration = new Histogram({
    name: "nodejs_gc_duration_seconds",
    help: "Garbage collection duration by kind, one of major, minor, incremental or weakcb.",
    labelNames: ["kind"],
    buckets: GC_BUCKETS,
    registers: this.r,
  });
  private readonly io: Counter[];

  constructor(gc: GcSampler, ioAvailable: boolean) {
    const lagGauge = (stat: string, help: string) =>
      new Gauge({ name: `nodejs_eventloop_lag_${stat}_seconds`, help, registers: this.r });
    this.lag = {
      min: lagGauge("min", "The minimum recorded event loop delay."),
      max: lagGauge("max", "The maximum recorded event loop delay."),
      mean: lagGauge("mean", "The mean of the recorded event loop delays."),
      stddev: lagGauge("stddev", "The standard deviation of the recorded event loop delays."),
      p50: lagGauge("p50", "The 50th percentile of the recorded event loop delays."),
      p90: lagGauge("p90", "The 90th percentile of the recorded event loop delays."),
      p99: lagGauge("p99", "The 99th percentile of the recorded event loop delays."),
    };
    const ioCounter = (name: string, help: string) => new Counter({ name: `kos_io_${name}_total`, help, registers: this.r });
    this.io = ioAvailable
      ? [
          ioCounter("read_chars", "Bytes passed to read-like syscalls (/proc/self/io rchar)."),
          ioCounter("write_chars", "Bytes passed to write-like syscalls (/proc/self/io wchar)."),
          ioCounter("read_syscalls", "Read-like syscalls (/proc/self/io syscr)."),
          ioCounter("write_syscalls", "Write-like syscalls (/proc/self/io syscw)."),
          ioCounter("read_bytes", "Bytes fetched from storage (/proc/self/io read_bytes)."),
          ioCounter("write_bytes", "Bytes sent to storage (/proc/self/io write_bytes)."),
        ]
      : [];
    gc.onCollection((kind, pauseMs) => this.gcDuration.observe({ kind }, pauseMs / 1000));
  }

  /** Copies the latest sample into the registry's metrics. */
  update(m: MonitorMetrics): void {
    setCounter(this.cpuUser, m.process.userSeconds);
    setCounter(this.cpuSystem, m.process.systemSeconds);
    setCounter(this.cpuTotal, m.process.userSeconds + m.process.systemSeconds);
    setIfNumber(this.rss, m.memory.rss);
    setIfNumber(this.heapTotal, m.memory.heapTotal);
    setIfNumber(this.heapUsed, m.memory.heapUsed);
    setIfNumber(this.external, m.memory.external);
    setIfNumber(this.arrayBuffers, m.memory.arrayBuffers);
    setIfNumber(this.sysFree, m.memory.systemFree);
    setIfNumber(this.sysTotal, m.memory.systemTotal);
    if (m.cpu.available) {
      setIfNumber(this.cpuUtil, m.cpu.total, { cpu: "all" });
      m.cpu.cores.forEach((v, i) => setIfNumber(this.cpuUtil, v, { cpu: String(i) }));
    }
    setIfNumber(this.procUtil, m.process.share);
    const d = m.eventLoop.delayMs;
    setIfNumber(this.lag.min, d.min / 1000);
    setIfNumber(this.lag.max, d.max / 1000);
    setIfNumber(this.lag.mean, d.mean / 1000);
    setIfNumber(this.lag.stddev, d.stddev / 1000);
    setIfNumber(this.lag.p50, d.p50 / 1000);
    setIfNumber(this.lag.p90, d.p90 / 1000);
    setIfNumber(this.lag.p99, d.p99 / 1000);
    setIfNumber(this.elu, m.eventLoop.utilization);
    if (this.io.length === 6 && m.io.available) {
      const io = m.io;
      [io.readChars, io.writeChars, io.readSyscalls, io.writeSyscalls, io.readBytes, io.writeBytes].forEach((v, i) => setCounter(this.io[i]!, v));
    }
  }

  /** The Prometheus text exposition of the registry. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
