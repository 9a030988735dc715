/**
 * copyColdCaptures: a closure in a speculation's generic branch (after the fork-miss hook call)
 * gets its own copies of the bindings it reads, `((x) => () => x)(x)`, so that V8 keeps those
 * bindings in registers on the fast path instead of a context; only where no later write can reach
 * them, so that the closure cannot tell a copy from the binding.
 */
import { describe, expect, it } from "vitest";
import { copyColdCaptures } from "../../../compiler/residual/cold-closure-captures.js";
import { inspect, jit } from "../../../index.js";
import { runResidualPass } from "../../support/residual-pass.js";

const HOOK = "miss";
const run = (body: string) => runResidualPass((fn) => copyColdCaptures(fn, { forkMissHook: HOOK } as never), `const ${HOOK} = () => {};\n${body}`);

const INPUTS: unknown[] = [0, 1, "a", null, undefined, [1, 2], { a: 1 }];

function same(f: Function, g: Function): void {
  for (const v of INPUTS) for (const w of INPUTS) {
    let e1: unknown, e2: unknown, r1: unknown, r2: unknown;
    try { r1 = f(v, w); } catch (e) { e1 = (e as Error).message; }
    try { r2 = g(v, w); } catch (e) { e2 = (e as Error).message; }
    expect([r2, e2]).toEqual([r1, e1]);
  }
}

describe("copyColdCaptures", () => {
  it("gives a closure after the hook call copies of the bindings it reads", () => {
    const body = `let x = [v]; let r = 0; if (typeof w === "number") { r = w; } else { ${HOOK}(); r = [1, 2].map((n) => x.length + n + String(w)); } return [r, x];`;
    const { changed, out, f, g } = run(body);
    expect(changed).toBe(true);
    expect(out).toMatch(/\(\(x, w\) => n => x\.length \+ n \+ String\(w\)\)\(x, w\)/);
    same(f, g);
  });

  it("copies a binding whose only later write is in the other arm of an if", () => {
    const body = `let x = v; let r; if (w) { ${HOOK}(); r = [0].map(() => x); } else { x = 5; r = [x]; } return r;`;
    const { changed, out, f, g } = run(body);
    expect(changed).toBe(true);
    expect(out).toMatch(/\(x => \(\) => x\)\(x\)/);
    same(f, g);
  });

  it("leaves bindings a write can reach after the closure is made", () => {
    for (const body of [
      // Written after the closure on the same path: the closure reads the new value.
      `let x = v; const fns = []; ${HOOK}(); fns.push(() => x); x = w; return fns[0]();`,
      // Written in a loop that makes the closure: a later iteration writes what it reads.
      `let x = 0; const fns = []; ${HOOK}(); for (let i = 0; i < 3; i++) { x = i; fns.push(() => x); } return fns.map((h) => h());`,
      // Written inside a function.
      `let x = v; const set = [(n) => { x = n; }]; ${HOOK}(); const fns = []; fns.push(() => x); set[0](w); return fns[0]();`,
      // Declared after the closure: a copy would read it in its temporal dead zone.
      `${HOOK}(); const fns = []; fns.push(() => x); let x = v; return fns[0]();`,
      // A parameter of a function that names arguments (sloppy: arguments[0] is v).
      `${HOOK}(); const fns = []; fns.push(() => v); arguments[0] = 7; return fns[0]();`,
      // Declared in an earlier case of a switch: the jump to the closure's case leaves it uninitialized.
      `const fns = []; ${HOOK}(); switch (typeof v) { case "number": let x = v; case "string": fns.push(() => x); } try { return fns[0](); } catch (e) { return e.constructor.name; }`,
      // Written in a finally block after the closure.
      `let x = v; const fns = []; try { ${HOOK}(); fns.push(() => x); } finally { x = w; } return fns[0]();`,
    ]) {
      const { changed, f, g } = run(body);
      expect(changed, body).toBe(false);
      same(f, g);
    }
  });

  it("leaves closures before the hook call and closures that would get a name", () => {
    for (const body of [
      `let x = v; const fns = []; fns.push(() => x); ${HOOK}(); return fns[0]();`,
      `let x = v; ${HOOK}(); const h = () => x; return [h.name, h()];`,
    ]) {
      const { changed, f, g } = run(body);
      expect(changed, body).toBe(false);
      same(f, g);
    }
  });

  it("a validator's generic branch: its closure no longer captures the input the fast branch reads", () => {
    function visit(schema: any, value: any): boolean {
      if (typeof value !== "object" || value === null) return false;
      for (const key of Object.keys(schema.properties)) {
        if (typeof value[key] !== schema.properties[key]) return false;
      }
      if (schema.closed) return Object.keys(value).every((k) => k in schema.properties);
      return true;
    }
    const cfg = { properties: { a: "number", b: "string" } as Record<string, string>, closed: false };
    const f = jit(visit, { specialize: { schema: cfg } });
    const values = [null, 1, { a: 1, b: "x" }, { a: 1, b: 2 }, { a: 1, b: "x", c: 3 }, { b: "x", a: 1 }];
    for (const x of values) expect(f(cfg, x)).toBe(visit(cfg, x));
    const src = inspect(f)!.source!;
    expect(src).toMatch(/\(schema => k => \(?k in schema\.properties\)?\)\(schema\)/);
    // The generic branch runs, and agrees, once the schema is closed.
    cfg.closed = true;
    for (const x of values) expect(f(cfg, x)).toBe(visit(cfg, x));
    cfg.properties.c = "number";
    for (const x of values) expect(f(cfg, x)).toBe(visit(cfg, x));
  });
});
