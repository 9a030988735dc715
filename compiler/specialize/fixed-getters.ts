/**
 * Reads through a getter that can never change and only returns a binding: the
 * live-binding exports of bundled CommonJS. esbuild writes a module's exports as
 * `__defProp(exports, "resolve", { get: () => resolve, enumerable: true })`, and
 * TypeScript re-exports as `{ enumerable: true, get: function () { return m[k]; } }`.
 * Both are own, non-configurable accessors, so the getter itself is fixed for the
 * life of the object; what it returns is a closure binding (or a property of one),
 * which the binding's own rules fold: a stable binding (discover/closure.ts), then a
 * frozen or guarded read. Calling such a getter runs no other code, so not calling
 * it is not observable.
 *
 * Without this, every call into a helper of a bundled library (`(0, import_util.isObject)(x)`)
 * read an accessor, stayed a residual call of an unknown function, and counted as foreign
 * code: mingo's compiled predicates inlined nothing.
 */
import { types as utilTypes } from "node:util";
import type { Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import { S, type Val } from "./values.js";
import { readFrozenProperty } from "./objects.js";

declare module "./specializer.js" {
  interface Specializer {
    /** `obj[key]` through a fixed own getter that returns a binding; null when that is not what it is. */
    fixedGetterRead(obj: object, key: PropertyKey): Val | null;
  }
}

const P = Specializer.prototype;

/** Member reads a getter's return may chain: `m.x`, `m[k]` (k a binding), at most this deep. */
const MAX_CHAIN = 2;

P.fixedGetterRead = function (this: Specializer, obj: object, key: PropertyKey): Val | null {
  if (utilTypes.isProxy(obj)) return null;
  const d = Reflect.getOwnPropertyDescriptor(obj, key);
  if (!d || d.configurable || typeof d.get !== "function" || "value" in d) return null;
  const getter = d.get;
  let info;
  try {
    info = this.infos.get(getter);
  } catch {
    return null;
  }
  if (info.opaque || info.usesThis || info.usesArguments || (info.node.params as Node[]).length > 0) return null;
  const body = info.node.body.body as Node[];
  if (body.length !== 1 || body[0]!.type !== "ReturnStatement" || !body[0]!.argument) return null;
  const value = evaluate(this, getter, body[0]!.argument, 0);
  return value === NONE ? null : S(value);
};

const NONE = Symbol("none");

/** The value of a getter's return expression, or NONE when it is anything but a fixed binding read. */
function evaluate(s: Specializer, getter: Function, e: Node, depth: number): unknown {
  if (e.type === "Identifier") {
    const found = s.options.lookupFree(getter, e.name, true);
    return found.found && found.stable ? found.value : NONE;
  }
  if (e.type !== "MemberExpression" || depth >= MAX_CHAIN || e.optional) return NONE;
  const holder = evaluate(s, getter, e.object, depth + 1);
  if (holder === NONE || holder === null || (typeof holder !== "object" && typeof holder !== "function")) return NONE;
  let k: unknown;
  if (!e.computed && e.property.type === "Identifier") k = e.property.name;
  else if (e.computed && e.property.type === "Identifier") k = evaluate(s, getter, e.property, MAX_CHAIN);
  else if (e.computed && e.property.type === "Literal") k = e.property.value;
  else return NONE;
  if (typeof k !== "string" && typeof k !== "symbol") return NONE;
  const frozen = readFrozenProperty(holder as object, k, s.options.freeze);
  if (frozen.ok) return frozen.value;
  const nested = s.fixedGetterRead(holder as object, k);
  if (nested && nested.k === "s") return nested.v;
  const guarded = s.guardedRead(holder as object, k);
  return guarded && guarded.k === "s" ? guarded.v : NONE;
}
