/**
 * `import "kos"` loads almost nothing (issue 13: 137 ms against 49 ms for a
 * bare node, with prom-client, piscina and the compiler loaded eagerly); each
 * feature loads its modules on first use. Checked by what is loaded, not by
 * time (the machine is shared): in the built CommonJS and ES entries.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { lazyArray, lazyClass, lazyObject } from "../../lazy-modules.js";

const repo = resolve(__dirname, "..", "..");

function node(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("what `kos` loads", () => {
  it("require('kos') loads only its entry, and the compiler on the first jit()", () => {
    const out = node([
      "-e",
      `const loaded = () => Object.keys(require.cache).map((p) => p.slice(${JSON.stringify(repo)}.length + 1));
const kos = require("kos");
const atImport = loaded();
kos.jit((x, k) => x * k, { specialize: { k: 2 } });
const afterJit = loaded();
kos.createMonitor();
console.log(JSON.stringify({ atImport, afterJit, afterMonitor: loaded() }));`,
    ]);
    const atImport = out.atImport as string[];
    // code-cached-script.js is the loader of the bundles the first jit() runs (lazy-modules.ts);
    // intrinsic-clocks.js captures the clocks before the program can replace them.
    expect(atImport.filter((p) => !/^dist\/cjs\/(index|lazy-modules|source-preload|errors|code-cached-script|intrinsic-clocks)\.js$/.test(p))).toEqual([]);
    const afterJit = out.afterJit as string[];
    // The compiler is one bundled script run through V8's code cache (scripts/bundle-compiler.mjs,
    // code-cached-script.ts), acorn inside it: not a module of require's.
    expect(afterJit).toContain("dist/cjs/code-cached-script.js");
    expect(afterJit.filter((p) => /\/(acorn|astring|eslint-scope)\//.test(p))).toEqual([]);
    expect(afterJit).not.toContain("dist/cjs/compiler/specialize/index.js");
    expect(afterJit.some((p) => p.includes("monitor"))).toBe(false);
    expect((out.afterMonitor as string[]).some((p) => p.includes("prom-client"))).toBe(false);
  });

  it("import 'kos' does not load the compiler, prom-client or piscina", () => {
    // An ES module's imports are not in require.cache: a loader hook lists them.
    const out = node([
      "--input-type=module",
      "-e",
      `import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on("message", (u) => urls.push(u));
register("data:text/javascript," + encodeURIComponent("let port; export function initialize(d) { port = d.port; } export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }"), { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
await import("kos");
await new Promise((r) => setTimeout(r, 100));
port1.close();
console.log(JSON.stringify({ urls }));`,
    ]);
    const urls = (out.urls as string[]).filter((u) => u.startsWith("file:"));
    expect(urls.some((u) => u.endsWith("/dist/index.js"))).toBe(true);
    expect(urls.filter((u) => /compiler|acorn|eslint-scope|prom-client|piscina|monitor|queue/.test(u))).toEqual([]);
  });

  it("neither import 'kos' nor its first compile loads node:crypto or node:stream", () => {
    // An ES import of node:fs builds fs's ES facade, whose lazy `ReadStream` loads node:stream; node:crypto
    // loads it too. Together 4-5 ms of CPU at `import "kos"`, and as much again at the first compile.
    const out = node([
      "--input-type=module",
      "-e",
      `const builtins = () => process.moduleLoadList.filter((m) => /^NativeModule (stream|crypto)$/.test(m));
const kos = await import("kos");
const atImport = builtins();
const f = kos.jit((x, k) => x * k, { specialize: { k: 2 } });
const compiled = f(3, 2) === 6 && kos.inspect(f).tier === 1;
const t = kos.jit((x) => x + 1);
for (let i = 0; i < 100; i++) t(i);
console.log(JSON.stringify({ atImport, compiled, afterJit: builtins() }));`,
    ]);
    expect(out.compiled).toBe(true);
    expect(out.atImport).toEqual([]);
    expect(out.afterJit).toEqual([]);
  });
});

describe("lazy stand-ins (lazy-modules.ts)", () => {
  class Real extends Error {
    static made = 0;
    static create(message: string) {
      Real.made++;
      return new this(message);
    }
    constructor(message: string) {
      super(message);
      this.name = "Real";
    }
  }

  it("a lazy class supports new, instanceof, extends and static methods, and loads on first use", () => {
    let loads = 0;
    const Lazy = lazyClass("Real", () => {
      loads++;
      return Real;
    });
    expect(loads).toBe(0);
    const a = new Lazy("a");
    expect(a).toBeInstanceOf(Real);
    expect(a).toBeInstanceOf(Lazy);
    expect(new Real("b")).toBeInstanceOf(Lazy);
    expect(new Error("c")).not.toBeInstanceOf(Lazy);
    class Sub extends Lazy {}
    const s = new Sub("s");
    expect(s).toBeInstanceOf(Sub);
    expect(s).toBeInstanceOf(Real);
    expect(Lazy.create("d")).toBeInstanceOf(Real);
    expect(Real.made).toBe(1);
    expect(Lazy.name).toBe("Real");
    expect(Lazy.prototype).toBe(Real.prototype);
    expect(loads).toBeGreaterThan(0);
  });

  it("lazy arrays and objects read through to the real value, and refuse writes", () => {
    let loads = 0;
    const arr = lazyArray(() => (loads++, ["a", "b"] as const));
    const obj = lazyObject(() => ({ x: 1, y: [2] }));
    expect(loads).toBe(0);
    expect(Array.isArray(arr)).toBe(true);
    expect([...arr]).toEqual(["a", "b"]);
    expect(arr.includes("b")).toBe(true);
    expect(arr.length).toBe(2);
    expect(JSON.stringify(arr)).toBe('["a","b"]');
    expect({ ...obj }).toEqual({ x: 1, y: [2] });
    expect(Object.keys(obj)).toEqual(["x", "y"]);
    expect(() => {
      "use strict";
      (obj as { x: number }).x = 2;
    }).toThrow(TypeError);
    expect(obj.x).toBe(1);
  });
});
