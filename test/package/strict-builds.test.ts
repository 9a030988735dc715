/**
 * The built kos runs in strict mode, as its ES-module sources do. The compiler bundles and the
 * CommonJS build are made by esbuild, whose CommonJS output says nothing of strictness: sloppy,
 * the route a large version is timed through (compiler/gain-check.ts) passed `this` on boxed,
 * so a strict function called with `this` undefined saw the global object, and with 5 a Number
 * object (decimal.js's `toFixed` then threw another TypeError than the original's). The tests
 * run from the TypeScript sources, which are strict: only the built files show it.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const repo = resolve(__dirname, "..", "..");

// A version of 1,000 syntax nodes or more is timed against the original first (gain-check.ts).
const PROGRAM = `
function poly(coeffs, x) {
  "use strict";
  let s = 0;
  for (let i = 0; i < coeffs.length; i++) s = s * x + coeffs[i];
  const t = this === undefined ? "undefined" : this === null ? "null" : this === globalThis ? "global" : typeof this;
  return t + " " + s;
}
const C = Array.from({ length: 400 }, (_, i) => (i % 7) - 3);
const j = kos.jit(poly, { specialize: { coeffs: C } });
const out = [];
for (const t of [undefined, null, 5, "s", true]) out.push([poly.call(t, C, 1), j.call(t, C, 1)]);
console.log(JSON.stringify({ out, tier: kos.inspect(j).tier }));
`;

function run(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { out: Array<[string, string]>; tier: number };
}

describe("the built kos is strict", () => {
  it.each([
    ["import", ["--input-type=module", "-e", `const kos = await import(${JSON.stringify(pathToFileURL(join(repo, "dist", "index.js")).href)});\n${PROGRAM}`]],
    ["require", ["-e", `const kos = require(${JSON.stringify(join(repo, "dist", "cjs", "index.js"))});\n${PROGRAM}`]],
  ])("a primitive or missing `this` reaches a strict function as it is, through %s", (_how, args) => {
    const { out, tier } = run(args);
    expect(tier).toBe(1);
    for (const [original, jitted] of out) expect(jitted).toBe(original);
    expect(out.map(([o]) => o.split(" ")[0])).toEqual(["undefined", "null", "number", "string", "boolean"]);
  });

  it("every bundle and CommonJS file starts with a \"use strict\" directive", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(c?js)$/.test(e.name)) files.push(p);
      }
    };
    walk(join(repo, "dist", "cjs"));
    for (const e of readdirSync(join(repo, "dist", "compiler"))) if (e.endsWith(".cached.cjs")) files.push(join(repo, "dist", "compiler", e));
    expect(files.length).toBeGreaterThan(10);
    const sloppy = files.filter((f) => !/^(\/\/[^\n]*\n|#![^\n]*\n)*"use strict";/.test(readFileSync(f, "utf8")));
    expect(sloppy.map((f) => f.slice(repo.length + 1))).toEqual([]);
  });
});
