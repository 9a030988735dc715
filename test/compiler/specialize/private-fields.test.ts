/**
 * A method that reads a private field of its known receiver (`this.#rules`) compiles at run
 * time: the field's value is read through the inspector, and folds when the class's source
 * writes it only in its constructor. Every other private use falls back with
 * USES_PRIVATE_NAME, naming the field and why.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Rule = { field: string; min: number };

class Matcher {
  #rules: Rule[];
  #label = "matcher";
  constructor(rules: Rule[]) {
    this.#rules = rules;
  }
  test(doc: Record<string, number>): boolean {
    const rules = this.#rules;
    for (let i = 0; i < rules.length; i++) {
      if (!(doc[rules[i]!.field]! >= rules[i]!.min)) return false;
    }
    return true;
  }
  label(): string {
    return this.#label;
  }
}

class Counter {
  #n = 0;
  bump(): number {
    this.#n++;
    return this.#n;
  }
  read(k: number): number {
    return this.#n * k;
  }
}

class WithAccessor {
  get #secret(): number {
    return 42;
  }
  read(k: number): number {
    return this.#secret + k;
  }
}

class Pair {
  #v: number;
  constructor(v: number) {
    this.#v = v;
  }
  sum(other: Pair): number {
    return this.#v + other.#v;
  }
}

describe("private fields of a known receiver", () => {
  it("a field written only in the constructor folds: the method compiles and agrees", () => {
    const m = new Matcher([{ field: "age", min: 18 }, { field: "score", min: 50 }]);
    const f = jit(m.test, { specialize: { this: m } });
    const info = inspect(f)!;
    expect(info.fallbackReason).toBeNull();
    expect(info.tier).toBe(1);
    expect(info.source).not.toContain("#rules");
    // The rules' fields fold; their unfrozen `min` is read again after `doc.age` (a getter could change it).
    expect(info.source).toContain("doc.age");
    for (const doc of [{ age: 20, score: 60 }, { age: 17, score: 99 }, { age: 30, score: 10 }, {}]) {
      expect(f.call(m, doc)).toBe(m.test(doc));
    }
    const g = jit(m.label, { specialize: { this: m } });
    expect(g.call(m)).toBe("matcher");
    expect(inspect(g)!.fallbackReason).toBeNull();
  });

  it("the array the field holds is not frozen, and a change to it is seen", () => {
    const rules = [{ field: "age", min: 18 }];
    const m = new Matcher(rules);
    const f = jit(m.test, { specialize: { this: m } });
    expect(Object.isFrozen(rules)).toBe(false);
    expect(f.call(m, { age: 20 })).toBe(true);
    rules.push({ field: "score", min: 50 });
    expect(f.call(m, { age: 20, score: 10 })).toBe(false);
    expect(m.test({ age: 20, score: 10 })).toBe(false);
  });

  it("a field a method writes falls back, naming the field and the write", () => {
    const c = new Counter();
    const f = jit(c.read, { specialize: { this: c } });
    expect(inspect(f)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME: .*#n.* can change after construction .*written in a method/);
    c.bump();
    expect(f.call(c, 3)).toBe(3);
  });

  it("a private accessor, and a field of an object not known at compile time, fall back", () => {
    const w = new WithAccessor();
    const f = jit(w.read, { specialize: { this: w } });
    expect(inspect(f)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME: .*#secret.*accessor/);
    expect(f.call(w, 1)).toBe(43);
    const p = new Pair(1);
    const g = jit(p.sum, { specialize: { this: p } });
    expect(inspect(g)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME: .*#v.* not known at compile time/);
    expect(g.call(p, new Pair(2))).toBe(3);
  });
  it("a field written as a destructuring target in a method falls back (sweep40)", () => {
    // The walker visits a pattern's property values without their Property node: a write in
    // `({ v: this.#x } = o)`, `[{ v: this.#x }] = a` or `({ ...this.#x } = o)` read as no write,
    // and the value from the constructor was folded for good.
    class A {
      #x = 1;
      bump() {
        ({ v: this.#x } = { v: this.#x + 1 });
      }
      get(k: number) {
        return this.#x * k;
      }
    }
    class B {
      #x = 1;
      bump() {
        [{ v: this.#x }] = [{ v: 2 }];
      }
      get(k: number) {
        return this.#x * k;
      }
    }
    class C {
      #x: unknown = 1;
      bump() {
        ({ ...this.#x } = { q: 2 });
      }
      get(k: number) {
        return JSON.stringify(this.#x) + k;
      }
    }
    for (const o of [new A(), new B(), new C()]) {
      const f = jit(o.get, { specialize: { this: o } });
      expect(inspect(f)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME: .*#x.* written in a method/);
      const before = f.call(o, 10);
      o.bump();
      expect(f.call(o, 10)).toBe(o.get(10));
      expect(f.call(o, 10)).not.toBe(before);
    }
  });
});
