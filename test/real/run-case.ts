/**
 * The differential test every real-interpreter case runs (one test file per
 * library calls `describeRealCase`): on ≥ 2,000 seeded inputs, each natural
 * `jit()` use, the hand-written specialization and the library's compiled
 * mode agree with the original (value or error class and message, and the
 * input's final state). Whether the natural use compiled is logged, not yet
 * asserted: `KOS_REAL_EXPECT_COMPILED=1` turns that into an assertion once
 * the compiler supports closures, receivers and `arguments` (issue 10).
 */
import { describe, expect, it } from "vitest";
import { inspect } from "../../index.js";
import { isDeepStrictEqual } from "node:util";
import { anyFrozen, differential, makeNatural, outcome, TEST_COUNT, TEST_SEED, type RealCase } from "../../fixtures/real/common.js";

const EXPECT_COMPILED = process.env.KOS_REAL_EXPECT_COMPILED === "1";

/**
 * A change the library's own API allows, made after `jit()` and after enough
 * calls to tier up: every natural use must show the new behaviour on the next
 * call, exactly like the original (issue 10, "Mutation"). `change` returns a
 * function that undoes it.
 */
export function itFollowsLibraryChange(c: RealCase, what: string, change: () => () => void): void {
  it(`a change to the library after jit() shows in the next call: ${what}`, () => {
    const inputs = c.inputs(TEST_SEED + 1, 400);
    const made = c.natural.map((u) => makeNatural(u));
    // Past the default tiering threshold (1000 calls), so a tiered version exists if one can.
    for (const m of made) for (let i = 0; i < 1500; i++) outcome(m.run, inputs[i % inputs.length]);
    const baseline = inputs.map((input) => outcome(c.original, input));
    const undo = change();
    try {
      const changed = inputs.filter((input, k) => !isDeepStrictEqual(outcome(c.original, input), baseline[k]));
      expect(changed.length, "the change must alter the original's results on some inputs, or this test shows nothing").toBeGreaterThan(0);
      for (const m of made) expect(differential(c.original, m.run, inputs).mismatches.slice(0, 3)).toEqual([]);
    } finally {
      undo();
    }
    for (const m of made) expect(differential(c.original, m.run, inputs).mismatches.slice(0, 3)).toEqual([]);
  });
}

export function describeRealCase(c: RealCase, extra?: () => void): void {
  describe(`real interpreter: ${c.lib} (${c.kind})`, () => {
    const inputs = c.inputs(TEST_SEED, TEST_COUNT);

    it(`the seeded inputs exercise results, failures and errors (${TEST_COUNT} inputs)`, () => {
      expect(inputs.length).toBeGreaterThanOrEqual(2000);
      const self = differential(c.original, c.original, inputs);
      // The original must be deterministic on its own copies, or nothing below means anything.
      expect(self.mismatches).toEqual([]);
      console.log(`${c.lib}: ${self.originalThrew} inputs throw, ${self.originalFalsy} give false/empty/failure, of ${inputs.length}`);
      expect(self.originalFalsy + self.originalThrew).toBeGreaterThan(0);
      expect(self.originalFalsy + self.originalThrew).toBeLessThan(inputs.length);
    });

    for (const use of c.natural) {
      it(`natural use agrees with the original: ${use.label}`, () => {
        const { fn, run } = makeNatural(use);
        // A tiering use crosses its hot threshold (1000 calls) during the first pass; the second runs every input on what it tiered up to.
        const report = differential(c.original, run, inputs);
        if (use.tiering) report.mismatches.push(...differential(c.original, run, inputs).mismatches.map((m) => `second pass: ${m}`));
        const info = inspect(fn);
        const last = info?.history[info.history.length - 1];
        console.log(`${c.lib}: ${use.label} → tier ${info?.tier}, calls ${info?.calls}, deopts ${info?.deopts}, fallback: ${info?.fallbackReason ?? "none"}${last ? `, last event: ${last.event}${last.detail ? ` (${last.detail})` : ""}` : ""}`);
        expect(report.mismatches.slice(0, 5)).toEqual([]);
        expect(report.mismatches.length).toBe(0);
        if (EXPECT_COMPILED) expect(info?.tier, info?.fallbackReason ?? "").toBe(1);
      });
    }

    it.todo(`natural jit() uses compile with no scope (run with KOS_REAL_EXPECT_COMPILED=1): ${c.natural.map((u) => u.label).join("; ")}`);

    it("the hand-written specialization agrees with the original", () => {
      const report = differential(c.original, c.hand, inputs, c.handProjection);
      expect(report.mismatches.slice(0, 5)).toEqual([]);
      expect(report.mismatches.length).toBe(0);
    });

    if (c.compiled?.sameResults) {
      it(`the library's compiled mode agrees with the original: ${c.compiled.label}`, () => {
        const report = differential(c.original, c.compiled!.make(), inputs, c.handProjection);
        expect(report.mismatches.slice(0, 5)).toEqual([]);
      });
    }

    // Taken while the file is collected, before any test has called jit().
    const frozenAtStart = c.foreignObjects.map((o) => anyFrozen(o));

    it("jit() leaves the library's objects and the program unfrozen (logged; asserted with KOS_REAL_EXPECT_COMPILED=1)", () => {
      const before = frozenAtStart;
      for (const use of c.natural) makeNatural(use);
      const after = c.foreignObjects.map((o) => anyFrozen(o));
      console.log(`${c.lib}: objects newly frozen by jit(): ${after.filter((f, i) => f && !before[i]).length} of ${after.length}`);
      if (EXPECT_COMPILED) expect(after).toEqual(before);
    });

    extra?.();
  });
}

/** `value`, and every object read from it, behind a proxy that logs each trap in order. */
function logged(value: unknown, log: string[], path = "$"): unknown {
  if (value === null || typeof value !== "object") return value;
  const at = (k: PropertyKey) => `${path}.${String(k)}`;
  return new Proxy(value, {
    get: (t, k, r) => (log.push(`get ${at(k)}`), logged(Reflect.get(t, k, r), log, at(k))),
    has: (t, k) => (log.push(`has ${at(k)}`), Reflect.has(t, k)),
    ownKeys: (t) => (log.push(`ownKeys ${path}`), Reflect.ownKeys(t)),
    getOwnPropertyDescriptor: (t, k) => (log.push(`getOwnPropertyDescriptor ${at(k)}`), Reflect.getOwnPropertyDescriptor(t, k)),
  });
}

/**
 * Inputs made of logging proxies, after enough calls to tier up: each natural use reads them
 * with the same traps in the same order as the original, and gives the same result.
 */
export function itTrapsLikeTheOriginal(c: RealCase, count = 300): void {
  it("an input of logging proxies is read as the original reads it: same traps, same order, same result", () => {
    const made = c.natural.map((u) => makeNatural(u));
    const warm = c.inputs(TEST_SEED + 3, 400);
    for (const m of made) for (let i = 0; i < 1500; i++) outcome(m.run, warm[i % warm.length]);
    const trace = (run: (input: unknown) => unknown, input: unknown) => {
      const log: string[] = [];
      let result: string;
      try {
        const v = run(logged(structuredClone(input), log));
        result = v !== null && typeof v === "object" ? "object" : typeof v === "string" ? v : String(v);
      } catch (e) {
        result = `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return { result, log };
    };
    const inputs = c.inputs(TEST_SEED + 2, count).filter((x) => x !== null && typeof x === "object");
    expect(inputs.length).toBeGreaterThan(count / 2);
    for (const input of inputs) {
      const expected = trace(c.original, input);
      for (const [k, m] of made.entries()) expect(trace(m.run, input), c.natural[k]!.label).toEqual(expected);
    }
  });
}
