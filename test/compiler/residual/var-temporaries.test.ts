/**
 * letTemporariesToVar: a residual function's leading `let a, b;` (no initial values) becomes
 * `var a, b;`, which costs no bytecode where each `let` costs its `LdaUndefined; Star`; only
 * where nothing can tell the two apart.
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { generate } from "astring";
import { letTemporariesToVar } from "../../../compiler/residual/var-temporaries.js";
import { jit, inspect } from "../../../index.js";

function rewrite(source: string): { changed: boolean; source: string } {
  const program = parse(source, { ecmaVersion: "latest" }) as any;
  const fn = program.body[program.body.length - 1];
  const changed = letTemporariesToVar(fn);
  return { changed, source: generate(fn) };
}

describe("letTemporariesToVar", () => {
  it("rewrites the leading declaration of temporaries, after the directives", () => {
    const r = rewrite(`function f(x) { "use strict"; let a, b; a = x + 1; b = a * 2; return b; }`);
    expect(r.changed).toBe(true);
    expect(r.source).toMatch(/"use strict";\s*var a, b;/);
  });

  it("leaves a declaration that is not first, has a value, or is a const", () => {
    expect(rewrite(`function f(x) { x++; let a; a = x; return a; }`).changed).toBe(false);
    expect(rewrite(`function f(x) { let a = x, b; b = a; return b; }`).changed).toBe(false);
    expect(rewrite(`function f(x) { const a = x; return a; }`).changed).toBe(false);
  });

  it("leaves names a block's function declaration would also assign in sloppy code (Annex B)", () => {
    // Sloppy: with `var g`, the block's declaration also sets the function's g; with `let g`, not.
    const src = `function f(x) { let g; { function g() { return 1; } } return typeof g; }`;
    expect(rewrite(src).changed).toBe(false);
    expect(new Function(`return ${src}`)()(0)).toBe("undefined");
    expect(new Function(`return ${src.replace("let g;", "var g;")}`)()(0)).toBe("function");
  });

  it("leaves `arguments`, and code with a direct eval or with", () => {
    expect(rewrite(`function f(x) { let arguments; return arguments; }`).changed).toBe(false);
    expect(rewrite(`function f(x) { let a; eval(x); return a; }`).changed).toBe(false);
    expect(rewrite(`function f(x) { let a; with (x) { a = b; } return a; }`).changed).toBe(false);
  });

  it("a specialized function declares its temporaries with var, and runs the same", () => {
    function poly(cs: readonly number[], x: number) {
      let acc = 0;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        if (c !== 0) acc = acc * x + c;
      }
      return acc;
    }
    const cs = Object.freeze([3, 0, 2, 1]);
    const j = jit(poly, { specialize: { cs } });
    const source = inspect(j)!.source!;
    expect(source).toMatch(/\n  var [\w, ]+;\n/);
    expect(source).not.toMatch(/\n  let [\w, ]+;\n/);
    for (const x of [0, -0, 1.5, NaN, -2]) expect(Object.is(j(cs, x), poly(cs, x))).toBe(true);
  });
});
