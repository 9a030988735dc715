/**
 * kos build rewrites class methods (instance and static, of class
 * declarations and class expressions): each rewritten method must behave as
 * tsc's output does for every input, thrown errors and the order of side
 * effects included. What it cannot rewrite exactly stays as written, with a
 * reason naming the construct and its line.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { kosBuild } from "../../aot/build.js";
import { tsProjects } from "../support/ts-projects.js";
import type { BuildReport, FunctionReport } from "../../aot/report.js";

const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
const makeProject = tsProjects("kos-aot-cls-");

/** tsc's output of the project, in `plain/`. */
function plainBuild(root: string): void {
  execFileSync(process.execPath, [tsc, "-p", root, "--outDir", join(root, "plain")], { stdio: "pipe" });
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };
function run(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : `thrown ${String(e)}` };
  }
}
/** Same value (Object.is for primitives, structure for objects) or the same error class and message. */
function expectSame(a: Outcome, b: Outcome, what: string): void {
  if (a.ok && b.ok && (typeof a.value !== "object" || a.value === null)) expect(Object.is(a.value, b.value), `${what}: ${String(a.value)} vs ${String(b.value)}`).toBe(true);
  else expect(b, what).toEqual(a);
}

const SOURCE = `
const SCALE = 3;
const WEIGHTS = [1, 2, 4] as const;

export class Vec {
  constructor(public x: number, public y: number) {}

  /** @kos.jit */
  dot(o: Vec): number {
    return this.x * o.x + this.y * o.y;
  }

  /** @kos.specialize mode="sum" */
  reduce(mode: string, xs: number[]): number {
    let acc = mode === "sum" ? 0 : 1;
    for (let i = 0; i < xs.length; i++) acc = mode === "sum" ? acc + xs[i] * SCALE : acc * xs[i];
    return acc;
  }

  /** @kos.jit */
  weighted(): number {
    let s = 0;
    for (let i = 0; i < WEIGHTS.length; i++) s += WEIGHTS[i] * (i % 2 ? this.y : this.x);
    return s;
  }

  /** @kos.jit */
  static make(n: number): Vec {
    return new Vec(n, n * SCALE);
  }

  /** @kos.jit */
  static "quoted key"(a: number, b: number) {
    return a - b;
  }
}

export const log: string[] = [];
export class Pipeline {
  step(k: number): number {
    log.push("step" + k);
    return k + 1;
  }
  /** @kos.jit */
  twice(k: number): number {
    return this.step(k) * 10 + this.step(k + 100);
  }
}

// A class made inside an IIFE, reached through the binding the IIFE returns it to.
export const Counter = (function () {
  const START = 5;
  class Counter {
    n = START;
    /** @kos.specialize by=2 */
    bump(by: number) {
      this.n += by;
      if (this.n > 100) throw new RangeError("too big: " + this.n);
      return this.n;
    }
  }
  return Counter;
})();

export class Secret {
  #v = 7;
  static #made = 0;
  #hidden() { return 1; }
  constructor() { Secret.#made++; }
  /** @kos.jit */
  peek(k: number) {
    return this.#v + k;
  }
  /** @kos.specialize step=2 */
  add(step: number, times: number) {
    for (let i = 0; i < times; i++) this.#v += step;
    this.#v++;
    return #v in this ? this.#v : -1;
  }
  /** @kos.jit */
  swap(v: number) {
    const old = this.#v;
    log.push("swap" + old);
    this.#v = v;
    return old;
  }
  /** @kos.jit */
  static made() { return Secret.#made; }
  /** @kos.jit */
  static has(o: unknown) { return #v in (o as object); }
  /** @kos.jit */
  callHidden() { return this.#hidden(); }
}

class Base {
  m(x: number) { return x + 1; }
}
export class Derived extends Base {
  /** @kos.jit */
  m(x: number) { return super.m(x) * 2; }
}

export function factory() {
  return class Later {
    /** @kos.jit */
    f(x: number) { return x * 2; }
  };
}
`;

describe("kos build rewrites class methods", () => {
  let root: string;
  let report: BuildReport;
  let plain: Record<string, any>;
  let built: Record<string, any>;
  const byName = (n: string): FunctionReport => report.functions.find((f) => f.name === n)!;

  beforeAll(async () => {
    root = makeProject({ "a.ts": SOURCE });
    plainBuild(root);
    report = await kosBuild({ project: root });
    plain = await import(pathToFileURL(join(root, "plain", "a.js")).href);
    built = await import(pathToFileURL(join(root, "out", "a.js")).href);
  }, 120_000);

  it("reports instance, static and class-expression methods as optimized, the rest skipped with the construct and its line", () => {
    for (const n of ["Vec.prototype.dot", "Vec.prototype.reduce", "Vec.prototype.weighted", "Vec.make", "Vec.quoted key", "Pipeline.prototype.twice", "Counter.prototype.bump"]) {
      expect(byName(n)?.status, `${n}: ${byName(n)?.reason}`).toBe("optimized");
    }
    expect(byName("Vec.prototype.reduce").specialized).toEqual(['mode = "sum"']);
    expect(byName("Counter.prototype.bump").assumptions.map((a) => a.description)).toEqual(["by === 2"]);
    for (const n of ["Secret.prototype.peek", "Secret.prototype.add", "Secret.prototype.swap", "Secret.made", "Secret.has"]) expect(byName(n)?.status, `${n}: ${byName(n)?.reason}`).toBe("optimized");
    expect(byName("Secret.prototype.add").assumptions.map((a) => a.description)).toEqual(["step === 2"]);
    expect(byName("Secret.prototype.callHidden")).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^USES_PRIVATE_NAME: the function calls a private method \(#hidden\)/) });
    expect(byName("Derived.prototype.m")).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^USES_SUPER: the function uses `super`\n\s+at out\/a\.js:\d+:\d+\n.*super\.m\(x\)/) });
    expect(report.functions.every((f) => !f.reason?.includes("kos-probe"))).toBe(true);
    expect(byName("Later.prototype.f")).toMatchObject({ status: "skipped", reason: expect.stringMatching(/not created when the module loads/) });
  });

  it("installs the rewritten methods on the classes, keeping their property attributes, name and length", () => {
    const js = readFileSync(join(root, "out", "a.js"), "utf8");
    expect(js).toContain("Vec.prototype.reduce = (function");
    expect(js).toContain("Counter.prototype.bump = (function");
    expect(js).not.toMatch(/\bnew Function\b|\beval\s*\(/);
    for (const [cls, holder, key] of [["Vec", "proto", "dot"], ["Vec", "proto", "reduce"], ["Vec", "static", "make"], ["Vec", "static", "quoted key"], ["Pipeline", "proto", "twice"], ["Counter", "proto", "bump"]] as const) {
      const on = (m: Record<string, any>) => (holder === "proto" ? m[cls].prototype : m[cls]);
      const a = Object.getOwnPropertyDescriptor(on(plain), key)!, b = Object.getOwnPropertyDescriptor(on(built), key)!;
      expect(Function.prototype.toString.call(b.value), key).not.toBe(Function.prototype.toString.call(a.value));
      expect({ ...b, value: undefined }, key).toEqual({ ...a, value: undefined });
      expect([b.value.name, b.value.length], key).toEqual([a.value.name, a.value.length]);
      expect("prototype" in b.value, key).toBe(false);
    }
  });

  it("instance methods reading this: same results and errors for every receiver", () => {
    const receivers = (m: Record<string, any>) => [new m.Vec(1, 2), new m.Vec(-0, NaN), { x: 2, y: 3 }, { x: "a", y: 1 }, {}, Object.create({ x: 4, y: 5 }), null, undefined, 7, "str"];
    const args = (m: Record<string, any>) => [new m.Vec(3, 4), { x: 1n, y: 1 }, { x: 1, y: 2 }, null, undefined, { get x() { throw new Error("getter"); }, y: 1 }];
    for (let r = 0; r < 10; r++) for (let a = 0; a < 6; a++) {
      expectSame(run(() => plain.Vec.prototype.dot.call(receivers(plain)[r], args(plain)[a])), run(() => built.Vec.prototype.dot.call(receivers(built)[r], args(built)[a])), `dot r${r} a${a}`);
    }
    for (let r = 0; r < 10; r++) expectSame(run(() => plain.Vec.prototype.weighted.call(receivers(plain)[r])), run(() => built.Vec.prototype.weighted.call(receivers(built)[r])), `weighted r${r}`);
  });

  it("a specialized config parameter: the fast path and every fallback agree with tsc's output", () => {
    const modes = ["sum", "prod", "", -0, 0, NaN, null, undefined, { toString: () => "sum" }];
    const lists = [[], [1, 2, 3], [1.5, -0, NaN], ["1", 2], null, { length: 2, 0: 4, 1: 5 }];
    for (const mode of modes) for (const xs of lists) {
      const v = new plain.Vec(0, 0), w = new built.Vec(0, 0);
      expectSame(run(() => v.reduce(mode, xs)), run(() => w.reduce(mode, xs)), `reduce(${String(mode)}, ${JSON.stringify(xs)})`);
    }
  });

  it("static methods, also with a string key and called with another `this`", () => {
    for (const n of [0, -0, 1.5, NaN, "2", null, undefined, 2n]) {
      expectSame(run(() => { const v = plain.Vec.make(n); return [v.x, v.y, v instanceof plain.Vec]; }), run(() => { const v = built.Vec.make(n); return [v.x, v.y, v instanceof built.Vec]; }), `make(${String(n)})`);
      expectSame(run(() => plain.Vec["quoted key"](n, 1)), run(() => built.Vec["quoted key"](n, 1)), `quoted(${String(n)})`);
    }
    expectSame(run(() => plain.Vec.make.call(null, 2).y), run(() => built.Vec.make.call(null, 2).y), "make with this = null");
  });

  it("a method calling another through this: the same calls in the same order, overrides and throws included", () => {
    const cases = (m: Record<string, any>) => {
      class Sub extends m.Pipeline { step(k: number) { m.log.push("sub" + k); if (k > 150) throw new TypeError("k " + k); return k * 2; } }
      return [new m.Pipeline(), new Sub(), { step: (k: number) => k }, { step: 1 }, {}];
    };
    for (let c = 0; c < 5; c++) for (const k of [1, 60, -0, NaN, "x"]) {
      plain.log.length = 0; built.log.length = 0;
      const a = run(() => plain.Pipeline.prototype.twice.call(cases(plain)[c], k));
      const b = run(() => built.Pipeline.prototype.twice.call(cases(built)[c], k));
      expectSame(a, b, `twice case ${c} k ${String(k)}`);
      expect(built.log, `log case ${c} k ${String(k)}`).toEqual(plain.log);
    }
  });

  it("a method of a class made in an IIFE: state, guards and thrown errors as in the original", () => {
    const a = new plain.Counter(), b = new built.Counter();
    for (const by of [2, 2, 3, -0, 2, "1", 40, 2, 2, 50]) expectSame(run(() => [a.bump(by), a.n]), run(() => [b.bump(by), b.n]), `bump(${String(by)})`);
    expectSame(run(() => plain.Counter.prototype.bump.call({ n: 99 }, 2)), run(() => built.Counter.prototype.bump.call({ n: 99 }, 2)), "bump on a plain object");
    expectSame(run(() => plain.Counter.prototype.bump.call(null, 2)), run(() => built.Counter.prototype.bump.call(null, 2)), "bump on null");
  });

  it("methods using private names: reads, writes, updates and `#x in o` as in the original, on every receiver", () => {
    const receivers = (m: Record<string, any>) => [new m.Secret(), {}, null, Object.create(m.Secret.prototype), new m.Vec(1, 2)];
    for (let r = 0; r < 5; r++) {
      for (const k of [1, -0, "a", 2n]) expectSame(run(() => m1(plain, r, k)), run(() => m1(built, r, k)), `peek r${r} ${String(k)}`);
      for (const step of [2, 2.5, "2", -0]) for (const times of [0, 1, 3]) {
        expectSame(run(() => plain.Secret.prototype.add.call(receivers(plain)[r], step, times)), run(() => built.Secret.prototype.add.call(receivers(built)[r], step, times)), `add r${r} ${String(step)} ${times}`);
      }
      plain.log.length = 0; built.log.length = 0;
      expectSame(run(() => plain.Secret.prototype.swap.call(receivers(plain)[r], 9)), run(() => built.Secret.prototype.swap.call(receivers(built)[r], 9)), `swap r${r}`);
      expect(built.log, `swap log r${r}`).toEqual(plain.log);
    }
    function m1(m: Record<string, any>, r: number, k: unknown) { return m.Secret.prototype.peek.call(receivers(m)[r], k); }
    for (const o of [new plain.Secret(), {}, 1, null, "s"]) {
      const twin = o instanceof plain.Secret ? new built.Secret() : o;
      expectSame(run(() => plain.Secret.has(o)), run(() => built.Secret.has(twin)), `has ${String(o)}`);
    }
    expect(built.Secret.made()).toBe(plain.Secret.made());
    expect(new built.Secret().callHidden()).toBe(1);
  });

  it("code placed in a class body (private names) keeps every line of tsc's output where it was", () => {
    const a = readFileSync(join(root, "plain", "a.js"), "utf8").split("\n");
    const b = readFileSync(join(root, "out", "a.js"), "utf8").split("\n");
    const changed = a.slice(0, -1).filter((l, i) => b[i] !== l);
    for (let i = 0; i < a.length - 1; i++) expect(b[i]!.startsWith(a[i]!), `line ${i + 1}`).toBe(true);
    expect(changed).toEqual(["export class Secret {"]);
    expect(b[a.indexOf("export class Secret {")]).toMatch(/^export class Secret \{ static \{ \$kos_\w+ = \(\$kos_original\d*\) => /);
  });

  it("what stays as written still works: private method calls, super, factory classes", () => {
    expect(new built.Derived().m(1)).toBe(4);
    expect(new (built.factory())().f(3)).toBe(6);
  });
});

describe("kos build rewrites a method a profile names hot", () => {
  it("matches the entry by name and source hash, specializes its stable argument, and keeps behaviour", async () => {
    const root = makeProject({
      "m.ts": [
        "export class Codec {",
        "  encode(mode: number, s: string): string {",
        "    if (mode === 1) return s.toUpperCase();",
        "    return s + mode;",
        "  }",
        "}",
        "export function encode(x: number) { return x; }",
        "",
      ].join("\n"),
    });
    plainBuild(root);
    const plain = await import(pathToFileURL(join(root, "plain", "m.js")).href);
    const hash = createHash("sha256").update(Function.prototype.toString.call(plain.Codec.prototype.encode)).digest("hex");
    writeFileSync(join(root, "p.json"), JSON.stringify({
      version: 1, command: ["node", "x"], date: "2026-01-01T00:00:00.000Z", durationMs: 1, totalSamples: 40, source: "cpu-prof", flamegraph: null,
      hot: [{ name: "encode", file: join(root, "plain", "m.js"), line: 2, column: 3, selfPercent: 20, totalPercent: 20, selfSamples: 8, totalSamples: 8, sourceHash: hash,
        stableArgs: [{ index: 0, name: "mode", stability: "constant", value: 1 }, { index: -1, name: "this", stability: "type", type: "object" }] }],
    }));
    const report = await kosBuild({ project: root, profile: join(root, "p.json") });
    const f = report.functions.find((x) => x.name === "Codec.prototype.encode")!;
    expect(f.status, f.reason ?? "").toBe("optimized");
    expect(f.origins).toEqual(["profile"]);
    expect(f.specialized).toEqual(["mode = 1 (profile)"]);
    expect(report.functions.find((x) => x.name === "encode")).toBeUndefined();
    const built = await import(pathToFileURL(join(root, "out", "m.js")).href);
    for (const mode of [1, 2, -0, "1", undefined]) for (const s of ["ab", "", null, 5]) {
      expectSame(run(() => new plain.Codec().encode(mode, s)), run(() => new built.Codec().encode(mode, s)), `encode(${String(mode)}, ${String(s)})`);
    }
  }, 120_000);
});
