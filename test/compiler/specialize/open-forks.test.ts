/**
 * A fork's guards checked at the fork before it, where no foreign code ran in between
 * (compiler/specialize/open-forks.ts): the second fork tests `specRan || guards`, and the first
 * fork's test holds the second one's guards. Differential: getters, valueOf and proxies that change
 * the program or the operator table mid-call give what the original gives, call after call.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

type Prog = { op: string; name?: string; args?: unknown[] };

/** A small interpreter over a module-level table of operations, read after each `map` of the arguments. */
function makeInterpreter() {
  const table: Record<string, Function> = {
    add: function (a: any, b: any) { return a + b; },
    gt: function (a: any, b: any) { return a > b; },
  };
  function apply(node: any, data: any): unknown {
    if (typeof node !== "object" || node === null) return node;
    if (node.op === "var") return data[node.name];
    const args = node.args.map(function (a: unknown) { return apply(a, data); });
    return table[node.op]!.apply(data, args);
  }
  return { table, apply };
}

const program = (): Prog => ({ op: "gt", args: [{ op: "add", args: [{ op: "var", name: "x" }, 3] }, 10] });

type Case = (prog: Prog, table: Record<string, Function>, log: string[]) => unknown;

/** Inputs, each given the program and table of its own run; some change them while the call runs. */
const inputs: Case[] = [
  () => ({ x: 9 }),
  () => ({ x: 5 }),
  () => ({ x: "7" }),
  (prog, _t, log) => ({ get x() { log.push("x"); (prog.args![0] as Prog).args![1] = 100; return 1; } }),
  (_p, table, log) => ({ get x() { log.push("x"); table.add = function (a: any, b: any) { return a * b; }; return 4; } }),
  (_p, table, log) => ({ get x() { log.push("x"); table.gt = function () { return "changed"; }; return 4; } }),
  (_p, table, log) => ({ get x() { log.push("x"); delete table.add; return 4; } }),
  (prog, _t, log) => ({ get x() { log.push("x"); prog.op = "add"; return 4; } }),
  (prog, table, log) => ({ x: { valueOf() { log.push("valueOf"); table.gt = function (a: any, b: any) { return [a, b]; }; (prog.args as unknown[])[1] = -1; return 8; } } }),
  (_p, table, log) => new Proxy({ x: 2 }, { get(t, k) { log.push(`get ${String(k)}`); table.add = function () { return 50; }; return (t as any)[k]; } }),
  () => null,
];

function runAll(useJit: boolean): unknown[] {
  const out: unknown[] = [];
  for (const make of inputs) {
    const { table, apply } = makeInterpreter();
    const prog = program();
    const log: string[] = [];
    const f = useJit ? (jit(apply, { specialize: { node: prog } }) as typeof apply) : apply;
    const results: unknown[] = [];
    // The same call twice (the second one sees what the first changed), then a plain one.
    for (const data of [() => make(prog, table, log), () => make(prog, table, log), () => ({ x: 9 })]) {
      try {
        results.push(f(prog, data()));
      } catch (e) {
        results.push(`threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
      }
    }
    out.push({ results, log });
  }
  return out;
}

describe("open forks", () => {
  it("the operator's table entry read after the rest of its arguments' map is checked with that map's rest", () => {
    const { apply } = makeInterpreter();
    const prog = program();
    const f = jit(apply, { specialize: { node: prog } }) as typeof apply;
    expect(f(prog, { x: 9 })).toBe(true);
    const src = inspect(f).source!;
    // The second fork skips its test where the first fork's speculated branch ran.
    expect(src).toMatch(/if \(specRan(_\d+)? \|\| /);
    // ... because the first fork checked its guards too: the table entry is read in both tests.
    const add = [...src.matchAll(/\$k_ref_\d+\.add === /g)].length;
    expect(add).toBeGreaterThanOrEqual(2);
  });

  it("getters, valueOf and proxies that change the program or the table mid-call: same results, errors and side effects", () => {
    expect(runAll(true)).toEqual(runAll(false));
  });
});
