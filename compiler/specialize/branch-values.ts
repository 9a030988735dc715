/**
 * A value chosen by a dynamic test (`a && b`, `a || b`, `a ?? b`, `t ? x : y`,
 * a logical assignment): both branches evaluated, their environments joined,
 * and the residual one expression where it can be.
 */
import type { Node } from "../ast.js";
import { Specializer, id, type Edge } from "./specializer.js";
import { D, UNDEF, typeOfVal, type Val } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    branchValue(test: Val, thenF: () => Val, elseF: () => Val, sources: Node[], shape: (t: Node, a: Node, b: Node) => Node): Val;
  }
}

const P = Specializer.prototype;

/**
 * A value chosen by a dynamic test. The branches are evaluated under dynamic
 * control; when neither emits statements nor leaves the environment
 * different, the residual is one expression (`a && b`, `t ? x : y`),
 * otherwise an `if` assigning a result variable.
 */
P.branchValue = function (this: Specializer, test: Val, thenF: () => Val, elseF: () => Val, sources: Node[], shape: (t: Node, a: Node, b: Node) => Node): Val {
  void sources;
  const testNode = this.residual(test);
  const base = this.env!;
  this.dynDepth++;
  let v1: Val | null = null;
  let v2: Val | null = null;
  this.env = new Map(base);
  const list1 = this.collect(() => (v1 = thenF()));
  const env1 = this.env;
  // The second branch takes the environment itself (if-statements.ts, ifStatement).
  this.env = base;
  const list2 = this.collect(() => (v2 = elseF()));
  const env2 = this.env;
  this.dynDepth--;
  const e1 = env1 ? { env: env1, fix: [] as Node[] } : null;
  const e2 = env2 ? { env: env2, fix: [] as Node[] } : null;
  // A virtual object a branch yields is allocated on that branch, in its own environment, before the
  // join: the join then sees it escaped there.
  const early = (v: Val | null, e: Edge | null) => {
    if (!v || !e || v.k !== "v") return null;
    const own = { fix: [] as Node[], env: e.env };
    const node = this.residualAt(own, v);
    return { fix: own.fix, node };
  };
  const pre1 = early(v1, e1);
  const pre2 = early(v2, e2);
  this.env = this.merge([e1, e2].filter(Boolean) as never);
  if (!this.env) {
    // Neither side goes on (each throws or returns): what they emitted is all that runs from here.
    this.out.push({ type: "IfStatement", test: testNode, consequent: { type: "BlockStatement", body: list1 }, alternate: list2.length ? { type: "BlockStatement", body: list2 } : null });
    return UNDEF;
  }
  const noFix = (!e1 || e1.fix.length === 0) && (!e2 || e2.fix.length === 0);
  // An object made in a branch and allocated only as its value (`data || {}`) stays a literal in place.
  // Not one anything else reaches after the branch (a variable holds it: `log.push(t ? acc : acc)`):
  // its variable would never be assigned, and each branch would make an object of its own (fuzz seed
  // 5007 #1938 with the receiver family).
  const inPlace = (pre: { fix: Node[]; node: Node } | null, v: Val | null, e: Edge | null): Node | null => {
    if (!pre || !v || !e || v.k !== "v" || this.reachableVirtuals([e]).has(v.o)) return null;
    const st = pre.fix.length === 1 ? pre.fix[0]! : null;
    const a = st?.type === "ExpressionStatement" ? st.expression : null;
    return a && a.type === "AssignmentExpression" && a.left.type === "Identifier" && pre!.node.type === "Identifier" && a.left.name === pre!.node.name ? a.right : null;
  };
  const lit1 = pre1 ? inPlace(pre1, v1, e1) : null;
  const lit2 = pre2 ? inPlace(pre2, v2, e2) : null;
  if (list1.length === 0 && list2.length === 0 && noFix && e1 && e2 && (!pre1 || lit1) && (!pre2 || lit2)) {
    const a = v1!, b = v2!;
    if (a.k === "s" && b.k === "s" && Object.is(a.v, b.v)) {
      this.drop(D(testNode));
      return a;
    }
    const ta = typeOfVal(a);
    const joinedInPlace = D(shape(testNode, lit1 ?? this.residual(a), lit2 ?? this.residual(b)), ta && ta === typeOfVal(b) ? ta : undefined);
    const pa = protoHintOf(a);
    if (pa && pa === protoHintOf(b)) joinedInPlace.proto = pa;
    return joinedInPlace;
  }
  const result = this.fresh("r");
  this.hoistName(result);
  const assignResult = (v: Val | null, list: Node[], e: { fix: Node[] } | null, pre: { fix: Node[]; node: Node } | null) => {
    if (!e || !v) return;
    const own = pre ?? { fix: [] as Node[], node: this.residualAt({ fix: [] }, v) };
    list.push(...own.fix, { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: own.node } });
    list.push(...e.fix);
  };
  assignResult(v1, list1, e1, pre1);
  assignResult(v2, list2, e2, pre2);
  this.emit({ type: "IfStatement", test: testNode, consequent: { type: "BlockStatement", body: list1 }, alternate: list2.length ? { type: "BlockStatement", body: list2 } : null });
  const joined = D(id(result));
  // Both sides hint the same prototype (an instance `new` made, a value narrowed by `instanceof`):
  // so does the result, for its method calls (method-guards.ts checks the method at run time).
  const p1 = e1 ? protoHintOf(v1) : null;
  const p2 = e2 ? protoHintOf(v2) : null;
  if ((p1 || p2) && (p1 === p2 || !e1 || !e2)) joined.proto = (p1 ?? p2)!;
  return joined;
};

/** The prototype a value is hinted to have: a dynamic value's hint, or a virtual instance's own prototype. */
function protoHintOf(v: Val | null): object | null {
  return !v ? null : v.k === "d" ? v.proto ?? null : v.k === "v" ? v.o.proto ?? null : null;
}
