/**
 * Finds a function in a script by the position V8 reports for it, and returns
 * the exact text `fn.toString()` would give, so sampled profiles can be joined
 * with live functions by a content hash.
 *
 * Positions checked empirically on Node 20 (`--cpu-prof`, the inspector
 * Profiler and 0x's v8 log all agree; test/profiler/function-source.test.ts):
 * V8 reports the start of the parameter list: the `(` for declarations,
 * expressions, methods, accessors and class constructors; the parameter for
 * an unparenthesized arrow `n => ...`; the `async` keyword for `async n => ...`.
 * Every one of these lies in the function's head, between acorn's
 * `node.start` and `node.body.start`, which is what {@link functionAt} matches.
 *
 * `fn.toString()` text (also checked): declarations/expressions/arrows from
 * their first token (`async`, `function`, the parameter); methods from the
 * method definition's first token after `static` (so `async`, `*`, `get`,
 * a computed `[` are kept); a class constructor prints its whole class.
 */
import * as acorn from "acorn";
import * as walk from "acorn-walk";

/** One function found in a script. Offsets are UTF-16 indexes into the source. */
export interface SourceFunction {
  /** Best-effort name (declared id, method key, or variable it is assigned to). */
  name: string;
  /** The offset V8 reports for this function (see the file comment). */
  position: number;
  /** Where V8's head region starts and the body starts: V8's position lies in [headStart, bodyStart). */
  headStart: number;
  bodyStart: number;
  /** The slice `fn.toString()` returns. */
  textStart: number;
  textEnd: number;
  /** 1-based line range of the function's own node, used for positionTicks attribution. */
  startLine: number;
  endLine: number;
}

const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;

/** Offsets of the start of every line (V8 and acorn agree on the terminators). */
export function lineStarts(source: string): number[] {
  const starts = [0];
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(source); m; m = LINE_BREAK.exec(source)) starts.push(m.index + m[0].length);
  return starts;
}

/** Converts a 0-based (line, column) to an offset; undefined when out of range. */
export function offsetOf(starts: number[], line0: number, column0: number): number | undefined {
  if (line0 < 0 || line0 >= starts.length || column0 < 0) return undefined;
  return starts[line0]! + column0;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function parse(source: string): acorn.Program | undefined {
  const base = { ecmaVersion: "latest" as const, allowHashBang: true, locations: false };
  try {
    return acorn.parse(source, { ...base, sourceType: "module", allowAwaitOutsideFunction: true });
  } catch {
    try {
      return acorn.parse(source, { ...base, sourceType: "script", allowReturnOutsideFunction: true });
    } catch {
      return undefined;
    }
  }
}

type AnyNode = acorn.Node & Record<string, any>;

function keyName(key: AnyNode | undefined, computed: boolean): string {
  if (!key || computed) return "";
  if (key.type === "Identifier") return key.name;
  if (key.type === "PrivateIdentifier") return `#${key.name}`;
  if (key.type === "Literal") return String(key.value);
  return "";
}

/** Offset of the first `(` token at or after `from` (tokens, so comments cannot fool it). */
function parenAfter(source: string, from: number, limit: number): number | undefined {
  try {
    const tokens = acorn.tokenizer(source.slice(from, limit), { ecmaVersion: "latest" });
    for (let t = tokens.getToken(); t.type !== acorn.tokTypes.eof; t = tokens.getToken()) {
      if (t.type === acorn.tokTypes.parenL) return from + t.start;
    }
  } catch {
    /* fall through */
  }
  return undefined;
}

/** Start of the token after a leading `static` keyword (V8 drops `static` from toString()). */
function skipStatic(source: string, start: number, end: number): number {
  // Up to the method's end, not the script's: a copy of the rest of the script per static method was
  // quadratic in a large class.
  const tokens = acorn.tokenizer(source.slice(start, end), { ecmaVersion: "latest" });
  const first = tokens.getToken();
  if (first.type.label === "name" && (first as unknown as { value: unknown }).value === "static") {
    const second = tokens.getToken();
    if (second.type.label !== "(" && second.type.label !== "=") return start + second.start;
  }
  return start;
}

function describe(source: string, starts: number[], fn: AnyNode, ancestors: AnyNode[]): SourceFunction {
  const parent = ancestors[ancestors.length - 2];
  let textStart = fn.start;
  let textEnd = fn.end;
  let name = fn.id?.name ?? "";
  if (parent?.type === "MethodDefinition" && parent.value === fn) {
    name = keyName(parent.key, parent.computed);
    if (parent.kind === "constructor") {
      const cls = ancestors[ancestors.length - 4];
      if (cls) {
        textStart = cls.start;
        textEnd = cls.end;
        name = cls.id?.name ?? name;
      }
    } else {
      textStart = parent.static ? skipStatic(source, parent.start, parent.end) : parent.start;
    }
  } else if (parent?.type === "Property" && parent.value === fn && (parent.method || parent.kind !== "init")) {
    name = keyName(parent.key, parent.computed);
    textStart = parent.start;
  } else if (!name && parent?.type === "VariableDeclarator" && parent.id?.type === "Identifier") {
    name = parent.id.name;
  } else if (!name && parent?.type === "Property") {
    name = keyName(parent.key, parent.computed);
  } else if (!name && parent?.type === "PropertyDefinition") {
    name = keyName(parent.key, parent.computed);
  } else if (!name && parent?.type === "AssignmentExpression" && parent.left?.type === "Identifier") {
    name = parent.left.name;
  }
  // V8 names accessors "get x" / "set x".
  if ((parent?.kind === "get" || parent?.kind === "set") && parent.value === fn && name) name = `${parent.kind} ${name}`;
  const isMethod = (parent?.type === "MethodDefinition" || (parent?.type === "Property" && (parent.method || parent.kind !== "init"))) && parent.value === fn;
  // Arrows: their first token (`(`, the bare parameter, or `async`); methods: acorn starts them at `(`;
  // declarations and expressions: the `(` after the name.
  const position = fn.type === "ArrowFunctionExpression" || isMethod ? fn.start : (parenAfter(source, fn.id ? fn.id.end : fn.start, fn.body.start) ?? fn.start);
  return {
    name,
    position,
    headStart: Math.min(fn.start, textStart),
    bodyStart: fn.body.start,
    textStart,
    textEnd,
    startLine: lineOf(starts, textStart),
    endLine: lineOf(starts, textEnd - 1),
  };
}

/** A parsed script: its functions and line table. Parse once, query many times. */
export interface ScriptFunctions {
  source: string;
  starts: number[];
  functions: SourceFunction[];
  /** The script's top-level code, which V8 reports as an anonymous function at 0:0. */
  program: SourceFunction;
}

const cache = new Map<string, ScriptFunctions | undefined>();

/**
 * Parses `source` with acorn (module first, then script) and lists every
 * function. Returns undefined when the source does not parse (e.g. it is
 * TypeScript or uses syntax acorn does not know). Results are cached by text.
 */
export function scriptFunctions(source: string): ScriptFunctions | undefined {
  if (cache.has(source)) return cache.get(source);
  const ast = parse(source);
  if (!ast) {
    remember(source, undefined);
    return undefined;
  }
  const starts = lineStarts(source);
  const functions: SourceFunction[] = [];
  walk.ancestor(ast, {
    Function(node, _state, ancestors) {
      functions.push(describe(source, starts, node as AnyNode, ancestors as AnyNode[]));
    },
  } as walk.AncestorVisitors<unknown>);
  return remember(source, assemble(source, starts, functions));
}

function assemble(source: string, starts: number[], functions: SourceFunction[]): ScriptFunctions {
  const program: SourceFunction = { name: "", position: 0, headStart: 0, bodyStart: 0, textStart: 0, textEnd: source.length, startLine: 1, endLine: starts.length };
  return { source, starts, functions, program };
}

function remember<T extends ScriptFunctions | undefined>(source: string, result: T): T {
  if (cache.size > 64) cache.clear();
  cache.set(source, result);
  return result;
}

/** What {@link scriptFunctions} holds for `source` already, without parsing: undefined when it has not parsed it. */
export function parsedScriptFunctions(source: string): ScriptFunctions | undefined {
  return cache.get(source) ?? undefined;
}

/** Installs a parse kept elsewhere (profiler/script-cache.ts) as {@link scriptFunctions}'s result for `source`. */
export function seedScriptFunctions(source: string, functions: SourceFunction[]): ScriptFunctions {
  return remember(source, assemble(source, lineStarts(source), functions));
}

/**
 * The function whose head contains the V8-reported position (0-based line and
 * column, as in `.cpuprofile` call frames). Innermost wins, for functions in
 * default parameter values.
 */
export function functionAt(script: ScriptFunctions, line0: number, column0: number): SourceFunction | undefined {
  const offset = offsetOf(script.starts, line0, column0);
  if (offset === undefined) return undefined;
  return functionAtOffset(script, offset);
}

/** As {@link functionAt}, with a source offset (0x's `source.start`). */
export function functionAtOffset(script: ScriptFunctions, offset: number): SourceFunction | undefined {
  let best: SourceFunction | undefined;
  for (const f of script.functions) {
    if (offset >= f.headStart && offset < f.bodyStart) {
      if (!best || f.headStart >= best.headStart) best = f;
    }
  }
  return best;
}

/** The exact `fn.toString()` text of the function V8 reports at (line0, column0), if found. */
export function functionTextAt(source: string, line0: number, column0: number): string | undefined {
  const script = scriptFunctions(source);
  const f = script && functionAt(script, line0, column0);
  return f ? source.slice(f.textStart, f.textEnd) : undefined;
}
