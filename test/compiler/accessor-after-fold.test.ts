/**
 * A folded property of an unfrozen object that the program later turns into an accessor (found
 * trying unseen npm libraries, issue 10/11: an options object read by a function that tiered up).
 *
 * kos folds `opts.prefix` to its value and guards it at entry with `opts.prefix === "<"`. Once
 * `Object.defineProperty(opts, "prefix", { get })` replaces the data property, that guard's read
 * runs the getter: when the getter's value differs, the guard fails and the original runs and
 * calls the getter again (two calls where the original makes one); when it is the same value, the
 * getter runs at entry instead of where the original reads it. Results stay right.
 *
 * Not fixed: only a descriptor read (`Object.getOwnPropertyDescriptor`, which allocates) tells a
 * data property from an accessor without calling it, and every folded property of every call
 * would pay it. The skipped cases say what exactness asks for.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

function fmt(x: number, opts: { prefix: string; suffix: string }): string {
  return opts.prefix + x + opts.suffix;
}

function getterCalls(run: (o: { prefix: string; suffix: string }) => string): { value: string; calls: number } {
  const opts = { prefix: "<", suffix: ">" };
  let calls = 0;
  const warm = run(opts);
  Object.defineProperty(opts, "prefix", { get: () => (calls++, "["), configurable: true });
  return { value: warm + run(opts), calls };
}

describe("a folded data property later made an accessor", () => {
  it("the results stay the original's (tiered and explicit)", () => {
    const opts = { prefix: "<", suffix: ">" };
    const tiered = jit(fmt, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 200; i++) expect(tiered(i, opts)).toBe(fmt(i, opts));
    expect(inspect(tiered)!.tier).toBe(1);
    Object.defineProperty(opts, "prefix", { get: () => "[", configurable: true });
    expect(tiered(1, opts)).toBe("[1>");
    const o2 = { prefix: "<", suffix: ">" };
    const explicit = jit(fmt, { specialize: { opts: o2 } });
    expect(explicit(1, o2)).toBe("<1>");
    Object.defineProperty(o2, "prefix", { get: () => "[", configurable: true });
    expect(explicit(1, o2)).toBe("[1>");
  });

  // Known gap: the entry guard's read runs the new getter, and the original it falls back to runs it again.
  it.skip("the getter runs once per call, as in the original (explicit specialize)", () => {
    const expected = getterCalls((o) => fmt(1, o));
    let explicit: ((x: number, o: { prefix: string; suffix: string }) => string) | null = null;
    const got = getterCalls((o) => (explicit ??= jit(fmt, { specialize: { opts: o } }))(1, o));
    expect(got).toEqual(expected);
  });

  it.skip("the getter runs once per call, as in the original (tiered)", () => {
    const expected = getterCalls((o) => fmt(1, o));
    const tiered = jit(fmt, { tiering: { hotCalls: 50 } });
    const got = getterCalls((o) => {
      for (let i = 0; i < 200 && inspect(tiered)!.tier !== 1; i++) tiered(i, o);
      return tiered(1, o);
    });
    expect(got).toEqual(expected);
  });
});
