import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { readClosure, lookupBinding, functionLocation, ClosureReader } from "../../../compiler/discover/closure.js";
import { inspect, jit } from "../../../index.js";

// Fixtures are real files loaded by Node's own CommonJS loader (not vitest's
// transform), so V8 sees exactly the source written here.
const require_ = createRequire(import.meta.url);
let dir = "";
const tsOutput = [
  `"use strict";`, // 1
  `Object.defineProperty(exports, "__esModule", { value: true });`, // 2
  `exports.compile = exports.bump = void 0;`, // 3
  `const path_1 = require("path");`, // 4
  `var LIMIT = 10;`, // 5
  `let count = 0;`, // 6
  `const ops = { "+": (a, b) => a + b };`, // 7
  `function helper(x) { return x * 2; }`, // 8
  `class Box { get(v) { return helper(v) + LIMIT + ops["+"](1, 2); } }`, // 9
  `function compile(rule) {`, // 10
  `  const factor = rule.factor;`, // 11
  `  let LIMIT = -0;`, // 12
  `  return function check(v) { return v * factor + LIMIT + count + path_1.sep.length + helper(v); };`, // 13
  `}`, // 14
  `exports.compile = compile;`, // 15
  `const bump = () => { count++; };`, // 16
  `exports.bump = bump;`, // 17
  `exports.Box = Box;`, // 18
  `exports.lateReader = () => late;`, // 19
  `exports.early = exports.lateReader;`, // 20
  `let late = 7;`, // 21
  `function sloppy(a) { arguments[0] = 5; return () => a; }`, // 22
  `exports.sloppy = sloppy;`, // 23
  `for (var key in { x: 1 }) {}`, // 24
  `exports.keyReader = () => key;`, // 25
].join("\n");

let lib: any;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-closure-"));
  writeFileSync(join(dir, "lib.js"), tsOutput);
  lib = require_(join(dir, "lib.js"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readClosure on CommonJS (TypeScript output)", () => {
  it("reads a factory closure's bindings innermost first, with values, kinds and stability", () => {
    const check = lib.compile({ factor: 3 });
    const info = readClosure(check);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const names = [...info.bindings.keys()];
    // compile's own scope comes first; its `LIMIT` shadows the module's.
    // V8 lists only captured bindings: `rule` is not read by `check`, so it is absent.
    expect(names.slice(0, 2).sort()).toEqual(["LIMIT", "factor"]);
    expect(info.bindings.has("rule")).toBe(false);
    const limit = info.bindings.get("LIMIT")!;
    expect(Object.is(limit.value, -0)).toBe(true);
    expect(limit).toMatchObject({ scope: "closure", kind: "let", stable: true });
    expect(info.bindings.get("factor")).toMatchObject({ value: 3, kind: "const", stable: true, scope: "closure" });
    expect(info.bindings.get("helper")).toMatchObject({ kind: "function", stable: true, scope: "module" });
    expect(info.bindings.get("helper")!.value).toBeTypeOf("function");
    expect(info.bindings.get("path_1")!.value).toBe(require_("path"));
    expect(info.bindings.get("path_1")).toMatchObject({ kind: "const", stable: true, scope: "module" });
    const count = info.bindings.get("count")!;
    expect(count).toMatchObject({ kind: "let", stable: false, scope: "module", value: 0 });
    expect(count.unstableReason).toBe(`\`let count\` is reassigned at ${join(dir, "lib.js")}:16`);
  });

  it("returns the live value: after the library writes a binding, a new read of a new closure sees it", () => {
    const before = lookupBinding(lib.lateReader, "count")?.value;
    lib.bump();
    const fresh = lib.compile({ factor: 1 });
    expect(lookupBinding(fresh, "count")!.value).toBe((before as number ?? 0) + 1);
  });

  it("class methods close over the module scope", () => {
    const info = readClosure(lib.Box.prototype.get);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    expect(info.bindings.get("LIMIT")).toMatchObject({ value: 10, kind: "var", stable: true, scope: "module" });
    expect(info.bindings.get("ops")!.value).toEqual({ "+": expect.any(Function) });
  });

  it("flags for-in `var`s as unstable; in strict code `arguments` does not alias params", () => {
    const key = lookupBinding(lib.keyReader, "key")!;
    expect(key.stable).toBe(false);
    expect(key.unstableReason).toMatch(/`var key` is a for-in\/for-of loop variable \(.*lib\.js:24\)/);
    // lib.js is "use strict": arguments[0] = 5 does not write `a`.
    expect(lookupBinding(lib.sloppy(1), "a")).toMatchObject({ value: 1, stable: true, kind: "param" });
  });

  it("flags params written through sloppy-mode `arguments` as unstable, naming the line", () => {
    writeFileSync(join(dir, "sloppy.js"), "function sloppy(a) {\n  arguments[0] = 5;\n  return () => a;\n}\nexports.sloppy = sloppy;\n");
    const a = lookupBinding(require_(join(dir, "sloppy.js")).sloppy(1), "a")!;
    expect(a.value).toBe(5);
    expect(a.stable).toBe(false);
    expect(a.unstableReason).toMatch(/`param a` can be written through the sloppy-mode `arguments` object \(.*sloppy\.js:2\)/);
  });

  it("knows where the function's text starts in the file", () => {
    const loc = functionLocation(lib.compile({ factor: 1 }))!;
    expect(loc.file).toBe(join(dir, "lib.js"));
    expect(loc.line).toBe(13);
    expect(loc.column).toBe(tsOutput.split("\n")[12]!.indexOf("function check") + 1);
    expect(loc.exact).toBe(true);
    const arrow = functionLocation(lib.bump)!;
    expect([arrow.line, arrow.column]).toEqual([16, 14]); // `const bump = ` is 13 characters
  });

  it("caches per function and leaves nothing on globalThis", () => {
    const fn = lib.compile({ factor: 2 });
    const before = Reflect.ownKeys(globalThis).length;
    const a = readClosure(fn);
    expect(readClosure(fn)).toBe(a);
    expect(Reflect.ownKeys(globalThis).length).toBe(before);
    expect(Reflect.ownKeys(globalThis).some((k) => String(k).includes("kos_discover"))).toBe(false);
  });
});

describe("readClosure edge cases", () => {
  it("flags a binding read in its temporal dead zone", () => {
    writeFileSync(join(dir, "tdz.js"), "exports.make = (probe) => { probe(() => y); let y = 1; return () => y; };\n");
    const m = require_(join(dir, "tdz.js"));
    let during: ReturnType<typeof readClosure> | null = null;
    const after = m.make((f: Function) => { during = readClosure(f); });
    const d = during as unknown as { ok: true; bindings: Map<string, { tdz?: boolean; value: unknown }> };
    expect(d.bindings.get("y")).toMatchObject({ tdz: true, value: undefined });
    const a = readClosure(after);
    expect(a.ok && a.bindings.get("y")).toMatchObject({ value: 1 });
    expect(a.ok && a.bindings.get("y")!.tdz).toBeFalsy();
  });

  it("an undefined const read by a function expression made after it is its value, not the TDZ hole", () => {
    // picomatch's matcher reads `const posix = opts.windows` (undefined): flagged, it never compiled.
    writeFileSync(
      join(dir, "undef.js"),
      [
        "exports.make = (opts) => {",
        "  const posix = opts.windows;",
        "  let mode = opts.mode;",
        "  function declared() { return posix; }",
        "  const viaSwitch = (() => { switch (opts.k) { case 1: const s = opts.none; return () => s; default: return null; } })();",
        "  const matcher = (x) => (posix ? x.replace(/\\\\/g, '/') : x) + (mode ?? '');",
        "  return { matcher, declared, viaSwitch };",
        "};",
      ].join("\n"),
    );
    const m = require_(join(dir, "undef.js"));
    const { matcher, declared, viaSwitch } = m.make({ k: 1 });
    const r = readClosure(matcher);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.bindings.get("posix")).toMatchObject({ value: undefined, stable: true });
    expect(r.bindings.get("posix")!.tdz).toBeFalsy();
    expect(r.bindings.get("mode")!.tdz).toBeFalsy();
    // A function declaration is made when its scope is entered, before the const runs; a case of a
    // switch can jump past a declaration: both stay flagged.
    const d = readClosure(declared);
    expect(d.ok && d.bindings.get("posix")!.tdz).toBe(true);
    const w = readClosure(viaSwitch);
    expect(w.ok && w.bindings.get("s")!.tdz).toBe(true);
    // The natural jit() of the matcher compiles, with the undefined folded.
    const j = jit(matcher, { specialize: {} });
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.source).not.toMatch(/posix/);
    for (const x of ["a/b", "a\\b", ""]) expect(j(x)).toBe(matcher(x));
  });

  it("functions made with new Function see globals: builtins flagged, writable ones unstable", () => {
    const f = new Function("a", "return a + Math.PI + undefined + NaN") as Function;
    const info = readClosure(f);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    expect(info.bindings.get("Math")).toMatchObject({ scope: "global", value: Math, stable: false, builtin: true });
    expect(info.bindings.get("Math")!.unstableReason).toBe("global `Math` is a writable property of globalThis");
    expect(info.bindings.get("undefined")).toMatchObject({ scope: "global", stable: true, builtin: true });
    expect(info.bindings.get("NaN")).toMatchObject({ stable: true, builtin: true });
    expect(info.location?.file).toBe("<anonymous>");
  });

  it("refuses native and bound functions with NO_SCOPES, and non-functions", () => {
    const n = readClosure(Math.max);
    expect(n).toMatchObject({ ok: false, code: "NO_SCOPES" });
    const b = readClosure(function f() {}.bind(null));
    expect(b).toMatchObject({ ok: false, code: "NO_SCOPES" });
    expect((b as { reason: string }).reason).toMatch(/bound function/);
    expect(readClosure(42 as never)).toMatchObject({ ok: false, code: "NO_SCOPES" });
    expect(functionLocation(Math.max)).toBeNull();
  });

  it("reports INSPECTOR_UNAVAILABLE, without throwing, when node:inspector cannot load", () => {
    const reader = new ClosureReader(() => {
      throw Object.assign(new Error("Inspector is not available"), { code: "ERR_INSPECTOR_NOT_AVAILABLE" });
    });
    const r = reader.read(lib.bump);
    expect(r).toMatchObject({ ok: false, code: "INSPECTOR_UNAVAILABLE" });
    expect((r as { reason: string }).reason).toMatch(/ERR_INSPECTOR_NOT_AVAILABLE/);
    expect(reader.location(lib.bump)).toBeNull();
  });

  it("a direct eval in the declaring scope makes non-const bindings unstable", () => {
    writeFileSync(join(dir, "ev.js"), "function outer(src) { let v = 1; const c = 2; eval(src); return () => v + c; }\nexports.outer = outer;\n");
    const inner = require_(join(dir, "ev.js")).outer("v = 3");
    const info = readClosure(inner);
    expect(info.ok && info.bindings.get("v")).toMatchObject({ value: 3, stable: false });
    expect(info.ok && info.bindings.get("v")!.unstableReason).toMatch(/direct `eval` at .*ev\.js:1/);
    expect(info.ok && info.bindings.get("c")).toMatchObject({ value: 2, stable: true });
  });
});

describe("implicit bindings", () => {
  it("an arrow capturing its function's `arguments` gets the arguments object, stable unless assigned", () => {
    writeFileSync(join(dir, "args.js"), "'use strict';\nfunction outer(a) { return () => arguments[0] + a; }\nexports.f = outer(5);\n");
    const info = readClosure(require_(join(dir, "args.js")).f);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const args = info.bindings.get("arguments")!;
    expect(args).toMatchObject({ stable: true, kind: "unknown" });
    expect((args.value as ArrayLike<number>)[0]).toBe(5);
    expect(info.bindings.get("a")).toMatchObject({ kind: "param", stable: true, value: 5 }); // strict: no aliasing
  });
});

describe("classic scripts", () => {
  it("reads a script's top-level let (V8's Script scope) and sees its reassignment", async () => {
    const vm = await import("node:vm");
    // (Reassigned from itself: a write of one literal alone would leave it fixed once it held that literal.)
    const reader = vm.runInThisContext("let kosTop = 1;\nfunction kosReader() { return kosTop; }\nkosTop = kosTop + 1;\nkosReader", { filename: join(dir, "classic.js") });
    const b = lookupBinding(reader, "kosTop")!;
    expect(b).toMatchObject({ scope: "script", kind: "let", value: 2, stable: false });
    expect(b.unstableReason).toBe(`\`let kosTop\` is reassigned at ${join(dir, "classic.js")}:3`);
    const c = vm.runInThisContext("const kosConst = { a: 1 };\n(() => kosConst)", { filename: join(dir, "classic2.js") });
    expect(lookupBinding(c, "kosConst")).toMatchObject({ scope: "script", kind: "const", stable: true, value: { a: 1 } });
  });
});

describe("script cache", () => {
  it("re-parses a script whose tree was dropped from the recent set, with the same verdicts", () => {
    const mods = Array.from({ length: 12 }, (_, i) => {
      const file = join(dir, `many${i}.js`);
      writeFileSync(file, `let hits = 0;\nconst base = ${i};\nexports.f = () => base;\nexports.g = () => { hits++; return base + hits; };\n`);
      return require_(file);
    });
    for (const m of mods) expect(lookupBinding(m.f, "base")).toMatchObject({ value: expect.any(Number), stable: true });
    // g of the first module: its script's tree was dropped after 8 newer ones were parsed.
    const hits = lookupBinding(mods[0].g, "hits")!;
    expect(hits).toMatchObject({ kind: "let", stable: false, value: 0 });
    expect(hits.unstableReason).toBe(`\`let hits\` is reassigned at ${join(dir, "many0.js")}:4`);
    expect(lookupBinding(mods[0].g, "base")).toMatchObject({ kind: "const", stable: true, value: 0 });
  });
});

// sweep31 repro-2: describing each closure binding for the inspector protocol made V8 look up
// `splice` on it (its array-like test), which ran a proxy's `get` trap on the binding's prototype
// chain, and would run a getter so named.
describe("reading a closure runs nothing of the program's", () => {
  it("no trap or getter of a captured object runs, and the bindings read are the same", () => {
    const reads: string[] = [];
    const trapped = Object.create(new Proxy({}, { get: (t, k, r) => (reads.push(`trap ${String(k)}`), Reflect.get(t, k, r)) }));
    const withGetter = Object.defineProperty({ n: 1 }, "splice", { get: () => (reads.push("getter splice"), () => 0) });
    const made = (() => {
      const limit = 3;
      return (x: number) => (trapped === null || withGetter === null ? 0 : x + limit);
    })();
    const info = readClosure(made);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    expect(lookupBinding(made, "limit")).toMatchObject({ value: 3 });
    expect(lookupBinding(made, "trapped")?.value).toBe(trapped);
    expect(lookupBinding(made, "withGetter")?.value).toBe(withGetter);
    expect(reads).toEqual([]);
  });
});

describe("closure reads are not kept past their compile where they are large", () => {
  // The package sweep's ts-morph compiles ran out of a 4 GB heap: every function read kept its own
  // copy of its module's bindings for as long as it lived (compiler/discover/closure.ts).
  const makeModule = (n: number) =>
    new Function(`${Array.from({ length: n }, (_, i) => `const v${i} = ${i};`).join("\n")}\nreturn function f(x) { return x + ${Array.from({ length: n }, (_, i) => `v${i}`).join(" + ")}; };`)() as Function;

  it("a read of a large scope is read again after the compile ends; a small one stays cached", () => {
    const reader = new ClosureReader();
    const large = makeModule(150);
    const small = makeModule(5);
    const firstLarge = reader.read(large);
    const firstSmall = reader.read(small);
    expect(firstLarge.ok && firstLarge.size).toBeGreaterThan(100);
    // Within the compile, both are reused.
    expect(reader.read(large)).toBe(firstLarge);
    expect(reader.read(small)).toBe(firstSmall);
    reader.releaseDebugger();
    const again = reader.read(large);
    expect(again).not.toBe(firstLarge);
    expect(again.ok && again.bindings.get("v149")?.value).toBe(149);
    expect(reader.read(small)).toBe(firstSmall);
  });
});
