/**
 * kos build imports the project at build time and folds what it reads; it may
 * assume at run time only what the source fixes or what the output checks
 * (sweep 30, B2: `process.env`, `Math.random()` and `Date.now()` were frozen
 * into the output). Fixed values still fold with no check.
 */
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { kosBuild } from "../../aot/build.js";
import { tsProjects } from "../support/ts-projects.js";
import type { FunctionReport } from "../../aot/report.js";
import { BuildTimeValues } from "../../aot/build-time-values.js";
import { Project } from "ts-morph";

const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
const makeProject = tsProjects("kos-aot-values-");

const ENV = `declare const process: { env: Record<string, string | undefined>; argv: string[] };\n`;

const CONFIG = `
export const MODE = process.env.KOS_T_MODE ?? "prod";
export const LIMIT = 10;
`;

const SOURCE = `
import { MODE, LIMIT } from "./config.js";
import * as config from "./config.js";
const VERBOSE = process.env.KOS_T_VERBOSE === "1";
export const SEED = Math.random();
const STARTED = Date.now();
const ARGC = process.argv.length;
const CFG = Object.freeze({ level: process.env.KOS_T_LEVEL ?? "info" });
const FIXED = Object.freeze({ scale: 3, name: \`k\${LIMIT}\` });
const N = LIMIT * 2;
const pick = process.env.KOS_T_PICK ? (x: number) => x + 1 : (x: number) => x - 1;

/** @kos.jit */
export function log(msg: string): string { return VERBOSE ? "[verbose] " + msg : msg; }
/** @kos.jit */
export function seed(): number { return SEED; }
/** @kos.jit */
export function started(): number { return STARTED; }
/** @kos.jit */
export function argc(): number { return ARGC; }
/** @kos.jit */
export function level(): string { return CFG.level; }
/** @kos.jit */
export function mode(): string { return MODE; }
/** @kos.jit */
export function modeNs(): string { return config.MODE; }
/** @kos.jit */
export function fixed(x: number): number { return x * FIXED.scale + N; }
function helper(): boolean { return VERBOSE; }
/** @kos.jit */
export function viaHelper(): boolean { return helper(); }
/** @kos.jit */
export function usePick(x: number): number { return pick(x); }
const SCHEMA: { k: number } = JSON.parse(process.env.KOS_T_SCHEMA ?? '{"k":1}');
/** @kos.jit
 * @kos.specialize s=SCHEMA */
export function readK(s: { k: number }): number { return s.k; }
export function callReadK(): number { return readK(SCHEMA); }
`;

const RUN = `
const out = {};
for (const [k, f] of Object.entries({ log: () => m.log("x"), seed: () => m.seed() === m.SEED, started: () => m.started() > 0, argc: () => m.argc(), level: () => m.level(), mode: () => m.mode(), modeNs: () => m.modeNs(), fixed: () => m.fixed(2), viaHelper: () => m.viaHelper(), usePick: () => m.usePick(5), readK: () => m.callReadK() })) out[k] = f();
console.log(JSON.stringify(out));
`;

/** The module's results in a fresh process with `env` (the build's variables removed first). */
function results(dir: string, env: Record<string, string>, args: string[] = []): Record<string, unknown> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KOS_T_")));
  const script = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, "a.js")).href)});${RUN}`;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script, ...args], { encoding: "utf8", env: { ...clean, ...env } }));
}

describe("values from the build-time environment", () => {
  it("are checked when the module loads, not frozen into the output; fixed values still fold", async () => {
    const root = makeProject({ "env.d.ts": ENV, "config.ts": CONFIG, "a.ts": SOURCE });
    execFileSync(process.execPath, [tsc, "-p", root, "--outDir", join(root, "plain")], { stdio: "pipe" });
    const buildEnv = { KOS_T_VERBOSE: "1", KOS_T_LEVEL: "debug", KOS_T_MODE: "dev", KOS_T_PICK: "1", KOS_T_SCHEMA: '{"k":2}' };
    Object.assign(process.env, buildEnv);
    let functions: FunctionReport[];
    try {
      functions = (await kosBuild({ project: root })).functions;
    } finally {
      for (const k of Object.keys(buildEnv)) delete process.env[k];
    }
    const byName = (n: string) => functions.find((f) => f.name === n)!;

    // Another environment than the build's: every result as tsc's output gives it.
    const plain = results(join(root, "plain"), {});
    expect(results(join(root, "out"), {})).toEqual(plain);
    expect(plain).toMatchObject({ log: "x", seed: true, level: "info", mode: "prod", modeNs: "prod", viaHelper: false, usePick: 4, readK: 1 });
    // The build's own environment: the same again, now through the optimized versions.
    expect(results(join(root, "out"), buildEnv)).toEqual(results(join(root, "plain"), buildEnv));
    // A different argument count than the build's.
    expect(results(join(root, "out"), {}, ["a", "b", "c"])).toEqual(results(join(root, "plain"), {}, ["a", "b", "c"]));

    for (const n of ["log", "seed", "started", "argc", "level", "mode", "modeNs", "viaHelper", "readK"]) {
      expect(byName(n).status, `${n}: ${byName(n).reason}`).toBe("optimized");
      expect(byName(n).loadChecks?.length, n).toBe(1);
    }
    expect(byName("log").loadChecks).toEqual(["VERBOSE is true"]);
    expect(byName("mode").loadChecks).toEqual(['MODE is "dev"']);
    // A specialized object computed at load: the compile froze and folded it, so its content is checked.
    expect(byName("readK").loadChecks).toEqual(["SCHEMA holds the build's frozen data"]);
    // The source fixes FIXED, N and LIMIT: folded, no check.
    expect(byName("fixed").status).toBe("optimized");
    expect(byName("fixed").loadChecks).toBeUndefined();
    const js = readFileSync(join(root, "out/a.js"), "utf8");
    expect(js).toMatch(/return x \* 3 \+ 20;/);
    // A function chosen at load: no check can tell it from the build's, so it is not optimized.
    expect(byName("usePick").status).toBe("skipped");
    expect(byName("usePick").reason).toMatch(/`pick`/);
  }, 180_000);
});

describe("which initializers the source fixes", () => {
  it("literals, frozen literals, functions, arithmetic and fixed imports; not calls, new, or the environment", () => {
    const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });
    const config = project.createSourceFile("/src/config.ts", `export const LIMIT = 10;\nexport const MODE = process.env.MODE ?? "prod";\n`);
    const sf = project.createSourceFile("/src/a.ts", `
import { LIMIT, MODE } from "./config";
import { jit } from "kos";
declare const process: { env: Record<string, string | undefined> };
function f(x: number) { return x; }
const fixed = {
  n: 4, s: \`a\${LIMIT}\`, neg: -LIMIT * 2, arr: [1, [2, "x"]], frozen: Object.freeze({ k: Math.max(1, 2) }), f, g: (x: number) => x, pi: Math.PI, big: 1n,
  cond: LIMIT > 3 ? "a" : "b", re: /x/g, und: undefined, sym: Symbol("s"), jitted: jit(f, { specialize: { x: 1 } }),
};
const env = process.env.X === "1";
const random = Math.random();
const now = Date.now();
const made = new Map();
const called = f(1);
const imported = MODE;
const viaImport = LIMIT + 1;
const assigned = (globalThis as any).y = 1;
const frozenEnv = Object.freeze({ level: process.env.L ?? "info" });
`);
    const values = new BuildTimeValues(new Set([config, sf]));
    const why = (name: string) => values.whyNotFixed(sf.getVariableDeclarationOrThrow(name));
    for (const name of ["fixed", "viaImport"]) expect(why(name), name).toBeNull();
    for (const name of ["env", "random", "now", "made", "called", "imported", "assigned", "frozenEnv"]) expect(why(name), name).not.toBeNull();
    expect(why("random")).toBe("`Math.random()` is evaluated when the module loads");
    expect(why("imported")).toBe("`MODE` is evaluated when the module loads");
  });
});
