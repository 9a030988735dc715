/**
 * sinkClosures: a closure declared at the top of a block moves down to its first use, past an
 * early exit that never uses it, and the rest of the block from a declaration a closure captures
 * goes into a block of its own, so that the path taking the exit makes neither the closure nor the
 * context (an inlined `resolve` with its `resolvePath` helper, as a query matcher's is).
 */
import { describe, expect, it } from "vitest";
import { sinkClosures } from "../../../compiler/residual/sink-closures.js";
import { inspect, jit } from "../../../index.js";
import { runResidualPass } from "../../support/residual-pass.js";

const run = (body: string) => runResidualPass(sinkClosures, body);

const INPUTS: unknown[] = [0, 1, "a", "a.b", null, undefined, [1, 2], { a: { b: 3 } }, [{ a: 1 }, { a: 2 }]];

function same(f: Function, g: Function): void {
  for (const v of INPUTS) for (const w of INPUTS) expect(g(v, w)).toEqual(f(v, w));
}

describe("sinkClosures", () => {
  it("moves a closure past the early exit and puts the captured declaration in a block of its own", () => {
    const body = `let r; B: { let walk = function walk(o) { depth += 1; return Array.isArray(o) ? o.map(walk) : [o, depth]; }; if (typeof v !== "object" || v === null) { r = v; break B; } let depth = 0; if (Array.isArray(v)) { r = walk(v); } else { r = [walk, depth]; r = r[0](w); } } return r;`;
    const { changed, out, f, g } = run(body);
    expect(changed).toBe(true);
    // The exit comes first, then a block with `depth` and the closure.
    expect(out.indexOf("break B")).toBeLessThan(out.indexOf("let walk"));
    expect(out).toMatch(/\{\s*let depth = 0;\s*let walk = function walk/);
    same(f, g);
  });

  it("leaves a closure that is assigned, a list with a function declaration, and a closure used at once", () => {
    for (const body of [
      `let r; B: { let g = () => 1; if (v) { r = 0; break B; } g = () => 2; r = g(); } return r;`,
      `let r; B: { let g = () => h(); if (v) { r = 0; break B; } function h() { return w; } r = g(); } return r;`,
      `let r; B: { let g = () => w; r = g(); if (v) break B; r = 2; } return r;`,
    ]) {
      const { changed, f, g } = run(body);
      expect(changed).toBe(false);
      same(f, g);
    }
  });

  it("leaves a closure that an earlier closure names: a call in between may run it", () => {
    // (@jsonquerylang/jsonquery's parser declares `u = () => … f() …` before `f = () => …`, then
    // calls `u()`: moved below that call, `f` was read in its TDZ.)
    const body = `let r; B: { let u = (x) => f(x); let f = (x) => x + 1; let m = [v, w].map(u); r = f(m.length) + m[0]; } return r;`;
    const { out, f, g } = run(body);
    expect(out.indexOf("let f")).toBeLessThan(out.indexOf(".map(u)"));
    for (const a of [0, 1, 2.5]) for (const b of [0, 3]) expect(g(a, b)).toEqual(f(a, b));
  });

  it("jit: a closure an earlier closure calls keeps its place in an inlined block", () => {
    function g(xs: number[] | null) {
      if (xs) {
        const u = (v: number) => f(v);
        const f = (v: number) => v + 1;
        const r = xs.map(u);
        return f(r.length) + r[0]!;
      }
      return 0;
    }
    const j = jit(g, { specialize: {} });
    for (const xs of [[1], [2, 3], null]) expect(j(xs)).toBe(g(xs));
    expect(inspect(j)!.tier).toBe(1);
  });

  it("does not wrap where code before the declaration names what the rest declares", () => {
    const body = `let r = []; B: { let g = () => x; if (v === 0) break B; r.push(typeof x === "undefined" ? 1 : 2); let x = w; r.push(g()); } return r;`;
    const { out, f, g } = run(body);
    expect(out).not.toMatch(/\{\s*let x/);
    // (Both throw the same TDZ error on the read of x before its declaration.)
    for (const a of INPUTS) for (const b of INPUTS) {
      let e1: unknown, e2: unknown, r1: unknown, r2: unknown;
      try { r1 = f(a, b); } catch (e) { e1 = (e as Error).message; }
      try { r2 = g(a, b); } catch (e) { e2 = (e as Error).message; }
      expect([r2, e2]).toEqual([r1, e1]);
    }
  });

  it("an inlined path resolver: the helper is made only where the path is walked", () => {
    function getValue(o: any, k: string) {
      return o === null || typeof o !== "object" ? undefined : o[k];
    }
    function resolve(obj: any, selector: string) {
      if (typeof obj !== "object" || obj === null) return obj;
      if (!selector.includes(".") && !Array.isArray(obj)) return getValue(obj, selector);
      let depth = 0;
      function resolvePath(o: any, path: string): any {
        let value = o;
        for (const part of path.split(".")) {
          if (Array.isArray(value)) {
            depth += 1;
            return value.map((x: any) => resolvePath(x, part));
          }
          value = getValue(value, part);
          if (value === undefined) break;
        }
        return value;
      }
      return [resolvePath(obj, selector), depth];
    }
    const test = (doc: unknown) => [resolve(doc, "age"), resolve(doc, "a.b")];
    const f = jit(test, { specialize: {} });
    for (const doc of INPUTS) expect(f(doc)).toEqual(test(doc));
    const src = inspect(f)!.source!;
    // The first `resolve` returns before its helper is made.
    const first = src.indexOf("resolvePath");
    expect(first).toBeGreaterThan(src.indexOf(".age"));
  });
});
