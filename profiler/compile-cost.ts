/**
 * When tiering may compile: a compile is paid for up front, in CPU time, and
 * only a run long enough wins it back. Tiering cannot see the future, so it
 * compiles once the time a function has already used, times SAVED_SHARE,
 * covers the compile's predicted CPU cost: the bet that the function will run
 * about as long again (the "ski rental" rule of online algorithms, as V8
 * scales its tier-up budgets with a function's size).
 *
 * Why this and not a call count. At 1000 calls, `jit(fn)` compiled
 * json-logic and mustache handlers in bench/programs/rules.ts, 127 ms and
 * 114 ms of wall time each, about twice that in CPU once V8's threads that
 * optimize the compiler's own code are counted. The program's whole work was
 * 0.3 s: tiering made it 0.64x as fast as no kos (BENCHMARKS.md, programs).
 *
 * The prediction is made before anything is parsed, from the source text:
 * - the compiler module's load, if no compile has loaded it yet (22-23 ms of
 *   CPU, 3 fresh processes);
 * - BASE_MS + PER_KB_MS per KB of the function's source. Cold compiles of
 *   the nine fixtures, each in a fresh process after the load, cost 22.6 ms
 *   (horner, 0.2 KB) to 68.9 ms (validator, 2.3 KB) of CPU;
 * - REACH_MS when the function reads names it does not declare and that are
 *   not globals, or reads `this`: its callees live in closures, modules or
 *   the receiver, and their size is unknown until they are read (through the
 *   inspector, at compile time). json-logic's `apply`, reached from a
 *   two-line handler, cost 247 ms wall and 446 ms CPU cold.
 * After each compile, the ratio of its measured CPU to its prediction scales
 * later predictions (a warm compiler costs less than a cold one): the own-size
 * part learns from compiles of self-contained functions, the unknown-callee
 * part only from compiles that had one (a small kernel says nothing about the
 * size of a library interpreter).
 */

/** CPU ms per KB of the function's own source (validator, 2.3 KB: 68.9 ms). */
const PER_KB_MS = 20;
/**
 * Unknown callees (closures, modules, the receiver). Cold compiles of bench/programs/rules.ts's
 * handlers, each the first compile of a fresh process (`jit(fn, { specialize })`
 * timed with process.cpuUsage, 3 processes each): json-logic's 302-321 ms of CPU, mustache's
 * 375-453 ms, the compiler's load (LOAD_MS) included. At 200, the prediction (245 ms) was a third
 * short of json-logic's 389 ms in a tiering run: tiering compiled it near the end of a 0.6 s
 * program and made it 0.95x as fast. A prediction a little high only delays a compile that pays.
 */
const REACH_MS = 350;
import { CLOSURE_ONLY_SAVED_SHARE, SAVED_SHARE, SELF_CONTAINED_SAVED_SHARE } from "./saved-shares.js";
export { CLOSURE_ONLY_SAVED_SHARE, SAVED_SHARE, SELF_CONTAINED_SAVED_SHARE } from "./saved-shares.js";
import { BASE_MS, COMPILE_BUDGET, LOAD_MS } from "./compile-budget.js";
export { COMPILE_BUDGET };
/** Measured/predicted ratios are kept within this range, so that one odd compile cannot switch tiering off or on for good. */
const MIN_SCALE = 0.25;
const MAX_SCALE = 4;

const KEYWORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof " +
    "let new null return super switch this throw true try typeof var void while with yield async await of get set static undefined arguments"
  ).split(" "),
);

/** What the source text says a compile costs, before the process's scale and the compiler's load. */
export interface SourceEstimate {
  /** The function's own size: fixed cost plus per KB. */
  ownMs: number;
  /** Callees not yet seen (closures, modules, the receiver): REACH_MS or 0. */
  reachMs: number;
  /** The share of the function's time a version is bet to save: SAVED_SHARE, or SELF_CONTAINED_SAVED_SHARE without unseen callees. */
  savedShare: number;
  why: string;
}

/** The predicted CPU cost of a compile, with its reasons. */
export interface CompileCostPrediction {
  ms: number;
  why: string;
  /** The parts: the compiler's load (0 once loaded), the function's own size, unknown callees (all scaled). */
  loadMs: number;
  ownMs: number;
  reachMs: number;
}

/** `source` with its comments blanked and every string and template literal made `""` (what the lexical readings below scan). */
function codeText(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, " ")
    .replace(/`(?:\\[\s\S]|\$\{[^}]*\}|[^\\`])*`|'(?:\\[\s\S]|[^\\'\n])*'|"(?:\\[\s\S]|[^\\"\n])*"/g, '""');
}

/** After a name: member accesses (one level of nested brackets), then a call, or a tagged template (made `""` by codeText). */
const CALLED_AFTER = /^(?:\s*(?:\?\.|\.)\s*[A-Za-z_$][\w$]*|\s*(?:\?\.)?\[(?:[^[\]]|\[[^[\]]*\])*\])*\s*(?:(?:\?\.)?\s*\(|"")/;
/** After a name: member accesses, then the end of an expression (what an assignment `x = name.f;` aliases). */
const ALIASED_AFTER = /^(?:\s*(?:\?\.|\.)\s*[A-Za-z_$][\w$]*|\s*(?:\?\.)?\[(?:[^[\]]|\[[^[\]]*\])*\])*\s*(?:[;,)\]}]|$)/;
/** Before a name: `new`, or a simple assignment to a local (`x = `, `var x = `), whose name is group 1. */
const NEW_BEFORE = /\bnew\s+$/;
/** After a name: one method call (`.m(` or `?.m(`), the method's name in group 1. */
const BUILTIN_CALL_AFTER = /^\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)\s*(?:\?\.)?\s*\(/;
const CALLS_ITSELF: ReadonlySet<string> = new Set(["call", "apply", "bind"]);
const ASSIGNED_BEFORE = /([A-Za-z_$][\w$]*)\s*=\s*$/;

/**
 * Which of `names` (or `this`) the code may call, or reach a call through: `name(…)`, `name.f(…)`,
 * `name[k](…)`, `new name`, a tagged template, `name` passed as an argument, or an alias assigned to
 * a local that is called in turn. A name only read as data (`TABLE[i]`, `LIMIT`, `this.k`) reaches no code the
 * compile has not seen, but a getter. A lexical approximation for the cost estimate, as above.
 */
export function calledNames(source: string, names: string[]): string[] {
  // The body only: a parameter list reads like an argument list.
  const code = codeText(source);
  const head = /^[^(=]*?\([^)]*\)/.exec(code) ?? /^\s*(?:async\s+)?[A-Za-z_$][\w$]*\s*(?==>)/.exec(code);
  const text = head ? code.slice(head[0].length) : code;
  const called = (name: string, seen: Set<string>): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const at = new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
    for (let m = at.exec(text); m; m = at.exec(text)) {
      const start = m.index + m[1]!.length;
      const before = text.slice(Math.max(0, start - 64), start);
      const after = text.slice(start + name.length, start + name.length + 256);
      if (NEW_BEFORE.test(before)) return true;
      // A built-in's method on the value (a module's RegExp `KV_RE.exec(line)`, a Map's `get`) runs
      // no code the compile has not seen: priced as a library's, a log parser's `parseLine` waited
      // at tier 0 for good where its version ran 1.44x (sweep47). `call`, `apply` and `bind` call the value itself.
      const method = BUILTIN_CALL_AFTER.exec(after);
      if (method && BUILTIN_METHOD_NAMES.has(method[1]!) && !CALLS_ITSELF.has(method[1]!)) continue;
      if (CALLED_AFTER.test(after)) return true;
      // Passed as it is to a call (`xs.map(mapper)`): the callee may call it.
      if (/[(,]\s*(?:\.\.\.)?$/.test(before) && /^\s*[,)]/.test(after)) return true;
      const alias = ASSIGNED_BEFORE.exec(before);
      if (alias && !/[=!<>]$/.test(before.slice(0, alias.index + alias[1]!.length + 1).trimEnd().slice(0, -1)) && ALIASED_AFTER.test(after) && called(alias[1]!, seen)) return true;
    }
    return false;
  };
  return names.filter((n) => called(n, new Set()));
}

/**
 * Method names of the built-in prototypes (what `arr.push(x)` or `s.charCodeAt(i)` on a parameter
 * calls): a call of a parameter's method by another name reaches the argument's own code.
 */
const BUILTIN_METHOD_NAMES: ReadonlySet<string> = new Set(
  [Object.prototype, Function.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype, BigInt.prototype, Symbol.prototype, Map.prototype, Set.prototype, WeakMap.prototype, WeakSet.prototype, RegExp.prototype, Date.prototype, Promise.prototype, ArrayBuffer.prototype, DataView.prototype, Object.getPrototypeOf(Int8Array.prototype) as object].flatMap((p) => Object.getOwnPropertyNames(p)),
);

/**
 * Parameters through which the code calls what the argument brings: the parameter called
 * (`cb(x)`), or a method of it that no built-in prototype has (`schema.validate(body)`). A constant
 * argument is folded and its methods inlined, so such a compile reaches a library as a closure's
 * would: joi's `schema.validate` behind a two-line handler was priced as a 0.1 KB function (45 ms),
 * compiled at its 136th call and cut at the 1 s limit, 1.8 s of CPU in all (sweep47 #2). A lexical
 * approximation, as the readings above.
 */
export function parametersReachingCode(source: string): string[] {
  const code = codeText(source);
  const params = /^[^(=]*?\(([^)]*)\)/.exec(code) ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(code);
  if (!params) return [];
  const names = [...new Set(params[1]!.match(/[A-Za-z_$][\w$]*/g) ?? [])].filter((n) => !KEYWORDS.has(n));
  const body = code.slice(params.index + params[0].length);
  return names.filter((name) => {
    const esc = name.replace(/\$/g, "\\$");
    if (new RegExp(`(^|[^\\w$.])${esc}\\s*(?:\\?\\.)?\\s*\\(`).test(body)) return true;
    const method = new RegExp(`(^|[^\\w$.])${esc}\\s*(?:\\?\\.|\\.)\\s*([A-Za-z_$][\\w$]*)\\s*(?:\\?\\.)?\\s*\\(`, "g");
    for (let m = method.exec(body); m; m = method.exec(body)) if (!BUILTIN_METHOD_NAMES.has(m[2]!) || CALLS_ITSELF.has(m[2]!)) return true;
    return false;
  });
}

/**
 * Names `source` reads that it does not declare and that are not globals of
 * this realm. A lexical approximation, good for a cost estimate only: strings,
 * comments and member names are skipped, and a name counts as declared when
 * it follows a declaring keyword or sits in the parameter list.
 */
export function undeclaredNames(source: string, globals: object = globalThis): string[] {
  const text = codeText(source);
  const declared = new Set<string>();
  const decl = /\b(?:var|let|const|function|class|catch\s*\()\s*([A-Za-z_$][\w$]*)/g;
  for (let m = decl.exec(text); m; m = decl.exec(text)) declared.add(m[1]!);
  // Parameters: the first parenthesised list, or an arrow's single parameter.
  const params = /^[^(=]*?\(([^)]*)\)/.exec(text) ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(text);
  if (params) for (const p of params[1]!.match(/[A-Za-z_$][\w$]*/g) ?? []) declared.add(p);
  // And those of the functions inside it: locutus's `sprintf` read as calling `s`, `len` and `chr`,
  // the parameters of its inner `pad` and `justify` (sweep16).
  const inner = /\bfunction\b\s*\*?\s*[A-Za-z_$]?[\w$]*\s*\(([^)]*)\)|\(([^()]*)\)\s*=>|([A-Za-z_$][\w$]*)\s*=>/g;
  for (let m = inner.exec(text); m; m = inner.exec(text)) for (const p of (m[1] ?? m[2] ?? m[3])!.match(/[A-Za-z_$][\w$]*/g) ?? []) declared.add(p);
  // Destructured declarations and further lists: `const { a, b } =`, `let i = 0, n = 1`.
  const list = /\b(?:var|let|const)\s*([[{][^=;]*[\]}])/g;
  for (let m = list.exec(text); m; m = list.exec(text)) for (const p of m[1]!.match(/[A-Za-z_$][\w$]*/g) ?? []) declared.add(p);
  const comma = /,\s*([A-Za-z_$][\w$]*)\s*=(?!=)/g;
  for (let m = comma.exec(text); m; m = comma.exec(text)) declared.add(m[1]!);
  const out = new Set<string>();
  const ident = /(^|[^\w$.])([A-Za-z_$][\w$]*)(?=\s*([:(]?))/g;
  for (let m = ident.exec(text); m; m = ident.exec(text)) {
    const name = m[2]!;
    if (KEYWORDS.has(name) || declared.has(name) || name in globals) continue;
    // An object-literal key (`{ name: v }`) is no read; `cond ? a : b` misreads as one, which only lowers the estimate's reach.
    if (m[3] === ":" && /[{,]\s*$/.test(text.slice(0, m.index + m[1]!.length))) continue;
    out.add(name);
  }
  return [...out];
}

/**
 * The process's compile-cost model. One per process, like V8's tier-up
 * budgets: the compiler it prices is loaded once per process, and what one
 * compile teaches (how warm the compiler is) holds for the next.
 */
export class CompileCostModel {
  private ownScale = 1;
  private reachScale = 1;
  private compilerLoaded = false;
  /** CPU ms tiering's compiles have cost in this process (the budget's numerator). */
  private spentMs = 0;
  /** Moves whenever a price may have changed, so that a cached price knows it is stale. */
  revision = 0;

  /** The source's part of the prediction: computed once per function (a few regular expressions over its text). */
  static estimate(source: string): SourceEstimate {
    const parts: string[] = [];
    const ownMs = BASE_MS + (PER_KB_MS * source.length) / 1024;
    parts.push(`${(source.length / 1024).toFixed(1)} KB of source`);
    const read = undeclaredNames(source);
    const usesThis = /\bthis\b/.test(source);
    // Names only read as data (a module's tables and constants, the receiver's fields) reach no
    // code kos has not seen: ngeohash's `encode` reads six module constants, and priced as a
    // library interpreter (416 ms of CPU, and the process's compile budget) it waited at tier 0
    // for good, where its compile took 55 ms (perf14).
    const reach = [...calledNames(source, read), ...parametersReachingCode(source)];
    const callsThis = usesThis && calledNames(source, ["this"]).length > 0;
    let reachMs = 0;
    if (reach.length || callsThis) {
      reachMs = REACH_MS;
      const names = reach.slice(0, 3).join(", ") + (reach.length > 3 ? ", …" : "");
      parts.push(`callees not yet seen (${[names && `calls ${names}`, callsThis ? "calls methods of this" : ""].filter(Boolean).join("; ")})`);
    } else if (read.length || usesThis) {
      const names = read.slice(0, 3).join(", ") + (read.length > 3 ? ", …" : "");
      parts.push(`reads ${[names, usesThis ? "this" : ""].filter(Boolean).join(", ")} as data`);
    }
    return { ownMs, reachMs, savedShare: reachMs > 0 ? SAVED_SHARE : SELF_CONTAINED_SAVED_SHARE, why: parts.join(", ") };
  }

  /** The prediction now: the estimate scaled by what this process's compiles measured, plus the compiler's load while it is not loaded. */
  price(estimate: SourceEstimate): CompileCostPrediction {
    const loadMs = this.pendingLoadMs();
    const ownMs = estimate.ownMs * this.ownScale;
    const reachMs = estimate.reachMs * this.reachScale;
    return { ms: ownMs + reachMs + loadMs, why: estimate.why + (loadMs ? ", loading the compiler" : ""), loadMs, ownMs, reachMs };
  }

  /** `price(estimate).ms` without the explanation: what the tier-0 gate checks at its timed calls. */
  priceMs(estimate: SourceEstimate): number {
    return estimate.ownMs * this.ownScale + estimate.reachMs * this.reachScale + this.pendingLoadMs();
  }

  /** The compile alone, as if the compiler were loaded (what a profile records for a function it never compiled). */
  priceLoaded(estimate: SourceEstimate): number {
    return estimate.ownMs * this.ownScale + estimate.reachMs * this.reachScale;
  }

  predict(source: string): CompileCostPrediction {
    return this.price(CompileCostModel.estimate(source));
  }

  /** CPU ms a first compile would add to load the compiler; 0 once it is loaded. */
  pendingLoadMs(): number {
    return this.compilerLoaded ? 0 : LOAD_MS;
  }

  /** A compile finished: `cpuMs` measured against what `price` said for it. */
  learn(predicted: CompileCostPrediction, cpuMs: number): void {
    this.compilerLoaded = true;
    this.spentMs += cpuMs;
    this.revision++;
    const clamp = (x: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, x));
    const measured = Math.max(1, cpuMs - predicted.loadMs);
    if (predicted.reachMs > 0) {
      // What the own-size part does not explain is the callees' share.
      const callees = Math.max(1, measured - predicted.ownMs);
      this.reachScale = clamp(this.reachScale * (callees / predicted.reachMs));
    } else {
      this.ownScale = clamp(this.ownScale * (measured / Math.max(1, predicted.ownMs)));
    }
  }

  /** A tiering compile that was not priced (no prediction): it still counts against the budget. */
  spent(cpuMs: number): void {
    this.spentMs += cpuMs;
  }

  /**
   * The process CPU time (ms) from which a compile of `predictedMs` fits the budget
   * (`share`, COMPILE_BUDGET by default): what tiering has spent so far plus this compile, over the share.
   */
  budgetCpuMs(predictedMs: number, share = COMPILE_BUDGET): number {
    return (this.spentMs + predictedMs) / share;
  }

  /** What the budget (`share` of `processCpuMs`) still allows tiering's compiles to spend, in ms. */
  headroomMs(processCpuMs: number, share = COMPILE_BUDGET): number {
    return share * processCpuMs - this.spentMs;
  }

  /** The compiler was loaded by something else (an explicit `jit(fn, { specialize })`). */
  loaded(): void {
    if (!this.compilerLoaded) this.revision++;
    this.compilerLoaded = true;
  }

  /** Whether a function that has used `usedMs` so far should compile at `predicted` cost, its version bet to save `savedShare`. */
  static worthIt(usedMs: number, predicted: CompileCostPrediction, savedShare: number): boolean {
    return usedMs * savedShare >= predicted.ms;
  }

  /** The time a function must have used before a compile of `ms` pays (the inverse of worthIt). */
  static usedToPay(ms: number, savedShare: number): number {
    return ms / savedShare;
  }
}
