/**
 * Virtual objects: objects and arrays the function allocates, kept as field
 * states in the environment instead of being allocated (scalar replacement).
 * One is allocated for real only where it escapes, as a statement at that
 * point, holding the fields it has there.
 */
import type { Node } from "../ast.js";
import { Specializer, id } from "./specializer.js";
import { NULL_PROTO, type Val, type VirtualObject, type VirtualState } from "./values.js";
import { escapeShared, noteSharedRead, noteSharedWrite } from "./loop-shared-objects.js";

declare module "./specializer.js" {
  interface Specializer {
    newVirtual(kind: VirtualObject["kind"], props?: Map<string, Val>, proto?: object): VirtualObject;
    vstate(o: VirtualObject): VirtualState;
    fields(o: VirtualObject): ReadonlyMap<string, Val> | null;
    spreadOperand(v: Val): Val;
    setField(o: VirtualObject, key: string, v: Val): void;
    deleteField(o: VirtualObject, key: string): void;
    escape(o: VirtualObject): Node;
    fieldValue(holder: string, key: string, v: Val): Node;
    allocation(kind: VirtualObject["kind"], props: ReadonlyMap<string, Val>, name: string): Node;
    instanceAllocation(proto: object, props: ReadonlyMap<string, Val>, name: string): Node;
  }
}

const P = Specializer.prototype;

const DEAD_STATE: VirtualState = Object.freeze({ props: new Map<string, Val>(), residual: null });

/** `name.key`, or `name["key"]` for a key that is not an identifier. */
function memberOf(name: string, key: string): Node {
  const plain = /^[A-Za-z_$][\w$]*$/.test(key);
  return { type: "MemberExpression", object: id(name), property: plain ? id(key) : { type: "Literal", value: key, raw: JSON.stringify(key) }, computed: !plain, optional: false };
}


/** A new virtual object with these fields, known on the current path. */
P.newVirtual = function (this: Specializer, kind: VirtualObject["kind"], props: Map<string, Val> = new Map(), proto?: object): VirtualObject {
  const o: VirtualObject = proto ? { kind, proto } : { kind };
  this.env?.set(o, { val: null, obj: { props, residual: null } });
  return o;
};

/** What the current path knows of a virtual object. */
P.vstate = function (this: Specializer, o: VirtualObject): VirtualState {
  if (!this.env) return DEAD_STATE;
  const st = this.env.get(o)?.obj;
  if (!st) return this.fail("INTERNAL", "a virtual object is used on a path where it was not made");
  return st;
};

/** Its fields on the current path, or null once it escaped. */
P.fields = function (this: Specializer, o: VirtualObject): ReadonlyMap<string, Val> | null {
  const st = this.vstate(o);
  if (st.residual) return null;
  if (this.sharedFrames?.length) noteSharedRead(this, o);
  return st.props;
};

/**
 * A spread's operand as the spread sees it: a virtual array or object kos has not allocated is
 * copied where the spread is evaluated, since a later operand of the same literal or call can
 * change it before the literal is built (`[...a, ...(a.push(9), a)]` spread [1, 2] first, then
 * [1, 2, 9]; kos spread the final state twice, sweep25 repro-5). Anything else as it is.
 */
P.spreadOperand = function (this: Specializer, v: Val): Val {
  if (v.k !== "v" || (v.o.kind !== "array" && v.o.kind !== "object")) return v;
  const f = this.fields(v.o);
  if (!f) return v;
  return { k: "v", o: this.newVirtual(v.o.kind, new Map(f), v.o.proto) };
};

/** A field store on the current path (a new state: other paths keep theirs). */
P.setField = function (this: Specializer, o: VirtualObject, key: string, v: Val): void {
  if (!this.env) return;
  const st = this.vstate(o);
  const props = new Map(st.props);
  props.set(key, v);
  if (this.sharedFrames?.length) noteSharedWrite(this, o);
  this.env.set(o, { val: null, obj: { props, residual: st.residual } });
  this.noteVirtualChange(o);
};

P.deleteField = function (this: Specializer, o: VirtualObject, key: string): void {
  if (!this.env) return;
  const st = this.vstate(o);
  const props = new Map(st.props);
  props.delete(key);
  if (this.sharedFrames?.length) noteSharedWrite(this, o);
  this.env.set(o, { val: null, obj: { props, residual: st.residual } });
  this.noteVirtualChange(o);
};

/**
 * Allocates a virtual object for real, as a statement here (its fields are
 * literals or stable temporaries, so allocating it early has no effect
 * anyone can see), and returns its variable.
 */
P.escape = function (this: Specializer, o: VirtualObject): Node {
  // Made, it would be an Array where the callee has an arguments object: the call stays a call.
  if (o.argumentsOf) return this.fail("USES_ARGUMENTS", "an inlined function's `arguments` would have to be made as an object here", null);
  const shared = this.sharedFrames?.length ? escapeShared(this, o) : null;
  if (shared) return shared;
  const st = this.vstate(o);
  if (st.residual) return id(st.residual);
  if (!o.name) {
    o.name = this.fresh(o.kind === "array" ? "arr" : "obj");
    this.hoistName(o.name);
  }
  const name = o.name;
  if (!this.env) return id(name);
  this.env.set(o, { val: null, obj: { props: st.props, residual: name } });
  this.noteVirtualChange(o);
  this.escapes.push(o);
  this.noteInstanceEscape(o);
  this.allocating.add(o);
  let allocation: Node;
  try {
    allocation = o.proto ? this.instanceAllocation(o.proto, st.props, name) : this.allocation(o.kind, st.props, name);
  } finally {
    this.allocating.delete(o);
  }
  this.out.push({ type: "ExpressionStatement", expression: allocation });
  // Fields of objects allocated while this one was (a cycle: `rt._i = it` with `it.rt = rt`) that
  // point back to it: they were allocated holding undefined there, and get it now.
  for (let i = 0; i < this.backReferences.length; ) {
    const b = this.backReferences[i]!;
    if (b.target !== o) {
      i++;
      continue;
    }
    this.backReferences.splice(i, 1);
    this.out.push({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: memberOf(b.holder, b.key), right: id(name) } });
  }
  return id(name);
};


/**
 * A field's value in an allocation: a virtual object whose own allocation is still being built
 * (the two refer to each other) is not allocated yet, so the field holds undefined until it is.
 */
P.fieldValue = function (this: Specializer, holder: string, key: string, v: Val): Node {
  if (v.k === "v" && this.allocating.has(v.o)) {
    this.backReferences.push({ holder, key, target: v.o });
    return { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } };
  }
  return this.residual(v);
};

P.allocation = function (this: Specializer, kind: VirtualObject["kind"], props: ReadonlyMap<string, Val>, name: string): Node {
  const literal: Node =
    kind === "array"
      ? { type: "ArrayExpression", elements: [...props.values()].map((v, i) => this.fieldValue(name, String(i), v)) }
      : {
          type: "ObjectExpression",
          properties: [...props].map(([k, v]) => ({
            type: "Property", kind: "init", method: false, shorthand: false, computed: false,
            key: /^[A-Za-z_$][\w$]*$/.test(k) ? id(k) : { type: "Literal", value: k, raw: JSON.stringify(k) },
            value: this.fieldValue(name, k, v),
          })),
        };
  return { type: "AssignmentExpression", operator: "=", left: id(name), right: literal };
};

/**
 * An instance with its prototype: `name = Object.create(P), name.a = x, …`. Its fields were
 * stored only where no object on the prototype chain has the key (guarded), so assigning them
 * defines own data properties in the same order, as the constructor's stores did.
 */
P.instanceAllocation = function (this: Specializer, proto: object, props: ReadonlyMap<string, Val>, name: string): Node {
  const protoNode: Node = proto === NULL_PROTO ? { type: "Literal", value: null, raw: "null" } : this.residual({ k: "s", v: proto });
  const parts: Node[] = [{ type: "AssignmentExpression", operator: "=", left: id(name), right: { type: "CallExpression", optional: false, callee: this.residual({ k: "s", v: Object.create }), arguments: [protoNode] } }];
  for (const [k, v] of props) {
    parts.push({ type: "AssignmentExpression", operator: "=", left: memberOf(name, k), right: this.fieldValue(name, k, v) });
  }
  return parts.length === 1 ? parts[0]! : { type: "SequenceExpression", expressions: parts };
};

