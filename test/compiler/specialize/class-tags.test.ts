/**
 * `Object.prototype.toString.call(x)`, the class test of pre-ES5 libraries (sift's
 * `typeChecker("Array")`, lodash's `baseGetTag`): folded where the tag cannot change
 * (a primitive, a value of a known primitive type, an object kos made, a frozen
 * plain object or array), kept where it can (an unfrozen object may get a
 * `Symbol.toStringTag`; an object's tag getter runs).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const typeOf = (v: unknown) => Object.prototype.toString.call(v);
const isArray = (v: unknown) => typeOf(v) === "[object Array]";
function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b)) return false;
  if (isArray(a)) {
    const x = a as unknown[], y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!equals(x[i], y[i])) return false;
    return true;
  }
  return false;
}
function matches(expected: unknown, value: unknown): boolean {
  return equals(expected, value);
}

describe("Object.prototype.toString.call folds where the class tag is fixed", () => {
  it("a known string: equals() is one comparison and one class test, not a walk over the string's characters", () => {
    const j = jit(matches, { specialize: { expected: "XX" } });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/\.length/);
    expect(src).not.toMatch(/toString\.call\("XX"\)/);
    for (const v of ["XX", "X", ["X", "X"], null, undefined, 0, { length: 2 }]) expect(j("XX", v)).toBe(matches("XX", v));
  });

  it("a frozen array is an Array; an unfrozen one stays a call, and a tag added later is seen", () => {
    const frozen = Object.freeze(["a", "b"]);
    expect(inspect(jit(matches, { specialize: { expected: frozen } }))!.source).not.toMatch(/toString\.call\(\$k_/);
    const open: unknown[] = ["a", "b"];
    const j = jit(matches, { specialize: { expected: open } });
    expect(j(open, ["a", "b"])).toBe(true);
    Object.defineProperty(open, Symbol.toStringTag, { value: "Tagged", configurable: true });
    expect(j(["a", "b"], ["a", "b"])).toBe(matches(["a", "b"], ["a", "b"]));
    expect(j(open, ["a", "b"])).toBe(matches(open, ["a", "b"]));
  });

  it("a dynamic object's tag getter still runs, once, in order", () => {
    const j = jit(matches, { specialize: { expected: "XX" } });
    const log: string[] = [];
    const tagged = { get [Symbol.toStringTag]() { log.push("tag"); return "String"; } };
    expect(j("XX", tagged)).toBe(matches("XX", tagged));
    expect(log).toEqual(["tag", "tag"]);
  });
});
