/**
 * `known.includes(v)` and `known.indexOf(v)` with `v` known, on an unfrozen array that holds `v`
 * (compiler/specialize/builtin-calls.ts, searchedItems): the fold is guarded on the length and the
 * items up to the first match, which is all the built-in reads. Items past it may change, or turn
 * into getters, without the version reading them; any change the built-in would see runs the
 * original.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Schema = { required: unknown[]; keys: string[] };

// A schema interpreter's required-key check, read again after a getter of the value may have run.
function check(schema: Schema, value: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of schema.keys) {
    const v = value[key];
    if (schema.required.includes(key) && v === undefined) out.push(`missing ${key}`);
    if (schema.required.indexOf(key) > 0) out.push(`late ${key}:${schema.required.indexOf(key)}`);
  }
  return out;
}

function outcome(f: typeof check, schema: Schema, value: Record<string, unknown>, log: string[]) {
  log.length = 0;
  try {
    return { value: f(schema, value), log: [...log] };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message, log: [...log] };
  }
}

describe("includes and indexOf of a known value on an unfrozen array", () => {
  it("guard the items up to the match only, and agree with the original under every change", () => {
    const schema: Schema = Object.freeze({ required: ["a", "b", "c", "d"], keys: Object.freeze(["a", "c", "e"]) as string[] });
    const f = jit(check, { specialize: { schema }, strict: true });
    expect(inspect(f)!.tier).toBe(1);
    const src = inspect(f)!.source!;
    // "a" is found first: its guard reads the first item only. ("c", third, is folded the same way
    // only where the specializer forks at the read of `value.c`, which depends on what the rest of the
    // loop saves (speculation.ts); "e", found nowhere, has every item read.)
    expect(src).toMatch(/\.length === 4 && \$k_ref_\d+\[0\] === "a"\)/);
    const log: string[] = [];
    const values: Array<Record<string, unknown>> = [
      {}, { a: 1, c: 2, e: 3 }, { a: undefined, c: null }, { get a() { log.push("get a"); return 1; }, c: 0 },
      { get c() { throw new RangeError("c"); } },
      { get a() { log.push("push to required"); schema.required.push("e"); return 1; } },
    ];
    const required = schema.required;
    const changes: Array<() => void> = [
      () => {},
      // Past the match of "a" and "c": both answers stand ("e" is found now).
      () => { required[3] = "e"; },
      () => { required[3] = "d"; },
      // Before a match.
      () => { required[0] = "c"; },
      () => { required[0] = "a"; required.length = 2; },
      () => { required.push("c", "d"); },
      () => { required.unshift("e"); },
    ];
    for (const change of changes) {
      change();
      for (const value of values) {
        const snapshot = [...required];
        const want = outcome(check, schema, value, log);
        required.length = 0;
        required.push(...snapshot);
        const got = outcome(f, schema, value, log);
        expect(got, `${JSON.stringify(snapshot)} ${JSON.stringify(Object.keys(value))}`).toEqual(want);
        required.length = 0;
        required.push(...snapshot);
      }
    }
  });

  it("a getter past the match is never read by the version's guards", () => {
    const required: unknown[] = ["a", "b", "c"];
    const schema: Schema = Object.freeze({ required, keys: Object.freeze(["a"]) as string[] });
    const f = jit(check, { specialize: { schema }, strict: true });
    const log: string[] = [];
    expect(f(schema, {})).toEqual(["missing a"]);
    Object.defineProperty(required, 2, { get: () => (log.push("get 2"), "c"), configurable: true });
    expect(outcome(f, schema, { a: 1 }, log)).toEqual(outcome(check, schema, { a: 1 }, log));
    expect(outcome(f, schema, {}, log)).toEqual({ value: ["missing a"], log: [] });
  });
});
