/**
 * Puts optimized functions into a module's emitted JS without disturbing
 * anything tsc wrote: code is only appended (before the source-map comment),
 * replaced by text of the same length with the same line breaks, or (for a
 * class method that uses private names, method-install.ts) added on one line
 * after the `{` that ends a class's first line. So the `.d.ts` files are
 * untouched and the source maps still map every original token to the
 * TypeScript.
 *
 * - A function declaration `function f` stays the object the module made,
 *   turned into a forwarder to the optimized version; its original body,
 *   renamed, is the fallback (function-install.ts).
 * - `const f = (...) => ...` becomes `let   f = ...` (same length) so that
 *   the same reassignment is allowed.
 * - A class method is assigned over at the end of the module
 *   (`C.prototype.m = ...`, method-install.ts), the original being its fallback.
 * - A `jit(fn, {...})` call site is replaced by a call to a hoisted
 *   function that builds the prebuilt specialization once: no compile at
 *   run time, and no `new Function`.
 */
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { underCondition } from "./build-time-values.js";
import { commentText } from "./literal.js";
import { declarationPlaces, type DeclarationPlace } from "./function-install.js";

/** The compiled function wrapped so its free names are bound: an expression. */
export interface BoundFunction {
  /** `(function (generic, deopt, ...refs) { return (<source>); })(<generic expr>, function () {}, ...)` */
  expression: string;
}

/**
 * Binds the compiler's free names: `genericName` to `genericExpr`, `deoptName`
 * to a no-op, and each extra reference to the given expression text.
 */
export function bindFunction(source: string, genericName: string, deoptName: string, genericExpr: string, refs: Array<{ name: string; expr: string }>): BoundFunction {
  const params = [genericName, deoptName, ...refs.map((r) => r.name)].join(", ");
  const args = [genericExpr, "function () {}", ...refs.map((r) => r.expr)].join(", ");
  return { expression: `(function (${params}) { return (${source}); })(${args})` };
}

/**
 * Why generated code is unusable in the output (not an expression, or it reaches eval/Function), or null.
 * `privateNames`: the code goes inside its class body, whose `#names` it may use (the whole module is parsed again after splicing).
 */
export function checkGeneratedExpression(expression: string, privateNames = false): string | null {
  let ast: acorn.Expression;
  try {
    ast = acorn.parseExpressionAt(expression, 0, { ecmaVersion: "latest", sourceType: "module", checkPrivateFields: !privateNames }) as acorn.Expression;
    if (ast.end !== expression.length) return "the compiler's output is not a single expression";
  } catch (e) {
    return `the compiler's output does not parse: ${(e as Error).message}`;
  }
  let bad: string | null = null;
  walk.full(ast, (n) => {
    if (n.type === "Identifier" && ((n as acorn.Identifier).name === "eval" || (n as acorn.Identifier).name === "Function")) bad = (n as acorn.Identifier).name;
  });
  return bad ? `the generated code refers to \`${bad}\`, which the output must not use` : null;
}

/** A same-length edit of the emitted JS. */
export interface Edit { start: number; end: number; text: string }

/** Top-level declarations and jit call sites located in emitted JS. */
export interface JsIndex {
  /** Start offset of the `const` keyword of the declaration binding `name`. */
  constKeywordOf(name: string): number | null;
  /** Whether `name` is a top-level function declaration. */
  isFunctionDeclaration(name: string): boolean;
  /** Where the top-level (not async, not generator) function declaration `name` sits, or null. */
  declaration(name: string): DeclarationPlace | null;
  /** Calls to `callee` in source order: [start, end, first argument name]. */
  callsTo(callee: string): Array<{ start: number; end: number; firstArg: string | null }>;
}

/** Parses emitted JS once for locating what to edit. */
export function indexJs(js: string, esm: boolean): JsIndex {
  const program = acorn.parse(js, { ecmaVersion: "latest", sourceType: esm ? "module" : "script", allowHashBang: true, allowReturnOutsideFunction: !esm });
  const consts = new Map<string, number>();
  const fns = new Set<string>();
  let places: Map<string, DeclarationPlace> | undefined;
  for (const st of program.body) {
    const decl = st.type === "ExportNamedDeclaration" || st.type === "ExportDefaultDeclaration" ? (st as acorn.ExportNamedDeclaration).declaration : st;
    if (!decl) continue;
    if (decl.type === "FunctionDeclaration" && decl.id) fns.add(decl.id.name);
    if (decl.type === "VariableDeclaration" && decl.kind === "const") {
      for (const d of decl.declarations) if (d.id.type === "Identifier") consts.set(d.id.name, decl.start);
    }
  }
  return {
    constKeywordOf: (name) => consts.get(name) ?? null,
    isFunctionDeclaration: (name) => fns.has(name),
    declaration: (name) => (places ??= declarationPlaces(program)).get(name) ?? null,
    callsTo(callee) {
      const calls: Array<{ start: number; end: number; firstArg: string | null }> = [];
      walk.simple(program, {
        CallExpression(n) {
          const c = n as acorn.CallExpression;
          if (c.callee.type === "Identifier" && c.callee.name === callee) {
            const a = c.arguments[0];
            calls.push({ start: c.start, end: c.end, firstArg: a && a.type === "Identifier" ? a.name : null });
          }
        },
      });
      return calls.sort((a, b) => a.start - b.start);
    },
  };
}

/** Replaces `[start, end)` with `text` padded by spaces, keeping every line break where it was. */
export function sameLengthEdit(js: string, start: number, end: number, text: string): Edit {
  const original = js.slice(start, end);
  const firstBreak = original.search(/[\r\n\u2028\u2029]/);
  const firstLineLen = firstBreak < 0 ? original.length : firstBreak;
  const head = text.length <= firstLineLen ? text + " ".repeat(firstLineLen - text.length) : text;
  const rest = firstBreak < 0 ? "" : original.slice(firstBreak).replace(/[^\r\n\u2028\u2029]/g, " ");
  return { start, end, text: head + rest };
}

/** Applies non-overlapping edits. */
export function applyEdits(js: string, edits: Edit[]): string {
  let out = js;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * The trailer lines that install an optimized `const f = (…) => …` (made `let`): a new function,
 * given the original's `length` (`lengthLine`, method-install.ts) when the compiled one's differs.
 */
export function installFunction(opts: { name: string; optimizedName: string; bound: BoundFunction; esm: boolean; exported: boolean; defaultExport: boolean; note: string; freeze: string[]; lengthLine: string | null; condition: string | null }): string {
  const lines: string[] = [];
  lines.push(`const ${opts.optimizedName} = ${opts.bound.expression};`);
  if (opts.lengthLine) lines.push(opts.lengthLine);
  lines.push(`${opts.name} = ${opts.optimizedName};`);
  if (!opts.esm && opts.exported) lines.push(opts.defaultExport ? `exports.default = ${opts.name};` : `exports.${opts.name} = ${opts.name};`);
  for (const f of opts.freeze) lines.push(`Object.freeze(${f});`);
  return [`/* kos build: ${commentText(opts.note)} */`, ...underCondition(opts.condition, lines)].join("\n") + "\n";
}

/** The hoisted factory a jit() call site is replaced by; it freezes what the code folded, then builds the function once. */
export function callSiteFactory(opts: { factoryName: string; bound: BoundFunction; note: string; freeze: string[]; condition: string | null; generic: string }): string {
  const cell = `${opts.factoryName}$fn`;
  const freeze = opts.freeze.map((f) => `Object.freeze(${f}); `).join("");
  // A module value the code folded differs from the build's (build-time-values.ts): the plain function, which jit() runs as.
  const check = opts.condition === null ? "" : `if (!${opts.condition}) return ${opts.generic}; `;
  return [
    `/* kos build: ${commentText(opts.note)} */`,
    `function ${opts.factoryName}() { if (${cell} === undefined) { ${check}${freeze}${cell} = ${opts.bound.expression}; } return ${cell}; }`,
    `var ${cell};`,
  ].join("\n") + "\n";
}
