/**
 * Numeric kernels from npm kos had never seen, each driven by a fixed configuration (a closure the
 * library returned, an options argument, a receiver), used as a new user would: `jit(closure)`
 * called until it tiers up, `jit(fn, { specialize: { options } })`, `jit(obj.method.bind(obj))` and
 * `jit(obj.method, { specialize: { this: obj } })`, with no `scope` given by hand. Each is compared
 * with the library on 2,000+ seeded inputs, edge values and wrong types included: values with
 * `Object.is`, thrown errors by class and message, and what the call left in its output arrays.
 * Under tiering, a closure whose calls take under a microsecond (an easing, a 12-point density)
 * settles on the original: its closure is read only for calls that cost more
 * (profiler/no-constant-arguments.ts), so the explicit `jit(closure, { specialize: {} })` is
 * checked too.
 * - bezier-easing: the easing a curve returns closes over its precomputed samples;
 * - d3-scale: a scale closes over `let`s its setters reassign, so it runs as the library
 *   (FREE_VARIABLE for `jit(scale, { specialize: {} })`; tiering finds no constant to fold);
 * - fft.js: `transform` reads its tables from `this` and writes its state there;
 * - simple-statistics: a kernel density estimate, a regression line, quantiles at fixed
 *   probabilities, and bisection on a fixed function and tolerance;
 * - ml-distance: Minkowski distances of fixed order, and distances to a fixed query.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { scaleLinear, scaleLog, scaleThreshold } from "d3-scale";
import * as ss from "simple-statistics";
import { distance } from "ml-distance";
import { inspect, jit } from "../../index.js";
import { pick, seededRandom, type Random } from "../../fixtures/random.js";

const require_ = createRequire(import.meta.url);
const bezier = require_("bezier-easing") as (x1: number, y1: number, x2: number, y2: number) => (x: unknown) => number;
interface Fft {
  transform(out: unknown, data: unknown): void;
  realTransform(out: unknown, data: unknown): void;
  inverseTransform(out: unknown, data: unknown): void;
  createComplexArray(): number[];
  _out: unknown;
  _data: unknown;
}
const FFT = require_("fft.js") as new (size: number) => Fft;

const COUNT = 2000;

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
};

/** Equal as `Object.is` says, inside arrays too (toEqual takes -0 for 0 only in some places). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

/** Runs every input twice through `jitted` (the first pass crosses the tiering threshold) and counts disagreements. */
function differential<I>(inputs: I[], original: (i: I) => unknown, jitted: (i: I) => unknown): Array<{ input: I; a: unknown; b: unknown }> {
  const bad: Array<{ input: I; a: unknown; b: unknown }> = [];
  for (let pass = 0; pass < 2; pass++) {
    for (const input of inputs) {
      const a = outcome(() => original(input));
      const b = outcome(() => jitted(input));
      if (!same(a, b) && bad.length < 3) bad.push({ input, a, b });
    }
  }
  return bad;
}

const EDGES: unknown[] = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e-300, 1 - 1e-16, 2, "0.25", "", null, undefined, true, {}, [0.5], 10n];
const number = (rnd: Random, lo: number, hi: number): unknown => (rnd() < 0.1 ? pick(rnd, EDGES) : lo + rnd() * (hi - lo));

describe("bezier-easing", () => {
  const cases: Array<[string, (x: unknown) => number]> = [
    ["ease (0.25, 0.1, 0.25, 1)", bezier(0.25, 0.1, 0.25, 1)],
    ["ease-in-out (0.42, 0, 0.58, 1)", bezier(0.42, 0, 0.58, 1)],
    ["overshoot (0.68, -0.55, 0.265, 1.55)", bezier(0.68, -0.55, 0.265, 1.55)],
  ];
  for (const [label, ease] of cases) {
    it(`jit(easing) and jit(easing, { specialize: {} }) agree with the library: ${label}`, () => {
      const tiering = jit(ease);
      const explicit = jit(ease, { specialize: {} });
      // Folds the curve's coefficients; its samples are a Float32Array, read at run time.
      expect(inspect(explicit)!.tier).toBe(1);
      const rnd = seededRandom(101);
      const inputs = Array.from({ length: COUNT }, () => number(rnd, -0.2, 1.2));
      expect(differential(inputs, ease, tiering)).toEqual([]);
      expect(differential(inputs, ease, explicit)).toEqual([]);
    });
  }
});

describe("d3-scale", () => {
  const scales: Array<[string, () => (x: unknown) => unknown]> = [
    ["linear", () => scaleLinear().domain([0, 10]).range([100, 200]) as (x: unknown) => unknown],
    ["piecewise linear, clamped", () => scaleLinear().domain([0, 5, 10]).range([0, 50, 200]).clamp(true) as (x: unknown) => unknown],
    ["log", () => scaleLog().domain([1, 1000]).range([0, 300]) as (x: unknown) => unknown],
    ["threshold", () => scaleThreshold<number, string>().domain([0, 1, 5]).range(["a", "b", "c", "d"]) as (x: unknown) => unknown],
  ];
  for (const [label, make] of scales) {
    it(`jit(scale) and jit(scale, { specialize: {} }) run as the library: ${label}`, () => {
      const scale = make();
      const rnd = seededRandom(202);
      const inputs = Array.from({ length: COUNT }, () => number(rnd, -2, 1200));
      const tiering = jit(scale);
      const explicit = jit(scale, { specialize: {} });
      expect(differential(inputs, scale, tiering)).toEqual([]);
      expect(differential(inputs, scale, explicit)).toEqual([]);
      // The scale's state is `let`s that `scale.domain(…)` reassigns: nothing here is fixed.
      expect(inspect(explicit)!.fallbackReason).toMatch(/FREE_VARIABLE: .* is reassigned/);
    });
  }
});

describe("fft.js", () => {
  const sizes = [4, 16, 64];
  const input = (rnd: Random, n: number): unknown => {
    const r = rnd();
    if (r < 0.04) return pick(rnd, [null, undefined, "abcd", 5, {}]);
    const length = r < 0.1 ? Math.floor(rnd() * n) : n;
    const arr = Array.from({ length }, () => (rnd() < 0.05 ? pick(rnd, [NaN, -0, Infinity, -Infinity, "1", null]) : rnd() * 4 - 2));
    return rnd() < 0.2 ? Float64Array.from(arr as number[]) : arr;
  };
  for (const n of sizes) {
    for (const method of ["transform", "realTransform", "inverseTransform"] as const) {
      it(`${method} of size ${n}: bound and specialized on this, as the library, output arrays and instance state included`, () => {
        const f = new FFT(n);
        const bound = jit(f[method].bind(f));
        const onThis = jit(f[method], { specialize: { this: f } });
        const rnd = seededRandom(303 + n);
        const inputs = Array.from({ length: COUNT }, () => {
          const data = input(rnd, method === "realTransform" ? n : 2 * n);
          // The same array for out and data is an error the library checks.
          return { data, aliased: rnd() < 0.01 };
        });
        const run = (call: (out: unknown, data: unknown) => void) => ({ data, aliased }: { data: unknown; aliased: boolean }) => {
          const out = aliased ? data : new Array(2 * n).fill(0);
          const copy = Array.isArray(data) || ArrayBuffer.isView(data) ? Array.from(data as number[]) : data;
          const r = outcome(() => call(out, aliased ? data : copy));
          return { r, out: Array.isArray(out) ? [...out] : out, outLeft: f._out === out, dataLeft: f._data === null };
        };
        const original = run((o, d) => f[method](o, d));
        expect(differential(inputs, original, run(bound))).toEqual([]);
        expect(differential(inputs, original, run((o, d) => onThis.call(f, o, d)))).toEqual([]);
        expect(inspect(onThis)!.tier).toBe(1);
      });
    }
  }
});

describe("simple-statistics", () => {
  const sample = [1.2, 3.4, 2.2, 5.1, 4.4, 0.3, 2.9, 3.3, 4.0, 1.8, 2.5, 3.9];

  it("jit(kernelDensityEstimation(sample)), tiering and explicit, agrees", () => {
    const kde = ss.kernelDensityEstimation(sample) as (x: unknown) => number;
    const j = jit(kde);
    const explicit = jit(kde, { specialize: {} });
    expect(inspect(explicit)!.tier).toBe(1);
    const rnd = seededRandom(401);
    const inputs = Array.from({ length: COUNT }, () => number(rnd, -2, 8));
    expect(differential(inputs, kde, j)).toEqual([]);
    expect(differential(inputs, kde, explicit)).toEqual([]);
  });

  it("jit(linearRegressionLine(linearRegression(points))) agrees", () => {
    const line = ss.linearRegressionLine(ss.linearRegression([[0, 1], [1, 3], [2, 4.5], [3, 7]])) as (x: unknown) => number;
    const j = jit(line);
    const rnd = seededRandom(402);
    expect(differential(Array.from({ length: COUNT }, () => number(rnd, -100, 100)), line, j)).toEqual([]);
  });

  it("quantileSorted and quantile specialized on their probabilities agree", () => {
    const probabilities = [0.25, 0.5, 0.75];
    const qs = jit(ss.quantileSorted, { specialize: { p: 0.9 } });
    const q = jit(ss.quantile, { specialize: { p: probabilities } });
    expect(inspect(qs)!.tier).toBe(1);
    expect(inspect(q)!.tier).toBe(1);
    const rnd = seededRandom(403);
    const inputs = Array.from({ length: COUNT }, () => {
      if (rnd() < 0.03) return pick(rnd, [[], [NaN], [-0, 0], [Infinity, -Infinity, 1]]);
      const xs = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => (rnd() < 0.05 ? pick(rnd, [NaN, -0, Infinity]) : Math.round(rnd() * 100) / 10));
      return xs;
    });
    expect(differential(inputs, (x) => ss.quantileSorted([...x].sort((a, b) => a - b), 0.9), (x) => qs([...x].sort((a, b) => a - b), 0.9))).toEqual([]);
    expect(differential(inputs, (x) => ss.quantile(x, probabilities), (x) => q(x, probabilities))).toEqual([]);
  });

  it("bisect specialized on its function, iteration limit and tolerance agrees, the limit's error included", () => {
    const poly = (x: number) => x * x * x - 2 * x - 5;
    const j = jit(ss.bisect, { specialize: { func: poly, maxIterations: 40, errorTolerance: 1e-9 } });
    expect(inspect(j)!.tier).toBe(1);
    const rnd = seededRandom(404);
    const inputs = Array.from({ length: COUNT }, () => [number(rnd, -10, 2), number(rnd, 2, 10)] as const);
    expect(differential(inputs, ([a, b]) => ss.bisect(poly, a as number, b as number, 40, 1e-9), ([a, b]) => j(poly, a as number, b as number, 40, 1e-9))).toEqual([]);
  });

  it("jit(zScore) tiers up on a fixed mean and deviation and agrees", () => {
    const j = jit(ss.zScore);
    const rnd = seededRandom(405);
    expect(differential(Array.from({ length: COUNT }, () => number(rnd, -5, 5)), (x) => ss.zScore(x as number, 2.5, 1.5), (x) => j(x as number, 2.5, 1.5))).toEqual([]);
  });
});

describe("ml-distance", () => {
  const query = [0.5, -1.25, 3, 0, 2.5, -0.75, 1, 4];
  const vector = (rnd: Random): unknown => {
    if (rnd() < 0.03) return pick(rnd, [null, undefined, [], "abc", [1, 2]]);
    return query.map(() => (rnd() < 0.05 ? pick(rnd, [NaN, -0, Infinity, "2", null]) : rnd() * 6 - 3));
  };
  const inputs = (seed: number) => {
    const rnd = seededRandom(seed);
    return Array.from({ length: COUNT }, () => vector(rnd));
  };
  const d = distance as unknown as Record<string, (a: unknown, b: unknown, p?: number) => number>;

  it("minkowski specialized on its order (1, 2 with the query, 3) agrees", () => {
    const m = d.minkowski!;
    const uses: Array<[number, Function]> = [[1, jit(m, { specialize: { p: 1 } })], [3, jit(m, { specialize: { p: 3 } })], [2, jit(m, { specialize: { a: query, p: 2 } })]];
    for (const [p, j] of uses) {
      expect(inspect(j)!.tier).toBe(1);
      expect(differential(inputs(500 + p), (b) => m(query, b, p), (b) => j(query, b, p))).toEqual([]);
    }
  });

  for (const name of ["euclidean", "canberra", "manhattan"]) {
    it(`jit(distance.${name}) called with one query agrees`, () => {
      const f = d[name]!;
      const j = jit(f);
      expect(differential(inputs(510), (b) => f(query, b), (b) => j(query, b))).toEqual([]);
    });
  }
});
