/*
 * A deep, structural hash of JavaScript values, for the compile cache's key (cache-key.ts).
 *
 * Two values hash alike only when code specialized for one is exactly right
 * for the other. So the encoding keeps everything the generated code can
 * observe: property order (it drives `Object.keys` and `JSON.stringify`),
 * -0 versus 0, NaN, bigint versus number, typed-array element type, and
 * aliasing (the same object reached twice is encoded as a back-reference, so
 * a DAG never hashes like a tree; cycles terminate the same way).
 *
 * Values whose behaviour is not captured by their structure make the key
 * uncacheable rather than wrong: functions (closures), symbols, accessors
 * (getters run code), class instances other than the plain containers listed
 * below, and anything with symbol keys.
 */
import type { Hash } from "node:crypto";
// As in cache.ts: node:crypto (which loads node:stream) waits for the first cached compile.
const nodeCrypto = () => process.getBuiltinModule("node:crypto");

/** Thrown internally when a value cannot be hashed; surfaced as `null`. */
class Unhashable extends Error {}

const TYPED_ARRAY_NAMES = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
]);

/**
 * sha256 hex of the structure of `value`, or `null` when some part of it
 * cannot be hashed faithfully (see the module comment).
 */
export function structuralHash(value: unknown): string | null {
  const h = nodeCrypto().createHash("sha256");
  try {
    feed(h, value, new Map());
  } catch (e) {
    if (e instanceof Unhashable) return null;
    throw e;
  }
  return h.digest("hex");
}

/** Writes a length-prefixed token so that no two encodings can collide by concatenation. */
function tok(h: Hash, tag: string, body = ""): void {
  h.update(`${tag}${body.length}:${body};`);
}

function feed(h: Hash, v: unknown, seen: Map<object, number>): void {
  switch (typeof v) {
    case "undefined": return tok(h, "u");
    case "boolean": return tok(h, "b", v ? "1" : "0");
    case "string": return tok(h, "s", v);
    case "bigint": return tok(h, "n", v.toString());
    case "number": return tok(h, "d", Object.is(v, -0) ? "-0" : String(v));
    case "symbol":
    case "function":
      throw new Unhashable();
  }
  if (v === null) return tok(h, "z");
  const obj = v as object;
  const ref = seen.get(obj);
  if (ref !== undefined) return tok(h, "r", String(ref));
  seen.set(obj, seen.size);
  feedObject(h, obj, seen);
}

function feedObject(h: Hash, obj: object, seen: Map<object, number>): void {
  if (ArrayBuffer.isView(obj)) {
    const name = obj.constructor?.name ?? "";
    if (!TYPED_ARRAY_NAMES.has(name) || Object.getPrototypeOf(obj) !== obj.constructor.prototype) throw new Unhashable();
    tok(h, "t", name);
    h.update(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
    return tok(h, "e");
  }
  const proto = Object.getPrototypeOf(obj);
  if (Array.isArray(obj)) {
    if (proto !== Array.prototype) throw new Unhashable();
    tok(h, "a", String(obj.length));
    // Holes differ from undefined for `in` and forEach; encode them apart.
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) tok(h, "hole");
      else feedOwnValue(h, obj, String(i), seen);
    }
    return feedExtraKeys(h, obj, seen, (k) => !isIndex(k) && k !== "length");
  }
  if (obj instanceof Map && proto === Map.prototype) {
    tok(h, "m", String(obj.size));
    for (const [k, val] of obj) { feed(h, k, seen); feed(h, val, seen); }
    return feedExtraKeys(h, obj, seen, () => true);
  }
  if (obj instanceof Set && proto === Set.prototype) {
    tok(h, "S", String(obj.size));
    for (const k of obj) feed(h, k, seen);
    return feedExtraKeys(h, obj, seen, () => true);
  }
  if (obj instanceof RegExp && proto === RegExp.prototype) {
    tok(h, "x", `${obj.source}/${obj.flags}/${obj.lastIndex}`);
    return feedExtraKeys(h, obj, seen, (k) => k !== "lastIndex");
  }
  if (obj instanceof Date && proto === Date.prototype) {
    tok(h, "D", String(obj.getTime()));
    return feedExtraKeys(h, obj, seen, () => true);
  }
  if (proto !== Object.prototype && proto !== null) throw new Unhashable();
  tok(h, proto === null ? "O" : "o");
  feedExtraKeys(h, obj, seen, () => true);
}

function isIndex(k: string): boolean {
  return /^(0|[1-9]\d*)$/.test(k);
}

/** Own string keys in property order, then a frozen/sealed marker (freezing changes what may be folded). */
function feedExtraKeys(h: Hash, obj: object, seen: Map<object, number>, keep: (k: string) => boolean): void {
  const keys = Reflect.ownKeys(obj);
  for (const k of keys) {
    if (typeof k === "symbol") throw new Unhashable();
    if (!keep(k)) continue;
    tok(h, "k", k);
    feedOwnValue(h, obj, k, seen);
  }
  tok(h, "end", Object.isFrozen(obj) ? "F" : Object.isSealed(obj) ? "S" : Object.isExtensible(obj) ? "" : "P");
}

function feedOwnValue(h: Hash, obj: object, k: string, seen: Map<object, number>): void {
  const d = Object.getOwnPropertyDescriptor(obj, k)!;
  if (!("value" in d)) throw new Unhashable();
  tok(h, d.enumerable ? "v" : "V");
  feed(h, d.value, seen);
}
