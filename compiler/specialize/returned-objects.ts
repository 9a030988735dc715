/**
 * An inlined call whose returns each make a fresh object of one shape (a tuple
 * `[obj, obj[name]]` on the specialized path and on the generic one, a
 * `{ value, done }` record): at the join, one virtual object stands for all of
 * them, and a field the paths disagree on becomes a variable each path writes.
 * Without this, every such return allocated at the join: expression-eval's
 * `evaluateMember` returns `[object, object[name]]` from both branches of each
 * member access, and its caller reads `[1]` straight away.
 *
 * Exact because nothing else can tell the objects apart: each is reachable from
 * its path's return value only (not from a running frame's variables, `this`,
 * arguments, or a field of another object), so no code after the join holds
 * one of them to compare with the merged one. Instances of classes (a
 * prototype other than Object's or Array's) are left alone: allocated, they
 * take a hidden class of kos's making (compile.ts, realInstanceSites).
 */
import type { Node } from "../ast.js";
import type { Edge, Specializer } from "./specializer.js";
import { id } from "./specializer.js";
import { D, sameVal, type Val, type VirtualObject, type VirtualState } from "./values.js";

/**
 * The value of the join of `edges`, each returning `values[i]`, when every return is a virtual
 * object only its return value reaches and all have the same kind and keys; else null. The merged
 * object's state is set in `env` (the join's environment) by the caller, from `state`.
 */
export function mergeReturnedObjects(s: Specializer, edges: Edge[], values: Val[]): { value: Val; object: VirtualObject; state: VirtualState } | null {
  if (values.length < 2 || !values.every((v) => v.k === "v")) return null;
  const objs = values.map((v) => (v as Extract<Val, { k: "v" }>).o);
  if (new Set(objs).size !== objs.length) return null;
  const first = objs[0]!;
  if (objs.some((o) => o.kind !== first.kind || o.proto !== undefined || o.name !== undefined)) return null;
  const states = edges.map((e, i) => e.env?.get(objs[i]!)?.obj as VirtualState | undefined);
  if (states.some((st) => !st || st.residual !== null)) return null;
  const keys = [...states[0]!.props.keys()];
  if (!states.every((st) => st!.props.size === keys.length && keys.every((k, j) => [...st!.props.keys()][j] === k))) return null;
  // Reached from nowhere else: not from the running frames (the callee's frame has been popped), nor
  // from another object's field.
  const reachable = s.reachableVirtuals(edges);
  if (objs.some((o) => reachable.has(o))) return null;
  for (let i = 0; i < edges.length; i++) {
    for (const [key, st] of edges[i]!.env!) {
      if (!st.obj || key === objs[i]) continue;
      for (const v of st.obj.props.values()) if (v.k === "v" && v.o === objs[i]) return null;
    }
  }
  const props = new Map<string, Val>();
  const writes: Array<Array<{ name: string; value: Val }>> = edges.map(() => []);
  for (const k of keys) {
    const vals = states.map((st) => st!.props.get(k)!);
    if (vals.every((v) => sameVal(v, vals[0]!))) {
      props.set(k, vals[0]!);
      continue;
    }
    const t = s.fresh("f");
    s.hoistName(t);
    vals.forEach((v, i) => writes[i]!.push({ name: t, value: v }));
    props.set(k, D(id(t)));
  }
  // Each path writes the fields it disagrees on in its own fix-up block, before the join (an object a
  // field holds escapes there, on that path).
  edges.forEach((e, i) => {
    const own = { fix: [] as Node[], env: e.env! };
    for (const w of writes[i]!) {
      const value = s.residualAt(own, w.value);
      own.fix.push({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(w.name), right: value } });
    }
    e.fix.unshift(...own.fix);
  });
  const object: VirtualObject = { kind: first.kind };
  return { value: { k: "v", o: object }, object, state: { props, residual: null } };
}
