/**
 * Private names (`#x`), for `kos build` only (the `privateNames` option):
 * the compiled method is placed inside its own class body, where `#x`
 * resolves, so the root method's private member reads, writes, updates and
 * `#x in o` stay residual, as written, in source order. Nothing is folded
 * from them: a private getter or setter can run user code, so each one
 * counts as foreign code. Which forms reach here is decided by the parse
 * (parse.ts `checkPrivateUses`); a function parsed without the option never
 * has a `#x`, and its callees never do.
 */
import type { Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import { D, type Val } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Whether `#x` may stay residual here: only in the root's own code, parsed with `privateNames`. */
    privateNamesHere(): boolean;
    privateRead(n: Node): Val;
    privateAssign(n: Node): Val;
    privateUpdate(n: Node): Val;
    privateIn(n: Node): Val;
  }
}

const P = Specializer.prototype;

const privateMember = (object: Node, name: string): Node => ({ type: "MemberExpression", object, property: { type: "PrivateIdentifier", name }, computed: false, optional: false });

P.privateNamesHere = function (this: Specializer): boolean {
  return this.frame.info.parsed.privateNames === true;
};

/** `o.#x` */
P.privateRead = function (this: Specializer, n: Node): Val {
  const obj = this.expr(n.object);
  const objNode = this.residual(obj);
  this.foreignCodeMayRun();
  return D(privateMember(objNode, n.property.name));
};

/** `o.#x = v`, `o.#x += v`, `o.#x ??= v`, … */
P.privateAssign = function (this: Specializer, n: Node): Val {
  const left = n.left;
  if (n.operator === "=") {
    // `o`, then the right-hand side, then the store (which checks that `o` has `#x`).
    const [obj, value] = this.evalSeq([left.object, n.right], (e) => this.expr(e)) as [Val, Val];
    const objNode = this.residual(obj);
    const valNode = this.residual(value);
    this.foreignCodeMayRun();
    return D({ type: "AssignmentExpression", operator: "=", left: privateMember(objNode, left.property.name), right: valNode });
  }
  // A compound assignment reads `o.#x` before the right-hand side runs: the right side stays as written.
  const obj = this.stable(this.expr(left.object));
  const right = this.verbatim(n.right);
  this.foreignCodeMayRun();
  return D({ type: "AssignmentExpression", operator: n.operator, left: privateMember(this.residual(obj), left.property.name), right });
};

/** `o.#x++`, `--o.#x` */
P.privateUpdate = function (this: Specializer, n: Node): Val {
  const obj = this.expr(n.argument.object);
  const objNode = this.residual(obj);
  this.foreignCodeMayRun();
  return D({ type: "UpdateExpression", operator: n.operator, prefix: n.prefix, argument: privateMember(objNode, n.argument.property.name) });
};

/** `#x in o`: a brand check; it runs no user code (and throws TypeError when `o` is not an object). */
P.privateIn = function (this: Specializer, n: Node): Val {
  const right = this.expr(n.right);
  return D({ type: "BinaryExpression", operator: "in", left: { type: "PrivateIdentifier", name: n.left.name }, right: this.residual(right) }, "boolean");
};
