/**
 * The build-time import runs the project's module code in the kos build
 * process (aot/probe.ts). A module that calls `process.exit()` at load, or
 * starts a timer, must not end or hang the build (sweep 30, F5 and F6), and
 * the probe folder never outlives it.
 */
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kosBuild } from "../../aot/build.js";

const kosJs = fileURLToPath(new URL("../../dist/cli/kos.js", import.meta.url));
const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

function makeProject(source: string): string {
  const root = mkdtempSync(join(tmpdir(), "kos-aot-probe-"));
  roots.push(root);
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ES2022", moduleResolution: "Bundler", strict: true, rootDir: "src", outDir: "out", types: [] }, include: ["src"] }));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src/a.ts"), `declare const process: { env: Record<string, string | undefined>; exit(code?: number): never };\n${source}`);
  return root;
}

const JITTED = `/** @kos.jit
 * @kos.specialize k=2 */
export function f(x: number, k: number): number { return x * k; }
`;

describe("the build-time import", () => {
  it("turns a module's process.exit() into EBUILD_LOAD naming it, and removes the probe folder", async () => {
    const root = makeProject(`if (!process.env.KOS_T_API_KEY) process.exit(3);\n${JITTED}`);
    const exit = process.exit;
    await expect(kosBuild({ project: root })).rejects.toMatchObject({ code: "EBUILD_LOAD", message: expect.stringMatching(/^src\/a\.ts: the module called process\.exit\(3\)/) });
    expect(process.exit).toBe(exit);
    expect(readdirSync(root).filter((n) => n.includes(".kos-probe-"))).toEqual([]);
    expect(existsSync(join(root, "out"))).toBe(false);
  }, 60_000);

  it("lets the kos command end after its report although a module started a timer at load", () => {
    const root = makeProject(`const cache = new Map<string, number>();\nsetInterval(() => cache.clear(), 60_000);\n${JITTED}`.replace("declare const process", "declare function setInterval(f: () => void, ms: number): unknown;\ndeclare const process"));
    const r = spawnSync(process.execPath, [kosJs, "build", "--project", root], { encoding: "utf8", timeout: 90_000 });
    expect(r.signal, "kos build did not exit").toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 optimized/);
    expect(readdirSync(root).filter((n) => n.includes(".kos-probe-"))).toEqual([]);
  }, 120_000);
});
