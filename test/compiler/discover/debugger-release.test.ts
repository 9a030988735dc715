import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { inspect, jit } from "../../../index.js";
import { closureInputs } from "../../../compiler/index.js";
import { discoveryDebugging, lookupBinding } from "../../../compiler/discover/closure.js";

// Discovery switches the inspector's Debugger on to learn scripts (script-registry.ts). Left on
// until the task ends, it slowed the program itself for the rest of a synchronous run (joi 5-9%, a
// compiled mathjs expression 13-19%, each `new Function` 25x): a batch script that calls jit()
// and then loops in the same task paid it for its whole run. It goes off where the compile ends.
const require_ = createRequire(import.meta.url);

function freshModule(source: string): Record<string, Function> {
  const dir = mkdtempSync(join(tmpdir(), "kos-dbg-"));
  try {
    const file = join(dir, "m.cjs");
    writeFileSync(file, source);
    return require_(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the debugger discovery switches on", () => {
  it("is off again when an explicit jit() returns, in the same task", () => {
    // A script loaded after any earlier replay: discovery has to switch the debugger on for it.
    const m = freshModule(`const table = { a: 2, b: 3 }; let step = 1; exports.f = function f(k, x) { return table[k] * x + step; };`);
    const f = jit(m.f!, { specialize: { k: "a" } });
    expect(inspect(f).fallbackReason ?? null).toBeNull();
    expect(f("a", 5)).toBe(11);
    expect(discoveryDebugging()).toBe(false);
  });

  it("is off again after tiering asks a function for its closure inputs", () => {
    const m = freshModule(`const schema = { min: 1 }; exports.check = (v) => v >= schema.min;`);
    expect(closureInputs(m.check!)).toEqual(["schema"]);
    expect(discoveryDebugging()).toBe(false);
  });

  it("was switched on by such a read (the checks above are not vacuous)", () => {
    const m = freshModule(`const limits = { max: 9 }; exports.g = (v) => v <= limits.max;`);
    expect(lookupBinding(m.g!, "limits")?.stable).toBe(true);
    // A read alone (no compile) keeps the debugger until the task ends, as before.
    expect(discoveryDebugging()).toBe(true);
  });
});
