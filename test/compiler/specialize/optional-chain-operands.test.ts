/**
 * An optional chain that the specializer moves into another expression (a
 * variable's value forwarded, an inlined callee's result) stays one operand:
 * `(o?.user).age` throws for a null `o`, where `o?.user.age` gives undefined
 * (subscript's compiled expressions returned NaN where they throw), and
 * `(o?.a).p = v` is an assignment where `o?.a.p = v` is a syntax error (the
 * compile fell back with INTERNAL). compiler/emit.ts prints it in parentheses.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type O = { user?: { age: number } | null; f?: (() => number) | null; C?: new () => { v: number } } | null | undefined;
const cfg = { k: 1 };
function getUser(o: O) {
  return o?.user;
}
function getF(o: O) {
  return o?.f;
}
const programs: Record<string, (c: typeof cfg, o: O) => unknown> = {
  forwardedLocal(c, o) {
    const u = o?.user;
    return (u as { age: number }).age + c.k;
  },
  inlinedResult(c, o) {
    return (getUser(o) as { age: number }).age + c.k;
  },
  assignedThrough(c, o) {
    (getUser(o) as { age: number }).age = c.k;
    return o!.user!.age;
  },
  updatedThrough(c, o) {
    (getUser(o) as { age: number }).age++;
    return o!.user!.age + c.k;
  },
  calledLocal(c, o) {
    const f = o?.f;
    return (f as () => number)() + c.k;
  },
};
const inputs = (): O[] => [null, undefined, {}, { user: { age: 3 }, f: () => 5 }, { user: null, f: null }];
const outcome = (f: () => unknown): string => {
  try {
    return `returned ${String(f())}`;
  } catch (e) {
    return `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
};

describe("an optional chain moved into another expression", () => {
  for (const [name, fn] of Object.entries(programs)) {
    it(`${name}: compiles and gives what the original gives`, () => {
      const f = jit(fn, { specialize: { c: cfg }, strict: true });
      expect(inspect(f)!.tier).toBe(1);
      const a = inputs();
      const b = inputs();
      for (let i = 0; i < a.length; i++) expect(outcome(() => f(cfg, a[i]))).toBe(outcome(() => fn(cfg, b[i])));
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    });
  }

  it("an inlined chain as a callee keeps its parentheses: (o?.f)() throws for a null o", () => {
    const f = jit((c: typeof cfg, o: O) => (getF(o) as () => number)() + c.k, { specialize: { c: cfg } });
    expect(() => f(cfg, null)).toThrow(TypeError);
    expect(f(cfg, { f: () => 5 })).toBe(6);
  });
});
