/**
 * Random-program differential test: thousands of small generated functions,
 * each run as the original and as `jit(fn, { specialize, scope })` on several
 * inputs (some of which break a guard). Results must agree exactly (Object.is,
 * deep), thrown errors must have the same type and message, and the side-effect
 * log must hold the same values in the same order.
 *
 * Reproduce a failure with KOS_RANDOM_SEED=<seed> (printed on failure);
 * KOS_RANDOM_PROGRAMS sets how many programs run (default 2000).
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";
import { generatePrograms, literal, type RandomProgram } from "../support/random-programs.js";
import { describe as show, firstDifference, outcomeDifference, runCaptured, type Outcome } from "../support/deep-same.js";

const SEED = Number(process.env.KOS_RANDOM_SEED ?? 0xc0ffee);
const COUNT = Number(process.env.KOS_RANDOM_PROGRAMS ?? 2000);

interface RunStats {
  programs: number;
  cases: number;
  tier1: number;
  fallbackReasons: Map<string, number>;
  outcomes: { returned: number; threw: number };
  failures: string[];
}

/** Runs one program both ways; gives the compiled function (null if jit() threw). */
function checkProgram(p: RandomProgram, stats: RunStats, extra: { outlineLimit?: number } = {}): Function | null {
  let compiled: Function;
  try {
    compiled = jit(p.fn, { specialize: p.specialize, scope: p.scope, ...extra });
  } catch (e) {
    stats.failures.push(`program #${p.index}: jit() threw ${(e as Error)?.message}\n${p.source}`);
    return null;
  }
  const info = inspect(compiled);
  if (info?.tier === 1) stats.tier1++;
  else {
    const reason = (info?.fallbackReason ?? "inspect() returned null").replace(/\(\d+:\d+\)|line \d+.*$|\d+/g, "#").slice(0, 80);
    stats.fallbackReasons.set(reason, (stats.fallbackReasons.get(reason) ?? 0) + 1);
  }
  for (const input of p.inputs) {
    stats.cases++;
    const logA: unknown[] = [];
    const logB: unknown[] = [];
    const expected: Outcome = runCaptured(() => p.fn(...input, logA));
    const actual: Outcome = runCaptured(() => compiled(...input, logB));
    if (expected.ok) stats.outcomes.returned++;
    else stats.outcomes.threw++;
    const diff = outcomeDifference(expected, actual) ?? firstDifference(logA, logB, "log");
    if (diff !== null) {
      const args = input.map((v) => (typeof v === "object" && v !== null ? show(v) : literal(v))).join(", ");
      const specialized = Object.entries(p.specialize).map(([k, v]) => `${k}=${typeof v === "object" && v !== null ? show(v) : literal(v)}`).join(", ");
      stats.failures.push(`program #${p.index} (seed ${SEED}), specialize {${specialized}}, args (${args}):\n  ${diff}\n${p.source}\n--- generated ---\n${info?.source ?? "(none)"}`);
      return compiled;
    }
  }
  return compiled;
}

describe("random programs: jit ≡ original", () => {
  const stats: RunStats = { programs: 0, cases: 0, tier1: 0, fallbackReasons: new Map(), outcomes: { returned: 0, threw: 0 }, failures: [] };

  it("the generator is reproducible and its programs parse", () => {
    const a = generatePrograms(SEED, 50).map((p) => p.source);
    const b = generatePrograms(SEED, 50).map((p) => p.source);
    expect(a).toEqual(b);
    expect(new Set(generatePrograms(SEED + 1, 50).map((p) => p.source))).not.toEqual(new Set(a));
  });

  it("the grammar is covered", () => {
    const programs = generatePrograms(SEED, 400);
    const all = programs.map((p) => p.source).join("\n");
    for (const construct of ["switch (", "for (let ", " of ", " in ", "break", "continue", "throw new", "Math.", "helper(", "tap(log", "log.push(", "??", "typeof ", "? ", "let ", "const ", "\\u2028", "-0", "NaN", "Infinity", "n,", "String(", ".length", "Object.keys(", ": for ("]) {
      expect(all.includes(construct), `generated programs use ${JSON.stringify(construct)}`).toBe(true);
    }
    const constants = programs.flatMap((p) => Object.values(p.specialize));
    expect(constants.some((v) => Object.is(v, -0))).toBe(true);
    expect(constants.some((v) => Number.isNaN(v))).toBe(true);
    expect(constants.some((v) => typeof v === "bigint")).toBe(true);
    expect(constants.some((v) => typeof v === "string" && v.includes("\u2028"))).toBe(true);
    expect(constants.some((v) => Array.isArray(v) && Object.isFrozen(v))).toBe(true);
  });

  // Four chunks, so that a slow (shared, loaded) machine hits no single-test timeout;
  // compiling dominates: about 13 ms of CPU per program when this was written.
  const CHUNKS = 4;
  const programs = generatePrograms(SEED, COUNT);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const from = Math.floor((COUNT * chunk) / CHUNKS);
    const to = Math.floor((COUNT * (chunk + 1)) / CHUNKS);
    it(`programs ${from}..${to - 1} agree on values, errors and side-effect order`, () => {
      const before = stats.failures.length;
      for (const p of programs.slice(from, to)) {
        stats.programs++;
        checkProgram(p, stats);
      }
      const failures = stats.failures.slice(before);
      if (failures.length) console.log(`first failures (of ${failures.length}):\n\n${failures.slice(0, 3).join("\n\n")}`);
      expect(failures.length, `seed ${SEED}: ${failures.length} programs differ; first:\n${failures[0]}`).toBe(0);
    }, 300_000);
  }

  it(`all ${COUNT} programs ran, with both outcomes common`, () => {
    const reasons = [...stats.fallbackReasons].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([r, n]) => `${n}× ${r}`);
    console.log(
      `random programs: seed ${SEED}, ${stats.programs} programs, ${stats.cases} cases (${stats.outcomes.threw} threw), ` +
        `${stats.tier1} compiled at tier 1; top fallback reasons: ${reasons.join(" | ") || "none"}`,
    );
    expect(stats.programs).toBe(COUNT);
    // Both outcomes must be common, or the test is not exercising what it claims.
    expect(stats.outcomes.returned).toBeGreaterThan(stats.cases / 4);
    expect(stats.outcomes.threw).toBeGreaterThan(stats.cases / 50);
  });

  it("most programs compile (tier 1) rather than fall back", () => {
    expect(stats.programs, "runs after the differential test").toBe(COUNT);
    expect(stats.tier1, `tier 1 for ${stats.tier1} of ${stats.programs}`).toBeGreaterThan(stats.programs * 0.5);
  });
});

// Outlining (compiler/residual/outline-blocks.ts) splits only residuals too big for V8, which these
// programs never make: here a 150-node limit splits most of them, and the split code must still
// agree with the original. Run at that limit, this suite found a variable a run wrote and a switch
// case read after it that was taken for the run's own (now a test in outline-blocks.test.ts).
describe("random programs, split into outlined functions: jit ≡ original", () => {
  // The same programs as above: the default seed's 2,000 held the two that found that miss.
  const programs = generatePrograms(SEED, COUNT);
  it(`${COUNT} programs agree on values, errors and side-effect order with a 150-node outline limit`, () => {
    const stats: RunStats = { programs: 0, cases: 0, tier1: 0, fallbackReasons: new Map(), outcomes: { returned: 0, threw: 0 }, failures: [] };
    let split = 0;
    for (const p of programs) {
      stats.programs++;
      const compiled = checkProgram(p, stats, { outlineLimit: 150 });
      if (stats.failures.length) break;
      if (compiled && /function \$\w*part\d+\(/.test(inspect(compiled)?.source ?? "")) split++;
    }
    expect(stats.failures.length, `seed ${SEED}: first difference:\n${stats.failures[0]}`).toBe(0);
    // The test is about split code: most compiled programs must have been split.
    expect(split, `${split} of ${stats.tier1} compiled programs split`).toBeGreaterThan(stats.tier1 / 5);
  }, 300_000);

  it("an outlineLimit that is not a positive integer is a BAD_OPTIONS error at jit(), as other bad option values are", () => {
    const f = (x: number) => x + 1;
    for (const bad of [0, -5, 1.5, NaN]) expect(() => jit(f, { specialize: { x: 1 }, outlineLimit: bad })).toThrow(/^outlineLimit must be a positive integer/);
    expect(inspect(jit(f, { specialize: { x: 1 }, outlineLimit: 500 }))!.tier).toBe(1);
  });
});
