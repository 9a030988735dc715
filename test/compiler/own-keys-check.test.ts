/**
 * The keys guard written out per guarded object (compiler/content-guards.ts ownKeysCheck) says what
 * the shared sameOwnKeys says, on every object: same own enumerable keys in the same order, and
 * no inherited enumerable key. And a compiled version uses it: a folded `Object.keys` of an
 * unfrozen configuration is checked by a function of its own, and a changed key list runs the
 * original.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";
import { ownKeysCheck, sameOwnKeys } from "../../compiler/content-guards.js";
import { generateSource } from "../../compiler/emit.js";

const written = (keys: string[]): ((o: object) => boolean) => new Function(`return (${generateSource(ownKeysCheck(keys)!)});`)() as (o: object) => boolean;

describe("a keys check written out for one object", () => {
  it("agrees with sameOwnKeys on objects with the same, other, more, fewer, reordered and inherited keys", () => {
    const lists = [[], ["a"], ["if"], ["a", "b"], ["b", "a"], ["a", "b", "c"], ["0", "a"], ["x y", "\"q\"", "\\"]];
    const proto = { inherited: 1 };
    const hidden = Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false });
    const objects: object[] = [
      {}, { a: 1 }, { if: [] }, { a: 1, b: 2 }, { b: 1, a: 2 }, { a: 1, b: 2, c: 3 }, { 0: 1, a: 2 }, { a: 2, 0: 1 },
      { "x y": 1, "\"q\"": 2, "\\": 3 }, Object.assign(Object.create(proto), { a: 1 }), Object.create(null), hidden, [1], ["a"],
    ];
    for (const keys of lists) {
      const check = written(keys);
      for (const o of objects) expect(check(o), `${JSON.stringify(keys)} on ${JSON.stringify(Object.keys(o))}`).toBe(sameOwnKeys(o, keys));
    }
  });

  it("is used for a folded Object.keys of an unfrozen configuration, and a changed key list runs the original", () => {
    function firstKey(rule: Record<string, unknown>, data: number): unknown {
      const op = Object.keys(rule)[0];
      return op === "double" ? data * 2 : op === "neg" ? -data : data;
    }
    const rule: Record<string, unknown> = { double: true };
    const f = jit(firstKey, { specialize: { rule }, strict: true });
    expect(f(rule, 3)).toBe(6);
    expect(inspect(f)!.source).toMatch(/function \$+\w*ownKeys\d+\(o\)/);
    delete rule.double;
    rule.neg = true;
    expect(f(rule, 3)).toBe(firstKey(rule, 3));
    expect(f(rule, 3)).toBe(-3);
  });
});
