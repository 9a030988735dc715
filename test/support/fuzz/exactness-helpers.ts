/**
 * Shared helpers of the exactness regression tests (issues 9 and 12): run the
 * original and the jitted function on the same arguments and compare value,
 * thrown error (class and message) and side-effect log.
 *
 * Not a test file itself (no `.test.` in the name), so vitest does not collect it.
 */
import { expect } from "vitest";
import { firstDifference, outcomeDifference, runCaptured, type Outcome } from "../deep-same.js";

export { runCaptured, type Outcome };

/** Builds a sloppy-mode function from source (test files are ES modules, so their own functions are strict). */
export function sloppy(source: string, env: Record<string, unknown> = {}): Function {
  return new Function(...Object.keys(env), `return (${source});`)(...Object.values(env)) as Function;
}

/** Calls `original` and `compiled` with the same arguments and expects the same outcome. */
export function expectSameOutcome(original: Function, compiled: Function, args: unknown[], thisArg?: unknown): Outcome {
  const expected = runCaptured(() => original.apply(thisArg, args));
  const actual = runCaptured(() => compiled.apply(thisArg, args));
  expect(outcomeDifference(expected, actual), `original ${show(expected)}, jit ${show(actual)}`).toBeNull();
  return expected;
}

/** Runs both with a fresh log appended as last argument each; compares outcome and log. */
export function expectSameWithLog(original: Function, compiled: Function, args: unknown[]): { outcome: Outcome; log: unknown[] } {
  const logA: unknown[] = [];
  const logB: unknown[] = [];
  const expected = runCaptured(() => original(...args, logA));
  const actual = runCaptured(() => compiled(...args, logB));
  expect(outcomeDifference(expected, actual), `original ${show(expected)}, jit ${show(actual)}`).toBeNull();
  expect(firstDifference(logA, logB, "log"), `log: original ${JSON.stringify(logA)}, jit ${JSON.stringify(logB)}`).toBeNull();
  return { outcome: expected, log: logA };
}

function show(o: Outcome): string {
  if (o.ok) {
    try {
      return `returned ${JSON.stringify(o.value)}`;
    } catch {
      return "returned (unprintable)";
    }
  }
  return `threw ${o.errorType}: ${o.message}`;
}
