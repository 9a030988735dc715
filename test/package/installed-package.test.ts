/**
 * kos as a user gets it: `npm pack` (of the current dist/, built by
 * `pretest`), installed into a fresh temporary project from the local npm
 * cache, with nothing else. Then a CommonJS consumer, an ES module consumer,
 * a TypeScript `nodenext` consumer (.cts and .mts), the optional peers'
 * errors, the install footprint, and `npx kos --help` / `npx kos demo`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const repo = resolve(__dirname, "..", "..");
let tmp = "";
let project = "";
let installed = "";
let installLog = "";

function run(cmd: string, args: string[], options: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: project, timeout: 120_000, ...options, env: { ...process.env, ...options.env } });
  return { status: r.status, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), error: r.error };
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Bytes of every file under `dir` (apparent size) and the disk blocks they use (as `du` counts). */
function footprint(dir: string): { bytes: number; diskBytes: number } {
  let bytes = 0;
  let diskBytes = 0;
  for (const f of filesUnder(dir)) {
    const s = statSync(join(dir, f));
    bytes += s.size;
    diskBytes += s.blocks * 512;
  }
  return { bytes, diskBytes };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "kos-package-"));
  project = join(tmp, "project");
  // The package as published, minus the build step (`pretest` has built dist/).
  const pack = run("npm", ["pack", "--ignore-scripts", "--pack-destination", tmp, "--json"], { cwd: repo });
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(tmp, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);
  rmSync(project, { recursive: true, force: true });
  spawnSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "kos-consumer", version: "1.0.0", private: true }));
  // From the local cache only (npm ci filled it). The install step builds the addon.
  let install = run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], { timeout: 180_000 });
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
    // A machine whose npm cache never saw acorn & co.: fill it once from the registry.
    console.warn("kos package test: npm cache lacks kos's dependencies; installing with --prefer-offline");
    install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], { timeout: 180_000 });
  }
  installLog = install.stdout + install.stderr;
  expect(install.status, installLog).toBe(0);
  installed = join(project, "node_modules", "kos");
}, 240_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the installed package", () => {
  it("holds what users need and nothing else", () => {
    const files = filesUnder(installed).filter((f) => !f.startsWith("build/"));
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("dist/cjs/index.js");
    expect(files).toContain("dist/cjs/index.d.ts");
    expect(files).toContain("dist/cli/kos.js");
    expect(files).toContain("dist/fixtures/demo-program.js");
    expect(files).toContain("scripts/build-addon.mjs");
    expect(files).toContain("binding.gyp");
    expect(JSON.parse(readFileSync(join(installed, "dist/cjs/package.json"), "utf8"))).toEqual({ type: "commonjs" });
    const unwanted = files.filter(
      (f) =>
        f.endsWith(".map") ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
        /^dist\/(cjs\/)?bench\//.test(f) ||
        /^dist\/fixtures\/(real|fuzz|aot-project)\//.test(f) ||
        /^dist\/fixtures\/runner\./.test(f) ||
        f.startsWith("test/"),
    );
    expect(unwanted).toEqual([]);
    // No file refers to a source map that is not shipped.
    for (const f of files.filter((f) => f.endsWith(".js"))) expect(readFileSync(join(installed, f), "utf8"), f).not.toMatch(/^\/\/# sourceMappingURL=/m);
  });

  it("installs only what jit() needs: no optional peer, under 5 MB", () => {
    const top = readdirSync(join(project, "node_modules")).filter((n) => !n.startsWith("."));
    for (const peer of ["0x", "piscina", "prom-client", "ts-morph", "tsx", "mitata"]) expect(top).not.toContain(peer);
    const { bytes, diskBytes } = footprint(join(project, "node_modules"));
    console.log(`kos install footprint: ${(bytes / 1e6).toFixed(2)} MB in files (${(diskBytes / 1e6).toFixed(2)} MB on disk), packages: ${top.join(", ")}`);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });

  it("serves a CommonJS consumer: require('kos') gets the CommonJS build, with working jit() and typed errors", () => {
    writeFileSync(
      join(project, "consumer.cjs"),
      `const kos = require("kos");
const { jit, JitError, KosError } = kos;
const poly = jit(function poly(x, c) { return c[0] + x * (c[1] + x * c[2]); }, { specialize: { c: [1, -2, 0.5] } });
let code = null;
try { jit(42); } catch (e) { code = e instanceof JitError && e instanceof KosError ? e.code : "wrong class"; }
console.log(JSON.stringify({ value: poly(3, [1, -2, 0.5]), code, entry: require.resolve("kos"), build: require.resolve("kos/build") }));
`,
    );
    const r = run(process.execPath, ["consumer.cjs"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { value: number; code: string; entry: string; build: string };
    expect(out.value).toBe(1 + 3 * (-2 + 3 * 0.5));
    expect(out.code).toBe("NOT_A_FUNCTION");
    expect(out.entry).toMatch(/node_modules[\\/]kos[\\/]dist[\\/]cjs[\\/]index\.js$/);
    expect(out.build).toMatch(/dist[\\/]cjs[\\/]aot[\\/]index\.js$/);
  });

  it("serves an ES module consumer the ES build", () => {
    writeFileSync(join(project, "consumer.mjs"), `import { jit, inspect } from "kos";\nconst f = jit((x, k) => x * k, { specialize: { k: 3 } });\nconsole.log(JSON.stringify({ v: f(2, 3), inspected: inspect(f) !== null, url: import.meta.resolve("kos") }));\n`);
    const r = run(process.execPath, ["consumer.mjs"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { v: number; inspected: boolean; url: string };
    expect(out).toMatchObject({ v: 6, inspected: true });
    expect(out.url).toMatch(/kos\/dist\/index\.js$/);
  });

  it("type-checks and runs a TypeScript nodenext consumer, .cts and .mts", () => {
    const body = (kind: string) => `import { jit, inspect, JitError, type KosJitOptions } from "kos";
const options: KosJitOptions = { specialize: { k: 2 } };
const twice = jit((x: number, k: number) => x * k, options);
const info = inspect(twice);
try {
  // @ts-expect-error jit() takes a function: this line fails to compile if kos's types did not load
  jit(42);
} catch {}
const error: typeof JitError = JitError;
console.log(JSON.stringify({ kind: "${kind}", value: twice(21, 2), hasSource: info !== null && typeof info.source === "string", error: error.name }));
`;
    writeFileSync(join(project, "consumer-ts.cts"), body("cts"));
    writeFileSync(join(project, "consumer-ts.mts"), body("mts"));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, outDir: "out", types: ["node"], typeRoots: [join(repo, "node_modules", "@types")], skipLibCheck: false },
        files: ["consumer-ts.cts", "consumer-ts.mts"],
      }),
    );
    const tsc = run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    for (const [file, kind] of [["out/consumer-ts.cjs", "cts"], ["out/consumer-ts.mjs", "mts"]] as const) {
      expect(existsSync(join(project, file)), file).toBe(true);
      const r = run(process.execPath, [file]);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ kind, value: 42, hasSource: true, error: "JitError" });
    }
  });

  it("type-checks a consumer whose tsconfig lists no types (TypeScript 6 and later then include none)", () => {
    // kos's declarations name Node types (Buffer, NodeJS.*): they reference @types/node themselves,
    // so a project that never listed "node" still compiles its import of kos (before: TS2591 and
    // TS2503 on dist/runtime/aligned.d.ts, directio.d.ts and worker-pool.d.ts).
    writeFileSync(join(project, "no-types.mts"), `import { allocAligned, DirectFile, PinnedWorkerPool, jit } from "kos";\nexport const used = [allocAligned, DirectFile, PinnedWorkerPool, jit];\n`);
    writeFileSync(
      join(project, "tsconfig.no-types.json"),
      JSON.stringify({
        compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, typeRoots: [join(repo, "node_modules", "@types")], skipLibCheck: false },
        files: ["no-types.mts"],
      }),
    );
    const tsc = run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.no-types.json"]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("names the package to install when a feature needs a missing optional peer", () => {
    writeFileSync(
      join(project, "peers.mjs"),
      `import { createMonitor, PinnedWorkerPool } from "kos";
const out = {};
const m = createMonitor({ intervalMs: 60000 }).start();
try { await m.toPrometheus(); } catch (e) { out.monitor = [e.code, e.message]; }
m.stop();
try { await PinnedWorkerPool.create({ filename: new URL("./peers.mjs", import.meta.url) }); } catch (e) { out.pool = [e.code, e.message]; }
console.log(JSON.stringify(out));
`,
    );
    const r = run(process.execPath, ["peers.mjs"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, [string, string]>;
    expect(out.monitor![0]).toBe("KOS_MISSING_PEER");
    expect(out.monitor![1]).toContain("npm install prom-client");
    expect(out.pool![0]).toBe("KOS_MISSING_PEER");
    expect(out.pool![1]).toContain("npm install piscina");
    const build = run("npx", ["--offline", "kos", "build"]);
    expect(build.status).toBe(1);
    expect(build.stderr).toContain("npm install ts-morph");
  });

  it("runs `npx kos --help`, `--version` and `npx kos demo` with nothing else installed", () => {
    const help = run("npx", ["--offline", "kos", "--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("usage: kos <command>");
    const version = run("npx", ["--offline", "kos", "--version"]);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version);
    const demo = run("npx", ["--offline", "kos", "demo", "--out", join(tmp, "demo-out")], { timeout: 150_000 });
    expect(demo.status, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/\d+ samples in [0-9.]+ s/);
    expect(demo.stdout).toMatch(/Geometric mean speedup over plain: [0-9.]+×/);
    expect(existsSync(join(tmp, "demo-out", "kos-profile.json"))).toBe(true);
  }, 180_000);
});
