// Cases that need a plain Node process: native ES modules (vitest would
// transform them), worker threads, and the permission model. Each child runs
// closure.ts through tsx and prints JSON.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// The child loads closure.ts through tsx's tsImport: `--import tsx` does not reach
// worker threads for .mts entry files (Node 20: "Unknown file extension"), tsImport does.
const tsxApi = pathToFileURL(join(dirname(createRequire(__filename).resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;

const closureModule = resolve(__dirname, "../../../compiler/discover/closure.ts");
let dir = "";

const esmFixture = [
  `import { sep } from "node:path";`, // 1
  `import dep from "./dep.cjs";`, // 2
  `const k = 1;`, // 3
  `let m = -0;`, // 4
  `let counter = 0;`, // 5
  `export function e(x) { return k + m + x + sep + counter + dep.v + helper(); }`, // 6
  `export function inc() { counter += 1; }`, // 7
  `export class C { meth() { return k + helper(); } }`, // 8
  `function helper() { return 2; }`, // 9
].join("\n");

// Prints, per function, each binding as [name, scope, kind, stable, reason, value-as-text].
const probe = (closurePath: string) => `
const { tsImport } = await import(${JSON.stringify(tsxApi)});
const { readClosure, functionLocation } = await tsImport(${JSON.stringify(closurePath)}, import.meta.url);
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { sep } from "node:path";
const m = await import("./mod.mjs");
const show = (fn) => {
  const r = readClosure(fn);
  if (!r.ok) return r;
  return { loc: functionLocation(fn), bindings: [...r.bindings.values()].map((b) => [b.name, b.scope, b.kind, b.stable, b.unstableReason ?? null,
    Object.is(b.value, -0) ? "-0" : b.value === sep ? "SEP" : typeof b.value === "function" ? "fn:" + b.value.name : typeof b.value === "object" ? JSON.stringify(b.value) : String(b.value)]) };
};
const dep = (await import("./dep.cjs")).default;
const out = { e: show(m.e), meth: show(m.C.prototype.meth), depNext: show(dep.next), depK: show(dep.k), thread: isMainThread ? "main" : "worker" };
if (isMainThread && process.argv.includes("--with-worker")) {
  const w = new Worker(new URL(import.meta.url));
  out.worker = await new Promise((res, rej) => { w.once("message", res); w.once("error", rej); });
}
if (isMainThread) console.log(JSON.stringify(out)); else parentPort.postMessage(out);
`;

// vitest's environment (NODE_OPTIONS, its own variables) changes how the child loads .mts.
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ["PATH", "HOME", "TMPDIR"]) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

function run(args: string[], script = "probe.mjs"): any {
  const text = execFileSync(process.execPath, [...args, join(dir, script), "--with-worker"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: cleanEnv() });
  return JSON.parse(text.trim().split("\n").pop()!);
}

// Reads closures over big objects, drops them, and reports whether GC could take them back:
// a remote object left in the inspector's object group would keep them alive.
const leakProbe = (closurePath: string) => `
const { tsImport } = await import(${JSON.stringify(tsxApi)});
const { readClosure } = await tsImport(${JSON.stringify(closurePath)}, import.meta.url);
const refs = [];
function make(i) { const o = { big: new ArrayBuffer(1 << 20), i }; refs.push(new WeakRef(o)); return () => o; }
// Inside a function: a loop at top level leaves its last closure in a register (seen: 1 of 20 alive with no reads at all).
// Checked that this fails without Runtime.releaseObjectGroup: all 20 stayed alive.
function run() { for (let i = 0; i < 20; i++) { const f = make(i); const r = readClosure(f); if (!r.ok || r.bindings.get("o").value.i !== i) throw new Error("bad read"); readClosure(f, { fresh: true }); } }
run();
for (let k = 0; k < 3; k++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
console.log(JSON.stringify({ alive: refs.filter((w) => w.deref() !== undefined).length, globals: Object.getOwnPropertyNames(globalThis).filter((n) => n.includes("kos")) }));
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-closure-proc-"));
  writeFileSync(join(dir, "leak.mjs"), leakProbe(closureModule));
  writeFileSync(join(dir, "mod.mjs"), esmFixture);
  writeFileSync(join(dir, "dep.cjs"), "exports.v = 7;\nlet n = 0;\nexports.next = () => ++n;\nconst k = 3;\nexports.k = () => k;\n");
  writeFileSync(join(dir, "probe.mjs"), probe(closureModule));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readClosure in a plain Node process", () => {
  it("reads an ES module's bindings and imports, in the main thread and in a worker", () => {
    const out = run([]);
    for (const r of [out, out.worker]) {
      const b = Object.fromEntries(r.e.bindings.map((x: unknown[]) => [x[0], x.slice(1)]));
      expect(b.k).toEqual(["module", "const", true, null, "1"]);
      expect(b.m).toEqual(["module", "let", true, null, "-0"]);
      expect(b.sep).toEqual(["module", "import", true, null, "SEP"]);
      expect(b.dep).toEqual(["module", "import", true, null, '{"v":7}']);
      expect(b.helper).toEqual(["module", "function", true, null, "fn:helper"]);
      expect(b.counter.slice(0, 3)).toEqual(["module", "let", false]);
      expect(b.counter[3]).toBe(`\`let counter\` is reassigned at ${join(dir, "mod.mjs")}:7`);
      expect(r.e.loc).toMatchObject({ file: join(dir, "mod.mjs"), line: 6, column: 8, exact: true });
      const meth = Object.fromEntries(r.meth.bindings.map((x: unknown[]) => [x[0], x.slice(1)]));
      expect(meth.k).toEqual(["module", "const", true, null, "1"]);
      expect(r.meth.loc).toMatchObject({ line: 8, column: 18 });
    }
    expect(out.worker.thread).toBe("worker");
    // CommonJS reached through import(): its top level is a module scope with its own stability.
    const depN = out.depNext.bindings.find((x: unknown[]) => x[0] === "n");
    expect(depN).toEqual(["n", "module", "let", false, `\`let n\` is reassigned at ${join(dir, "dep.cjs")}:3`, "0"]);
    expect(out.depK.bindings.find((x: unknown[]) => x[0] === "k")).toEqual(["k", "module", "const", true, null, "3"]);
  }, 60_000);

  it("keeps nothing alive: read values are collectable once the function is gone", () => {
    const text = execFileSync(process.execPath, ["--expose-gc", join(dir, "leak.mjs")], { cwd: dir, encoding: "utf8", env: cleanEnv() });
    expect(JSON.parse(text.trim().split("\n").pop()!)).toEqual({ alive: 0, globals: [] });
  }, 60_000);

  it("works when code generation from strings is disallowed", () => {
    const out = run(["--disallow-code-generation-from-strings"]);
    expect(out.e.bindings.length).toBeGreaterThan(3);
  }, 60_000);

  it("works with a debugger port open (node --inspect=0)", () => {
    const out = run(["--inspect=127.0.0.1:0"]);
    expect(out.e.bindings.length).toBeGreaterThan(3);
  }, 60_000);

  it("returns INSPECTOR_UNAVAILABLE under the permission model, naming Node's error", () => {
    const out = run(["--experimental-permission", "--allow-fs-read=*", "--allow-fs-write=*", "--allow-child-process", "--allow-worker"]);
    expect(out.e).toMatchObject({ ok: false, code: "INSPECTOR_UNAVAILABLE" });
    expect(out.e.reason).toMatch(/ERR_ACCESS_DENIED/);
  }, 60_000);
});
