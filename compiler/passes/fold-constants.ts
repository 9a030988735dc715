/**
 * Constant folding: operators on known primitives, reads of known objects
 * (see values.ts for when a read may be folded), whitelisted pure built-ins
 * with constant arguments, template literals, `typeof` of parameters with a
 * type assumption, and destructuring of known objects. Anything whose
 * evaluation throws is left in place to throw at run time.
 */
import { childPath, constantValue, isConst, isConstant, makeConst, mapChildren, type Node, type KosConstNode } from "../ast.js";
import { analyzeScopes, type ScopeInfo } from "../analyze/scopes.js";
import { isBooleanValued } from "./conditional-returns.js";
import { OBJECT_READERS, PURE_ARRAY_METHODS, PURE_FUNCTIONS, PURE_NUMBER_METHODS, PURE_STRING_METHODS } from "../builtins.js";
import { isFrozenPlainData, isPrimitive, isTypedArray, readKnownProperty } from "../values.js";
import { scopesOf, type CompileContext } from "../context.js";
import type { TypeAssumption } from "../types.js";

/** Folded strings longer than this stay as run-time operations: code size matters too. */
const MAX_FOLDED_STRING = 4096;

export function evalUnary(op: string, v: unknown): { ok: boolean; value?: unknown } {
  try {
    switch (op) {
      case "typeof": return { ok: true, value: typeof v };
      case "!": return { ok: true, value: !v };
      case "void": return { ok: true, value: undefined };
    }
    if (!isPrimitive(v)) return { ok: false };
    switch (op) {
      case "-": return { ok: true, value: -(v as number) };
      case "+": return { ok: true, value: +(v as number) };
      case "~": return { ok: true, value: ~(v as number) };
    }
  } catch {
    /* throws at run time too: leave it */
  }
  return { ok: false };
}

export function evalBinary(op: string, a: unknown, b: unknown): { ok: boolean; value?: unknown } {
  if (op === "===") return { ok: true, value: a === b };
  if (op === "!==") return { ok: true, value: a !== b };
  if (!isPrimitive(a) || !isPrimitive(b)) return { ok: false };
  const x = a as any, y = b as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    let value: unknown;
    switch (op) {
      case "+": value = x + y; break;
      case "-": value = x - y; break;
      case "*": value = x * y; break;
      case "/": value = x / y; break;
      case "%": value = x % y; break;
      case "**": value = x ** y; break;
      case "==": value = x == y; break; // eslint-disable-line eqeqeq
      case "!=": value = x != y; break; // eslint-disable-line eqeqeq
      case "<": value = x < y; break;
      case "<=": value = x <= y; break;
      case ">": value = x > y; break;
      case ">=": value = x >= y; break;
      case "<<": value = x << y; break;
      case ">>": value = x >> y; break;
      case ">>>": value = x >>> y; break;
      case "&": value = x & y; break;
      case "|": value = x | y; break;
      case "^": value = x ^ y; break;
      default: return { ok: false };
    }
    if (typeof value === "string" && value.length > MAX_FOLDED_STRING) return { ok: false };
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

/**
 * Arrays the folder built itself (results of Object.keys, split, slice…). The
 * original code builds a new one at each evaluation, so emit.ts writes them as
 * array literals rather than sharing one; kos freezes them so reads fold.
 */
export const freshArrays = new WeakSet<object>();
function markFresh<T extends unknown[]>(array: T): T {
  freshArrays.add(array);
  return Object.freeze(array) as T;
}

const typeofAssumption = (a: TypeAssumption): string =>
  a === "array" || a === "object" || a.startsWith("typedarray:") ? "object" : a;

export function foldConstants(ctx: CompileContext): void {
  const scopes = scopesOf(ctx);
  const folder = new Folder(ctx, scopes);
  ctx.root.body = folder.expr(ctx.root.body);
  if (folder.changed) ctx.changed = true;
}

class Folder {
  changed = false;
  constructor(private ctx: CompileContext, private scopes: ScopeInfo) {}

  private constant(value: unknown, path: KosConstNode["path"] = null, fresh = false): Node {
    this.changed = true;
    return makeConst(value, path, fresh);
  }

  /** Folds a node and everything under it (post-order). */
  expr = (node: Node): Node => {
    if (!node || typeof node.type !== "string") return node;
    switch (node.type) {
      case "AssignmentExpression":
        node.left = this.target(node.left);
        node.right = this.expr(node.right);
        return node;
      case "UpdateExpression":
        node.argument = this.target(node.argument);
        return node;
      case "ForInStatement":
      case "ForOfStatement":
        node.left = node.left.type === "VariableDeclaration" ? node.left : this.target(node.left);
        node.right = this.expr(node.right);
        node.body = this.expr(node.body);
        return node;
      case "VariableDeclaration":
        node.declarations = node.declarations.flatMap((d: Node) => this.declarator(d, node.kind));
        return node;
      case "UnaryExpression":
        if (node.operator === "delete") {
          node.argument = this.target(node.argument);
          return node;
        }
        break;
      case "Property":
        if (node.computed) node.key = this.expr(node.key);
        node.value = this.expr(node.value);
        return node;
      case "MemberExpression":
        node.object = this.expr(node.object);
        if (node.computed) node.property = this.expr(node.property);
        return this.member(node);
      case "KosConst":
      case "Literal":
      case "Identifier":
        return node;
    }
    mapChildren(node, this.expr);
    switch (node.type) {
      case "UnaryExpression": return this.unary(node);
      case "BinaryExpression": return this.binary(node);
      case "CallExpression": return this.callExpr(node);
      case "TemplateLiteral": return this.template(node);
      case "ChainExpression": return isConstant(node.expression) ? node.expression : node;
      case "SequenceExpression": return this.sequence(node);
      case "LogicalExpression":
        // `b && true` and `b || false` are `b` when b is a boolean.
        if (isConstant(node.right) && isBooleanValued(node.left) && constantValue(node.right) === (node.operator === "&&")) {
          this.changed = true;
          return node.left;
        }
        return node;
    }
    return node;
  };

  /** An assignment target: fold inside it, never the target itself. */
  private target = (node: Node): Node => {
    if (node.type === "MemberExpression") {
      node.object = this.expr(node.object);
      if (node.computed) node.property = this.expr(node.property);
    } else if (node.type !== "Identifier") {
      mapChildren(node, (c, key) => (key === "right" || (key === "key" && node.computed) ? this.expr(c) : this.target(c)));
    }
    return node;
  };

  private declarator(d: Node, kind: string): Node[] {
    if (d.init) d.init = this.expr(d.init);
    if (d.id.type !== "Identifier") d.id = this.target(d.id);
    const expanded = isConst(d.init) ? this.destructure(d.id, d.init, kind) : null;
    if (expanded) {
      this.changed = true;
      return expanded;
    }
    return [d];
  }

  /** `const { a, b: c } = K` / `const [x, y] = K` with K known → one declarator per name. */
  private destructure(pattern: Node, init: KosConstNode, _kind: string): Node[] | null {
    const policy = this.ctx.shared.freeze;
    const out: Node[] = [];
    const bind = (target: Node, value: unknown, path: KosConstNode["path"]): boolean => {
      let node: Node = target;
      let valueNode: Node = makeConst(value, path, !!init.fresh && !isPrimitive(value));
      if (node.type === "AssignmentPattern") {
        if (value === undefined) valueNode = node.right;
        node = node.left;
      }
      if (node.type !== "Identifier") return false;
      out.push({ type: "VariableDeclarator", id: node, init: valueNode });
      return true;
    };
    if (pattern.type === "ObjectPattern") {
      for (const p of pattern.properties) {
        if (p.type !== "Property" || p.computed) return null;
        const key = p.key.type === "Identifier" ? p.key.name : p.key.value;
        const read = readKnownProperty(init.value, key, policy);
        if (!read.ok || !bind(p.value, read.value, childPath(init.path, key))) return null;
      }
      // `const {} = K` still throws for null/undefined K; keep that check.
      if (pattern.properties.length === 0) return null;
      return out;
    }
    if (pattern.type === "ArrayPattern" && Array.isArray(init.value) && Object.isFrozen(init.value)) {
      for (let i = 0; i < pattern.elements.length; i++) {
        const el = pattern.elements[i];
        if (el === null) continue;
        const read = readKnownProperty(init.value, i, policy);
        if (!read.ok || !bind(el, read.value, childPath(init.path, i))) return null;
      }
      return out.length ? out : null;
    }
    return null;
  }

  private member(node: Node): Node {
    if (!isConstant(node.object)) return node;
    const key = node.computed ? (isConstant(node.property) ? constantValue(node.property) : undefined) : node.property.name;
    if (key === undefined) return node;
    const obj = constantValue(node.object);
    const objNode = node.object;
    // A specialized typed-array parameter has its length guarded at entry.
    if (isTypedArray(obj) && key === "length" && isConst(objNode) && objNode.path?.root === "param" && objNode.path.keys.length === 0) {
      return this.constant(obj.length);
    }
    const read = readKnownProperty(obj, key, this.ctx.shared.freeze);
    if (!read.ok) return node;
    const fresh = isConst(objNode) && !!objNode.fresh && !isPrimitive(read.value);
    return this.constant(read.value, isConst(objNode) ? childPath(objNode.path, key as string | number) : null, fresh);
  }

  private unary(node: Node): Node {
    // `!!e` is `e` when e is already a boolean.
    if (node.operator === "!" && node.argument.type === "UnaryExpression" && node.argument.operator === "!" && isBooleanValued(node.argument.argument)) {
      this.changed = true;
      return node.argument.argument;
    }
    if (node.operator === "typeof" && node.argument.type === "Identifier") {
      const variable = this.scopes.resolve(node.argument);
      if (variable && variable.defs[0]?.type === "Parameter" && !this.scopes.isReassigned(variable) && variable.scope === this.scopes.functionScope) {
        const assumed = this.ctx.assume.get(variable.name);
        if (assumed) return this.constant(typeofAssumption(assumed));
      }
    }
    if (!isConstant(node.argument)) return node;
    const r = evalUnary(node.operator, constantValue(node.argument));
    return r.ok ? this.constant(r.value) : node;
  }

  private binary(node: Node): Node {
    // `b === true` is `b`, `b === false` is `!b`, when b is a boolean.
    if ((node.operator === "===" || node.operator === "!==") && isConstant(node.right) && typeof constantValue(node.right) === "boolean" && isBooleanValued(node.left)) {
      this.changed = true;
      const keep = (constantValue(node.right) === true) === (node.operator === "===");
      return keep ? node.left : { type: "UnaryExpression", operator: "!", prefix: true, argument: node.left };
    }
    if (!isConstant(node.left) || !isConstant(node.right)) return node;
    const a = constantValue(node.left), b = constantValue(node.right);
    if (node.operator === "in" && (typeof a === "string" || typeof a === "number")) {
      const read = readKnownProperty(b, a, this.ctx.shared.freeze);
      if (read.ok && b !== null && typeof b === "object") {
        return this.constant(Object.prototype.hasOwnProperty.call(b, a) || read.value !== undefined);
      }
      return node;
    }
    const r = evalBinary(node.operator, a, b);
    return r.ok ? this.constant(r.value) : node;
  }

  private template(node: Node): Node {
    if (!node.expressions.every(isConstant)) return node;
    let s = "";
    for (let i = 0; i < node.quasis.length; i++) {
      const cooked = node.quasis[i].value.cooked;
      if (cooked == null) return node;
      s += cooked;
      if (i < node.expressions.length) {
        const v = constantValue(node.expressions[i]);
        if (!isPrimitive(v) || typeof v === "symbol") return node;
        s += String(v);
      }
    }
    return s.length > MAX_FOLDED_STRING ? node : this.constant(s);
  }

  private sequence(node: Node): Node {
    const exprs = node.expressions.filter((e: Node, i: number) => i === node.expressions.length - 1 || !isConstant(e));
    if (exprs.length === node.expressions.length) return node;
    this.changed = true;
    return exprs.length === 1 ? exprs[0] : { ...node, expressions: exprs };
  }

  /**
   * `K.includes(x)` on a small known array of primitives, x a plain name:
   * a chain of `===` (plus `x !== x` when K holds NaN, for SameValueZero).
   */
  private includesChain(node: Node): Node | null {
    const callee = node.callee;
    if (node.optional || callee.type !== "MemberExpression" || callee.computed || callee.property.name !== "includes" || !isConst(callee.object)) return null;
    const list = callee.object.value;
    const x = node.arguments[0];
    if (!Array.isArray(list) || !Object.isFrozen(list) || list.length === 0 || list.length > 8 || node.arguments.length !== 1 || x.type !== "Identifier") return null;
    if (!list.every((e) => isPrimitive(e) && typeof e !== "symbol")) return null;
    const variable = this.scopes.resolve(x);
    if (!variable || this.scopes.isReassigned(variable)) return null;
    const id = () => ({ type: "Identifier", name: x.name });
    const terms: Node[] = [];
    let hasNaN = false;
    for (const e of new Set(list.map((v) => (Object.is(v, -0) ? 0 : v)))) {
      if (typeof e === "number" && Number.isNaN(e)) hasNaN = true;
      else terms.push({ type: "BinaryExpression", operator: "===", left: id(), right: makeConst(e) });
    }
    if (hasNaN) terms.push({ type: "BinaryExpression", operator: "!==", left: id(), right: id() });
    this.changed = true;
    return terms.reduce((left, right) => ({ type: "LogicalExpression", operator: "||", left, right }));
  }

  private callExpr(node: Node): Node {
    const chain = this.includesChain(node);
    if (chain) return chain;
    if (node.optional || node.arguments.some((a: Node) => a.type === "SpreadElement" || !isConstant(a))) return node;
    const args: unknown[] = node.arguments.map(constantValue);
    const callee = node.callee;
    let fn: unknown;
    let receiver: unknown;
    if (isConstant(callee)) {
      fn = constantValue(callee);
    } else if (callee.type === "MemberExpression" && !callee.optional && isConstant(callee.object)) {
      const key = callee.computed ? (isConstant(callee.property) ? constantValue(callee.property) : undefined) : callee.property.name;
      if (typeof key !== "string") return node;
      receiver = constantValue(callee.object);
      if (typeof receiver === "string") {
        if (!PURE_STRING_METHODS.has(key)) return node;
        fn = (String.prototype as unknown as Record<string, Function>)[key];
      } else if (typeof receiver === "number") {
        if (!PURE_NUMBER_METHODS.has(key)) return node;
        fn = (Number.prototype as unknown as Record<string, Function>)[key];
      } else if (Array.isArray(receiver) && Object.isFrozen(receiver) && PURE_ARRAY_METHODS.has(key) && receiver.every((e) => isPrimitive(e) && typeof e !== "symbol")) {
        fn = (Array.prototype as unknown as Record<string, Function>)[key];
      } else if (receiver === Math || receiver === Number || receiver === String || receiver === Object || receiver === Array || receiver === JSON) {
        fn = (receiver as Record<string, unknown>)[key];
      } else return node;
    } else return node;
    if (typeof fn !== "function") return node;

    if (fn === JSON.stringify) {
      if (!isFrozenPlainData(args[0]) || args[1] != null || !isPrimitive(args[2])) return node;
      return this.callResult(() => JSON.stringify(args[0], null, args[2] as string | number | undefined)) ?? node;
    }
    if (OBJECT_READERS.has(fn)) {
      const target = args[0];
      if (target === null || typeof target !== "object" || !Object.isFrozen(target) || this.ctx.shared.freeze === "reference") return node;
      // Own enumerable data only: Object.keys/values/entries read no accessors on frozen plain data.
      if (Reflect.ownKeys(target).some((k) => !("value" in Object.getOwnPropertyDescriptor(target, k)!))) return node;
      const result = (fn as (o: object) => unknown[])(target);
      if (fn === Object.entries) for (const entry of result) markFresh(entry as unknown[]);
      return this.constant(markFresh(result), null, true);
    }
    if (!PURE_FUNCTIONS.has(fn) && receiver === undefined) return node;
    if (receiver !== undefined && !PURE_FUNCTIONS.has(fn) && !(typeof receiver === "string" || typeof receiver === "number" || Array.isArray(receiver))) return node;
    if (!args.every((a) => isPrimitive(a) && typeof a !== "symbol")) return node;
    return this.callResult(() => (fn as Function).apply(receiver, args), true) ?? node;
  }

  /** Runs a pure call at compile time; null keeps the call (it throws, or its result is not foldable). */
  private callResult(run: () => unknown, allowFreshArray = false): Node | null {
    let value: unknown;
    try {
      value = run();
    } catch {
      return null;
    }
    if (typeof value === "string" && value.length > MAX_FOLDED_STRING) return null;
    if (isPrimitive(value)) return this.constant(value);
    if (allowFreshArray && Array.isArray(value) && value.every(isPrimitive)) return this.constant(markFresh(value), null, true);
    return null;
  }
}


/** Folds a detached expression (a copy made by another pass, e.g. a loop test with the induction value in it). */
export function foldExpression(ctx: CompileContext, node: Node): Node {
  const folder = new Folder(ctx, analyzeScopes({ type: "FunctionExpression", params: [], body: { type: "BlockStatement", body: [] } }, ctx.strict));
  return folder.expr(node);
}
