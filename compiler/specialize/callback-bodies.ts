/**
 * Callbacks handed to calls that stay calls: `values.some((v) => isEqual(expr, v))`
 * on an array known only at run time, a comparator passed to `sort`, a visitor
 * passed to a function kos does not inline. The function is still made where
 * the source makes it, and still called by whoever calls it, but its body is
 * specialized: on the bindings it captures that never change, and on the
 * module values it reads. A copy of the source (verbatim.ts) kept mingo's
 * `(v) => isEqual(expr, v)` a call of the generic `isEqual` per item.
 *
 * The body is evaluated the way a residual version is (residual-versions.ts):
 * its parameters are dynamic, and it runs at a time kos does not know, after
 * any code, so nothing read from an unfrozen object before it holds in it.
 * What it captures comes from the copy's own work: verbatim.ts has already put
 * every captured binding in its variable and allocated every object kos made
 * that the function can reach. A binding the function's scope reassigns
 * anywhere is read from its variable; only the others keep what kos knows of
 * them (they hold that value for as long as they exist). Where the body holds
 * a construct kos cannot evaluate, the copy stays.
 *
 * Not for functions that use `arguments`, nor for a function (not an arrow)
 * that uses `this`, `new.target` or `super`, nor for a named function expression (its own name is a binding of its own), async or
 * generator functions, or parameters other than plain names.
 */
import type { Node } from "../ast.js";
import { Specializer, id, type Frame } from "./specializer.js";
import { D, UNDEF, type Closure, type Val } from "./values.js";
import { ownUses } from "./closures.js";
import { detachedBlock, evaluateDetached } from "./detached-bodies.js";

declare module "./specializer.js" {
  interface Specializer {
    /** A call's argument as residual code: a callback kos made, with its body specialized where it can be. */
    residualArgument(a: Val): Node;
    /** Each callback copy's specialized form (null: it stays the copy), by the copy's node. */
    specializedCallbacks?: WeakMap<Node, Node | null>;
    /** The specialized callbacks made, for the residual clean-up (compile.ts runs it on each). */
    callbackBodies?: Node[];
  }
}

const P = Specializer.prototype;

P.residualArgument = function (this: Specializer, a: Val): Node {
  if (a.k !== "d" || !a.closure || this.generic) return this.residual(a);
  const copy = a.e;
  // Only the copy the function expression made, in the argument's place (read from a variable, the
  // function is made elsewhere, and it is that one the call gets).
  if ((copy.type !== "ArrowFunctionExpression" && copy.type !== "FunctionExpression") || copy.type !== a.closure.node.type) return copy;
  const memo = (this.specializedCallbacks ??= new WeakMap());
  let made = memo.get(copy);
  if (made === undefined) {
    made = specializeCallback(this, a.closure, copy);
    memo.set(copy, made);
  }
  return made ?? copy;
};

function specializeCallback(s: Specializer, c: Closure, copy: Node): Node | null {
  const node = c.node;
  const frame = c.frame as Frame;
  if (node.async || node.generator || node.id || !(node.params as Node[]).every((p) => p.type === "Identifier")) return null;
  if (!s.isActiveFrame(frame)) return null;
  // An arrow's `this` is its frame's (the copy made that hold its value in a variable, or kept
  // `this` itself in the root); a function's own `this` is left to the copy.
  const own = ownUses(node);
  const isArrow = node.type === "ArrowFunctionExpression";
  if ((own.usesThis && !isArrow) || own.usesArguments) return null;
  if (s.frame.depth + 1 > s.options.maxDepth || s.budget <= 0) return null;
  const slots = new Map([...frame.slots, ...(c.slots as Frame["slots"])]);
  // The captured bindings as the function will find them when it runs: one its scope reassigns, in
  // its variable (the copy put it there); one never reassigned keeps its value.
  const env = new Map(s.env!);
  for (const slot of new Set(slots.values())) {
    const st = env.get(slot);
    if (st && slot.reassigned) env.set(slot, { val: null });
  }
  const params: string[] = [];
  const args: Val[] = (node.params as Node[]).map((p) => {
    const name = s.fresh(p.name as string);
    s.immutable.add(name);
    params.push(name);
    return D(id(name));
  });
  const escapesAt = s.escapes.length;
  const made = evaluateDetached(s, { env, ownStacks: false, restoreStaleMiss: true }, () =>
    s.inlineFrame(frame.info, node, slots, isArrow ? frame.thisVal : UNDEF, args, `callback@${node.start ?? 0}:${s.objectId(frame)}`),
  );
  if (!made.result) {
    // What the attempt allocated is reached only from the code thrown away.
    s.escapes.length = escapesAt;
    return null;
  }
  const fn: Node = { type: copy.type, id: null, params: params.map(id), generator: false, async: false, expression: false, body: detachedBlock(made) };
  (s.callbackBodies ??= []).push(fn);
  return fn;
}
