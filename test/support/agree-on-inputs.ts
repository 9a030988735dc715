/**
 * Differential checks of one function against its jitted form, call for call: each input's
 * result (functions shown by name and arity, -0 kept) or thrown class and message.
 */
import { expect } from "vitest";
import { inspect, jit } from "../../index.js";

export const show = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === "function" ? `fn ${v.name}/${v.length}` : Object.is(v, -0) ? "-0" : v));

export function outcomes(f: Function, inputs: unknown[][]): string[] {
  return inputs.map((args) => {
    try {
      return show(f(...args));
    } catch (e) {
      return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
  });
}

/** `jit(f, { specialize })` gives what `f` gives on every input; returns what kos did with it. */
export function agreeOnInputs(f: Function, specialize: Record<string, unknown>, inputs: unknown[][]): ReturnType<typeof inspect> {
  const j = jit(f, { specialize });
  expect(outcomes(j, inputs)).toEqual(outcomes(f, inputs));
  return inspect(j);
}
