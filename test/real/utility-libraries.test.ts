/**
 * Three utility libraries kos did not write, each a shape the compiler had
 * trouble with (found trying 19 npm libraries as a user would, see issue 10's
 * closing notes):
 * - underscore's `_.pluck(list, key)` builds its iteratee with
 *   `property(key)`, then `cb` tests whether it is null, a function or an
 *   object: with the key specialized those tests used to stay, and the
 *   specialized code ran slower than the library (known-types.test.ts has the
 *   compiler's side);
 * - picomatch's matcher closes over `const posix = opts.windows`, undefined
 *   unless the option is set: the inspector shows it like a binding in its
 *   temporal dead zone, and the matcher never compiled;
 * - color-convert's conversions are `function (...args)` wrappers: jit() gives
 *   them an entry that forwards their arguments exactly.
 * Each is compared with the library on seeded inputs: values and thrown errors.
 * Two more show capabilities found on libraries tried later (issue 10): jsonschema
 * validating against a schema held in a closure (tiering reads closure inputs),
 * jsonpointer, whose escape tests use a RegExp only its own calls reach, and a
 * handlebars template, whose compiled form sits in a binding set at first use,
 * and date-fns's `format` handed a format string held in a closure.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import convert from "color-convert";
import { inspect, jit } from "../../index.js";
import { pick, seededRandom } from "../../fixtures/random.js";

const require_ = createRequire(import.meta.url);
const _ = require_("underscore") as { pluck(list: unknown[], key: string): unknown[]; where(list: unknown[], attrs: object): unknown[] };
const picomatch = require_("picomatch") as (glob: string, options?: object) => (input: string, returnObject?: boolean) => unknown;

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
};

describe("underscore", () => {
  it("_.pluck specialized on its key: no test of the iteratee it made is left, results as the library's", () => {
    const j = jit(_.pluck, { specialize: { key: "a" } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // `cb(property(key))`: the iteratee is a function kos made, so cb's tests fold.
    expect(info.source).not.toMatch(/typeof \w+ == "function"|\w+ == null\)/);
    const rnd = seededRandom(11);
    const item = () => pick(rnd, [{ a: rnd() }, { a: -0 }, { a: NaN }, { b: 1 }, null, undefined, { a: { a: 1 } }, 7, "s"]);
    for (let i = 0; i < 2000; i++) {
      const list = rnd() < 0.05 ? pick(rnd, [null, undefined, "abc", { x: { a: 1 }, y: { a: 2 } }]) : Array.from({ length: Math.floor(rnd() * 5) }, item);
      const a = outcome(() => _.pluck(list as unknown[], "a"));
      const b = outcome(() => j(list as unknown[], "a"));
      expect(b).toEqual(a);
    }
  });

  it("_.where specialized on its attributes", () => {
    const attrs = Object.freeze({ a: 1, b: "x" });
    const j = jit(_.where, { specialize: { attrs } });
    expect(inspect(j)!.tier).toBe(1);
    const rnd = seededRandom(12);
    for (let i = 0; i < 2000; i++) {
      const list = Array.from({ length: Math.floor(rnd() * 4) }, () => ({ a: pick(rnd, [1, 2, "1"]), b: pick(rnd, ["x", "y"]) }));
      expect(outcome(() => j(list, attrs))).toEqual(outcome(() => _.where(list, attrs)));
    }
  });
});

describe("picomatch", () => {
  it("a matcher whose closure holds an undefined const compiles, and matches as the library's", () => {
    const m = picomatch("src/**/*.{js,ts}");
    const j = jit(m, { specialize: {} });
    const info = inspect(j)!;
    expect(info.fallbackReason).toBeNull();
    expect(info.tier).toBe(1);
    const rnd = seededRandom(13);
    const part = () => pick(rnd, ["src", "lib", "a", "b.c", ".x", "**", "src\\\\y"]);
    for (let i = 0; i < 2000; i++) {
      const path = Array.from({ length: 1 + Math.floor(rnd() * 4) }, part).join("/") + pick(rnd, [".js", ".ts", ".css", ""]);
      const input = rnd() < 0.03 ? pick(rnd, ["", 5, null]) : path;
      const returnObject = rnd() < 0.2;
      const a = outcome(() => m(input as string, returnObject));
      const b = outcome(() => j(input as string, returnObject));
      expect(b).toEqual(a);
    }
  });
});

describe("color-convert", () => {
  it("a rest-parameter wrapper through jit(): the same results for every way of passing the channels", () => {
    const f = convert.rgb.hsl as unknown as (...args: unknown[]) => unknown;
    const j = jit(f);
    const rnd = seededRandom(14);
    for (let i = 0; i < 3000; i++) {
      const c = [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)];
      const args = pick(rnd, [[c], c, [c[0]], [], [null], [undefined]]);
      expect(outcome(() => j(...args))).toEqual(outcome(() => f(...args)));
    }
    // Settled (nothing constant): the entry still forwards exactly, `this` included.
    const info = inspect(j)!;
    expect(["fallback", 0, 1]).toContain(info.tier);
    expect(outcome(() => j.call({ t: 1 }, [1, 2, 3]))).toEqual(outcome(() => f.call({ t: 1 }, [1, 2, 3])));
  });
});

describe("jsonschema (closure inputs)", () => {
  it("a handler that validates against a module-level schema tiers up on its closure, with no constant argument", () => {
    const jsonschema = require_("jsonschema") as { validate(doc: unknown, schema: object): { valid: boolean; errors: Array<{ stack: string }> } };
    // Not frozen: the caller's schema, guarded in the version, never frozen by kos.
    const schema = {
      type: "object", required: ["id", "lines"],
      properties: { id: { type: "string", minLength: 4 }, age: { type: "integer", minimum: 0 }, lines: { type: "array", items: { type: "object", required: ["q"], properties: { q: { type: "integer", minimum: 1 }, p: { type: "number" } } } } },
    };
    const check = (doc: unknown) => {
      const r = jsonschema.validate(doc, schema);
      return [r.valid, r.errors.map((e) => e.stack)];
    };
    const j = jit(check, { tiering: { hotCalls: 200 } });
    const rnd = seededRandom(13);
    const doc = () => rnd() < 0.05 ? pick(rnd, [null, 7, "x", []]) : {
      id: pick(rnd, ["abcd", "ab", 5]), age: pick(rnd, [30, -1, 2.5, "3", undefined]),
      lines: pick(rnd, [[{ q: 1, p: 2.5 }], [], [{ q: 0 }], [{ p: "x" }], null]),
    };
    for (let i = 0; i < 2000; i++) {
      const d = doc();
      expect(outcome(() => j(d))).toEqual(outcome(() => check(d)));
    }
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.history.some((e) => e.event === "closure-inputs" && e.detail.includes("`schema`"))).toBe(true);
    expect(Object.isFrozen(schema.properties)).toBe(false);
    // The caller changes its schema: the version's guards see it.
    schema.properties.id.minLength = 2;
    for (const d of [{ id: "ab", lines: [] }, { id: "a", lines: [] }]) expect(outcome(() => j(d))).toEqual(outcome(() => check(d)));
  });
});

describe("date-fns (a format held as text in a closure)", () => {
  it("a formatter over an imported format and a module string tiers up on that string, results as the library's", () => {
    const { format } = require_("date-fns") as { format(d: Date | number, f: string): string };
    const FMT = "yyyy-MM-dd HH:mm:ss 'UTC' EEE do";
    const fmt = (d: Date | number) => format(d, FMT);
    const j = jit(fmt, { tiering: { hotCalls: 200 } });
    const rnd = seededRandom(17);
    const date = () => (rnd() < 0.03 ? pick(rnd, [new Date(NaN), Number.NaN, -0, 8.64e15]) : new Date(1.7e12 + Math.floor(rnd() * 4e10)));
    for (let i = 0; i < 2000; i++) {
      const d = date();
      expect(outcome(() => j(d))).toEqual(outcome(() => fmt(d)));
    }
    const info = inspect(j)!;
    // Before, its closure held no object and it settled on the original ("no argument was stable").
    expect(info.tier).toBe(1);
    expect(info.history.some((e) => e.event === "closure-inputs" && e.detail.includes("`FMT`"))).toBe(true);
  });
});

describe("jsonpointer (a private RegExp)", () => {
  it("get specialized on a pointer: the escape tests on its parts are computed, results and throws as the library's", () => {
    const jp = require_("jsonpointer") as { get(obj: unknown, pointer: string): unknown };
    const pointer = "/a/b~1c/2/d~0e";
    const j = jit(jp.get, { specialize: { pointer } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // `untilde` tests each part against the module's `var hasExcape = /~/`: no test is left.
    expect(info.source).not.toMatch(/\.test\(/);
    const rnd = seededRandom(14);
    const doc = () => pick(rnd, [null, 7, "s", undefined, { a: pick(rnd, [null, { "b/c": pick(rnd, [[0, 1, { "d~e": pick(rnd, [1, -0, NaN, null]) }], "xyz", [], null]) }, { b: { c: 1 } }]) }]);
    for (let i = 0; i < 2000; i++) {
      const d = doc();
      expect(outcome(() => j(d, pointer))).toEqual(outcome(() => jp.get(d, pointer)));
    }
  });
});

describe("handlebars (a lazily initialised closure binding)", () => {
  it("a compiled template tiers up: its `compiled` binding, set at the first render, is read as fixed", () => {
    const Handlebars = require_("handlebars") as { compile(t: string): (ctx: unknown) => string };
    const template = Handlebars.compile("Hi {{name}}! {{#if vip}}VIP {{/if}}{{#each items}}<{{sku}}:{{qty}}>{{/each}} {{{raw}}} {{missing.deep}}");
    const j = jit(template, { tiering: { hotCalls: 100 } });
    const rnd = seededRandom(15);
    const ctx = () => pick(rnd, [null, undefined, 7, {
      name: pick(rnd, ["a<b", "bob", null, 5, -0]), vip: pick(rnd, [true, 0, "x", undefined]),
      items: pick(rnd, [[{ sku: "s", qty: 1 }, { sku: "&", qty: -0 }], [], null, "str"]), raw: pick(rnd, ["<i>", undefined]),
    }]);
    for (let i = 0; i < 2000; i++) {
      const c = ctx();
      expect(outcome(() => j(c))).toEqual(outcome(() => template(c)));
    }
    const info = inspect(j)!;
    expect(info.fallbackReason).toBeNull();
    expect(info.tier).toBe(1);
  });
});

describe("object-path (`x == null` runs no code)", () => {
  it("get specialized on a dotted path: every level of its recursive method call is inlined, results as the library's", () => {
    const objectPath = require_("object-path") as { get(obj: unknown, path: string, dflt?: unknown): unknown };
    const path = "a.b.2.c";
    const j = jit(objectPath.get, { specialize: { path } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // `objectPath.get(obj, path.split("."), …)` and its recursion on `path.slice(1)` are folded:
    // no call is left with the split path (it was `$k_ref_0.get(obj, ["a", "b", "2", "c"], …)`).
    expect(info.source).not.toMatch(/split|slice|\["a", "b"/);
    const rnd = seededRandom(16);
    const doc = () => pick(rnd, [null, undefined, 7, "s", { a: pick(rnd, [null, { b: pick(rnd, [[0, 1, { c: pick(rnd, [1, -0, NaN, null, undefined]) }], "xyz", [], { 2: { c: 5 } }]) }, {}]) }]);
    for (let i = 0; i < 2000; i++) {
      const d = doc();
      const dflt = pick(rnd, [undefined, "dflt", -0]);
      expect(outcome(() => j(d, path, dflt))).toEqual(outcome(() => objectPath.get(d, path, dflt)));
    }
  });
});
