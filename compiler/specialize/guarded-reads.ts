/**
 * Folding reads of objects kos does not own. An unfrozen object's property
 * may change after jit: a read folded from it is recorded as a content guard
 * (`obj[key] === value`, checked at entry), and only reads made before any
 * foreign code could run in the call are folded this way (after a call to
 * unknown code or a write through a dynamic object, the object is read at
 * run time). Frozen objects need no guard.
 */
import { types as utilTypes } from "node:util";
import { Specializer } from "./specializer.js";
import { S, type Val } from "./values.js";
import type { ContentGuard } from "../content-guards.js";
import { hasIntrinsicLength } from "../typed-array-checks.js";

declare module "./specializer.js" {
  interface Specializer {
    contentGuards: ContentGuard[];
    /** Typed-array lengths read: checked at entry. */
    lengthGuards: ContentGuard[];
    foreignRan: boolean;
    /**
     * Counts the points where foreign code may run, in evaluation order (never reset): a fact
     * learnt at one count holds only while the count is unchanged (see DynamicValue.isArray).
     */
    foreignEpoch: number;
    /** An unfrozen object kos does not own was read: speculating after foreign code can pay. */
    staleMiss: boolean;
    guardedKeys(obj: object, names?: boolean): string[] | null;
    /** The keys a for-in over `obj` walks now (its own enumerable ones, then its prototypes'), guarded at entry; false where no guard can be. */
    guardEnumerableKeys(obj: object): boolean;
    /** Keys the residual code stores to on objects kos knows (a fold of their absence would fail its own guard). */
    storedKeys: Array<{ obj: object; key: PropertyKey }>;
    /** The same keys by object (storesKey). */
    storedKeyIndex?: Map<object, Set<PropertyKey>>;
    noteStoredKey(obj: object, key: PropertyKey): void;
    storesKey(obj: object, key: PropertyKey): boolean;
    knownHas(obj: object, key: PropertyKey): boolean | null;
    guardOwn(obj: object, keys: readonly PropertyKey[]): boolean;
    plainArraySpecies(arr: unknown[]): boolean;
    typedArrayLengthGuard(arr: object): boolean;
  }
}

export type { ContentGuard } from "../content-guards.js";

const P = Specializer.prototype;

/** Most content guards one version may check at entry; beyond it, reads (and collection lookups, binding readers) stay dynamic. */
export const MAX_CONTENT_GUARDS = 256;
/** Prototype links followed to find an inherited property (class hierarchies are shallow). */
const MAX_CHAIN = 8;

P.guardedRead = function (this: Specializer, obj: object, key: PropertyKey, foldAbsent = false): Val | null {
  if (this.options.freeze !== "guard") return null;
  if (!this.contentGuards) this.contentGuards = [];
  // Under a dynamic branch too: the guard runs at entry, and nothing foreign has run before this read.
  this.staleMiss = true;
  if (this.foreignRan || this.contentGuards.length >= MAX_CONTENT_GUARDS) return null;
  if (ArrayBuffer.isView(obj)) return null;
  // A key the residual code itself stores to is the program's state, not its configuration: what it
  // held at jit() is what the last call left there. Speculated on (after foreign code, in a fork),
  // it failed on most calls: sift's operations store `keep` and `done` in every call, and a version
  // guarded on their values at jit() ran the generic branch, 1.4 us a call against 17 ns by hand.
  if (this.storesKey(obj, key)) return null;
  // Own or inherited (a method on a class's prototype): the guard reads `obj[key]` through the same
  // chain, so it fails if an own property shadows it or the prototype changes. Accessors and proxies
  // anywhere on the way are never read.
  let d: PropertyDescriptor | undefined;
  let end: object | null = obj;
  for (let depth = 0; end !== null && depth < MAX_CHAIN; end = Object.getPrototypeOf(end), depth++) {
    if (utilTypes.isProxy(end)) return null;
    d = Reflect.getOwnPropertyDescriptor(end, key);
    if (d) break;
  }
  if (!d) {
    // Absent from the whole chain (which ended): the read is undefined for as long as `key in obj`
    // stays false, checked at entry like a folded `in`. A schema's unset options (`schema.$id`,
    // `options.strict`) then fold, and every branch on them. Only for a property named in the
    // source (`foldAbsent`): a computed read is how a cache is read, and a key a cache lacks at
    // jit() is one the program writes next. Folded, it failed the guard on every later call:
    // mustache's render, specialized before its first render, ran at 1528 ns against 897 ns
    // unfolded and 1256 ns for the library.
    if (end !== null || !foldAbsent || this.options.foldAbsent === false) return null;
    if (!this.contentGuards.some((g) => g.obj === obj && g.key === key && g.has === false && !g.collection)) this.contentGuards.push({ obj, key, value: undefined, has: false });
    return S(undefined);
  }
  if (!("value" in d)) return null;
  if (!this.contentGuards.some((g) => g.obj === obj && g.key === key && !g.keys && !g.protoLacks && g.has === undefined && !g.collection)) {
    this.contentGuards.push({ obj, key, value: d.value });
  }
  // A method read this way is guarded by identity too, like Go's PGO devirtualization: the call can then be specialized.
  return S(d.value);
};

/**
 * `key in obj` for an object kos knows: folded outright when every object on the prototype
 * chain is frozen (none can gain or lose the key), else behind an `in` guard (a library's
 * operator table: `name in expr.functions`). Proxies on the way are never asked.
 */
P.knownHas = function (this: Specializer, obj: object, key: PropertyKey): boolean | null {
  let allFrozen = true;
  let has = false;
  let depth = 0;
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o), depth++) {
    if (depth >= MAX_CHAIN || utilTypes.isProxy(o)) return null;
    if (!Object.isFrozen(o)) allFrozen = false;
    if (Reflect.getOwnPropertyDescriptor(o, key)) {
      has = true;
      break;
    }
  }
  if (allFrozen) return has;
  if (this.options.freeze !== "guard") return null;
  if (!this.contentGuards) this.contentGuards = [];
  this.staleMiss = true;
  if (this.foreignRan || this.contentGuards.length >= MAX_CONTENT_GUARDS) return null;
  if (!this.contentGuards.some((g) => g.obj === obj && g.key === key && g.has === has && !g.collection)) this.contentGuards.push({ obj, key, value: undefined, has });
  return has;
};

/**
 * The keys `obj` has are its own: its prototype stays the one it has now, and that lacks them
 * (checked at entry). A value guard, or a for-in walk, also passes once a key moved to the prototype
 * with the same value, where `hasOwnProperty` and `Object.keys` no longer see it (sweep20).
 */
P.guardOwn = function (this: Specializer, obj: object, keys: readonly PropertyKey[]): boolean {
  if (this.options.freeze !== "guard" || this.foreignRan) return false;
  if (!this.contentGuards) this.contentGuards = [];
  if (this.contentGuards.length >= MAX_CONTENT_GUARDS) return false;
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto !== null && utilTypes.isProxy(proto)) return false;
  const have = this.contentGuards.find((g) => g.obj === obj && g.protoLacks);
  if (have) {
    const missing = keys.filter((k) => !have.protoLacks!.includes(k));
    if (missing.length) have.protoLacks = [...have.protoLacks!, ...missing];
  } else this.contentGuards.push({ obj, key: "", value: undefined, protoLacks: [...keys], proto });
  return true;
};

P.noteStoredKey = function (this: Specializer, obj: object, key: PropertyKey): void {
  (this.storedKeys ??= []).push({ obj, key });
  const index = (this.storedKeyIndex ??= new Map());
  let keys = index.get(obj);
  if (!keys) index.set(obj, (keys = new Set()));
  keys.add(key);
};

P.storesKey = function (this: Specializer, obj: object, key: PropertyKey): boolean {
  return (this.storedKeyIndex?.get(obj)?.has(key) ?? false) || (this.options.stateKeys?.get(obj)?.has(typeof key === "number" ? String(key) : key) ?? false);
};

/** The length and the first `count` items (all by default), guarded; null where they cannot be. */
P.guardedItems = function (this: Specializer, arr: unknown[], count = arr.length): Val[] | null {
  if (this.options.freeze === "guard") this.staleMiss = true;
  if (this.options.freeze !== "guard" || this.foreignRan) return null;
  if (!this.contentGuards) this.contentGuards = [];
  if (this.contentGuards.length + count + 1 >= MAX_CONTENT_GUARDS) return null;
  const items: Val[] = [];
  this.contentGuards.push({ obj: arr, key: "length", value: arr.length });
  for (let i = 0; i < count; i++) {
    const d = Reflect.getOwnPropertyDescriptor(arr, i);
    if (!d || !("value" in d)) return null;
    this.contentGuards.push({ obj: arr, key: String(i), value: d.value });
    items.push(S(d.value));
  }
  return items;
};

/** Array's own `Symbol.species` getter, as kos loaded it. */
const SPECIES_GET = Object.getOwnPropertyDescriptor(Array, Symbol.species)?.get;

/**
 * Whether ArraySpeciesCreate (`slice`, `concat`, `map`, `filter`, …) on this known array makes a
 * plain Array: its `constructor` is Array, whose species is itself. For an array that is not
 * frozen, `arr.constructor === Array` is guarded at entry: an own `constructor` (a subclass's)
 * added after `jit()`, or a prototype swapped for a subclass's, made the original return the
 * subclass where kos returned an Array (sweep36 repro-2, repro-3). The intrinsics (Array's
 * species getter, Array.prototype.constructor) are checked now, as every intrinsic kos folds is.
 */
P.plainArraySpecies = function (this: Specializer, arr: unknown[]): boolean {
  if (Object.getPrototypeOf(arr) !== Array.prototype || Object.prototype.hasOwnProperty.call(arr, "constructor")) return false;
  if (Array.prototype.constructor !== Array || Object.getOwnPropertyDescriptor(Array, Symbol.species)?.get !== SPECIES_GET) return false;
  if (Object.isFrozen(arr)) return true;
  if (this.options.freeze !== "guard" || this.foreignRan) return false;
  if (!this.contentGuards) this.contentGuards = [];
  if (this.contentGuards.some((g) => g.obj === arr && g.key === "constructor" && g.value === Array && g.protoLacks === undefined && g.has === undefined && g.keys === undefined && g.collection === undefined && g.reader === undefined)) return true;
  if (this.contentGuards.length >= MAX_CONTENT_GUARDS) return false;
  this.contentGuards.push({ obj: arr, key: "constructor", value: Array });
  return true;
};

/**
 * Whether a known typed array's length may fold here, with the check that makes it so. It changes
 * only where its buffer is detached (a transfer) or resized, which only the program's code does:
 * before any such code can have run, the length is checked at entry; after it, where kos speculates
 * again, at that point with the speculation's other checks; where foreign code has run since,
 * it is read (sweep42: a callback that detached the buffer mid-loop, and the loop ran on over the
 * length the entry had seen, reading NaN past the end).
 */
P.typedArrayLengthGuard = function (this: Specializer, arr: object): boolean {
  // A `length` of the program's (an own one, a prototype's getter) is never read here: it runs its code.
  if (!hasIntrinsicLength(arr)) return false;
  const value = (arr as { length: number }).length;
  if (this.foreignRan) return false;
  if ((this.foreignEpoch ?? 0) === 0) {
    (this.lengthGuards ??= []).push({ obj: arr, key: "length", value });
    return true;
  }
  if (this.options.freeze !== "guard" || !this.contentGuards || this.contentGuards.length >= MAX_CONTENT_GUARDS) return false;
  this.staleMiss = true;
  if (!this.contentGuards.some((g) => g.obj === arr && g.key === "length" && g.value === value && g.has === undefined && !g.keys && !g.protoLacks && !g.collection)) this.contentGuards.push({ obj: arr, key: "length", value });
  return true;
};

P.foreignCodeMayRun = function (this: Specializer): void {
  this.foreignRan = true;
  this.foreignEpoch = (this.foreignEpoch ?? 0) + 1;
};

/** Own enumerable keys of an unfrozen ordinary object, guarded at entry (for Object.keys/values/entries and for-in). */
P.guardEnumerableKeys = function (this: Specializer, obj: object): boolean {
  if (this.options.freeze === "guard") this.staleMiss = true;
  if (this.options.freeze !== "guard" || this.foreignRan) return false;
  if (!this.contentGuards) this.contentGuards = [];
  const keys: string[] = [];
  for (const k in obj) keys.push(k);
  if (this.contentGuards.length + keys.length >= MAX_CONTENT_GUARDS) return false;
  if (!this.contentGuards.some((g) => g.obj === obj && g.keys && !g.names && !g.collection)) this.contentGuards.push({ obj, key: "", value: undefined, keys: Object.freeze(keys) });
  return true;
};

P.guardedKeys = function (this: Specializer, obj: object, names = false): string[] | null {
  if (this.options.freeze === "guard") this.staleMiss = true;
  if (this.options.freeze !== "guard" || this.foreignRan) return null;
  if (utilTypes.isProxy(obj) || ArrayBuffer.isView(obj)) return null;
  if (!this.contentGuards) this.contentGuards = [];
  const keys = names ? Object.getOwnPropertyNames(obj) : Object.keys(obj);
  if (this.contentGuards.length + keys.length >= MAX_CONTENT_GUARDS) return null;
  // The walk lists a key moved to the prototype too: the keys must stay the object's own. That
  // guard goes first: the walk goes up the prototype chain, and one set to a proxy mid-call ran
  // its `ownKeys` trap in the guard, where the original's `Object.keys` never looks there.
  if (!names && !this.guardOwn(obj, keys)) return null;
  if (!this.contentGuards.some((g) => g.obj === obj && g.keys && !g.names === !names && !g.collection)) this.contentGuards.push({ obj, key: "", value: undefined, keys: Object.freeze([...keys]), ...(names ? { names: true } : {}) });
  return keys;
};
