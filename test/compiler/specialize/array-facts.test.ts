/**
 * What a test learnt of `Array.isArray(x)` folds the same check later on the
 * path, while no foreign code has run (compiler/specialize/statements.ts
 * narrow, values.ts isArray): a validator's `typeof v !== "object" || v === null
 * || Array.isArray(v)` then `!Array.isArray(v)` checks once.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

describe("Array.isArray facts", () => {
  it("a second Array.isArray of the same value on a path where a test decided it folds; results stay the original's", () => {
    function shape(cfg: { strict: boolean }, v: unknown) {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return "not an object";
      if (cfg.strict && !Array.isArray(v)) return "object";
      return Array.isArray(v) ? "array" : "loose";
    }
    const cfg = Object.freeze({ strict: true });
    const j = jit(shape, { specialize: { cfg } });
    const src = inspect(j)!.source!;
    expect((src.match(/Array\.isArray/g) ?? []).length).toBe(1);
    for (const v of [{}, [], null, 1, "s", new Proxy([], {}), new Proxy({}, {})]) expect(j(cfg, v)).toBe(shape(cfg, v));
  });

  it("foreign code between the test and the second check keeps the second check (a proxy revoked in between throws there)", () => {
    function twice(cfg: { later: string }, o: { hook: () => void } | null, v: unknown) {
      if (Array.isArray(v)) return "array";
      o!.hook();
      return Array.isArray(v) ? cfg.later : "object";
    }
    const cfg = Object.freeze({ later: "array later" });
    const j = jit(twice, { specialize: { cfg } });
    const src = inspect(j)!.source!;
    expect((src.match(/Array\.isArray/g) ?? []).length).toBe(2);
    const run = (f: typeof twice) => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      try {
        return f(cfg, { hook: revoke }, proxy);
      } catch (e) {
        return (e as Error).constructor.name;
      }
    };
    expect(run(j)).toBe(run(twice));
    expect(run(twice)).toBe("TypeError");
  });
});
