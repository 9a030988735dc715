/**
 * `if` statements. A static test (or a type that decides it) takes one
 * branch; a dynamic one evaluates both and joins their environments, or,
 * where the branches leave different object shapes, evaluates the rest of
 * the statement list in each (shapeSplit).
 */
import type { Node } from "../ast.js";
import { Specializer, type Env } from "./specializer.js";
import { knownTruthy, type Val } from "./values.js";

/** Where a run of statements stands in its function's source (acorn offsets). */
export interface SourceRange {
  start: number;
  end: number;
}

declare module "./specializer.js" {
  interface Specializer {
    /**
     * A statement `if`. With `rest` (what follows it in its statement list), the rest may be
     * evaluated in each branch instead of after the join (true when it was: see shapeSplit);
     * `restRange` is where those statements stand in the source.
     */
    ifStatement(n: Node, rest?: () => void, restRange?: SourceRange): boolean;
    /** Splits made so far, this compile (see shapeSplit). */
    shapeSplits?: number;
  }
}

const P = Specializer.prototype;

P.ifStatement = function (this: Specializer, n: Node, rest?: () => void, restRange?: SourceRange): boolean {
  const t = this.expr(n.test);
  if (!this.env) return false;
  // A type that decides the test (a function kos saw made is truthy) takes one branch, as a constant does.
  const truthy = t.k === "d" ? knownTruthy(t) : undefined;
  if (t.k === "s" || t.k === "v" || truthy !== undefined) {
    if (truthy !== undefined) this.drop(t);
    const taken = t.k === "v" ? true : t.k === "s" ? !!t.v : truthy;
    const branch = taken ? n.consequent : n.alternate;
    if (branch) this.statement(branch);
    return false;
  }
  // Virtual objects need no allocation here: each branch has its own state of them, and the join reconciles them.
  const test = this.residual(t);
  const base = this.env;
  this.dynDepth++;
  this.env = new Map(base);
  this.narrow(n.test, true);
  const list1 = this.collect(() => this.statement(n.consequent));
  const env1 = this.env;
  // The second branch takes the environment itself: nothing reads it after the branches, and the
  // first branch had its own copy (each copy is a Map of every live variable: copies were a tenth
  // of json-logic-js's compile).
  this.env = base;
  this.narrow(n.test, false);
  const list2 = n.alternate ? this.collect(() => this.statement(n.alternate)) : [];
  const env2 = this.env;
  this.dynDepth--;
  let end1 = env1;
  let end2 = env2;
  const split = !!rest && !!env1 && !!env2 && shapeSplit(this, env1, env2, restRange);
  if (split) {
    this.shapeSplits = (this.shapeSplits ?? 0) + 1;
    this.dynDepth++;
    this.env = env1;
    for (const st of this.collect(rest!)) list1.push(st);
    end1 = this.env;
    this.env = env2;
    for (const st of this.collect(rest!)) list2.push(st);
    end2 = this.env;
    this.dynDepth--;
  }
  const edges = [];
  if (end1) {
    const fix: Node[] = [];
    list1.push({ type: "BlockStatement", body: fix });
    edges.push({ env: end1, fix });
  }
  if (end2) {
    const fix: Node[] = [];
    list2.push({ type: "BlockStatement", body: fix });
    edges.push({ env: end2, fix });
  }
  this.env = this.merge(edges);
  this.out.push({ type: "IfStatement", test, consequent: { type: "BlockStatement", body: list1 }, alternate: { type: "BlockStatement", body: list2 } });
  return split;
};

/**
 * Splits per compile. Each split evaluates the rest of a statement list once
 * more, so the code after the `if` is emitted twice; nested splits compound.
 * Counted on the natural uses of test/real: the nine fixtures make none,
 * jsonpath-plus 2 per compile (its options object), valibot's deep-frozen
 * schema reaches 8 in one attempt, which compiled in 1.5-1.7 s against
 * 1.5-1.6 s without splits, to code of the same size.
 */
const MAX_SHAPE_SPLITS = 8;

/**
 * Whether the rest of the statement list after a dynamic `if` should run in
 * each branch rather than after the join: a variable holds another virtual
 * object on each branch, or a virtual object that both branches still reach
 * has other keys on each (`const args = { path }; if (json !== undefined)
 * args.json = json;`). The join would allocate it, and everything
 * after it would read a real object at run time; in each branch it keeps its
 * shape, and reads of it fold (mix's polyvariant program points: one copy of
 * the continuation per static state).
 */
function shapeSplit(s: Specializer, env1: Env, env2: Env, restRange?: SourceRange): boolean {
  if (s.generic || s.budget <= 0 || (s.shapeSplits ?? 0) >= MAX_SHAPE_SPLITS) return false;
  if (restRange && keptOnOneBranch(s, env1, env2, restRange)) return true;
  // A variable that holds another object kos made on each branch (`if (typeof x === "string") o =
  // { kind: "s" }; else o = { kind: "n" };`): the join would allocate both, and `o.kind` after it
  // would be read at run time.
  for (const slot of s.frame.slots.values()) {
    if (slot.pinned) continue;
    const a = env1.get(slot)?.val;
    const b = env2.get(slot)?.val;
    if (a?.k !== "v" || b?.k !== "v" || a.o === b.o) continue;
    if (!env1.get(a.o)?.obj?.residual && !env2.get(b.o)?.obj?.residual) return true;
  }
  for (const o of s.reachableVirtuals([{ env: env1, fix: [] }, { env: env2, fix: [] }])) {
    const a = env1.get(o)?.obj;
    const b = env2.get(o)?.obj;
    if (!a || !b || a === b || a.residual || b.residual) continue;
    if (a.props.size !== b.props.size) return true;
    for (const k of a.props.keys()) if (!b.props.has(k)) return true;
  }
  return false;
}

/**
 * A variable that holds an object kos made, still virtual, on one branch, and on the other a
 * value the code got elsewhere or the same object after it escaped (`if (locale.localize.
 * preprocessor) parts = locale.localize.preprocessor(date, parts);`), when the statements after
 * the `if` use the variable. The join would allocate the object on the branch that kept it, and
 * what follows would run on a real array (date-fns's `format` then mapped its 17 tokens through
 * the library's callback at run time, on the path where no preprocessor exists). In each branch,
 * the common one keeps folding.
 */
function keptOnOneBranch(s: Specializer, env1: Env, env2: Env, range: SourceRange): boolean {
  const virtualKept = (env: Env, v: Val | null | undefined): boolean => v?.k === "v" && !!env.get(v.o)?.obj && !env.get(v.o)!.obj!.residual;
  for (const [variable, slot] of s.frame.slots) {
    if (slot.pinned) continue;
    const a = env1.get(slot)?.val;
    const b = env2.get(slot)?.val;
    const keptA = virtualKept(env1, a);
    const keptB = virtualKept(env2, b);
    if (keptA === keptB) continue;
    // The other branch must hold something else in the variable (a value of the same object kept
    // virtual on both is the other test's case).
    const other = keptA ? b : a;
    if (other?.k === "v" && virtualKept(keptA ? env2 : env1, other)) continue;
    if (variable.references.some((r) => r.identifier.start >= range.start && r.identifier.end <= range.end)) return true;
  }
  return false;
}
