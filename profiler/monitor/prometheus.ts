/**
 * The monitor's Prometheus export, through prom-client (an optional peer
 * dependency, loaded when first needed).
 *
 * Names: every series kos computes is a `kos_monitor_*` family, labelled by
 * `series` (the monitor's dotted name) and `unit`: the latest value, the
 * window's min/max/mean and p50/p95/p99, the trend slope and its r², and the
 * leak verdict. kos never reuses a prom-client name for something that means
 * another thing (issue 13: kos's `nodejs_eventloop_lag_p50_seconds` was its
 * own 50 ms-resolution timer, 0.0002 s idle against prom-client's 0.010 s).
 * Where prom-client already measures a thing (process CPU seconds, resident
 * memory, heap sizes, event-loop lag, GC durations, start time), the export
 * is prom-client's own default metrics: registered into kos's registry when
 * kos owns it, left to the application when it passes its own registry (so
 * the joined text never has a second HELP line for one name).
 *
 * prom-client's default metrics run a timer and a GC observer
 * (default-metrics.ts): the export registers them when the monitor starts (or
 * when the export is made while it runs) and takes them back when it stops.
 *
 * Values are read at scrape time (each gauge's `collect`), so a registry
 * scraped by the application's own `/metrics` handler is always current.
 */
import type { Gauge, Registry } from "prom-client";
import { KosError } from "../../errors.js";
import { requirePeer } from "../../optional-peer.js";
import { DefaultMetrics } from "./default-metrics.js";
import type { MonitorSummary, PrometheusRegistry, SeriesSummary } from "./types.js";

type PromClient = typeof import("prom-client");

/** What the export reads from its monitor. */
export interface SummarySource {
  /** Samples taken so far (the summary is recomputed only when it changes). */
  sampleCount(): number;
  getSummary(): MonitorSummary;
}

export interface PrometheusExportOptions {
  /** The application's prom-client Registry; default a Registry of kos's own. */
  registry?: PrometheusRegistry;
  /** Also register prom-client's default metrics, from startDefaultMetrics() to stopDefaultMetrics() (default: only into kos's own registry). */
  defaultMetrics?: boolean;
  /** Resolution of prom-client's event-loop lag histogram, in ms (its default is 10). */
  eventLoopResolutionMs?: number;
}

type Stat = "latest" | "min" | "max" | "mean" | "p50" | "p95" | "p99";
const STATS: Array<[Stat, string]> = [
  ["latest", "The latest sample of each kos monitor series (see `unit`)."],
  ["min", "The smallest value of each kos monitor series over the held window."],
  ["max", "The largest value of each kos monitor series over the held window."],
  ["mean", "The mean of each kos monitor series over the held window."],
  ["p50", "The median (50th percentile) of each kos monitor series over the held window."],
  ["p95", "The 95th percentile of each kos monitor series over the held window."],
  ["p99", "The 99th percentile of each kos monitor series over the held window."],
];

/** Sets a labelled gauge unless the value is NaN (an unavailable source or an empty window): prom-client would print "Nan". */
function setIfNumber(g: Gauge, labels: Record<string, string>, v: number): void {
  if (!Number.isNaN(v)) g.set(labels, v);
}

export class PrometheusExport {
  readonly registry: Registry;
  private readonly source: SummarySource;
  private readonly prom: PromClient;
  /** Whether prom-client's default metrics belong in the registry while the monitor runs. */
  private readonly withDefaults: boolean;
  private readonly eventLoopResolutionMs: number | undefined;
  private defaults: DefaultMetrics | null = null;
  private cached: { samples: number; summary: MonitorSummary } | null = null;

  constructor(source: SummarySource, options: PrometheusExportOptions = {}) {
    const prom = requirePeer<PromClient>("prom-client", "the monitor's Prometheus export");
    this.source = source;
    this.prom = prom;
    const own = options.registry === undefined;
    this.registry = (options.registry as Registry | undefined) ?? new prom.Registry();
    this.withDefaults = options.defaultMetrics ?? own;
    this.eventLoopResolutionMs = options.eventLoopResolutionMs;
    // A clash with defaults already in the application's registry is refused before anything is registered.
    if (this.withDefaults) DefaultMetrics.check(prom, this.registry);
    const registers = [this.registry];
    /** Families registered so far, taken back if a later one fails. */
    const registered: string[] = [];
    const labelNames = ["series", "unit"] as const;
    // Each family refreshes from the (cached) summary when the registry is scraped.
    const family = (name: string, help: string, fill: (g: Gauge, summary: MonitorSummary) => void, labels: readonly string[] = labelNames) => {
      const self = this;
      const gauge = new prom.Gauge({
        name,
        help,
        labelNames: labels,
        registers,
        collect(this: Gauge) {
          this.reset();
          const summary = self.summary();
          if (summary) fill(this, summary);
        },
      });
      registered.push(name);
      return gauge;
    };
    const each = (summary: MonitorSummary, f: (labels: Record<string, string>, s: SeriesSummary) => void) => {
      for (const [series, s] of Object.entries(summary.series)) if (s.available) f({ series, unit: s.unit }, s);
    };
    try {
      for (const [stat, help] of STATS) family(`kos_monitor_${stat}`, help, (g, summary) => each(summary, (l, s) => setIfNumber(g, l, s[stat])));
      family("kos_monitor_trend_slope_per_second", "Least-squares slope of each kos monitor series over the held window, in its unit per second.", (g, summary) =>
        each(summary, (l, s) => setIfNumber(g, l, s.trend.slopePerSec)),
      );
      family("kos_monitor_trend_r2", "Coefficient of determination (0..1) of each series' trend line: how well a straight line fits the window.", (g, summary) =>
        each(summary, (l, s) => setIfNumber(g, l, s.trend.r2)),
      );
      family("kos_monitor_leak_suspected", "1 when the kos leak rule suspects a leak in this memory series (steady growth of its post-GC baseline), else 0.", (g, summary) =>
        each(summary, (l, s) => {
          if (s.leak) g.set({ series: l.series! }, s.leak.suspected ? 1 : 0);
        }), ["series"],
      );
      family("kos_monitor_leak_baseline_slope_bytes_per_second", "Growth of the post-GC baseline of each memory series, the leak rule's main input.", (g, summary) =>
        each(summary, (l, s) => {
          if (s.leak) setIfNumber(g, { series: l.series! }, s.leak.baselineSlopeBytesPerSec);
        }), ["series"],
      );
      family("kos_monitor_samples", "Samples held in the kos monitor's window.", (g, summary) => g.set(summary.samples), []);
      family("kos_monitor_window_seconds", "Time spanned by the kos monitor's held window.", (g, summary) => g.set(summary.windowMs / 1000), []);
    } catch (e) {
      for (const name of registered) this.registry.removeSingleMetric(name);
      // prom-client refuses a second metric of one name: a second monitor in the same registry.
      if (/already been registered/.test((e as Error).message)) {
        throw new KosError("EMONITOR_REGISTRY", `the registry already holds kos monitor metrics (one monitor per registry): ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Registers prom-client's default metrics, when this export wants them and they are not in yet.
   * @throws KosError `EMONITOR_REGISTRY` when the registry already holds them (nothing is left registered)
   */
  startDefaultMetrics(): void {
    if (!this.withDefaults || this.defaults) return;
    this.defaults = DefaultMetrics.register(this.prom, this.registry, this.eventLoopResolutionMs ? { eventLoopResolutionMs: this.eventLoopResolutionMs } : {});
  }

  /** Stops prom-client's default metrics and takes them out of the registry; kos's own families stay. */
  stopDefaultMetrics(): void {
    this.defaults?.stop();
    this.defaults = null;
  }

  /** The monitor's summary, recomputed only when a sample was taken since the last scrape. */
  private summary(): MonitorSummary | null {
    const samples = this.source.sampleCount();
    if (samples === 0) return null;
    if (this.cached?.samples !== samples) this.cached = { samples, summary: this.source.getSummary() };
    return this.cached.summary;
  }

  /** The Prometheus text exposition of the registry (with the application's metrics, when it is theirs). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
