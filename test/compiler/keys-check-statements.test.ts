/**
 * Folded `Object.keys` checks walked in place (compiler/keys-check-statements.ts): the walk says
 * what the shared sameOwnKeys says on every object, the guard's parts keep their order, and a
 * rule engine over an unfrozen rule behaves as the original when a getter on the input changes
 * the rule's keys or prototypes in the middle of a call.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";
import { sameOwnKeys, type ContentGuard } from "../../compiler/content-guards.js";
import { contentGuardStatements } from "../../compiler/keys-check-statements.js";
import { generateSource } from "../../compiler/emit.js";
import type { Node } from "../../compiler/ast.js";

/** The guard `keys` of one object, as a function of that object (the written-out walk and its test). */
function walked(keys: string[]): (o: object) => boolean {
  const guard: ContentGuard = { obj: {}, key: "", value: undefined, keys };
  const made = contentGuardStatements([guard], () => ({ type: "Identifier", name: "o" }), () => null, () => "ok", "k")!;
  const body = [...made.before, { type: "ReturnStatement", argument: made.test }].map((n) => generateSource(n as Node)).join("\n");
  return new Function("o", `let ok;\n${body}`) as (o: object) => boolean;
}

describe("a keys check walked in place", () => {
  it("agrees with sameOwnKeys on objects with the same, other, more, fewer, reordered, hidden and inherited keys", () => {
    const lists = [[], ["a"], ["if"], ["a", "b"], ["b", "a"], ["a", "b", "c"], ["0", "a"], ["x y", "\"q\"", "\\"]];
    const hidden = Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false });
    const objects: object[] = [
      {}, { a: 1 }, { if: [] }, { a: 1, b: 2 }, { b: 1, a: 2 }, { a: 1, b: 2, c: 3 }, { 0: 1, a: 2 }, { a: 2, 0: 1 },
      { "x y": 1, "\"q\"": 2, "\\": 3 }, Object.assign(Object.create({ inherited: 1 }), { a: 1 }), Object.create(null), hidden, [1], ["a"],
      Object.assign(Object.create({ a: 1 }), {}), { [Symbol("s")]: 1, a: 1 },
    ];
    for (const keys of lists) {
      const check = walked(keys);
      for (const o of objects) expect(check(o), `${JSON.stringify(keys)} on ${JSON.stringify(Object.keys(o))}`).toBe(sameOwnKeys(o, keys));
    }
  });

  it("runs the guard's parts in order, each walk only where the parts before it held", () => {
    const seen: string[] = [];
    const a = { x: 1 };
    const b = { y: 2 };
    const guards: ContentGuard[] = [
      { obj: a, key: "x", value: 1 },
      { obj: a, key: "", value: undefined, keys: ["x"] },
      { obj: b, key: "y", value: 2 },
      { obj: b, key: "", value: undefined, keys: ["y"] },
    ];
    const names = new Map<unknown, string>([[a, "a"], [b, "b"]]);
    const made = contentGuardStatements(guards, (v) => ({ type: "Identifier", name: names.get(v)! }), () => null, () => "ok", "k")!;
    const src = [...made.before, { type: "ReturnStatement", argument: made.test }].map((n) => generateSource(n as Node)).join("\n");
    const run = new Function("a", "b", `let ok;\n${src}`) as (a: object, b: object) => boolean;
    expect(run(a, b)).toBe(true);
    // A getter in place of `a.x` that adds a key to `b`: the walk of `b` runs after it, and sees it.
    const a2 = { get x() { seen.push("x"); (b as Record<string, number>).z = 3; return 1; } };
    expect(run(a2, b)).toBe(false);
    expect(seen).toEqual(["x"]);
    delete (b as Record<string, number>).z;
    // A failed first part: nothing after it runs.
    const b2 = { get y() { seen.push("y"); return 2; } };
    expect(run({ x: 0 }, b2)).toBe(false);
    expect(seen).toEqual(["x"]);
  });
});

/** A small rule engine in json-logic's style: each node's one key names its operator. */
function evaluate(node: unknown, data: Record<string, unknown>): unknown {
  if (typeof node !== "object" || node === null) return node;
  if (Array.isArray(node)) return node.map((n) => evaluate(n, data));
  const keys = Object.keys(node);
  if (keys.length !== 1) return node;
  const op = keys[0]!;
  const args = (node as Record<string, unknown>)[op];
  const list = Array.isArray(args) ? args : [args];
  if (op === "var") return data[list[0] as string];
  if (op === "+") return (evaluate(list[0], data) as number) + (evaluate(list[1], data) as number);
  if (op === "if") return evaluate(list[0], data) ? evaluate(list[1], data) : evaluate(list[2], data);
  if (op === "<") return (evaluate(list[0], data) as number) < (evaluate(list[1], data) as number);
  if (op === "both") return [evaluate(list[0], data), evaluate(list[1], data)];
  throw new TypeError(`unknown operator ${op}`);
}

const makeRule = () => ({ if: [{ "<": [{ var: "a" }, 10] }, { "+": [{ var: "a" }, { var: "b" }] }, { both: [{ var: "b" }, { var: "c" }] }] });

describe("a rule engine over an unfrozen rule, its keys walked in place", () => {
  const outcome = (f: (r: unknown, d: Record<string, unknown>) => unknown, rule: unknown, data: Record<string, unknown>) => {
    try {
      return { value: f(rule, data) };
    } catch (e) {
      return { error: (e as Error).constructor.name, message: (e as Error).message };
    }
  };

  it("gives the original's values and errors on plain inputs and after changes between calls", () => {
    const rule = makeRule();
    const f = jit(evaluate, { specialize: { node: rule } });
    const inputs: Array<Record<string, unknown>> = [{ a: 1, b: 2, c: 3 }, { a: 20, b: -0, c: NaN }, { a: "1", b: 2 }, {}, { a: null, b: undefined }, { a: 5n, b: 1 }];
    for (const d of inputs) expect(outcome(f, rule, d)).toEqual(outcome(evaluate, rule, d));
    expect(inspect(f).source).toMatch(/for \(const \$*\w+ in /);
    const node = rule.if[1] as Record<string, unknown>;
    const changes: Array<() => void> = [
      () => { node.extra = 1; },
      () => { delete node.extra; },
      () => { Object.defineProperty(node, "+", { enumerable: false }); },
      () => { Object.defineProperty(node, "+", { enumerable: true }); },
      () => { const v = node["+"]; delete node["+"]; node.unknown = v; },
      () => { const v = node.unknown; delete node.unknown; node["+"] = v; },
      () => { Object.setPrototypeOf(node, { inherited: 1 }); },
      () => { Object.setPrototypeOf(node, Object.prototype); },
    ];
    for (const change of changes) {
      change();
      for (const d of inputs) expect(outcome(f, rule, d)).toEqual(outcome(evaluate, rule, d));
    }
  });

  it("follows a getter on the input that changes the rule's keys mid-call, as the original does", () => {
    const mutations: Array<(r: ReturnType<typeof makeRule>) => void> = [
      (r) => { (r.if[1] as Record<string, unknown>).extra = 1; },
      (r) => { const n = r.if[1] as Record<string, unknown>; n.both = n["+"]; delete n["+"]; },
      (r) => { Object.defineProperty(r.if[2] as object, "both", { enumerable: false }); },
      (r) => { const n = r.if[1] as Record<string, unknown>; n["-"] = n["+"]; delete n["+"]; },
      (r) => { (r.if[2] as Record<string, unknown[]>).both[1] = { var: "a" }; },
      (r) => { Object.setPrototypeOf(r.if[1] as object, Object.create(null, { seen: { value: 1, enumerable: true } })); },
    ];
    for (const mutate of mutations) {
      for (const a of [1, 20]) {
        // One rule for the jitted function, one for the original, each mutated by its own getter.
        const results = [evaluate, null].map((orig) => {
          const rule = makeRule();
          const f = orig ?? jit(evaluate, { specialize: { node: rule } });
          if (!orig) for (let i = 0; i < 3; i++) f(rule, { a: i, b: i, c: i });
          const data = { get a() { mutate(rule); return a; }, b: 2, c: 3 };
          return outcome(f, rule, data);
        });
        expect(results[1]).toEqual(results[0]);
      }
    }
  });

  it("never walks a prototype the original never looks at: the prototype is checked before the keys (a proxy's traps)", () => {
    const rule = { add: [{ get: "a" }, { lit: 2 }] };
    function run(node: unknown, data: Record<string, unknown>): unknown {
      const op = Object.keys(node as object)[0];
      const arg = (node as Record<string, unknown>)[op!];
      if (op === "get") return data[arg as string];
      if (op === "add") return (run((arg as unknown[])[0], data) as number) + (run((arg as unknown[])[1], data) as number);
      if (op === "lit") return arg;
      throw new Error(`bad ${op}`);
    }
    const f = jit(run, { specialize: { node: rule } });
    for (let i = 0; i < 3; i++) f(rule, { a: i });
    const lit = rule.add[1]!;
    const attempt = (g: typeof run) => {
      const log: string[] = [];
      const trap = new Proxy({}, {
        ownKeys: (t) => (log.push("ownKeys"), Reflect.ownKeys(t)),
        getOwnPropertyDescriptor: (t, k) => (log.push(`descriptor ${String(k)}`), Reflect.getOwnPropertyDescriptor(t, k)),
        has: (t, k) => (log.push(`has ${String(k)}`), Reflect.has(t, k)),
        get: (t, k, r) => (log.push(`get ${String(k)}`), Reflect.get(t, k, r)),
      });
      const data = { get a() { Object.setPrototypeOf(lit, trap); return 1; } };
      const out = outcome(g as never, rule, data);
      Object.setPrototypeOf(lit, Object.prototype);
      return { out, log };
    };
    expect(attempt(f)).toEqual(attempt(run));
    expect(attempt(run).log).toEqual([]);
  });
});

/** A record checker in a schema validator's style: walks its schema's entries (12 here) with for-in. */
function checkRecord(schema: { entries: Record<string, string> }, input: Record<string, unknown>): string[] {
  const issues: string[] = [];
  for (const key in schema.entries) {
    const want = schema.entries[key]!;
    if (!(key in input)) issues.push(`${key}: missing`);
    else if (typeof input[key] !== want) issues.push(`${key}: expected ${want}`);
  }
  return issues;
}

describe("a long key list (more than 8 keys) walked in place", () => {
  const makeSchema = () => ({ entries: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i % 2 ? "number" : "string"])) as Record<string, string> });
  const input = (n: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i % 3 ? i : String(i)]));

  it("agrees with sameOwnKeys for lists of 9 to 16 keys", () => {
    for (const n of [9, 12, 16]) {
      const keys = Array.from({ length: n }, (_, i) => `k${i}`);
      const check = walked(keys);
      const objects: object[] = [input(n), input(n - 1), input(n + 1), Object.fromEntries(keys.map((k) => [k, 1]).reverse()), Object.assign(Object.create({ k99: 1 }), input(n)), {}];
      for (const o of objects) expect(check(o), `${n} keys on ${JSON.stringify(Object.keys(o))}`).toBe(sameOwnKeys(o, keys));
    }
  });

  it("is written into the version (not a call of the shared check), and follows changes of the schema", () => {
    const schema = makeSchema();
    const f = jit(checkRecord, { specialize: { schema } });
    const inputs = [input(12), input(5), { ...input(12), k3: "x" }, {}];
    for (const d of inputs) expect(f(schema, d)).toEqual(checkRecord(schema, d));
    // The walk compares each key with a literal, in the version's own code.
    expect(inspect(f).source).toMatch(/for \(const \$*\w+ in [^)]*\) \{\s*if \([^)]*!== "k11"/);
    const changes: Array<() => void> = [
      () => { schema.entries.extra = "string"; },
      () => { delete schema.entries.extra; },
      () => { const v = schema.entries.k0!; delete schema.entries.k0; schema.entries.k0 = v; },
      () => { Object.setPrototypeOf(schema.entries, { inherited: "string" }); },
    ];
    for (const change of changes) {
      change();
      for (const d of inputs) expect(f(schema, d)).toEqual(checkRecord(schema, d));
    }
  });
});
