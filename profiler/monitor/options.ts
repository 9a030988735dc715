/**
 * Validation of {@link MonitorOptions}: every bad option is refused at
 * `createMonitor`, with a KosError whose code names the option, before the
 * monitor allocates or registers anything. Unknown keys are refused too (a
 * typo such as `intervalMx` used to leave the default in force, silently).
 */
import { KosError } from "../../errors.js";
import { validateLeakRule } from "./leak.js";
import { checkOptionKeys } from "../../option-keys.js";
import type { LeakRule, MonitorOptions, PrometheusRegistry } from "./types.js";

/**
 * The longest period Node's timers take: above 2^31−1 ms `setInterval` warns
 * (TimeoutOverflowWarning) and fires every 1 ms instead (sweep 37: an
 * `intervalMs` of 3e9 took 259–270 samples in 300 ms).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The largest ring: 2^24 samples is 194 days at 1 s and 128 MiB per series
 * (about 4.5 GB for the ~35 series of a 2-core machine). Beyond it the monitor
 * would take more memory than a host should give it, and V8 refuses a typed
 * array of 2^33 elements with a bare RangeError.
 */
export const MAX_HISTORY = 2 ** 24;

const KNOWN: ReadonlyArray<keyof MonitorOptions> = [
  "intervalMs",
  "historySize",
  "eventLoopResolutionMs",
  "eventLoopDelay",
  "leakRule",
  "registry",
  "defaultMetrics",
  "sampleFrom",
];

/** The options after validation, with their defaults. */
export interface CheckedOptions {
  intervalMs: number;
  historySize: number;
  resolutionMs: number;
  eventLoopDelay: boolean;
  leakRule: Partial<LeakRule>;
  registry: PrometheusRegistry | undefined;
  defaultMetrics: boolean | undefined;
  sampleFrom: "main" | "worker";
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A period in ms that Node's timers honour: 1..2^31−1. */
function checkPeriod(value: number, name: string, code: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 1 || value > MAX_TIMER_MS) {
    throw new KosError(code, `${name} must be a number from 1 to ${MAX_TIMER_MS} (Node's longest timer), got ${value}`);
  }
}

function checkBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "boolean") throw new KosError("EINVAL_OPTIONS", `${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** The methods of a prom-client Registry the monitor calls (registering, scraping, and taking back what it registered). */
const REGISTRY_METHODS = ["registerMetric", "metrics", "getSingleMetric", "removeSingleMetric"] as const;

export function checkOptions(options: unknown, defaultResolution: (intervalMs: number) => number, defaults: { intervalMs: number; historySize: number }): CheckedOptions {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) throw new KosError("EINVAL_OPTIONS", `createMonitor options must be an object, got ${options === null ? "null" : typeof options}`);
  checkOptionKeys(options, new Set(KNOWN), "monitor option", (m) => new KosError("EINVAL_OPTIONS", m));
  const o = options as MonitorOptions;
  const intervalMs = o.intervalMs ?? defaults.intervalMs;
  const historySize = o.historySize ?? defaults.historySize;
  checkPeriod(intervalMs, "intervalMs", "EINVAL_INTERVAL");
  if (!Number.isInteger(historySize) || historySize < 2 || historySize > MAX_HISTORY) {
    throw new KosError("EINVAL_HISTORY", `historySize must be an integer from 2 to ${MAX_HISTORY}, got ${historySize}`);
  }
  const resolutionMs = o.eventLoopResolutionMs ?? defaultResolution(intervalMs);
  checkPeriod(resolutionMs, "eventLoopResolutionMs", "EINVAL_RESOLUTION");
  checkBoolean(o.eventLoopDelay, "eventLoopDelay");
  checkBoolean(o.defaultMetrics, "defaultMetrics");
  if (o.leakRule !== undefined) validateLeakRule(o.leakRule);
  if (o.sampleFrom !== undefined && o.sampleFrom !== "main" && o.sampleFrom !== "worker") {
    throw new KosError("EINVAL_SAMPLE_FROM", `sampleFrom must be "main" or "worker", got ${JSON.stringify(o.sampleFrom)}`);
  }
  if (o.registry !== undefined) {
    const r = o.registry as unknown as Record<string, unknown> | null;
    const missing = typeof r === "object" && r !== null ? REGISTRY_METHODS.filter((m) => typeof r[m] !== "function") : REGISTRY_METHODS;
    if (missing.length > 0) throw new KosError("EINVAL_REGISTRY", `registry must be a prom-client Registry (it lacks ${missing.join(", ")})`);
  }
  return {
    intervalMs,
    historySize,
    resolutionMs,
    eventLoopDelay: o.eventLoopDelay !== false,
    leakRule: o.leakRule ?? {},
    registry: o.registry,
    defaultMetrics: o.defaultMetrics,
    sampleFrom: o.sampleFrom ?? "main",
  };
}
