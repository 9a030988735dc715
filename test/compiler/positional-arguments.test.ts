/**
 * Specializing by argument position: `specialize: { 0: v }` names a
 * parameter by where it is, and reaches into a rest parameter
 * (`Check(...args)`, TypeBox's signature) together with `argumentCount`,
 * and past the formals of a function that only reads its `arguments`
 * (Babel's lowering of default parameters). Tiering does the same from its
 * profiles.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit, JitError } from "../../index.js";

function check(...args: unknown[]): boolean {
  const [schema, value] = args.length === 3 ? [args[0], args[2]] : [args[0], args[1]];
  const s = schema as { kind: string; min?: number };
  if (s.kind === "number") return typeof value === "number" && (s.min === undefined || value >= s.min);
  if (s.kind === "string") return typeof value === "string";
  return false;
}
const schema = { kind: "number", min: 3 };

// TypeScript's output for an overloaded `Check(schema, value)` / `Check(schema, refs, value)`:
// the rest items are handed on to `visit`, whose first parameter is `schema`.
function visit(schema: { kind: string; min?: number }, refs: unknown[], value: unknown): boolean {
  if (schema.kind === "number") return typeof value === "number" && (schema.min === undefined || value >= schema.min) && refs.length >= 0;
  if (schema.kind === "string") return typeof value === "string";
  return false;
}
function forwardingCheck(...args: any[]): boolean {
  return args.length === 3 ? visit(args[0], args[1], args[2]) : visit(args[0], [], args[1]);
}
function writesItsArgs(...args: any[]): boolean {
  args[0] = args[0] ?? schema;
  return visit(args[0], [], args[1]);
}

describe("positional specialize keys", () => {
  it("a position of a named parameter is that parameter", () => {
    function scale(k: number, x: number) {
      return k * x;
    }
    const j = jit(scale, { specialize: { 0: 3 } });
    expect(j(3, 5)).toBe(15);
    expect(inspect(j)!.assumptions.map((a) => a.description)).toContain("k === 3");
    expect(j(4, 5)).toBe(20);
    expect(inspect(j)!.deopts).toBe(1);
  });

  it("positions inside a rest parameter, with argumentCount, fold like named ones and stay exact for other counts", () => {
    const j = jit(check, { specialize: { 0: schema }, argumentCount: 2 });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["args.length === 2", "args[0] is the specialized object (identity)"]));
    // The schema's kind is folded: no test of it is left.
    expect(info.source).not.toMatch(/"string"/);
    for (const v of [5, 2, "x", null, 3]) expect(j(schema, v)).toBe(check(schema, v));
    expect(inspect(j)!.deopts).toBe(0);
    // Three arguments, or another schema: the original runs.
    expect(j(schema, [], 1)).toBe(false);
    expect(j({ kind: "string" }, "s")).toBe(true);
    expect(inspect(j)!.deopts).toBe(2);
  });

  it("a name that is not a parameter of a rest-parameter function says how to specialize by position", () => {
    const j = jit(check, { specialize: { schema } });
    expect(inspect(j)!.fallbackReason).toMatch(/'schema' is not a simple parameter of check \(parameters: none\); its arguments from position 0 on are the rest parameter 'args': specialize them by position, e\.g\. \{ specialize: \{ 0: value \}, argumentCount: n \}/);
  });

  it("a position inside a rest parameter without argumentCount compiles at the first call, for that call's count", () => {
    const j = jit(check, { specialize: { 0: schema } });
    expect(inspect(j)!.tier).toBe(0);
    expect(j(schema, 4)).toBe(true);
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["args.length === 2", "args[0] is the specialized object (identity)"]));
    expect(j(schema, [], 1)).toBe(check(schema, [], 1));
    expect(inspect(j)!.deopts).toBe(1);
  });
});

describe("a name the rest parameter hands on", () => {
  it("`{ schema }` for `Check(...args)` is the rest item every forwarding call passes as `schema`, compiled at the first call with its argument count", () => {
    const j = jit(forwardingCheck, { specialize: { schema } });
    expect(j.name).toBe("forwardingCheck");
    expect(inspect(j)!.tier).toBe(0);
    expect(inspect(j)!.history.at(-1)!.event).toBe("waiting");
    expect(j(schema, 5)).toBe(true);
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["args.length === 2", "args[0] is the specialized object (identity)"]));
    // The schema's kind and minimum are folded (and guarded, the schema being unfrozen).
    expect(info.source).toMatch(/return typeof arg === "number" && arg >= 3/);
    expect(info.source).not.toMatch(/"string"/);
    for (const v of [3, 2, "x", null, -0, NaN]) expect(j(schema, v)).toBe(forwardingCheck(schema, v));
    // Another count, or another schema: the original runs.
    expect(j(schema, [], 4)).toBe(true);
    expect(j({ kind: "string" }, "s")).toBe(true);
    expect(inspect(j)!.deopts).toBe(2);
  });

  it("not for a function that writes its rest array, nor for a name the calls hand on from different positions", () => {
    expect(inspect(jit(writesItsArgs, { specialize: { schema } }))!.fallbackReason).toMatch(/^UNKNOWN_PARAMETER: 'schema' is not a simple parameter/);
    expect(inspect(jit(forwardingCheck, { specialize: { refs: [] } }))!.fallbackReason).toBe(null);
    expect(inspect(jit(forwardingCheck, { specialize: { value: 1 } }))!.fallbackReason).toMatch(/^UNKNOWN_PARAMETER: 'value' is not a simple parameter/);
  });
});

describe("tiering speculates on constant arguments inside a rest parameter", () => {
  it("when every call passes the same number of arguments", () => {
    const j = jit(check, { tiering: { hotCalls: 200 } });
    for (let i = 0; i < 300; i++) expect(j(schema, i % 7)).toBe(check(schema, i % 7));
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.versions![0]!.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["args.length === 2", "args[0] is the specialized object (identity)"]));
    expect(j(schema, [], 9)).toBe(check(schema, [], 9));
  });

  it("not when the count varies", () => {
    const j = jit(check, { tiering: { hotCalls: 200 } });
    for (let i = 0; i < 300; i++) {
      const args = i % 2 ? [schema, i] : [schema, [], i];
      expect(j(...args)).toBe(check(...args));
    }
    const v = inspect(j)!.versions?.[0];
    expect(v === undefined || !v.assumptions.some((a) => a.description.startsWith("args.length"))).toBe(true);
  });
});

describe("a destructured parameter is specialized by its position", () => {
  // pupa's signature: an options bag destructured with defaults, which has no name to specialize by.
  function fill(template: string, data: Record<string, unknown>, { ignoreMissing = false, transform = (v: unknown) => v }: { ignoreMissing?: boolean; transform?: (v: unknown) => unknown } = {}): string {
    return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
      const v = transform(data[key]);
      if (v === undefined) {
        if (ignoreMissing) return whole;
        throw new RangeError(`Missing a value for ${key}`);
      }
      return String(v);
    });
  }
  const options = { ignoreMissing: true, transform: (v: unknown) => (typeof v === "number" ? v * 2 : v) };

  it("explicitly, guarded by identity; other arguments there run the original", () => {
    const f = jit(fill, { specialize: { 2: options } });
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toContain("argument 2 is the specialized object (identity)");
    for (const data of [{ a: 1, b: "x" }, {}, { a: -0 }]) {
      expect(f("{a}-{b}-{z}", data, options)).toBe(fill("{a}-{b}-{z}", data, options));
      expect(f("{a}", data, { ignoreMissing: true })).toBe(fill("{a}", data, { ignoreMissing: true }));
    }
    expect(() => f("{q}", {}, undefined)).toThrow("Missing a value for q");
    // An array pattern with a default: a missing argument takes the default in the original.
    function affine(x: number, [a, b]: number[] = [1, 2]): number {
      return x * a! + b!;
    }
    const g = jit(affine, { specialize: { 1: [3, 4] } });
    expect(inspect(g)!.tier).toBe(1);
    expect([g(2, [3, 4]), g(2), g(2, [5, 6])]).toEqual([affine(2, [3, 4]), affine(2), affine(2, [5, 6])]);
  });

  it("by tiering, from a constant argument in that position", () => {
    function scaled(x: number, { scale = 1, offset = 0 }: { scale?: number; offset?: number } = {}): number {
      let s = 0;
      for (let i = 0; i < 3; i++) s += x * scale + offset;
      return s;
    }
    const O = Object.freeze({ scale: 3, offset: 1 });
    const t = jit(scaled, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 200; i++) expect(t(i, O)).toBe(scaled(i, O));
    expect(inspect(t)!.tier).toBe(1);
    expect(inspect(t)!.assumptions.map((a) => a.description)).toContain("argument 1 is the specialized object (identity)");
    expect(t(2, { scale: 1 })).toBe(scaled(2, { scale: 1 }));
  });

  it("names the position in the error for a name it does not have", () => {
    const j = jit(fill, { specialize: { ignoreMissing: true } });
    expect(inspect(j)!.fallbackReason).toMatch(/^UNKNOWN_PARAMETER: 'ignoreMissing' is not a simple parameter .*specialized by its position, e\.g\. \{ specialize: \{ 2: value \} \}/);
  });
});

// Babel's output for `function render(tpl = {}, data) { … }` (preset-env, default parameters lowered).
function render(): string {
  // eslint-disable-next-line prefer-rest-params
  var tpl = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : { parts: [] };
  // eslint-disable-next-line prefer-rest-params
  var data = arguments.length > 1 ? arguments[1] : undefined;
  var out = "";
  for (var i = 0; i < tpl.parts.length; i++) {
    var p = tpl.parts[i];
    out += p.lit !== undefined ? p.lit : String(data[p.key]);
  }
  return out;
}
const tpl = { parts: [{ lit: "Hi " }, { key: "name" }, { lit: ", you are " }, { key: "age" }] };
const sameOutcome = (f: () => unknown, g: () => unknown) => {
  let a: unknown, b: unknown, ea: unknown = null, eb: unknown = null;
  try { a = f(); } catch (e) { ea = e; }
  try { b = g(); } catch (e) { eb = e; }
  expect(ea === null ? null : String(ea)).toBe(eb === null ? null : String(eb));
  expect(Object.is(a, b)).toBe(true);
};

describe("arguments past the formals, in a function that only reads its `arguments`", () => {
  it("the name a lowered default parameter declares is its position: compiled at the first call, folded, and exact for every count", () => {
    const j = jit(render, { specialize: { tpl } });
    expect(inspect(j)!.tier).toBe(0);
    expect(j(tpl, { name: "Ada", age: 36 })).toBe("Hi Ada, you are 36");
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["arguments.length === 2", "arguments[0] is the specialized object (identity)"]));
    // The template's parts are folded into the code: no loop over them is left on the fast path.
    expect(info.source).toMatch(/"Hi " \+ String\(/);
    const calls: Array<unknown[]> = [[tpl, { name: -0, age: NaN }], [tpl], [], [undefined, {}], [tpl, { name: "x" }, 3], [{ parts: [{ lit: "other" }] }, {}], [tpl, null]];
    for (const args of calls) sameOutcome(() => (j as (...a: unknown[]) => unknown)(...args), () => (render as (...a: unknown[]) => unknown)(...args));
    expect(inspect(j)!.deopts).toBeGreaterThan(0);
  });

  it("Babel 6's lowering, default first (`arguments.length <= k || arguments[k] === undefined ? d : arguments[k]`), names its position too (humanize-plus's formatNumber, sweep17)", () => {
    function formatNumber(n: number): string {
      // eslint-disable-next-line prefer-rest-params
      var precision = arguments.length <= 1 || arguments[1] === undefined ? 0 : arguments[1];
      // eslint-disable-next-line prefer-rest-params
      var sep = arguments.length <= 2 || arguments[2] === void 0 ? "," : arguments[2];
      const fixed = Number(n).toFixed(precision);
      return fixed.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
    }
    const j = jit(formatNumber, { specialize: { precision: 2 } });
    expect(inspect(j)!.fallbackReason).toBe(null);
    expect(j(1234567.891, 2)).toBe("1,234,567.89");
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["arguments[1] === 2"]));
    const k = jit(formatNumber, { specialize: { sep: " " } });
    expect(k(1234.5, 1, " ")).toBe("1 234.5");
    const calls: Array<unknown[]> = [[1234567.891, 2], [5], [5, undefined], [5, 3], [-0, 2, "."], [NaN, 2], [1e21, 2], [12, 101]];
    for (const g of [j, k]) for (const args of calls) sameOutcome(() => (g as (...a: unknown[]) => unknown)(...args), () => (formatNumber as (...a: unknown[]) => unknown)(...args));
  });

  it("a position past the formals, with or without argumentCount", () => {
    function pick(o: Record<string, number>): number {
      // eslint-disable-next-line prefer-rest-params
      const keys: string[] = arguments.length > 1 ? arguments[1] : [];
      let s = 0;
      for (let i = 0; i < keys.length; i++) s += o[keys[i]!]!;
      return s;
    }
    const keys = Object.freeze(["a", "b"]);
    const explicit = jit(pick, { specialize: { 1: keys }, argumentCount: 2 });
    expect(inspect(explicit)!.tier).toBe(1);
    expect(inspect(explicit)!.source).not.toMatch(/for \(/);
    const atFirstCall = jit(pick, { specialize: { 1: keys } });
    for (const j of [explicit, atFirstCall]) {
      expect(j({ a: 1, b: 2 }, keys)).toBe(3);
      sameOutcome(() => (j as (...a: unknown[]) => unknown)({ a: 1 }), () => (pick as (...a: unknown[]) => unknown)({ a: 1 }));
      sameOutcome(() => (j as (...a: unknown[]) => unknown)({ a: 1 }, ["a"]), () => (pick as (...a: unknown[]) => unknown)({ a: 1 }, ["a"]));
    }
    expect(inspect(atFirstCall)!.tier).toBe(1);
  });

  it("not where `arguments` is written or handed on: the item could change, so the position is refused with a reason", () => {
    function writes(this: unknown): unknown {
      "use strict";
      // eslint-disable-next-line prefer-rest-params
      arguments[0] = 2;
      // eslint-disable-next-line prefer-rest-params
      return arguments[0];
    }
    function handsOn(): unknown {
      // eslint-disable-next-line prefer-rest-params
      const a = arguments;
      return (a[0] as number) + 1;
    }
    for (const f of [writes, handsOn]) {
      const j = jit(f, { specialize: { 0: 1 }, argumentCount: 1 });
      expect(inspect(j)!.fallbackReason).toMatch(/^UNKNOWN_PARAMETER: argument 0 is not a parameter/);
      expect((j as (x: number) => unknown)(1)).toBe((f as (x: number) => unknown)(1));
    }
    expect((jit(writes, { specialize: { 0: 1 }, argumentCount: 1 }) as (x: number) => unknown)(1)).toBe(2);
  });

  it("tiering speculates on a constant argument past the formals when every call passes the same count", () => {
    const j = jit(render, { tiering: { hotCalls: 200 } }) as (...a: unknown[]) => string;
    for (let i = 0; i < 300; i++) expect(j(tpl, { name: i, age: -i })).toBe(render.apply(null, [tpl, { name: i, age: -i }] as never));
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.versions![0]!.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["arguments.length === 2", "arguments[0] is the specialized object (identity)"]));
    sameOutcome(() => j(tpl), () => (render as (...a: unknown[]) => unknown)(tpl));
    expect(j({ parts: [{ lit: "z" }] }, {})).toBe("z");
  });

  it("tiering speculates on the count alone where the calls never pass a defaulted position, as for a missing formal (sweep39 #8)", () => {
    // Babel's output for `function fir(taps, src, out = new Float64Array(src.length))`, always called
    // with two arguments: nothing is a constant (typed arrays are not speculated on by identity),
    // but the default is taken on every call, as the modern form's stable `out === undefined` is.
    function fir(taps: Float64Array, src: Float64Array): Float64Array {
      // eslint-disable-next-line prefer-rest-params, no-var
      var out: Float64Array = arguments.length > 2 && arguments[2] !== undefined ? arguments[2] : new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) {
        let acc = 0;
        for (let j = 0; j < taps.length && j <= i; j++) acc += taps[j]! * src[i - j]!;
        out[i] = acc;
      }
      return out;
    }
    const taps = new Float64Array([0.25, 0.5, 0.25]);
    const j = jit(fir, { tiering: { hotCalls: 200 } }) as (...a: unknown[]) => Float64Array;
    for (let i = 0; i < 300; i++) {
      const src = new Float64Array(8).map((_, k) => (k * i) % 7);
      expect(Array.from(j(taps, src))).toEqual(Array.from(fir(taps, src)));
    }
    const info = inspect(j)!;
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    expect(info.versions![0]!.assumptions.map((a) => a.description)).toContain("arguments.length === 2");
    // A third argument fails the count's guard and is written into, as by the original.
    const given = new Float64Array(8);
    const src = new Float64Array(8).fill(1);
    expect(j(taps, src, given)).toBe(given);
    expect(Array.from(given)).toEqual(Array.from(fir(taps, src)));
  });
});

describe("Babel's rest lowering reads arguments[_key] in a loop", () => {
  // Babel's output for `function weighted(...ws) { … }`.
  function weighted(): number {
    // eslint-disable-next-line prefer-rest-params, no-var
    for (var _len = arguments.length, ws = new Array(_len), _key = 0; _key < _len; _key++) ws[_key] = arguments[_key];
    let s = 0;
    for (let i = 1; i < ws.length; i++) s += ws[i] * ws[0];
    return s;
  }
  it("with the count known, the copy unrolls and the known positions are constants", () => {
    const j = jit(weighted, { specialize: { 1: 2, 2: 3 }, argumentCount: 3 }) as (...a: unknown[]) => number;
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.source).not.toMatch(/_key/);
    expect(info.source).toMatch(/\[1\] = 2;/);
    for (const args of [[5, 2, 3], [-0, 2, 3], [NaN, 2, 3], [5, 2], [5, 2, 4], [], ["7", 2, 3]]) {
      expect(Object.is(j(...args), (weighted as (...a: unknown[]) => number)(...args))).toBe(true);
    }
  });
});
