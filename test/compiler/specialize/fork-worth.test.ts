/**
 * Speculation after foreign code (speculation.ts) copies the rest of a statement list: a guarded,
 * specialized rest and the generic one. Where the specialized rest inlined and unrolled nothing
 * more than the generic one, its guards only save a few reads, and the copy is not made: the
 * generic rest alone is emitted (as valibot's issue building after `_stringify` now is). A rest
 * whose guards let a call inline keeps its fork. Each program is checked against the original on
 * inputs that run user code at the foreign point (which changes the configuration, or throws).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Cfg = { kind: string; label: string; check: (v: unknown) => boolean };

const outcome = (f: () => unknown): string => {
  try {
    return JSON.stringify(f());
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

const make = (): Cfg => ({ kind: "schema", label: "age", check: (v) => typeof v === "number" && v > 0 });

/** Inputs for a `String(x)` or `hook(x)` foreign point: some change `cfg` there, some throw. */
const inputs = (cfg: Cfg): unknown[] => [
  5,
  -1,
  "s",
  null,
  undefined,
  -0,
  NaN,
  { toString: () => "plain" },
  { toString: () => ((cfg.kind = "changed"), "k") },
  { toString: () => ((cfg.label = "other"), "l") },
  { toString: () => ((cfg.label = "_secret"), "p") },
  { toString: () => ((cfg.check = () => true), "c") },
  { toString: () => { throw new RangeError("no string"); } },
  Object.create(null),
  Symbol("sym"),
];

function differential(f: (cfg: Cfg, x: unknown) => unknown): ReturnType<typeof inspect> {
  // Each input gets fresh configurations, one for the original and one for the jitted version
  // (specialized on its own object, whose identity the entry guard checks).
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < inputs(make()).length; i++) {
      const mine = make();
      const want = outcome(() => f(mine, inputs(mine)[i]));
      const cfg = make();
      const j = jit(f, { specialize: { cfg } });
      expect(outcome(() => j(cfg, inputs(cfg)[i])), `input ${i}`).toBe(want);
      expect(JSON.stringify(cfg)).toBe(JSON.stringify(mine));
    }
  }
  const cfg = make();
  const j = jit(f, { specialize: { cfg } });
  for (const x of inputs(cfg).slice(0, 8)) j(cfg, x);
  return inspect(j);
}

describe("a fork is made only where its guards let more be inlined", () => {
  it("reads folded after foreign code, nothing inlined: the generic rest only, no guard on them", () => {
    const f = (cfg: Cfg, x: unknown) => {
      const s = String(x);
      return cfg.kind + "/" + cfg.label + "/" + s;
    };
    const info = differential(f);
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    // Before: `if ($k_ref.kind === "schema" && $k_ref.label === "age") { … "schema/age/" … } else { … }`.
    expect(info.source).not.toContain('=== "schema"');
    expect(info.source).not.toContain('"schema/age/"');
  });

  it("reads after foreign code that fold away a call (a RegExp test of a folded name) keep their fork", () => {
    // expression-eval's member access: `if (/^__/.test(name)) throw …`, the name read from its AST.
    const NAME = /^_/;
    const f = (cfg: Cfg, x: unknown) => {
      const s = String(x);
      if (NAME.test(cfg.label)) throw new Error("private " + cfg.label);
      return s + ":" + cfg.label;
    };
    const info = differential(f);
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    // The speculated rest has no test to run (`"age"` folded); the generic one calls it.
    expect(info.source).toMatch(/\.label === "age"/);
  });

  it("a method read after foreign code whose guard lets it inline keeps its fork", () => {
    const f = (cfg: Cfg, x: unknown) => {
      const s = String(x);
      return cfg.check(x) ? s : cfg.label + ": " + s;
    };
    const info = differential(f);
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    // The speculated rest runs check's body in place (guarded on `cfg.check`), the generic one calls it.
    expect(info.source).toMatch(/typeof \w+ === "number"/);
    expect(info.source).toMatch(/\.check\(/);
  });
});
