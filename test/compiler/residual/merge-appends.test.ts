/**
 * mergeAppends: a separator appended to an accumulator moves into the next append across code that
 * neither reads the accumulator nor jumps past that append; a break to a label inside that code
 * stays inside it (compiler/residual/merge-appends.ts).
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { generate } from "astring";
import { mergeAppends } from "../../../compiler/residual/merge-appends.js";

function merged(body: string): { changed: boolean; source: string; f: Function; g: Function } {
  const fn = (parse(`function f(o) { ${body} }`, { ecmaVersion: "latest" }) as any).body[0];
  const changed = mergeAppends(fn);
  const source = generate(fn);
  return { changed, source, f: new Function("o", body), g: new Function(`return ${source}`)() };
}

const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return (e as Error).message;
  }
};

const inputs = [{}, { a: 1 }, { a: 1, b: 2 }, { a: "x", b: undefined }, { get a() { throw new Error("getter"); } }, { a: 2, stop: true }];

describe("mergeAppends", () => {
  it("moves a separator across an optional field's labeled block whose break stays inside it", () => {
    const c = merged(`let out, v, w; out = "{"; out = out + ","; L: { v = o.a; if (v === undefined) break L; w = v; } out = out + ("\\"b\\":" + o.b); return out + "}";`);
    expect(c.changed).toBe(true);
    expect(c.source).not.toContain(`out = out + ",";`);
    expect(c.source).toContain(`out = out + (",\\"b\\":" + o.b);`);
    for (const o of inputs) expect(outcome(() => c.g(o))).toEqual(outcome(() => c.f(o)));
  });

  it("keeps the separator where a break or continue leaves the code between the appends", () => {
    const bodies = [
      `let out, v; out = ""; for (const k of ["a", "b"]) { out = out + ","; if (o.stop) break; out = out + k; } return out;`,
      `let out, v; out = ""; M: { out = out + ","; L: { if (o.stop) break M; } out = out + "x"; } return out;`,
      `let out, v; out = ""; for (const k of ["a", "b"]) { out = out + ","; { if (o.stop) continue; } out = out + k; } return out;`,
    ];
    for (const body of bodies) {
      const c = merged(body);
      expect(c.changed).toBe(false);
      for (const o of inputs) expect(outcome(() => c.g(o))).toEqual(outcome(() => c.f(o)));
    }
  });
});
