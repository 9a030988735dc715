/**
 * Specializing by argument position: `specialize: { 0: v }` names a
 * parameter by where it is, and reaches into a rest parameter
 * (`Check(...args)`, TypeBox's signature) together with `argumentCount`.
 * Tiering does the same from its profiles.
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

  it("a position inside a rest parameter without argumentCount is refused with a reason", () => {
    expect(() => jit(check, { specialize: { 0: schema }, strict: true })).toThrow(JitError);
    const j = jit(check, { specialize: { 0: schema } });
    expect(inspect(j)!.fallbackReason).toMatch(/UNKNOWN_PARAMETER: argument 0 falls in the rest parameter of check: give argumentCount/);
    expect(j(schema, 4)).toBe(true);
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
