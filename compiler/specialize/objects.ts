/**
 * Objects: property reads and writes, object and array literals
 * (object-literals.ts), `delete`.
 * Literals allocated by the function stay virtual (their fields tracked) until
 * they escape. Reads from known objects fold only when no user code can run
 * and the value cannot change: own or inherited data properties of ordinary
 * objects that are frozen (or non-writable and non-configurable), and the
 * built-in intrinsics, which kos assumes unmodified after jit (as V8 does
 * until a protector breaks). Accessors and proxies always stay dynamic.
 */
import { types as utilTypes } from "node:util";
import type { Node } from "../ast.js";
import { hasIntrinsicLength } from "../typed-array-checks.js";
import { walk } from "../ast.js";
import { isBuiltin } from "../builtins.js";
import { noteFolded, pristineArguments } from "./own-arguments.js";
import { Specializer, id } from "./specializer.js";
import { D, S, UNDEF, isPrimitive, type Val, type VirtualObject } from "./values.js";
import "./private-names.js";

declare module "./specializer.js" {
  interface Specializer {
    memberExpression(n: Node): Val;
    readMember(obj: Val, key: Val, n: Node | null, optional?: boolean): Val;
    assignMember(n: Node): Val;
    updateMember(n: Node): Val;
    deleteExpression(n: Node): Val;
    /** Allocates the virtual objects `sources` reference (but those in `keep`). */
    escapeReferencedIn(sources: Node[], keep?: ReadonlySet<VirtualObject>): void;
    escapeAllVirtuals(): void;
    propertyKey(n: Node): Val;
  }
}

const P = Specializer.prototype;

const TypedArrayProto = Object.getPrototypeOf(Int8Array.prototype) as object;
/** Built-in objects whose data properties kos reads at compile time (assumed unmodified after jit). */
const INTRINSICS = new Set<unknown>([
  Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype, Boolean.prototype,
  Symbol.prototype, BigInt.prototype, RegExp.prototype, Date.prototype, Error.prototype, Map.prototype, Set.prototype,
  Promise.prototype, TypedArrayProto, Math, JSON, Reflect, Object, Array, Number, String, Boolean, Symbol, BigInt,
  ArrayBuffer.prototype,
  ...["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]
    .map((k) => ((globalThis as unknown as Record<string, { prototype: object }>)[k]!).prototype),
]);

export type Fold = { ok: true; value: unknown } | { ok: false };
const NO: Fold = { ok: false };

function isTyped(o: object): boolean {
  return ArrayBuffer.isView(o);
}

/** Reads `obj[key]` at compile time if no user code can run and the value can never change. */
export function readFrozenProperty(obj: object, key: PropertyKey, policy: string): Fold {
  let holder: object | null = obj;
  while (holder) {
    if (utilTypes.isProxy(holder)) return NO;
    // Built-ins (a native function's `call`) are assumed unmodified after jit, as the documented assumption says.
    const intrinsic = INTRINSICS.has(holder) || (typeof holder === "function" && isBuiltin(holder));
    if (!intrinsic && policy === "reference") return NO;
    if (isTyped(holder) && (typeof key === "string" && /^(0|[1-9]\d*)$/.test(key))) return NO;
    const d = Reflect.getOwnPropertyDescriptor(holder, key);
    if (d) {
      if (!("value" in d)) return NO;
      // An enumerable own property of a native function is the program's (the engine's own are not
      // enumerable): a flag hung on a native addon's function changes like any other (sweep48).
      const programs = intrinsic && d.enumerable && typeof holder === "function" && !INTRINSICS.has(holder);
      if ((intrinsic && !programs) || Object.isFrozen(holder) || (!d.writable && !d.configurable)) return { ok: true, value: d.value };
      return NO;
    }
    // An object that can still change lacks the key only for now: it can gain an own one, or another
    // prototype (`Object.setPrototypeOf(cfg, null)` took `cfg.constructor` away; sweep21, repro-3).
    // A value found further up is then read behind a guard (guardedRead), never folded as is.
    if (!intrinsic && Object.isExtensible(holder)) return NO;
    // A frozen array's or function's missing key is not assumed missing from Array.prototype and
    // Function.prototype for good: `Array.prototype[5] = …` or `Function.prototype.extra = …` after
    // jit() gives a hole, a missing index or a missing property a value, which compiled code read as
    // undefined (sweep38 #1, #3). The read stays a read. (Primitives' prototypes, and Object.prototype
    // under every object, stay the documented assumption: a known string's index past its end folds.)
    if ((holder === Array.prototype || holder === Function.prototype) && holder !== obj) return NO;
    holder = Reflect.getPrototypeOf(holder);
  }
  return { ok: true, value: undefined };
}

export const isIndex = (k: unknown): k is string => typeof k === "string" && /^(0|[1-9]\d{0,8})$/.test(k);

function keyOf(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 1e9 && !Object.is(v, -0)) return String(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  return null;
}

P.propertyKey = function (this: Specializer, n: Node): Val {
  return S(n.name);
};

P.memberExpression = function (this: Specializer, n: Node): Val {
  if (n.property.type === "PrivateIdentifier") return this.privateNamesHere() ? this.privateRead(n) : this.foldedPrivateRead(n);
  // `arguments.length` and `arguments[k]` of an inlined call are known from the call site; the
  // root's, where its argument count is guarded (past that count, a read stays a read).
  if (this.frame.args && n.object.type === "Identifier" && n.object.name === "arguments") {
    const v = this.frame.info.scopes.resolve(n.object);
    if (!v || v.defs.length === 0) {
      // The root's, where the residual lets the object escape before a read (compile.ts): read at run
      // time, as written, unless no code can have held it yet. Folded to the guarded count there,
      // `arguments.length` after `fn.apply(this, arguments)` kept the count an `apply` of the
      // program's own had changed (main at c14956b).
      const asWritten = this.frame.root && !this.options.ownArgumentsKept && !pristineArguments(this);
      if (!n.computed && n.property.name === "length" && !asWritten) return this.frame.root ? rootItemRead(this, S(this.frame.args.length)) : S(this.frame.args.length);
      if (asWritten) {
        // (Read below, as any member of the object.)
      } else if (n.computed && n.property.type === "Literal" && typeof n.property.value === "number") {
        const item = this.frame.args[n.property.value];
        if (item && this.frame.root) return rootItemRead(this, item);
        if (item || !this.frame.root) return item ?? UNDEF;
      } else if (n.computed && this.frame.root) {
        // `arguments[_key]` in Babel's rest loop: an item once the key is known (it may run code, as
        // the original's key would: it is evaluated first, once).
        const key = this.expr(n.property);
        if (!this.env) return UNDEF;
        const item = key.k === "s" && typeof key.v === "number" && Number.isInteger(key.v) && key.v >= 0 ? this.frame.args[key.v] : undefined;
        if (item) return item;
        return this.readMember(this.argumentsObject(n.object), key, n);
      }
    }
  }
  const [obj, key] = this.evalSeq([n.object, n.property], (e) => (e === n.property && !n.computed ? S(e.name) : this.expr(e))) as [Val, Val];
  return this.readMember(obj, key, n);
};

/**
 * The root's `arguments.length` or an item below its guarded count: data, unless the object
 * escapes in the residual code (the attempt that finds it so counts these reads as foreign code).
 */
function rootItemRead(s: Specializer, v: Val): Val {
  // (Not kept: reached only where no code can have held the object yet, memberExpression.)
  if (s.options.ownArgumentsKept) {
    s.ownArgumentsReadsKept = true;
    // A read of the item (index.ts, rootArguments, marked) has its place; a known value has none.
    if (v.k !== "d") noteFolded(s);
  }
  return v;
}

P.readMember = function (this: Specializer, obj: Val, key: Val, n: Node | null): Val {
  if (!this.env) return UNDEF; // dead code (see expr)
  // A function's legacy `caller` and `arguments` tell who is running it: kos's strict code and its
  // inlining change that (a sloppy `who.caller` read null where the original read `outer`, sweep39).
  if (key.k === "s" && (key.v === "caller" || key.v === "arguments") && ((obj.k === "s" && typeof obj.v === "function") || (obj.k === "d" && obj.closure))) {
    this.fail("UNSUPPORTED", `the function reads a function's \`${key.v}\` (legacy stack inspection), which depends on which function runs it, and kos changes that`, n ?? undefined);
  }
  if (key.k === "s" && (typeof key.v === "string" || typeof key.v === "number" || typeof key.v === "symbol")) {
    const k = typeof key.v === "symbol" ? key.v : keyOf(key.v);
    if (k !== null) {
      const fields = obj.k === "v" ? this.fields(obj.o) : null;
      if (obj.k === "v" && fields) {
        const o = obj.o;
        if (typeof k === "string" && fields.has(k)) return fields.get(k)!;
        if (o.kind === "array" && k === "length") return S(fields.size);
        if (o.proto) {
          // An instance: the key is looked up on its prototype chain, guarded where it is not frozen.
          const inherited = this.inheritedRead(o.proto, k);
          if (inherited) return inherited;
        } else if (typeof k === "symbol" || !isIndex(k) || o.kind !== "array" || true) {
          const proto = o.kind === "array" ? Array.prototype : Object.prototype;
          const f = readFrozenProperty(proto, k, "deep");
          if (f.ok && (f.value !== undefined || !(k in proto))) return S(f.value);
        }
      }
      if (obj.k === "s") {
        const v = obj.v;
        if (typeof v === "string") {
          if (k === "length") return S(v.length);
          if (typeof k === "string" && isIndex(k)) return S(Number(k) < v.length ? v[Number(k)] : undefined);
          const f = readFrozenProperty(String.prototype, k, "deep");
          if (f.ok) return S(f.value);
        } else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || typeof v === "symbol") {
          const proto = Object.getPrototypeOf(Object(v)) as object;
          const f = readFrozenProperty(proto, k, "deep");
          if (f.ok) return S(f.value);
        } else if (v !== null && v !== undefined) {
          if (k === "length" && ArrayBuffer.isView(v) && !(v instanceof DataView) && hasIntrinsicLength(v) && this.typedArrayLengthGuard(v as object)) return S((v as unknown as { length: number }).length);
          const f = readFrozenProperty(v as object, k, this.options.freeze);
          if (f.ok) return S(f.value);
          const fixed = this.fixedGetterRead(v as object, k);
          if (fixed) return fixed;
          const guarded = this.guardedRead(v as object, k, n !== null);
          if (guarded) return guarded;
        }
      }
    }
  }
  // The root's own `arguments` at its length or an index: data, where nothing else can see it (own-arguments.ts).
  const own = obj.k === "d" && obj.ownArguments && key.k === "s" ? this.ownArgumentsRead(key.v) : "foreign";
  if (own !== "foreign" && own !== "plain") return own.value;
  const objNode = this.residual(obj);
  const keyNode = this.residual(key);
  const computed = !(key.k === "s" && typeof key.v === "string" && /^[A-Za-z_$][\w$]*$/.test(key.v));
  // An element of a known typed array at a number key runs no user code (integer-indexed exotic object).
  const element = obj.k === "s" && ArrayBuffer.isView(obj.v) && !(obj.v instanceof DataView) && (key.k === "s" ? typeof key.v === "number" : key.k === "d" && key.type === "number");
  if (!element && own === "foreign") this.foreignCodeMayRun();
  const read: Node = { type: "MemberExpression", object: objNode, property: computed ? keyNode : id(key.v as string), computed, optional: false };
  if (own === "plain") {
    // compile.ts checks that every other use of the object is such a read (arguments-escape.ts).
    (this.plainArgumentReads ??= new Set()).add(read);
    // The engine made it a number, and no code that could change it has seen the object.
    if (key.k === "s" && key.v === "length") return D(read, "number");
  }
  // An index inside a length that holds here (checked at entry, or where kos speculated again since
  // foreign code) reads an element: a number (a bigint for the 64-bit integer arrays), never
  // undefined. Typed, `k[0] * x` converts no object, and runs none of the program's code.
  if (element && key.k === "s" && Number.isInteger(key.v) && (key.v as number) >= 0) {
    const arr = obj.v as unknown as { length: number };
    if (hasIntrinsicLength(arr) && (key.v as number) < arr.length && this.typedArrayLengthGuard(arr)) return D(read, arr instanceof BigInt64Array || arr instanceof BigUint64Array ? "bigint" : "number");
  }
  return D(read);
};

P.assignMember = function (this: Specializer, n: Node): Val {
  const left = n.left;
  if (left.property.type === "PrivateIdentifier") return this.privateNamesHere() ? this.privateAssign(n) : this.fail("USES_PRIVATE_NAME", "the function uses private class members (#names)", n);
  // `=`: the target's object and key are evaluated before the right side, and kept from what it
  // changes (`a[i] = a[i = i - 1]` stores at the old `i`; `o.list[i] = (o.list = [], 5)` into the
  // old list; a getter on the path runs first: denque's `removeOne`, sweep24 repro-4 and repro-5).
  if (n.operator === "=") {
    // A value its statement list evaluated first (constructors.ts, preEvaluateFieldStore).
    const pre = this.preEvaluatedStores?.get(n);
    const right = pre && pre.frame === this.frame ? pre.val : null;
    const [obj, key, value] = this.evalSeq([left.object, left.property, n.right], (e) => (e === left.property && !left.computed ? S(e.name) : e === n.right && right ? right : this.expr(e))) as [Val, Val, Val];
    return this.storeMember(obj, key, value, n);
  }
  const [obj, key] = this.evalSeq([left.object, left.property], (e) => (e === left.property && !left.computed ? S(e.name) : this.expr(e))) as [Val, Val];
  if (n.operator === "&&=" || n.operator === "||=" || n.operator === "??=") {
    // Rare: leave the whole assignment to residual code.
    const o = this.stable(obj);
    const k = this.stable(key);
    const right = this.verbatim(n.right);
    this.foreignCodeMayRun();
    return D({ type: "AssignmentExpression", operator: n.operator, left: { type: "MemberExpression", object: this.residual(o), property: this.residual(k), computed: true, optional: false }, right });
  } else {
    const o = this.stable(obj);
    const k = this.stable(key);
    // The current value is read before the right side runs (`o.p += f()` reads o.p first: on an
    // undefined `o` it throws before f runs, fuzz seed 4060 #1364): in order, as operands are.
    const readCurrent = {} as Node;
    const [cur, rhs] = this.evalSeq([readCurrent, n.right], (e) => (e === readCurrent ? this.readMember(o, k, left) : this.expr(e))) as [Val, Val];
    const value = this.binary(n.operator.slice(0, -1), this.stable(cur), rhs, n);
    return this.storeMember(o, k, value, n);
  }
};

declare module "./specializer.js" {
  interface Specializer {
    inheritedRead(proto: object, key: PropertyKey): Val | null;
    storeMember(obj: Val, key: Val, value: Val, n: Node): Val;
    guardedRead(obj: object, key: PropertyKey, foldAbsent?: boolean): Val | null;
    foreignCodeMayRun(): void;
  }
}

/** A key an instance does not own, read from its prototype chain: folded, guarded, or null (then read at run time). */
P.inheritedRead = function (this: Specializer, proto: object, key: PropertyKey): Val | null {
  const has = this.knownHas(proto, key);
  if (has === false) return UNDEF;
  if (has === null) return null;
  const f = readFrozenProperty(proto, key, this.options.freeze);
  if (f.ok) return S(f.value);
  return this.guardedRead(proto, key);
};

P.storeMember = function (this: Specializer, obj: Val, key: Val, value: Val, n: Node): Val {
  if (!this.env) return UNDEF; // dead code (see expr)
  if (obj.k === "v" && this.fields(obj.o) && key.k === "s") {
    const o = obj.o;
    const k = keyOf(key.v);
    if (k !== null && k !== "__proto__") {
      // Stabilized once: if the store cannot be a field after all, the residual store uses the same
      // temporary (re-emitting the pending value evaluated a valueOf twice).
      value = this.stable(value);
      // An own field is a writable data property kos made: storing to it consults no prototype.
      if (o.kind === "object" && (this.fields(o)!.has(k) || (o.proto ? this.knownHas(o.proto, k) === false : !(k in Object.prototype)))) {
        this.setField(o, k, value);
        return value;
      }
      if (o.kind === "array" && isIndex(k) && Number(k) <= this.fields(o)!.size) {
        this.setField(o, k, value);
        return value;
      }
    }
  }
  const objNode = this.residual(obj);
  const keyNode = this.residual(key);
  const valNode = this.residual(value);
  this.foreignCodeMayRun();
  if (obj.k === "s" && obj.v !== null && (typeof obj.v === "object" || typeof obj.v === "function") && key.k === "s" && (typeof key.v === "string" || typeof key.v === "number" || typeof key.v === "symbol")) {
    this.noteStoredKey(obj.v as object, typeof key.v === "number" ? String(key.v) : key.v);
  }
  const computed = !(key.k === "s" && typeof key.v === "string" && /^[A-Za-z_$][\w$]*$/.test(key.v));
  void n;
  return D({ type: "AssignmentExpression", operator: "=", left: { type: "MemberExpression", object: objNode, property: computed ? keyNode : id(key.v as string), computed, optional: false }, right: valNode });
};

P.updateMember = function (this: Specializer, n: Node): Val {
  const left = n.argument;
  if (left.property.type === "PrivateIdentifier") return this.privateNamesHere() ? this.privateUpdate(n) : this.fail("USES_PRIVATE_NAME", "the function uses private class members (#names)", n);
  const [obj, key] = this.evalSeq([left.object, left.property], (e) => (e === left.property && !left.computed ? S(e.name) : this.expr(e))) as [Val, Val];
  if (obj.k === "v" && this.fields(obj.o) && key.k === "s") {
    const cur = this.readMember(obj, key, left);
    if (cur.k === "s" && typeof cur.v === "number") {
      const next = n.operator === "++" ? cur.v + 1 : cur.v - 1;
      this.storeMember(obj, key, S(next), n);
      return S(n.prefix ? next : cur.v);
    }
  }
  const objNode = this.residual(obj);
  const keyNode = this.residual(key);
  this.foreignCodeMayRun();
  if (obj.k === "s" && obj.v !== null && (typeof obj.v === "object" || typeof obj.v === "function") && key.k === "s" && (typeof key.v === "string" || typeof key.v === "number" || typeof key.v === "symbol")) {
    this.noteStoredKey(obj.v as object, typeof key.v === "number" ? String(key.v) : key.v);
  }
  const computed = !(key.k === "s" && typeof key.v === "string" && /^[A-Za-z_$][\w$]*$/.test(key.v));
  return D({ type: "UpdateExpression", operator: n.operator, prefix: n.prefix, argument: { type: "MemberExpression", object: objNode, property: computed ? keyNode : id(key.v as string), computed, optional: false } });
};

P.deleteExpression = function (this: Specializer, n: Node): Val {
  const arg = n.argument;
  // `delete o?.a` (`o?.b?.c`, `o?.[k]`): deletes unless the chain stops at a nullish link, where it
  // is true. Copied as written, it deletes at run time; an object it may change is one foreign code
  // may have changed (it was read as `o?.a`, the delete dropped: round 13).
  if (arg.type === "ChainExpression") {
    const copy = this.verbatim(n);
    this.foreignCodeMayRun();
    return D(copy, "boolean");
  }
  if (arg.type !== "MemberExpression") {
    if (arg.type === "Identifier") return this.fail("UNSUPPORTED", "`delete` of a variable", n);
    this.drop(this.expr(arg));
    return S(true);
  }
  const [obj, key] = this.evalSeq([arg.object, arg.property], (e) => (e === arg.property && !arg.computed ? S(e.name) : this.expr(e))) as [Val, Val];
  const objNode = this.residual(obj);
  this.foreignCodeMayRun();
  return D({ type: "UnaryExpression", operator: "delete", prefix: true, argument: { type: "MemberExpression", object: objNode, property: this.residual(key), computed: true, optional: false } }, "boolean");
};

/** Virtual objects that residual code under dynamic control could reach are allocated first. */
P.escapeReferencedIn = function (this: Specializer, sources: Node[], keep?: ReadonlySet<VirtualObject>): void {
  if (!this.env) return;
  const seen = new Set<VirtualObject>(keep);
  const escapeVal = (v: Val | null) => {
    if (!v || v.k !== "v" || !this.fields(v.o) || seen.has(v.o)) return;
    seen.add(v.o);
    this.escape(v.o);
  };
  for (const src of sources) {
    // The same source subtree is asked about at each evaluation of its statement (every unrolled
    // iteration, every inlined call): its references are found once. jsonpath-plus's path walked
    // them for 195 ms in 3 compiles (2% of their CPU; docs/notes/compile-time.md).
    let refs = this.referencesIn.get(src);
    if (!refs) {
      const found: Node[] = [];
      walk(src, (x) => void ((x.type === "Identifier" || x.type === "ThisExpression") && found.push(x)));
      this.referencesIn.set(src, (refs = found));
    }
    for (const x of refs) {
      if (x.type === "Identifier") {
        const slot = this.slotOf(x);
        if (slot) escapeVal(this.env!.get(slot)?.val ?? null);
      } else escapeVal(this.frame.thisVal);
    }
  }
};

P.escapeAllVirtuals = function (this: Specializer): void {
  if (!this.env) return;
  for (const st of this.env.values()) {
    if (st.val && st.val.k === "v" && this.fields(st.val.o)) this.escape(st.val.o);
  }
};

export { isPrimitive, UNDEF };
