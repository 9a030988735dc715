/**
 * The keys guard written out per guarded object (compiler/content-guards.ts ownKeysCheck) says what
 * the shared sameOwnKeys says, on every object: same own enumerable keys in the same order, and
 * no inherited enumerable key. And a compiled version checks a folded `Object.keys` of an
 * unfrozen configuration by a for-in walk of its own (written in place), and a changed key list
 * runs the original.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";
import { ownKeysCheck, ownNamesCheck, sameOwnKeys, sameOwnNames } from "../../compiler/content-guards.js";
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

  it("a folded Object.keys of an unfrozen configuration is walked in place, and a changed key list runs the original", () => {
    function firstKey(rule: Record<string, unknown>, data: number): unknown {
      const op = Object.keys(rule)[0];
      return op === "double" ? data * 2 : op === "neg" ? -data : data;
    }
    const rule: Record<string, unknown> = { double: true };
    const f = jit(firstKey, { specialize: { rule }, strict: true });
    expect(f(rule, 3)).toBe(6);
    // Walked in place, before the test that reads its flag (compiler/keys-check-statements.ts).
    expect(inspect(f)!.source).toMatch(/for \(const \$*\w+ in \$+\w+\)/);
    expect(inspect(f)!.source).not.toMatch(/sameKeys/);
    delete rule.double;
    rule.neg = true;
    expect(f(rule, 3)).toBe(firstKey(rule, 3));
    expect(f(rule, 3)).toBe(-3);
  });
});

const writtenNames = (names: string[]): ((o: object) => boolean) => {
  const check = new Function(`return (${generateSource(ownNamesCheck(names)!)});`)() as (n: string[]) => boolean;
  return (o) => check(Object.getOwnPropertyNames(o));
};

describe("a names check written out for one object", () => {
  it("agrees with sameOwnNames on objects with the same, other, more, fewer, reordered, hidden and index names", () => {
    const lists = [[], ["a"], ["if"], ["a", "b"], ["b", "a"], ["a", "b", "c"], ["0", "a"], ["0", "length"], ["x y", "\"q\"", "\\"]];
    const hidden = Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false });
    const objects: object[] = [
      {}, { a: 1 }, { if: [] }, { a: 1, b: 2 }, { b: 1, a: 2 }, { a: 1, b: 2, c: 3 }, { 0: 1, a: 2 }, { a: 2, 0: 1 },
      { "x y": 1, "\"q\"": 2, "\\": 3 }, Object.assign(Object.create({ inherited: 1 }), { a: 1 }), Object.create(null), hidden, [1], ["a"], [],
      Object.assign(Object.create(null), { a: 1, b: 2 }), { [Symbol("s")]: 1, a: 1 },
    ];
    for (const names of lists) {
      const check = writtenNames(names);
      for (const o of objects) expect(check(o), `${JSON.stringify(names)} on ${JSON.stringify(Object.getOwnPropertyNames(o))}`).toBe(sameOwnNames(o, names));
    }
  });

  it("is used for a folded Object.getOwnPropertyNames of an unfrozen schema, and any change to the names runs as the original", () => {
    // A schema interpreter's object check, as TypeBox writes it: the names are folded and the loop
    // unrolled, and a getter on the value (foreign code) may change the schema before the next item.
    function check(schema: { properties: Record<string, string> }, values: unknown[]): string[] {
      const out: string[] = [];
      for (const value of values) {
        const known = Object.getOwnPropertyNames(schema.properties);
        for (const key of known) {
          const v = (value as Record<string, unknown>)[key];
          if (typeof v !== schema.properties[key]) out.push(`${key}:${typeof v}`);
        }
      }
      return out;
    }
    const schema = { properties: { a: "string", b: "number" } as Record<string, string> };
    const f = jit(check, { specialize: { schema }, strict: true });
    expect(inspect(f)!.source).toMatch(/function \$+\w*ownNames\d+\(n\)/);
    expect(inspect(f)!.source).not.toMatch(/sameNames/);
    const outcome = (g: typeof check, values: unknown[]) => {
      try {
        return { value: g(schema, values) };
      } catch (e) {
        return { error: (e as Error).constructor.name, message: (e as Error).message };
      }
    };
    const inputs: unknown[][] = [[{ a: "x", b: 1 }], [{ a: 1 }, { b: "y" }], [null], [{ a: "x", b: 2, c: 3 }], []];
    const changes: Array<() => void> = [
      () => {},
      () => Object.defineProperty(schema.properties, "hidden", { value: "boolean", enumerable: false, configurable: true }),
      () => delete schema.properties.hidden,
      () => { const b = schema.properties.b!; delete schema.properties.b; schema.properties.c = "number"; schema.properties.b = b; },
      () => { delete schema.properties.c; },
      () => { const a = schema.properties.a!; delete schema.properties.a; schema.properties.a = a; },
    ];
    for (const change of changes) {
      change();
      for (const values of inputs) expect(outcome(f, values)).toEqual(outcome(check, values));
    }
    // A getter on one item adds a name before the next item is checked: that item sees it, as in the original.
    const getterInput = () => [{ get a() { schema.properties.z = "string"; return "x"; }, b: 1 }, { a: "x", b: 1 }];
    const want = outcome(check, getterInput());
    delete schema.properties.z;
    expect(outcome(f, getterInput())).toEqual(want);
    expect(want.value).toContain("z:undefined");
  });
});
