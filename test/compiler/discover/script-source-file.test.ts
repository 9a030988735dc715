// A compile in a later task takes a script's source from its file only where V8's hash of the
// source matches the file (discover/script-registry.ts, sourceFromFile); a file changed since it
// loaded is not used, and V8's own source is read instead.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { jit, inspect } from "../../../index.js";
import { readClosure } from "../../../compiler/discover/closure.js";

const require_ = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "kos-script-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nextTask = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

function load(name: string, src: string): { file: string; m: { f: (x: number) => number } } {
  const file = join(dir, name);
  writeFileSync(file, src);
  return { file, m: require_(file) };
}

/** Loads `a` and then a second module, and reads the second one's closure: the replay that names `a` happens in this task, before `a` is compiled. */
async function replayAfterLoading(id: string, src: string) {
  const a = load(`a-${id}.js`, src);
  const other = load(`other-${id}.js`, "const q = 3;\nexports.f = function g(x) { return x * q; };\n");
  expect(readClosure(other.m.f).ok).toBe(true);
  await nextTask();
  return a;
}

describe("script source from the file", () => {
  it("an unchanged file: the function compiles on its module constant, located in that file", async () => {
    const a = await replayAfterLoading("same", "// é → two-byte text in a comment\nconst k = 5;\nexports.f = function f(x) { return x + k; };\n");
    const j = jit(a.m.f, { specialize: {}, assume: { x: "number" } });
    expect(j(1)).toBe(6);
    expect(inspect(j).tier).toBe(1);
    expect(inspect(j).source).toMatch(/x \+ 5/);
    const r = readClosure(a.m.f);
    expect(r.ok && r.location?.file).toBe(a.file);
    expect(r.ok && r.location?.exact).toBe(true);
  });

  it("a file changed after it loaded is not taken for the script: V8's source decides", async () => {
    const a = await replayAfterLoading("changed", "const k = 5;\nexports.f = function f(x) { return x + k; };\n");
    // Read from this text (f where it was), `k` would be a binding a function reassigns: a fallback naming it.
    writeFileSync(a.file, "let k = 5;\nexports.f = function f(x) { return x + k; };\nexports.set = (v) => { k = v; };\n");
    const j = jit(a.m.f, { specialize: {}, assume: { x: "number" } });
    expect(inspect(j).fallbackReason).toBeNull();
    expect(inspect(j).tier).toBe(1);
    expect(j(1)).toBe(6);
    expect(inspect(j).source).toMatch(/x \+ 5/);
  });
});
