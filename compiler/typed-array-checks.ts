/**
 * The checks generated code makes on typed arrays, built from the
 * intrinsics as they were when kos loaded (as Node's primordials are), so
 * that neither a redefined global, a tampered prototype nor an own property
 * of the array can answer for them:
 * - `%TypedArray%.prototype[@@toStringTag]` reads the internal slot: a
 *   typed array's element type, undefined for anything else (a DataView, an
 *   object whose prototype was set to Float64Array.prototype, a Proxy);
 * - `%TypedArray%.prototype.buffer` is the array's ArrayBuffer, read from
 *   its slot, not through an own `buffer` property an object may define.
 * Reading an element of a real typed array runs no user code: integer
 * indices never reach the prototype chain.
 */
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
/**
 * `getter.call(x)` through a bound `call`, as Node's primordials uncurry methods: the binding holds
 * the original `call`, so a later change of Function.prototype.call reaches neither. 3 ns a check
 * against 8 ns through Reflect.apply (a /tmp probe, Node 20.20.2, less its loop).
 */
const uncurry = (getter: Function) => Function.prototype.call.bind(getter) as (x: unknown) => unknown;
const tagOf = uncurry(Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag)!.get!);
const bufferGetter = uncurry(Object.getOwnPropertyDescriptor(TypedArrayPrototype, "buffer")!.get!);

/** True for a typed array (any element type), false for anything else, without running user code. */
export function isTypedArray(x: unknown): boolean {
  return tagOf(x) !== undefined;
}

/** The ArrayBuffer (or SharedArrayBuffer) under a typed array; call only on one isTypedArray accepted. */
export function bufferOf(x: unknown): ArrayBufferLike {
  return bufferGetter(x) as ArrayBufferLike;
}

const getPrototypeOf = Reflect.getPrototypeOf;
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const hasOwn = Object.hasOwn;
const lengthGetter = Object.getOwnPropertyDescriptor(TypedArrayPrototype, "length")!.get!;
/** Each element type's prototype in this realm, by the tag its arrays carry. */
const PROTOTYPE_BY_TAG = new Map<string, object>(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((C) => [C.name, C.prototype]),
);

/**
 * A typed array whose `length` reads its slot: no own `length`, its element type's prototype of
 * this realm, no `length` there, and %TypedArray%.prototype's own getter. Anything else may run a
 * getter of the program's on `x.length`. (A descriptor is allocated: about 50 ns, once per loop entry.)
 */
export function hasIntrinsicLength(x: unknown): boolean {
  const tag = tagOf(x) as string | undefined;
  if (tag === undefined || hasOwn(x as object, "length")) return false;
  const proto = getPrototypeOf(x as object);
  if (proto === null || proto !== PROTOTYPE_BY_TAG.get(tag) || hasOwn(proto, "length") || getPrototypeOf(proto) !== TypedArrayPrototype) return false;
  return getOwnPropertyDescriptor(TypedArrayPrototype, "length")?.get === lengthGetter;
}
