/**
 * Optional chains (`a?.b`, `f?.()`, `o.m?.()`): a static short-circuit folds;
 * a chain whose short-circuit is decided at run time stays as written.
 */
import type { Node } from "../ast.js";
import { walk } from "../ast.js";
import { Specializer } from "./specializer.js";
import { D, S, UNDEF, type Val } from "./values.js";
import { underSourceNames } from "./source-names.js";
import { NOT_CALLABLE } from "./call-dispatch.js";

declare module "./specializer.js" {
  interface Specializer {
    chain(n: Node): Val;
  }
}

const P = Specializer.prototype;

/** Optional chains: static short-circuits fold; a dynamic one keeps the chain as written. */
P.chain = function (this: Specializer, n: Node): Val {
  const p = this.probe(() => chainPart(this, n));
  if (p.result !== DYNAMIC) {
    p.commit();
    return p.result === SHORT ? UNDEF : p.result;
  }
  p.undo();
  // A call in the chain names its callee in the engine's message (`o?.f is not a function`): the
  // copy reads its locals under their source names where the residual renamed them (`o_1`).
  const named = new Map<string, Node>();
  const copy = this.verbatim({ type: "ChainExpression", expression: n }, containsCallNode(n) ? named : undefined);
  return named.size ? underSourceNames(this, named, copy) : D(copy);
};

function containsCallNode(n: Node): boolean {
  let found = false;
  walk(n, (x) => {
    if (found || x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression") return false;
    if (x.type === "CallExpression") found = true;
    return !found;
  });
  return found;
}

const SHORT = Symbol("short");
const DYNAMIC = Symbol("dynamic");
type ChainResult = Val | typeof SHORT | typeof DYNAMIC;

function chainPart(s: Specializer, n: Node): ChainResult {
  if (n.type === "MemberExpression") {
    const obj = chainPart(s, n.object);
    if (obj === SHORT || obj === DYNAMIC) return obj;
    if (n.optional) {
      if (obj.k === "s" && (obj.v === null || obj.v === undefined)) return SHORT;
      if (obj.k === "d") return DYNAMIC;
    }
    const key = n.computed ? s.expr(n.property) : S(n.property.name);
    return s.readMember(obj, key, n);
  }
  if (n.type === "CallExpression") {
    if (n.arguments.some((a: Node) => a.type === "SpreadElement")) return DYNAMIC;
    if (n.callee.type === "MemberExpression") {
      const obj = chainPart(s, n.callee.object);
      if (obj === SHORT || obj === DYNAMIC) return obj;
      if (n.callee.optional) {
        if (obj.k === "s" && (obj.v === null || obj.v === undefined)) return SHORT;
        if (obj.k === "d") return DYNAMIC;
      }
      const stableObj = s.stable(obj, "recv");
      const key = n.callee.computed ? s.expr(n.callee.property) : S(n.callee.property.name);
      const method = s.readMember(stableObj, key, n.callee);
      if (n.optional) {
        if (method.k === "s" && (method.v === null || method.v === undefined)) return SHORT;
        if (method.k !== "s") return DYNAMIC;
      }
      const afterRead = s.out.length;
      const args = s.evalSeq(n.arguments as Node[], (a) => s.expr(a));
      // Arguments that emitted code may have replaced the method (see MemberCall.stale): one read
      // at run time keeps the chain as written.
      const stale = s.out.length !== afterRead;
      if (stale && method.k !== "s") return DYNAMIC;
      return callable(s.applyCall(method, stableObj, args, { obj: stableObj, key, ...(stale ? { stale } : {}) }, n));
    }
    // `(o?.m)?.()`: the parentheses keep the reference, so `m` runs with `this` = `o`; as in a plain
    // call (calls.ts), copied as written (kos called it without its receiver, sweep27 repro-1).
    if (n.callee.type === "ChainExpression" && n.callee.expression.type === "MemberExpression") return DYNAMIC;
    const fn = chainPart(s, n.callee);
    if (fn === SHORT || fn === DYNAMIC) return fn;
    if (n.optional) {
      if (fn.k === "s" && (fn.v === null || fn.v === undefined)) return SHORT;
      if (fn.k !== "s") return DYNAMIC;
    }
    const args = s.evalSeq(n.arguments as Node[], (a) => s.expr(a));
    return callable(s.applyCall(fn, UNDEF, args, null, n));
  }
  return s.expr(n);
}

/**
 * A callee kos knows is not callable (`cfg.hook?.(x)` with `hook` 5: `?.` passes anything but null
 * and undefined) throws at run time: the chain stays as written, so that it does, in the engine's
 * words. Taken as the call's value, the marker leaked into the result (sweep21, repro-4).
 */
function callable(v: Val): ChainResult {
  return v === NOT_CALLABLE ? DYNAMIC : v;
}
