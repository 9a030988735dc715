/**
 * What a dynamic test that held (or failed) tells the code it guards:
 * - a variable the test itself assigns is not narrowed (`typeof x === "string"
 *   && (x = y)` held says nothing of the new x: it folded `typeof x` to
 *   "string" for a number);
 * - `x === <literal>` held makes x that primitive (not for 0, which -0 also
 *   equals), so the code it guards folds on it;
 * - so does `x === y` where y holds a known primitive (a comparator's
 *   `typeA === typeB` with `typeB` folded from a specialized operand: its
 *   `switch (typeA)` kept every case of the other types).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function assignsInTest(x: unknown, y: unknown): string {
  if (typeof x === "string" && (x = y)) return typeof x;
  return "no";
}

function assignsOnRight(x: unknown, y: unknown): unknown[] {
  let r: unknown = 0;
  if (x === "a" && (x = y)) r = x;
  return [r, x];
}

function opName(op: unknown, names: Record<string, string>): unknown {
  if (op !== "add" && op !== "sub") return null;
  if (op === "add") return names[op as string] + "!";
  return [op, typeof op];
}

function dispatch(op: unknown, names: Record<string, string>): unknown {
  let out: unknown = "none";
  switch (op) {
    case "add":
      out = names[op as string];
      break;
    case "sub":
      out = names[op as string] + "?";
    // falls through: here op may be "sub" or "neg"
    case "neg":
      out = [out, op];
      break;
    case 0:
      out = 1 / (op as number);
  }
  return out;
}

function typeName(v: unknown): string {
  const t = typeof v;
  if (t === "object") return v === null ? "null" : Array.isArray(v) ? "array" : "object";
  return t;
}

function compareTyped(a: any, b: any): unknown {
  const typeA = typeName(a);
  const typeB = typeName(b);
  if (typeA === typeB) {
    switch (typeA) {
      case "number":
      case "string":
        return a < b ? -1 : a > b ? 1 : 0;
      case "array":
        return [a.length, b.length];
      default:
        return Object.keys(a).concat(Object.keys(b));
    }
  }
  return [typeA, typeB];
}

function sameAsZero(x: unknown, y: unknown): unknown {
  if (x === y) return [1 / (x as number), typeof x];
  return null;
}

function zeroTest(x: number): unknown {
  if (x === 0) return 1 / x;
  return x;
}

describe("narrowing from dynamic tests", () => {
  it("a variable assigned inside the test keeps no fact from the test", () => {
    const j = jit(assignsInTest, { specialize: {} });
    for (const [x, y] of [["a", 5], ["a", "s"], ["a", 0], [1, 2]] as const) expect(j(x, y)).toBe(assignsInTest(x, y));
    expect(inspect(j)!.tier).toBe(1);
    const k = jit(assignsOnRight, { specialize: {} });
    for (const [x, y] of [["a", 5], ["a", 0], ["b", 1]] as const) expect(k(x, y)).toEqual(assignsOnRight(x, y));
    expect(inspect(k)!.tier).toBe(1);
  });

  it("`x === literal` held makes x known: the read it guards folds", () => {
    const names = Object.freeze({ add: "plus", sub: "minus" });
    const j = jit(opName, { specialize: { names } });
    const src = inspect(j)!.source!;
    expect(src).toContain('"plus!"');
    expect(src).not.toMatch(/names(_0)?\[/);
    for (const op of ["add", "sub", "mul", 1, null, undefined]) expect(j(op, names)).toEqual(opName(op, names));
  });

  it("a switch case entered only by its test knows the discriminant; one a case falls into does not", () => {
    const names = Object.freeze({ add: "plus", sub: "minus", neg: "negate" });
    const j = jit(dispatch, { specialize: { names } });
    const src = inspect(j)!.source!;
    expect(src).toContain('"plus"');
    expect(src).toContain('"minus?"');
    expect(src).toMatch(/out = \[out, op\]/);
    for (const op of ["add", "sub", "neg", 0, -0, "mul", undefined]) expect(j(op, names)).toEqual(dispatch(op, names));
  });

  it("`x === y` held, y a known primitive, makes x known: the switch it guards folds to its case", () => {
    const j = jit(compareTyped, { specialize: { b: 18 } });
    const src = inspect(j)!.source!;
    expect(inspect(j)!.tier).toBe(1);
    expect(src).not.toMatch(/switch|Object\.keys|length/);
    for (const a of [3, 18, 40, "18", [1], null, {}, NaN, -0]) expect(j(a, 18)).toEqual(compareTyped(a, 18));
    const k = jit(compareTyped, { specialize: { b: "m" } });
    expect(inspect(k)!.source!).not.toMatch(/switch/);
    for (const a of ["a", "m", "z", 1, undefined]) expect(k(a, "m")).toEqual(compareTyped(a, "m"));
  });

  it("`x === y` held, y known 0 or NaN, leaves x unknown", () => {
    for (const y of [0, -0, NaN]) {
      const j = jit(sameAsZero, { specialize: { y } });
      for (const x of [0, -0, NaN, 1]) expect(j(x, y)).toEqual(sameAsZero(x, y));
    }
  });

  it("`x === 0` held leaves x unknown (it may be -0)", () => {
    const j = jit(zeroTest, { specialize: {} });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(-0)).toBe(-Infinity);
    expect(j(0)).toBe(Infinity);
    expect(j(3)).toBe(3);
  });
});
