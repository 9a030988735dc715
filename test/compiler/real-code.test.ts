/**
 * Differential test on real code kos did not write: every gl-matrix function
 * that compiles is run, original against jit, on seeded random arguments
 * (typed arrays and numbers). Results and the arrays they write must agree
 * exactly (Object.is per element, so -0 and NaN count).
 */
import { describe, expect, it } from "vitest";
import * as glMatrix from "gl-matrix";
import { jit, inspect } from "../../index.js";
import { parameterNames } from "../../compiler/index.js";
import { seededRandom } from "../../fixtures/index.js";

type Fn = (...args: unknown[]) => unknown;

function sameDeep(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    return x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameDeep(v, b[i]));
  return false;
}

describe("real code: gl-matrix, original ≡ jit", () => {
  it("agrees on every function that compiles", () => {
    const random = seededRandom(0x61);
    let compiled = 0, cases = 0;
    const failures: string[] = [];
    for (const [modName, mod] of Object.entries(glMatrix)) {
      if (!mod || typeof mod !== "object") continue;
      for (const [name, fn] of Object.entries(mod as Record<string, unknown>)) {
        if (typeof fn !== "function") continue;
        // `random` draws from Math.random: no two runs of it agree, jitted or not.
        if (/random/i.test(name)) continue;
        const j = jit(fn as Fn, { scope: {} }) as Fn;
        if (inspect(j)!.tier !== 1) continue;
        compiled++;
        for (let t = 0; t < 8; t++) {
          // Fresh, identical argument lists for both runs: 16-element Float32Arrays and small numbers.
          // Each argument is chosen once (array or number), then built twice identically.
          const seeds = Array.from({ length: (fn as Fn).length }, (_, i) => ({
            array: i === 0 || random() < 0.6,
            values: Array.from({ length: 16 }, () => (random() < 0.05 ? -0 : (random() - 0.5) * 8)),
          }));
          const make = () => seeds.map((s) => (s.array ? Float32Array.from(s.values) : s.values[0]));
          const a = make(), b = make();
          let ra: unknown, rb: unknown, ea = "", eb = "";
          try { ra = (fn as Fn)(...a); } catch (e) { ea = String(e); }
          try { rb = j(...b); } catch (e) { eb = String(e); }
          cases++;
          const sameResult = ea === eb && (ra === a[0] ? rb === b[0] : sameDeep(ra, rb));
          const sameArgs = a.every((x, i) => sameDeep(x, b[i]));
          if (!sameResult || !sameArgs) failures.push(`${modName}.${name} case ${t}: ${ea || eb ? `${ea} / ${eb}` : "values differ"}`);
        }
      }
    }
    expect(failures, failures.slice(0, 5).join("\n")).toEqual([]);
    expect(compiled).toBeGreaterThan(50);
    console.log(`gl-matrix: ${compiled} functions compiled, ${cases} cases agree`);
  });

  it("agrees when specialized on its number arguments, including calls that deopt", () => {
    const random = seededRandom(0x62);
    let specialized = 0, cases = 0;
    const failures: string[] = [];
    for (const [modName, mod] of Object.entries(glMatrix)) {
      if (!mod || typeof mod !== "object") continue;
      for (const [name, fn] of Object.entries(mod as Record<string, unknown>)) {
        if (typeof fn !== "function" || (fn as Fn).length < 2 || /random/i.test(name)) continue;
        const names = parameterNames(fn as Fn);
        if (!names || names.some((n) => n === null)) continue;
        const numberAt = names.length - 1; // the last parameter takes a number in the calls below
        const k = Math.round((random() - 0.5) * 8 * 100) / 100;
        const j = jit(fn as Fn, { specialize: { [names[numberAt]!]: k } }) as Fn;
        if (inspect(j)!.tier !== 1) continue;
        specialized++;
        for (let t = 0; t < 6; t++) {
          const arrays = names.map(() => Array.from({ length: 16 }, () => (random() - 0.5) * 8));
          const value = t % 3 === 2 ? k + 1 : k; // one call in three fails the guard
          const make = () => names.map((_, i) => (i === numberAt ? value : Float32Array.from(arrays[i]!)));
          const a = make(), b = make();
          let ra: unknown, rb: unknown, ea = "", eb = "";
          try { ra = (fn as Fn)(...a); } catch (e) { ea = String(e); }
          try { rb = j(...b); } catch (e) { eb = String(e); }
          cases++;
          const sameResult = ea === eb && (ra === a[0] ? rb === b[0] : sameDeep(ra, rb));
          if (!sameResult || !a.every((x, i) => sameDeep(x, b[i]))) failures.push(`${modName}.${name} (${names[numberAt]} = ${k}) case ${t}`);
        }
      }
    }
    expect(failures, failures.slice(0, 5).join("\n")).toEqual([]);
    expect(specialized).toBeGreaterThan(50);
    console.log(`gl-matrix specialized: ${specialized} functions, ${cases} cases agree`);
  });

  // gl-matrix is Babel's output: `fromEuler(out, x, y, z, order = ANGLE_ORDER)` reads its `order`
  // as `arguments.length > 4 && arguments[4] !== undefined ? arguments[4] : glMatrix.ANGLE_ORDER`.
  it("specializes quat.fromEuler on its lowered default parameter `order`, by name and by tiering", () => {
    const fromEuler = glMatrix.quat.fromEuler as unknown as Fn;
    const random = seededRandom(0x63);
    const orders = ["xyz", "xzy", "yxz", "yzx", "zxy", "zyx", "bad", undefined];
    const natural = jit(fromEuler, { specialize: { order: "yzx" } }) as Fn;
    const tiered = jit(fromEuler, { tiering: { hotCalls: 300 } }) as Fn;
    const failures: string[] = [];
    let cases = 0;
    const agree = (j: Fn, args: unknown[]) => {
      const a = [new Float32Array(4), ...args], b = [new Float32Array(4), ...args];
      let ra: unknown, rb: unknown, ea = "", eb = "";
      try { ra = fromEuler(...a); } catch (e) { ea = String(e); }
      try { rb = j(...b); } catch (e) { eb = String(e); }
      cases++;
      if (ea !== eb || (ra === a[0]) !== (rb === b[0]) || !sameDeep(a[0], b[0])) failures.push(`fromEuler(${args.map(String).join(", ")})`);
    };
    const angles = () => [0, 1, 2].map(() => (random() < 0.05 ? -0 : Math.round((random() - 0.5) * 720 * 100) / 100));
    for (let i = 0; i < 2000; i++) {
      // Mostly the specialized order; also every other order, a missing one (the default) and a wrong one.
      const order = random() < 0.7 ? "yzx" : orders[Math.floor(random() * orders.length)];
      agree(natural, random() < 0.1 ? angles() : [...angles(), order]);
      agree(tiered, i < 600 ? [...angles(), "yzx"] : random() < 0.1 ? angles() : [...angles(), order]);
    }
    expect(failures, failures.slice(0, 5).join("\n")).toEqual([]);
    expect(cases).toBe(4000);
    const info = inspect(natural)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["arguments.length === 5", 'arguments[4] === "yzx"']));
    // The switch on the order is gone from the specialized code.
    expect(info.source).not.toMatch(/case "/);
    expect(inspect(tiered)!.versions![0]!.assumptions.map((a) => a.description)).toContain('arguments[4] === "yzx"');
  });
});
