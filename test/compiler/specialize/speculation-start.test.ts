/**
 * Where speculation after foreign code starts. A root that reads an unfrozen
 * object it was specialized on speculates again from its first statement
 * after foreign code, as it does once one of its reads went stale: otherwise
 * the first statement of a loop over an input (`for (const item of items)
 * visit(schema.items, item)`) read the schema at run time, and a helper
 * called with nothing static stayed a call, the schema interpreted again on
 * every item.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Schema = { items: { properties: Record<string, { type: string }> } };

function visitObject(schema: Schema["items"], value: Record<string, unknown>): boolean {
  for (const k of Object.getOwnPropertyNames(schema.properties)) {
    if (typeof value[k] !== schema.properties[k]!.type) return false;
  }
  return true;
}

function checkAll(schema: Schema, items: Array<Record<string, unknown>>): boolean {
  for (const item of items) {
    if (!visitObject(schema.items, item)) return false;
  }
  return true;
}

const makeSchema = (): Schema => ({ items: { properties: { sku: { type: "string" }, qty: { type: "number" } } } });

describe("speculation from the first statement after foreign code", () => {
  it("a helper called in a loop over an input is inlined on the unfrozen schema, behind its guards", () => {
    const schema = makeSchema();
    const f = jit(checkAll, { specialize: { schema }, scope: { visitObject }, strict: true });
    const inputs = [[{ sku: "a", qty: 1 }], [{ sku: "a", qty: 1 }, { sku: 2, qty: 1 }], [], [{ sku: "a" }]];
    for (const items of inputs) expect(f(schema, items)).toBe(checkAll(schema, items));
    const src = inspect(f)!.source!;
    // Inlined: the property tests are in the compiled function, not a call of visitObject.
    expect(src).toMatch(/typeof \w+\.sku !==/);
    expect(Object.isFrozen(schema) || Object.isFrozen(schema.items)).toBe(false);
  });

  it("a getter on an item that changes the schema mid-call gives what the original gives", () => {
    const run = (wrap: (fn: typeof checkAll) => typeof checkAll) => {
      const schema = makeSchema();
      const f = wrap(checkAll);
      const sneaky = { sku: "x", get qty() {
        schema.items.properties.qty = { type: "string" };
        return 1;
      } };
      const after = { sku: "y", qty: 2 };
      return [f(schema, [{ sku: "a", qty: 1 }]), f(schema, [sneaky, after]), f(schema, [{ sku: "b", qty: "3" }])];
    };
    const plain = run((fn) => fn);
    const jitted = run((fn) => {
      // The jitted function is made on the schema this run creates: specialize on first call.
      let g: typeof checkAll | null = null;
      return ((schema, items) => (g ??= jit(fn, { specialize: { schema }, scope: { visitObject }, strict: true }) as typeof checkAll)(schema, items)) as typeof checkAll;
    });
    expect(jitted).toEqual(plain);
    expect(plain).toEqual([true, false, true]);
  });

  it("asks no Proxy whether it is frozen: not one it was specialized on, nor one of its closure", () => {
    const log: string[] = [];
    const traced = <T extends object>(target: T): T =>
      new Proxy(target, {
        isExtensible: (t) => (log.push("isExtensible"), Reflect.isExtensible(t)),
        getOwnPropertyDescriptor: (t, k) => (log.push(`gopd:${String(k)}`), Reflect.getOwnPropertyDescriptor(t, k)),
        ownKeys: (t) => (log.push("ownKeys"), Reflect.ownKeys(t)),
      });
    const table = traced({ a: 1 });
    function viaClosure(x: number) {
      return table.a + x;
    }
    function viaArgument(o: { a: number }, x: number) {
      return o.a + x;
    }
    const f = jit(viaClosure, { specialize: { x: 2 } });
    const g = jit(viaArgument, { specialize: { o: traced({ a: 5 }) } });
    expect(log).toEqual([]);
    expect(f(2)).toBe(3);
    expect(log).toEqual([]);
    expect(g(traced({ a: 5 }), 1)).toBe(6);
  });

  describe("a constructor after foreign code (`g(y); new K(x)`)", () => {
    // Made in a fresh module each time: a test below changes the class.
    const make = () =>
      new Function(`"use strict";
        class K { constructor(a) { this.a = a; } get2() { return this.a * 2; } }
        function once(x, y, g) { g(y); return new K(x).get2(); }
        function twice(x, y, g) { g(y); const k = new K(x); return k.get2() + k.a; }
        return { K, once, twice };`)() as {
        K: { prototype: object };
        once: (x: number, y: unknown, g: (y: unknown) => void) => number;
        twice: (x: number, y: unknown, g: (y: unknown) => void) => number;
      };

    it("its instance stays virtual and its method folds, behind a guard placed after the foreign call", () => {
      const m = make();
      for (const name of ["once", "twice"] as const) {
        const f = jit(m[name], { specialize: { x: 1 } });
        expect(f(1, 2, () => {})).toBe(m[name](1, 2, () => {}));
        const src = inspect(f)!.source!;
        // Before: the constructor's first field store was the first stale read after g(y), the
        // instance was made for real and get2 stayed a call.
        expect(src).toMatch(name === "once" ? /return 2;/ : /return 3;/);
        expect(src.indexOf("g(y)")).toBeLessThan(src.search(/return [23];/));
      }
    });

    it("the foreign call may give the prototype the field as an accessor: the store then runs it, as in the original", () => {
      for (const name of ["once", "twice"] as const) {
        const a = make();
        const b = make();
        const f = jit(a[name], { specialize: { x: 1 } });
        const logs: unknown[][] = [[], []];
        const hook = (m: { K: { prototype: object } }, log: unknown[]) => (y: unknown) => {
          if (y !== "install") return;
          Object.defineProperty(m.K.prototype, "a", { get: () => 20, set: (v) => log.push(v), configurable: true });
        };
        const results = [
          [f(1, 0, hook(a, logs[0]!)), f(1, "install", hook(a, logs[0]!)), f(1, 0, hook(a, logs[0]!))],
          [b[name](1, 0, hook(b, logs[1]!)), b[name](1, "install", hook(b, logs[1]!)), b[name](1, 0, hook(b, logs[1]!))],
        ];
        expect(results[0]).toEqual(results[1]);
        expect(logs[0]).toEqual(logs[1]);
        expect(logs[0]!.length).toBeGreaterThan(0);
      }
    });
  });

  describe("a constructor whose arguments may run foreign code (`new K(o.v)`: a getter)", () => {
    const make = () =>
      new Function(`"use strict";
        class K { constructor(a) { this.a = a; } get2() { return this.a * 2; } }
        function ret(x, o) { return new K(o.v + x).get2(); }
        function decl(x, o) { const k = new K(o.v); return k.get2() + k.a + x; }
        return { K, ret, decl };`)() as {
        K: { prototype: object };
        ret: (x: number, o: { v: number }) => number;
        decl: (x: number, o: { v: number }) => number;
      };

    it("the arguments are evaluated first, and the construction is speculated on after them", () => {
      const m = make();
      for (const name of ["ret", "decl"] as const) {
        const f = jit(m[name], { specialize: { x: 1 } });
        expect(f(1, { v: 2 })).toBe(m[name](1, { v: 2 }));
        const src = inspect(f)!.source!;
        // Before: `return new K(o.v + 1).get2()` as written, the instance made and get2 called.
        expect(src).toMatch(/return t\w* \* 2/);
        // The guard follows the arguments' read, which may have changed the prototype.
        expect(src.search(/"a" in \$k_\w+/)).toBeGreaterThan(src.search(/= o\.v/));
      }
    });

    it("a getter among the arguments that gives the prototype an accessor: the store runs it, once, as in the original", () => {
      for (const name of ["ret", "decl"] as const) {
        const a = make();
        const b = make();
        const f = jit(a[name], { specialize: { x: 1 } });
        const run = (m: typeof a, g: typeof f, log: unknown[]) => {
          const plain = { v: 2 };
          const tricky = { get v() { log.push("get"); Object.defineProperty(m.K.prototype, "a", { get: () => 20, set: (v) => log.push(v), configurable: true }); return 3; } };
          return [g(1, plain), g(1, tricky), g(1, plain)];
        };
        const logs: unknown[][] = [[], []];
        expect(run(a, f, logs[0]!)).toEqual(run(b, b[name], logs[1]!));
        expect(logs[0]).toEqual(logs[1]);
        expect(logs[0]![0]).toBe("get");
      }
    });
  });

  it("arguments evaluated before their statement on one branch of a speculation are not reused on the other (fuzz seed 5101 #515)", () => {
    const prog = new Function("c", "y", "log", `
      log.push(c.s);
      if (c.flag) log.push("flag");
      const re = new RegExp(y.w, "u");
      return re.test(y.s);`) as (c: { s: string; flag: boolean }, y: { w: string; s: string }, log: unknown[]) => boolean;
    const c = { s: "a", flag: false };
    const f = jit(prog, { specialize: { c } });
    const run = (g: typeof prog) => {
      const log: unknown[] = [];
      const out: unknown[] = [g(c, { w: "b", s: "abc" }, log)];
      c.flag = true; // the speculated branch's guard fails: the other branch runs the statement
      try {
        out.push(g(c, { w: "z", s: "abc" }, log));
      } finally {
        c.flag = false;
      }
      return [out, log];
    };
    expect(run(f)).toEqual(run(prog));
  });
});

