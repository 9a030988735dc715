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
});
