/**
 * A residual `try` whose block and handler only read an object kos made keeps it virtual
 * (specialize/try-held-objects.ts): its fields fold in the block and in the handler, and it is
 * never allocated. An object the try writes (a field store, a push, a delete), or one nested in
 * a held object that the try writes, or one that escapes inside it, is allocated before the try
 * as before, so that the handler sees what the block did before it threw. Compared with the
 * original on inputs that throw at each point of the block.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const make = <T extends Function>(src: string): T => new Function(`"use strict"; return ${src}`)() as T;

const inputs = [0, 1, 2, 3, -1, 7];
const check = (x: number): number => {
  if (x === 2) throw new RangeError("two");
  return x * 10;
};

function same(f: Function, j: Function, ...args: unknown[]): void {
  let want: unknown, got: unknown, wantErr: unknown, gotErr: unknown;
  try { want = f(...args); } catch (e) { wantErr = e; }
  try { got = j(...args); } catch (e) { gotErr = e; }
  expect(got).toEqual(want);
  expect(String(gotErr)).toBe(String(wantErr));
}

describe("objects a residual try only reads", () => {
  it("stay virtual: their fields fold in the block and in the handler", () => {
    const f = make<(x: number, check: (x: number) => number) => unknown>(`function f(x, check) {
      const cfg = { scale: 3, name: "n", inner: { off: 4 } };
      try {
        return check(x) * cfg.scale + cfg.inner.off;
      } catch (e) {
        return cfg.name + ":" + e.message + ":" + cfg.inner.off;
      }
    }`);
    const j = jit(f, { specialize: {} }) as typeof f;
    for (const x of inputs) same(f, j, x, check);
    const src = inspect(j)!.source!;
    expect(src).toMatch(/try/);
    expect(src).not.toMatch(/scale/);
    expect(src).not.toMatch(/\binner\b/);
  });

  it("an instance constructed in place whose method's try reads it stays virtual", () => {
    // Allocated at the try, the instance escaped on the fast path and `new Parser(…)` ran as written.
    const Parser = make<new (src: string) => unknown>(`(function () {
      function Parser(src) { this.src = src; this.scale = 2; }
      Parser.prototype.run = function (x, check) {
        try { return check(x) * this.scale + this.src.length; } catch (e) { return -this.scale + ":" + e.message; }
      };
      return Parser;
    })()`);
    const f = new Function("Parser", `"use strict"; return function f(x, check) { return new Parser("abc").run(x, check); }`)(Parser) as (x: number, c: (x: number) => number) => unknown;
    const j = jit(f, { specialize: {}, scope: { Parser } }) as typeof f;
    for (const x of inputs) same(f, j, x, check);
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/new \$k_\w+\(/);
    expect(src).not.toMatch(/create/);
  });

  it("an object the block writes before it throws is what the handler reads", () => {
    const f = make<(x: number, check: (x: number) => number) => unknown>(`function f(x, check) {
      const st = { step: 0, log: [] };
      try {
        st.step = 1;
        st.log.push("a");
        check(x);
        st.step = 2;
        check(x - 1);
        delete st.log;
        return st.step;
      } catch (e) {
        return [st.step, st.log && st.log.length, e.message];
      }
    }`);
    const j = jit(f, { specialize: {} }) as typeof f;
    for (const x of inputs) same(f, j, x, check);
  });

  it("a store to an object nested in one the try reads is seen by the handler", () => {
    const f = make<(x: number, check: (x: number) => number) => unknown>(`function f(x, check) {
      const o = { inner: { n: 1 } };
      const p = o;
      try {
        p.inner.n = 5;
        check(x);
        return o.inner.n;
      } catch (e) {
        return -o.inner.n;
      }
    }`);
    const j = jit(f, { specialize: {} }) as typeof f;
    for (const x of inputs) same(f, j, x, check);
  });

  it("an object that escapes inside the try, and a finally after a handler that writes", () => {
    const f = make<(x: number, check: (x: number) => number, sink: (o: unknown) => void) => unknown>(`function f(x, check, sink) {
      const a = { v: 1 };
      const b = { v: 2 };
      let out = 0;
      try {
        sink(a);
        out = check(x) + a.v;
      } catch (e) {
        b.v = 9;
      } finally {
        out += b.v;
      }
      return [out, a.v, b.v];
    }`);
    const j = jit(f, { specialize: {} }) as typeof f;
    const sink = (o: unknown) => { (o as { v: number }).v += 100; };
    for (const x of inputs) same(f, j, x, check, sink);
  });
});
