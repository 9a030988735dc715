/**
 * Which functions the dormant tier returns as they are: those too small to gain from tiering what
 * counting their calls costs.
 *
 * A dormant entry counts every call until the process reaches its wake point (dormant.ts), and
 * where V8 inlines the entry into a tight loop, that count is a load, an add and a store to one
 * memory slot at every iteration, a chain the loop cannot overlap: two small functions (a clamp and
 * a lerp, 52-67 characters) wrapped in `jit()` and called 30 million times each in one loop ran at
 * 0.46-0.60x the same loop without kos (paired CPU time, 5-7 rounds, .scratch/unseen2.mjs and
 * unseen3.mjs), and a bare `++calls` in a closure around each doubled the loop's time too
 * (.scratch/cnt.mjs: 39 ms without, 75 ms with). What specializing such a function can win is of
 * the same size: with no loop and no call, its code is a few comparisons and arithmetic on its
 * arguments, which V8 already compiles to a few instructions; a constant configuration saves it a
 * property load or a comparison, about the nanosecond the count costs. So a function with no loop,
 * no call (Math's functions aside) and no nested function, of at most {@link SMALL_FUNCTION_CHARS}
 * characters of code, is settled at `jit()` time, on the original, with that reason.
 *
 * The scan reads the source text without parsing it (precheck.ts): whatever it cannot tell apart
 * (a template literal, a slash that may begin a regular expression) makes the function not small,
 * the verdict that changes nothing. Either verdict runs the program exactly as it is: this decides
 * only whether kos counts the function's calls.
 */
import { skipString } from "./precheck.js";

/**
 * Non-whitespace characters of code a small function may have. The DSP program's soft clip of
 * bench/programs (a constant-configured shaper with one `Math.abs` and two branches) is 150, the
 * fixtures' smallest kernel with a loop (horner) 130 but for its loop: both sides of the line
 * measured above run in a few nanoseconds a call.
 */
export const SMALL_FUNCTION_CHARS = 240;

/** Words that make a function not small: loops, nested functions and classes, constructions, and what may run other code. */
const NOT_SMALL_WORDS = new Set(["for", "while", "do", "function", "class", "new", "yield", "await", "async", "eval", "with", "import", "super"]);
/** Words after which a parenthesis is not a call. */
const NOT_CALLEE_WORDS = new Set(["if", "switch", "catch", "return", "typeof", "void", "delete", "in", "of", "instanceof", "case", "else", "throw"]);

// By character code, not `/[\w$]/.test(c)`: a regular expression a character made the scan
// 1.8-4.4 µs of a dormant `jit()` of a three-line function (8-9 µs in all), against 1.0-2.0 µs this
// way, and with the size count below walking the whole text, 43 µs of a 6 KB function's, now 1.4 µs
// (docs/notes/tiering-entry-costs.md, "jit() of a never-called function").
const isDigitCode = (k: number): boolean => k >= 48 && k <= 57;
const isIdentifierCode = (k: number): boolean => (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || isDigitCode(k) || k === 95 || k === 36;
const isIdentifierChar = (c: string): boolean => isIdentifierCode(c.charCodeAt(0));
const isSpace = (c: string): boolean => c === " " || c === "\n" || c === "\t" || c === "\r";

/**
 * The reason a function of source `source` is too small to tier, or null where it is not (or the
 * scan cannot tell).
 */
export function smallFunctionReason(source: string): string | null {
  let size = 0;
  // Stops at the limit: a large function's whole text is not walked.
  for (let i = 0; i < source.length; i++) if (!isSpace(source[i]!) && ++size > SMALL_FUNCTION_CHARS) return null;
  // An arrow function's own `=>` (after its parameters) is its head; any other is a nested function.
  let arrowsLeft = /^\s*(\([^()]*\)|[\w$]+)\s*=>/.test(source) ? 1 : 0;
  // The first parenthesis opens the parameter list, except for an arrow with one bare parameter.
  let parameterParen = !/^\s*[\w$]+\s*=>/.test(source);
  // The last significant tokens: an identifier, a punctuator, or "str"/"num" for literals.
  const last: string[] = [];
  const push = (t: string) => {
    last.push(t);
    if (last.length > 4) last.shift();
  };
  // A function expression's or declaration's own `function` keyword (a nested one is not small).
  const head = /^\s*function\b/.exec(source);
  for (let i = head ? head[0].length : 0; i < source.length; ) {
    const c = source[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = skipString(source, i);
      if (end < 0) return null;
      i = end + 1;
      push("str");
      continue;
    }
    if (c === "`") return null;
    if (c === "/") {
      const next = source[i + 1];
      if (next === "/" || next === "*") {
        const end = next === "/" ? source.indexOf("\n", i) : source.indexOf("*/", i + 2);
        if (end < 0) return null;
        i = next === "/" ? end : end + 2;
        continue;
      }
      // A division follows a value; anything else may begin a regular expression.
      const prev = last[last.length - 1];
      if (prev === undefined || !(prev === ")" || prev === "]" || prev === "str" || prev === "num" || (isIdentifierChar(prev[0]!) && !NOT_CALLEE_WORDS.has(prev)))) return null;
      i++;
      push("/");
      continue;
    }
    const code = source.charCodeAt(i);
    if (isDigitCode(code) || (c === "." && isDigitCode(source.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < source.length && (isIdentifierCode(source.charCodeAt(j)) || source.charCodeAt(j) === 46)) j++;
      i = j;
      push("num");
      continue;
    }
    if (isIdentifierCode(code)) {
      let j = i + 1;
      while (j < source.length && isIdentifierCode(source.charCodeAt(j))) j++;
      const word = source.slice(i, j);
      if (NOT_SMALL_WORDS.has(word)) return null;
      i = j;
      push(word);
      continue;
    }
    if (c === "=" && source[i + 1] === ">") {
      if (arrowsLeft-- <= 0) return null;
      i += 2;
      push("=>");
      continue;
    }
    if (c === "(") {
      if (parameterParen) {
        parameterParen = false;
      } else {
        const prev = last[last.length - 1];
        const called = prev !== undefined && (prev === ")" || prev === "]" || prev === "." || (isIdentifierChar(prev[0]!) && !NOT_CALLEE_WORDS.has(prev) && prev !== "num"));
        // `Math.name(…)` (not `o.Math.name(…)`): the only calls a small function may make.
        const n = last.length;
        if (called && !(n >= 3 && last[n - 3] === "Math" && last[n - 2] === "." && isIdentifierChar(prev[0]!) && last[n - 4] !== "." && last[n - 4] !== "?.")) return null;
      }
      i++;
      push("(");
      continue;
    }
    i++;
    push(c);
  }
  return `too small to gain from tiering what counting its calls costs (${size} characters of code, no loop, no call but Math's): it runs as the original`;
}
