/**
 * `new C(args)` of a constructor kos can read (an ES5 `function`, or a base
 * class: class-info.ts): the
 * instance is a virtual object with C.prototype as its prototype, and the
 * constructor's body runs in place with it as `this`. Methods then resolve
 * through the prototype (guarded where it is not frozen) and inline, and an
 * instance that never escapes is never allocated: an interpreter's
 * `new Context(view)` or `new Scanner(text)` becomes locals. An instance that
 * escapes is allocated as `Object.create(C.prototype)` with its fields.
 *
 * Exactness: C.prototype is read as `new` reads it (guarded when C is not
 * frozen). A field is stored on the virtual instance only where no object on
 * its prototype chain has the key (a guarded `in` check), so no setter or
 * read-only property is skipped. A constructor that returns an object gives
 * that object; one whose returned value kos cannot classify runs as written.
 */
import { walk, type Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import { D, isPrimitive, type Val, type VirtualObject } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { isBuiltin } from "../builtins.js";
import { NATIVE_CONSTRUCTORS } from "./builtin-calls.js";
import { classConstructorInfo, isClass } from "./class-info.js";
import { types as utilTypes } from "node:util";

declare module "./specializer.js" {
  interface Specializer {
    constructInPlace(callee: Val, args: Val[], n: Node): Val | null;
    instanceOf(obj: Val, ctor: Val): Val | null;
  }
}

const P = Specializer.prototype;

P.constructInPlace = function (this: Specializer, callee: Val, args: Val[], n: Node): Val | null {
  if (this.generic || callee.k !== "s" || typeof callee.v !== "function") return null;
  const C = callee.v as Function;
  if (isBuiltin(C)) return null;
  let info;
  try {
    info = isClass(C) ? classConstructorInfo(C) : this.infos.get(C);
  } catch {
    return null;
  }
  if (info.opaque || info.parsed.kind !== "function" || info.node.async || info.node.generator || info.usesArguments || readsNewTarget(info.node)) return null;
  if (info.parsed.strict !== this.rootStrict) return null;
  if (this.frame.depth + 1 > this.options.maxDepth || this.budget <= 0) return null;
  const proto = knownPrototype(this, C);
  if (!proto) return null;
  if (this.options.realInstanceSites?.has(n)) return null;
  if (!this.admitsFreeNames(info.scopes.free.keys())) return null;
  const key = `new ${this.objectId(C)}`;
  if (this.inlineStack.includes(key)) return null;
  // Guards a failed attempt recorded are dropped with it (nothing it emitted remains to need them).
  const guardsBefore = this.contentGuards?.length ?? 0;
  const p = this.probe((): Val | null => {
    // Fields are defined, not assigned: the same only where no object on the prototype chain has the key.
    if (info.fields?.some((f) => this.knownHas(proto, f) !== false)) return null;
    const self: Val = { k: "v", o: this.newVirtual("object", new Map(), proto) };
    (self.o as VirtualObject).site = n;
    this.reserveWords(info.words);
    this.liveValues.push(self);
    let r: Val | null;
    try {
      r = this.inlineFrame(info, info.node, new Map(), self, args, key);
    } finally {
      this.liveValues.pop();
    }
    if (!r) return null;
    // [[Construct]]: an object the body returns replaces the instance; anything else gives the instance.
    if (r.k === "v" || (r.k === "s" && !isPrimitive(r.v))) return r;
    if (r.k === "s") return self;
    if (r.type && r.type !== "object" && r.type !== "function") {
      this.drop(r);
      return self;
    }
    // Unknown at compile time: the same test [[Construct]] makes, at run time.
    const t = this.stable(r, "made");
    const isObject: Node = {
      type: "LogicalExpression", operator: "||",
      left: { type: "LogicalExpression", operator: "&&", left: { type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: this.residual(t) }, right: { type: "Literal", value: "object", raw: '"object"' } }, right: { type: "BinaryExpression", operator: "!==", left: this.residual(t), right: { type: "Literal", value: null, raw: "null" } } },
      right: { type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: this.residual(t) }, right: { type: "Literal", value: "function", raw: '"function"' } },
    };
    return this.branchValue(D(isObject, "boolean"), () => t, () => self, [], (test, a, b) => ({ type: "ConditionalExpression", test, consequent: a, alternate: b }));
  });
  if (!p.result) {
    p.undo();
    if (this.contentGuards) this.contentGuards.length = guardsBefore;
    return null;
  }
  p.commit();
  return p.result;
};

/** A constructor that reads `new.target` (itself or in an arrow) runs as written: inlined code would read undefined. */
function readsNewTarget(node: Node): boolean {
  let found = false;
  walk(node, (x) => {
    if (found) return false;
    if (x !== node && (x.type === "FunctionExpression" || x.type === "FunctionDeclaration")) return false;
    if (x.type === "MetaProperty" && x.meta?.name === "new") found = true;
    return;
  });
  return found;
}

/** `C.prototype`, read as `new` reads it: folded from a frozen C, or guarded; an object, else null. */
function knownPrototype(s: Specializer, C: Function): object | null {
  const f = readFrozenProperty(C, "prototype", s.options.freeze);
  const v = f.ok ? f.value : (s.guardedRead(C, "prototype") as { v?: unknown } | null)?.v;
  if (v === null || typeof v !== "object" || utilTypes.isProxy(v)) return null;
  return v;
}

/**
 * `x instanceof C` for an instance kos made: true when C.prototype is the instance's own
 * prototype and C keeps the default `Symbol.hasInstance` (both guarded). Other cases run.
 */
P.instanceOf = function (this: Specializer, obj: Val, ctor: Val): Val | null {
  if (ctor.k !== "s" || typeof ctor.v !== "function") return null;
  // A primitive is an instance of nothing (OrdinaryHasInstance returns false for a non-object,
  // bound functions included): mingo's `isEqual` asks `"paid" instanceof Date` of its folded operand.
  const primitive = obj.k === "s" && (obj.v === null || (typeof obj.v !== "object" && typeof obj.v !== "function"));
  if (!primitive && (obj.k !== "v" || !obj.o.proto || !this.fields(obj.o))) return null;
  const C = ctor.v as Function;
  const hasInstance = readFrozenProperty(C, Symbol.hasInstance, this.options.freeze);
  const h = hasInstance.ok ? hasInstance.value : (this.guardedRead(C, Symbol.hasInstance) as { v?: unknown } | null)?.v;
  if (h !== Function.prototype[Symbol.hasInstance]) return null;
  // Not a bound function: its target's own `Symbol.hasInstance` would be asked (a user function or
  // class cannot be one; of the built-ins, only the constructors kos knows by identity).
  if (primitive) return !isBuiltin(C) || NATIVE_CONSTRUCTORS.has(C) ? { k: "s", v: false } : null;
  if (obj.k !== "v") return null;
  if (knownPrototype(this, C) !== obj.o.proto) return null;
  return { k: "s", v: true };
};

declare module "./specializer.js" {
  interface Specializer {
    /**
     * `this.k = value` statements whose value their statement list evaluated before the statement
     * (preEvaluateFieldStore), with the frame it was evaluated in: the store itself is then
     * speculated on after foreign code the value ran.
     */
    preEvaluatedStores?: Map<Node, { frame: object; val: Val }>;
    /** The assignment node of `st` when it is such a store and its value was evaluated now; else null. */
    preEvaluateFieldStore(st: Node): Node | null;
  }
}

/**
 * `this.k = value` on an instance kos made whose `k` is not yet a field of it: the store is a
 * field only where no object on the prototype chain has `k`, which code run by the value (a getter
 * of an option: `this.scale = opts.scale || 1`) may have changed, and asked after it, unguarded,
 * the store made the instance real on the fast path, so the whole construction ran as written. As
 * the source evaluates it (`this`, the key, then the value, then the store), the value is
 * evaluated first here, so that the statement list is speculated on from the store on
 * (statements.ts), where the prototype chain is asked again behind a guard.
 */
P.preEvaluateFieldStore = function (this: Specializer, st: Node): Node | null {
  if (this.generic || this.options.freeze !== "guard" || !storesNewInstanceField(this, st)) return null;
  const n = st.expression as Node;
  const r = n.right as Node;
  // A value that runs no code: the statement is speculated on as it is (statements.ts), where a read needed a guard.
  if (r.type === "Identifier" || r.type === "Literal" || r.type === "ThisExpression") return null;
  const val = this.stable(this.expr(r));
  (this.preEvaluatedStores ??= new Map()).set(n, { frame: this.frame, val });
  // Asked again where the rest is speculated on: a prototype chain read after foreign code.
  if (this.foreignRan) this.staleMiss = true;
  return n;
};

/** Whether statement `st` is `this.k = …` on an instance kos made that does not have `k` yet. */
function storesNewInstanceField(s: Specializer, st: Node): boolean {
  if (st.type !== "ExpressionStatement" || st.expression.type !== "AssignmentExpression" || st.expression.operator !== "=") return false;
  const left = st.expression.left;
  if (left.type !== "MemberExpression" || left.computed || left.object.type !== "ThisExpression" || left.property.type !== "Identifier") return false;
  const self = s.frame.thisVal;
  if (self.k !== "v" || !self.o.proto) return false;
  const fields = s.fields(self.o);
  return !!fields && !fields.has(left.property.name as string);
}
