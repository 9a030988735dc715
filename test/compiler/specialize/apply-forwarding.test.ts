/**
 * Forwarding wrappers: `function (a0) { return fn.apply(this, arguments); }`, the shell of an
 * arity adapter, a curried or composed function (a functional library's `pipe`), a decorator. With
 * the argument count guarded at entry (tiering speculates on it; `argumentCount` gives it), the
 * list `apply` makes is the call's items, and `fn` is inlined on them. Before, the version was the
 * wrapper again behind its guards, and ran slower than the original.
 *
 * Also here: a version whose code is the original's own, with only content guards in front, is not
 * installed (NOTHING_SPECIALIZED); and a sloppy function's own `this`, always an object, is handed
 * to a sloppy callee as it is.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const HOT = { tiering: { hotCalls: 30 } };

/** Sloppy code, as a CommonJS library's is (test files are strict modules). */
const sloppy = <T>(params: string[], body: string, ...values: unknown[]): T => new Function(...params, body)(...values) as T;

function run(f: Function, calls: Array<{ self?: unknown; args: unknown[] }>): unknown[] {
  return calls.map(({ self, args }) => {
    try {
      return { value: f.apply(self, args) };
    } catch (e) {
      return { threw: (e as Error).constructor.name, message: (e as Error).message };
    }
  });
}

describe("fn.apply(this, arguments) in the compiled function", () => {
  const area = (o: { w: number; h: number }) => o.w * o.h;
  const makeWrapper = (fn: Function) => function (this: unknown, _a0: unknown) {
    // eslint-disable-next-line prefer-rest-params
    return fn.apply(this, arguments as unknown as unknown[]);
  };

  it("inlines the callee on the call's items once tiering knows the count, and agrees on every call", () => {
    const original = makeWrapper(area);
    const f = jit(makeWrapper(area), HOT);
    const calls = Array.from({ length: 400 }, (_, i) => ({ args: [{ w: i, h: i % 7 === 0 ? -0 : 2.5 }] }));
    // Then other counts, a missing argument and one that throws.
    calls.push({ args: [{ w: 2, h: 3 }, "extra"] }, { args: [] }, { args: [null] }, { args: [{ w: NaN, h: 1 }] });
    expect(run(f, calls)).toEqual(run(original, calls));
    const info = inspect(f);
    expect(info.tier).toBe(1);
    expect(info.source).not.toMatch(/\.apply\(/);
    expect(info.source).toMatch(/arguments\.length === 1/);
  });

  it("inlines it for an explicit specialize given argumentCount", () => {
    const scale = (k: { by: number }, x: number) => k.by * x;
    const wrapper = function (this: unknown, _k: unknown, _x: unknown) {
      // eslint-disable-next-line prefer-rest-params
      return scale.apply(this, arguments as unknown as [{ by: number }, number]);
    };
    const k = Object.freeze({ by: 3 });
    const f = jit(wrapper, { specialize: { _k: k }, argumentCount: 2 });
    for (const x of [1, -0, NaN, 2.5]) expect(Object.is(f(k, x), wrapper(k, x))).toBe(true);
    expect(f(k, 4, "more")).toBe(12);
    expect(inspect(f).source).not.toMatch(/\.apply\(/);
  });

  it("hands a sloppy wrapper's own `this` to a sloppy callee as it is: the global object, a boxed primitive", () => {
    const inner = sloppy<Function>([], "return function (o) { return [this === globalThis, typeof this, this instanceof Number, o.v]; };");
    const wrap = sloppy<(fn: Function) => Function>([], "return function (fn) { return function (a0) { return fn.apply(this, arguments); }; };");
    const original = wrap(inner);
    const f = jit(wrap(inner), HOT);
    const calls = Array.from({ length: 200 }, (_, i) => ({ self: i % 3 === 0 ? undefined : i % 3 === 1 ? 5 : { n: i }, args: [{ v: i }] }));
    expect(run(f, calls)).toEqual(run(original, calls));
    expect(inspect(f).tier).toBe(1);
    expect(inspect(f).source).not.toMatch(/\.apply\(/);
  });

  it("runs an `apply` of the program's own as a call, which sees the linked `arguments` of sloppy code", () => {
    // Not Function.prototype.apply: it writes the list it is given, and in sloppy code that is the parameter.
    const fake = { apply(_t: unknown, args: unknown[]) { args[0] = 99; return args.length; } };
    const f0 = sloppy<Function>(["fake"], "return function (a) { var n = fake.apply(this, arguments); return [a, n, arguments[0]]; };", fake);
    const f1 = sloppy<Function>(["fake"], "return function (a) { var n = fake.apply(this, arguments); return [a, n, arguments[0]]; };", fake);
    const f = jit(f1, HOT);
    const calls = Array.from({ length: 200 }, (_, i) => ({ args: [i] }));
    expect(run(f, calls)).toEqual(run(f0, calls));
    // Specialized on `a`: the call changes it, so it cannot be folded.
    const g = jit(sloppy<Function>(["fake"], "return function (a) { var n = fake.apply(this, arguments); return [a, n, arguments[0]]; };", fake), { specialize: { a: 3 } });
    expect(g(3)).toEqual(f0(3));
    expect(inspect(g).fallbackReason).toMatch(/^USES_ARGUMENTS.*linked to its parameters/);
  });
});

describe("a version that is the original's own code behind content guards", () => {
  it("is not installed: the function settles on the original (NOTHING_SPECIALIZED)", () => {
    // `fn` hands its own `arguments` to a function, which kos does not inline: the root keeps
    // `fn.apply(...)`, the resolved `fn.apply` its one guard. (A step that forwards them with
    // `f.apply(this, arguments)` inlines now: apply-guards.test.ts.)
    const pipe2 = sloppy<Function>([], "return function (f, g) { return function () { return g.call(this, f(arguments)); }; };");
    const arity1 = sloppy<Function>([], "return function (fn) { return function (a0) { return fn.apply(this, arguments); }; };");
    const composed = arity1(pipe2((a: IArguments) => (a[0] as { c: number }).c, (x: number) => x * 2));
    const f = jit(arity1(pipe2((a: IArguments) => (a[0] as { c: number }).c, (x: number) => x * 2)), HOT);
    const calls = Array.from({ length: 300 }, (_, i) => ({ args: [{ c: i }] }));
    expect(run(f, calls)).toEqual(run(composed, calls));
    const info = inspect(f);
    expect(info.fallbackReason).toMatch(/^NOTHING_SPECIALIZED/);
  });
});
