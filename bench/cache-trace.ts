/**
 * Seeded access traces for the cache hit-rate study (bench `runtime-cache`
 * and test/runtime/lru.test.ts): Zipf-distributed keys with periodic scan
 * bursts of keys that are used once. No dependency: a 32-bit PRNG and an
 * inverse-CDF Zipf sampler are a few lines each, and the traces must be
 * identical on every machine.
 */

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ZipfTraceOptions {
  seed: number;
  /** Number of distinct popular keys: ranks 0..universe-1, rank 0 the most popular. */
  universe: number;
  /** Zipf exponent: P(rank k) ∝ 1 / (k + 1)^s. */
  s: number;
  /** Number of Zipf accesses (scan accesses come on top). */
  length: number;
  /** After every `scanEvery` Zipf accesses, a burst of `scanLength` one-off keys. 0: no scans. */
  scanEvery: number;
  scanLength: number;
}

/** Yields integer keys; scan keys are `universe + n`, each used exactly once. */
export function* zipfTrace(o: ZipfTraceOptions): Generator<number> {
  const cdf = new Float64Array(o.universe);
  let sum = 0;
  for (let k = 0; k < o.universe; k++) cdf[k] = sum += 1 / Math.pow(k + 1, o.s);
  const rand = mulberry32(o.seed);
  let nextScanKey = o.universe;
  for (let n = 1; n <= o.length; n++) {
    const u = rand() * sum;
    let lo = 0;
    let hi = o.universe - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    yield lo;
    if (o.scanEvery > 0 && n % o.scanEvery === 0) for (let j = 0; j < o.scanLength; j++) yield nextScanKey++;
  }
}
