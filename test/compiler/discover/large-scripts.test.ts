/**
 * A script over 1 MB is analysed (parsed, its scopes resolved: about 0.42 ms per KB) only for a
 * function kos compiles, not for the callees and export getters it reaches from there: a
 * method's compile that reached into a 9 MB bundle took 6.2 s. Until then, a reached function's
 * bindings there are not known to be stable, so the call stays a call; once the script is
 * analysed, they are.
 */
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const dir = mkdtempSync(join(tmpdir(), "kos-large-script-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS module of more than 1 MB whose `scale` closes over a module constant. */
function loadLarge(): { scale(x: number): number; twice(x: number): number } {
  const file = join(dir, "large.cjs");
  const padding = `// ${"x".repeat(1_100_000)}\n`;
  writeFileSync(file, `"use strict";\nconst K = 3;\nfunction scale(x) { return x * K; }\nfunction twice(x) { return scale(x) * 2; }\n${padding}module.exports = { scale, twice };\n`);
  return createRequire(import.meta.url)(file);
}

describe("large scripts", () => {
  it("a callee in a script over 1 MB stays a call until kos compiles a function of that script", () => {
    const lib = loadLarge();
    const useScale = (x: number) => lib.scale(x) + 1;
    const before = jit(useScale, { specialize: {} });
    // The call stays a call: the code is the original's own, and the original runs.
    expect(inspect(before)!.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    expect(before(2)).toBe(7);

    // Compiling a function of the large script analyses it: its own free names are known.
    const twice = jit(lib.twice, { specialize: {} });
    expect(inspect(twice)!.fallbackReason).toBeNull();
    expect(inspect(twice)!.source).toContain("* 3");
    expect(twice(5)).toBe(30);

    // From then on, callers reach into it as into any other script.
    const after = jit(useScale, { specialize: {} });
    expect(inspect(after)!.source).toContain("* 3");
    expect(after(2)).toBe(7);
  });
});
