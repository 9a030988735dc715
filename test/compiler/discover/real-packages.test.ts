// Closures of real npm packages, read as installed (Node loads node_modules
// natively under vitest), checked against what each package's source says.
import { describe, it, expect } from "vitest";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { readClosure, lookupBinding, functionLocation } from "../../../compiler/discover/closure.js";
import * as valibot from "valibot";

const require_ = createRequire(import.meta.url);
const lineOf = (file: string, needle: string): number => readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("real packages", () => {
  it("json-logic-js (UMD/CommonJS): apply closes over the factory's `operations` and `jsonLogic`", () => {
    const jsonLogic = require_("json-logic-js");
    const file = require_.resolve("json-logic-js");
    const info = readClosure(jsonLogic.apply);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const self = info.bindings.get("jsonLogic")!;
    expect(self.value).toBe(jsonLogic); // `module.exports = factory()` returns this very object
    expect(self).toMatchObject({ kind: "var", stable: true, scope: "closure" });
    const ops = info.bindings.get("operations")!;
    expect(ops).toMatchObject({ kind: "var", stable: true });
    expect((ops.value as Record<string, Function>)["=="]!(1, "1")).toBe(true);
    // add_operation writes a property of `operations`, never the binding: still stable, and the live object shows it.
    jsonLogic.add_operation("kosTestOp", () => 42);
    expect((ops.value as Record<string, Function>).kosTestOp!()).toBe(42);
    jsonLogic.rm_operation("kosTestOp");
    expect(functionLocation(jsonLogic.apply)).toMatchObject({ file, line: lineOf(file, "jsonLogic.apply = function"), exact: true });
  });

  it("sift: the tester closure returned by sift(query) holds the compiled operation", () => {
    const sift = require_("sift").default as (q: object) => (v: unknown) => boolean;
    const test = sift({ age: { $gt: 30 } });
    const op = lookupBinding(test, "operation")!;
    expect(op).toMatchObject({ kind: "param", stable: true, scope: "closure" });
    expect(typeof (op.value as { next: unknown }).next).toBe("function");
    expect(test({ age: 31 })).toBe(true);
    const creator = readClosure(require_("sift").createQueryTester);
    expect(creator.ok && creator.bindings.get("createOperationTester")).toMatchObject({ kind: "var", stable: true });
  });

  it("expression-eval (minified CommonJS): eval's module-level operator tables are stable vars", () => {
    const exprEval = require_("expression-eval");
    const info = readClosure(exprEval.eval);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    // `var r=...,n=...,u={...},i={"||":...},s={"-":...}` at the top of the module
    const binary = info.bindings.get("i")!;
    expect(binary).toMatchObject({ kind: "var", stable: true, scope: "module" });
    expect((binary.value as Record<string, Function>)["+"]!(2, 3)).toBe(5);
    expect((info.bindings.get("s")!.value as Record<string, Function>)["-"]!(2)).toBe(-2);
    // compile(expr) returns l.bind(null, ast): bound functions have no scopes of their own
    expect(readClosure(exprEval.compile("a + 1"))).toMatchObject({ ok: false, code: "NO_SCOPES" });
  });

  it("mustache: render closes over the shared default Writer", () => {
    const mustache = require_("mustache");
    const info = readClosure(mustache.render);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const writer = info.bindings.get("defaultWriter")!;
    expect(writer).toMatchObject({ kind: "var", stable: true, scope: "closure" });
    expect(writer.value).toBeInstanceOf(mustache.Writer);
    expect(info.bindings.get("typeStr")).toMatchObject({ kind: "function", stable: true });
    // A prototype method closes over the same factory scope.
    const m = readClosure(mustache.Writer.prototype.renderTokens);
    expect(m.ok).toBe(true);
  });

  it("expr-eval: a prototype method (Expression#evaluate) closes over the bundle's interpreter loop", () => {
    const { Parser } = require_("expr-eval");
    const expr = new Parser().parse("x * 2 + 1");
    const info = readClosure(expr.evaluate);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const evaluate = info.bindings.get("evaluate")!;
    expect(evaluate).toMatchObject({ kind: "function", stable: true, scope: "closure" });
    // The interpreter itself, reached by reference: calling it on the expression's tokens gives the library's answer.
    expect((evaluate.value as Function)(expr.tokens, expr, { x: 4 })).toBe(9);
    // The opcode constants it switches on are stable vars of the bundle's factory.
    const inner = readClosure(evaluate.value as Function);
    expect(inner.ok && inner.bindings.get("INUMBER")).toMatchObject({ kind: "var", stable: true, value: "INUMBER" });
  });

  it("valibot (ES module): getGlobalConfig reads a reassigned `let store` and a const default", () => {
    const file = require_.resolve("valibot").replace(/index\.cjs$/, "index.mjs");
    const info = readClosure(valibot.getGlobalConfig);
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const [storeName, store] = [...info.bindings].find(([n]) => /^store/.test(n))!;
    expect(store).toMatchObject({ kind: "let", stable: false, scope: "module" });
    const assigned = readFileSync(file, "utf8").split("\n").findIndex((l) => l.startsWith(`\t${storeName} = {`)) + 1;
    expect(store.unstableReason).toBe(`\`let ${storeName}\` is reassigned at ${file}:${assigned}`);
    const defaults = info.bindings.get("DEFAULT_CONFIG")!;
    expect(defaults).toMatchObject({ kind: "const", stable: true, scope: "module" });
    expect(defaults.value).toBe(valibot.getGlobalConfig());
    // The live value follows the library's own writes.
    valibot.setGlobalConfig({ lang: "de" });
    try {
      expect(lookupBinding(valibot.getGlobalConfig, storeName)!.value).toBeUndefined(); // cached per function: a snapshot
      expect(lookupBinding(valibot.getGlobalConfig, storeName, { fresh: true })!.value).toEqual({ lang: "de" });
      expect(readClosure(valibot.getGlobalConfig).ok && lookupBinding(valibot.getGlobalConfig, storeName)!.value).toEqual({ lang: "de" });
    } finally {
      valibot.deleteGlobalConfig();
    }
  });
});
