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
