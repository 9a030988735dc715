/**
 * The exactness fuzzer (issue 12), CI-sized: seeded programs of the shapes real
 * code has (fixtures/fuzz/), each run as the original and through `jit`, with
 * values, errors, side-effect logs, object identity and the final state of
 * configs and inputs compared after every call. Any mismatch fails, and
 * prints a one-line reproduction command, the program, and the generated code.
 *
 * Env: KOS_FUZZ_SEED (default 0x5eed), KOS_FUZZ_PROGRAMS (default 1200),
 * KOS_FUZZ_INDEX (run that one program only, with its full report),
 * KOS_FUZZ_THIS=1 (methods using `this`, compiled with `specialize: { this }`),
 * KOS_FUZZ_DEFAULT_FREEZE_DEEP=1 (expect `freeze` unset to deep-freeze, as before issue 10).
 * The standalone runner for ≥ 10⁶ cases is `node dist/bench/fuzz.js`.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";
import { ENV, formatMismatch, generateProgram, runBatch, runProgram, type FuzzApi } from "../../fixtures/fuzz/index.js";
import { runPool } from "../../fixtures/fuzz/pool.js";
import { MUTATIONS } from "../../fixtures/fuzz/values.js";
import type { MismatchSummary } from "../../fixtures/fuzz/worker.js";

const WORKER = new URL("../../fixtures/fuzz/worker.ts", import.meta.url);

const SEED = Number(process.env[ENV.seed] ?? 0x5eed);
const COUNT = Number(process.env[ENV.count] ?? 1200);
const ONLY = process.env[ENV.index] === undefined ? null : Number(process.env[ENV.index]);
const OUTLINE_LIMIT = process.env[ENV.outlineLimit] === undefined ? undefined : Number(process.env[ENV.outlineLimit]);
const OPTIONS = { receiver: process.env[ENV.receiver] === "1", loopWrites: process.env[ENV.loopWrites] === "1", defaultFreezeDeep: process.env[ENV.defaultFreezeDeep] === "1", ...(OUTLINE_LIMIT !== undefined ? { outlineLimit: OUTLINE_LIMIT } : {}) };
const api: FuzzApi = { jit: jit as FuzzApi["jit"], inspect: inspect as FuzzApi["inspect"] };

function summary(mismatches: MismatchSummary[]): string {
  const kinds = new Map<string, number[]>();
  for (const m of mismatches) kinds.set(m.kind, [...(kinds.get(m.kind) ?? []), m.index]);
  return [...kinds].map(([k, ids]) => `  ${ids.length}× ${k} (e.g. index ${ids.slice(0, 4).join(", ")})`).join("\n");
}

describe("the fuzzer itself", () => {
  it("is reproducible: same seed and index, same program", () => {
    for (let i = 0; i < 30; i++) expect(generateProgram(SEED, i).setup).toBe(generateProgram(SEED, i).setup);
    expect(generateProgram(SEED, 0).setup).not.toBe(generateProgram(SEED + 1, 0).setup);
  });

  it("draws the loop-writes family only where it is on: every other program of a seed stays what it was", () => {
    for (let i = 0; i < 60; i++) expect(generateProgram(SEED, i, { loopWrites: false }).setup).toBe(generateProgram(SEED, i).setup);
    const on = Array.from({ length: 60 }, (_, i) => generateProgram(SEED, i, { loopWrites: true }).setup).join("\n");
    expect(on).toMatch(/for \(const v\d+ of (c\.|tlist)/);
    expect(on).toMatch(/for \(const key\d+ in c\./);
  });

  it("covers every family of issue 12's list", () => {
    const programs = Array.from({ length: 800 }, (_, i) => generateProgram(SEED, i, { receiver: true }));
    const all = programs.map((p) => p.setup).join("\n");
    const constructs = {
      "escaping object literal": "log.push(o", "local object literal": "acc = acc + o", "closure": "=> {", "helper reassigning a parameter": "n = n || 2",
      "recursive helper": "return n + h", "Babel default lowering": "arguments.length > 0 && arguments[0] !== undefined", "method call": "c.unit.scale(",
      "destructuring default": "missing: d", "spread": "...c.", "optional call": "?.(", "optional chaining": "?.deep", "template literal": "`t ${",
      "tagged template": "tag", "labeled continue": "continue outer", "labeled break": "break outer", "while": "while (", "do-while": "do {",
      "var loop with several inits": "for (var ", "switch default": "default: log.push", "finally": "} finally {", "getter on input": "get g()",
      "valueOf on input": "valueOf()", "typed array": "Array(", "string method": ".padStart(", "in": "\" in ", "instanceof": "instanceof Array",
      "delete": "delete ", "postfix on property": "++);", "exception mid-loop": "\"mid \"", "operand stack": "case \"push\"", "BigInt": "big:",
      "Symbol": "SYMS[", "-0": "-0", "NaN": "NaN", "frozen config": "deepFreeze({", "unfrozen config": "v === 0 ? {", "proxy": "logged({",
      "Array subclass": "MyArr.from", "own Symbol.iterator": "ownIter(", "strict helper": "\"use strict\"", "this": "this.unit",
      "tree-walking interpreter": "case \"num\": return node.v", "class instance": "c.vec.", "Object.entries loop": "of Object.entries(",
      "symbol-keyed config entry": "[SYMS[0]]: ", "read of a symbol-keyed entry": "c[SYMS[1]]",
    };
    for (const [name, text] of Object.entries(constructs)) expect(all.includes(text), `${name} (${JSON.stringify(text)})`).toBe(true);
    // A config changed in place between calls, with every mutation.
    expect(new Set(programs.flatMap((p) => p.calls.map((c) => c.mutate)).filter((m) => m !== undefined)).size).toBe(MUTATIONS);
    const modes = new Set(programs.map((p) => p.mode));
    expect([...modes].sort()).toEqual(["second-jit", "specialize", "tiered"]);
    expect(new Set(programs.map((p) => p.freeze)).size).toBe(4);
  });

  it("has no false positives: jit replaced by the identity finds 0 mismatches", () => {
    // The identity "compiler" honours the documented opt-in `freeze: "deep"` and nothing else.
    const identity: FuzzApi = {
      jit: (fn, options) => {
        if (options?.freeze === "deep") for (const v of Object.values((options.specialize ?? {}) as object)) deepFreezeAll(v);
        return fn;
      },
      inspect: () => null,
    };
    const r = runBatch(identity, SEED, 0, 150, { ...OPTIONS, defaultFreezeDeep: false });
    expect(r.mismatches.map((m) => formatMismatch(m, OUTLINE_LIMIT)).slice(0, 1)).toEqual([]);
    expect(r.cases).toBeGreaterThan(150 * 8);
  });

  it("finds wrong values, lost identity, freezing and extra side effects", () => {
    const wrap = (change: (fn: Function) => Function): FuzzApi => ({ jit: change, inspect: () => null });
    const offByOne = wrap((fn) => function (this: unknown, ...a: unknown[]) {
      const r = fn.apply(this, a);
      return typeof r === "number" ? r + 1 : r;
    });
    const copies = wrap((fn) => function (this: unknown, ...a: unknown[]) {
      const r = fn.apply(this, a);
      return r !== null && typeof r === "object" ? structuredCloneSafe(r) : r;
    });
    const freezes = wrap((fn) => function (this: unknown, ...a: unknown[]) {
      Object.freeze(a[0]);
      return fn.apply(this, a);
    });
    const logs = wrap((fn) => function (this: unknown, ...a: unknown[]) {
      (a[4] as unknown[]).push("extra");
      return fn.apply(this, a);
    });
    for (const [name, broken] of Object.entries({ offByOne, copies, freezes, logs })) {
      const r = runBatch(broken, SEED, 0, 60, { maxMismatches: 1 });
      expect(r.mismatches.length, name).toBe(1);
    }
  });
});

function deepFreezeAll(v: unknown, seen = new Set<unknown>()): void {
  if (v === null || typeof v !== "object" || seen.has(v) || ArrayBuffer.isView(v)) return;
  seen.add(v);
  for (const key of Reflect.ownKeys(v)) {
    const d = Reflect.getOwnPropertyDescriptor(v, key);
    if (d && "value" in d) deepFreezeAll(d.value, seen);
  }
  Object.freeze(v);
}

/** A copy that keeps only data (functions, symbols and accessors become plain values). */
function structuredCloneSafe(v: object): unknown {
  return Array.isArray(v) ? [...v] : { ...v };
}

describe("jit ≡ original on generated programs", () => {
  if (ONLY !== null) {
    it(`program ${ONLY} of seed ${SEED}`, () => {
      const program = generateProgram(SEED, ONLY, OPTIONS);
      const r = runProgram(program, api, OPTIONS);
      if (r.mismatch) console.log(formatMismatch(r.mismatch, OUTLINE_LIMIT));
      else console.log(`program ${ONLY}: ${r.cases} cases agree (tier ${r.tier}${r.fallbackReason ? `, fallback: ${r.fallbackReason}` : ""})\n${program.setup}`);
      expect(r.mismatch?.detail ?? null).toBeNull();
    });
    return;
  }
  // Chunks, so that a loaded machine hits no single-test timeout. Each chunk runs in a worker thread
  // with a watchdog (fixtures/fuzz/pool.ts): a jitted loop that never ends is reported as a "hang"
  // mismatch instead of freezing the test run. About 10 ms of CPU per program when written.
  const CHUNKS = 4;
  const totals = { programs: 0, cases: 0, mismatches: [] as MismatchSummary[], tiers: {} as Record<string, number> };
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const from = Math.floor((COUNT * chunk) / CHUNKS);
    const to = Math.floor((COUNT * (chunk + 1)) / CHUNKS);
    it(`programs ${from}..${to - 1} of seed ${SEED}: values, errors, logs, identity and object state agree`, async () => {
      const r = await runPool({ ...OPTIONS, workerFile: WORKER, tsx: true, seed: SEED, startIndex: from, programs: to - from, workers: 1, chunk: 50, hangMs: 30_000 });
      totals.programs += r.programs;
      totals.cases += r.cases;
      totals.mismatches.push(...r.mismatches);
      for (const [k, v] of Object.entries(r.tiers)) totals.tiers[k] = (totals.tiers[k] ?? 0) + v;
      if (r.mismatches.length) console.log(`${r.mismatches.length} mismatches; kinds:\n${summary(r.mismatches)}\n\nfirst:\n${r.mismatches.slice(0, 2).map((m) => m.report).join("\n\n")}`);
      expect(r.mismatches.length, `${r.mismatches.length} of ${r.programs} programs differ; first: ${r.mismatches[0] ? `${r.mismatches[0].repro} | ${r.mismatches[0].detail}` : ""}`).toBe(0);
    }, 300_000);
  }
  it("ran every program, most of them compiled", () => {
    console.log(`fuzz: seed ${SEED}, ${totals.programs} programs, ${totals.cases} cases, tiers ${JSON.stringify(totals.tiers)}, ${totals.mismatches.length} mismatches`);
    expect(totals.programs).toBe(COUNT);
    expect(totals.cases).toBeGreaterThan(COUNT * 8);
  });
});
