/**
 * The operand of a `throw` is the error path: a call in it stays a call
 * (compiler/specialize/inlining.ts). filtrex's coercion helpers throw
 * `new UnexpectedTypeError("number", prettyType(value))`; inlined there,
 * `prettyType` and the helpers it calls were copied into every failing
 * branch of every coercion, which doubled the residual (57 KB against 25 KB)
 * and made the version slower than the library. The error and its message
 * stay the same.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

class TypeMismatch extends TypeError {
  constructor(readonly expected: string, readonly got: string) {
    super(`Expected a ${expected}, but got a ${got} instead.`);
  }
}

function describeType(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "text";
  if (Array.isArray(value)) return "list";
  return "object";
}

function num(value: unknown): number {
  if (typeof value === "number") return value;
  throw new TypeMismatch("number", describeType(value));
}

function total(rule: { fields: string[] }, data: Record<string, unknown>): unknown {
  try {
    let sum = 0;
    for (const f of rule.fields) sum += num(data[f]) * 2;
    return sum;
  } catch (e) {
    return e;
  }
}

const rule = { fields: ["a", "b", "c", "d"] };
const outcome = (r: unknown) => (r instanceof Error ? { error: r.constructor.name, message: r.message, ...r } : r);

describe("calls in a throw's operand stay calls", () => {
  it("the helper that names the type is called, not copied into each field's check", () => {
    const fn = jit(total, { specialize: { rule } });
    const source = inspect(fn)!.source!;
    // Four coercions inlined, none with the helper's body: its "list" appears only in the helper itself.
    expect(source).not.toContain('"list"');
    expect(source).not.toContain('"text"');
  });

  it("returns the same values and the same errors as the original", () => {
    const fn = jit(total, { specialize: { rule } });
    const inputs: Record<string, unknown>[] = [
      { a: 1, b: 2, c: 3, d: 4 },
      { a: 1, b: "2", c: 3, d: 4 },
      { a: 1, b: 2, c: null, d: 4 },
      { a: [1], b: 2, c: 3, d: 4 },
      { a: 1, b: 2, c: 3 },
      { a: -0, b: NaN, c: 3, d: {} },
    ];
    for (const data of inputs) expect(outcome(fn(rule, data))).toEqual(outcome(total(rule, data)));
  });
});
