/**
 * An ES module import is a live binding: the module that exports it may reassign it, and every
 * importer sees the new value (compiler/discover/live-imports.ts). A jitted function that read
 * such an import folded the value it saw at compile time (sweep23 repro-4); it now falls back,
 * naming the export and the line that reassigns it. Imports nothing reassigns still fold.
 *
 * Run in a child node process on the built package: under vitest, modules are transformed and
 * their imports are no longer ES module bindings.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const kosUrl = pathToFileURL(join(fileURLToPath(new URL("../..", import.meta.url)), "dist", "index.js")).href;
const dir = mkdtempSync(join(tmpdir(), "kos-live-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the modules and a driver (its body sees `jit`, `inspect` and the modules as `m`), runs it, returns what it printed as JSON. */
function run(files: Record<string, string>, body: string): any {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const imports = Object.keys(files).map((name, i) => `import * as m${i} from ${JSON.stringify(pathToFileURL(join(dir, name)).href)};`).join("\n");
  const m = `const m = { ${Object.keys(files).map((name, i) => `${JSON.stringify(name)}: m${i}`).join(", ")} };`;
  const driver = join(dir, `driver-${Object.keys(files)[0]}`);
  writeFileSync(driver, `import { jit, inspect } from ${JSON.stringify(kosUrl)};\n${imports}\n${m}\nconst out = {};\n${body}\nconsole.log(JSON.stringify(out));\n`);
  const r = spawnSync(process.execPath, [driver], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

describe("live ES module imports", () => {
  it("an export its module reassigns makes the importing function fall back, naming the line", () => {
    const out = run(
      {
        "a1.mjs": "export let mode = 1;\nexport function setMode(v) { mode = v; }\n",
        "b1.mjs": 'import { mode } from "./a1.mjs";\nexport function f(c, cb) { const before = mode; cb(); return [before, mode, c.k]; }\n',
      },
      `const c = { k: 0 };
      const j = jit(m["b1.mjs"].f, { specialize: { c } });
      const noop = () => {};
      out.results = [];
      for (const [mode, cb] of [[1, noop], [5, noop], [1, () => m["a1.mjs"].setMode(9)]]) {
        m["a1.mjs"].setMode(mode);
        const want = m["b1.mjs"].f(c, cb);
        m["a1.mjs"].setMode(mode);
        out.results.push([want, j(c, cb)]);
      }
      out.tier = inspect(j).tier;
      out.reason = inspect(j).fallbackReason;`,
    );
    for (const [want, got] of out.results) expect(got).toEqual(want);
    expect(out.results.map((r: unknown[][]) => r[0])).toEqual([[1, 1, 0], [5, 5, 0], [1, 9, 0]]);
    expect(out.tier).toBe("fallback");
    expect(out.reason).toMatch(/`mode` is a live import: `mode` is exported by .*a1\.mjs, which reassigns it at .*a1\.mjs:2/);
  });

  it("follows re-exports (`export *`, `export { x as y } from`) to the module that reassigns", () => {
    const out = run(
      {
        "a2.mjs": "let level = 2;\nexport { level as lvl };\nexport function bump() { level++; }\n",
        "mid2.mjs": 'export { lvl as depth } from "./a2.mjs";\n',
        "barrel2.mjs": 'export * from "./mid2.mjs";\n',
        "b2.mjs": 'import { depth } from "./barrel2.mjs";\nexport function g(c) { return depth * c.k; }\n',
      },
      `const c = { k: 3 };
      const j = jit(m["b2.mjs"].g, { specialize: { c } });
      out.first = j(c);
      m["a2.mjs"].bump();
      out.after = [m["b2.mjs"].g(c), j(c)];
      out.reason = inspect(j).fallbackReason;`,
    );
    expect(out.first).toBe(6);
    expect(out.after).toEqual([9, 9]);
    expect(out.reason).toMatch(/`depth` is a live import: `level` is exported by .*a2\.mjs, which reassigns it at .*a2\.mjs:3/);
  });

  it("an export nothing reassigns, one only the module body assigns (TypeScript's namespace output), a default export and a namespace import still fold", () => {
    const out = run(
      {
        "a3.mjs": "export let scale = 4;\nexport const table = { x: 1 };\nexport var Policy;\n(function (Policy) { Policy.extra = 2; })(Policy || (Policy = {}));\nexport default function twice(v) { return v * 2; }\n",
        "b3.mjs": 'import twice, { scale, table, Policy } from "./a3.mjs";\nimport * as ns from "./a3.mjs";\nexport function h(c, v) { return twice(v) * scale + table.x + ns.scale + Policy.extra + c.k; }\n',
      },
      `const c = { k: 1 };
      const j = jit(m["b3.mjs"].h, { specialize: { c } });
      out.results = [j(c, 5), m["b3.mjs"].h(c, 5)];
      out.tier = inspect(j).tier;
      out.reason = inspect(j).fallbackReason;`,
    );
    expect(out.results[0]).toBe(out.results[1]);
    expect(out.tier, out.reason ?? "").toBe(1);
  });
});
