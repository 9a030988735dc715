/**
 * `JSON.stringify(s)` of a string kos knows to be one becomes fast-json-stringify's escape loop
 * (compiler/json-quote.ts). The loop must give the engine's text for every string, and its
 * self-contained source (for `kos build`) the same.
 */
import { describe, expect, it } from "vitest";
import { QUOTE_JSON_STRING_SOURCE, quoteJsonString } from "../../compiler/json-quote.js";
import { inspect, jit, specializeToSource } from "../../index.js";
import { seededRandom } from "../../fixtures/random.js";

/** Strings of every kind the escape treats apart: plain, quotes, backslashes, controls, surrogates, long ones. */
function strings(): string[] {
  const out = ["", "a", "abc", '"', "\\", '""', "\\\\", 'a"b\\c"', '\\"', "\u007f", "\u2028\u2029", "é€", "😀", "a😀b", "\ud83d", "\ude00", "x\ud83dy", "\ude00\ud83d", "\t", "\n\r", "\u0000", "\u001f", " "];
  for (let c = 0; c < 0x80; c++) out.push(String.fromCharCode(c), "ab" + String.fromCharCode(c) + "cd");
  // Around the loop's length bound (42), with and without an escape at either end.
  for (const n of [40, 41, 42, 43, 100, 5000]) {
    const base = "k".repeat(n);
    out.push(base, '"' + base.slice(1), base.slice(1) + "\\", base.slice(2) + "\n", base.slice(1) + "\ud800");
  }
  const random = seededRandom(20261205);
  const pool = ["a", "Z", "0", " ", '"', "\\", "\n", "\u0001", "\u007f", "é", "\u2028", "\ud83d\ude00", "\ud83d", "\ude00", "/"];
  for (let i = 0; i < 3000; i++) {
    let s = "";
    const len = Math.floor(random() * 60);
    for (let k = 0; k < len; k++) s += pool[Math.floor(random() * pool.length)];
    out.push(s);
  }
  return out;
}

describe("quoteJsonString", () => {
  it("gives JSON.stringify's text for every string, and so does its standalone source", () => {
    const standalone = new Function(`return (${QUOTE_JSON_STRING_SOURCE});`)() as (s: string) => string;
    for (const s of strings()) {
      const expected = JSON.stringify(s);
      expect(quoteJsonString(s), JSON.stringify([...s].map((c) => c.charCodeAt(0)))).toBe(expected);
      expect(standalone(s)).toBe(expected);
    }
  });
});

describe("JSON.stringify of a string in compiled code", () => {
  const serialize = (o: { name: unknown; tags: unknown[] }) => {
    const name = o.name;
    if (typeof name !== "string") throw new TypeError("name");
    let out = "{\"name\":" + JSON.stringify(name) + ",\"tags\":[";
    for (let i = 0; i < o.tags.length; i++) out += (i ? "," : "") + JSON.stringify(o.tags[i]);
    return out + "]}";
  };

  it("calls the loop where the value is known to be a string, and JSON.stringify elsewhere, with the original's results", () => {
    const j = jit(serialize, { specialize: {} });
    const cases = strings();
    for (let i = 0; i < cases.length; i++) {
      const o = { name: cases[i]!, tags: [cases[(i * 7) % cases.length], i, null, { a: cases[i] }, undefined, [1]] };
      expect(j(o)).toBe(serialize(o));
    }
    const source = inspect(j)!.source!;
    expect(source).toMatch(/quoteJsonString_\d+\(/);
    // The tags are not known to be strings: their calls stay JSON.stringify's.
    expect(source).toContain("JSON.stringify(");
    expect(() => j({ name: 5, tags: [] })).toThrow(TypeError);
  });

  it("keeps JSON.stringify with a replacer or an indent, and for a value not known to be a string", () => {
    const indent = (s: unknown) => (typeof s === "string" ? JSON.stringify(s, null, 2) + JSON.stringify(s, (_k, v) => v) : JSON.stringify(s));
    const j = jit(indent, { specialize: {} });
    for (const s of ["a", '"q"', 5, { a: 1 }]) expect(j(s)).toBe(indent(s));
    expect(inspect(j)!.source).not.toMatch(/quoteJsonString/);
  });

  it("gives `kos build` a self-contained source for it", () => {
    const quoted = (o: { name: unknown }) => {
      const name = o.name;
      return typeof name === "string" ? JSON.stringify(name) : "";
    };
    const built = specializeToSource(quoted, { specialize: {} });
    expect(built.ok).toBe(true);
    const ref = built.references.find((r) => r.value === quoteJsonString);
    expect(ref?.source).toBe(QUOTE_JSON_STRING_SOURCE);
  });
});

// sweep32 repro-1: a wrapper put in JSON.stringify's place before jit() was skipped by the loop.
describe("a JSON.stringify the program replaced", () => {
  it("is called as the program calls it; the engine's, put back, gets the loop again", () => {
    const engine = JSON.stringify;
    const seen: unknown[] = [];
    const quoted = (s: unknown) => (typeof s === "string" ? JSON.stringify(s) : null);
    JSON.stringify = function (this: unknown, v: unknown, ...rest: unknown[]) {
      seen.push(v);
      return (engine as any)(v, ...rest);
    } as typeof JSON.stringify;
    try {
      const j = jit(quoted, { specialize: {} });
      // (The compiler's own code generation calls JSON.stringify too: README, known differences.)
      seen.length = 0;
      expect(j("ab")).toBe('"ab"');
      expect(seen).toEqual(["ab"]);
      expect(inspect(j)!.source).not.toMatch(/quoteJsonString/);
    } finally {
      JSON.stringify = engine;
    }
    const k = jit(quoted, { specialize: {} });
    expect(k('a"b')).toBe('"a\\"b"');
    expect(inspect(k)!.source).toMatch(/quoteJsonString/);
  });
});
