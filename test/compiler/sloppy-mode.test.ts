/**
 * An arrow function or a method runs in the mode of the code around it, which
 * its own text does not show. kos compiled both as strict code, so a write to
 * a frozen object that sloppy code ignores threw: ini's `decode(str,
 * frozenOptions)` (a CommonJS file without "use strict") threw "Cannot assign
 * to read only property" under kos. Where its body would behave otherwise in
 * the other mode, the mode is now read from its script (compiler/discover,
 * ScriptAnalysis.isStrictAt).
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect, jit } from "../../index.js";

const require = createRequire(import.meta.url);
const outcome = (run: () => unknown): string => {
  try {
    return `returned ${JSON.stringify(run())}`;
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

// Sloppy code: a script without "use strict" (new Function's body is one).
const sloppy = new Function(`return {
  arrow: (opt) => { opt.flag = opt.flag !== false; return opt.flag; },
  method(opt) { opt.flag = 1; delete opt.other; "abc".x = 1; return opt.flag; },
};`)() as { arrow(o: object): unknown; method(o: object): unknown };
const strict = new Function(`"use strict"; return {
  arrow: (opt) => { opt.flag = opt.flag !== false; return opt.flag; },
  method(opt) { opt.flag = 1; return opt.flag; },
};`)() as { arrow(o: object): unknown; method(o: object): unknown };

describe("arrows and methods compile in their script's mode", () => {
  const frozen = Object.freeze({ flag: "x", other: 1 });
  for (const [label, f] of [
    ["a sloppy arrow", sloppy.arrow],
    ["a sloppy method", sloppy.method],
    ["a strict arrow", strict.arrow],
    ["a strict method", strict.method],
  ] as const) {
    it(`${label}: a write to a frozen object does what the original does`, () => {
      const j = jit(f, { specialize: { opt: frozen } });
      expect(inspect(j)!.tier).toBe(1);
      expect(outcome(() => j(frozen))).toBe(outcome(() => f(frozen)));
      const open = { flag: false, other: 2 };
      const twin = { flag: false, other: 2 };
      expect(outcome(() => j(open))).toBe(outcome(() => f(twin)));
      expect(open).toEqual(twin);
    });
  }

  it("ini (CommonJS, sloppy): decode and encode with frozen options, as the library", () => {
    const ini = require("ini") as { decode(s: string, o?: object): unknown; encode(o: object, opt?: object): string };
    const opts = Object.freeze({ bracketedArray: true });
    const decode = jit(ini.decode, { specialize: { opt: opts } });
    const encode = jit(ini.encode, { specialize: { opt: opts } });
    expect(inspect(decode)!.tier).toBe(1);
    const texts = ["a=1", "[s]\nb = 2\nc[] = x\nc[] = y", "; comment\nk=v\n[t.u]\nz=true", ""];
    for (const t of texts) expect(outcome(() => decode(t, opts))).toBe(outcome(() => ini.decode(t, opts)));
    for (const o of [{ a: 1 }, { s: { b: 2, c: ["x", "y"] } }, {}]) expect(outcome(() => encode(o, opts))).toBe(outcome(() => ini.encode(o, opts)));
  });

  it("a sloppy function's `arguments` linked to its parameters: such a function runs as the original", () => {
    const linked = new Function(`return {
      writesArguments: function (a) { arguments[0] = 5; return a; },
      writesParameter: function (a, b) { b = 7; return arguments[1]; },
      readsOnly: function (a) { return arguments.length + a; },
      forwards: function (a, b) { return [a, b].concat.apply([a], arguments); },
      writesThenForwards: function (a, b) { a = a + 8; return [].concat.apply([], arguments); },
      // wildemitter's emit (sweep19): the rest of the arguments copied by an Array method that only reads them.
      slices: function (a) { var rest = [].slice.call(arguments, 1); return [a, rest, Array.prototype.join.call(arguments, "-")]; },
      writesThenSlices: function (a) { a = a * 3; return [].slice.call(arguments, 0); },
      mapsWithCallbackThatSeesIt: function (a) { return [].map.call(arguments, function (x, i, all) { all[0] = 9; return x; }).concat(a); },
    };`)() as Record<string, (a: number, b?: number) => unknown>;
    for (const [name, f] of Object.entries(linked)) {
      const j = jit(f, { specialize: { a: 1 } });
      expect(outcome(() => j(1, 2))).toBe(outcome(() => f(1, 2)));
      expect(outcome(() => j(1))).toBe(outcome(() => f(1)));
      // Forwarding with `apply` reads the values as they are: it compiles (sloppy wrappers do it all the time).
      if (name === "readsOnly" || name === "forwards" || name === "slices") expect(inspect(j)!.tier).toBe(1);
      else expect(inspect(j)!.fallbackReason).toMatch(/^USES_ARGUMENTS: .*linked to its parameters/);
    }
  });

  it("a sloppy `slice.call(arguments, 1)` through a binding compiles where the binding holds an Array method that only reads it", () => {
    // underscore's `var slice = ArrayProto.slice`, CoffeeScript 1's `__slice = [].slice`.
    const dir = mkdtempSync(join(tmpdir(), "kos-sloppy-"));
    try {
      const file = join(dir, "aliases.js");
      writeFileSync(file, [
        `var slice = [].slice, join = Array.prototype.join;`,
        `var writer = function (list) { list[0] = 9; return Array.prototype.slice.call(list); };`,
        `var receiverWriter = function () { this[0] = 9; return this.length; };`,
        `exports.slices = function (a) { var rest = slice.call(arguments, 1); return [a, rest, join.call(arguments, "-")]; };`,
        `exports.writes = function (a) { var all = writer.call(null, arguments); return [a, all]; };`,
        `exports.handsOnToWriter = function (a) { return [receiverWriter.call(arguments), a]; };`,
        `exports.local = function (a) { var s = [].slice; return [s.call(arguments, 0), a]; };`,
      ].join("\n"));
      const lib = require(file) as Record<string, (a: number, b?: number) => unknown>;
      for (const [name, f] of Object.entries(lib)) {
        const j = jit(f, { specialize: { a: 1 } });
        expect(outcome(() => j(1, 2)), name).toBe(outcome(() => f(1, 2)));
        expect(outcome(() => j(1)), name).toBe(outcome(() => f(1)));
        if (name === "slices") expect(inspect(j)!.tier).toBe(1);
      }
      // `writer.call(null, arguments)` hands `arguments` on as an argument, not as the receiver of a read.
      expect(inspect(jit(lib.writes!, { specialize: { a: 1 } }))!.fallbackReason).toMatch(/^USES_ARGUMENTS: .*linked to its parameters, and it hands `arguments` on/);
      expect(inspect(jit(lib.handsOnToWriter!, { specialize: { a: 1 } }))!.fallbackReason).toMatch(/^USES_ARGUMENTS: .*hands `arguments` on to 'receiverWriter.call', which is not an Array method that only reads it/);
      expect(inspect(jit(lib.local!, { specialize: { a: 1 } }))!.fallbackReason).toMatch(/^USES_ARGUMENTS: .*hands `arguments` on to 's.call'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sloppy `arguments.callee` is the original function: such a function runs as the original", () => {
    // Found on a helper's own differential script: the compiled version returned itself.
    const fns = new Function(`return {
      plain: function (cfg, x) { return [arguments.callee, cfg.k + x]; },
      computed: function (cfg, x) { return [arguments["callee"], cfg.k + x]; },
    };`)() as Record<string, (cfg: { k: number }, x?: number) => [Function, number]>;
    const cfg = { k: 1 };
    // With a default value, \`arguments\` is unmapped and its \`callee\` throws, compiled or not.
    const withDefault = new Function("cfg", "x = 1", "return [arguments.callee, cfg.k + x];") as (cfg: { k: number }, x?: number) => unknown;
    expect(outcome(() => jit(withDefault, { specialize: { cfg } })(cfg, 2))).toBe(outcome(() => withDefault(cfg, 2)));
    // Nor does writing a parameter change \`arguments[i]\` there, compiled or not.
    const writes = new Function("cfg", "a", "b = 1", "a = cfg.k + a; return [arguments[1], a, b];") as (cfg: { k: number }, a: number) => unknown;
    for (const f of [writes, withDefault]) {
      const j = jit(f, { specialize: { cfg } });
      expect(outcome(() => j(cfg, 2))).toBe(outcome(() => f(cfg, 2)));
      expect(outcome(() => j(cfg, 2))).toBe(outcome(() => f(cfg, 2)));
    }
    for (const f of Object.values(fns)) {
      const j = jit(f, { specialize: { cfg } });
      const [callee, sum] = j(cfg, 2);
      expect(callee).toBe(f);
      expect(sum).toBe(3);
      expect(inspect(j)!.fallbackReason).toMatch(/^USES_ARGUMENTS: .*arguments\.callee/);
    }
  });
});
