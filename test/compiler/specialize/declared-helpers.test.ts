/**
 * A function declared inside the function kos compiles (mingo's `resolve`
 * declares `resolvePath` and calls it) is a known closure where nothing
 * reassigns it: its calls are evaluated in place, on what the caller knows,
 * like an arrow's (specialize/patterns.ts, hoistFunctions). Held only as a
 * variable, each call ran the generic helper. The declaration itself stays
 * for code that takes the function as a value.
 *
 * Each case compares the jitted function with the original, call for call:
 * identity of the helper taken as a value, recursion, `this` and `arguments`
 * inside it, a helper reassigned on some path, a captured binding read
 * before its declaration, and writes the helper makes to what it captures.
 * A helper that recurs on new values (a walk over a known path) runs in place
 * at each level (closures.ts, keyed by its call's signature, up to 8 levels).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { agreeOnInputs, show } from "../../support/agree-on-inputs.js";

const agree = agreeOnInputs;

const cfg = Object.freeze({ path: "a.b.c", sep: "." });

function lookup(cfg: { path: string; sep: string }, doc: any): unknown {
  return walk(doc, 0);
  function walk(o: any, i: number): unknown {
    const keys = cfg.path.split(cfg.sep);
    if (i === keys.length || o == null) return o;
    return walk(o[keys[i]!], i + 1);
  }
}

function keyed(cfg: { path: string; sep: string }, doc: any): unknown {
  return get(get(doc, 0), 1);
  function get(o: any, i: number): unknown {
    const key = cfg.path.split(cfg.sep)[i]!;
    return o == null ? o : o[key];
  }
}

function counted(n: number): unknown {
  return down(n);
  function down(k: number): number {
    return k > 0 ? 1 + down(k - 1) : 0;
  }
}

function asValue(cfg: { path: string }, doc: any): unknown {
  function pick(o: any): unknown {
    return o?.[cfg.path];
  }
  const again = pick;
  return [pick(doc), again === pick, pick.name, pick.length, [doc].map(pick)];
}

function reassigned(cfg: { path: string }, doc: any): unknown {
  function pick(o: any): unknown {
    return o?.[cfg.path];
  }
  if (doc?.swap) pick = () => "swapped";
  return pick(doc);
}

function sloppyThis(cfg: { path: string }, doc: any): unknown {
  function who(this: unknown): string {
    return typeof this;
  }
  return [who(), who.call(doc), who.call(cfg.path)];
}

function usesArguments(cfg: { path: string }, doc: any): unknown {
  function count(..._xs: unknown[]): number {
    // eslint-disable-next-line prefer-rest-params
    return arguments.length;
  }
  return [count(), count(doc), count(doc, cfg.path)];
}

function beforeDeclaration(cfg: { path: string }, doc: any): unknown {
  if (doc?.early) return read();
  const base = cfg.path;
  return read();
  function read(): string {
    return base + String(doc?.v);
  }
}

function writesCaptured(cfg: { path: string }, doc: any): unknown {
  let hits = 0;
  function visit(o: any): void {
    if (o && typeof o === "object") {
      if (cfg.path in o) hits++;
      for (const k of Object.keys(o)) visit(o[k]);
    }
  }
  visit(doc);
  const after = hits;
  visit(doc);
  return [after, hits];
}

function inLoop(cfg: { path: string }, items: any[]): unknown {
  const out: Function[] = [];
  for (const it of items) {
    function tag(): string {
      return cfg.path + String(it);
    }
    out.push(tag);
  }
  return out.map((f) => f());
}

const docs: unknown[] = [{ a: { b: { c: 1 } } }, { a: { b: null } }, null, undefined, { a: [1, 2] }, { "a.b.c": 3, swap: true }, { early: true, v: 2 }, { v: 5 }, "s", 7];

describe("a function declared in the compiled function", () => {
  it("is evaluated in place where nothing reassigns it: its keys fold", () => {
    const info = agree(keyed, { cfg }, docs.map((d) => [cfg, d]));
    expect(info?.tier).toBe(1);
    // Both calls run in place on the known path: the residual reads `.a` then `.b`, and splits nothing.
    expect(info?.source).toMatch(/\.a\b/);
    expect(info?.source).toMatch(/\.b\b/);
    expect(info?.source).not.toMatch(/\bget\w*\(/);
  });

  it("runs a helper that recurs on new values in place at each level: a walk over a known path", () => {
    const info = agree(lookup, { cfg }, docs.map((d) => [cfg, d]));
    expect(info?.source).toMatch(/\.c\b/);
    expect(info?.source).not.toMatch(/\bwalk\w*\(/);
  });

  it("keeps a recursion on values it does not know a call, with the same results", () => {
    agree(counted, {}, [[0], [3], [-1], [2.5], ["x"]]);
  });

  it("keeps its identity, name and length where the code takes it as a value", () => {
    agree(asValue, { cfg }, docs.map((d) => [cfg, d]));
  });

  it("is called as it stands where some path reassigns it", () => {
    agree(reassigned, { cfg }, docs.map((d) => [cfg, d]));
  });

  it("keeps `this` and `arguments` as a call gives them", () => {
    agree(sloppyThis, { cfg }, docs.map((d) => [cfg, d]));
    agree(usesArguments, { cfg }, docs.map((d) => [cfg, d]));
  });

  it("throws in the temporal dead zone of what it reads, as the original does", () => {
    agree(beforeDeclaration, { cfg }, docs.map((d) => [cfg, d]));
  });

  it("writes what it captures, seen by the caller after the call", () => {
    agree(writesCaptured, { cfg: { path: "c" } }, [[{ path: "c" }, { c: 1, d: { c: 2, e: [{ c: 3 }] } }], [{ path: "c" }, null], [{ path: "c" }, { x: 1 }]]);
  });

  it("is one function per iteration when declared in a loop's block", () => {
    agree(inLoop, { cfg }, [[cfg, [1, 2, 3]], [cfg, []], [cfg, ["x"]]]);
  });
});
