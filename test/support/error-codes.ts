/**
 * The `code` of the error a call throws (undefined when it throws none), checking that the error
 * is of the expected class: kos's typed errors carry a stable code, and a test reads it.
 */
import { expect } from "vitest";

export function codeOf(fn: () => unknown, errorClass: abstract new (...args: never[]) => Error): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(errorClass);
    return (e as Error & { code?: string }).code;
  }
  return undefined;
}
