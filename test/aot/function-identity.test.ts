/**
 * An optimized function or method is, to the program, the one tsc wrote: the
 * same `length` and `name` (sweep 30, B1: `scale(x, k = 2)` had length 2),
 * and a top-level function declaration stays the same object from the
 * module's start (B3: a registry built at load, properties set on the
 * function and its `prototype` were lost), in ES modules and CommonJS.
 */
import { describe, it, expect, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kosBuild } from "../../aot/build.js";
import { sameLengthName } from "../../aot/function-install.js";
import { compiledLength } from "../../aot/method-install.js";

const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

function makeProject(files: Record<string, string>, cjs = false): string {
  const root = mkdtempSync(join(tmpdir(), "kos-aot-ident-"));
  roots.push(root);
  const module = cjs ? { module: "CommonJS" } : { module: "ES2022", moduleResolution: "Bundler" };
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", ...module, strict: true, rootDir: "src", outDir: "out", types: [], sourceMap: true }, include: ["src"] }));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: cjs ? "commonjs" : "module" }));
  mkdirSync(join(root, "src"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, "src", name), text);
  return root;
}

const SOURCE = `
/** @kos.jit */
export function scale(x: number, k = 2): number { return x * k; }

export class Vec {
  constructor(public x: number) {}
  /** @kos.jit */
  top(n = 1): number { return this.x * n; }
  /** @kos.jit
   * @kos.specialize n=1 */
  bottom(n = 1): number { return this.x - n; }
}

/** @kos.jit */
export function handler(x: number): number { return x + 1; }
const REGISTRY = new Set<Function>([handler]);
export function isRegistered(f: Function): boolean { return REGISTRY.has(f); }
export const early = handler(1);

/** @kos.jit */
export function memo(n: number): number { return n * 2; }
(memo as any).label = "memo-fn";

/** @kos.jit */
export function Point(this: { x: number }, x: number) { this.x = x; }
Point.prototype.norm = function (this: { x: number }) { return Math.abs(this.x); };

/** @kos.jit
 * @kos.specialize n=5 */
export function fact(n: number): number { return n <= 1 ? 1 : n * fact(n - 1); }

/** @kos.jit */
export default function byDefault(a: number, b = 1, c?: number): number { return a + b + (c ?? 0); }

/** @kos.jit */
export function count(a: number, b?: number): number { return arguments.length * 10 + a + (b ?? 0); }

/** @kos.jit */
export function plain(a: number, b: number): number { return a + (b === undefined ? 100 : b); }
`;

/** What the program can see of the module's functions, as JSON. */
const PROBE = `
const out = {};
const fns = { scale: m.scale, top: m.Vec.prototype.top, bottom: m.Vec.prototype.bottom, handler: m.handler, memo: m.memo, Point: m.Point, fact: m.fact, byDefault: m.default };
for (const [k, f] of Object.entries(fns)) out[k] = [f.name, f.length];
out.registered = m.isRegistered(m.handler);
out.early = m.early;
out.label = m.memo.label;
const p = new m.Point(-3);
out.point = [p.norm(), p instanceof m.Point, Object.getPrototypeOf(p) === m.Point.prototype, m.Point.prototype.constructor === m.Point];
out.calls = [m.scale(3), m.scale(3, 5), new m.Vec(4).top(), new m.Vec(4).bottom(), new m.Vec(4).bottom(3), m.handler(1), m.memo(4), m.fact(5), m.fact(6), m.default(1), m.default(1, 2, 3, 4), m.count(1), m.count(1, 2, 3), m.plain(1), m.plain(1, 2, 3), m.plain.call({}, 4, 5)];
// The top frame's function name (without a receiver's type, "Module.": the forwarder calls the version without one).
let stack = "";
try { m.fact(Symbol()); } catch (e) { stack = String(e.stack).split("\\n")[1] ?? ""; }
out.frame = /\\bat (?:\\w+\\.)?(\\w+)/.exec(stack)?.[1] ?? stack;
console.log(JSON.stringify(out));
`;

function see(dir: string, cjs: boolean): unknown {
  const file = join(dir, "a.js");
  const script = cjs ? `const m = require(${JSON.stringify(file)});${PROBE}` : `const m = await import(${JSON.stringify(`file://${file}`)});${PROBE}`;
  return JSON.parse(execFileSync(process.execPath, [cjs ? "-e" : "--input-type=module", ...(cjs ? [script] : ["-e", script])], { encoding: "utf8" }));
}

describe("an optimized function is the program's function", () => {
  for (const cjs of [false, true]) {
    it(`keeps length, name, identity, properties and prototype (${cjs ? "CommonJS" : "ES module"})`, async () => {
      const root = makeProject({ "a.ts": SOURCE }, cjs);
      execFileSync(process.execPath, [tsc, "-p", root, "--outDir", join(root, "plain")], { stdio: "pipe" });
      const report = await kosBuild({ project: root });
      for (const f of report.functions) expect(f.status, `${f.name}: ${f.reason}`).toBe("optimized");
      const plain = see(join(root, "plain"), cjs);
      const kos = see(join(root, "out"), cjs);
      expect(kos).toEqual(plain);
      expect((plain as { registered: boolean }).registered).toBe(true);
      // The original stays as the fallback, where tsc wrote it: every line keeps its length.
      const a = readFileSync(join(root, "plain/a.js"), "utf8").split("\n");
      const b = readFileSync(join(root, "out/a.js"), "utf8").split("\n");
      expect(b.slice(0, a.length - 1).map((l) => l.length)).toEqual(a.slice(0, -1).map((l) => l.length));
      expect(b.at(-1)).toBe(a.at(-1));
    }, 120_000);
  }
});

describe("the pieces", () => {
  it("a new name for the original has its length and is used nowhere", () => {
    const used = new Set(["$", "_", "$0", "$00000", "handler"]);
    const taken = new Set<string>();
    expect(sameLengthName(1, used, taken)).toBe("a");
    expect(sameLengthName(2, used, taken)).toBe("$1");
    expect(sameLengthName(6, used, taken)).toBe("$00001");
    expect(sameLengthName(6, used, taken)).toBe("$00002");
    expect(sameLengthName(1, new Set([..."$_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]), new Set())).toBeNull();
  });

  it("reads the compiled function's length as the engine counts it", () => {
    const wrap = (fn: string) => `(() => {\n  "use strict";\n  return ${fn};\n})()`;
    expect(compiledLength(wrap("function scale(x, arg) { return x * arg; }"))).toBe(2);
    expect(compiledLength(wrap("({\n    top(arg) { return arg; }\n  }).top"))).toBe(1);
    expect(compiledLength(wrap("function f(a, b = 1, c) {}"))).toBe(1);
    expect(compiledLength(wrap("function f(a, ...r) {}"))).toBe(1);
    expect(compiledLength("not a function")).toBeNull();
  });
});
