/**
 * Private names (`#x`).
 *
 * At run time, generated code sits outside the class and cannot name `#x`. A read of a private
 * field of a known object (`this.#compiled` on a specialized receiver) folds to the field's value
 * when the class's source writes the field only in its constructor, and the object is built
 * (options.lookupPrivate, discover/private-fields.ts): the value cannot change, so it needs no
 * guard; what the value holds is read like any other object kos does not own. Every other use
 * falls back with USES_PRIVATE_NAME and its line.
 *
 * For `kos build` (the `privateNames` option):
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
import { D, S, UNDEF, type Val } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Whether `#x` may stay residual here: only in the root's own code, parsed with `privateNames`. */
    privateNamesHere(): boolean;
    privateRead(n: Node): Val;
    foldedPrivateRead(n: Node): Val;
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

/** `o.#x` at run time: the field of a known object, folded, or a fallback that names it. */
P.foldedPrivateRead = function (this: Specializer, n: Node): Val {
  const name = n.property.name as string;
  const obj = this.expr(n.object);
  if (!this.env) return UNDEF; // dead code
  const lookup = this.options.lookupPrivate;
  if (obj.k !== "s" || obj.v === null || (typeof obj.v !== "object" && typeof obj.v !== "function") || !lookup) {
    return this.fail("USES_PRIVATE_NAME", `the function reads \`#${name}\` of an object not known at compile time; generated code outside the class cannot reach private names`, n);
  }
  const found = lookup(this.frame.info.fn, obj.v, name);
  if (!found.found) return this.fail("USES_PRIVATE_NAME", `\`#${name}\` cannot be read from outside its class: ${found.reason}`, n);
  if (!found.stable) return this.fail("USES_PRIVATE_NAME", `\`#${name}\` can change after construction (${found.reason ?? "written outside the constructor"}), and generated code outside the class cannot read it again`, n);
  return S(found.value);
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
