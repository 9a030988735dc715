import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, chmodSync, readdirSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompileCache, computeCacheKey, configureCompileCache, readCacheEntry, writeCacheEntry } from "../../compiler/cache.js";
import { structuralHash } from "../../compiler/cache.js";

const SRC = "function f(n) { return n * 2; }";

describe("structuralHash", () => {
  it("tells apart values the generated code can observe", () => {
    const pairs: Array<[unknown, unknown]> = [
      [0, -0], [1, 1n], ["1", 1], [NaN, undefined], [null, undefined],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],          // key order drives Object.keys / JSON.stringify
      [[1, , 3], [1, undefined, 3]],               // holes
      [new Float64Array([1, 2]), new Float32Array([1, 2])],
      [new Uint8Array([1, 2]), [1, 2]],
      [Object.freeze({ a: 1 }), { a: 1 }],
    ];
    for (const [a, b] of pairs) expect(structuralHash(a)).not.toBe(structuralHash(b));
  });

  it("is structural: equal structures hash alike, aliasing is part of the structure", () => {
    expect(structuralHash({ a: [1, { b: "x" }] })).toBe(structuralHash({ a: [1, { b: "x" }] }));
    const shared = { x: 1 };
    expect(structuralHash({ p: shared, q: shared })).not.toBe(structuralHash({ p: { x: 1 }, q: { x: 1 } }));
    const cyc: any = { name: "c" }; cyc.self = cyc;
    const cyc2: any = { name: "c" }; cyc2.self = cyc2;
    expect(structuralHash(cyc)).toBe(structuralHash(cyc2));
  });

  it("refuses values whose behaviour is not in their structure", () => {
    class Point { constructor(public x: number) {} }
    for (const v of [() => 1, Symbol("s"), new Point(1), { get a() { return 1; } }, { [Symbol("k")]: 1 }]) {
      expect(structuralHash(v)).toBeNull();
    }
  });
});

describe("computeCacheKey", () => {
  it("covers source, values, version and options", () => {
    const base = computeCacheKey({ source: SRC, specialize: { n: 4 }, options: { fastmath: false }, kosVersion: "1.0.0" });
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(computeCacheKey({ source: SRC, specialize: { n: 4 }, options: { fastmath: false }, kosVersion: "1.0.0" })).toBe(base);
    expect(computeCacheKey({ source: SRC + " ", specialize: { n: 4 }, options: { fastmath: false }, kosVersion: "1.0.0" })).not.toBe(base);
    expect(computeCacheKey({ source: SRC, specialize: { n: 5 }, options: { fastmath: false }, kosVersion: "1.0.0" })).not.toBe(base);
    expect(computeCacheKey({ source: SRC, specialize: { n: 4 }, options: { fastmath: true }, kosVersion: "1.0.0" })).not.toBe(base);
    expect(computeCacheKey({ source: SRC, specialize: { n: 4 }, options: { fastmath: false }, kosVersion: "1.0.1" })).not.toBe(base);
    expect(computeCacheKey({ source: SRC, scope: { K: 4 }, specialize: { n: 4 }, options: { fastmath: false }, kosVersion: "1.0.0" })).not.toBe(base);
  });

  it("returns null for values that cannot be hashed", () => {
    expect(computeCacheKey({ source: SRC, specialize: { cb: () => 1 } })).toBeNull();
  });

  it("fingerprints the compiler's code into the default version", async () => {
    const { compilerFingerprint } = await import("../../compiler/cache.js");
    expect(compilerFingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(compilerFingerprint()).toBe(compilerFingerprint());
  });

  it("uses the installed kos version by default", () => {
    const k = computeCacheKey({ source: SRC });
    expect(k).toBe(computeCacheKey({ source: SRC }));
    expect(k).not.toBe(computeCacheKey({ source: SRC, kosVersion: "0.0.0-other" }));
  });
});

describe("CompileCache", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "kos-cache-")); });
  afterEach(() => { try { chmodSync(dir, 0o755); } catch {} rmSync(dir, { recursive: true, force: true }); });
  const key = computeCacheKey({ source: SRC, specialize: { n: 4 }, kosVersion: "t" })!;
  const entry = { source: "return function f(n){return 8}", assumptions: [{ param: "n", kind: "value" as const, description: "n === 4" }] };

  it("round-trips an entry and misses on unknown keys", () => {
    const c = new CompileCache({ dir });
    expect(c.read(key)).toBeNull();
    expect(c.write(key, entry)).toBe(true);
    expect(c.read(key)).toEqual({ ...entry, meta: {} });
    expect(c.read("0".repeat(64))).toBeNull();
    // no temporary files left behind
    const sub = readdirSync(join(dir, key.slice(0, 2)));
    expect(sub).toEqual([`${key}.json`]);
  });

  it("ignores corrupt entries and rebuilds them on the next write", () => {
    const c = new CompileCache({ dir });
    c.write(key, entry);
    const file = join(dir, key.slice(0, 2), `${key}.json`);
    for (const junk of ["", "{", "null", JSON.stringify({ format: 1, key, sha256: "bad", payload: "{}" }), "\u0000\u0001garbage"]) {
      writeFileSync(file, junk);
      expect(c.read(key)).toBeNull();
    }
    // a payload edited without fixing its checksum is corrupt too
    const good = JSON.parse(JSON.stringify({ format: 1, key, sha256: "x", payload: JSON.stringify({ source: "evil", assumptions: [] }) }));
    writeFileSync(file, JSON.stringify(good));
    expect(c.read(key)).toBeNull();
    expect(c.write(key, entry)).toBe(true);
    expect(c.read(key)?.source).toBe(entry.source);
  });

  it("an entry under the wrong key is a miss", () => {
    const c = new CompileCache({ dir });
    const other = computeCacheKey({ source: "x", kosVersion: "t" })!;
    c.write(other, entry);
    mkdirSync(join(dir, key.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, key.slice(0, 2), `${key}.json`), readFileSync(join(dir, other.slice(0, 2), `${other}.json`)));
    expect(c.read(key)).toBeNull();
  });

  it.skipIf(process.getuid?.() === 0)("a read-only directory disables caching with one warning and never throws", () => {
    chmodSync(dir, 0o555);
    const warnings: string[] = [];
    const c = new CompileCache({ dir, warn: (m) => warnings.push(m) });
    expect(c.write(key, entry)).toBe(false);
    expect(c.write(key, entry)).toBe(false);
    expect(c.read(key)).toBeNull();
    expect(c.isDisabled).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(dir);
  });

  it("a cache dir that is a file (unwritable even as root) disables caching with one warning", () => {
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "x");
    const warnings: string[] = [];
    const c = new CompileCache({ dir: file, warn: (m) => warnings.push(m) });
    expect(c.write(key, entry)).toBe(false);
    expect(c.write(key, entry)).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it("honours KOS_CACHE_DIR and the module-level functions use the configured cache", () => {
    const old = process.env.KOS_CACHE_DIR;
    process.env.KOS_CACHE_DIR = dir;
    try {
      expect(new CompileCache().dir).toBe(dir);
      configureCompileCache({ dir });
      expect(writeCacheEntry(key, entry)).toBe(true);
      expect(readCacheEntry(key)?.assumptions).toEqual(entry.assumptions);
    } finally {
      if (old === undefined) delete process.env.KOS_CACHE_DIR; else process.env.KOS_CACHE_DIR = old;
    }
  });

  it("defaults to node_modules/.cache/kos under the working directory", () => {
    const old = process.env.KOS_CACHE_DIR;
    delete process.env.KOS_CACHE_DIR;
    try {
      expect(new CompileCache().dir).toBe(join(process.cwd(), "node_modules", ".cache", "kos"));
    } finally {
      if (old !== undefined) process.env.KOS_CACHE_DIR = old;
    }
  });
});

describe("compileCached (runtime jit through the cache)", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "kos-cc-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("compiles on a miss, reuses on a hit, and both agree with the generic function", async () => {
    const { compileCached } = await import("../../compiler/cache.js");
    const { specializeToSource } = await import("../../compiler/index.js");
    const { fixtures } = await import("../../fixtures/index.js");
    let cached = 0, uncacheable = 0;
    for (const f of fixtures) {
      const opts = { specialize: f.specialize, ...(f.scope ? { scope: f.scope } : {}) };
      const cold = compileCached(f.generic, opts, specializeToSource, () => {}, new CompileCache({ dir }));
      const warm = compileCached(f.generic, opts, specializeToSource, () => {}, new CompileCache({ dir }));
      expect(cold.hit, f.name).toBe(false);
      if (!cold.fn) continue; // the compiler fell back: nothing to cache
      if (cold.key === null) { uncacheable++; continue; } // the code needs a value outside { specialize, scope } (documented: not cached)
      cached++;
      expect(warm.hit, `${f.name}: ${cold.key}`).toBe(true);
      expect(warm.assumptions).toEqual(cold.assumptions);
      for (const args of f.makeArgs(5, 20)) {
        const want = JSON.stringify((f.generic as Function)(...args));
        expect(JSON.stringify(cold.fn(...args)), f.name).toBe(want);
        expect(JSON.stringify(warm.fn!(...args)), f.name).toBe(want);
      }
    }
    expect(cached).toBeGreaterThan(uncacheable);
  });

  it("a hit keeps the freeze guarantee, and a corrupt entry is rebuilt", async () => {
    const { compileCached } = await import("../../compiler/cache.js");
    const { specializeToSource } = await import("../../compiler/index.js");
    function weigh(w: { a: number; b: number }, x: number) { return w.a * x + w.b; }
    const mk = () => ({ a: 2, b: 3 });
    const first = compileCached(weigh, { specialize: { w: mk() }, freeze: "deep" }, specializeToSource, () => {}, new CompileCache({ dir }));
    expect(first.fn).not.toBeNull();
    const w = mk();
    const hit = compileCached(weigh, { specialize: { w }, freeze: "deep" }, specializeToSource, () => {}, new CompileCache({ dir }));
    expect(hit.hit).toBe(true);
    expect(Object.isFrozen(w)).toBe(true);
    expect(hit.fn!(w, 5)).toBe(13);
    expect(hit.fn!({ a: 1, b: 1 }, 5)).toBe(6); // guard fails → generic
    const file = join(dir, first.key!.slice(0, 2), `${first.key}.json`);
    writeFileSync(file, "{ truncated");
    const again = compileCached(weigh, { specialize: { w: mk() }, freeze: "deep" }, specializeToSource, () => {}, new CompileCache({ dir }));
    expect(again.hit).toBe(false);
    expect(again.fn!(mk(), 5)).toBe(13);
    expect(compileCached(weigh, { specialize: { w: mk() }, freeze: "deep" }, specializeToSource, () => {}, new CompileCache({ dir })).hit).toBe(true);
  });
});
