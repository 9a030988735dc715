/**
 * RegExp literals held by module bindings that no other code can reach
 * (jsonpointer's `var hasExcape = /~/`, tested against each part of a
 * pointer): with a string kos knows, `re.test(s)` is computed at compile time.
 * A RegExp that other code can reach (exported, passed on, in a script with a
 * direct eval, or global/sticky) is left as written: `compile()` or a write
 * to its lastIndex could change what it matches. A global one that only
 * `.match(re)` calls receive (date-fns's format tokens) gives its matches on a
 * known string at compile time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { inspect, jit } from "../../../index.js";
import { lookupBinding } from "../../../compiler/discover/closure.js";

const require_ = createRequire(import.meta.url);
let dir = "";

const LIB = `
var hasTilde = /~/;
var leaked = /~/;
const sticky = /~/y;
function untilde(s) { return hasTilde.test(s) ? s.replace(/~1/g, "/").replace(/~0/g, "~") : s; }
function untildeLeaked(s) { return leaked.test(s) ? s.replace(/~1/g, "/") : s; }
function untildeSticky(s) { sticky.lastIndex = 0; return sticky.test(s) ? "t" : s; }
exports.get = function get(obj, pointer) {
  var parts = pointer.split("/");
  for (var p = 1; p < parts.length; p++) {
    obj = obj[untilde(parts[p])];
    if (obj == null) return obj;
  }
  return obj;
};
exports.getLeaked = function getLeaked(obj, key) { return obj[untildeLeaked(key)]; };
exports.getSticky = function getSticky(obj, key) { return obj[untildeSticky(key)]; };
exports.leaked = leaked;
// date-fns's format: tokenize the format string with a global RegExp, then build from the tokens.
const tokens = /yyyy|MM|dd|'[^']*'|./g;
const shared = /yyyy|MM|dd|./g;
const names = { yyyy: "year", MM: "month", dd: "day" };
exports.format = function format(date, formatStr) {
  return formatStr.match(tokens).map(function (t) { return names[t] ? date[names[t]] : t.charAt(0) === "'" ? t.slice(1, -1) : t; }).join("");
};
exports.formatShared = function formatShared(date, formatStr) {
  return formatStr.match(shared).map(function (t) { return names[t] ? date[names[t]] : t; }).join("");
};
exports.shared = shared;
// A private RegExp tested on a string kos does not know, then a read of the module's unfrozen table.
var digits = /^[0-9]+$/;
var table = { n: "number", s: "string" };
exports.kind = function kind(key, v) { var num = digits.test(v); return table[key] + (num ? "#" : "") + table.s; };
exports.table = table;
// date-fns's check of each format character: a non-global private RegExp matched on a known string.
var latin = /[a-zA-Z]/;
exports.check = function check(s) { if (s.match(latin)) throw new RangeError("latin " + s); return s.length; };
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-private-re-"));
  writeFileSync(join(dir, "lib.js"), LIB);
  writeFileSync(join(dir, "evil.js"), "var re = /~/;\nexports.run = function (k, code) { if (code) eval(code); return re.test(k); };\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("private RegExp literals", () => {
  it("folds re.test(s) on a known string when only test/exec calls can reach the RegExp", () => {
    const lib = require_(join(dir, "lib.js"));
    expect(lookupBinding(lib.get, "untilde")).toBeTruthy();
    const j = jit(lib.get, { specialize: { pointer: "/a/b~1c/0" } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.source).not.toMatch(/\.test\(/);
    const docs = [{ a: { "b/c": [7] } }, { a: null }, { a: { "b/c": "xy" } }, { a: { b: { c: [1] } } }, {}];
    for (const d of docs) expect(j(d, "/a/b~1c/0")).toBe(lib.get(d, "/a/b~1c/0"));
  });

  it("leaves the call where other code can reach the RegExp, and follows what that code does to it", () => {
    const lib = require_(join(dir, "lib.js"));
    const j = jit(lib.getLeaked, { specialize: { key: "a~1b" } });
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.source).toMatch(/\.test\(/);
    const o = { "a/b": 1, "a~1b": 2 };
    expect(j(o, "a~1b")).toBe(1);
    // Annex B's compile() changes what the exported RegExp matches.
    (lib.leaked as RegExp).compile("^$");
    expect(j(o, "a~1b")).toBe(lib.getLeaked(o, "a~1b"));
    expect(j(o, "a~1b")).toBe(2);
  });

  it("leaves a sticky RegExp and one in a script with a direct eval as written", () => {
    const lib = require_(join(dir, "lib.js"));
    const s = jit(lib.getSticky, { specialize: { key: "~" } });
    expect(inspect(s)!.source ?? "").toMatch(/\.test\(/);
    expect(s({ t: 1 }, "~")).toBe(1);
    const evil = require_(join(dir, "evil.js"));
    const e = jit(evil.run, { specialize: { k: "~" } });
    expect(e("~", undefined)).toBe(true);
    expect(e("~", "re.compile('x')")).toBe(false);
    expect(e("~", undefined)).toBe(evil.run("~", undefined));
  });

  it("folds str.match(re) of a global RegExp only .match calls receive: the tokens of a known format string, and what is built from them", () => {
    const lib = require_(join(dir, "lib.js"));
    const fmt = "yyyy-MM-dd 'at' dd";
    const j = jit(lib.format, { specialize: { formatStr: fmt } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.source).not.toMatch(/\.match\(|\.map\(/);
    const dates = [{ year: 2024, month: "02", day: "29" }, { year: -0, month: null, day: undefined }, {}];
    for (const d of dates) expect(j(d, fmt)).toBe(lib.format(d, fmt));
    expect(j(dates[0], "dd/MM")).toBe(lib.format(dates[0], "dd/MM"));
  });

  it("leaves .match(re) as written where other code can reach the global RegExp (its lastIndex or source may change)", () => {
    const lib = require_(join(dir, "lib.js"));
    const fmt = "yyyy-MM";
    const j = jit(lib.formatShared, { specialize: { formatStr: fmt } });
    expect(inspect(j)!.source).toMatch(/\.match\(/);
    const d = { year: 2024, month: "02" };
    expect(j(d, fmt)).toBe("2024-02");
    (lib.shared as RegExp).compile("y+", "g");
    expect(j(d, fmt)).toBe(lib.formatShared(d, fmt));
  });

  it("a test of a private RegExp on a string kos does not know runs no program code: what was folded before it stays folded", () => {
    const lib = require_(join(dir, "lib.js"));
    const j = jit(lib.kind, { specialize: { key: "n" }, assume: { v: "string" } });
    const src = inspect(j)!.source!;
    expect(inspect(j)!.tier).toBe(1);
    // `table.s`, read after the test, is folded behind the entry guard: no fork re-reads it.
    expect(src).toMatch(/return "number" \+ \(\w+\.test\(v\) \? "#" : ""\) \+ "string";/);
    for (const v of ["12", "x", ""]) expect(j("n", v)).toBe(lib.kind("n", v));
    (lib.table as Record<string, string>).s = "text";
    expect(j("n", "7")).toBe(lib.kind("n", "7"));
    expect(j("n", "7")).toBe("number#text");
  });

  it("str.match(re) of a non-global private RegExp on a known string folds where it does not match (null), and stays where it does", () => {
    const lib = require_(join(dir, "lib.js"));
    const none = jit(lib.check, { specialize: { s: ", " } });
    expect(none(", ")).toBe(2);
    expect(inspect(none)!.source).not.toMatch(/\.match\(/);
    const some = jit(lib.check, { specialize: { s: "a," } });
    expect(() => some("a,")).toThrow("latin a,");
    expect(inspect(some)!.source).toMatch(/\.match\(/);
  });
});

