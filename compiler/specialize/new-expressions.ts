/**
 * `new`: a constructor kos can run in place makes a virtual object
 * (constructors.ts); any other stays a construction, named as the source
 * names it, with its prototype as a hint for the instance's method calls.
 */
import type { Node } from "../ast.js";
import { isBuiltin } from "../builtins.js";
import { Specializer, id } from "./specializer.js";
import { D, type Val } from "./values.js";
import { callOfResultUnderSourceName, callUnderSourceName, spreadsUnderSourceNames, underSourceNames } from "./source-names.js";
import { declarableName, mentions } from "./source-name-plans.js";
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
  const emittedBefore = this.out.length;
  const { vals, spread } = pre && pre.frame === this.frame ? pre : this.evalArgs([n.callee, ...n.arguments]);
  // Whether evaluating the callee and the arguments left no statement (nothing ran that a copy of the
  // callee could reorder against).
  const nothingEmitted = !pre && this.out.length === emittedBefore;
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
  // A known value that is no constructor (an arrow, a method, a number) read by a path (`new
  // cfg.make(x)`): V8 words the failure from the callee as written, "cfg.make is not a constructor".
  // The residual constructs from a block binding of the path's root to an object made to hold the
  // value along the same path, so that the text is the source's and the value the one read first
  // (sweep21, repro-2: it said "$k_ref_1 is not a constructor", then "cfg is not a constructor").
  const v0 = vals[0]!;
  if (v0.k === "s" && !(typeof v0.v === "function" && isConstructor(v0.v as Function))) {
    const onPath = constantOnPath(this, n.callee, v0, construct);
    if (onPath) return onPath;
    // Any other callee made of names, paths and choices (`new (c || lib.parse)(v)`, c known true):
    // constructed from a copy of the callee as written, read again at run time, so that V8 words the
    // failure from its text ("(c || lib.parse) is not a constructor"; it said "true is not a
    // constructor", sweep24 repro-2). Only where nothing was emitted for the callee and the
    // arguments: the copy's reads then run where the source's do, before the arguments.
    if (nothingEmitted && pureChoice(n.callee) && !spread.some(Boolean)) {
      const named = new Map<string, Node>();
      const copy: Node = { ...construct, callee: this.verbatim(n.callee, named) };
      return named.size ? underSourceNames(this, named, copy) : D(copy);
    }
  }
  const named = !(v0.k === "s" && typeof v0.v === "function") ? callUnderSourceName(this, source, construct) ?? callOfResultUnderSourceName(this, n.callee, construct) : null;
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

/**
 * `{ let cfg = { make: <value> }; r = new cfg.make(…); }` for a callee written as a path of plain
 * names (`cfg.make`, `a.b.c`) whose root the arguments do not name; null otherwise.
 */
function constantOnPath(s: Specializer, callee: Node, value: Val, construct: Node): Val | null {
  const keys: string[] = [];
  let root: Node = callee;
  while (root.type === "MemberExpression" && !root.computed && !root.optional && root.property.type === "Identifier") {
    keys.unshift(root.property.name as string);
    root = root.object;
  }
  if (root.type !== "Identifier" || keys.length === 0 || keys.includes("__proto__") || !declarableName(root.name as string)) return null;
  const name = root.name as string;
  if ((construct.arguments as Node[]).some((a) => mentions(a, name))) return null;
  let holder: Node = s.residual(value);
  for (let i = keys.length - 1; i >= 0; i--) {
    holder = { type: "ObjectExpression", properties: [{ type: "Property", key: id(keys[i]!), value: holder, kind: "init", method: false, shorthand: false, computed: false }] };
  }
  const result = s.fresh("r");
  s.hoistName(result);
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(name), init: holder }] },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: { ...construct, callee: verbatimPath(name, keys) } } },
    ],
  });
  return D(id(result));
}

/** A callee made only of names, literals, non-computed paths and `||`/`&&`/`??`/`?:` between them: reading it runs no call. */
function pureChoice(n: Node): boolean {
  if (n.type === "Identifier" || n.type === "Literal") return true;
  if (n.type === "MemberExpression") return !n.computed && !n.optional && pureChoice(n.object);
  if (n.type === "LogicalExpression") return pureChoice(n.left) && pureChoice(n.right);
  if (n.type === "ConditionalExpression") return pureChoice(n.test) && pureChoice(n.consequent) && pureChoice(n.alternate);
  return false;
}

function verbatimPath(root: string, keys: string[]): Node {
  return keys.reduce<Node>((object, key) => ({ type: "MemberExpression", object, property: id(key), computed: false, optional: false }), id(root));
}

/**
 * Whether `f` can be called with `new`, asked without running it: `Reflect.construct` checks its
 * new target before anything else, and otherwise reads only `f.prototype` (a data property of any
 * function but a proxy, which is taken as a constructor here) and runs the empty class given.
 */
function isConstructor(f: Function): boolean {
  if (isProxyValue(f)) return true;
  try {
    Reflect.construct(EmptyClass, [], f);
    return true;
  } catch {
    return false;
  }
}
const EmptyClass = class {};

/** `C.prototype` as a data property holding an ordinary object, read without running code; else null. */
export function prototypeHint(C: Function): object | null {
  if (isProxyValue(C)) return null;
  const d = Reflect.getOwnPropertyDescriptor(C, "prototype");
  const v = d && "value" in d ? d.value : null;
  return v !== null && typeof v === "object" && !isProxyValue(v) ? v : null;
}
