import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import * as acorn from "acorn";
import { generate } from "astring";
import { SourceMapGenerator, createMappedGenerator, encodeVlq, sourceMappingURLComment } from "../../compiler/source-map.js";

const require_ = createRequire(import.meta.url);
// source-map-js (vite's dependency) is the reference implementation to compare with.
const smjs = require_("source-map-js") as typeof import("source-map-js");
const vlqRef = require_("source-map-js/lib/base64-vlq.js") as { encode(n: number): string };

const userSource = [
  "// a user file", // 1
  "function poly(x) {", // 2
  "  const a = x * 2;", // 3
  "  if (a > 10) {", // 4
  '    throw new Error("too big: " + a);', // 5
  "  }", // 6
  "  return a + 1;", // 7
  "}", // 8
  "module.exports = poly;", // 9
  'module.exports.one = function (x) { if (x) throw new Error("one"); };', // 10
].join("\n");

function bodyOf(src: string): any {
  const ast: any = acorn.parse(src, { ecmaVersion: "latest", locations: true });
  const fn = ast.body.find((n: any) => n.type === "FunctionDeclaration");
  return { type: "Program", sourceType: "script", body: fn.body.body };
}

describe("source map generator", () => {
  it("encodes base64 VLQ like the reference", () => {
    expect([0, 1, -1, 15, 16, -16].map(encodeVlq)).toEqual(["A", "C", "D", "e", "gB", "hB"]);
    for (const n of [0, 1, -1, 31, 32, -33, 1000, -1000, 123456789, -123456789]) expect(encodeVlq(n)).toBe(vlqRef.encode(n));
  });

  it("gives the same mappings as source-map-js for astring's own calls", () => {
    const body = bodyOf(userSource);
    const ours = new SourceMapGenerator({ source: "/u.js" });
    generate(body, { sourceMap: ours as never });
    const ref = new smjs.SourceMapGenerator({ file: "/u.js" });
    generate(body, { sourceMap: ref as never });
    expect(ours.toJSON().mappings).toBe((ref.toJSON() as { mappings: string }).mappings);
    expect(ours.toJSON()).toMatchObject({ version: 3, sources: ["/u.js"] });
  });

  it("with createMappedGenerator, every statement start maps to its original line", () => {
    const map = new SourceMapGenerator({ source: "/u.js", sourceContent: userSource, generatedFile: "kos://poly.js" });
    const code = generate(bodyOf(userSource), { sourceMap: map as never, generator: createMappedGenerator() as never });
    const consumer = new smjs.SourceMapConsumer(map.toJSON() as never);
    const lines = code.split("\n");
    const throwLine = lines.findIndex((l) => l.includes("throw")) + 1;
    const col = lines[throwLine - 1]!.indexOf("throw");
    expect(consumer.originalPositionFor({ line: throwLine, column: col })).toMatchObject({ source: "/u.js", line: 5, column: 4 });
    expect(consumer.originalPositionFor({ line: throwLine, column: lines[throwLine - 1]!.indexOf("new") })).toMatchObject({ line: 5, column: 10 });
    expect(consumer.sourceContentFor("/u.js")).toBe(userSource);
    expect(map.toJSON().file).toBe("kos://poly.js");
  });

  it("applies line offsets on both sides", () => {
    const map = new SourceMapGenerator({ source: "/u.js", generatedLineOffset: 2, originalOffset: { line: 10, column: 5 } });
    map.addMapping({ original: { line: 1, column: 3 }, generated: { line: 1, column: 0 } });
    map.addMapping({ original: { line: 2, column: 3 }, generated: { line: 2, column: 4 } });
    const c = new smjs.SourceMapConsumer(map.toJSON() as never);
    expect(c.originalPositionFor({ line: 3, column: 0 })).toMatchObject({ line: 11, column: 8 }); // first line: column shifted
    expect(c.originalPositionFor({ line: 4, column: 4 })).toMatchObject({ line: 12, column: 3 }); // later lines: not
  });

  it("makes a data: URL comment that decodes back to the map", () => {
    const map = new SourceMapGenerator({ source: "/ü.js" });
    map.addMapping({ original: { line: 1, column: 0 }, generated: { line: 1, column: 0 }, name: "x" });
    const comment = map.toComment();
    expect(comment.startsWith("//# sourceMappingURL=data:application/json;charset=utf-8;base64,")).toBe(true);
    expect(JSON.parse(Buffer.from(comment.split(",")[1]!, "base64").toString("utf8"))).toEqual(map.toJSON());
    expect(sourceMappingURLComment(map.toString())).toBe(comment);
    expect(map.toJSON().names).toEqual(["x"]);
  });
});

// A plain Node child: the user file is required, its function located with
// functionLocation, re-parsed from fn.toString() the way the compiler does,
// and regenerated through new Function with an inline map.
const tsxApi = pathToFileURL(join(dirname(require_.resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;
const childScript = (dir: string) => `
const { tsImport } = await import(${JSON.stringify(tsxApi)});
const { SourceMapGenerator, createMappedGenerator, sourceMapOptionsFor } = await tsImport(${JSON.stringify(resolve(__dirname, "../../compiler/source-map.ts"))}, import.meta.url);
const { functionLocation } = await tsImport(${JSON.stringify(resolve(__dirname, "../../compiler/discover/closure.ts"))}, import.meta.url);
const { createRequire } = await import("node:module");
const acorn = await import(${JSON.stringify(pathToFileURL(require_.resolve("acorn")).href)});
const { generate } = createRequire(${JSON.stringify(__filename)})("astring");
// tsx switches source maps on for everything it loads; put back what the command line asked for.
process.setSourceMapsEnabled(process.execArgv.includes("--enable-source-maps"));
const poly = createRequire(import.meta.url)(${JSON.stringify(join(dir, "user.js"))});
// The compiler parses "(" + fn.toString() + ")": on the first line acorn's columns are one past the text's.
const make = (name, fn = poly) => {
  const loc = functionLocation(fn);
  const fnAst = acorn.parseExpressionAt("(" + fn.toString() + ")", 0, { ecmaVersion: "latest", locations: true });
  const map = new SourceMapGenerator(sourceMapOptionsFor(loc, { prefixLength: 1, generatedLineOffset: 2, generatedFile: "kos://" + name + ".js" }));
  const code = generate({ type: "Program", body: fnAst.body.body }, { sourceMap: map, generator: createMappedGenerator() });
  return new Function("x", code + "\\n//# sourceURL=kos://" + name + ".js\\n" + map.toComment());
};
const out = [];
for (const f of [make("poly-1"), make("poly-2"), make("one", poly.one)]) { try { f(100); } catch (e) { out.push(e.stack.split("\\n")[1].trim()); } }
console.log(JSON.stringify(out));
`;

describe("stack traces through generated code", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kos-sourcemap-"));
    writeFileSync(join(dir, "user.js"), userSource);
    writeFileSync(join(dir, "child.mjs"), childScript(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (flags: string[]): string[] =>
    JSON.parse(execFileSync(process.execPath, [...flags, join(dir, "child.mjs")], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } }).trim().split("\n").pop()!);

  it("node --enable-source-maps shows the user's file and line for new Function code with an inline map", () => {
    const frames = run(["--enable-source-maps"]);
    // `new Error(` is at line 5, column 11 (1-based) of user.js
    const col10 = userSource.split("\n")[9]!.indexOf("new Error") + 1;
    expect(frames).toEqual([`at eval (${join(dir, "user.js")}:5:11)`, `at eval (${join(dir, "user.js")}:5:11)`, `at eval (${join(dir, "user.js")}:10:${col10})`]);
  }, 60_000);

  it("without the flag the frame names the generated code (line 5 = 2 header lines of new Function + 3)", () => {
    expect(run([])).toEqual(["at eval (kos://poly-1.js:5:9)", "at eval (kos://poly-2.js:5:9)", "at eval (kos://one.js:3:14)"]);
  }, 60_000);
});
