/**
 * A version whose code is the original's own (compiler/nothing-specialized.ts) is not installed:
 * the function settles on the original with NOTHING_SPECIALIZED. semver's `satisfies` on a fixed
 * range, which it only passes on to `new Range(range, options)`, had compiled to its own code
 * behind a guard and ran 0.88-0.96x the original until the gain check dropped it at call 256,000.
 * A version that folds one thing still compiles.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

// A private field: kos does not inline the constructor, so a call of it stays a call.
class Parsed {
  #text: string;
  width: number;
  constructor(text: unknown, opts?: { width: number }) {
    if (typeof text !== "string") throw new TypeError("not a string");
    this.#text = text;
    this.width = opts ? opts.width : 1;
  }
  get size(): number {
    return this.#text.length * this.width;
  }
}

// semver's shape: the range is passed on, and its parameter reassigned.
function satisfies(version: unknown, range: unknown, options?: { width: number }): number | false {
  try {
    range = new Parsed(range, options);
  } catch (er) {
    return false;
  }
  return (range as Parsed).size + String(version).length;
}

const opts = Object.freeze({ width: 4 });
const outcome = (f: Function, ...args: unknown[]) => {
  try {
    return { value: f(...args) };
  } catch (e) {
    return { error: String(e) };
  }
};

describe("a version that specializes nothing", () => {
  it("settles on the original with NOTHING_SPECIALIZED, and its calls are the original's", () => {
    const f = jit(satisfies, { specialize: { range: ">=1.2.3" } });
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    // Nothing of kos on the call path: the original itself.
    expect(f).toBe(satisfies);
    for (const args of [["1.0.0", ">=1.2.3"], [7, ">=1.2.3", opts], ["x", 3], [null, undefined]]) expect(outcome(f, ...args)).toEqual(outcome(satisfies, ...args));
  });

  it("settles a parameter known to be an object that is only passed on", () => {
    const passOn = (x: unknown, o: { width: number }) => new Parsed(String(x), o).size;
    const f = jit(passOn, { specialize: { o: opts } });
    expect(inspect(f)!.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    expect(f(123, opts)).toBe(passOn(123, opts));
  });

  it("settles the tiering form, whose profile sees the range and an omitted options", () => {
    const f = jit(satisfies, { tiering: { hotCalls: 20 } });
    for (let i = 0; i < 60; i++) expect(f(`1.2.${i}`, ">=1.2.3")).toBe(satisfies(`1.2.${i}`, ">=1.2.3"));
    const info = inspect(f)!;
    expect(info.history.some((h) => /NOTHING_SPECIALIZED/.test(h.detail ?? ""))).toBe(true);
    expect(info.versions).toHaveLength(0);
    expect(f(3, 4)).toBe(false);
  });
});

describe("a version that folds one thing still compiles", () => {
  it("a property read of the known object", () => {
    const scaled = (x: unknown, o: { width: number }) => new Parsed(String(x), o).size * o.width;
    const f = jit(scaled, { specialize: { o: opts } });
    expect(inspect(f)!.tier).toBe(1);
    expect(inspect(f)!.source).toMatch(/\* 4;/);
    expect(f(123, opts)).toBe(scaled(123, opts));
  });

  it("a typeof test of the known value", () => {
    const typed = (x: { width: number } | undefined, mode: unknown) => (typeof mode === "string" ? new Parsed(mode, x) : new Parsed(String(mode), x)).size;
    const f = jit(typed, { specialize: { mode: "abc" } });
    expect(inspect(f)!.tier).toBe(1);
    expect(inspect(f)!.source).not.toMatch(/typeof/);
    expect(f(opts, "abc")).toBe(typed(opts, "abc"));
  });
});
