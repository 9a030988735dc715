import { describe, it, expect } from "vitest";
import { dataLiteral, stringLiteral, memberExpression, commentText } from "../../aot/literal.js";
import { parseConstText, evaluateConst } from "../../aot/const-expr.js";
import { sameLengthEdit, applyEdits, checkGeneratedExpression, indexJs, bindFunction } from "../../aot/splice.js";
import { appendBeforeSourceMapComment } from "../../aot/emit.js";
import { buildReferenceIndex } from "../../aot/references.js";
import type { ModuleBindings } from "../../aot/probe.js";
import { formatReport } from "../../aot/report.js";

const evalExpr = (src: string) => (0, eval)(`(${src})`);

describe("literal builder", () => {
  it("round-trips hostile strings and exotic numbers without running anything", () => {
    const hostile = ['"); globalThis.pwned = 1; ("', "\\", "\u2028\u2029", "</script>", "`${globalThis.pwned = 1}`", "*/ pwned() /*", "\u0000\n\r"];
    for (const s of hostile) {
      const lit = stringLiteral(s);
      expect(lit).not.toMatch(/[\u2028\u2029\n\r]/);
      expect(evalExpr(lit)).toBe(s);
    }
    const values = [0, -0, NaN, Infinity, -Infinity, -5, 1e-300, 2n ** 70n, -3n, undefined, null, true, { a: [1, "x"], "k\"ey": { n: -0 } }];
    for (const v of values) {
      const back = evalExpr(dataLiteral(v)!);
      expect(Object.is(back, v) || JSON.stringify(back) === JSON.stringify(v)).toBe(true);
    }
    expect(Object.is(evalExpr(dataLiteral({ z: -0 })!).z, -0)).toBe(true);
    expect((globalThis as any).pwned).toBeUndefined();
  });

  it("keeps freezing and refuses what a literal cannot rebuild", () => {
    const frozen = evalExpr(dataLiteral(Object.freeze([1, Object.freeze({ a: 2 })]))!);
    expect(Object.isFrozen(frozen) && Object.isFrozen(frozen[1])).toBe(true);
    const shared = { x: 1 };
    const cyc: any = {}; cyc.self = cyc;
    for (const v of [() => 1, new Map(), cyc, Symbol("s"), { get g() { return 1; } }, [1, , 2]]) expect(dataLiteral(v)).toBeNull();
    expect(dataLiteral([shared, shared])).toBeNull(); // a literal would turn shared structure into copies
  });

  it("member expressions and comments are safe", () => {
    expect(memberExpression("A", "b")).toBe("A.b");
    expect(memberExpression("A", "a-b")).toBe('A["a-b"]');
    expect(memberExpression("A", '"]; evil(); //')).toBe('A["\\"]; evil(); //"]');
    expect(commentText("x */ evil() /* \n y")).not.toContain("*/");
  });
});

describe("const expressions (annotation values and call-site options)", () => {
  const lookup = (name: string) => (name === "K" ? { found: true as const, value: { a: { b: [7] } } } : { found: false as const, reason: `no ${name}` });
  it("evaluates literals and module constants", () => {
    const cases: Array<[string, unknown]> = [["4", 4], ["-0", -0], ["-2.5", -2.5], ['"x"', "x"], ["'y'", "y"], ["10n", 10n], ["-10n", -10n], ["true", true],
      ["null", null], ["undefined", undefined], ["NaN", NaN], ["-Infinity", -Infinity], ["[1, [2]]", [1, [2]]], ['{ a: 1, "b": [true] }', { a: 1, b: [true] }],
      ["K.a.b", [7]], ["K['a']", { b: [7] }]];
    for (const [text, want] of cases) {
      const r = evaluateConst(parseConstText(text), lookup);
      expect(r.ok, text).toBe(true);
      if (r.ok) expect(Object.is(r.value, want) || JSON.stringify(r.value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) === JSON.stringify(want, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))).toBe(true);
    }
  });
  it("rejects what is not known at build time", () => {
    for (const text of ["f()", "a + 1", "x => x", "this.n", "[...K]", "`t${1}`", "K.a.b.c.d", "nope"]) {
      const c = parseConstText(text);
      const r = c.kind === "invalid" ? { ok: false } : evaluateConst(c, lookup);
      expect(r.ok, text).toBe(false);
    }
  });
});

describe("splicing", () => {
  it("same-length edits keep every line break and column after the edit", () => {
    const js = "export const a = jit(serialize, {\n  specialize: { n: 4 },\n}); const after = 1;\n";
    const start = js.indexOf("jit(");
    const end = js.indexOf(")", js.indexOf("},\n}")) + 1;
    const out = applyEdits(js, [sameLengthEdit(js, start, end, "$kos_site_0()")]);
    expect(out.length).toBe(js.length);
    expect(out.split("\n").map((l) => l.length)).toEqual(js.split("\n").map((l) => l.length));
    expect(out.indexOf("const after")).toBe(js.indexOf("const after"));
    expect(() => indexJs(out, true)).not.toThrow();
  });
  it("locates top-level declarations and jit calls in emitted JS", () => {
    const idx = indexJs("export const f = (x) => x;\nfunction g() {}\nconst h = jit(g, {});\nfoo(jit(g));\n", true);
    expect(idx.constKeywordOf("f")).toBe(7);
    expect(idx.isFunctionDeclaration("g")).toBe(true);
    expect(idx.callsTo("jit").map((c) => c.firstArg)).toEqual(["g", "g"]);
  });
  it("appends before the source map comment", () => {
    expect(appendBeforeSourceMapComment("a;\n//# sourceMappingURL=x.js.map", "T;\n")).toBe("a;\nT;\n//# sourceMappingURL=x.js.map");
    expect(appendBeforeSourceMapComment("a;", "T;\n")).toBe("a;\nT;\n");
  });
  it("refuses generated code that would need eval or Function", () => {
    expect(checkGeneratedExpression(bindFunction("function f(x) { return x; }", "$g", "$d", "f", []).expression)).toBeNull();
    expect(checkGeneratedExpression("function f() { return eval('1'); }")).toMatch(/eval/);
    expect(checkGeneratedExpression("function f() { return new Function('x'); }")).toMatch(/Function/);
    expect(checkGeneratedExpression("function f() {} ; evil()")).toMatch(/single expression/);
  });
});

describe("reference index", () => {
  it("finds the shortest path from immutable bindings, and standard globals", () => {
    const SCHEMA = { props: { name: { type: "string" } }, list: [{ deep: {} }] };
    const mutable = { m: 1 };
    const values: Record<string, unknown> = { SCHEMA, mutable, ALIAS: SCHEMA.props };
    const b: ModuleBindings = {
      names: ["SCHEMA", "mutable", "ALIAS"],
      immutable: new Set(["SCHEMA", "ALIAS"]),
      get: (n) => (n in values ? { found: true, value: values[n] } : { found: false, reason: "none" }),
    };
    const idx = buildReferenceIndex(b);
    expect(idx.expressionFor(SCHEMA)).toBe("SCHEMA");
    expect(idx.expressionFor(SCHEMA.props)).toBe("ALIAS");
    expect(idx.expressionFor(SCHEMA.props.name)).toBe("ALIAS.name");
    expect(idx.expressionFor(SCHEMA.list[0]!.deep)).toBe("SCHEMA.list[0].deep");
    expect(idx.expressionFor(mutable)).toBeNull(); // a `let` may be reassigned
    expect(idx.expressionFor(JSON)).toBe("globalThis.JSON");
    expect(idx.expressionFor(Math.max)).toBe("globalThis.Math.max");
    expect(idx.expressionFor({})).toBeNull();
    expect(idx.expressionFor(4)).toBeNull();
  });
});

describe("the build's summary", () => {
  const fn = (frozen: string[]) => ({ name: "matches", file: "src/rules.ts", line: 3, column: 1, origins: ["annotation" as const], status: "optimized" as const, reason: null, assumptions: [{ param: "rules", kind: "identity" as const, description: "rules is the specialized array (identity)" }], specialized: ["rules = RULES"], trustedTypes: [], frozen });
  const report = (frozen: string[]) => ({ version: 1 as const, tsconfig: "tsconfig.json", profile: null, modules: 2, functions: [fn(frozen)], profileUnmatched: [], summary: { optimized: 1, skipped: 0 } });

  it("names the objects the output freezes, and that writes to them fail (the report listed them; the summary did not)", () => {
    const text = formatReport(report(["RULES", "RULES[0]", "RULES[1]", "RULES[2]", "RULES[3]"]));
    expect(text).toContain("freezes RULES, RULES[0], RULES[1] and 2 more (folded into the code: a write to them fails from now on, with a TypeError in strict code)");
    expect(formatReport(report(["LIMITS"]))).toContain("freezes LIMITS (folded into the code: a write to it fails");
    expect(formatReport(report([]))).not.toContain("freezes");
  });
});
