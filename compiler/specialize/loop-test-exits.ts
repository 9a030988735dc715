/**
 * A loop test `a && b` where one side is static and the other dynamic
 * (lodash's `while (object != null && index < length)`, a scanner's
 * `i < n && s[i] !== q`): the static side bounds the loop, so it unrolls,
 * and each dynamic side becomes a test that leaves it (`if (!(a)) break`).
 * Only where no side runs code or emits statements: a side left out because a
 * static one is false, or tested apart from the others, then changes nothing.
 * Without this the whole loop stayed a loop, reading its fixed program at run
 * time: `_.property(["a", "b", 0, "c"])` ran at 48 ns a call against the
 * library's 35 ns.
 */
import type { Node } from "../ast.js";
import { isInert } from "./loop-shapes.js";
import type { Specializer, Target } from "./specializer.js";
import type { Val } from "./values.js";

/**
 * Tests built only of reads and operators: a side that writes (`i++ < n`) would be evaluated apart
 * from the exit that skips it, and `object != null && i++ < n` then left the loop with `i` unchanged.
 */
const READS = new Set(["Identifier", "Literal", "ThisExpression", "MemberExpression", "ChainExpression", "BinaryExpression", "LogicalExpression", "UnaryExpression", "ConditionalExpression"]);
function readsOnly(n: Node): boolean {
  if (!READS.has(n.type) || (n.type === "UnaryExpression" && n.operator === "delete")) return false;
  if (n.type === "MemberExpression") return readsOnly(n.object) && (!n.computed || readsOnly(n.property));
  return [n.argument, n.left, n.right, n.test, n.consequent, n.alternate, n.expression].every((c: Node | undefined) => !c || readsOnly(c));
}

function conjuncts(test: Node, out: Node[] = []): Node[] {
  if (test.type === "LogicalExpression" && test.operator === "&&") {
    conjuncts(test.left, out);
    conjuncts(test.right, out);
  } else out.push(test);
  return out;
}

/**
 * Unrolls past a dynamic loop test: null where it does not apply (nothing emitted), false where a
 * static side is false (the loop ends), true where the iteration runs after the emitted exits.
 */
export function exitOnDynamicConjuncts(s: Specializer, test: Node, breakT: Target): boolean | null {
  const parts = conjuncts(test);
  if (parts.length < 2 || !readsOnly(test)) return null;
  const epoch = s.foreignEpoch ?? 0;
  const p = s.probe(() => {
    const vals: Val[] = [];
    for (const part of parts) {
      const v = s.expr(part);
      vals.push(v);
      if (!s.env || (v.k !== "d" && !(v.k === "v" || (v as { v: unknown }).v))) break;
    }
    return vals;
  });
  const vals = p.result;
  const dynamic = vals.filter((v) => v.k === "d");
  if (!s.env || dynamic.length === 0 || dynamic.length === parts.length || (s.foreignEpoch ?? 0) !== epoch || !p.emitted.every((x) => isInert(x))) {
    p.undo();
    return null;
  }
  // Nothing it emitted does anything (checked above): the exits are emitted from the state before it.
  p.undo();
  const last = vals[vals.length - 1]!;
  if (last.k !== "d" && !(last.k === "v" || (last as { v: unknown }).v)) return false;
  for (const [k, v] of vals.entries()) {
    if (v.k !== "d") continue;
    const before: NonNullable<Specializer["env"]> = s.env!;
    const leave = s.collect(() => {
      s.env = new Map(before);
      s.jump(breakT, "break");
    });
    s.out.push({ type: "IfStatement", test: { type: "UnaryExpression", operator: "!", prefix: true, argument: (v as { e: Node }).e }, consequent: { type: "BlockStatement", body: leave }, alternate: null });
    s.env = before;
    // Past the exit the side held: `object != null` lets later reads of `object` skip their null checks.
    s.narrow(parts[k]!, true);
  }
  return true;
}
