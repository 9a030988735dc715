/**
 * `JSON.stringify(s)` of a value kos knows to be a string, as fast-json-stringify writes it: a
 * short string with nothing to escape is `'"' + s + '"'`, found by one pass of `charCodeAt`, and
 * a quote or a backslash gets its backslash on the way; anything else (a control character, a
 * surrogate, a longer string) goes to the engine's own `JSON.stringify`. The result is the
 * engine's, character for character: JSON.stringify escapes only `"`, `\`, the characters below
 * U+0020 and lone surrogates (test/compiler/json-quote.test.ts compares the two on every
 * character class, paired and lone surrogates included).
 *
 * Why: the builtin call is the cost of a short string. The json-serializer fixture's hand version
 * (its strings escaped by `JSON.stringify`, as the generic code does) ran 920 ns a call, and 829 ns
 * with fast-json-stringify's loop in its place, fast-json-stringify itself 831 ns (lowest of 12
 * CPU-time windows each, one process, Node 20.20.2, .scratch/jsonesc.mjs). fast-json-stringify
 * keeps the loop under 42 characters on V8 before 13.8; so does this.
 */

import { types } from "node:util";

const functionSource = Function.prototype.toString;
const isProxy = types.isProxy;

/**
 * Whether `f` is the engine's JSON.stringify (of any realm), told by its source text, which only a
 * built-in of that name has: not a wrapper the program put in its place, a bound function or a
 * proxy (their texts differ). The compiler loads at the first compile, after any replacement a
 * program made before it, so the function it would capture then need not be the engine's (sweep32
 * repro-1: a logging wrapper installed before `jit()` was skipped by the loop).
 */
export function isEngineStringify(f: unknown): boolean {
  return typeof f === "function" && Reflect.apply(functionSource, f, []) === "function stringify() { [native code] }";
}

/**
 * Whether the global `JSON.stringify` is the engine's now, read by descriptors (no getter of the
 * program's runs): kos reads built-ins' members from what it found at load, and the residual's
 * `JSON.stringify(s)` would call whatever the program put there since.
 */
export function globalStringifyIsEngine(): boolean {
  const json = Object.getOwnPropertyDescriptor(globalThis, "JSON");
  if (!json || !("value" in json) || json.value === null || typeof json.value !== "object" || isProxy(json.value)) return false;
  const stringify = Object.getOwnPropertyDescriptor(json.value, "stringify");
  return !!stringify && "value" in stringify && isEngineStringify(stringify.value);
}

/** The engine's JSON.stringify: the global one where it is that, else a fresh realm's (the same for a string). */
const engineStringify: (value: unknown) => string | undefined = isEngineStringify(JSON.stringify)
  ? JSON.stringify
  : (process.getBuiltinModule("node:vm").runInNewContext("JSON.stringify") as (value: unknown) => string | undefined);

/**
 * Strings this long or longer go to JSON.stringify: fast-json-stringify's bounds for its loop, 42
 * characters before V8 13.8 and 8 from then on, where the engine's JSON.stringify escapes a string
 * with a fast path of its own (fast-json-stringify measured the loop 6-46% faster under 8
 * characters there, the native call 48-120% faster from 12 on; lib/serializer.js).
 */
const MAX_LOOP_LENGTH = hasFastStringify() ? 8 : 42;

function hasFastStringify(): boolean {
  const [major, minor] = String(process.versions.v8).split(".").map(Number);
  return major! * 100 + minor! >= 1308;
}

/**
 * The escape, over the `stringify` it falls back to and its length bound: one definition for kos's
 * own function and for the self-contained source `kos build` binds (its text, which refers to
 * nothing else).
 */
function makeQuote(stringify: (value: unknown) => string | undefined, maxLoopLength: number): (s: string) => string {
  return function quoteJsonString(s: string): string {
    const len = s.length;
    if (len >= maxLoopLength) return stringify(s)!;
    let result = "";
    let last = 0;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) {
        result += s.slice(last, i) + "\\";
        last = i;
      } else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) {
        return stringify(s)!;
      }
    }
    return result === "" ? '"' + s + '"' : '"' + result + s.slice(last) + '"';
  };
}

/** `JSON.stringify(s)` for a string `s`. */
export const quoteJsonString: (s: string) => string = makeQuote(engineStringify, MAX_LOOP_LENGTH);

/** quoteJsonString as a self-contained expression, for output that cannot reach kos (`kos build`). */
export const QUOTE_JSON_STRING_SOURCE = `(${Function.prototype.toString.call(makeQuote)})(JSON.stringify, ${MAX_LOOP_LENGTH})`;
