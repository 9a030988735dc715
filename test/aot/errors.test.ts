/**
 * Bad input to kos build gets a clear error naming the file and line, and
 * nothing is written half-way. Uses tiny throwaway projects.
 */
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { kosBuild } from "../../aot/build.js";
import { main } from "../../cli/build.js";
import { findAnnotatedFunctions, findJitCallSites } from "../../aot/discover.js";
import { Project } from "ts-morph";

const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

function makeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "kos-aot-"));
  roots.push(root);
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ES2022", moduleResolution: "Bundler", strict: true, rootDir: "src", outDir: "out", types: [], declaration: true, sourceMap: true }, include: ["src"] }));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, "src"), { recursive: true });
    writeFileSync(join(root, "src", name), text);
  }
  return root;
}

async function buildError(root: string, extra: object = {}): Promise<{ code: string; message: string }> {
  try {
    await kosBuild({ project: root, ...extra });
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected the build to fail");
}

describe("kos build errors", () => {
  it("a missing tsconfig", async () => {
    const root = mkdtempSync(join(tmpdir(), "kos-aot-"));
    roots.push(root);
    const e = await buildError(join(root, "nope.json"));
    expect(e.code).toBe("EBUILD_NO_TSCONFIG");
    expect(e.message).toContain(join(root, "nope.json"));
  });

  it("a syntax error, with file:line:column, leaving the previous output untouched", async () => {
    const root = makeProject({ "ok.ts": "export const a = 1;\n", "bad.ts": "export function f(x: number) {\n  return x +;\n}\n" });
    mkdirSync(join(root, "out"));
    writeFileSync(join(root, "out", "previous.js"), "// from the last good build\n");
    const e = await buildError(root);
    expect(e.code).toBe("EBUILD_SYNTAX");
    expect(e.message).toMatch(/^src\/bad\.ts:2:\d+: syntax error: Expression expected/);
    expect(readdirSync(join(root, "out"))).toEqual(["previous.js"]);
    expect(readdirSync(root).sort()).toEqual(["out", "package.json", "src", "tsconfig.json"]);
  });

  const misplaced: Array<[string, string, RegExp]> = [
    ["on a class", "export const K = 1;\n/** @kos.jit */\nexport class C { m() { return 1; } }\n", /^src\/a\.ts:2: @kos\.jit on a class declaration `C`: only top-level functions/],
    ["on a getter", "export class C {\n  /** @kos.jit */\n  get m() { return 1; }\n}\n", /^src\/a\.ts:2: @kos\.jit on a get accessor `m`: only top-level functions .* and class methods can be optimized \(getters, setters and constructors are not\)/],
    ["on an async method", "export class C {\n  /** @kos.jit */\n  async m(x: number) { return x; }\n}\n", /^src\/a\.ts:2: @kos\.jit on `m`: async functions are not optimized/],
    ["on a nested function", "export function outer() {\n  /** @kos.jit */\n  function inner(x: number) { return x; }\n  return inner(1);\n}\n", /^src\/a\.ts:2: @kos\.jit on a nested function declaration `inner`/],
    ["on a constant", "/** @kos.jit */\nexport const N = 4;\n", /^src\/a\.ts:1: @kos\.jit on a variable statement/],
    ["on an async function", "/** @kos.jit */\nexport async function f(x: number) { return x; }\n", /^src\/a\.ts:1: @kos\.jit on `f`: async functions are not optimized/],
    ["on a generator", "/** @kos.jit */\nexport function* g(x: number) { yield x; }\n", /^src\/a\.ts:1: @kos\.jit on `g`: generators are not optimized/],
    ["naming a parameter that does not exist", "/**\n * @kos.specialize m=4\n */\nexport function f(n: number) { return n; }\n", /^src\/a\.ts:1: @kos\.specialize m: `f` has no parameter named `m` \(parameters: n\)/],
    ["with a value that is not a literal", "/** @kos.specialize n=Math.random() */\nexport function f(n: number) { return n; }\n", /^src\/a\.ts:1: @kos\.specialize n=Math\.random\(\): a CallExpression is not known at build time/],
    ["with an unknown tag", "/** @kos.inline */\nexport function f(n: number) { return n; }\n", /^src\/a\.ts:1: unknown annotation @kos\.inline/],
    ["attached to nothing", "export function f(n: number) { return n; }\n/** @kos.jit */\n", /^src\/a\.ts:2: a @kos annotation that is attached to no function/],
  ];
  // Discovery runs before anything is emitted; checked on an in-memory project (no lib, so fast).
  const mem = new Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true } });
  for (const [what, source, want] of misplaced) {
    it(`an annotation ${what}`, () => {
      const sf = mem.createSourceFile(`/src/${what.replace(/\W/g, "_")}.ts`, source);
      let err: { code?: string; message?: string } = {};
      try { findAnnotatedFunctions(sf, "src/a.ts"); } catch (e) { err = e as typeof err; }
      expect(err.code).toBe("EBUILD_ANNOTATION");
      expect(err.message).toMatch(want);
    });
  }

  it("a profile that is not a kos profile", async () => {
    const root = makeProject({ "a.ts": "export function f(n: number) { return n; }\n" });
    writeFileSync(join(root, "p.json"), "{ not json");
    const e = await buildError(root, { profile: join(root, "p.json") });
    expect(e.code).toBe("EBUILD_PROFILE");
    expect(e.message).toContain("p.json");
  });

  it("the CLI prints a full build's error with its code, file and line, and exits 1; bad usage exits 2", async () => {
    const root = makeProject({ "ok.ts": "export const a = 1;\n", "a.ts": misplaced[0]![1] });
    const errors: string[] = [];
    const [orig, origWrite] = [console.error, process.stderr.write];
    // The CLI prints through console.error or process.stderr, depending on its version: capture both.
    console.error = (m: string) => void errors.push(m);
    process.stderr.write = ((m: string | Uint8Array) => errors.push(String(m)) > 0) as typeof process.stderr.write;
    try {
      expect(await main(["--project", root])).toBe(1);
      expect(await main(["--bogus"])).toBe(2);
    } finally {
      [console.error, process.stderr.write] = [orig, origWrite];
    }
    expect(errors[0]).toMatch(/^kos build: \[EBUILD_ANNOTATION\] src\/a\.ts:2: @kos\.jit on a class declaration `C`/);
  });
});

describe("kos build on a small project", () => {
  it("skips what it cannot optimize with the reason, and still emits the whole project", async () => {
    const root = makeProject({
      "a.ts": [
        "let counter = 0;",
        "/** @kos.jit */",
        "export function usesMutable(x: number) { return x + counter; }",
        "/** @kos.jit */",
        "export const double = (x: number) => x * 2;",
        "export function bump() { counter++; }",
        "",
      ].join("\n"),
    });
    const report = await kosBuild({ project: root });
    const byName = Object.fromEntries(report.functions.map((f) => [f.name, f]));
    expect(byName.usesMutable!.status).toBe("skipped");
    expect(byName.usesMutable!.reason).toMatch(/counter/);
    expect(byName.double!.status, byName.double!.reason ?? "").toBe("optimized");
    const js = readFileSync(join(root, "out", "a.js"), "utf8");
    expect(js).toMatch(/^export let {3}double = /m); // `const` → `let  `: same length, so the map still fits
    expect(existsSync(join(root, "out", "a.d.ts"))).toBe(true);
    const mod = await import(join(root, "out", "a.js") + "?t=1");
    expect(mod.double(21)).toBe(42);
    expect(mod.usesMutable(1)).toBe(1);
    mod.bump();
    expect(mod.usesMutable(1)).toBe(2);
  });
});

describe("kos build with a profile", () => {
  it("specializes on the profile's stable arguments, and tells a same-named method from a stale entry", async () => {
    const root = makeProject({
      "a.ts": [
        "export function scale(mode: number, x: number): number {",
        "  if (mode === 1) return x;",
        "  if (mode === 2) return x * 2;",
        "  return x * mode;",
        "}",
        "export class Scaler { scale(x: number) { return x * 3; } }",
        "",
      ].join("\n"),
    });
    await kosBuild({ project: root });
    const plain = await import(join(root, "out", "a.js") + "?plain");
    const { createHash } = await import("node:crypto");
    const h = (f: Function) => createHash("sha256").update(Function.prototype.toString.call(f)).digest("hex");
    const entry = (name: string, hash: string, extra: object = {}) => ({ name, file: join(root, "out", "a.js"), line: 1, column: 22, selfPercent: 20, totalPercent: 20, selfSamples: 20, totalSamples: 20, sourceHash: hash, ...extra });
    const profile = {
      version: 1, command: ["node", "x"], date: "2026-01-01T00:00:00.000Z", durationMs: 1, totalSamples: 40, source: "cpu-prof", flamegraph: null,
      hot: [
        entry("scale", h(plain.scale), { stableArgs: [{ index: 0, name: "mode", stability: "constant", value: 2 }, { index: 1, name: "x", stability: "type", type: "number" }] }),
        entry("scale", h(plain.Scaler.prototype.scale)),
      ],
    };
    writeFileSync(join(root, "p.json"), JSON.stringify(profile));
    const report = await kosBuild({ project: root, profile: join(root, "p.json") });
    const f = report.functions.find((x) => x.name === "scale")!;
    expect(f.status, f.reason ?? "").toBe("optimized");
    expect(f.specialized).toEqual(["mode = 2 (profile)"]);
    expect(f.assumptions.map((a) => a.param).sort()).toEqual(["mode", "x"]);
    // The method's entry is the method's, by its hash: it is rewritten too, not taken for a stale `scale`.
    expect(report.profileUnmatched).toEqual([]);
    const method = report.functions.find((x) => x.name === "Scaler.prototype.scale")!;
    expect(method.status, method.reason ?? "").toBe("optimized");
    expect(method.origins).toEqual(["profile"]);
    const built = await import(join(root, "out", "a.js") + "?built");
    for (const [m, x] of [[2, 5], [2, -0], [1, 5], [3, 5], [2, "4"]] as const) expect(Object.is(built.scale(m, x), plain.scale(m, x))).toBe(true);

    // The same profile after the function changed is stale: an error naming the function's line.
    writeFileSync(join(root, "src", "a.ts"), "\n" + readFileSync(join(root, "src", "a.ts"), "utf8").replace("x * mode", "x * mode + 0"));
    const e = await buildError(root, { profile: join(root, "p.json") });
    expect(e.code).toBe("EBUILD_PROFILE_STALE");
    expect(e.message).toMatch(/^src\/a\.ts:2:1: the profile was recorded from a different version of `scale`/);
  });
});

describe("jit() call-site discovery", () => {
  it("finds kos's jit under any local name and says why a site is not prebuilt", () => {
    const mem = new Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true } });
    const sf = mem.createSourceFile("/src/sites.ts", [
      'import { jit as J } from "kos";',
      'import { other } from "./other";',
      "const K = { n: 4 } as const;",
      "let mutable = 3;",
      "function f(n: number, x: number) { return n * x; }",
      "export const a = J(f, { specialize: { n: K.n } });",
      "export const b = J(f, { specialize: { n: Math.random() } });",
      "export const c = J(other, { specialize: { n: 1 } });",
      "export const d = J(f);",
      "export const e = J((x: number) => x, {});",
      "const jit = (g: unknown) => g; export const g = jit(f);", // not kos's jit
      "",
    ].join("\n"));
    const sites = findJitCallSites(sf);
    expect(sites.map((s) => [s.line, s.index, s.target?.name ?? null, s.skipReason])).toEqual([
      [6, 0, "f", null],
      [7, 1, "f", "options not known at build time: a CallExpression is not known at build time"],
      [8, 2, null, "`other` is not a top-level function of this module"],
      [9, 3, "f", "no specialize options: runtime jit profiles it instead"],
      [10, 4, null, "the first argument is not the name of a top-level function of this module"],
    ]);
    expect(sites[0]!.options).toEqual({ kind: "object", entries: [["specialize", { kind: "object", entries: [["n", { kind: "binding", name: "K", path: ["n"] }]] }]] });
  });
});

// sweep30 F4: kos type-checks with TypeScript 6, which makes options the project's own 5.x compiler
// accepts deprecation errors (TS5107 for `moduleResolution: "node"`); the build failed with
// EBUILD_TYPE and wrote no optimized output.
describe("kos build on a tsconfig with options TypeScript 6 deprecates", () => {
  it("builds and optimizes, as the project's own compiler accepts them", async () => {
    const root = makeProject({ "a.ts": "/**\n * @kos.jit\n * @kos.specialize k=2\n */\nexport function scale(x: number, k: number): number { return x * k; }\n" });
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2020", module: "CommonJS", moduleResolution: "node", downlevelIteration: true, strict: true, rootDir: "src", outDir: "out", types: [] }, include: ["src"] }));
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "commonjs" }));
    const report = await kosBuild({ project: root });
    expect(report.typeErrors).toBeUndefined();
    expect(report.summary.optimized).toBe(1);
  });
});

// sweep30 F8: a function reading a module's symbol (`o[SYM]`) was skipped with "the optimized code
// needs `$k_ref_0`, a value the output module cannot reach", naming kos's variable.
describe("kos build and symbols a module binding holds", () => {
  it("reads the binding in the output, with results as tsc's; a value no binding holds is named in the report", async () => {
    const root = makeProject({
      "a.ts": [
        "const SYM = Symbol(\"s\");",
        "const KEY = Symbol.for(\"k\");",
        "export const obj: Record<symbol, number> = { [SYM]: 1, [KEY]: 2 };",
        "/** @kos.jit */",
        "export function read(o: Record<symbol, number>): number { return (o[SYM] ?? -1) * 10 + (o[KEY] ?? -1) + (Symbol.iterator in o ? 100 : 0); }",
        "export function mine(): Record<symbol, number> { return { [SYM]: 5 }; }",
        "",
      ].join("\n"),
    });
    const report = await kosBuild({ project: root });
    expect(report.summary.optimized).toBe(1);
    const m = await import(pathToFileURL(join(root, "out", "a.js")).href);
    expect([m.read(m.obj), m.read(m.mine()), m.read({}), m.read([])]).toEqual([12, 49, -11, 89]);
    const hidden = makeProject({
      "b.ts": [
        "const holder = Object.freeze({ s: Symbol(\"h\") });",
        "/** @kos.jit */",
        "export function readHidden(o: Record<symbol, number>): number { return o[holder.s] ?? 0; }",
        "",
      ].join("\n"),
    });
    const skipped = (await kosBuild({ project: hidden })).functions.find((f) => f.status === "skipped");
    expect(skipped?.reason).toContain("the symbol `Symbol(h)`");
    expect(skipped?.reason).not.toMatch(/^the optimized code needs `\$k_/);
  });
});

// sweep30 F8: `@kos.specialize options={}` compiled a version guarded on the identity of an object
// made at build time, which no call passes: it never ran, and the report said "optimized".
describe("kos build and an object written in a specialize tag", () => {
  it("skips it with the reason, and optimizes the same function specialized on a module constant", async () => {
    const root = makeProject({
      "a.ts": [
        "/**",
        " * @kos.jit",
        " * @kos.specialize options={ long: true }",
        " */",
        "export function fmt(n: number, options: { long?: boolean }): string { return options.long ? n + \" units\" : String(n); }",
        "export const OPTS = Object.freeze({ long: true });",
        "/**",
        " * @kos.jit",
        " * @kos.specialize options=OPTS",
        " */",
        "export function fmt2(n: number, options: { long?: boolean }): string { return options.long ? n + \" units\" : String(n); }",
        "",
      ].join("\n"),
    });
    const report = await kosBuild({ project: root });
    const byName = new Map(report.functions.map((f) => [f.name, f]));
    expect(byName.get("fmt")?.status).toBe("skipped");
    expect(byName.get("fmt")?.reason).toMatch(/an object written in place is a new one, which no call passes/);
    expect(byName.get("fmt2")?.status).toBe("optimized");
  });
});

// sweep30 F8: a hot class constructor in a profile was listed as "no top-level function or class
// method of that name in a module of that name".
describe("kos build and a profile naming a class's constructor", () => {
  it("says it is a constructor, left as written", async () => {
    const root = makeProject({ "a.ts": "export class Color {\n  r: number;\n  constructor(r: number) { this.r = r; }\n  hex(): string { return this.r.toString(16); }\n}\n" });
    const entry = (name: string) => ({ name, file: join(root, "out", "a.js"), line: 2, column: 5, selfPercent: 20, totalPercent: 20, selfSamples: 20, totalSamples: 20 });
    writeFileSync(join(root, "p.json"), JSON.stringify({ version: 1, command: ["node", "x"], date: "2026-01-01T00:00:00.000Z", durationMs: 1, totalSamples: 40, source: "cpu-prof", flamegraph: null, hot: [entry("Color"), entry("nothing")] }));
    const report = await kosBuild({ project: root, profile: join(root, "p.json") });
    expect(report.profileUnmatched.map((u) => [u.name, u.reason])).toEqual([
      ["Color", "the constructor of class `Color` (constructors are left as written)"],
      ["nothing", "no top-level function or class method of that name in a module of that name"],
    ]);
  });
});
