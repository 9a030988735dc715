import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parsedScriptFunctions, scriptFunctions } from "../../profiler/function-source.js";
import { ScriptFunctionCache } from "../../profiler/script-cache.js";

describe("the script cache of kos profile's analysis", () => {
  const dir = mkdtempSync(join(tmpdir(), "kos-scripts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the functions of a parsed script by its text, and gives them back without parsing", () => {
    // A text no other test parses (function-source keeps parses in memory by text).
    const source = `// ${Date.now()} ${Math.random()}\nfunction outer(a) {\n  const inner = (x) => x * a;\n  return inner(2);\n}\nclass K { static make(n) { return new K(n); } get size() { return 1; } }\n`;
    const first = new ScriptFunctionCache(dir);
    first.prime(source);
    expect(parsedScriptFunctions(source)).toBeUndefined(); // a miss: nothing installed
    const parsed = scriptFunctions(source)!;
    expect(parsed.functions.map((f) => f.name)).toEqual(expect.arrayContaining(["outer", "inner", "make", "get size"]));
    first.persist();
    expect(readdirSync(join(dir, "scripts")).filter((f) => f.endsWith(".json"))).toHaveLength(1);

    // Another text with the same functions' positions must not match: the key is the whole text.
    const other = source.replace("x * a", "x + a");
    new ScriptFunctionCache(dir).prime(other);
    expect(parsedScriptFunctions(other)).toBeUndefined();
  });

  it("installs a cached parse that equals a fresh one, and ignores an entry of another format", () => {
    const source = `// ${Date.now()} ${Math.random()} b\nexport const f = function named(a, b) { return a + b; };\nconst o = { m() { return 1; }, async *g() {} };\n`;
    const writer = new ScriptFunctionCache(dir);
    writer.prime(source);
    const fresh = JSON.parse(JSON.stringify(scriptFunctions(source)!.functions));
    writer.persist();
    // Drop the in-memory parse by filling function-source's memory past its bound with other texts.
    for (let i = 0; i < 70; i++) scriptFunctions(`// filler ${i} ${Math.random()}\nfunction f${i}() {}\n`);
    expect(parsedScriptFunctions(source)).toBeUndefined();
    new ScriptFunctionCache(dir).prime(source);
    expect(parsedScriptFunctions(source)?.functions).toEqual(fresh);

    // A file of another format (an older kos) is a miss, not an error.
    const stale = `// ${Date.now()} ${Math.random()} c\nfunction z() {}\n`;
    const probe = new ScriptFunctionCache(dir);
    probe.prime(stale);
    scriptFunctions(stale);
    probe.persist();
    const files = readdirSync(join(dir, "scripts")).filter((f) => f.endsWith(".json"));
    for (const f of files) writeFileSync(join(dir, "scripts", f), JSON.stringify({ format: "script-functions-0", functions: [] }));
    for (let i = 0; i < 70; i++) scriptFunctions(`// filler2 ${i} ${Math.random()}\nfunction g${i}() {}\n`);
    new ScriptFunctionCache(dir).prime(stale);
    expect(parsedScriptFunctions(stale)).toBeUndefined();
  });

  it("only parses again when the directory cannot be written", () => {
    const source = `// ${Date.now()} ${Math.random()} d\nfunction w() {}\n`;
    const file = join(dir, "not-a-directory");
    writeFileSync(file, "x");
    const cache = new ScriptFunctionCache(file);
    cache.prime(source);
    scriptFunctions(source);
    expect(() => cache.persist()).not.toThrow();
  });
});
