/**
 * Event-loop health over the last interval: delay percentiles, and the loop's
 * busy share from `performance.eventLoopUtilization`.
 *
 * Delay is measured by a timer of its own, not `monitorEventLoopDelay`: that
 * histogram forgets its previous tick on `reset()`, so the first delta after
 * each reset is never recorded. Measured on Node 20: a 150 ms block right
 * after a reset left the histogram's max at 14 ms (180 ms without the reset).
 * Resetting per interval is what makes per-interval percentiles, so kos keeps
 * the tick time itself and records into a `createHistogram()` histogram,
 * which survives resets. The value recorded is the lateness of each tick:
 * time since the previous tick minus the resolution (0 when on time).
 *
 * The timer is the monitor's main cost: every tick wakes an idle process.
 * Measured on the project's 2-core machine under load (bench
 * profiler-monitor, six runs): an idle process with the monitor at 1 s used
 * 2.2–2.7% of a core with a 10 ms timer, 0.76–1.07% with 50 ms and 0.14–0.28%
 * with none, while the sampling work itself is ~0.004% at 1 s. Hence the interval-scaled default
 * resolution, and `eventLoopDelay: false` (utilization only).
 */
import { createHistogram, performance, type EventLoopUtilization, type RecordableHistogram } from "node:perf_hooks";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { EventLoopMetrics } from "./types.js";

const NS_PER_MS = 1e6;

export class EventLoopSampler implements Sampler {
  private histogram: RecordableHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastTickMs = 0;
  private lastElu: EventLoopUtilization | null = null;
  readonly latest: EventLoopMetrics = {
    available: false,
    delayMs: { min: NaN, max: NaN, mean: NaN, stddev: NaN, p50: NaN, p90: NaN, p99: NaN },
    utilization: NaN,
  };

  /** @param resolutionMs period of the lateness timer; `null` runs no timer (delay series unavailable). */
  constructor(private readonly resolutionMs: number | null) {}

  start(): SeriesSpec[] {
    let delay = false;
    try {
      this.lastElu = performance.eventLoopUtilization();
      this.latest.available = true;
      const resolution = this.resolutionMs;
      if (resolution !== null) {
        const h = createHistogram();
        this.histogram = h;
        this.lastTickMs = performance.now();
        this.timer = setInterval(() => {
          const now = performance.now();
          const lateNs = (now - this.lastTickMs - resolution) * NS_PER_MS;
          this.lastTickMs = now;
          // The histogram takes integers ≥ 1: an on-time tick records 1 ns.
          h.record(lateNs >= 1 ? Math.round(lateNs) : 1);
        }, resolution);
        this.timer.unref();
        delay = true;
      }
    } catch {
      this.stop();
      this.latest.available = false;
    }
    const a = this.latest.available;
    const d = a && delay;
    return [
      { name: "eventLoop.delay.p50", unit: "ms", available: d },
      { name: "eventLoop.delay.p90", unit: "ms", available: d },
      { name: "eventLoop.delay.p99", unit: "ms", available: d },
      { name: "eventLoop.delay.max", unit: "ms", available: d },
      { name: "eventLoop.delay.mean", unit: "ms", available: d },
      { name: "eventLoop.utilization", unit: "ratio", available: a },
    ];
  }

  sample(_elapsedMs: number, row: Float64Array, offset: number): void {
    const h = this.histogram;
    const d = this.latest.delayMs;
    // An interval shorter than the resolution records nothing: NaN, not the histogram's sentinel values.
    if (h && h.count > 0) {
      d.min = h.min / NS_PER_MS;
      d.max = h.max / NS_PER_MS;
      d.mean = h.mean / NS_PER_MS;
      d.stddev = h.stddev / NS_PER_MS;
      d.p50 = h.percentile(50) / NS_PER_MS;
      d.p90 = h.percentile(90) / NS_PER_MS;
      d.p99 = h.percentile(99) / NS_PER_MS;
      h.reset();
    } else {
      d.min = d.max = d.mean = d.stddev = d.p50 = d.p90 = d.p99 = NaN;
    }
    if (this.lastElu) {
      const now = performance.eventLoopUtilization();
      this.latest.utilization = performance.eventLoopUtilization(now, this.lastElu).utilization;
      this.lastElu = now;
    }
    row[offset] = d.p50;
    row[offset + 1] = d.p90;
    row[offset + 2] = d.p99;
    row[offset + 3] = d.max;
    row[offset + 4] = d.mean;
    row[offset + 5] = this.latest.available ? this.latest.utilization : NaN;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram = null;
    this.lastElu = null;
  }
}
