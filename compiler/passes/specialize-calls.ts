/**
 * Calls to known functions (the function itself, or functions reached as
 * constants) with some constant arguments get a specialized helper: the
 * callee compiled again with those arguments bound, emitted beside the main
 * function. Helpers are memoized per (function, constant arguments), so
 * recursion over a constant tree (a schema, an expression program) ends in a
 * finite set of helpers: the first Futamura projection, bounded by depth and
 * count. Helpers whose body is one `return <expr>` are inlined at call sites
 * whose arguments are stable (constants or never-reassigned bindings).
 */
import { clone, isConst, isConstant, constantValue, walk, type Node } from "../ast.js";
import { analyzeScopes, type ScopeInfo } from "../analyze/scopes.js";
import { scopesOf, objectId, type CompileContext, type Helper } from "../context.js";
import { PURE_FUNCTIONS, OBJECT_READERS } from "../builtins.js";

export type CompileHelper = (ctx: CompileContext, fn: Function, constants: Map<number, unknown>, key: string) => Helper | null;

/** Set by the pipeline (dependency injection keeps pass ↔ pipeline free of an import cycle). */
let compileHelper: CompileHelper | null = null;
export function setHelperCompiler(f: CompileHelper): void {
  compileHelper = f;
}

function valueKey(ctx: CompileContext, v: unknown): string {
  if (v !== null && (typeof v === "object" || typeof v === "function")) return `#${objectId(ctx.shared, v as object)}`;
  if (typeof v === "number") return Object.is(v, -0) ? "n:-0" : `n:${v}`;
  if (typeof v === "bigint") return `b:${v}`;
  if (typeof v === "string") return `s:${JSON.stringify(v)}`;
  if (typeof v === "symbol") return `y:${String(v)}`;
  return `${typeof v}:${String(v)}`;
}

export function specializeCalls(ctx: CompileContext): void {
  if (!compileHelper) return;
  const scopes = scopesOf(ctx);
  const visit = (node: Node): Node => {
    if (!node || typeof node.type !== "string" || node.type === "KosConst") return node;
    for (const key of Object.keys(node)) {
      if (key === "type" || key === "loc") continue;
      const v = node[key];
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = v[i] && typeof v[i] === "object" ? visit(v[i]) : v[i];
      else if (v && typeof v === "object" && typeof v.type === "string") node[key] = visit(v);
    }
    return node.type === "CallExpression" ? rewriteCall(ctx, node, scopes) : node;
  };
  ctx.root.body = visit(ctx.root.body);
}

function rewriteCall(ctx: CompileContext, call: Node, scopes: ScopeInfo): Node {
  if (call.optional || !isConst(call.callee)) return call;
  const fn = call.callee.value;
  if (typeof fn !== "function" || PURE_FUNCTIONS.has(fn) || OBJECT_READERS.has(fn)) return call;
  if (call.arguments.some((a: Node) => a.type === "SpreadElement")) return call;
  const arity = fn.length;
  const constants = new Map<number, unknown>();
  for (let i = 0; i < arity; i++) {
    const a = call.arguments[i];
    if (a === undefined) constants.set(i, undefined);
    else if (isConstant(a)) constants.set(i, constantValue(a));
  }
  const isSelf = call.callee.path?.root === "self";
  // Calling itself with nothing constant gains nothing: keep the call to the original.
  if (constants.size === 0 && (isSelf || ctx.depth >= ctx.shared.maxDepth)) return call;
  let key = `${objectId(ctx.shared, fn)}(`;
  for (let i = 0; i < arity; i++) key += constants.has(i) ? `${valueKey(ctx, constants.get(i))},` : "_,";
  const helper = compileHelper!(ctx, fn, constants, key);
  if (!helper) return call;
  ctx.changed = true;
  const dynamicArgs: Node[] = [];
  call.arguments.forEach((a: Node, i: number) => {
    if (i >= arity ? !isConstant(a) : !constants.has(i)) dynamicArgs.push(a);
  });
  const inlined = helper.inlinable && !helper.compiling ? inlineHelper(ctx, helper, call.arguments, constants, arity, scopes) : null;
  if (inlined) return inlined;
  return { type: "CallExpression", callee: { type: "Identifier", name: helper.name }, arguments: dynamicArgs, optional: false };
}

/** Replaces a call with the helper's returned expression, when every argument is stable. */
function inlineHelper(ctx: CompileContext, helper: Helper, args: Node[], constants: Map<number, unknown>, arity: number, scopes: ScopeInfo): Node | null {
  if (ctx.shared.inlinesDone >= 2000) return null;
  for (let i = arity; i < args.length; i++) if (!isConstant(args[i])) return null; // extra args with effects must still run
  const argFor = new Map<number, Node>();
  for (let i = 0; i < arity; i++) {
    if (constants.has(i)) continue;
    const a = args[i];
    if (!isStable(a, scopes)) return null;
    argFor.set(i, a);
  }
  const ret = helper.node.body.body[0];
  const expr: Node = ret.argument ? clone(ret.argument) : { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } };
  // Free names of the helper's expression must mean the same at the call site.
  let clash = false;
  walk(expr, (n) => {
    if (n.type === "Identifier" && n.kosFreeGlobal && scopes.declaredNames.has(n.name)) clash = true;
  });
  if (clash) return null;
  const replaced = replaceParams(expr, argFor);
  ctx.shared.inlinesDone++;
  return replaced;
}

function isStable(a: Node, scopes: ScopeInfo): boolean {
  if (isConstant(a)) return true;
  if (a.type !== "Identifier") return false;
  const v = scopes.resolve(a);
  return !!v && !scopes.isReassigned(v);
}

function replaceParams(expr: Node, argFor: Map<number, Node>): Node {
  const copy = (n: Node): Node => {
    if (!n || typeof n !== "object") return n;
    if (Array.isArray(n)) return n.map(copy);
    if (n.type === "Identifier" && typeof n.kosParam === "number") {
      const a = argFor.get(n.kosParam);
      return a ? clone(a) : n;
    }
    if (n.type === "KosConst") return { ...n };
    const out: Node = {};
    for (const k of Object.keys(n)) out[k] = k === "loc" ? n[k] : copy(n[k]);
    return out;
  };
  return copy(expr);
}
