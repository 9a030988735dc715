/**
 * A for-in over an unfrozen object kos does not own (a schema's `entries`, a
 * rule table) unrolls over the keys it has at jit(), behind a guard that the
 * for-in walk still gives them. After foreign code in the body, the next key
 * is visited only while `key in obj`, as the engine's for-in does for a key
 * deleted meanwhile; keys added meanwhile are not visited, by either. valibot's
 * `object()` walks its entries this way (fixtures/real/valibot).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { withoutKeysChecks } from "../../support/compile.js";

const outcome = (f: () => unknown): string => {
  try {
    return `ok ${JSON.stringify(f())}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

/** A small interpreter: each entry's check is a function looked up by the entry's kind. */
function validate(schema: { entries: Record<string, { kind: string; min?: number }>; kinds: Record<string, (e: { min?: number }, v: unknown) => boolean> }, input: Record<string, unknown>) {
  const out: string[] = [];
  for (const key in schema.entries) {
    const entry = schema.entries[key]!;
    const value = input[key];
    if (!schema.kinds[entry.kind]!(entry, value)) out.push(key);
  }
  return out;
}

const kinds = {
  string: (_e: { min?: number }, v: unknown) => typeof v === "string",
  number: (e: { min?: number }, v: unknown) => typeof v === "number" && v >= (e.min ?? -Infinity),
};

function makeSchema() {
  return { entries: { name: { kind: "string" }, age: { kind: "number", min: 0 }, city: { kind: "string" } } as Record<string, { kind: string; min?: number }>, kinds };
}

describe("for-in over an unfrozen object", () => {
  it("unrolls over its keys: no for-in is left, and each entry's check is inlined", () => {
    const schema = makeSchema();
    const j = jit(validate, { specialize: { schema }, strict: true });
    const src = withoutKeysChecks(inspect(j)!.source!);
    expect(src).not.toMatch(/for \(const \w+ in/);
    // The check each entry names is inlined (the lookup stays only on the paths a failed guard takes).
    expect(src).toMatch(/typeof \w+ === "number" && \w+ >= 0/);
    for (const input of [{ name: "a", age: 3, city: "c" }, { name: 1, age: -1 }, {}]) expect(j(schema, input)).toEqual(validate(schema, input));
  });

  it("a key added, deleted or reordered after jit is seen on the next call", () => {
    const schema = makeSchema();
    const j = jit(validate, { specialize: { schema } });
    const input = { name: 1, age: -1, city: 2, zip: 3 };
    expect(j(schema, input)).toEqual(["name", "age", "city"]);
    schema.entries.zip = { kind: "string" };
    expect(j(schema, input)).toEqual(validate(schema, input));
    expect(j(schema, input)).toEqual(["name", "age", "city", "zip"]);
    delete schema.entries.name;
    expect(j(schema, input)).toEqual(["age", "city", "zip"]);
    const { age } = schema.entries;
    delete schema.entries.age;
    schema.entries.age = age!;
    expect(j(schema, input)).toEqual(validate(schema, input));
    expect(j(schema, input)).toEqual(["city", "zip", "age"]);
    // Array indices come first, ascending, whatever the insertion order.
    schema.entries["1"] = { kind: "number" };
    expect(j(schema, { ...input, 1: "x" })).toEqual(validate(schema, { ...input, 1: "x" }));
  });

  it("a getter on the input that deletes an entry not yet visited: that entry is skipped, as in the original", () => {
    for (const victim of ["age", "city"]) {
      const schema = makeSchema();
      const j = jit(validate, { specialize: { schema } });
      const call = (fn: typeof validate) => {
        const saved = { ...schema.entries };
        const input = { get name() { delete schema.entries[victim]; return 1; }, age: -1, city: 2 };
        const r = outcome(() => fn(schema, input));
        for (const k of Object.keys(schema.entries)) delete schema.entries[k];
        Object.assign(schema.entries, saved);
        return r;
      };
      expect(call(j)).toBe(call(validate));
      expect(call(j)).not.toContain(victim);
    }
  });

  it("a getter that adds an entry mid-loop: the new entry is not visited in that call, as in the original", () => {
    const schema = makeSchema();
    const j = jit(validate, { specialize: { schema } });
    const call = (fn: typeof validate) => {
      const input = { get name() { schema.entries.extra = { kind: "string" }; return 1; }, age: -1, city: 2 };
      const r = outcome(() => fn(schema, input));
      delete schema.entries.extra;
      return r;
    };
    expect(call(j)).toBe(call(validate));
    expect(call(j)).toBe('ok ["name","age","city"]');
  });

  it("a getter that changes an entry not yet visited: the rest of that call uses the new entry", () => {
    const schema = makeSchema();
    const j = jit(validate, { specialize: { schema } });
    const call = (fn: typeof validate) => {
      const before = schema.entries.city;
      const input = { get name() { schema.entries.city = { kind: "number" }; return 1; }, age: -1, city: 2 };
      const r = outcome(() => fn(schema, input));
      schema.entries.city = before!;
      return r;
    };
    expect(call(j)).toBe(call(validate));
    expect(call(j)).toBe('ok ["name","age"]');
  });

  it("an enumerable key its prototype gains after jit is visited, as the original visits it", () => {
    const proto: Record<string, { kind: string }> = {};
    const entries = Object.assign(Object.create(proto) as Record<string, { kind: string; min?: number }>, { name: { kind: "string" } });
    const schema = { entries, kinds };
    const j = jit(validate, { specialize: { schema } });
    expect(j(schema, { name: 1, zip: 2 })).toEqual(["name"]);
    proto.zip = { kind: "string" };
    expect(j(schema, { name: 1, zip: 2 })).toEqual(validate(schema, { name: 1, zip: 2 }));
    expect(j(schema, { name: 1, zip: 2 })).toEqual(["name", "zip"]);
  });

  it("is never frozen or changed by jit", () => {
    const schema = makeSchema();
    const before = JSON.stringify(schema.entries);
    const j = jit(validate, { specialize: { schema } });
    j(schema, { name: 1 });
    expect(Object.isFrozen(schema.entries)).toBe(false);
    expect(JSON.stringify(schema.entries)).toBe(before);
  });

  it("an object with an enumerable inherited key at jit() keeps its loop", () => {
    const entries = Object.assign(Object.create({ inherited: { kind: "string" } }) as Record<string, { kind: string }>, { name: { kind: "string" } });
    const schema = { entries, kinds };
    const j = jit(validate, { specialize: { schema } });
    expect(withoutKeysChecks(inspect(j)!.source!)).toMatch(/for \(const \w+ in/);
    expect(j(schema, { name: 1, inherited: 2 })).toEqual(["name", "inherited"]);
  });

  it("an object too big to unroll within the size limit keeps its loop, and still compiles", () => {
    const entries: Record<string, { kind: string; min?: number }> = {};
    for (let i = 0; i < 400; i++) entries[`k${i}`] = i % 2 ? { kind: "string" } : { kind: "number", min: 0 };
    const schema = { entries, kinds };
    const j = jit(validate, { specialize: { schema } });
    expect(inspect(j)!.tier).toBe(1);
    expect(withoutKeysChecks(inspect(j)!.source!)).toMatch(/for \(const \w+ in/);
    const input = Object.fromEntries(Object.keys(entries).map((k, i) => [k, i % 3 ? "s" : i]));
    expect(j(schema, input)).toEqual(validate(schema, input));
  });
});
