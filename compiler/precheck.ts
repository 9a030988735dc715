/**
 * What kos can tell about a function at `jit()` time without parsing it:
 * whether it can ever be compiled (native, bound, class, async, generator
 * functions cannot), how many formal parameters it declares, and whether a
 * forwarding wrapper must pass its arguments exactly (`arguments`, rest
 * parameters, `new.target`).
 *
 * Everything here reads intrinsics captured when this module loads
 * (Function.prototype.toString, Object.getPrototypeOf, ...), never methods a
 * program can patch later. It costs about 0.3 µs on a 10-line function
 * (bench/tiering.bench.ts, "jit() of a function never called"): a full acorn
 * parse of the same function costs 20-40 µs, which is why parsing waits for
 * the first tier-up.
 */
import { JitError, type JitErrorCode } from "./jit-error.js";

const fnToString = Function.prototype.toString;
const reflectApply = Reflect.apply;
const getPrototypeOf = Object.getPrototypeOf;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
// The intrinsic prototypes of the function kinds kos never compiles.
const AsyncFunctionProto = getPrototypeOf(async function () {});
const GeneratorFunctionProto = getPrototypeOf(function* () {});
const AsyncGeneratorFunctionProto = getPrototypeOf(async function* () {});

/** The verdict of {@link precheck}. */
export type Precheck =
  | {
      ok: true;
      /** The function's source text (intrinsic toString). */
      source: string;
      /** Formal parameters, rest excluded; -1 when the list could not be read cheaply. */
      arity: number;
      /** A wrapper must forward `this`, every argument and `new.target` exactly. */
      exact: boolean;
      /** The source mentions `this` (the receiver is an input worth profiling). */
      mentionsThis: boolean;
    }
  | { ok: false; code: JitErrorCode; reason: string };

// First characters of the sources the text checks look for.
const C_a = 0x61, C_c = 0x63, C_f = 0x66, C_g = 0x67, C_s = 0x73, C_HASH = 0x23, C_STAR = 0x2a;

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

function refuse(code: JitErrorCode, what: string): Precheck {
  return { ok: false, code, reason: `${code}: ${what} cannot be compiled; it runs as the original` };
}

/**
 * Decides cheaply whether `fn` can ever be compiled, and reads its parameter
 * count. Never throws for a function; throws JitError NOT_A_FUNCTION otherwise.
 */
export function precheck(fn: Function): Precheck {
  if (typeof fn !== "function") throw new JitError("NOT_A_FUNCTION", `jit() expects a function, got ${fn === null ? "null" : typeof fn}`);
  let source: string;
  try {
    source = reflectApply(fnToString, fn, []) as string;
  } catch {
    return refuse("NATIVE_FUNCTION", "a function whose source cannot be read (a proxy?)");
  }
  const proto = getPrototypeOf(fn);
  if (proto === AsyncGeneratorFunctionProto) return refuse("GENERATOR", "an async generator function");
  if (proto === GeneratorFunctionProto) return refuse("GENERATOR", "a generator function");
  if (proto === AsyncFunctionProto) return refuse("ASYNC_FUNCTION", "an async function");
  // Plain `includes`/`startsWith` first: regular expressions over the whole source cost about 1 µs each.
  if (source.includes("[native code]") && NATIVE.test(source)) {
    const name = getOwnPropertyDescriptor(fn, "name")?.value;
    // A bound function prints as native code; its name starts with "bound " and it has no own prototype.
    if (typeof name === "string" && name.startsWith("bound ") && getOwnPropertyDescriptor(fn, "prototype") === undefined) {
      return refuse("BOUND_FUNCTION", `the bound function '${name}'`);
    }
    return refuse("NATIVE_FUNCTION", `the native function '${typeof name === "string" ? name : "?"}'`);
  }
  // Each test below only where the first character allows it: four regular expressions on every
  // function cost about 0.1 µs of a jit() (bench/tiering.bench.ts).
  const first = source.charCodeAt(0);
  if (first === C_c && /^class\b/.test(source)) return refuse("CLASS_CONSTRUCTOR", "a class constructor");
  // Text checks back up the prototype checks (a program may have re-parented the function).
  if (first === C_a && /^async\b/.test(source)) return refuse("ASYNC_FUNCTION", "an async function");
  if (first === C_STAR || (first === C_f && /^function\s*\*/.test(source))) return refuse("GENERATOR", "a generator function");
  // A private method (`this.#run.bind(this)` hands it out): only its class body can define it.
  const privateMethod = first === C_HASH || first === C_s || first === C_g ? /^(?:static\s+)?(?:get\s+|set\s+)?(#[\w$]+)\s*\(/.exec(source.slice(0, 64)) : null;
  if (privateMethod) return refuse("USES_PRIVATE_NAME", `the private method ${privateMethod[1]}`);
  const params = scanParameters(source);
  // Conservative substring tests: a false positive only costs speed (an exact entry, a receiver profile).
  const exact = params.arity < 0 || params.rest || source.includes("arguments") || (source.includes("target") && /new\s*\.\s*target/.test(source));
  return { ok: true, source, arity: params.arity, exact, mentionsThis: source.includes("this") };
}

/**
 * Counts the formal parameters of a function's source by scanning its
 * parameter list: commas at depth 0, skipping strings, comments and nested
 * brackets. Gives up (-1) on template literals and anything that may be a
 * regular expression, which only a parser can tell from a division.
 */
export function scanParameters(source: string): { arity: number; rest: boolean } {
  let i = 0;
  const n = source.length;
  // Find the opening parenthesis of the parameter list, at bracket depth 0 (a
  // computed method key may contain parentheses). An arrow with one bare
  // parameter has none before `=>`.
  let depth = 0;
  for (; i < n; i++) {
    const c = source[i]!;
    if (c === "(" && depth === 0) break;
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "=" && source[i + 1] === ">" && depth === 0) return { arity: 1, rest: false };
    else if (c === '"' || c === "'") {
      i = skipString(source, i);
      if (i < 0) return { arity: -1, rest: false };
    } else if (c === "`" || c === "/") return { arity: -1, rest: false };
  }
  if (i >= n) return { arity: -1, rest: false };
  i++;
  depth = 0;
  let count = 0;
  let sawToken = false;
  let rest = false;
  for (; i < n; i++) {
    const c = source[i]!;
    if (c === " " || c === "\n" || c === "\t" || c === "\r") continue;
    if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      if (end < 0) return { arity: -1, rest: false };
      i = end;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) return { arity: -1, rest: false };
      i = end + 1;
      continue;
    }
    if (c === "/" || c === "`") return { arity: -1, rest: false };
    if (c === '"' || c === "'") {
      i = skipString(source, i);
      if (i < 0) return { arity: -1, rest: false };
      sawToken = true;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) {
        if (c !== ")") return { arity: -1, rest: false };
        return { arity: (sawToken ? count + 1 : count) - (rest ? 1 : 0), rest };
      }
      depth--;
    } else if (c === "," && depth === 0) {
      count++;
      sawToken = false;
      continue;
    } else if (c === "." && depth === 0 && source.startsWith("...", i) && !sawToken) {
      rest = true;
    }
    sawToken = true;
  }
  return { arity: -1, rest: false };
}

/** Index of the closing quote of the string starting at `start`, or -1. */
export function skipString(source: string, start: number): number {
  const q = source[start];
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === q) return i;
    else if (c === "\n") return -1;
  }
  return -1;
}

/**
 * The names of a plain parameter list (`a, b = 1`), read without parsing; null
 * for a destructured or rest parameter. null for the whole list where it holds
 * anything a cheap scan could misread (strings, templates, regular expressions,
 * nested brackets). For descriptions only: the compiler's `parameterNames` parses.
 */
export function simpleParameterNames(source: string): Array<string | null> | null {
  const m = /^[^(=]*\(([^)]*)\)/.exec(source) ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (!m || /[`/'"({[]/.test(m[1]!)) return null;
  return m[1]!
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => /^[A-Za-z_$][\w$]*(?=\s*(=|$))/.exec(p)?.[0] ?? null);
}
