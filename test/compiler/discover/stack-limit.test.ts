import { describe, it, expect } from "vitest";
import { inspect, jit } from "../../../index.js";

// Reading a closure captures the stack with an unlimited Error.stackTraceLimit (stack-positions.ts).
// A double stored there (Infinity) generalizes that field of the Error constructor for the rest of
// the process, and every later store of a program's own limit is slower and allocates: joi, which
// sets the limit to 0 and back around each ValidationError, validated 1.3-1.7x slower after any
// jit() that read a closure, compiled or not. Every value kos stores must be a small integer.
const SMI_MAX = 2 ** 30 - 1;

describe("Error.stackTraceLimit while a closure is read", () => {
  it("stores only small integers, and restores the program's limit", () => {
    const E = Error as ErrorConstructor & { stackTraceLimit: number };
    const saved = Object.getOwnPropertyDescriptor(E, "stackTraceLimit")!;
    const written: unknown[] = [];
    let value: unknown = 7;
    Object.defineProperty(E, "stackTraceLimit", {
      configurable: true,
      get: () => value,
      set: (v) => {
        written.push(v);
        value = v;
      },
    });
    let result: unknown;
    let compiled;
    try {
      const factor = 3;
      const scale = (x: number) => x * factor;
      const f = jit(scale, { specialize: {} });
      result = f(2);
      compiled = inspect(f);
    } finally {
      Object.defineProperty(E, "stackTraceLimit", saved);
    }
    expect(result).toBe(6);
    expect(compiled.fallbackReason ?? null).toBeNull();
    // The capture happened (the closure was read), and each store was a small integer.
    expect(written.length).toBeGreaterThanOrEqual(2);
    for (const v of written) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v as number).toBeLessThanOrEqual(SMI_MAX);
    }
    expect(value).toBe(7);
  });
});
