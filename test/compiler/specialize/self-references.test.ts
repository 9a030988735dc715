/**
 * A compiled version is a function expression of the original's name, which
 * binds that name inside it. A recursive call the version keeps as a call
 * (`eq(a[k], b[k])`, nothing static to inline on) must call what the name
 * means in the source, the original function, not the version: through the
 * version, every nested call of a function specialized on `b` failed the
 * guard on `b`, counted a deoptimization and ran the original (dequal and
 * fast-deep-equal, specialized on the object they compare against, ran at
 * 0.55-0.84x the library).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!eq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    return true;
  }
  return false;
}

describe("a recursive function's calls of its own name", () => {
  it("call the original, not the specialized version: no guard fails on the nested calls", () => {
    const REF = Object.freeze({ x: Object.freeze({ y: 1, z: Object.freeze([1, 2]) }), w: "s" });
    const f = jit(eq, { specialize: { b: REF } });
    const inputs = [{ x: { y: 1, z: [1, 2] }, w: "s" }, { x: { y: 2, z: [1, 2] }, w: "s" }, { x: null, w: "s" }, null, REF];
    for (const a of inputs) expect(f(a, REF)).toBe(eq(a, REF));
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    // The only calls through the version are the five above, each with `b` the specialized object.
    expect(info.deopts).toBe(0);
    expect(info.calls).toBe(5);
  });
});
