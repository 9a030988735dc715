import { afterEach, describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../support/virtual-clock.js";
import { Dispatcher, type Version } from "../../compiler/dispatcher.js";
import { checkGain, type Route } from "../../compiler/gain-check.js";
import { inspect, jit } from "../../index.js";

function original(x: number) {
  if (x < 0) throw new RangeError(`negative: ${x}`);
  return x * 2 + 1;
}

/** A dispatcher over `original` whose one version is `versionFn` (with a version's route test, counting its calls), checked on `clock`. */
function checked(versionFn: Function, cost: (fn: Function, args: ArrayLike<unknown>) => number, start = 0) {
  let calls = 0;
  let route: Route | null = null;
  const counted = function (this: unknown, ...args: unknown[]) {
    if (route !== null) return Reflect.apply(route, this, args);
    calls++;
    return Reflect.apply(versionFn, this, args);
  };
  const d = Dispatcher.settled(original, "original", counted);
  const v: Version = { fn: counted, source: "x".repeat(4096), passes: null, assumptions: [], calls: () => calls, deopts: 0, compileTimeMs: 0 };
  d.addVersion(v);
  checkGain(d, v, (r) => (route = r), new VirtualClock((fn, args) => cost(fn === counted ? versionFn : fn, args), start));
  return { f: counted as (x: number) => number, d, versionCalls: () => calls };
}

const twin = (x: number) => {
  if (x < 0) throw new RangeError(`negative: ${x}`);
  return x * 2 + 1;
};

/**
 * Calls `f` up to `calls` times while `d` stays at tier 1 (or always, with `whileCompiled` false), one
 * call in `throwEvery` with a negative argument (which throws); returns how many calls it made.
 */
function callMixed(f: (x: number) => number, d: Dispatcher, calls: number, throwEvery: number, whileCompiled = true): number {
  let i = 0;
  for (; i < calls && (!whileCompiled || d.tier === 1); i++) {
    try {
      f(i % throwEvery === 0 ? -i - 1 : i);
    } catch {}
  }
  return i;
}

describe("explicit versions are timed against the original (compiler/gain-check.ts)", () => {
  it("runs the version on its first calls (a cache it fills on its first call makes it specialize again at once)", () => {
    // A clock at 10 ms seeds the draw so that, drawn, the first call would run the original.
    const { f, versionCalls } = checked(twin, () => 0.001, 10);
    for (let i = 0; i < 16; i++) expect(f(i)).toBe(original(i));
    expect(versionCalls()).toBe(16);
  });

  it("keeps a faster version, which then takes every call", () => {
    const { f, d, versionCalls } = checked(twin, (fn) => (fn === twin ? 0.001 : 0.004));
    for (let i = 0; i < 600; i++) expect(f(i)).toBe(original(i));
    expect(d.tier).toBe(1);
    expect(d.history.map((h) => h.event)).toContain("verified");
    const before = versionCalls();
    for (let i = 0; i < 100; i++) f(i);
    expect(versionCalls() - before).toBe(100);
    expect(d.calls).toBe(700);
  });

  it("runs the original at the first window where the version is slower and its guards failed on most of its calls (not cold: those calls ran the original behind them)", () => {
    let route: Route | null = null;
    let calls = 0;
    const v: Version = { fn: () => 0, source: "x".repeat(4096), passes: null, assumptions: [], calls: () => calls, deopts: 0, compileTimeMs: 0 };
    // Every call misses the guard and runs the original behind it: 0.004 against 0.001 µs.
    const missing = function (this: unknown, ...args: unknown[]) {
      if (route !== null) return Reflect.apply(route, this, args);
      calls++;
      v.deopts++;
      return Reflect.apply(original, this, args);
    };
    v.fn = missing;
    const d = Dispatcher.settled(original, "original", missing);
    d.addVersion(v);
    checkGain(d, v, (r) => (route = r), new VirtualClock((fn) => (fn === missing ? 0.004 : 0.001)));
    let i = 0;
    for (; i < 20000 && d.tier === 1; i++) expect(missing(i)).toBe(original(i));
    expect(d.tier).toBe("fallback");
    expect(i).toBeLessThan(872); // the first window, not the last one at call 256000
    expect(d.fallbackReason).toMatch(/its guards failed on \d+ of the \d+ calls it took: it runs the original$/);
  });

  it("runs the original once the version was slower in every window, with the times as the reason", () => {
    const { f, d } = checked(twin, (fn) => (fn === twin ? 0.004 : 0.001));
    for (let i = 0; i < 20000; i++) expect(f(i)).toBe(original(i));
    expect(d.tier).toBe(1); // the last window opens at call 256000
    for (let i = 0; i < 250000; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/^the compiled version ran 4\.000 µs a call against 1\.000 µs for the original .*: it runs the original$/);
    expect(f(3)).toBe(7);
  });

  it("runs the original once a version as fast as it has been even in two windows in a row from call 4000 on, not at the last window", () => {
    // polished's parseToRgb, tiered: even with the original in every window from call 4000 on, and
    // 1.25-1.30x the library's time for the 256,000 calls the route ran (which no window sees).
    const { f, d } = checked(twin, () => 0.002);
    let i = 0;
    for (; i < 260000 && d.tier === 1; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(i).toBeLessThan(17000);
    expect(d.fallbackReason).toMatch(/^the compiled version ran 2\.000 µs a call against 2\.000 µs .*from call 16000;.*no faster than the original in 2 windows in a row and no longer getting faster: it runs the original$/);
    expect(f(3)).toBe(7);
  });

  it("runs the original early too where the version is slower by a little (the route's own call favours it)", () => {
    const { f, d } = checked(twin, (fn) => (fn === twin ? 0.00208 : 0.002));
    for (let i = 0; i < 260000 && d.tier === 1; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/^the compiled version ran 2\.080 µs a call against 2\.000 µs .*from call 16000;.*no faster than the original in 2 windows in a row/);
  });

  it("keeps, at the last window, a version as fast as the original that was slower by more before (V8 optimized it late)", () => {
    let n = 0;
    const late = (x: number) => (n++, twin(x));
    const { f, d, versionCalls } = checked(late, (fn) => (fn === late ? (n < 100_000 ? 0.0028 : 0.002) : 0.002));
    for (let i = 0; i < 260000; i++) f(i);
    expect(d.tier, d.fallbackReason ?? "").toBe(1);
    expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/no slower, in the last window(;|$)/);
    const before = versionCalls();
    for (let i = 0; i < 100; i++) f(i);
    expect(versionCalls() - before).toBe(100);
  });

  it("gives a version still getting faster at the last window a later one (V8 optimizing a large version late)", () => {
    // 2 µs until call 200000, 1.2 µs (slower than the original's 1 µs, but much faster than before)
    // at the window of call 256000, and 0.5 µs from call 600000 on. What it costs the program before
    // then stays within the check's loss budget (about 90 ms by call 256000).
    let n = 0;
    const late = (x: number) => (n++, twin(x));
    const cost = () => (n < 200_000 ? 0.002 : n < 600_000 ? 0.0012 : 0.0005);
    const { f, d } = checked(late, (fn) => (fn === late ? cost() : 0.001));
    for (let i = 0; i < 300_000; i++) f(i);
    expect(d.tier, d.fallbackReason ?? "").toBe(1);
    expect(d.history.some((h) => h.event === "verified")).toBe(false);
    for (let i = 0; i < 1_100_000 && !d.history.some((h) => h.event === "verified"); i++) f(i);
    expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/from call 1024000;/);
  });

  it("stops waiting once a slower version has cost the program its loss budget (sqids' encode: 2x slower at 13 µs a call, for 256,000 calls)", () => {
    const { f, d } = checked(twin, (fn) => (fn === twin ? 0.02 : 0.01));
    let i = 0;
    for (; i < 300_000 && d.tier === 1; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/had cost the program about \d+ ms over the original/);
    expect(i).toBeLessThan(70_000); // decided at the window that opens at call 64000, not 256000
  });

  it("does not wait past the last window for a version that stopped getting faster", () => {
    let n = 0;
    const steady = (x: number) => (n++, twin(x));
    const { f, d } = checked(steady, (fn) => (fn === steady ? (n < 30_000 ? 0.004 : 0.0015) : 0.001));
    for (let i = 0; i < 300_000 && d.tier === 1; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/from call 256000;/);
  });

  it("drops at once a version whose median is faster but whose slow calls cost far more", () => {
    // One call in eight costs the version 1 ms (an error V8 words by parsing a large residual).
    const { f, d } = checked(twin, (fn, args) => (fn === twin ? ((args[0] as number) % 8 === 0 ? 1 : 0.001) : 0.002));
    let i = 0;
    for (; i < 4000 && d.tier === 1; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(i).toBeLessThan(1200); // decided in the window that opens at call 872
  });

  it("waits a window for a version slower on every call, which may only be cold (a 512-term sum read 3.6x slower at call 872 and 4.5x faster at 4000)", () => {
    let n = 0;
    const cold = (x: number) => (n++, twin(x));
    const { f, d } = checked(cold, (fn) => (fn === cold ? (n < 1200 ? 0.03 : 0.001) : 0.006));
    for (let i = 0; i < 5000; i++) expect(f(i)).toBe(original(i));
    expect(d.tier, d.fallbackReason ?? "").toBe(1);
    expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/from call 4000;/);
  });

  it("waits a window for a cold version whose slowest calls are slower still (its median is slower too: not a cost in some calls)", () => {
    // A clean-clone CI run: the 512-term sum read 10.8 µs a call at call 872 (2.2 µs for the
    // original), its trimmed mean 25.9 µs, and was dropped for good as a cost in some calls.
    let n = 0;
    const cold = (x: number) => (n++, twin(x));
    const { f, d } = checked(cold, (fn) => (fn === cold ? (n < 1200 ? (n % 8 === 0 ? 0.2 : 0.011) : 0.001) : 0.002));
    for (let i = 0; i < 5000; i++) expect(f(i)).toBe(original(i));
    expect(d.tier, d.fallbackReason ?? "").toBe(1);
    expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/from call 4000;/);
  });

  it("drops a version slower on every call once it has lost two windows in a row", () => {
    const { f, d } = checked(twin, (fn) => (fn === twin ? 0.03 : 0.006));
    let i = 0;
    for (; i < 20000 && d.tier === 1; i++) f(i);
    expect(d.tier).toBe("fallback");
    expect(i).toBeGreaterThan(4000); // not in the window that opens at call 872
    expect(i).toBeLessThan(4400); // in the one that opens at call 4000
    expect(d.fallbackReason).toMatch(/^the compiled version ran 30\.000 µs a call against 6\.000 µs/);
  });

  it("drops a version whose calls that throw cost it far more than the original's", () => {
    const { f, d } = checked(twin, (fn, args) => ((args[0] as number) < 0 ? (fn === twin ? 2 : 0.01) : fn === twin ? 0.001 : 0.002));
    let thrown = 0;
    for (let i = 0; i < 600 && d.tier === 1; i++) {
      const x = i % 4 === 0 ? -i : i;
      try {
        f(x);
      } catch (e) {
        thrown++;
        expect(e).toBeInstanceOf(RangeError);
        expect((e as Error).message).toBe(`negative: ${x}`);
      }
    }
    expect(thrown).toBeGreaterThan(0);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/a call of the compiled version that throws took 2000\.000 µs against 10\.000 µs/);
  });

  it("weighs the calls that throw by their share, which a trimmed mean undercounts: faster on the others, slower in all", () => {
    // One call in 25 throws, at 9 times the original's cost (under the at-once THROW_LOSS of 10);
    // the trimmed mean leaves out 3 of those 4%: 0.96 x 1 us + 0.04 x 90 us against 0.96 x 2 us +
    // 0.04 x 10 us a call.
    const { f, d } = checked(twin, (fn, args) => ((args[0] as number) < 0 ? (fn === twin ? 0.09 : 0.01) : fn === twin ? 0.001 : 0.002));
    callMixed(f, d, 400_000, 25);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/with the [\d.]+% of calls that throw at their medians \(90\.000 µs against 10\.000 µs\)/);
  });

  it("drops a version slower in two windows in a row while one call in four throws (V8 may never optimize it)", () => {
    // 1.3x the original's cost on every call, far under CLEAR_LOSS and THROW_LOSS: before, only the
    // loss budget ended the check, about call 256,000 (json-source-map's parse, sweep22 perf-1).
    const { f, d } = checked(twin, (fn, args) => ((args[0] as number) < 0 ? (fn === twin ? 0.013 : 0.01) : fn === twin ? 0.0026 : 0.002));
    const i = callMixed(f, d, 100_000, 4);
    expect(d.tier).toBe("fallback");
    expect(i).toBeLessThan(4400); // by the window that opens at call 4000
    expect(d.fallbackReason).toMatch(/slower in 2 windows in a row while many of its calls threw/);
  });

  it("does not apply that rule where few calls throw: one in 25, slower by the same factor, is left to the loss budget", () => {
    const { f, d } = checked(twin, (fn, args) => ((args[0] as number) < 0 ? (fn === twin ? 0.013 : 0.01) : fn === twin ? 0.0026 : 0.002));
    callMixed(f, d, 20_000, 25);
    expect(d.tier).toBe(1);
    expect(d.fallbackReason ?? "").not.toMatch(/windows in a row while many of its calls threw/);
  });

  it("keeps a version whose slower throws cost less than it saves on the calls that return", () => {
    // One call in 25 throws at twice the original's cost: 0.96 x 1 us + 0.04 x 20 us against 0.96 x 2 us + 0.04 x 10 us.
    const { f, d } = checked(twin, (fn, args) => ((args[0] as number) < 0 ? (fn === twin ? 0.02 : 0.01) : fn === twin ? 0.001 : 0.002));
    callMixed(f, d, 20_000, 25, false);
    expect(d.tier).toBe(1);
    expect(d.history.some((h) => h.event === "verified")).toBe(true);
  });

  it("times a version kept while calls threw once more later: its throws grew slower (V8 optimized it), and it runs the original", () => {
    vi.useFakeTimers();
    try {
      // One call in 25 throws. The version's throws cost what the original's do for its first 3,000
      // calls (cold), 8 times more after (under the at-once THROW_LOSS); its other calls are twice as
      // fast throughout: 0.96 x 1 us + 0.04 x 80 us against 0.96 x 2 us + 0.04 x 10 us, once warm.
      // The version's own count of its calls (it runs without the route once kept).
      let executed = (): number => 0;
      const made = checked(twin, (fn, args) => {
        if ((args[0] as number) < 0) return fn === twin ? (executed() > 3000 ? 0.08 : 0.01) : 0.01;
        return fn === twin ? 0.001 : 0.002;
      });
      const { f, d } = made;
      executed = made.versionCalls;
      const call = (i: number) => {
        try {
          f(i % 25 === 0 ? -i - 1 : i);
        } catch {}
      };
      let i = 0;
      for (; i < 3000 && !d.history.some((h) => h.event === "verified"); i++) call(i);
      expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/timed again after 16000 more calls/);
      for (let k = 0; k < 17_000; k++) call(i++);
      vi.advanceTimersByTime(600);
      // The window after spreads its samples over a second of calls (RECHECK_SPAN_MS).
      for (let k = 0; k < 2_000_000 && d.tier === 1; k++) call(i++);
      expect(d.tier).toBe("fallback");
      expect(d.fallbackReason).toMatch(/calls that throw at their medians \(80\.000 µs against 10\.000 µs\)/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("times a kept version again over a second of calls, by the plain means of calls drawn over it: slower in all for a few slow calls a window leaves out (V8 optimizing it again after each collection), it runs the original", () => {
    vi.useFakeTimers();
    try {
      // The version is twice as fast on every call but one in 500, which costs 2 ms once it has made
      // 3,000 calls (the program's full collections deoptimize it, and V8 optimizes it again inside
      // one of its calls): a median and a mean without the slowest 3% of 64 calls both read it faster
      // (0.001 against 0.002 ms), the whole of its calls 5 times slower (0.005 ms a call), and so do
      // the plain means of 4,096 calls a side drawn over a second.
      let executed = (): number => 0;
      const made = checked(twin, (fn) => (fn !== twin ? 0.002 : executed() > 3000 && executed() % 500 === 0 ? 2 : 0.001));
      const { f, d } = made;
      executed = made.versionCalls;
      let i = 0;
      for (; i < 3000 && !d.history.some((h) => h.event === "verified"); i++) expect(f(i)).toBe(original(i));
      expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/both sides are timed again after 16000 more calls, over 1 s of calls or more/);
      for (let k = 0; k < 17_000; k++) f(i++);
      expect(d.tier).toBe(1);
      vi.advanceTimersByTime(600);
      for (let k = 0; k < 2_000_000 && d.tier === 1; k++) f(i++);
      expect(d.tier).toBe("fallback");
      for (let k = 0; k < 10; k++) expect(f(i)).toBe(original(i++));
      expect(d.fallbackReason).toMatch(/^timed again after it was kept, the compiled version ran 1\.000 µs a call against 2\.000 µs .*; plain means of the span's samples: [3-7]\.\d+ µs against 2\.000 µs a call: slower in all/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps a version timed again whose calls are all as fast as before, and times it again later, with a longer wait", () => {
    vi.useFakeTimers();
    try {
      const made = checked(twin, (fn) => (fn === twin ? 0.001 : 0.002));
      const { f, d } = made;
      let i = 0;
      for (; i < 3000 && !d.history.some((h) => h.event === "verified"); i++) f(i);
      for (let k = 0; k < 17_000; k++) f(i++);
      vi.advanceTimersByTime(600);
      const verified = () => d.history.filter((h) => h.event === "verified").length;
      for (let k = 0; k < 2_000_000 && verified() < 2; k++) f(i++);
      expect(d.tier).toBe(1);
      expect(d.history.at(-1)!.detail).toMatch(/one in \d+ over 1\.\d s of the program's calls.*plain means of the span's samples: 1\.000 µs against 2\.000 µs.*timed again after 64000 more calls/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("times a version specialized again later the same way: slower, it alone runs the original, and the first stays", () => {
    // The first version is verified; a second one (made after the first's guards failed) is slower.
    const first = checked(twin, (fn) => (fn === twin ? 0.001 : 0.004));
    for (let i = 0; i < 600; i++) first.f(i);
    expect(first.d.tier).toBe(1);
    let calls = 0;
    let route: Route | null = null;
    const slow = (x: number) => twin(x);
    const second = function (this: unknown, ...args: unknown[]) {
      if (route !== null) return Reflect.apply(route, this, args);
      calls++;
      return Reflect.apply(slow, this, args);
    };
    const v2: Version = { fn: second, source: "", passes: null, assumptions: [], calls: () => calls, deopts: 0, compileTimeMs: 0 };
    first.d.addVersion(v2);
    let toldGeneric = 0;
    checkGain(first.d, v2, (r) => (route = r), new VirtualClock((fn) => (fn === second || fn === slow ? 0.03 : 0.006)), () => toldGeneric++);
    const f2 = second as (x: number) => number;
    let i = 0;
    for (; i < 20000 && toldGeneric === 0; i++) expect(f2(i)).toBe(original(i));
    expect(toldGeneric, JSON.stringify(first.d.history.slice(-2))).toBe(1);
    expect(first.d.tier).toBe(1);
    expect(first.d.history.at(-1)).toMatchObject({ event: "generic" });
    expect(first.d.history.at(-1)!.detail).toMatch(/^v2: the compiled version ran 30\.000 µs/);
    const before = calls;
    for (let k = 0; k < 50; k++) expect(f2(k)).toBe(original(k));
    expect(calls).toBe(before);
  });

  it("passes `this`, the arguments and their count through, whichever side runs", () => {
    const body = function (this: { k: number }, a: number, b?: number) {
      return [this.k, a, b, arguments.length];
    };
    let route: Route | null = null;
    const version = function (this: { k: number }, a: number, b?: number) {
      // eslint-disable-next-line prefer-rest-params
      if (route !== null) return Reflect.apply(route, this, arguments);
      return [this.k, a, b, arguments.length];
    };
    const d = Dispatcher.settled(body, "m", version);
    const v: Version = { fn: version, source: "", passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 };
    d.addVersion(v);
    checkGain(d, v, (r) => (route = r), new VirtualClock(() => 0.001));
    const o = { k: 5, m: version as (a: number, b?: number) => unknown[] };
    for (let i = 0; i < 1000; i++) expect(i % 2 ? o.m(i) : o.m(i, 1)).toEqual(i % 2 ? [5, i, undefined, 1] : [5, i, 1, 2]);
  });
});

/** A rule interpreter: specialized on many rules, its version is large enough to be checked. */
function score(cfg: { rules: Array<{ op: string; k: number; w: number; s: string }> }, v: { n: number; s: any }) {
  let total = 0;
  for (const r of cfg.rules) {
    if (r.op === "gt" && v.n > r.k) total += r.w;
    else if (r.op === "lt" && v.n < r.k) total -= r.w;
    else if (r.op === "eq" && v.s === r.s) total += 2 * r.w;
  }
  return v.s.trim().length + total;
}
const OPS = ["gt", "lt", "eq"];
const rules = (n: number) => ({ rules: Array.from({ length: n }, (_, i) => ({ op: OPS[i % 3]!, k: i % 17, w: (i % 5) + 1, s: `s${i % 7}` })) });
/** The original's result or error message, and the jitted function's. */
function both(f: Function, cfg: unknown, v: unknown): [unknown, unknown] {
  const run = (g: Function) => {
    try {
      return g(cfg, v);
    } catch (e) {
      return `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
  };
  return [run(score), run(f)];
}

describe("jit(fn, { specialize }) under the gain check", () => {
  const random = Math.random;
  afterEach(() => {
    Math.random = random;
  });

  it("a small version has no route: it is returned as compiled", () => {
    function pick(opts: { k: number }, x: number) {
      return opts.k * x;
    }
    const f = jit(pick, { specialize: { opts: { k: 3 } } });
    expect(inspect(f)!.source).not.toContain("route");
  });

  it("a small version that calls the program's own code it kept as it was is timed (jsonpath-plus's JSONPath compiled to `new JSONPath(…)`)", () => {
    // An instance that escapes is made by its constructor, left as it was: the version is a guard
    // in front of the same work, and may be slower than the original.
    class Query {
      readonly hits: number;
      constructor(path: string, data: number[]) {
        let hits = 0;
        for (const x of data) if (String(x).startsWith(path)) hits++;
        this.hits = hits;
      }
    }
    function run(path: string, data: number[]) {
      return new Query(path, data);
    }
    const f = jit(run, { specialize: { path: "1" } });
    expect(inspect(f)!.source).toContain("new ");
    expect(inspect(f)!.source).toContain("route");
    expect(f("1", [1, 12, 3]).hits).toBe(2);
  });

  it("a small version whose only calls are kos's own helpers and builtins has no route", () => {
    function sum(k: { n: number }, xs: Float64Array) {
      let t = 0;
      for (let i = 0; i < xs.length; i++) t += Math.abs(xs[i]!) * k.n;
      return t;
    }
    const f = jit(sum, { specialize: { k: { n: 2 } } });
    expect(inspect(f)!.source).not.toContain("route");
    expect(f({ n: 2 }, new Float64Array([1, -2]))).toBe(6);
  });

  it("a large one is timed without drawing from the program's Math.random, and counts every call", () => {
    let draws = 0;
    Math.random = () => {
      draws++;
      return 0.5;
    };
    const cfg = rules(150);
    const f = jit(score, { specialize: { cfg }, freeze: "deep" });
    expect(inspect(f)!.source).toContain("route");
    const inputs = [{ n: 3, s: " a " }, { n: 12, s: "s3" }, { n: 9, s: "x" }];
    for (let i = 0; i < 3000; i++) {
      const [a, b] = both(f, cfg, inputs[i % 3]);
      expect(b).toBe(a);
    }
    expect(draws).toBe(0);
    const info = inspect(f)!;
    // Calls to a version that went generic are not counted (as in tiering); before that, every one.
    if (info.tier === 1) expect(info.calls).toBe(3000);
  });

  it("a large version that throws on half its calls runs the original, with the same results and errors", () => {
    // V8 words "v.s.trim is not a function" by parsing again the function it was thrown in: the
    // version's 28 KB, against the original's few lines (469 µs against 31 µs a throw, measured).
    const cfg = rules(600);
    const f = jit(score, { specialize: { cfg }, freeze: "deep" });
    const inputs = [{ n: 3, s: " a " }, { n: 9, s: 5 }, { n: 12, s: "s3" }, { n: 1, s: null }];
    for (let i = 0; i < 3000; i++) {
      const [a, b] = both(f, cfg, inputs[i % 4]);
      expect(b).toBe(a);
    }
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/it runs the original$/);
    // From then on the entry calls the original itself: the version (kos://score.js), its route test
    // and its forward are no longer in front of it (they cost mime's getType 6% for good, perf14).
    let stack = "";
    try {
      f(cfg, { n: 9, s: 5 });
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toMatch(/is not a function/);
    expect(stack).not.toContain("kos://score.js");
  });

});

describe("tiering checks a large first version the same way", () => {
  it("a version that throws on half its calls goes back to the original within the first windows", () => {
    const cfg = rules(600);
    for (const r of cfg.rules) Object.freeze(r);
    Object.freeze(cfg.rules);
    Object.freeze(cfg);
    const f = jit(score, { tiering: { hotCalls: 100 } });
    const inputs = [{ n: 3, s: " a " }, { n: 9, s: 5 }, { n: 12, s: "s3" }, { n: 1, s: null }];
    let compiledSource: string | null = null;
    for (let i = 0; i < 3000; i++) {
      const [a, b] = both(f, cfg, inputs[i % 4]);
      expect(b).toBe(a);
      compiledSource ??= inspect(f)!.source;
    }
    expect(compiledSource).toContain("route");
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/it runs the original$/);
  });
});

describe("tiering entries keep the original's shape", () => {
  it("of a method or an arrow: no prototype, not constructible", () => {
    const o = { k: 2, m(x: number) { return this.k * x; } };
    const arrow = (x: number) => x + 1;
    for (const [fn, self, expected] of [[o.m, o, 8], [arrow, undefined, 5]] as const) {
      const f = jit(fn as Function);
      expect(Object.hasOwn(f, "prototype")).toBe(false);
      expect(() => new (f as any)(1)).toThrow(TypeError);
      expect(f.call(self, 4)).toBe(expected);
    }
  });

  it("of a function: constructible, with the original's prototype from its first construction", () => {
    function P(this: { v: number }, v: number) {
      this.v = v;
    }
    const f = jit(P);
    const made = new (f as any)(3);
    expect(made).toBeInstanceOf(P);
    expect(made.v).toBe(3);
    expect(f.prototype).toBe(P.prototype);
  });
});
