/**
 * forwardTemporaries moves `t = E` into the one statement that reads `t`, where only literals and
 * variable reads come first. A variable read first must be one `E` cannot write: rerun30's
 * repro-1 read `acc` before the callbacks that assign it ran (`m = x.map((v) => (acc = v));
 * return [acc, m]` became `return [acc, x.map(…)]`), on every call.
 */
import { describe, expect, it } from "vitest";
import { forwardTemporaries } from "../../../compiler/residual/forward-temporaries.js";
import { runResidualPass } from "../../support/residual-pass.js";

const pass = (fn: any) => forwardTemporaries(fn, { sourceNames: new Set() });
const outcome = (f: Function, v: unknown, w: unknown) => {
  try {
    return JSON.stringify(f(v, w));
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("forwardTemporaries", () => {
  it("keeps a call before a read of a variable a closure assigns", () => {
    for (const body of [
      "let t, acc; acc = v.base; t = w.map((x) => (acc = acc * 2 + x)); return [acc, t];",
      "let t, n; n = v.base; t = w.run(() => { n++; return 1; }); return [n, t];",
      "let t, acc; acc = v.base; w.reg(() => { acc = 99; }); t = w.fire(); return [acc, t];",
      "let t, acc; acc = v.base; t = (acc = 5, w.length); return [acc, t];",
    ]) {
      const { out, f, g } = runResidualPass(pass, body);
      let cb: Function = () => 0;
      const make = () => Object.assign([1, 2], { run: (h: Function) => h(), reg: (h: Function) => (cb = h), fire: () => (cb(), 1) });
      expect(outcome(g, { base: 3 }, make()), out).toBe(outcome(f, { base: 3 }, make()));
    }
  });

  it("still moves a call past a read of a variable nothing else can write", () => {
    const { changed, out, f, g } = runResidualPass(pass, "let t, k; k = v.base; t = w.map((x) => x * 2); return [k, t];");
    expect(changed).toBe(true);
    expect(out).toMatch(/return \[[\w.]+, w\.map/);
    expect(outcome(g, { base: 3 }, [1, 2])).toBe(outcome(f, { base: 3 }, [1, 2]));
  });

  it("writes out a shorthand property it moves an expression into", () => {
    // zod's `enum` (package sweep, 2026-12-07): `{ type, entries, ...p }` printed as `{ type, Array.isArray(…) ? … }`.
    const body = "let t, entries; entries = v.list.slice(); t = { kind: 1, entries, ...w }; return t;";
    const { changed, out, f, g } = runResidualPass(pass, body);
    expect(changed).toBe(true);
    expect(out).toMatch(/entries: v\.list\.slice\(\)/);
    expect(outcome(g, { list: [1, 2] }, { x: 3 })).toBe(outcome(f, { list: [1, 2] }, { x: 3 }));
    // `{ __proto__ }` makes an own key; written out it must stay one (`{ __proto__: v }` sets the prototype).
    const proto = runResidualPass(pass, "let t, __proto__; __proto__ = v.list.slice(); t = { __proto__ }; return Object.keys(t);");
    expect(proto.changed).toBe(true);
    expect(outcome(proto.g, { list: [1, 2] }, null)).toBe(outcome(proto.f, { list: [1, 2] }, null));
  });
});
