/**
 * A callback handed to a call that stays a call (`values.some((v) => …)` on
 * an array known only at run time, a function passed to code kos does not
 * inline) keeps being made where the source makes it, but its body is
 * specialized on the bindings it captures that never change and on module
 * values (specialize/callback-bodies.ts). mingo's `(v) => isEqual(expr, v)`
 * ran the generic `isEqual` per item.
 *
 * Each case compares the jitted function with the original call for call: a
 * binding the enclosing code reassigns after making the callback, a callback
 * kept and called after the enclosing call returned, writes the callback
 * makes to what it captures, callbacks made per loop iteration, and throws
 * inside the callback.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { agreeOnInputs, show } from "../../support/agree-on-inputs.js";

const agree = agreeOnInputs;

const rule = Object.freeze({ op: "in", list: Object.freeze(["news", "sports"]), min: 2 });

function equalsAny(list: readonly unknown[], v: unknown): boolean {
  for (const x of list) if (x === v || (typeof x === "number" && typeof v === "number" && Number.isNaN(x) && Number.isNaN(v))) return true;
  return false;
}

function matches(cfg: typeof rule, values: unknown[]): unknown {
  if (cfg.op === "in") return values.filter((v) => equalsAny(cfg.list, v)).length >= cfg.min;
  return false;
}

function reassignedAfter(cfg: typeof rule, values: unknown[]): unknown {
  let bound = cfg.min;
  const hits = values.filter((v) => typeof v === "number" && v >= bound);
  bound = 100;
  const later = values.filter((v) => typeof v === "number" && v >= bound);
  return [hits.length, later.length];
}

function keptForLater(cfg: typeof rule, values: unknown[]): unknown {
  let seen = 0;
  let prefix = cfg.list[0];
  const check = [(v: unknown) => (seen++, v === prefix)][0]!;
  const first = values.map(check);
  prefix = cfg.list[1];
  return [first, values.map(check), seen, check.length];
}

function writesCaptured(cfg: typeof rule, values: unknown[]): unknown {
  let total = 0;
  const names: string[] = [];
  values.forEach((v, i) => {
    if (equalsAny(cfg.list, v)) {
      total += i;
      names.push(String(v));
    }
  });
  return [total, names];
}

function perIteration(cfg: typeof rule, values: unknown[]): unknown {
  const fns: Array<() => unknown> = [];
  for (const name of cfg.list) {
    const count = values.filter((v) => v === name).length;
    fns.push(() => [name, count]);
  }
  return fns.map((f) => f());
}

function throwsInside(cfg: typeof rule, values: unknown[]): unknown {
  return values.map((v) => (v as { tag: string }).tag + cfg.list[0]);
}

const inputs: unknown[][] = [
  [rule, ["news", "sports", "x"]],
  [rule, ["news"]],
  [rule, []],
  [rule, [1, 2, 150, NaN, "sports", "news"]],
  [rule, [null, undefined, { tag: "t" }]],
];

describe("a callback handed to a call that stays a call", () => {
  it("is specialized on what it captures: the folded list, no read of the rule at run time", () => {
    const info = agree(matches, { cfg: rule }, inputs);
    expect(info?.tier).toBe(1);
    // The filter callback compares with the two names itself.
    expect(info?.source).toMatch(/"news"/);
    expect(info?.source).toMatch(/"sports"/);
    expect(info?.source).not.toMatch(/equalsAny/);
  });

  it("reads a binding its scope reassigns when it runs, not as it was", () => {
    agree(reassignedAfter, { cfg: rule }, inputs);
    agree(keptForLater, { cfg: rule }, inputs);
  });

  it("writes what it captures, and each loop iteration's callback has its own bindings", () => {
    agree(writesCaptured, { cfg: rule }, inputs);
    agree(perIteration, { cfg: rule }, inputs);
  });

  it("throws what the original throws, from inside the callback", () => {
    agree(throwsInside, { cfg: rule }, inputs);
  });

  it("an arrow reads its frame's `this`: a method's callback on the receiver kos specialized", () => {
    class Filter {
      constructor(readonly min: number, readonly names: readonly string[]) {}
      pick(values: unknown[]): unknown[] {
        return values.filter((v) => (typeof v === "number" ? v >= this.min : this.names.includes(v as string)));
      }
    }
    const recv = Object.freeze(new Filter(3, Object.freeze(["news"])));
    const j = jit(Filter.prototype.pick, { specialize: { this: recv } });
    for (const values of [[1, 3, 5, "news", "x"], [], [NaN, -0, "news"]]) expect(show(j.call(recv, values))).toBe(show(recv.pick(values)));
    const other = new Filter(0, []);
    expect(show(j.call(other, [1, "news"]))).toBe(show(other.pick([1, "news"])));
    expect(inspect(j)!.source).toMatch(/>= 3/);
  });
});
