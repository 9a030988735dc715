/**
 * Throwaway TypeScript projects for the kos build tests: an ES2022 module project with its sources
 * in `src/` and tsc's output in `out/`, removed after the file's tests.
 */
import { afterAll } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A maker of projects whose directories start with `prefix`; call it at a test file's top level. */
export function tsProjects(prefix: string): (files: Record<string, string>) => string {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  return (files) => {
    const root = mkdtempSync(join(tmpdir(), prefix));
    roots.push(root);
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ES2022", moduleResolution: "Bundler", strict: true, rootDir: "src", outDir: "out", types: [] }, include: ["src"] }));
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
    mkdirSync(join(root, "src"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, "src", name), text);
    return root;
  };
}
