/**
 * Reading a receiver's methods and data properties the way the evaluator may:
 * without running user code. A getter is reported, never invoked; a proxy
 * anywhere on the prototype chain is refused, since every operation on it is a
 * trap (`util.types.isProxy` sees it without triggering one). Module namespace
 * objects are refused too: their properties are live bindings whose reads can
 * throw (TDZ) and whose values change under the reader.
 */
import { types } from "node:util";

export interface ResolvedProperty {
  /** The object on the chain that owns the property (the receiver itself at depth 0). */
  holder: object;
  descriptor: PropertyDescriptor;
  /** 0 for an own property, 1 for the prototype, and so on. */
  depth: number;
}

export interface DataPropertyRead {
  /** A property was found on the chain (data or accessor). */
  found: boolean;
  /** The value of a data property; undefined for accessors and misses. */
  value: unknown;
  /** The owner of the property, or of the proxy that stopped the walk; null for a miss. */
  holder: object | null;
  isAccessor: boolean;
  /** The walk met a proxy (or a module namespace) and stopped there without touching it. */
  isProxy: boolean;
}

function isObjectLike(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

function refuses(o: object): boolean {
  return types.isProxy(o) || types.isModuleNamespaceObject(o);
}

/**
 * An object whose property reads are plain lookups: not a proxy, not a module
 * namespace, and so every property read of it is either a data value or an
 * accessor kos can see and refuse. Functions count (their properties are data).
 */
export function isOrdinaryDataObject(v: unknown): v is object {
  return isObjectLike(v) && !refuses(v);
}

/**
 * Walks the prototype chain of `receiver` for `key`, reading descriptors only.
 * Returns null for a miss, and for a chain that reaches a proxy or a module
 * namespace before the key is found.
 */
export function resolveMethod(receiver: object, key: PropertyKey): ResolvedProperty | null {
  const r = walkChain(receiver, key);
  return r.kind === "found" ? { holder: r.holder, descriptor: r.descriptor, depth: r.depth } : null;
}

/** One property read as the evaluator may fold it: a data property of ordinary objects only. */
export function readDataProperty(obj: object, key: PropertyKey): DataPropertyRead {
  const r = walkChain(obj, key);
  if (r.kind === "refused") return { found: false, value: undefined, holder: r.holder, isAccessor: false, isProxy: true };
  if (r.kind === "missing") return { found: false, value: undefined, holder: null, isAccessor: false, isProxy: false };
  const isAccessor = !("value" in r.descriptor);
  return { found: true, value: isAccessor ? undefined : r.descriptor.value, holder: r.holder, isAccessor, isProxy: false };
}

type Walk =
  | { kind: "found"; holder: object; descriptor: PropertyDescriptor; depth: number }
  | { kind: "refused"; holder: object }
  | { kind: "missing" };

function walkChain(receiver: object, key: PropertyKey): Walk {
  if (!isObjectLike(receiver)) return { kind: "missing" };
  let o: object | null = receiver;
  for (let depth = 0; o !== null; depth++) {
    if (refuses(o)) return { kind: "refused", holder: o };
    // Reflect's versions on a non-proxy run no user code (no traps, no getters).
    const d = Reflect.getOwnPropertyDescriptor(o, key);
    if (d) return { kind: "found", holder: o, descriptor: d, depth };
    o = Reflect.getPrototypeOf(o);
  }
  return { kind: "missing" };
}
