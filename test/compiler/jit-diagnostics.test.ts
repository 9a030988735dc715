/**
 * Generated code maps back to the user's file (issue 13): a throw inside a
 * specialized function shows the original file and line under
 * `node --enable-source-maps`, and `kos://<name>.js` without it; the cached
 * path is named the same way. A construct that makes `jit(fn, { strict: true })`
 * fail points at its file line with the source line quoted.
 */
import { describe, expect, it, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { jit, JitError } from "../../index.js";

const dist = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
const dir = mkdtempSync(join(tmpdir(), "kos-srcmap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = (extra: string) => `import { jit, inspect } from ${JSON.stringify(dist)};
export function area(shape, s) {
  const w = shape.w;
  if (s < 0) {
    throw new Error("negative scale");
  }
  return w * shape.h * s;
}
const SHAPE = Object.freeze({ w: 2, h: 3 });
const j = jit(area, { specialize: { shape: SHAPE }${extra} });
if (inspect(j).tier !== 1) throw new Error("did not compile: " + inspect(j).fallbackReason);
try { j(SHAPE, -1); } catch (e) { console.log(e.stack.split("\\n")[1].trim()); }
`;

function run(file: string, flags: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [...flags, file], { encoding: "utf8", env: { ...process.env, ...env } });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

describe("generated code maps back to the user's lines", () => {
  it("under --enable-source-maps a throw in specialized code shows the original file and line", () => {
    const file = join(dir, "user.mjs");
    writeFileSync(file, program(""));
    expect(run(file, ["--enable-source-maps"])).toBe(`at area (${file}:5:5)`);
    expect(run(file, [])).toMatch(/^at area \(kos:\/\/area\.js:\d+:\d+\)$/);
  });

  it("code from the compile cache is named kos://<name>.js too", () => {
    const file = join(dir, "cached.mjs");
    writeFileSync(file, program(", cache: true"));
    const env = { KOS_CACHE_DIR: join(dir, "cache") };
    expect(run(file, [], env)).toMatch(/^at area \(kos:\/\/area\.js:\d+:\d+\)$/);
    expect(run(file, [], env)).toMatch(/^at area \(kos:\/\/area\.js:\d+:\d+\)$/);
  });
});

describe("a strict jit() failure reads like a compiler diagnostic", () => {
  it("names the file, the file's line and column, and quotes the line with a caret", () => {
    function usesNewTarget(n: number) {
      return [n].map(function* (v) { yield v; }).length + tag`${n}`.length;
    }
    const tag = (s: TemplateStringsArray) => s;
    let error: JitError | null = null;
    try {
      jit(usesNewTarget, { specialize: { n: 1 }, strict: true });
    } catch (e) {
      error = e as JitError;
    }
    expect(error).toBeInstanceOf(JitError);
    expect(error!.code).toBe("TAGGED_TEMPLATE");
    expect(error!.file).toMatch(/jit-diagnostics\.test\.ts$/);
    expect(error!.fileLine).toBeGreaterThan(1);
    expect(error!.sourceLine).toContain("tag`");
    expect(error!.message).toMatch(/\n {3}\d+ \| .*tag`.*\n {3}\s+ \| +\^/);
  });

  it("puts the caret under the construct a check of the whole function found (a written parameter of sloppy code)", () => {
    // Sloppy code: a CommonJS file of its own (this test file is a strict module).
    const file = join(dir, "sloppy.cjs");
    writeFileSync(file, "exports.validate = function (schema, candidate, callback) {\n  if (typeof callback !== 'function') {\n      callback = arguments[1];\n  }\n  return [schema, candidate, callback];\n};\n");
    const { validate } = createRequire(import.meta.url)(file) as { validate: Function };
    let error: JitError | null = null;
    try {
      jit(validate, { specialize: { schema: {} }, strict: true });
    } catch (e) {
      error = e as JitError;
    }
    expect(error?.code).toBe("USES_ARGUMENTS");
    expect([error!.fileLine, error!.fileColumn]).toEqual([3, 7]);
    expect(error!.message).toContain("\n   3 |       callback = arguments[1];\n     |       ^");
  });
});
