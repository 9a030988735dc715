/**
 * prom-client's default metrics (`collectDefaultMetrics`) with a way to stop
 * them, which prom-client 15 does not have (prom-client issues #494 and #500):
 * its event-loop lag metric enables a `monitorEventLoopDelay` histogram with a
 * timer, and its GC metric keeps a PerformanceObserver subscribed, for the
 * life of the process. A monitor that registered them and then stopped kept
 * both: after 200 monitors started, exported and stopped, idle CPU went from
 * 1.1 to 15.9 ms per second and 19.4 MB of heap stayed retained (sweep 37).
 *
 * So the registration records what prom-client creates: during the one
 * synchronous `collectDefaultMetrics` call, `perf_hooks.monitorEventLoopDelay`
 * and `perf_hooks.PerformanceObserver` (which prom-client reads from the
 * module object at call time) are wrapped to keep each histogram and
 * observer, then restored. `stop()` disables and disconnects them and takes
 * the metrics back out of the registry. test/profiler/monitor/prometheus.test.ts
 * checks that stop really ends both, so a prom-client that creates them
 * another way fails it.
 */
import perfHooks from "node:perf_hooks";
import type { ELDHistogram, PerformanceObserver as Observer } from "node:perf_hooks";
import type { Registry } from "prom-client";
import { KosError } from "../../errors.js";

type PromClient = typeof import("prom-client");
type PerfHooksModule = { monitorEventLoopDelay: typeof perfHooks.monitorEventLoopDelay; PerformanceObserver: typeof perfHooks.PerformanceObserver };

export interface DefaultMetricsOptions {
  /** Resolution of prom-client's event-loop lag histogram, in ms (its default is 10). */
  eventLoopResolutionMs?: number;
}

/** Names of prom-client's default metrics, learnt once from a scratch registry. */
let defaultNames: string[] | null = null;

/** prom-client's default metrics, registered into one registry, and what they run. */
export class DefaultMetrics {
  private constructor(
    private readonly registry: Registry,
    private readonly names: string[],
    private readonly histograms: ELDHistogram[],
    private readonly observers: Observer[],
  ) {}

  /**
   * Registers prom-client's default metrics into `registry`. On failure nothing
   * of them is left in the registry and nothing they started keeps running.
   * @throws KosError `EMONITOR_REGISTRY` when the registry already holds one of their names
   */
  static register(prom: PromClient, registry: Registry, options: DefaultMetricsOptions = {}): DefaultMetrics {
    DefaultMetrics.check(prom, registry);
    const before = new Set(registry.getMetricsAsArray().map((m) => m.name));
    const histograms: ELDHistogram[] = [];
    const observers: Observer[] = [];
    const ph = perfHooks as unknown as PerfHooksModule;
    const { monitorEventLoopDelay, PerformanceObserver } = ph;
    ph.monitorEventLoopDelay = (o) => {
      const h = monitorEventLoopDelay(o);
      histograms.push(h);
      return h;
    };
    ph.PerformanceObserver = class extends PerformanceObserver {
      constructor(callback: ConstructorParameters<typeof PerformanceObserver>[0]) {
        super(callback);
        observers.push(this);
      }
    };
    const added = () => registry.getMetricsAsArray().map((m) => m.name).filter((n) => !before.has(n));
    try {
      prom.collectDefaultMetrics({ register: registry, ...(options.eventLoopResolutionMs ? { eventLoopMonitoringPrecision: options.eventLoopResolutionMs } : {}) });
    } catch (e) {
      // A name registered since the check above: take back the part that was registered.
      new DefaultMetrics(registry, added(), histograms, observers).stop();
      if (/already been registered/.test((e as Error).message)) throw DefaultMetrics.clashError([], e);
      throw e;
    } finally {
      ph.monitorEventLoopDelay = monitorEventLoopDelay;
      ph.PerformanceObserver = PerformanceObserver;
    }
    return new DefaultMetrics(registry, added(), histograms, observers);
  }

  /**
   * Refuses a registry that already holds one of the default metrics' names, before anything is registered.
   * @throws KosError `EMONITOR_REGISTRY`
   */
  static check(prom: PromClient, registry: Registry): void {
    const clash = DefaultMetrics.names(prom).filter((n) => registry.getSingleMetric(n) !== undefined);
    if (clash.length > 0) throw DefaultMetrics.clashError(clash);
  }

  /** The names prom-client's defaults register (from a scratch registry, stopped at once; cached). */
  private static names(prom: PromClient): string[] {
    if (defaultNames === null) {
      defaultNames = []; // the scratch registry is empty: nothing to check while learning
      try {
        const scratch = DefaultMetrics.register(prom, new prom.Registry());
        defaultNames = [...scratch.names];
        scratch.stop();
      } catch (e) {
        defaultNames = null;
        throw e;
      }
    }
    return defaultNames;
  }

  private static clashError(names: string[], cause?: unknown): KosError {
    const which = names.length > 0 ? ` (${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""})` : "";
    return new KosError(
      "EMONITOR_REGISTRY",
      `the registry already holds prom-client's default metrics${which}: create the monitor with defaultMetrics: false, or leave them to the monitor`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Stops the lag histogram and the GC observer, and takes the metrics out of the registry. Safe to call twice. */
  stop(): void {
    for (const h of this.histograms.splice(0)) h.disable();
    for (const o of this.observers.splice(0)) o.disconnect();
    for (const n of this.names.splice(0)) this.registry.removeSingleMetric(n);
  }
}
