/**
 * Objects kos does not own change after jit(), between calls: each change
 * must reach the jitted function as it reaches the original. Each case runs
 * the original and the jitted function on separate copies of their state
 * (made by the same factory), so stateful objects (regexps, counters, getters
 * that log) are compared call for call. Two wrong results were found this way
 * (an own Symbol.iterator added to a folded array, and a test that assigns
 * what it tests); these are the shapes around them that held.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

interface Case {
  f: Function;
  options: Record<string, unknown>;
  calls: Array<(f: Function) => unknown>;
  log?: unknown[];
}

const show = (x: unknown): string =>
  JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : typeof v === "number" && !Number.isFinite(v) ? String(v) : v));

function outcomes(c: Case, wrap: (f: Function) => Function): string[] {
  const g = wrap(c.f);
  return [
    ...c.calls.map((call) => {
      try {
        return show(call(g));
      } catch (e) {
        return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    }),
    `log ${show(c.log ?? null)}`,
  ];
}

function agree(make: () => Case): void {
  const original = outcomes(make(), (f) => f);
  const copy = make();
  let compiled: Function | null = null;
  const jitted = outcomes(copy, (f) => (compiled = jit(f, copy.options)));
  expect(jitted).toEqual(original);
  // Or settled on the original's own code, where every read stays as written.
  const info = inspect(compiled!)!;
  expect(info.tier === 1 || /^NOTHING_SPECIALIZED: /.test(info.fallbackReason ?? ""), info.fallbackReason ?? "").toBe(true);
}

describe("objects kos does not own, changed after jit()", () => {
  it("a sticky regexp in the closure advances lastIndex call for call", () => {
    agree(() => {
      const re = /b/y;
      return ({ f: (s: string) => [re.test(s), re.lastIndex, re.test(s), re.lastIndex], options: { specialize: { s: "bb" } }, calls: [(f) => f("bb"), (f) => f("bb"), (f) => f("bb")] });
    });
  });

  it("a getter, toString and toJSON on the configuration run as often as in the original", () => {
    agree(() => {
      const log: unknown[] = [];
      const o = { n: 1, get v() { log.push("v"); return this.n++; }, toString() { return `T${this.n}`; }, toJSON() { return { n: this.n }; } };
      return ({ log, f: (c: typeof o, x: number) => [c.v + c.v + x, `${c}`, JSON.stringify(c)], options: { specialize: { c: o } }, calls: [(f) => f(o, 1), (f) => f(o, 2)] });
    });
  });

  it("Map, Set, Date and typed-array configurations changed in place", () => {
    agree(() => {
      const m = new Map([["a", 1]]);
      const st = new Set([1, 2]);
      const d = new Date(0);
      const t = new Float64Array([1, 2]);
      const f = (c: Map<string, number>, s: Set<number>, dt: Date, ta: Float64Array, k: string) => {
        let sum = 0;
        for (const v of s) sum += v;
        return [c.get(k), c.size, sum, dt.getTime(), ta[0]! * 2 + ta.length];
      };
      return ({
        f,
        options: { specialize: { c: m, s: st, dt: d, ta: t } },
        calls: [(g) => g(m, st, d, t, "a"), (g) => (m.set("a", 7), st.add(10), d.setTime(5), (t[0] = 4), g(m, st, d, t, "a"))],
      });
    });
  });

  it("a method replaced on the prototype, then shadowed on the instance", () => {
    agree(() => {
      class P {
        k = 2;
        m(x: number) {
          return this.k * x;
        }
      }
      const p = new P();
      const proto = P.prototype as unknown as Record<string, unknown>;
      return ({
        f: function (this: P, x: number) {
          return this.m(x) + this.k;
        },
        options: { specialize: { this: p } },
        calls: [(f) => f.call(p, 1), (f) => ((proto.m = (x: number) => x * 100), f.call(p, 1)), (f) => (((p as unknown as Record<string, unknown>).m = () => -1), f.call(p, 1))],
      });
    });
  });

  it("an unfrozen array gets its own iterator, loses it, grows and shrinks; a for-in object loses a key mid-loop", () => {
    agree(() => {
      const arr = [1, 2, 3];
      const obj: Record<string, number> = { a: 1, b: 2, c: 3 };
      const f = (a: number[], o: Record<string, number>, x: number) => {
        let s = 0;
        for (const v of a) s += v * x;
        const keys: string[] = [];
        for (const k in o) {
          keys.push(k);
          if (k === "a" && x > 1) delete o.b;
        }
        return [s, keys, a.map((v) => v + x)];
      };
      const withIterator = arr as unknown as Record<symbol, unknown>;
      return ({
        f,
        options: { specialize: { a: arr, o: obj } },
        calls: [
          (g) => g(arr, obj, 1),
          (g) => ((withIterator[Symbol.iterator] = function* () { yield 10; }), g(arr, obj, 1)),
          (g) => (delete withIterator[Symbol.iterator], arr.push(8), g(arr, obj, 1)),
          (g) => ((arr.length = 1), g(arr, obj, 2)),
        ],
      });
    });
  });

  // sweep20: the value guard of a folded `hasOwnProperty` or `Object.keys` still passed once the key
  // moved to the prototype with the same value, and the fold said what the object had at jit().
  it("a key moves to the prototype with the same value, then goes: hasOwnProperty, Object.keys, entries and values see it", () => {
    const bodies: Array<(cfg: Record<string, unknown>) => unknown> = [
      (cfg) => Object.prototype.hasOwnProperty.call(cfg, "c"),
      (cfg) => cfg.hasOwnProperty("c"),
      (cfg) => Object.keys(cfg).join(","),
      (cfg) => Object.entries(cfg).map(([k, v]) => `${k}=${String(v)}`).join(","),
      (cfg) => Object.values(cfg).length,
      (cfg) => ("c" in cfg ? "in" : "out"),
    ];
    for (const f of bodies) {
      agree(() => {
        const cfg: Record<string, unknown> = { a: 1, c: 3 };
        return ({
          f,
          options: { specialize: { cfg } },
          calls: [
            (g) => g(cfg),
            (g) => (delete cfg.c, Object.setPrototypeOf(cfg, { c: 3 }), g(cfg)),
            (g) => (Object.setPrototypeOf(cfg, Object.prototype), g(cfg)),
          ],
        });
      });
    }
  });

  // sweep21 repro-3: a property the configuration inherits from Object.prototype (`constructor`,
  // `toString`) was folded with no guard, as if the configuration could not change its prototype or
  // gain an own one: an isPlainObject test kept answering "plain".
  it("an inherited built-in property after the prototype changes, goes, or an own one shadows it", () => {
    class Opts {}
    const bodies: Array<(cfg: Record<string, unknown>) => unknown> = [
      (cfg) => (cfg.constructor === Object ? "plain" : "not plain"),
      (cfg) => [typeof cfg.toString, cfg.toString === Object.prototype.toString],
      (cfg) => typeof cfg.valueOf,
      (cfg) => String((cfg.constructor as { name?: string } | undefined)?.name),
    ];
    const changes: Array<(cfg: Record<string, unknown>) => void> = [
      (cfg) => Object.setPrototypeOf(cfg, Opts.prototype),
      (cfg) => Object.setPrototypeOf(cfg, null),
      (cfg) => void (cfg.constructor = Opts),
      (cfg) => void (cfg.toString = () => "own"),
    ];
    for (const f of bodies) {
      for (const change of changes) {
        agree(() => {
          const cfg: Record<string, unknown> = { a: 1 };
          return ({ f, options: { specialize: { cfg } }, calls: [(g) => g(cfg), (g) => (change(cfg), g(cfg)), (g) => g(cfg)] });
        });
      }
    }
  });
});
