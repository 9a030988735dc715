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
}

// The intrinsic, captured when kos loads: a program that patches
// Function.prototype.toString later must not make kos compile other text.
const intrinsicToString = Function.prototype.toString;

const parseOptions: acorn.Options = { ecmaVersion: "latest", sourceType: "script", locations: true, allowReturnOutsideFunction: false };

function hasUseStrictDirective(node: Node): boolean {
  const body = node.body?.type === "BlockStatement" ? node.body.body : [];
  for (const stmt of body) {
    if (stmt.type !== "ExpressionStatement" || typeof stmt.directive !== "string") break;
    if (stmt.directive === "use strict") return true;
  }
  return false;
}

export function parseFunction(fn: Function): ParsedFunction {
  if (typeof fn !== "function") throw new JitError("NOT_A_FUNCTION", `jit() expects a function, got ${fn === null ? "null" : typeof fn}`);
  const source = Reflect.apply(intrinsicToString, fn, []) as string;
  const name = typeof fn.name === "string" ? fn.name : "";
  // Sloppy ordinary functions carry own 'caller'/'arguments' properties in V8.
  return parseFunctionSource(source, name, Object.prototype.hasOwnProperty.call(fn, "caller"));
}

/** Parses function source text as `fn.toString()` returns it. */
export function parseFunctionSource(source: string, name: string, hasSloppyOwnProps: boolean): ParsedFunction {
  if (/^\s*class\b/.test(source)) throw new JitError("CLASS_CONSTRUCTOR", "class constructors are not compiled");
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    if (name.startsWith("bound ")) throw new JitError("BOUND_FUNCTION", `bound function '${name}' has no source to compile`);
    throw new JitError("NATIVE_FUNCTION", `native function '${name || "anonymous"}' has no source to compile`);
  }

  let node: Node | null = null;
  let kind: ParsedFunction["kind"] = "function";
  try {
    // Function declarations/expressions and arrows parse as an expression.
    const expr: Node = acorn.parseExpressionAt(`(${source})`, 0, parseOptions);
    node = expr;
    kind = expr.type === "ArrowFunctionExpression" ? "arrow" : "function";
  } catch {
    // Methods (`foo() {}`, `get x() {}`, `async *[k]() {}`) only parse inside an object literal.
    try {
      const obj: Node = acorn.parseExpressionAt(`({${source}})`, 0, parseOptions);
      const prop = obj.properties?.[0];
      if (prop && (prop.method || prop.kind === "get" || prop.kind === "set")) {
        node = prop.value;
        kind = "method";
      }
    } catch (err) {
      const loc = (err as { loc?: { line: number } }).loc;
      // A class method reading `this.#x`: only code inside the class body can reach private names.
      if (/Private field '#[^']*' must be declared/.test((err as Error).message)) {
        throw new JitError("USES_PRIVATE_NAME", "the method uses private class members (#names), which generated code outside the class cannot reach", loc?.line ?? null, { cause: err });
      }
      throw new JitError("PARSE_ERROR", `acorn could not parse the function source: ${(err as Error).message}`, loc?.line ?? null, { cause: err });
    }
  }
  if (!node || (node.type !== "FunctionExpression" && node.type !== "ArrowFunctionExpression")) {
    throw new JitError("PARSE_ERROR", "the function source did not parse as a function");
  }
  if (node.generator) throw new JitError("GENERATOR", "generator functions are not compiled", node.loc?.start.line ?? null);
  if (node.async) throw new JitError("ASYNC_FUNCTION", "async functions are not compiled", node.loc?.start.line ?? null);

  // Strict functions, arrows and methods have no own 'caller'. Arrows and methods inherit
  // strictness we cannot observe: they are compiled as strict code (the only
  // difference that remains after kos's fallbacks is that a write to a
  // read-only property throws instead of being ignored: loud, never silent).
  const sloppyByOwnProps = kind === "function" && hasSloppyOwnProps;
  const strict = hasUseStrictDirective(node) || !sloppyByOwnProps;
  return { node, source, name, kind, strict };
}

/** Gives every function a block body (`x => e` becomes `x => { return e; }`) so passes see one shape. */
export function normalizeBody(node: Node): Node {
  if (node.body.type !== "BlockStatement") {
    node.body = { type: "BlockStatement", body: [{ type: "ReturnStatement", argument: node.body }] };
    node.expression = false;
  }
  return node;
}
