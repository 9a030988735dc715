/**
 * The check of test/real/{data-formats,numbers-and-dates,templates-and-checks}.test.ts: libraries
 * kos had not been tried on, each through its natural `jit()` uses. A use agrees with the original
 * on seeded inputs (value, or error class and message, and the input after the call), twice over
 * so that a tiering use runs its compiled version on the second pass (`passes`: once is enough for
 * an explicit `specialize`, compiled before its first call), and freezes nothing the
 * library owns. Tiering uses tier up at 50 calls (`tiering: { hotCalls: 50 }`), so that a file
 * runs in a few seconds.
 */
import { expect } from "vitest";
import { inspect } from "../../index.js";
import { anyFrozen, differential, type Runner } from "../../fixtures/real/common.js";

export const HOT = { hotCalls: 50 };

export function agrees(label: string, original: Runner, make: () => { fn: Function; run: Runner }, inputs: unknown[], owned: unknown[] = [], passes = 2): Function {
  const frozenBefore = owned.map((o) => anyFrozen(o));
  const { fn, run } = make();
  const mismatches: string[] = [];
  for (let pass = 0; pass < passes; pass++) mismatches.push(...differential(original, run, inputs).mismatches.map((m) => `pass ${pass}: ${m}`));
  expect(mismatches.slice(0, 5), label).toEqual([]);
  expect(owned.map((o) => anyFrozen(o)), `${label} froze an object of the library`).toEqual(frozenBefore);
  return fn;
}

/**
 * `agrees`, with one pass over the inputs where the use compiles at `jit()` (its label has no
 * "(tiering)") and two where tiering must compile first; with UNSEEN_STATUS set, it prints where
 * the use ended (for the notes' tables).
 */
export function agreesOnceCompiled(label: string, original: Runner, make: () => { fn: Function; run: Runner }, inputs: unknown[], owned: unknown[] = []): Function {
  const fn = agrees(label, original, make, inputs, owned, label.includes("(tiering)") ? 2 : 1);
  const s = process.env.UNSEEN_STATUS ? inspect(fn) : null;
  if (s) console.log(`STATUS ${label} | ${s.tier} | ${s.fallbackReason ?? ""} | deopts ${s.deopts} | ${s.history.map((h) => h.event + (h.detail ? ":" + h.detail.slice(0, 80) : "")).join(", ")}`);
  return fn;
}
