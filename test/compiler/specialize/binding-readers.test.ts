/**
 * A function whose whole body returns a binding that can change (`function getDefaults() { return
 * defaults; }` over a module `let` that `setDefaults` reassigns) is folded like a read of an
 * unfrozen object: the value it returns now, behind a guard that calls it again at entry, or after
 * foreign code where a speculation re-checks (specialize/binding-readers.ts). Before, the call
 * stayed a call, and everything read from its result was read at run time (date-fns's locale).
 *
 * Each case compares the jitted function with the original call for call, with the binding
 * reassigned, and the object it holds changed, between calls and in the middle of one.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { outcomes } from "../../support/agree-on-inputs.js";

interface Defaults { sep: string; upper: boolean; wrap?: (s: string) => string }
let defaults: Defaults = { sep: "-", upper: false };
function getDefaults(): Defaults {
  return defaults;
}
function setDefaults(d: Defaults): void {
  defaults = d;
}

function format(parts: string[], options?: Partial<Defaults>): string {
  const d = getDefaults();
  const sep = options?.sep ?? d.sep;
  let out = parts.join(sep);
  if (options?.upper ?? d.upper) out = out.toUpperCase();
  return d.wrap ? d.wrap(out) : out;
}

/** The binding is read again after a callback that may reassign it. */
function around(parts: string[], cb: () => void): string {
  const before = getDefaults().sep;
  cb();
  const after = getDefaults().sep;
  return parts.join(before) + "|" + parts.join(after);
}

describe("binding readers", () => {
  it("folds the reader's value behind a guard that calls it", () => {
    setDefaults({ sep: "-", upper: false });
    const j = jit(format, { specialize: { options: undefined } });
    expect(j(["a", "b"], undefined)).toBe("a-b");
    const info = inspect(j);
    expect(info.tier).toBe(1);
    // The guard calls the reader (by reference) and compares with the value it held.
    expect(info.source).toMatch(/\$k_\w+\(\) === \$k_\w+/);
  });

  it("gives what the original gives when the binding is reassigned or its object changes", () => {
    setDefaults({ sep: "-", upper: false });
    const j = jit(format, { specialize: { options: undefined } });
    const steps: Array<() => void> = [
      () => undefined,
      () => setDefaults({ sep: "+", upper: true }),
      () => (defaults.sep = "/"),
      () => (defaults.wrap = (s) => `[${s}]`),
      () => setDefaults(Object.freeze({ sep: ".", upper: false })),
      () => setDefaults({ sep: "-", upper: false }),
    ];
    const seen: string[] = [];
    const expected: string[] = [];
    for (const step of steps) {
      step();
      seen.push(...outcomes(j, [[["x", "y"], undefined]]));
      expected.push(...outcomes(format, [[["x", "y"], undefined]]));
    }
    expect(seen).toEqual(expected);
  });

  it("reads the binding again after foreign code reassigned it in the same call", () => {
    setDefaults({ sep: "-", upper: false });
    const j = jit(around, { specialize: {} });
    const calls: Array<() => void> = [() => undefined, () => setDefaults({ sep: "+", upper: false }), () => (defaults.sep = "*")];
    for (let round = 0; round < 300; round++) {
      setDefaults({ sep: "-", upper: false });
      const cb = calls[round % calls.length]!;
      const want = (() => {
        setDefaults({ sep: "-", upper: false });
        return around(["a", "b"], cb);
      })();
      setDefaults({ sep: "-", upper: false });
      expect(j(["a", "b"], cb)).toBe(want);
    }
    expect(inspect(j).tier).toBe(1);
  });

  it("leaves a reader of a binding that never changes to inlining, and a reader with parameters alone", () => {
    const fixed = { sep: ":" };
    const readFixed = () => fixed;
    const pick = (o: { sep: string }) => o;
    const f = (parts: string[]) => parts.join(readFixed().sep) + pick(readFixed()).sep;
    const j = jit(f, { specialize: {} });
    expect(outcomes(j, [[["a", "b"]], [["c"]]])).toEqual(outcomes(f, [[["a", "b"]], [["c"]]]));
  });
});
