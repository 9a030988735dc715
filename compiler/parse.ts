/**
 * Turns a live function into an ESTree FunctionExpression/ArrowFunctionExpression
 * by parsing `fn.toString()` with acorn. Methods, getters and async/generator
 * forms are recognised here so that later stages can refuse them by name.
 */
import * as acorn from "acorn";
import { JitError } from "./jit-error.js";
import type { Node } from "./ast.js";

export interface ParsedFunction {
  /** FunctionExpression or ArrowFunctionExpression (methods are converted to expressions). */
  node: Node;
  source: string;
  name: string;
  kind: "function" | "arrow" | "method";
  /** Whether the function body runs in strict mode. */
  strict: boolean;
  /**
   * Strict by assumption: a method without a "use strict" of its own, whose mode nothing
   * observable tells (no own `caller`, whatever its mode). Called without an object receiver,
   * a sloppy one sees globalThis (or a boxed primitive) as `this` where strict code sees the
   * value itself, so `this` is only trusted on an object.
   */
  strictAssumed?: boolean;
  /**
   * An arrow function or a method without a "use strict" of its own: its mode is its script's,
   * which its text does not show (fn-info.ts reads it from the script, where a body could tell).
   */
  modeFromScript?: boolean;
  /** Its mode was read from its script (fn-info.ts): the same text compiles otherwise in a script of the other mode. */
  modeRead?: boolean;
  /** Parsed with private names allowed (`privateNames`, kos build): the code will sit in its class body. */
  privateNames?: boolean;
}

// The intrinsic, captured when kos loads: a program that patches
// Function.prototype.toString later must not make kos compile other text.
const intrinsicToString = Function.prototype.toString;

const strictOptions: acorn.Options = { ecmaVersion: "latest", sourceType: "script", locations: true, allowReturnOutsideFunction: false };
// acorn checks that every `#x` is declared by an enclosing class; a method's text alone has none.
const permissiveOptions: acorn.Options = { ...strictOptions, checkPrivateFields: false };

function hasUseStrictDirective(node: Node): boolean {
  const body = node.body?.type === "BlockStatement" ? node.body.body : [];
  for (const stmt of body) {
    if (stmt.type !== "ExpressionStatement" || typeof stmt.directive !== "string") break;
    if (stmt.directive === "use strict") return true;
  }
  return false;
}

/** `privateNames`: accept `#x` the enclosing class would declare (kos build places the code in that class). */
export function parseFunction(fn: Function, privateNames = false): ParsedFunction {
  if (typeof fn !== "function") throw new JitError("NOT_A_FUNCTION", `jit() expects a function, got ${fn === null ? "null" : typeof fn}`);
  const source = Reflect.apply(intrinsicToString, fn, []) as string;
  const name = typeof fn.name === "string" ? fn.name : "";
  // Sloppy ordinary functions carry own 'caller'/'arguments' properties in V8.
  return parseFunctionSource(source, name, Object.prototype.hasOwnProperty.call(fn, "caller"), privateNames);
}

/** The function's node, or null where its source does not parse (the option helpers then leave its keys as they are). */
export function functionNodeOrNull(fn: Function): Node | null {
  try {
    return parseFunction(fn).node;
  } catch {
    return null;
  }
}

/** Parses function source text as `fn.toString()` returns it. */
export function parseFunctionSource(source: string, name: string, hasSloppyOwnProps: boolean, privateNames = false): ParsedFunction {
  const parseOptions = privateNames ? permissiveOptions : strictOptions;
  if (/^\s*class\b/.test(source)) throw new JitError("CLASS_CONSTRUCTOR", "class constructors are not compiled");
  if (source.includes("[native code]") && /\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    if (name.startsWith("bound ")) throw new JitError("BOUND_FUNCTION", `bound function '${name}' has no source to compile`);
    throw new JitError("NATIVE_FUNCTION", `native function '${name || "anonymous"}' has no source to compile`);
  }

  let parsed: { node: Node | null; kind: ParsedFunction["kind"] };
  try {
    parsed = parseText(source, parseOptions);
  } catch (err) {
    // A class method reading `this.#x`: acorn wants the class that declares it. Parsed without that
    // check, a read of a known receiver's private field may still fold (the evaluator decides, and
    // names the line where it cannot: generated code outside the class cannot reach `#x`).
    if (privateNames || !isUndeclaredPrivate(err)) throw err;
    parsed = parseText(source, permissiveOptions);
    if (parsed.node) checkPrivateUses(parsed.node);
  }
  const { node, kind } = parsed;
  if (!node || (node.type !== "FunctionExpression" && node.type !== "ArrowFunctionExpression")) {
    throw new JitError("PARSE_ERROR", "the function source did not parse as a function");
  }
  if (privateNames) checkPrivateUses(node);
  if (node.generator) throw new JitError("GENERATOR", "generator functions are not compiled", node.loc?.start.line ?? null);
  if (node.async) throw new JitError("ASYNC_FUNCTION", "async functions are not compiled", node.loc?.start.line ?? null);

  // Strict functions, arrows and methods have no own 'caller'. Arrows and methods inherit the mode
  // of the code around them, which their text does not show: strict here, and read from their
  // script where their body could tell the difference (fn-info.ts, modeFromScript). A method's
  // `this` is only trusted on an object receiver (strictAssumed).
  const sloppyByOwnProps = kind === "function" && hasSloppyOwnProps;
  const directive = hasUseStrictDirective(node);
  const strict = directive || !sloppyByOwnProps;
  const strictAssumed = kind === "method" && !directive;
  const modeFromScript = kind !== "function" && !directive;
  return { node, source, name, kind, strict, ...(strictAssumed ? { strictAssumed } : {}), ...(modeFromScript ? { modeFromScript } : {}), ...(privateNames ? { privateNames: true } : {}) };
}

const isUndeclaredPrivate = (err: unknown): boolean => err instanceof JitError && err.code === "USES_PRIVATE_NAME";

/** The function or method node of `fn.toString()` text; throws JitError (PARSE_ERROR, USES_PRIVATE_NAME). */
function parseText(source: string, parseOptions: acorn.Options): { node: Node | null; kind: ParsedFunction["kind"] } {
  try {
    // Function declarations/expressions and arrows parse as an expression.
    const expr: Node = acorn.parseExpressionAt(`(${source})`, 0, parseOptions);
    return { node: expr, kind: expr.type === "ArrowFunctionExpression" ? "arrow" : "function" };
  } catch (first) {
    // Methods (`foo() {}`, `get x() {}`, `async *[k]() {}`) only parse inside an object literal.
    try {
      const obj: Node = acorn.parseExpressionAt(`({${source}})`, 0, parseOptions);
      const prop = obj.properties?.[0];
      if (prop && (prop.method || prop.kind === "get" || prop.kind === "set")) return { node: prop.value, kind: "method" };
      return { node: null, kind: "function" };
    } catch (err) {
      const loc = (err as { loc?: { line: number } }).loc;
      // A private method's own text (`#run(x) { … }`, reached through `this.#run.bind(this)`).
      const privateMethod = /^(?:static\s+)?(?:async\s*)?(?:\*\s*)?(?:get\s+|set\s+)?(#[\w$]+)\s*\(/.exec(source);
      if (privateMethod) {
        throw new JitError("USES_PRIVATE_NAME", `the function is the private method ${privateMethod[1]}, which generated code outside its class cannot define or call`, 1, { cause: err });
      }
      // `#x in o` (a brand check) outside a class body is only "Unexpected token" to acorn, at the `#`.
      const at = (e: unknown, offset: number) => typeof (e as { pos?: unknown }).pos === "number" && source[(e as { pos: number }).pos - offset] === "#";
      const atHash = at(first, 1) || at(err, 2);
      if (atHash || /Private field '#[^']*' must be declared/.test((err as Error).message)) {
        throw new JitError("USES_PRIVATE_NAME", "the method uses private class members (#names), which generated code outside the class cannot reach", loc?.line ?? null, { cause: err });
      }
      throw new JitError("PARSE_ERROR", `acorn could not parse the function source: ${(err as Error).message}`, loc?.line ?? null, { cause: err });
    }
  }
}

/**
 * With `privateNames`, the forms of `#x` the evaluator keeps residual (specialize/private-names.ts):
 * `o.#x` read, assigned (`=`, `+=`, …) or updated (`++`), and `#x in o`. Anything else (a private
 * method call, an optional chain, a destructuring or for-of target, a class declared inside that
 * declares its own `#names`) refuses with USES_PRIVATE_NAME and its line.
 */
function checkPrivateUses(root: Node): void {
  /** A destructuring target: a private member there refuses. */
  const target = (n: Node | null): void => {
    if (!n) return;
    switch (n.type) {
      case "MemberExpression":
        if (n.property.type === "PrivateIdentifier") throw new JitError("USES_PRIVATE_NAME", `a private member as a destructuring target (#${n.property.name as string})`, n.loc?.start.line ?? null);
        visit(n, null, false);
        return;
      case "ArrayPattern": for (const e of n.elements) target(e); return;
      case "ObjectPattern": for (const p of n.properties) { if (p.type === "RestElement") target(p.argument); else { if (p.computed) visit(p.key, p, false); target(p.value); } } return;
      case "RestElement": target(n.argument); return;
      case "AssignmentPattern": target(n.left); visit(n.right, n, false); return;
      default: visit(n, null, false);
    }
  };
  const visit = (n: Node, parent: Node | null, inChain: boolean): void => {
    if (!n || typeof n.type !== "string") return;
    if (n.type === "AssignmentExpression" && n.left.type !== "MemberExpression" && n.left.type !== "Identifier") { target(n.left); visit(n.right, n, inChain); return; }
    if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && n.left.type !== "VariableDeclaration") {
      if (n.left.type === "MemberExpression" && n.left.property.type === "PrivateIdentifier") throw new JitError("USES_PRIVATE_NAME", `a private member as a for-in/of target (#${n.left.property.name as string})`, n.left.loc?.start.line ?? null);
      target(n.left); visit(n.right, n, false); visit(n.body, n, false); return;
    }
    if (n.type === "VariableDeclarator" || n.type === "CatchClause" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") {
      // Binding patterns hold identifiers, not members; defaults and computed keys are expressions.
      for (const key of Object.keys(n)) {
        if (key === "loc" || key === "start" || key === "end" || key === "type") continue;
        const v = n[key];
        if (Array.isArray(v)) for (const c of v) visit(c, n, false);
        else if (v && typeof v === "object" && typeof v.type === "string") visit(v, n, false);
      }
      return;
    }
    if (n.type === "PrivateIdentifier") {
      const line = n.loc?.start.line ?? null;
      const refuse = (what: string) => { throw new JitError("USES_PRIVATE_NAME", `${what} (#${n.name as string})`, line); };
      if (parent?.type === "BinaryExpression" && parent.operator === "in" && parent.left === n) return;
      if (parent?.type !== "MemberExpression" || parent.property !== n) refuse("a class inside the function declares private names");
      if (inChain) refuse("a private name in an optional chain");
      return;
    }
    if (n.type === "MemberExpression" && n.property?.type === "PrivateIdentifier" && parent) {
      const line = n.loc?.start.line ?? null;
      const refuse = (what: string) => { throw new JitError("USES_PRIVATE_NAME", `${what} (#${n.property.name as string})`, line); };
      if ((parent.type === "CallExpression" || parent.type === "NewExpression") && parent.callee === n) refuse("the function calls a private method");
      if (parent.type === "TaggedTemplateExpression" && parent.tag === n) refuse("a private method as a template tag");
    }
    const chain = inChain || n.type === "ChainExpression";
    for (const key of Object.keys(n)) {
      if (key === "loc" || key === "start" || key === "end" || key === "type") continue;
      const v = n[key];
      if (Array.isArray(v)) for (const c of v) visit(c, n, chain);
      else if (v && typeof v === "object" && typeof v.type === "string") visit(v, n, chain);
    }
  };
  visit(root, null, false);
}

/** Gives every function a block body (`x => e` becomes `x => { return e; }`) so passes see one shape. */
export function normalizeBody(node: Node): Node {
  if (node.body.type !== "BlockStatement") {
    node.body = { type: "BlockStatement", body: [{ type: "ReturnStatement", argument: node.body }] };
    node.expression = false;
  }
  return node;
}
