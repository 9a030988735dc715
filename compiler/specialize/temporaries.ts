/**
 * Temporaries and the order of evaluation: a dynamic value pinned in a
 * residual variable (`temp`, `stable`), and operands evaluated in source
 * order, the pending ones moved into temporaries before statements a later
 * operand emits (`evalSeq`, `hoistPending`). Also which residual expressions
 * can be duplicated or moved freely (`isTrivial`).
 */
import { childKeys, walk, type Node } from "../ast.js";
import { D, type Val } from "./values.js";
import { Specializer, assign, id } from "./specializer.js";

declare module "./specializer.js" {
  interface Specializer {
    temp(e: Node, hint?: string, type?: string): Val;
    stable(x: Val, hint?: string): Val;
    evalSeq<T>(items: T[], evalOne: (item: T) => Val): Val[];
    hoistPending(vals: Val[], at: number): void;
  }
}

const P = Specializer.prototype;

/**
 * A temporary holding `e`, assigned now and declared at the top of the
 * residual function (a declaration in place could end up in a block that
 * closes before a later use; the clean-up passes move single-use ones back).
 */
P.temp = function (this: Specializer, e: Node, hint = "t", type?: string): Val {
  if (isTrivial(e)) return D(e, type);
  const name = this.fresh(hint);
  this.immutable.add(name);
  this.hoistName(name);
  this.emit(assign(name, e));
  return D(id(name), type);
};

/** Pins a dynamic value so that it can be used more than once or later. */
P.stable = function (this: Specializer, x: Val, hint = "t"): Val {
  // A lazy closure is never held by a variable: it is its own value (lazy-closures.ts).
  if (x.k !== "d" || x.lazyClosure || isTrivial(x.e) || (x.e.type === "Identifier" && this.immutable.has(x.e.name))) return x;
  const t = this.temp(x.e, hint, x.type);
  if (t.k === "d") {
    if (x.closure) t.closure = x.closure;
    if (x.arrayLength !== undefined) t.arrayLength = x.arrayLength;
    if (x.arrayFlag) t.arrayFlag = x.arrayFlag;
    if (x.isArray) t.isArray = x.isArray;
    if (x.proto) t.proto = x.proto;
    // A sloppy function's own `this` held in a temporary is still an object (an inlined sloppy
    // callee hands it on to the next one: a composed function's steps, `g.call(this, f.apply(this, arguments))`).
    if (x.objectOrFunction) t.objectOrFunction = true;
    copyOwnArguments(x, t);
  }
  return t;
};

/**
 * Evaluates operands in order. A dynamic operand is a residual expression
 * not yet evaluated; if a later operand emits statements, the earlier
 * pending ones move into temporaries before those statements, so the
 * residual code keeps the source's order of evaluation.
 */
P.evalSeq = function <T>(this: Specializer, items: T[], evalOne: (item: T) => Val): Val[] {
  const vals: Val[] = [];
  const out = this.out;
  for (const item of items) {
    const mark = out.length;
    const v = evalOne(item);
    if (out.length !== mark) this.hoistPending(vals, mark);
    vals.push(v);
  }
  return vals;
};

/** A copy of the root's own `arguments` in a temporary is that object too (own-arguments.ts), never null. */
function copyOwnArguments(from: Val, to: Val): void {
  if (from.k !== "d" || to.k !== "d" || !from.ownArguments) return;
  to.ownArguments = true;
  to.nonNull = true;
}

P.hoistPending = function (this: Specializer, vals: Val[], at: number): void {
  const decls: Node[] = [];
  let written: Set<string> | null = null;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    // (A lazy closure, lazy-closures.ts, is made by nothing: it has no code to run in order.)
    if (v.k !== "d" || v.lazyClosure || isTrivial(v.e)) continue;
    if (v.e.type === "Identifier") {
      // A variable the statements in between cannot change keeps its value without a copy:
      // a temporary, or a slot no closure captures that those statements do not assign
      // (`out = out + s` rather than `t = out; …; out = t + s`).
      if (this.immutable.has(v.e.name)) continue;
      // The slot test first: the names written are a walk of every statement emitted since
      // `at`, which nested operands walk again at each level, and most names pending here are not
      // uncaptured slots. It took 602 ms in 3 compiles of jsonpath-plus's path (5% of their CPU),
      // 1 ms after; json-serializer's 1.3 ms a compile, 0.5 after (docs/notes/compile-time.md).
      if (this.isUncapturedSlotName(v.e.name)) {
        written ??= namesWritten(this.out.slice(at));
        if (!written.has(v.e.name) && !written.has("arguments")) continue;
      }
    }
    const name = this.fresh("t");
    this.immutable.add(name);
    this.hoistName(name);
    decls.push(assign(name, v.e));
    // The copy holds the same function: a known closure stays known (`get(get(doc, 0), 1)` of a
    // declared helper, whose inner call emits statements before the outer one).
    const copy = D(id(name), v.type);
    if (v.closure) copy.closure = v.closure;
    copyOwnArguments(v, copy);
    vals[i] = copy;
  }
  if (decls.length) this.out.splice(at, 0, ...decls);
};

/** Names assigned (or updated) anywhere in `nodes`, nested functions included; "arguments" when it is mentioned. */
function namesWritten(nodes: Node[]): Set<string> {
  const names = new Set<string>();
  const addTargetNames = (t: Node): void => walk(t, (x) => void (x.type === "Identifier" && names.add(x.name)));
  // Its own recursion over the nodes `walk` visits, not `walk` with a callback, which stops at
  // identifiers without asking for their (no) children: the statements an inlined call emits are
  // walked again at each level of nested operands around it, 1,288 node entries a compile of
  // json-serializer, now 861 (docs/notes/compile-time.md).
  const visit = (x: Node): void => {
    if (!x || typeof x.type !== "string") return;
    const type = x.type;
    if (type === "Identifier") {
      if (x.name === "arguments") names.add("arguments");
      return;
    }
    if (type === "AssignmentExpression" || type === "ForInStatement" || type === "ForOfStatement") addTargetNames(x.left);
    else if (type === "UpdateExpression") addTargetNames(x.argument);
    const keys = childKeys(x);
    for (let k = 0; k < keys.length; k++) {
      const v = x[keys[k]!];
      if (!v) continue;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (v[i]) visit(v[i]);
      } else visit(v);
    }
  };
  for (const n of nodes) visit(n);
  return names;
}

/** An expression that can be duplicated or moved without changing what it computes (no reads that can change). */
export function isTrivial(e: Node): boolean {
  if (e.type === "Literal") return !e.regex;
  if (e.type === "KosConst") return true;
  // The literal forms buildLiteral makes: -x, void 0, 0/0, 1/0.
  if (e.type === "UnaryExpression" && (e.operator === "-" || e.operator === "void") && e.argument.type === "Literal" && typeof e.argument.value !== "string") return true;
  if (e.type === "UnaryExpression" && e.operator === "-" && e.argument.type === "BinaryExpression") return isTrivial(e.argument);
  return e.type === "BinaryExpression" && e.operator === "/" && e.left.type === "Literal" && e.right.type === "Literal" && typeof e.left.value === "number" && e.right.value === 0;
}

/** Trivial, or an identifier (a variable read: stable as long as nothing writes that variable in between). */
export function isTrivialStable(e: Node): boolean {
  return isTrivial(e) || e.type === "Identifier";
}
