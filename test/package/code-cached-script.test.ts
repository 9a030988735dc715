/**
 * The compiler's bundle runs through V8's code cache (code-cached-script.ts):
 * the first process writes the cache, the next one uses it, a cache of
 * another build, Node or set of flags is never read, a mangled one is refused
 * by V8, and in every case the bundle runs the same.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_CACHE_FILES, codeCacheDir, loadCodeCached, pruneCacheDir } from "../../code-cached-script.js";

const repo = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "kos-code-cache-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BODY = `"use strict";
const helper = require("helper");
let calls = 0;
function area(w, h) { calls++; return helper.scale * w * h; }
module.exports = { area, calls: () => calls, url: __kos_import_meta_url, file: __filename };
`;

function bundle(name: string, id: string | null, body = BODY): string {
  const file = join(dir, name);
  writeFileSync(file, (id === null ? "" : `//kos-build:${id}\n`) + body);
  return file;
}

const requireFn = (spec: string) => {
  if (spec === "helper") return { scale: 2 };
  throw new Error(`unexpected require(${spec})`);
};

interface Area {
  area(w: number, h: number): number;
  calls(): number;
  url: string;
  file: string;
}

/** Loads `file` in a fresh node (a fresh V8 isolate, as the next program is), with `cacheDir`. */
function loadInChild(file: string, cacheDir: string, execArgv: string[] = [], writeAtExit = false): { cache: string; area: number; files: string[] } {
  const probe = `import { loadCodeCached } from ${JSON.stringify(pathToFileURL(join(repo, "dist", "code-cached-script.js")).href)};
import { existsSync, readdirSync } from "node:fs";
const r = loadCodeCached(${JSON.stringify(file)}, () => ({ scale: 3 }), { dir: ${JSON.stringify(cacheDir)}, writeAtExit: ${writeAtExit} });
const area = r.exports.area(2, 5);
const files = () => existsSync(${JSON.stringify(cacheDir)}) ? readdirSync(${JSON.stringify(cacheDir)}).sort() : [];
setImmediate(() => setImmediate(() => console.log(JSON.stringify({ cache: r.cache, area, files: files() }))));`;
  const out = spawnSync(process.execPath, [...execArgv, "--input-type=module", "-e", probe], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as { cache: string; area: number; files: string[] };
}

describe("loadCodeCached", () => {
  it("runs a CommonJS bundle with the given require, __filename and import.meta.url", () => {
    const file = bundle("plain.cjs", "0123456789abcdef0123456789abcdef");
    const loaded = loadCodeCached(file, requireFn, { dir: null });
    const m = loaded.exports as Area;
    expect(loaded.cache).toBe("off");
    expect(m.area(3, 4)).toBe(24);
    expect(m.calls()).toBe(1);
    expect(m.file).toBe(file);
    expect(m.url).toBe(pathToFileURL(file).href);
  });

  it.runIf(existsSync(join(repo, "dist", "code-cached-script.js")))("writes the cache after the first run, and the next process uses it", () => {
    const file = bundle("cached.cjs", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    const cacheDir = join(dir, "cache-a");
    const first = loadInChild(file, cacheDir);
    expect(first).toMatchObject({ cache: "absent", area: 30 });
    expect(first.files).toHaveLength(1);
    expect(first.files[0]).toMatch(/^aaaaaaaaaaaaaaaa-[0-9a-f]{8}\.v8cache$/);
    expect(loadInChild(file, cacheDir)).toEqual({ cache: "accepted", area: 30, files: first.files });

    // Node's own profiling flags and preloads, which V8 does not see, name the same cache: under
    // `kos profile`, each output directory (`--cpu-prof-dir`) had made a new one, loaded cold.
    const profiled = (d: string) => loadInChild(file, cacheDir, ["--cpu-prof", `--cpu-prof-dir=${join(dir, d)}`, "--require", join(dir, d, "preload.cjs")]);
    mkdirSync(join(dir, "prof-1"), { recursive: true });
    mkdirSync(join(dir, "prof-2"), { recursive: true });
    writeFileSync(join(dir, "prof-1", "preload.cjs"), "");
    writeFileSync(join(dir, "prof-2", "preload.cjs"), "");
    expect(profiled("prof-1")).toMatchObject({ area: 30, files: first.files });
    expect(profiled("prof-2")).toMatchObject({ cache: "accepted", area: 30, files: first.files });

    // Other V8 flags: another cache file, so the two runs do not overwrite each other's.
    const flagged = loadInChild(file, cacheDir, ["--no-opt"]);
    expect(flagged.cache).toBe("absent");
    expect(flagged.files).toHaveLength(2);

    // A rebuilt bundle of the very same length: V8 alone would accept the old bytecode for it.
    const rebuilt = bundle("cached.cjs", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    expect(loadInChild(rebuilt, cacheDir).cache).toBe("absent");
  });

  it.runIf(existsSync(join(repo, "dist", "code-cached-script.js")))("two installs of one build keep their own caches, and their stack frames name their own file", () => {
    // V8 restores a cached script's functions under the name the cache was made with: with one
    // cache for both, the second install's frames named the first install's file (sweep12, repro-3).
    const body = `"use strict";\nmodule.exports = { area(w, h) { return w * h; }, where() { return new Error("x").stack.split("\\n")[1]; } };\n`;
    mkdirSync(join(dir, "install-1"), { recursive: true });
    mkdirSync(join(dir, "install-2"), { recursive: true });
    const one = bundle(join("install-1", "core.cjs"), "ffffffffffffffffffffffffffffffff", body);
    const two = bundle(join("install-2", "core.cjs"), "ffffffffffffffffffffffffffffffff", body);
    const cacheDir = join(dir, "cache-installs");
    // One probe script for both (an `-e` text that names the file would differ in execArgv, a part of the key).
    const probe = join(dir, "where-probe.mjs");
    writeFileSync(probe, `import { loadCodeCached } from ${JSON.stringify(pathToFileURL(join(repo, "dist", "code-cached-script.js")).href)};
const r = loadCodeCached(process.argv[2], () => ({}), { dir: process.argv[3] });
const frame = r.exports.where();
setImmediate(() => setImmediate(() => console.log(JSON.stringify({ cache: r.cache, frame }))));`);
    const where = (file: string) => {
      const out = spawnSync(process.execPath, [probe, file, cacheDir], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
      expect(out.status, out.stderr).toBe(0);
      return JSON.parse(out.stdout) as { cache: string; frame: string };
    };
    expect(where(one).cache).toBe("absent");
    expect(where(one).cache).toBe("accepted");
    const second = where(two);
    expect(second.cache).toBe("absent");
    expect(second.frame).toContain(two);
    const again = where(two);
    expect(again.cache).toBe("accepted");
    expect(again.frame).toContain(two);
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it.runIf(existsSync(join(repo, "dist", "code-cached-script.js")))("with writeAtExit, writes the cache when the process exits, not after the task", () => {
    const file = bundle("at-exit.cjs", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    const cacheDir = join(dir, "cache-e");
    const first = loadInChild(file, cacheDir, [], true);
    // Nothing written while the process ran (it printed after two more tasks)...
    expect(first).toEqual({ cache: "absent", area: 30, files: [] });
    // ...and the cache is there once it exited, for the next process.
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(loadInChild(file, cacheDir, [], true)).toMatchObject({ cache: "accepted", area: 30 });
  });

  it.runIf(existsSync(join(repo, "dist", "code-cached-script.js")))("runs the bundle as it is when V8 rejects the cache's bytes, then writes the cache again", () => {
    const file = bundle("mangled.cjs", "cccccccccccccccccccccccccccccccc");
    const cacheDir = join(dir, "cache-c");
    // The file name this bundle's cache gets in a child (same Node, no flags).
    const name = loadInChild(file, cacheDir).files[0]!;
    writeFileSync(join(cacheDir, name), Buffer.alloc(4096, 7));
    // A fresh process: in this one, V8's in-memory cache of the script would answer first.
    const mangled = loadInChild(file, cacheDir);
    expect(mangled).toMatchObject({ cache: "rejected", area: 30 });
    expect(statSync(join(cacheDir, name)).size).not.toBe(4096);
    expect(loadInChild(file, cacheDir).cache).toBe("accepted");
  });

  it.runIf(typeof process.getuid === "function" && process.getuid() === 0)("never reads a cache from a directory another user owns", () => {
    const file = bundle("foreign.cjs", "dddddddddddddddddddddddddddddddd");
    const cacheDir = join(dir, "cache-foreign");
    const probe = loadCodeCached(file, requireFn, { dir: cacheDir, writeAfterTask: false });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(probe.cacheFile!, Buffer.alloc(64, 1));
    spawnSync("chown", ["-R", "65534", cacheDir]);
    chmodSync(cacheDir, 0o777);
    const loaded = loadCodeCached(file, requireFn, { dir: cacheDir, writeAfterTask: false });
    expect(loaded.cache).toBe("absent");
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it("keeps the newest MAX_CACHE_FILES caches of a directory, removes dead writers' temporary files, and touches no other file", () => {
    const cacheDir = join(dir, "cache-prune");
    mkdirSync(cacheDir);
    const now = Date.now();
    const name = (i: number) => `${"ab".repeat(8)}-${i.toString(16).padStart(8, "0")}.v8cache`;
    const at = (file: string, ageMs: number) => {
      writeFileSync(join(cacheDir, file), "x");
      utimesSync(join(cacheDir, file), (now - ageMs) / 1000, (now - ageMs) / 1000);
    };
    // 40 caches, cache i written i minutes ago; a foreign .v8cache, other files, and two temporary files.
    for (let i = 0; i < 40; i++) at(name(i), i * 60_000);
    at("other-tool.v8cache", 10 * 86_400_000);
    at("notes.txt", 10 * 86_400_000);
    at(`${name(1)}.4242.tmp`, 2 * 3_600_000); // a writer that died two hours ago
    at(`${name(2)}.4343.tmp`, 1_000); // a writer still writing
    pruneCacheDir(cacheDir, MAX_CACHE_FILES, now);
    const left = readdirSync(cacheDir).sort();
    expect(MAX_CACHE_FILES).toBe(32);
    expect(left).toEqual([...Array.from({ length: 32 }, (_, i) => name(i)), `${name(2)}.4343.tmp`, "notes.txt", "other-tool.v8cache"].sort());
    // Under the bound nothing goes.
    pruneCacheDir(cacheDir, MAX_CACHE_FILES, now);
    expect(readdirSync(cacheDir)).toHaveLength(left.length);
  });

  it.runIf(existsSync(join(repo, "dist", "code-cached-script.js")))("a process that writes a cache into a full directory removes the oldest ones, not its own", () => {
    const cacheDir = join(dir, "cache-full");
    mkdirSync(cacheDir);
    const old = Date.now() / 1000 - 86_400;
    for (let i = 0; i < MAX_CACHE_FILES + 5; i++) {
      const f = join(cacheDir, `${"cd".repeat(8)}-${i.toString(16).padStart(8, "0")}.v8cache`);
      writeFileSync(f, "x");
      utimesSync(f, old + i, old + i);
    }
    const file = bundle("full.cjs", "fedcba9876543210fedcba9876543210");
    const first = loadInChild(file, cacheDir);
    expect(first.cache).toBe("absent");
    expect(first.files).toHaveLength(MAX_CACHE_FILES);
    // Its own cache is among them, and the next process uses it.
    expect(first.files.filter((f) => f.startsWith("fedcba9876543210-"))).toHaveLength(1);
    expect(first.files).not.toContain(`${"cd".repeat(8)}-00000000.v8cache`);
    expect(loadInChild(file, cacheDir).cache).toBe("accepted");
  });

  it("has no cache for a bundle without a build line, and none when KOS_CODE_CACHE is off", () => {
    const file = bundle("unmarked.cjs", null);
    expect(loadCodeCached(file, requireFn, { dir: join(dir, "cache-u"), writeAfterTask: false }).cache).toBe("off");
    expect(codeCacheDir({ KOS_CODE_CACHE: "0" })).toBeNull();
    expect(codeCacheDir({ KOS_CODE_CACHE: " Off " })).toBeNull();
    expect(codeCacheDir({ KOS_CODE_CACHE_DIR: "/somewhere" })).toBe("/somewhere");
    expect(codeCacheDir({})).toContain(tmpdir());
  });
});

describe("the built compiler", () => {
  const built = join(repo, "dist", "compiler", "index.cached.cjs");
  const core = join(repo, "dist", "compiler", "core.cached.cjs");

  it.runIf(existsSync(built))("is one script with a build id, and a program's second run compiles through the cache the first one wrote", () => {
    const cacheDir = join(dir, "cache-kos");
    const probe = `import { jit, inspect } from ${JSON.stringify(pathToFileURL(join(repo, "dist", "index.js")).href)};
import { readdirSync } from "node:fs";
const k = Object.freeze([2, 3]);
const f = jit(function dot(a, k) { let s = 0; for (let i = 0; i < k.length; i++) s += a[i] * k[i]; return s; }, { specialize: { k } });
setImmediate(() => setImmediate(() => console.log(JSON.stringify({ value: f([5, 7], k), tier: inspect(f).tier, files: readdirSync(${JSON.stringify(cacheDir)}).length }))));`;
    const run = () => {
      const out = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8", env: { ...process.env, KOS_CODE_CACHE_DIR: cacheDir, NODE_OPTIONS: "" } });
      expect(out.status, out.stderr).toBe(0);
      return JSON.parse(out.stdout) as { value: number; tier: number; files: number };
    };
    expect(readFileSync(built, "utf8")).toMatch(/^\/\/kos-build:[0-9a-f]{32}\n/);
    expect(readFileSync(core, "utf8")).toMatch(/^\/\/kos-build:[0-9a-f]{32}\n/);
    expect(readFileSync(join(repo, "dist", "compiler", "tier0.cached.cjs"), "utf8")).toMatch(/^\/\/kos-build:[0-9a-f]{32}\n/);
    // Three bundles, three caches: the compiler's written after the task that compiled, the core's
    // and the dormant tier's (which the core's script takes its entry factories from) when the
    // process exits.
    expect(run()).toEqual({ value: 31, tier: 1, files: 1 });
    expect(readdirSync(cacheDir)).toHaveLength(3);
    const entries = readdirSync(cacheDir).map((f) => join(cacheDir, f));
    for (const entry of entries) expect(entry).toMatch(/[0-9a-f]{16}-[0-9a-f]{8}\.v8cache$/);
    const written = entries.map((e) => statSync(e).mtimeMs);
    // The second run accepts the files, so it does not write them again.
    expect(run()).toEqual({ value: 31, tier: 1, files: 3 });
    expect(entries.map((e) => statSync(e).mtimeMs)).toEqual(written);
  });
});
