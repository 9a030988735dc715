/**
 * Built-ins that test a value's type without converting it (`Number.isFinite`,
 * `Number.isInteger`, `Object.is`) run no user code, whatever the value: reads
 * of specialized objects after them still fold behind the entry guards.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

describe("type tests that never convert their argument run no user code", () => {
  // bytes's format(value, options): `if (!Number.isFinite(value)) return null;` first.
  function format(value: number, options: { sep?: string; places?: number }): string | null {
    if (!Number.isFinite(value)) return null;
    const sep = options.sep || "";
    const places = options.places !== undefined ? options.places : 2;
    return value.toFixed(places) + sep + "B";
  }
  it("reads of the specialized options after Number.isFinite(value) fold behind the entry guard", () => {
    const options = { sep: " ", places: 1 };
    const j = jit(format, { specialize: { options } });
    const src = inspect(j)!.source!;
    expect(src).toMatch(/toFixed\(1\) \+ " " \+ "B"/);
    const valueOf = { valueOf() { options.places = 3; return 1; } };
    for (const v of [1.25, -0, NaN, Infinity, valueOf as unknown as number]) expect(j(v, options)).toBe(format(v, options));
    options.places = 0;
    expect(j(2.5, options)).toBe(format(2.5, options));
  });
});
