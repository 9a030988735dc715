/**
 * slideWindows: a loop reading `a[i + c]` at several offsets keeps the window
 * in locals behind a guard (typed arrays, distinct buffers, an int32 `i`,
 * primitive entry values); every other case runs the loop as it was, with
 * the same values, errors and side effects as the original.
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { generate } from "astring";
import { inspect, jit } from "../../../index.js";
import { materialize } from "../../../compiler/emit.js";
import { slideWindows } from "../../../compiler/residual/slide-windows.js";
import type { ResidualContext } from "../../../compiler/residual/pipeline.js";

/** `function f(a, out, n) { body }` through slideWindows alone, with kos's helpers bound as the generated module binds them. */
function windowed(body: string): { changed: boolean; source: string; f: Function; g: Function } {
  const fn = (parse(`function f(a, out, n) { ${body} }`, { ecmaVersion: "latest" }) as any).body[0];
  const ctx = { disabled: new Set(), fastmath: false, sourceNames: new Set(), trace: null, preview: () => "", kosHelpers: true } as unknown as ResidualContext;
  const changed = slideWindows(fn, ctx);
  const names: string[] = [];
  const values: unknown[] = [];
  materialize(fn, (value) => {
    names.push(`$h${names.length}`);
    values.push(value);
    return { type: "Identifier", name: names[names.length - 1] };
  });
  const source = generate(fn);
  return { changed, source, f: new Function("a", "out", "n", body), g: new Function(...names, `return ${source}`)(...values) };
}

function convolve(kernel: ArrayLike<number>, signal: ArrayLike<number>, out: { [i: number]: number; length: number }) {
  const k = kernel.length;
  const n = signal.length - k + 1;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < k; j++) acc += kernel[j]! * signal[i + j]!;
    out[i] = acc;
  }
  return out;
}

/** A causal FIR filter as DSP code writes it: each tap reaches back through a temporary index. */
function fir(coeffs: readonly number[], input: ArrayLike<number>, output: { [i: number]: number }) {
  for (let n = 0; n < input.length; n++) {
    let sum = 0;
    for (let tap = 0; tap < coeffs.length; tap++) {
      const back = n - tap;
      if (back >= 0) sum += coeffs[tap]! * input[back]!;
    }
    output[n] = sum;
  }
}

function pairs(start: unknown, end: number, a: ArrayLike<number>, acc: unknown) {
  for (let i = start as number; i < end; i++) acc = (acc as number) + a[i]! * a[i + 1]! - a[i + 2]!;
  return acc;
}

const KERNEL = Object.freeze([0.25, -0.5, 1, 0.125, 2]);
const COEFFS = Object.freeze([0.5, 0.25, 0.125, 0.0625]);

/** The same call on the original and the jitted function, each on fresh arguments; their results, arrays, logs and errors must match. */
function expectSame(original: Function, jitted: Function, make: (log: string[]) => unknown[]): void {
  const run = (f: Function) => {
    const log: string[] = [];
    const args = make(log);
    let result: unknown;
    let error: string | null = null;
    try {
      result = f(...args);
    } catch (e) {
      error = `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
    const arrays = args.map((a) => {
      if (!a || typeof a !== "object" || !("length" in (a as object))) return a;
      try {
        return Array.from(a as ArrayLike<unknown>);
      } catch {
        return a; // an object that only claims to be a typed array: its length getter throws
      }
    });
    return { result, error, log, arrays };
  };
  const want = run(original);
  const got = run(jitted);
  expect(got.error).toBe(want.error);
  expect(got.log).toEqual(want.log);
  expect(Object.is(got.result, want.result) || (typeof got.result === "object" && got.result !== null)).toBe(true);
  expect(got.arrays.length).toBe(want.arrays.length);
  want.arrays.forEach((w, k) => {
    const g = got.arrays[k];
    if (Array.isArray(w)) {
      expect((g as unknown[]).length).toBe(w.length);
      w.forEach((x, j) => expect(Object.is((g as unknown[])[j], x), `argument ${k}[${j}]: ${String((g as unknown[])[j])} against ${String(x)}`).toBe(true));
    }
  });
}

const signalOf = (n: number, seed = 1): Float64Array => {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.sin(i * 0.37 + seed) * 3;
  if (n > 5) {
    s[3] = -0;
    s[5] = NaN;
  }
  if (n > 9) s[9] = -Infinity;
  return s;
};

describe("slideWindows", () => {
  const conv = jit(convolve, { specialize: { kernel: KERNEL } });
  const firK = jit(fir, { specialize: { coeffs: COEFFS } });

  it("keeps a convolution's window in locals: one load per iteration, the same values (-0, NaN, ±Infinity)", () => {
    const source = inspect(conv)!.source;
    expect(source).toMatch(/const signal_4 = signal\[i \+ 4\];/);
    expect(source).toMatch(/signal_0 = signal_1;/);
    for (const n of [0, 1, 4, 5, 6, 64, 300, 301]) expectSame(convolve, conv, () => [KERNEL, signalOf(n), new Float64Array(Math.max(0, n - 4))]);
  });

  it("windows an FIR filter's negative offsets under its `if`", () => {
    expect(inspect(firK)!.source).toMatch(/input_\d = input_\d;/);
    for (const n of [0, 2, 3, 40, 300]) expectSame(fir, firK, () => [COEFFS, signalOf(n, 2), new Float64Array(n)]);
  });

  it("runs the loop as written when the output is the input, or a view of its buffer", () => {
    expectSame(convolve, conv, () => {
      const s = signalOf(300);
      return [KERNEL, s, s];
    });
    expectSame(convolve, conv, () => {
      const s = signalOf(300);
      return [KERNEL, s, new Float64Array(s.buffer, 16, 290)];
    });
    expectSame(fir, firK, () => {
      const s = signalOf(300);
      return [COEFFS, s, s];
    });
    expectSame(fir, firK, () => {
      const s = signalOf(300);
      return [COEFFS, new Float64Array(s.buffer, 8, 290), s];
    });
  });

  it("runs the loop as written on plain arrays with getters, Proxies, and outputs whose setters write the input", () => {
    expectSame(convolve, conv, (log) => {
      const s = Array.from(signalOf(300));
      Object.defineProperty(s, 6, { get: () => (log.push("get 6"), 1.5) });
      return [KERNEL, s, new Float64Array(296)];
    });
    expectSame(convolve, conv, (log) => {
      const s = new Proxy(signalOf(300), { get: (t, k) => (log.push(`get ${String(k)}`), Reflect.get(t, k)) });
      return [KERNEL, s, new Float64Array(296)];
    });
    expectSame(convolve, conv, (log) => {
      const s = signalOf(300);
      const out = new Proxy([] as number[], { set: (t, k, v) => (log.push(`set ${String(k)}`), (s[Number(k) + 5] = 100), Reflect.set(t, k, v)) });
      return [KERNEL, s, out];
    });
    // An object that only claims to be a Float64Array.
    expectSame(convolve, conv, () => {
      const fake = Object.setPrototypeOf({ length: 8, 0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 7, 7: 8 }, Float64Array.prototype);
      return [KERNEL, fake, new Float64Array(4)];
    });
    expectSame(convolve, conv, () => [KERNEL, new DataView(new ArrayBuffer(64)), new Float64Array(4)]);
  });

  it("runs the loop as written when reading `length` could run a getter that writes the input", () => {
    // Each getter writes an element the window already holds, so a stale window would give other sums.
    const writing = (s: Float64Array, log: string[]) => () => {
      log.push("length");
      s[(log.length * 7) % 20] = log.length; // (not s.length: that would call the getter again)
    };
    expectSame(fir, firK, (log) => {
      const s = signalOf(300, 4);
      const bump = writing(s, log);
      Object.defineProperty(s, "length", { get: () => (bump(), 300) });
      return [COEFFS, s, new Float64Array(300)];
    });
    expectSame(fir, firK, (log) => {
      let bump = () => {};
      class Logged extends Float64Array {
        override get length() {
          bump();
          return super.length;
        }
      }
      const s = new Logged(signalOf(300, 4));
      bump = writing(s, log);
      return [COEFFS, s, new Float64Array(300)];
    });
    const proto = Object.getPrototypeOf(Uint8Array.prototype);
    const intrinsic = Object.getOwnPropertyDescriptor(proto, "length")!;
    try {
      expectSame(fir, firK, (log) => {
        const s = signalOf(300, 4);
        const bump = writing(s, log);
        Object.defineProperty(proto, "length", { ...intrinsic, get() { if (this === s) bump(); return intrinsic.get!.call(this); } });
        return [COEFFS, s, new Float64Array(300)];
      });
    } finally {
      Object.defineProperty(proto, "length", intrinsic);
    }
  });

  it("keeps its checks when the program replaces Function.prototype.call and Reflect.apply", () => {
    const { call } = Function.prototype;
    const { apply } = Reflect;
    const log: string[] = [];
    const [signal, out] = [signalOf(300), new Float64Array(296)];
    try {
      Function.prototype.call = function (this: Function, ...args: unknown[]) {
        log.push("call");
        return apply(this, args[0], args.slice(1));
      };
      Reflect.apply = (...args: Parameters<typeof apply>) => (log.push("apply"), apply(...args));
      conv(KERNEL, signal, out);
    } finally {
      Function.prototype.call = call;
      Reflect.apply = apply;
    }
    expect(log).toEqual([]);
    expect(Array.from(out)).toEqual(Array.from(convolve(KERNEL, signalOf(300), new Float64Array(296)) as Float64Array));
  });

  it("throws as the original does on BigInt elements", () => {
    expectSame(convolve, conv, () => [KERNEL, new BigInt64Array(300), new Float64Array(296)]);
    expectSame(convolve, conv, () => [KERNEL, new Float64Array(300), new BigInt64Array(296)]);
  });

  it("checks the induction variable and the values the loop starts from", () => {
    const p = jit(pairs, { specialize: { end: 300 } });
    expect(inspect(p)!.source).toMatch(/a_0 = a_1;/);
    // No NaN here: a NaN anywhere would make every sum NaN, however the elements were read.
    const a = () => new Float64Array(304).map((_, k) => k * 1.5 - 7);
    for (const start of [0, 3, -2, 0.5, -0, 2 ** 31 - 3, "1", 1n, null, undefined]) {
      for (const acc of [0, -0, "s", 2n, undefined, null]) {
        expectSame(pairs, p, () => [start, 300, a(), acc]);
      }
    }
    // valueOf writes an element the window already holds.
    expectSame(pairs, p, (log) => {
      const arr = a();
      return [0, 300, arr, { valueOf: () => (log.push("valueOf"), (arr[2] = 99), 1) }];
    });
    expectSame(pairs, p, (log) => [{ valueOf: () => (log.push("start"), 1) }, 300, a(), 0]);
    // Bounds that compare with a number but cannot be subtracted from one.
    const big = jit(pairs, { specialize: { end: 300n } });
    expectSame(pairs, big, () => [0, 300n, a(), 0]);
    const any = jit(pairs);
    for (const end of [300n, "300", { valueOf: () => 300 }]) expectSame(pairs, any, () => [0, end, a(), 0]);
  });

  it("leaves loops alone that call, read properties, write the windowed array or continue", () => {
    const calls = jit(function f(a: Float64Array, g: (x: number) => number) {
      let s = 0;
      for (let i = 0; i < a.length - 2; i++) s += g(a[i]!) + a[i + 1]! + a[i + 2]!;
      return s;
    });
    const writes = jit(function f(a: Float64Array, k: number) {
      for (let i = 0; i < a.length - 2; i++) a[i + 2] = a[i]! + a[i + 1]! * k;
      return a;
    }, { specialize: { k: 2 } });
    const skips = jit(function f(a: Float64Array, k: number) {
      let s = 0;
      for (let i = 0; i < a.length - 2; i++) {
        if (a[i]! > k) continue;
        s += a[i + 1]! + a[i + 2]!;
      }
      return s;
    }, { specialize: { k: 0 } });
    const sources = [calls, writes, skips].map((f) => inspect(f)?.source ?? "");
    for (const s of sources) expect(s).not.toMatch(/isTypedArray/);
    const b = signalOf(30);
    expect(Array.from(writes(new Float64Array(b), 2))).toEqual(Array.from((function f(a: Float64Array, k: number) {
      for (let i = 0; i < a.length - 2; i++) a[i + 2] = a[i]! + a[i + 1]! * k;
      return a;
    })(new Float64Array(b), 2)));
  });

  it("windows a loop that declares its own step with `let`, and checks only what its init has set", () => {
    const { changed, source, f, g } = windowed("let s = 0; for (let i = 1, m = n - 1; i < m; i++) { s = s + a[i - 1] * 2 + a[i] - a[i + 1]; out[i] = s; } return s;");
    expect(changed).toBe(true);
    expect(source).toMatch(/a_0 = a_1;/);
    for (const n of [0, 3, 300]) {
      const a = new Float64Array(n).map((_, k) => k * 0.75 - 3);
      const [o1, o2] = [new Float64Array(n), new Float64Array(n)];
      expect(Object.is(g(a, o2, n), f(a, o1, n))).toBe(true);
      expect(Array.from(o2)).toEqual(Array.from(o1));
      expect(Object.is(g(a, a.slice(), "300"), f(a, a.slice(), "300"))).toBe(true);
    }
  });

  it("leaves a loop alone whose guard would read a binding still in its temporal dead zone", () => {
    const { changed } = windowed("let r = 0; for (let i = 0; i < n; i++) { r = r + a[i] + a[i + 1] + late; } let late = 1; return r;");
    expect(changed).toBe(false);
  });

  it("a break in the body leaves with the values it had", () => {
    function until(a: Float64Array, limit: number) {
      let i = 0;
      let s = 0;
      for (; i < a.length - 1; i++) {
        s = s + a[i]! * a[i + 1]!;
        if (s > limit) break;
      }
      return [i, s];
    }
    const u = jit(until, { specialize: { limit: 4 } });
    expect(inspect(u)!.source).toMatch(/a_0 = a_1;/);
    for (const n of [0, 1, 2, 30, 600]) expect(u(signalOf(n, 5), 4)).toEqual(until(signalOf(n, 5), 4));
  });
});
