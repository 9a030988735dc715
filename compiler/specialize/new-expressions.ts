/**
 * `new`: a constructor kos can run in place makes a virtual object
 * (constructors.ts); any other stays a construction, named as the source
 * names it, with its prototype as a hint for the instance's method calls.
 */
import type { Node } from "../ast.js";
import { isBuiltin } from "../builtins.js";
import { Specializer } from "./specializer.js";
import { D, type Val } from "./values.js";
import { callOfResultUnderSourceName, callUnderSourceName, spreadsUnderSourceNames } from "./source-names.js";
import { NATIVE_CONSTRUCTORS, isProxyValue } from "./builtin-calls.js";
import { isPureMemberPath } from "./call-dispatch.js";

declare module "./specializer.js" {
  interface Specializer {
    newExpression(n: Node): Val;
  }
}

const P = Specializer.prototype;

P.newExpression = function (this: Specializer, n: Node): Val {
  // After foreign code, the constructor's prototype (and what it reads) is speculated on again, as for calls.
  return this.afterForeign(() => this.newExpressionPlain(n));
};

declare module "./specializer.js" {
  interface Specializer {
    newExpressionPlain(n: Node): Val;
    /**
     * `new C(args)` nodes whose callee and arguments their statement list evaluated before the
     * statement (preEvaluateNew), with the frame they were evaluated in: the statement's
     * evaluations (both sides of a speculation) construct from these values.
     */
    preEvaluatedNews?: Map<Node, { frame: object; vals: Val[]; spread: boolean[] }>;
    preEvaluateNew(n: Node): Val[];
  }
}

/**
 * Evaluates the callee and arguments of a `new` that its statement evaluates first (statements.ts,
 * leadingNew), as stable values. Arguments that may run foreign code (`new Parser(input.text)`: a
 * getter) would otherwise leave the constructor's body after foreign code in the middle of its
 * statement, where no speculation can start: its first field store then asked an unguarded
 * question of the prototype chain and the instance was made for real. Evaluated first, the
 * statement itself is speculated on after them.
 */
P.preEvaluateNew = function (this: Specializer, n: Node): Val[] {
  const { vals, spread } = this.evalArgs([n.callee, ...n.arguments]);
  const stable = vals.map((v) => this.stable(v));
  (this.preEvaluatedNews ??= new Map()).set(n, { frame: this.frame, vals: stable, spread });
  return stable;
};

P.newExpressionPlain = function (this: Specializer, n: Node): Val {
  const pre = this.preEvaluatedNews?.get(n);
  const { vals, spread } = pre && pre.frame === this.frame ? pre : this.evalArgs([n.callee, ...n.arguments]);
  if (!spread.some(Boolean)) {
    const made = this.constructInPlace(vals[0]!, vals.slice(1), n);
    if (made) return made;
  }
  let callee = this.residual(vals[0]!);
  // `new cfg.ctors[k]()` read from a folded path by a variable key: constructed through the path as
  // written, so that "cfg.ctors[k] is not a constructor" names it (see keyedByVariable).
  const c = n.callee;
  if (c.type === "MemberExpression" && c.computed && !c.optional && c.property.type === "Identifier" && isPureMemberPath(c.object) && callee.type === "MemberExpression" && callee.computed && callee.object.type === "KosConst" && callee.property.type === "Identifier") {
    callee = this.verbatim(c);
  }
  const args = vals.slice(1).map((a, i) => (spread[i + 1] ? { type: "SpreadElement", argument: this.residual(a) } : this.residual(a)));
  this.foreignCodeMayRun();
  // A constructor may return any object, a function included (`typeof` "function"): the result is
  // typed "object" only for the built-in constructors, which return what they make.
  const made = vals[0]!.k === "s" && NATIVE_CONSTRUCTORS.has(vals[0]!.v as Function) ? "object" : undefined;
  const construct: Node = { type: "NewExpression", callee, arguments: args };
  // "o is not a constructor" names the source's variable, not the value's residual name.
  const source = n.callee.type === "MemberExpression" ? n.callee.object : n.callee;
  const named = !(vals[0]!.k === "s" && typeof vals[0]!.v === "function") ? callUnderSourceName(this, source, construct) ?? callOfResultUnderSourceName(this, n.callee, construct) : null;
  if (named) return named;
  // "b is not iterable" names a spread argument as written.
  const spreadNamed = spread.some(Boolean) ? spreadsUnderSourceNames(this, n.arguments as Node[], construct) : null;
  if (spreadNamed) {
    if (made) (spreadNamed as { type?: string }).type = made;
    return spreadNamed;
  }
  const result = D(construct, made);
  // The instance's prototype, as `new` reads it now: a hint for its method calls (method-guards.ts).
  const proto = vals[0]!.k === "s" && typeof vals[0]!.v === "function" && !isBuiltin(vals[0]!.v as Function) ? prototypeHint(vals[0]!.v as Function) : null;
  if (proto) result.proto = proto;
  return result;
};

/** `C.prototype` as a data property holding an ordinary object, read without running code; else null. */
export function prototypeHint(C: Function): object | null {
  if (isProxyValue(C)) return null;
  const d = Reflect.getOwnPropertyDescriptor(C, "prototype");
  const v = d && "value" in d ? d.value : null;
  return v !== null && typeof v === "object" && !isProxyValue(v) ? v : null;
}
