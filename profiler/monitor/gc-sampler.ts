/**
 * Garbage collections, from a PerformanceObserver on 'gc' entries: count,
 * total and longest pause, overall and by kind, plus the last interval's.
 * Entries arrive asynchronously (after the collection, on a later turn of the
 * loop), so a sample sees collections delivered up to that point.
 */
import { PerformanceObserver, constants, type PerformanceEntry } from "node:perf_hooks";
import type { Sampler, SeriesSpec } from "./sampler.js";
import type { GcKind, GcKindStats, GcMetrics } from "./types.js";

export const GC_KINDS: readonly GcKind[] = ["minor", "major", "incremental", "weakcb"];

function kindOf(flag: number): GcKind {
  switch (flag) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return "minor";
    case constants.NODE_PERFORMANCE_GC_MAJOR:
      return "major";
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return "incremental";
    default:
      return "weakcb";
  }
}

const emptyStats = (): GcKindStats => ({ count: 0, totalPauseMs: 0, maxPauseMs: 0 });

/** Called once per collection with its kind and pause; the Prometheus export feeds its histogram from this. */
export type GcListener = (kind: GcKind, pauseMs: number) => void;

export class GcSampler implements Sampler {
  private observer: PerformanceObserver | null = null;
  private readonly listeners: GcListener[] = [];
  private intervalCount = 0;
  private intervalPause = 0;
  private intervalMax = 0;
  readonly latest: GcMetrics = {
    available: false,
    count: 0,
    totalPauseMs: 0,
    maxPauseMs: 0,
    byKind: { minor: emptyStats(), major: emptyStats(), incremental: emptyStats(), weakcb: emptyStats() },
    interval: emptyStats(),
  };

  onCollection(listener: GcListener): void {
    this.listeners.push(listener);
  }

  start(): SeriesSpec[] {
    try {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) this.record(e);
      });
      this.observer.observe({ entryTypes: ["gc"] });
      this.latest.available = true;
    } catch {
      this.observer = null;
      this.latest.available = false;
    }
    const a = this.latest.available;
    return [
      { name: "gc.count", unit: "count", available: a },
      { name: "gc.pauseMs", unit: "ms", available: a },
      { name: "gc.maxPauseMs", unit: "ms", available: a },
    ];
  }

  sample(_elapsedMs: number, row: Float64Array, offset: number): void {
    const a = this.latest.available;
    const i = this.latest.interval;
    i.count = this.intervalCount;
    i.totalPauseMs = this.intervalPause;
    i.maxPauseMs = this.intervalMax;
    row[offset] = a ? this.intervalCount : NaN;
    row[offset + 1] = a ? this.intervalPause : NaN;
    row[offset + 2] = a ? this.intervalMax : NaN;
    this.intervalCount = 0;
    this.intervalPause = 0;
    this.intervalMax = 0;
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  private record(entry: PerformanceEntry): void {
    const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
    const kind = kindOf(detail?.kind ?? (entry as unknown as { kind: number }).kind);
    const pause = entry.duration;
    const L = this.latest;
    const k = L.byKind[kind];
    k.count++;
    k.totalPauseMs += pause;
    if (pause > k.maxPauseMs) k.maxPauseMs = pause;
    L.count++;
    L.totalPauseMs += pause;
    if (pause > L.maxPauseMs) L.maxPauseMs = pause;
    this.intervalCount++;
    this.intervalPause += pause;
    if (pause > this.intervalMax) this.intervalMax = pause;
    for (const f of this.listeners) f(kind, pause);
  }
}
