/**
 * A seeded generator of small random JavaScript functions, for differential
 * testing of the compiler (original vs `jit`). Programs are built as source
 * text from a small grammar and compiled with `new Function`: this is test
 * code, so building source strings here is fine (the compiler itself never
 * does that with user data).
 *
 * A program is `function prog(p0, …, pK, log) { … }`:
 * - some parameters are specialized to random constants (-0, NaN, ±Infinity,
 *   strings with quotes, backslashes and U+2028, bigint, small frozen arrays
 *   and objects), the others receive random values;
 * - `log` is an array the program pushes side effects into, in order;
 * - two helpers reach it through `scope`: `helper(a, b)` (pure, throws on
 *   symbols) and `tap(log, value)` (logs, returns its value).
 * The grammar covers const/let (some reassigned), arithmetic, comparison,
 * logical, bitwise, `??`, ternary, typeof, if/else, switch with fall-through,
 * for loops with constant and non-constant bounds, break/continue/labels,
 * for-of over constant arrays, for-in over constant objects, Math calls,
 * string operations, property reads on constants, and occasional throws.
 * Loops are bounded and strings cannot double inside loops, so every program
 * terminates quickly.
 */
import { deepFreeze, seededRandom, type Random } from "../../fixtures/random.js";

export interface RandomProgram {
  /** Index within its run, for messages. */
  index: number;
  /** `function prog(...) { ... }`, exactly what `fn.toString()` returns. */
  source: string;
  /** The original function, closing over the scope helpers. */
  fn: Function;
  params: string[];
  specialize: Record<string, unknown>;
  scope: Record<string, unknown>;
  /** Argument tuples without `log` (appended per run). Some break a guard on purpose. */
  inputs: unknown[][];
}

/** Pure helper passed through `scope`. Throws TypeError on undefined and RangeError on huge strings. */
export function helper(a: unknown, b: unknown): unknown {
  if (typeof a === "number") return a * 2 + (typeof b === "number" ? b : 1);
  if (typeof a === "string") {
    if (a.length > 1e5) throw new RangeError("helper: string too long");
    return a + "|" + String(b);
  }
  if (a === undefined) throw new TypeError("helper: no value");
  return typeof a;
}

/** Logging helper passed through `scope`: records the value, returns it. */
export function tap(log: unknown[], value: unknown): unknown {
  log.push(value);
  return value;
}

const STRINGS = ["", "a", "it's", 'say "hi"', "back\\slash", "line\u2028sep", "para\u2029sep", "\n\t", "ünï", "42", "-0", "x".repeat(5)];
const NUMBERS = [0, -0, 1, -1, 2, 3, 0.5, -2.5, 7, 100, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 32), 1e21, 5e-324, 0.1];

/** Renders a primitive as a JS literal (test code: JSON.stringify plus the cases it cannot express). */
export function literal(v: unknown): string {
  if (typeof v === "number") {
    if (Object.is(v, -0)) return "-0";
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return v < 0 ? `(${v})` : String(v);
  }
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  if (v === undefined) return "undefined";
  return String(v);
}

type Kind = "num" | "str" | "bool" | "nullish" | "bigint" | "array" | "object";

class Generator {
  private out: string[] = [];
  private indent = 1;
  /** Visible bindings, innermost last: name, whether assignable, and the constant it holds if known. */
  private scopes: Array<Array<{ name: string; mutable: boolean; value?: unknown; isConst?: boolean }>> = [];
  private counter = 0;
  private loopDepth = 0;
  private labels: string[] = [];
  /** Names that may not appear on the right of an assignment inside a loop (no doubling). */
  private growthGuard: string | null = null;
  private statements = 0;

  constructor(private readonly r: Random, private readonly constants: Map<string, unknown>) {}

  private chance(p: number): boolean {
    return this.r() < p;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)]!;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }

  private emit(line: string): void {
    this.out.push("  ".repeat(this.indent) + line);
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  private visible() {
    return this.scopes.flat();
  }

  private block(body: () => void): void {
    this.scopes.push([]);
    this.indent++;
    body();
    this.indent--;
    this.scopes.pop();
  }

  // ---- expressions ----

  private primitiveLiteral(): string {
    const roll = this.r();
    if (roll < 0.45) return literal(this.pick(NUMBERS));
    if (roll < 0.75) return literal(this.pick(STRINGS));
    if (roll < 0.85) return this.pick(["true", "false"]);
    if (roll < 0.985) return this.pick(["null", "undefined"]);
    return literal(BigInt(this.int(-3, 9)));
  }

  private variable(): string | null {
    const names = this.visible().filter((b) => b.name !== this.growthGuard);
    return names.length ? this.pick(names).name : null;
  }

  /** A read from a constant array or object parameter (folded by a specializing compiler). */
  private constantRead(): string | null {
    const entries = [...this.constants].filter(([, v]) => v !== null && typeof v === "object");
    if (!entries.length) return null;
    const [name, value] = this.pick(entries);
    if (Array.isArray(value)) {
      return this.pick([`${name}.length`, `${name}[${this.int(0, value.length)}]`, `${name}[${this.int(0, 3)}]`]);
    }
    const keys = Object.keys(value as object);
    const key = keys.length ? this.pick(keys) : "missing";
    return this.pick([
      /^[A-Za-z_$][\w$]*$/.test(key) ? `${name}.${key}` : `${name}[${literal(key)}]`,
      `${name}.missing`,
      `Object.keys(${name}).length`,
      `Object.keys(${name}).join(",")`,
      `${name}[${literal(keys.length ? this.pick(keys) : "k")}]`,
    ]);
  }

  expr(depth: number, pure = false): string {
    if (depth <= 0 || this.chance(0.25)) {
      const roll = this.r();
      if (roll < 0.55) return this.variable() ?? this.primitiveLiteral();
      if (roll < 0.7) return this.constantRead() ?? this.primitiveLiteral();
      return this.primitiveLiteral();
    }
    const d = depth - 1;
    const roll = this.r();
    if (roll < 0.3) {
      const op = this.pick(["+", "-", "*", "/", "%", "+", "<", ">", "<=", ">=", "===", "!==", "==", "!=", "&", "|", "^", "<<", ">>", ">>>", "&&", "||", "??", "**"]);
      if (op === "**") return `((${this.expr(d, pure)}) ** ${this.pick(["2", "0.5", "(-1)", "3"])})`;
      return `(${this.expr(d, pure)} ${op} ${this.expr(d, pure)})`;
    }
    if (roll < 0.38) return `${this.pick(["-", "+", "!", "~", "typeof ", "void "])}${this.expr(d, pure)}`.replace(/^([-+])([-+])/, "$1 $2");
    if (roll < 0.46) return `(${this.expr(d, pure)} ? ${this.expr(d, pure)} : ${this.expr(d, pure)})`;
    if (roll < 0.58) {
      const unary = ["abs", "floor", "ceil", "round", "sign", "sqrt", "trunc", "fround", "clz32", "exp", "log", "sin"];
      const binary = ["max", "min", "imul", "hypot", "atan2", "pow"];
      return this.chance(0.6)
        ? `Math.${this.pick(unary)}(${this.expr(d, pure)})`
        : `Math.${this.pick(binary)}(${this.expr(d, pure)}, ${this.expr(d, pure)})`;
    }
    if (roll < 0.7) {
      const s = `String(${this.expr(d, pure)})`;
      return this.pick([
        s,
        `${s}.length`,
        `${s}.slice(0, ${this.int(0, 4)})`,
        `${s}.toUpperCase()`,
        `${s}.charCodeAt(${this.int(0, 2)})`,
        `${s}.indexOf(${literal(this.pick(STRINGS))})`,
        `\`<\${${this.expr(d, pure)}}>\``,
        `Number(${this.expr(d, pure)})`,
        `JSON.stringify(${this.expr(d, pure)})`,
        `(${this.expr(d, pure)}).length`,
      ]);
    }
    if (roll < 0.78) return this.constantRead() ?? this.expr(d, pure);
    if (roll < 0.84) return `Array.isArray(${this.expr(d, pure)})`;
    if (roll < 0.9) return `helper(${this.expr(d, pure)}, ${this.expr(d, pure)})`;
    if (!pure) {
      // Side effects inside expressions: order and short-circuiting matter.
      return this.pick([
        `tap(log, ${this.expr(d)})`,
        `(tap(log, ${this.expr(d)}) ${this.pick(["&&", "||", "??", "+"])} tap(log, ${this.expr(d)}))`,
        `(log.push(${this.expr(d)}), ${this.expr(d)})`,
      ]);
    }
    return this.expr(d, pure);
  }

  // ---- statements ----

  private statement(depth: number): void {
    this.statements++;
    const roll = this.r();
    const inLoop = this.loopDepth > 0;
    if (roll < 0.18) return this.declaration();
    if (roll < 0.3) return this.assignment();
    if (roll < 0.42) return this.emit(`log.push(${this.expr(2)});`);
    if (depth <= 0) return this.emit(`log.push(${this.expr(1)});`);
    if (roll < 0.54) return this.ifStatement(depth);
    if (roll < 0.62) return this.switchStatement(depth);
    if (roll < 0.72 && this.loopDepth < 2) return this.forLoop(depth);
    if (roll < 0.78 && this.loopDepth < 2) return this.forOf(depth);
    if (roll < 0.82 && this.loopDepth < 2) return this.forIn(depth);
    if (roll < 0.88 && inLoop) {
      const target = this.labels.length && this.chance(0.4) ? " " + this.pick(this.labels) : "";
      return this.emit(`if (${this.expr(2)}) ${this.pick(["break", "continue"])}${target};`);
    }
    if (roll < 0.9) return this.emit(`if (${this.chance(0.5) ? this.expr(2) : `${this.expr(2)} === ${this.expr(1)}`}) throw new ${this.pick(["Error", "TypeError", "RangeError"])}("boom " + ${this.expr(1)});`);
    if (roll < 0.95) return this.emit(`if (${this.expr(2)}) return ${this.expr(2)};`);
    this.emit(`log.push(${this.expr(2)});`);
  }

  private declaration(): void {
    const name = this.fresh("v");
    const mutable = this.chance(0.5);
    this.emit(`${mutable ? "let" : "const"} ${name} = ${this.expr(3)};`);
    this.scopes[this.scopes.length - 1]!.push({ name, mutable });
  }

  private assignment(): void {
    const targets = this.visible().filter((b) => b.mutable);
    if (!targets.length) return this.declaration();
    const target = this.pick(targets).name;
    if (this.loopDepth > 0) {
      // Inside loops the right side may not mention the target: no exponential growth.
      this.growthGuard = target;
      const op = this.pick(["=", "+=", "-=", "*=", "|=", "??=", "||=", "&&="]);
      this.emit(`${target} ${op} ${this.expr(2)};`);
      this.growthGuard = null;
    } else {
      this.emit(`${target} ${this.pick(["=", "+=", "-=", "*=", "|=", "??="])} ${this.expr(3)};`);
    }
  }

  private body(depth: number, count: number): void {
    for (let i = 0; i < count; i++) this.statement(depth);
  }

  private ifStatement(depth: number): void {
    this.emit(`if (${this.expr(3)}) {`);
    this.block(() => this.body(depth - 1, this.int(1, 3)));
    if (this.chance(0.6)) {
      this.emit(`} else {`);
      this.block(() => this.body(depth - 1, this.int(1, 3)));
    }
    this.emit(`}`);
  }

  private switchStatement(depth: number): void {
    this.emit(`switch (${this.expr(2)}) {`);
    this.indent++;
    const cases = this.int(1, 4);
    for (let i = 0; i < cases; i++) {
      this.emit(`case ${this.chance(0.7) ? this.primitiveLiteral() : this.expr(1, true)}: {`);
      this.block(() => {
        this.body(depth - 1, this.int(0, 2));
        if (this.chance(0.7)) this.emit("break;");
      });
      this.emit("}");
    }
    if (this.chance(0.6)) {
      this.emit("default: {");
      this.block(() => this.body(depth - 1, this.int(0, 2)));
      this.emit("}");
    }
    this.indent--;
    this.emit("}");
  }

  private loop(header: string, binding: string, depth: number): void {
    const label = this.chance(0.3) ? this.fresh("L") : null;
    this.emit(`${label ? label + ": " : ""}${header} {`);
    if (label) this.labels.push(label);
    this.loopDepth++;
    this.block(() => {
      this.scopes[this.scopes.length - 1]!.push({ name: binding, mutable: false });
      this.body(depth - 1, this.int(1, 3));
    });
    this.loopDepth--;
    if (label) this.labels.pop();
    this.emit("}");
  }

  private forLoop(depth: number): void {
    const i = this.fresh("i");
    const bound = this.chance(0.6) ? String(this.int(0, 4)) : `Math.min(4, ${this.expr(2, true)})`;
    this.loop(`for (let ${i} = 0; ${i} < ${bound}; ${i}++)`, i, depth);
  }

  private forOf(depth: number): void {
    const arrays = [...this.constants].filter(([, v]) => Array.isArray(v));
    const x = this.fresh("x");
    const source = arrays.length && this.chance(0.8) ? this.pick(arrays)[0] : `[${this.primitiveLiteral()}, ${this.primitiveLiteral()}]`;
    this.loop(`for (const ${x} of ${source})`, x, depth);
  }

  private forIn(depth: number): void {
    const objects = [...this.constants].filter(([, v]) => v !== null && typeof v === "object");
    const k = this.fresh("k");
    const source = objects.length ? this.pick(objects)[0] : `{ a: ${this.primitiveLiteral()}, b: 1 }`;
    this.loop(`for (const ${k} in ${source})`, k, depth);
  }

  program(params: string[]): string {
    this.scopes.push(params.map((name) => ({ name, mutable: false })));
    this.body(3, this.int(2, 6));
    this.emit(`return ${this.expr(3)};`);
    return `function prog(${[...params, "log"].join(", ")}) {\n${this.out.join("\n")}\n}`;
  }
}

/** A random value of a random kind, for parameters and constants. */
export function randomValue(r: Random, allowBigint = true): unknown {
  const kinds: Kind[] = ["num", "num", "num", "str", "str", "bool", "nullish", "array", "object"];
  const kind = allowBigint && r() < 0.04 ? "bigint" : kinds[Math.floor(r() * kinds.length)]!;
  const pickOf = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  switch (kind) {
    case "num":
      return r() < 0.5 ? pickOf(NUMBERS) : Math.round((r() - 0.5) * 200) / 4;
    case "str":
      return pickOf(STRINGS);
    case "bool":
      return r() < 0.5;
    case "nullish":
      return r() < 0.5 ? null : undefined;
    case "bigint":
      return BigInt(Math.floor(r() * 10) - 3);
    case "array":
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, false)).filter((v) => typeof v !== "object" || v === null);
    case "object": {
      const o: Record<string, unknown> = {};
      for (const key of ["a", "b", "c", "it's", "z"].slice(0, 1 + Math.floor(r() * 4))) o[key] = pickOf([...NUMBERS, ...STRINGS, true, null]);
      return o;
    }
  }
}

/** Builds `count` programs from `seed`. Same seed, same programs. */
export function generatePrograms(seed: number, count: number, inputsPerProgram = 8): RandomProgram[] {
  const programs: RandomProgram[] = [];
  for (let index = 0; index < count; index++) {
    const r = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const paramCount = 1 + Math.floor(r() * 4);
    const params = Array.from({ length: paramCount }, (_, i) => `p${i}`);
    const specialize: Record<string, unknown> = {};
    for (const p of params) {
      if (r() < 0.6) specialize[p] = deepFreeze(randomValue(r));
    }
    const constants = new Map(Object.entries(specialize));
    const source = new Generator(r, constants).program(params);
    const scope = { helper, tap };
    let fn: Function;
    try {
      fn = new Function("helper", "tap", `return ${source}`)(helper, tap) as Function;
    } catch (e) {
      throw new Error(`generator bug: program #${index} of seed ${seed} does not parse (${(e as Error).message}):\n${source}`);
    }
    const inputs: unknown[][] = [];
    for (let k = 0; k < inputsPerProgram; k++) {
      // Half the programs get one input that breaks a guard on purpose: a different value for a specialized parameter.
      const breakGuard = k === inputsPerProgram - 1 && r() < 0.5;
      inputs.push(params.map((p) => (p in specialize && !(breakGuard && r() < 0.7) ? specialize[p] : randomValue(r))));
    }
    programs.push({ index, source, fn, params, specialize, scope, inputs });
  }
  return programs;
}
