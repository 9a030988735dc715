/**
 * Assignments and updates of variables: `=`, the compound and logical
 * assignment operators, `++` and `--`. Member and pattern targets have
 * their own methods (objects.ts, patterns.ts).
 */
import type { Node } from "../ast.js";
import { Specializer, id } from "./specializer.js";
import { D, S, UNDEF, isPrimitive, type Val } from "./values.js";
import { primitiveTypes } from "./operators.js";

declare module "./specializer.js" {
  interface Specializer {
    assignment(n: Node): Val;
    update(n: Node): Val;
  }
}

const P = Specializer.prototype;

P.assignment = function (this: Specializer, n: Node): Val {
  const op: string = n.operator;
  if (n.left.type === "Identifier") {
    const slot = this.slotOf(n.left);
    if (!slot) {
      const variable = this.frame.info.scopes.resolve(n.left);
      if (variable) return this.fail("UNSUPPORTED", `assignment to '${n.left.name}' before its declaration`, n);
      return this.fail("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${n.left.name}'`, n);
    }
    if (slot.kind === "const") return this.fail("UNSUPPORTED", `assignment to the constant '${n.left.name}' (throws TypeError)`, n);
    if (op === "=") {
      const v = this.expr(n.right);
      const stable = this.stable(v, slot.name);
      this.write(slot, stable, n);
      return stable.k === "d" ? this.read(slot) : stable;
    }
    if (op === "&&=" || op === "||=" || op === "??=") {
      const cur = this.read(slot);
      const logicalOp = op.slice(0, 2);
      const decide = (v: unknown) => (logicalOp === "&&" ? !!v : logicalOp === "||" ? !v : v === null || v === undefined);
      if (cur.k === "s") {
        if (!decide(cur.v)) return cur;
        const v = this.stable(this.expr(n.right), slot.name);
        this.write(slot, v, n);
        return v;
      }
      this.materialize(slot);
      const curNode = id(slot.name);
      const test = logicalOp === "&&" ? D(curNode) : logicalOp === "||" ? D({ type: "UnaryExpression", operator: "!", prefix: true, argument: id(slot.name) }) : D({ type: "BinaryExpression", operator: "==", left: id(slot.name), right: { type: "Literal", value: null, raw: "null" } });
      this.branchValue(test, () => {
        const v = this.stable(this.expr(n.right), slot.name);
        this.write(slot, v, n);
        return UNDEF;
      }, () => UNDEF, [n.right], () => ({ type: "Literal", value: null, raw: "null" }));
      this.materialize(slot);
      return D(id(slot.name));
    }
    // The current value is read first; it needs a copy only if evaluating the right side emits
    // statements that may change it (hoistPending decides, as for any pending operand).
    const list = this.out;
    const mark = list.length;
    const pending = [this.read(slot)];
    const rhs = this.expr(n.right);
    if (list.length !== mark) this.hoistPending(pending, mark);
    const cur = pending[0]!;
    const v = this.stable(this.binary(op.slice(0, -1), cur, rhs, n), slot.name);
    this.write(slot, v, n);
    return v.k === "d" ? this.read(slot) : v;
  }
  if (n.left.type === "MemberExpression") return this.assignMember(n);
  return this.assignPattern(n);
};

P.update = function (this: Specializer, n: Node): Val {
  if (n.argument.type === "Identifier") {
    const slot = this.slotOf(n.argument);
    if (!slot) return this.fail("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${n.argument.name}'`, n);
    if (slot.kind === "const") return this.fail("UNSUPPORTED", `assignment to the constant '${n.argument.name}' (throws TypeError)`, n);
    const cur = this.read(slot);
    if (cur.k === "s" && (typeof cur.v === "number" || typeof cur.v === "bigint")) {
      const next = n.operator === "++" ? (cur.v as number) + ((typeof cur.v === "bigint" ? 1n : 1) as number) : (cur.v as number) - ((typeof cur.v === "bigint" ? 1n : 1) as number);
      this.write(slot, S(next), n);
      return S(n.prefix ? next : cur.v);
    }
    this.materialize(slot);
    this.declare(slot);
    // ToNumeric of an object runs its valueOf.
    if (!(cur.k === "s" ? isPrimitive(cur.v) : cur.k === "d" && cur.type && primitiveTypes.has(cur.type))) this.foreignCodeMayRun();
    return D({ type: "UpdateExpression", operator: n.operator, prefix: n.prefix, argument: id(slot.name) }, cur.k === "d" && cur.type === "number" ? "number" : undefined);
  }
  if (n.argument.type === "MemberExpression") return this.updateMember(n);
  return this.fail("UNSUPPORTED", `update of ${n.argument.type}`, n);
};
