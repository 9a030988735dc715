/**
 * `freeze: "deep"` freezes the specialized program, and only it. What the program does not reach
 * (the library's module object, a closure's table of operations) is folded behind guards, as it is
 * without the option, never frozen and never read stale. Before, the option switched guarded reads
 * off everywhere: json-logic-js's `jit(apply, { specialize: { logic }, freeze: "deep" })` kept every
 * call to `jsonLogic.apply` and ran at the library's speed, against 8x without the option.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Node = number | string | { op: string; l: Node; r: Node };
type Env = Record<string, number>;

/** A small interpreter whose operations live in its module state (a closure here), as json-logic's do. */
function makeInterpreter(log: string[] = []) {
  const ops: Record<string, (a: number, b: number) => number> = { add: (a, b) => a + b, mul: (a, b) => a * b };
  function evaluate(node: Node, env: Env): number {
    if (typeof node === "number") return node;
    if (typeof node === "string") return env[node]!;
    log.push(node.op);
    return ops[node.op]!(evaluate(node.l, env), evaluate(node.r, env));
  }
  return { ops, evaluate, log };
}

const program = (): Node => ({ op: "add", l: "x", r: { op: "mul", l: 2, r: "y" } });

describe('freeze: "deep" and the objects the program does not reach', () => {
  it("freezes the program, not the module state, and folds the module state's operations", () => {
    const { ops, evaluate } = makeInterpreter();
    const prog = program();
    const f = jit(evaluate, { specialize: { node: prog }, freeze: "deep", strict: true });
    expect(f(prog, { x: 1, y: 2 })).toBe(5);
    expect(Object.isFrozen(prog)).toBe(true);
    expect(Object.isFrozen(ops) || !Object.isExtensible(ops)).toBe(false);
    const source = inspect(f)!.source!;
    // The operations were inlined (`2 * env.y`), not called through the table.
    expect(source).toMatch(/2 \* env\.y/);
    expect(source).not.toMatch(/\bops\b/);
  });

  it("sees an operation replaced after jit(), like the original", () => {
    const { ops, evaluate } = makeInterpreter();
    const prog = program();
    const f = jit(evaluate, { specialize: { node: prog }, freeze: "deep" });
    expect(f(prog, { x: 10, y: 3 })).toBe(16);
    ops.add = (a, b) => a - b;
    expect(f(prog, { x: 10, y: 3 })).toBe(evaluate(prog, { x: 10, y: 3 }));
    expect(f(prog, { x: 10, y: 3 })).toBe(4);
    ops.mul = (a, b) => a ** b;
    expect(f(prog, { x: 10, y: 3 })).toBe(evaluate(prog, { x: 10, y: 3 }));
  });

  it("a getter on the input that replaces an operation mid-call: the rest of the call runs as the original's", () => {
    // Two copies of the same state: the original runs on one, the jitted function on the other.
    const run = (useJit: boolean) => {
      const it = makeInterpreter();
      const prog = program();
      const f = useJit ? jit(it.evaluate, { specialize: { node: prog }, freeze: "deep" }) : it.evaluate;
      const results: unknown[] = [];
      for (let i = 0; i < 4; i++) {
        const env = {
          get x() {
            if (i === 1) it.ops.mul = (a: number, b: number) => a - b;
            if (i === 2) {
              // The call already holds `add` (a callee is read before its arguments): the next call sees it.
              it.ops.add = (a: number, b: number) => a * 100 + b;
              it.ops.mul = (a: number, b: number) => a * b * 10;
            }
            return 7;
          },
          y: 5,
        };
        results.push(f(prog, env));
      }
      return { results, log: it.log };
    };
    const original = run(false);
    expect(original.results).toEqual([17, 4, 107, 800]);
    expect(run(true)).toEqual(original);
  });
});
