/**
 * The leak rule: does a memory series grow steadily, beneath the GC sawtooth?
 * See {@link LeakRule} for the rule in words. The baseline is the minimum of
 * each of up to 16 equal blocks of the window: heap use after a collection is
 * the floor of the sawtooth, so a flat floor with big teeth is healthy, and a
 * rising floor is retained memory.
 */
import { KosError } from "../../errors.js";
import { checkOptionKeys } from "../../option-keys.js";
import { linearFit } from "./statistics.js";
import type { LeakRule, LeakVerdict } from "./types.js";

export const DEFAULT_LEAK_RULE: Readonly<LeakRule> = Object.freeze({
  minSamples: 30,
  minGrowthBytesPerSec: 1024,
  minR2: 0.8,
  minTotalGrowthBytes: 1024 * 1024,
  maxBlocks: 16,
});

/**
 * Refuses a leak rule that is not an object, has unknown keys, or has a value
 * that would switch the rule off unnoticed: every comparison with NaN is
 * false, so `maxBlocks: NaN` gave NaN blocks and a steady 1 MB/s leak read
 * `suspected: false` (sweep 37).
 * @throws KosError `EINVAL_LEAK_RULE`
 */
export function validateLeakRule(rule: unknown): asserts rule is Partial<LeakRule> {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
    throw new KosError("EINVAL_LEAK_RULE", `leakRule must be an object, got ${rule === null ? "null" : Array.isArray(rule) ? "an array" : typeof rule}`);
  }
  checkOptionKeys(rule, new Set(Object.keys(DEFAULT_LEAK_RULE)), "leakRule key", (m) => new KosError("EINVAL_LEAK_RULE", m));
  const r = rule as Record<string, unknown>;
  for (const key of ["minSamples", "minGrowthBytesPerSec", "minR2", "minTotalGrowthBytes"]) {
    const v = r[key];
    if (v !== undefined && (typeof v !== "number" || Number.isNaN(v))) throw new KosError("EINVAL_LEAK_RULE", `leakRule.${key} must be a number, got ${String(v)}`);
  }
  const blocks = r.maxBlocks;
  if (blocks !== undefined && (typeof blocks !== "number" || !Number.isInteger(blocks) || blocks < 2)) {
    throw new KosError("EINVAL_LEAK_RULE", `leakRule.maxBlocks must be an integer ≥ 2, got ${String(blocks)}`);
  }
}

/** Per-block minima of `values`, each placed at the time of its minimum. */
export function blockMinima(timesSec: ArrayLike<number>, values: ArrayLike<number>, blocks: number): { t: Float64Array; v: Float64Array } {
  const n = values.length;
  const t = new Float64Array(blocks);
  const v = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const from = Math.floor((b * n) / blocks);
    const to = Math.floor(((b + 1) * n) / blocks);
    let best = from;
    for (let i = from + 1; i < to; i++) if (values[i]! < values[best]!) best = i;
    t[b] = timesSec[best]!;
    v[b] = values[best]!;
  }
  return { t, v };
}

/**
 * Applies the leak rule to a memory series (bytes) sampled at `timesSec`. NaN samples are dropped first.
 * @throws KosError `EINVAL_LEAK_RULE` on a bad rule (see {@link validateLeakRule})
 */
export function detectLeak(timesSec: ArrayLike<number>, values: ArrayLike<number>, rule: Partial<LeakRule> = {}): LeakVerdict {
  // A string or undefined here threw a TypeError from the loop below.
  for (const [name, xs] of [["timesSec", timesSec], ["values", values]] as const) {
    if (xs === null || typeof xs !== "object" || typeof (xs as ArrayLike<number>).length !== "number") throw new KosError("EINVAL_LEAK_SERIES", `detectLeak: ${name} must be an array of numbers, got ${xs === null ? "null" : typeof xs}`);
  }
  validateLeakRule(rule);
  const r: LeakRule = { ...DEFAULT_LEAK_RULE, ...rule };
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < Math.min(timesSec.length, values.length); i++) {
    if (!Number.isNaN(values[i]!)) {
      ts.push(timesSec[i]!);
      vs.push(values[i]!);
    }
  }
  const n = vs.length;
  if (n < r.minSamples || n < 8) {
    return { suspected: false, baselineSlopeBytesPerSec: NaN, baselineR2: NaN, baselineGrowthBytes: NaN, reason: `too few samples (${n} < ${Math.max(8, r.minSamples)})` };
  }
  const blocks = Math.max(2, Math.min(r.maxBlocks, Math.floor(n / 4)));
  const base = blockMinima(ts, vs, blocks);
  const fit = linearFit(base.t, base.v);
  const growth = fit.slope * (ts[n - 1]! - ts[0]!);
  const verdict = (suspected: boolean, reason: string): LeakVerdict => ({
    suspected,
    baselineSlopeBytesPerSec: fit.slope,
    baselineR2: fit.r2,
    baselineGrowthBytes: growth,
    reason,
  });
  if (fit.slope < r.minGrowthBytesPerSec) return verdict(false, `baseline slope ${fmt(fit.slope)} B/s below ${fmt(r.minGrowthBytesPerSec)} B/s`);
  if (fit.r2 < r.minR2) return verdict(false, `baseline growth not steady (R² ${fit.r2.toFixed(2)} < ${r.minR2})`);
  if (growth < r.minTotalGrowthBytes) return verdict(false, `baseline grew ${fmt(growth)} B, below ${fmt(r.minTotalGrowthBytes)} B`);
  return verdict(true, `baseline rises ${fmt(fit.slope)} B/s steadily (R² ${fit.r2.toFixed(2)}), ${fmt(growth)} B over the window`);
}

/** Whole bytes with thousands separators; by hand, because toLocaleString (Intl) was a visible share of getSummary()'s profile. */
function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const digits = Math.abs(Math.round(x)).toString();
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return (x < -0.5 ? "-" : "") + out;
}
