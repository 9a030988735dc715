import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { JitError, JIT_ERROR_CODES, formatDiagnostic } from "../../compiler/jit-error.js";
import "../../compiler/discover/closure.js"; // registers the file locator JitError.atFunction uses
import { KosError } from "../../errors.js";

const require_ = createRequire(import.meta.url);
let dir = "";
let lib: { render: Function; inline: Function };
const libSource = [
  "'use strict';", // 1
  "", // 2
  "function render(src, data) {", // 3
  "  const x = data.x;", // 4
  "  return eval(src);", // 5
  "}", // 6
  "exports.render = render;", // 7
  "exports.inline = function (s) { return eval(s); };", // 8
].join("\n");

/** Where the first `eval(...)` call sits in fn.toString(): 1-based line, 0-based column, as acorn reports it. */
function evalPosition(fn: Function): { line: number; column: number } {
  const text = fn.toString();
  const ast = acorn.parse(`(${text})`, { ecmaVersion: "latest", locations: true });
  let found: { line: number; column: number } | null = null;
  walk.simple(ast, {
    CallExpression(n: any) {
      if (!found && n.callee.type === "Identifier" && n.callee.name === "eval") found = { line: n.loc.start.line, column: n.loc.start.column };
    },
  });
  // The wrapping "(" shifts columns on the first line only.
  return found!.line === 1 ? { line: 1, column: found!.column - 1 } : found!;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-jiterror-"));
  writeFileSync(join(dir, "lib.js"), libSource);
  lib = require_(join(dir, "lib.js"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("JitError", () => {
  it("keeps the old constructor: code, function-relative line in the message, a KosError", () => {
    const e = new JitError("USES_EVAL", "the function calls `eval`", 3);
    expect(e).toBeInstanceOf(KosError);
    expect(e.name).toBe("JitError");
    expect(e.code).toBe("USES_EVAL");
    expect(e.line).toBe(3);
    expect(e.message).toBe("the function calls `eval` (line 3)");
    expect(e.file).toBeNull();
    expect(new JitError("INTERNAL", "boom").message).toBe("boom");
    const cause = new Error("inner");
    expect(new JitError("INTERNAL", "x", null, { cause }).cause).toBe(cause);
  });

  it("atFunction points at the file's line and column and quotes the line with a caret", () => {
    const rel = evalPosition(lib.render);
    expect(rel).toEqual({ line: 3, column: 9 });
    const e = JitError.atFunction(lib.render, "USES_EVAL", "eval is not supported (kos falls back to the original)", rel);
    const file = join(dir, "lib.js");
    expect([e.file, e.fileLine, e.fileColumn]).toEqual([file, 5, 10]);
    expect(e.sourceLine).toBe("  return eval(src);");
    expect(e.line).toBe(3);
    expect(e.reason).toBe("eval is not supported (kos falls back to the original)");
    expect(e.message).toBe(
      [
        "eval is not supported (kos falls back to the original)",
        `  at ${file}:5:10`,
        "   5 |   return eval(src);",
        "     |          ^",
      ].join("\n"),
    );
    expect(e.stack!.split("\n")[0]).toBe("JitError [USES_EVAL]: eval is not supported (kos falls back to the original)");
    expect(String(e)).toMatch(/^JitError: eval is not supported/);
  });

  it("maps columns on the function's first line from where the function starts in the file", () => {
    const rel = evalPosition(lib.inline);
    expect(rel.line).toBe(1);
    const e = JitError.atFunction(lib.inline, "USES_EVAL", "eval", rel);
    const line8 = libSource.split("\n")[7]!;
    expect([e.fileLine, e.fileColumn]).toEqual([8, line8.indexOf("eval(s)") + 1]);
    expect(e.message.split("\n").slice(2)).toEqual([`   8 | ${line8}`, `     | ${" ".repeat(line8.indexOf("eval(s)"))}^`]);
  });

  it("starts the stack at the caller of the public entry, not inside kos", () => {
    function entry(fn: Function): never {
      throw JitError.atFunction(fn, "USES_EVAL", "eval", evalPosition(fn), { entry });
    }
    function userCallsJit(): void {
      entry(lib.render);
    }
    let caught: JitError | null = null;
    try {
      userCallsJit();
    } catch (e) {
      caught = e as JitError;
    }
    const frames = caught!.stack!.split("\n").filter((l) => /^\s+at /.test(l) && !l.includes(dir));
    expect(frames[0]).toMatch(/userCallsJit/);
    expect(caught!.stack).not.toMatch(/\bat entry\b/);
    expect(caught!.stack).not.toMatch(/jit-error\.ts/);
    const plain = new JitError("USES_EVAL", "eval", null, { entry: userCallsJit });
    expect(plain.stack).not.toMatch(/userCallsJit/);
  });

  it("without a known location it reads like the plain constructor", () => {
    const e = JitError.atFunction(Math.max, "NATIVE_FUNCTION", "native", { line: 1 });
    expect(e.message).toBe("native (line 1)");
    expect(e.file).toBeNull();
    const none = JitError.atFunction(lib.render, "USES_EVAL", "eval", { line: 3, column: 9 }, { location: null });
    expect(none.message).toBe("eval (line 3)");
    // Only V8's position known: point at the function and name the line within it.
    const rough = JitError.atFunction(lib.render, "USES_EVAL", "eval", { line: 3, column: 9 }, { location: { file: "/x.js", line: 3, column: 16, exact: false } });
    expect(rough.message.split("\n")[0]).toBe("eval (line 3 of the function)");
    expect([rough.file, rough.fileLine, rough.fileColumn, rough.line]).toEqual(["/x.js", 3, 16, 3]);
  });

  it("formatDiagnostic without source text gives the position only; tabs keep the caret aligned", () => {
    expect(formatDiagnostic("m", { file: "/a.js", line: 2, column: 3 })).toBe("m\n  at /a.js:2:3");
    expect(formatDiagnostic("m", { file: "/a.js", line: 10, column: 3, sourceLine: "\tx(y)" })).toBe("m\n  at /a.js:10:3\n   10 |  x(y)\n      |   ^");
  });

  it("every code is in the README's fallback table, and no table code is unknown", () => {
    const readme = readFileSync(resolve(__dirname, "../../README.md"), "utf8");
    const start = readme.indexOf("**What falls back to the original**");
    const table = readme.slice(start, readme.indexOf("\n\n", readme.indexOf("| --- |", start)));
    // The code column is the last cell of each row.
    const codeCells = table.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| ---")).slice(1).map((l) => l.split("|").at(-2)!);
    const inTable = new Set(codeCells.flatMap((c) => [...c.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]!)));
    for (const code of JIT_ERROR_CODES) expect(inTable, code).toContain(code);
    for (const code of inTable) expect(JIT_ERROR_CODES as readonly string[]).toContain(code);
  });
});
