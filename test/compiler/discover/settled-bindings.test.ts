/**
 * Bindings written only by the code that declares them (feature detection in a
 * UMD wrapper, TypeScript's enum and namespace output, `let x; if (…) x = …` at a
 * module's top level) are fixed once that code has returned. kos reads them as
 * constants then, and as changing while the declaring activation is still on the stack.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { lookupBinding, ClosureReader } from "../../../compiler/discover/closure.js";
import { inspect, jit } from "../../../index.js";

// Real files, loaded by Node's CommonJS loader: V8 runs exactly this source.
const require_ = createRequire(import.meta.url);
const umd = [
  `(function (exports) {`,
  `  "use strict";`,
  `  var trimLeft;`,
  `  if (typeof String.prototype.trimStart === "function") {`,
  `    trimLeft = function (s) { return s.trimStart(); };`,
  `  } else {`,
  `    trimLeft = function (s) { return s.replace(/^\\s+/, ""); };`,
  `  }`,
  `  var Kind;`,
  `  (function (Kind) { Kind[Kind["Num"] = 0] = "Num"; Kind[Kind["Str"] = 1] = "Str"; })(Kind || (Kind = {}));`,
  `  var late = 1;`,
  `  function setLate(v) { late = v; }`,
  `  exports.clean = function clean(s) { return trimLeft(s) + "!"; };`,
  `  exports.kindOf = function kindOf(v) { return typeof v === "number" ? Kind.Num : Kind.Str; };`,
  `  exports.readLate = function readLate(x) { return x + late; };`,
  `  exports.setLate = setLate;`,
  `  exports.makePad = function makePad(spec) {`,
  `    var width = spec.width;`,
  `    function pad(x) { return width === undefined ? String(x) : String(x).padStart(width); }`,
  `    return pad;`,
  `  };`,
  `})(exports);`,
].join("\n");
// The hook runs while the module's own top level is still running: `k` is written after it.
const running = [
  `"use strict";`,
  `var k = 1;`,
  `function addK(x) { return x + k; }`,
  `exports.addK = addK;`,
  `if (global.__kosSettleHook) global.__kosSettleHook(addK);`,
  `k = 2;`,
].join("\n");

let dir = "";
let lib: any;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-settled-"));
  writeFileSync(join(dir, "umd.js"), umd);
  writeFileSync(join(dir, "running.js"), running);
  lib = require_(join(dir, "umd.js"));
});
afterAll(() => {
  delete (globalThis as { __kosSettleHook?: unknown }).__kosSettleHook;
  rmSync(dir, { recursive: true, force: true });
});

describe("bindings written only by their own declaring activation", () => {
  it("a feature-detected `var` assigned in if/else is stable once its wrapper returned", () => {
    const b = lookupBinding(lib.clean, "trimLeft")!;
    expect(b.stable).toBe(true);
    expect(typeof b.value).toBe("function");
    const j = jit(lib.clean, { specialize: { s: "  hi" } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.fallbackReason).toBeNull();
    expect(j("  hi")).toBe("hi!");
    expect(j("  other")).toBe(lib.clean("  other"));
  });

  it("TypeScript's enum output (`Kind || (Kind = {})`) is stable, and its members fold behind guards", () => {
    expect(lookupBinding(lib.kindOf, "Kind")!.stable).toBe(true);
    const j = jit(lib.kindOf, { specialize: { v: 3 } });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(3)).toBe(0);
    expect(j("x")).toBe(1);
  });

  it("a binding a nested function writes stays unstable, with the line that writes it", () => {
    const b = lookupBinding(lib.readLate, "late")!;
    expect(b.stable).toBe(false);
    expect(b.unstableReason).toMatch(/`var late` is reassigned at .*umd\.js:12/);
    const j = jit(lib.readLate, { specialize: { x: 1 } });
    expect(inspect(j)!.fallbackReason).toMatch(/FREE_VARIABLE.*late/);
    lib.setLate(5);
    expect(j(1)).toBe(6);
  });

  it("a function's `var` its declarator set to undefined is stable once the function returned (d3-format's `var width`)", () => {
    const pad = lib.makePad({});
    const b = lookupBinding(pad, "width")!;
    expect(b.stable).toBe(true);
    expect(b.value).toBeUndefined();
    const j = jit(pad, { specialize: { x: 7 } });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(7)).toBe("7");
    expect(inspect(jit(lib.makePad({ width: 3 }), { specialize: { x: 7 } }))!.tier).toBe(1);
  });

  it("stays unstable when read while the declaring activation is on the stack, and settles after it returned", () => {
    let during: { stable: boolean; value: unknown; reason?: string } | null = null;
    (globalThis as { __kosSettleHook?: unknown }).__kosSettleHook = (fn: Function) => {
      // A reader of its own, so this read is not the cached one of the later check.
      const b = new ClosureReader().read(fn);
      if (!b.ok) throw new Error(b.reason);
      const k = b.bindings.get("k")!;
      during = { stable: k.stable, value: k.value, ...(k.unstableReason ? { reason: k.unstableReason } : {}) };
    };
    const mod = require_(join(dir, "running.js"));
    expect(during).not.toBeNull();
    expect(during!.value).toBe(1);
    expect(during!.stable).toBe(false);
    expect(during!.reason).toMatch(/`var k` is reassigned at .*running\.js:6/);
    const after = new ClosureReader().read(mod.addK);
    expect(after.ok && after.bindings.get("k")!.stable).toBe(true);
    expect(after.ok && after.bindings.get("k")!.value).toBe(2);
    const j = jit(mod.addK, { specialize: { x: 1 } });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(1)).toBe(3);
  });
});
