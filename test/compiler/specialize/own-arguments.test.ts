/**
 * Reads of the compiled function's own `arguments` (compiler/specialize/own-arguments.ts): while
 * nothing else holds the object, `arguments.length` and `arguments[k]` (k within the count, or
 * absent from Object.prototype) run no code, so an unfrozen configuration read before such a read
 * is still folded after it. Where the residual may hand the object on before such a read
 * (compiler/arguments-escape.ts), or the read may run an Object.prototype getter, it counts as
 * foreign code as before. Each program is checked against the original.
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { inspect, jit } from "../../../index.js";
import { argumentsEscapeBeforeRead } from "../../../compiler/arguments-escape.js";
import { walk, type Node } from "../../../compiler/ast.js";

type Cfg = { k: number; b: number; tail: string };
const outcome = (run: () => unknown): string => {
  try {
    return `returned ${JSON.stringify(run())}`;
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};
const body = (f: Function): string => inspect(f)!.source!.replace(/\/\/# sourceMappingURL.*/, "");
/** The residual function's code after its entry guards (the last `return $k_apply…` of a failed guard). */
const afterGuards = (src: string): string => src.slice(src.lastIndexOf("$k_generic, this, arguments);"));

/** Differential: a fresh configuration for each side, the same calls. */
function agrees(make: (cfg: Cfg) => Function, calls: unknown[][], options: Record<string, unknown> = {}): Function {
  const cfgA: Cfg = { k: 1, b: 2, tail: "t" };
  const cfgB: Cfg = { k: 1, b: 2, tail: "t" };
  const original = make(cfgA);
  const jitted = jit(make(cfgB) as (...a: unknown[]) => unknown, { specialize: {}, ...options });
  for (const args of calls) {
    expect(outcome(() => jitted(...args)), `args ${String(args)}`).toBe(outcome(() => original(...args)));
    expect(cfgB).toEqual(cfgA);
  }
  return jitted;
}

describe("reads of the function's own arguments run no foreign code", () => {
  it("a configuration read before and after `arguments[1]` is folded once, guarded at entry", () => {
    const f = agrees((cfg) => function (a: unknown) { "use strict"; const x = cfg.k; const y = arguments[1]; return [x, y, cfg.b, a]; }, [[1, 2], [1], [1, { v: 3 }, 4], []]);
    expect(inspect(f)!.tier).toBe(1);
    const rest = afterGuards(body(f));
    // Both reads folded: 1 and 2, and `cfg` is not read after the guards.
    expect(rest).toMatch(/return \[1, arguments\[1\], 2, a\]/);
    expect(rest).not.toMatch(/\.b\b|\.k\b/);
  });

  it("`arguments.length` and a Babel default parameter leave the configuration folded", () => {
    const f = agrees((cfg) => function (a: unknown) {
      "use strict";
      const o = arguments.length > 1 && arguments[1] !== undefined ? arguments[1] : { q: cfg.k };
      return [arguments.length, o, cfg.b, cfg.tail];
    }, [[1], [1, undefined], [1, 2], [1, 2, 3], []]);
    const rest = afterGuards(body(f));
    expect(rest).toMatch(/q: 1/);
    expect(rest).toMatch(/, 2, "t"\]/);
  });

  it("a Babel default parameter read after foreign code: its `arguments.length > k` test shows the item is there, and kos speculates on past it", () => {
    const double = (v: number) => v * 2;
    const f = agrees((cfg) => {
      const c = cfg as Cfg & { op?: (v: number) => number };
      c.op = double;
      return function (cb: (cfg: Cfg) => void, a: number) {
        "use strict";
        cb(cfg);
        const o = arguments.length > 2 && arguments[2] !== undefined ? arguments[2] : { d: 1 };
        return [c.k, o, c.op!(a)];
      };
    }, [[() => {}, 2], [() => {}, 2, 5], [(cfg: Cfg) => { cfg.k = 7; }, 2, undefined], [(cfg: Cfg) => { cfg.k = 8; }, 3, 4]]);
    // The speculated rest: the configuration folded behind a check after the call, the item read as data.
    expect(body(f)).toMatch(/return \[1, arguments\.length > 2 && arguments\[2\] !== void 0 \? arguments\[2\] : \{/);
    // No check of Object.prototype: the test showed the item is the object's own.
    expect(body(f)).not.toMatch(/\(2 in /);
  });

  it("a helper kos inlines that reads the arguments it was handed (sprintf-js's `sprintf_format(tree, arguments)`)", () => {
    const read = (argv: IArguments, i: number) => argv[i];
    const f = agrees((cfg) => function (this: unknown, a: unknown) { "use strict"; const x = cfg.k; const y = read(arguments, 1); const z = read(arguments, 2); return [x, y, z, cfg.b, a]; }, [[1, 2, 3], [1], [1, 2]], { scope: { read } });
    expect(afterGuards(body(f))).toMatch(/return \[1, arguments\[1\], arguments\[2\], 2, a\]/);
  });

  it("an interpreter's first placeholder, read after the first argument, folds; the generic rest's dynamic reads come after it", () => {
    type Spec = { items: Array<{ t: string }> };
    function run(spec: Spec, argv: IArguments): string {
      let out = "";
      let cursor = 1;
      for (let i = 0; i < spec.items.length; i++) {
        const item = spec.items[i]!;
        const v = argv[cursor++];
        out += item.t === "a" ? "<" + String(v) + ">" : item.t + String(v);
      }
      return out;
    }
    const spec: Spec = { items: [{ t: "a" }, { t: "b" }, { t: "a" }] };
    function render(this: unknown, s: Spec): string {
      "use strict";
      return run(s, arguments);
    }
    const g = jit(render as (...a: unknown[]) => string, { specialize: { s: spec }, scope: { run } });
    for (const args of [[1, 2, 3], [1], [{ toString: () => "T" }, 2, 3, 4]]) expect(outcome(() => g(spec, ...args))).toBe(outcome(() => (render as Function)(spec, ...args)));
    // The first item's `t` folded after `argv[1]`, before any foreign code. (The later reads of
    // `argv` come after a conversion that may run foreign code: past the count they could run an
    // Object.prototype getter, which only a check there, too slow to pay, would rule out.)
    const src = body(g);
    const head = afterGuards(src.slice(0, src.indexOf("if (s.items")));
    expect(head).toMatch(/= "<" \+ String\(/);
    expect(head).not.toMatch(/=== "a"/);
    // A program change after jit() is seen, as in the original.
    spec.items[1]!.t = "a";
    expect(outcome(() => g(spec, 1, 2, 3))).toBe(outcome(() => (render as Function)(spec, 1, 2, 3)));
  });

  it("arguments handed to a call that redefines an item as a getter: reads after it run the getter, as in the original", () => {
    const redefine = (cfg: Cfg) => (args: IArguments) => Object.defineProperty(args, 0, { get() { cfg.k = 5; return "got"; } });
    agrees((cfg) => {
      const r = redefine(cfg);
      return function (a: unknown) { "use strict"; const x = cfg.k; const y = arguments[1]; r(arguments); const z = arguments[0]; return [x, y, z, cfg.k, a]; };
    }, [[1, 2], [1]]);
    // The same where kos speculates again after the call (the configuration's method is inlined
    // behind a check at that point): the getter runs after that check.
    const double = (v: number) => v * 2;
    agrees((cfg) => {
      const r = redefine(cfg);
      const c = cfg as Cfg & { op?: (v: number) => number };
      c.op = double;
      return function (a: number) { "use strict"; const x = c.k; r(arguments); const z = arguments[0]; return [x, z, c.k, c.op!(a)]; };
    }, [[1, 2], [3]]);
    // Read before the escape only: still folded.
    const f = agrees((cfg) => {
      const r = redefine(cfg);
      return function (a: unknown) { "use strict"; const x = cfg.k; const z = arguments[0]; const w = cfg.b; r(arguments); return [x, z, w, cfg.k]; };
    }, [[1, 2], []]);
    expect(afterGuards(body(f))).toMatch(/return \[1, [\w$]+, 2, \$k_obj_\d+\.k\]/);
    // In a loop, the escape of one iteration comes before the read of the next.
    agrees((cfg) => {
      const r = redefine(cfg);
      return function (n: number) { "use strict"; const out: unknown[] = []; for (let i = 0; i < n; i++) { out.push(arguments[0], cfg.k); r(arguments); } return out; };
    }, [[3], [0], [2, "x"]]);
    // Called as a method, the item gets `arguments` as `this`.
    agrees((cfg) => function (this: unknown, _f: unknown) { "use strict"; const x = cfg.k; const r = (arguments[0] as () => unknown)(); return [x, r, arguments[1], cfg.k]; }, [[function (this: IArguments) { Object.defineProperty(this, 1, { get() { return "g1"; } }); return 1; }, 2]]);
    // A write (strict: no parameter changes) and a delete.
    agrees((cfg) => function (a: unknown) { "use strict"; const x = cfg.k; arguments[0] = 9; const y = arguments[0]; return [x, y, a, cfg.b]; }, [[1, 2]]);
    agrees((cfg) => function (a: unknown) { "use strict"; const x = cfg.k; delete arguments[0]; const y = arguments[0]; return [x, y, a, cfg.b]; }, [[1, 2]]);
  });

  it("with the count guarded, an item read after a dynamic index that ran an Object.prototype getter (which made the item a getter) runs it", () => {
    const double = (v: number) => v * 2;
    const make = (cfg: Cfg & { op?: (v: number) => number }) => {
      cfg.op = double;
      return function (i: number, a: number) { "use strict"; const x = cfg.k; const d = arguments[i]; const y = arguments[1]; return [x, d, y, cfg.k, cfg.op!(a)]; };
    };
    const cfgA: Cfg = { k: 1, b: 2, tail: "" };
    const cfgB: Cfg = { k: 1, b: 2, tail: "" };
    const hook: { cfg: Cfg | null } = { cfg: null };
    const original = make(cfgA);
    const jitted = jit(make(cfgB) as (...a: unknown[]) => unknown, { specialize: {}, argumentCount: 2 });
    const run = (fn: Function, cfg: Cfg, args: unknown[]) => {
      hook.cfg = cfg;
      cfg.k = 1;
      return outcome(() => fn(...args));
    };
    expect(run(jitted, cfgB, [0, 3])).toBe(run(original, cfgA, [0, 3]));
    try {
      Object.defineProperty(Object.prototype, "5", {
        configurable: true,
        get(this: object) {
          Object.defineProperty(this, 1, { get() { if (hook.cfg) hook.cfg.k = 42; return "late"; } });
          return "p5";
        },
        set(this: object, v: unknown) {
          Object.defineProperty(this, "5", { value: v, writable: true, enumerable: true, configurable: true });
        },
      });
      for (const args of [[5, 3], [0, 3]]) expect(run(jitted, cfgB, args)).toBe(run(original, cfgA, args));
    } finally {
      delete (Object.prototype as Record<string, unknown>)["5"];
    }
    expect("5" in Object.prototype).toBe(false);
  });

  it("sloppy code's arguments mapped to its parameters: a write through either side is seen on the other, as in the original", () => {
    const make = new Function("cfg", `return {
      writesParameter: function (a) { var x = cfg.k; a = 5; return [x, arguments[0], cfg.k]; },
      writesArguments: function (a) { var x = cfg.k; arguments[0] = 6; return [x, a, cfg.b]; },
      readsOnly: function (a, b) { var x = cfg.k; var y = arguments[1]; return [x, y, a, arguments.length, cfg.b]; },
      handsOn: function (a) { var x = cfg.k; cfg.f(arguments); return [x, a, arguments[0], cfg.k]; },
    };`) as (cfg: Cfg) => Record<string, Function>;
    const writes = (args: IArguments) => {
      args[0] = "through arguments";
    };
    for (const name of ["writesParameter", "writesArguments", "readsOnly", "handsOn"]) {
      agrees((cfg) => {
        (cfg as Cfg & { f?: unknown }).f = writes;
        return make(cfg)[name]!;
      }, [[1, 2], [1], []]);
    }
    const f = jit(make({ k: 1, b: 2, tail: "" }).readsOnly! as (...a: unknown[]) => unknown, { specialize: {} });
    expect(afterGuards(body(f))).toMatch(/return \[1, arguments\[1\], a, arguments\.length, 2\]/);
  });

  it("an index past the count reads Object.prototype: a getter there runs, as in the original (the getter restored after)", () => {
    const make = (cfg: Cfg) => function (a: unknown) { "use strict"; const x = cfg.k; const y = arguments[3]; return [x, y, a, cfg.k]; };
    const dyn = (cfg: Cfg) => function (i: number) { "use strict"; const x = cfg.k; const y = arguments[i]; return [x, y, cfg.k]; };
    const cfgA: Cfg = { k: 1, b: 2, tail: "" };
    const cfgB: Cfg = { k: 1, b: 2, tail: "" };
    // The configuration the getter changes: the one of the side being run.
    const hook: { cfg: Cfg | null } = { cfg: null };
    const run = (fn: Function, cfg: Cfg, args: unknown[]) => {
      hook.cfg = cfg;
      cfg.k = 1;
      return outcome(() => fn(...args));
    };
    const original = make(cfgA);
    const jitted = jit(make(cfgB) as (...a: unknown[]) => unknown, { specialize: {} });
    // Without the getter: the read is plain (Object.prototype lacks "3", checked at entry).
    expect(run(jitted, cfgB, [1])).toBe(run(original, cfgA, [1]));
    expect(afterGuards(body(jitted))).toMatch(/return \[1, arguments\[3\], a, 1\]/);
    try {
      Object.defineProperty(Object.prototype, "3", {
        configurable: true,
        get() {
          if (hook.cfg) hook.cfg.k = 99;
          return "proto";
        },
        // Arrays kos and acorn grow past index 3 keep their own item.
        set(this: object, v: unknown) {
          Object.defineProperty(this, "3", { value: v, writable: true, enumerable: true, configurable: true });
        },
      });
      // Installed after jit(): the entry check fails, and the call runs as the original.
      for (const args of [[1], [1, 2, 3, 4]]) expect(run(jitted, cfgB, args)).toBe(run(original, cfgA, args));
      // Compiled while the getter is there: the read counts as foreign code.
      const again = jit(make(cfgB) as (...a: unknown[]) => unknown, { specialize: {} });
      for (const args of [[1], [1, 2, 3, 4]]) expect(run(again, cfgB, args)).toBe(run(original, cfgA, args));
      // A dynamic index is never taken as plain.
      const dynJitted = jit(dyn(cfgB) as (...a: unknown[]) => unknown, { specialize: {} });
      for (const args of [[3], [0, 1]]) expect(run(dynJitted, cfgB, args)).toBe(run(dyn(cfgA), cfgA, args));
    } finally {
      delete (Object.prototype as Record<string, unknown>)["3"];
    }
    expect("3" in Object.prototype).toBe(false);
    expect(run(jitted, cfgB, [1])).toBe(run(original, cfgA, [1]));
  });

  it("an Object.prototype getter installed mid-call by a callback runs at a read past the count, as in the original", () => {
    const double = (v: number) => v * 2;
    const make = (cfg: Cfg & { op?: (v: number) => number }) => {
      cfg.op = double;
      return function (cb: () => void, a: number) { "use strict"; const x = cfg.k; cb(); const y = arguments[3]; return [x, y, cfg.k, cfg.op!(a)]; };
    };
    const installer = (cfg: Cfg) => () =>
      Object.defineProperty(Object.prototype, "3", {
        configurable: true,
        get() {
          cfg.k = 77;
          return "mid";
        },
        set(this: object, v: unknown) {
          Object.defineProperty(this, "3", { value: v, writable: true, enumerable: true, configurable: true });
        },
      });
    const cfgA: Cfg = { k: 1, b: 2, tail: "" };
    const cfgB: Cfg = { k: 1, b: 2, tail: "" };
    const original = make(cfgA);
    const jitted = jit(make(cfgB) as (...a: unknown[]) => unknown, { specialize: {} });
    try {
      for (const args of [[3], [3, 4, 5, 6]]) {
        cfgA.k = cfgB.k = 1;
        const want = outcome(() => original(installer(cfgA), ...args));
        delete (Object.prototype as Record<string, unknown>)["3"];
        expect(outcome(() => jitted(installer(cfgB), ...args))).toBe(want);
        delete (Object.prototype as Record<string, unknown>)["3"];
        // Without the getter: the read after the call is plain, behind a check of Object.prototype there.
        cfgA.k = cfgB.k = 1;
        expect(outcome(() => jitted(() => {}, ...args))).toBe(outcome(() => original(() => {}, ...args)));
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>)["3"];
    }
    expect("3" in Object.prototype).toBe(false);
    // After the call, the read past the count counts as foreign code: Object.prototype is not checked there.
    expect(body(jitted)).not.toMatch(/\(3 in /);
  });
});

/** `code` parsed, and its member reads of `arguments` or of `names`, taken as plain as the specializer takes its reads. */
function marked(code: string, names: string[] = []): { fn: Node; plain: Set<Node> } {
  const plain = new Set<Node>();
  const fn = (parse(code, { ecmaVersion: "latest" }) as unknown as Node).body[0].expression as Node;
  const reached = new Set(["arguments", ...names]);
  walk(fn, (n) => {
    // Not at a variable's key (`arguments[i]`): kos marks no such read.
    if (n.type === "MemberExpression" && n.object.type === "Identifier" && reached.has(n.object.name) && !(n.computed && n.property.type === "Identifier")) plain.add(n);
  });
  return { fn, plain };
}

describe("whether the residual lets its arguments escape before a plain read (arguments-escape.ts)", () => {
  const cases: Array<[string, boolean, string[]?]> = [
    ["(function () { x = arguments[0]; y = arguments.length; })", false],
    ["(function () { x = arguments[0]; g(arguments); })", false],
    ["(function () { g(arguments); x = arguments[0]; })", true],
    ["(function () { var a; a = arguments; x = a[0]; g(a); })", false, ["a"]],
    ["(function () { var a; a = arguments; g(a); x = arguments[0]; })", true, ["a"]],
    ["(function () { for (;;) { x = arguments[0]; g(arguments); } })", true],
    ["(function () { if (c) { x = arguments[0]; } else { g(arguments); } })", false],
    ["(function () { if (c) { g(arguments); } x = arguments[0]; })", true],
    ["(function () { x = c ? arguments[0] : g(arguments); })", false],
    ["(function () { x = arguments[g(arguments)]; })", true],
    ["(function () { h(function () { return g(arguments); }); x = arguments[0]; })", false],
    ["(function () { h(() => g(arguments)); x = arguments[0]; })", true],
    ["(function () { h(() => arguments[1]); g(arguments); })", true],
    ["(function () { arguments[0] = 1; x = arguments[1]; })", true],
    ["(function () { delete arguments[0]; x = arguments[1]; })", true],
    ["(function () { arguments[0](); x = arguments[1]; })", true],
    ["(function () { x = arguments[i]; y = arguments[0]; })", true],
    ["(function () { switch (c) { default: x = arguments[0]; case g(arguments): } })", true],
    ["(function () { ({ a: arguments[0] } = o); x = arguments[1]; })", true],
    ["(function () { x = { a: arguments[0] }; g(x); })", false],
  ];
  for (const [code, escapes, names] of cases) {
    it(`${code} → ${escapes ? "escapes first" : "reads first"}`, () => {
      const { fn, plain } = marked(code, names);
      expect(argumentsEscapeBeforeRead(fn, plain)).toBe(escapes);
    });
  }

  it("a read folded to a value has no place in the code: any escape counts", () => {
    const escaping = marked("(function () { x = arguments[0]; g(arguments); })");
    expect(argumentsEscapeBeforeRead(escaping.fn, escaping.plain, [], true)).toBe(true);
    const reading = marked("(function () { x = arguments[0]; })");
    expect(argumentsEscapeBeforeRead(reading.fn, reading.plain, [], true)).toBe(false);
  });
});
