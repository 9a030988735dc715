/**
 * Lookups in a Map or Set kos does not own: the parse cache an interpreter
 * keeps in its module (`pathCache.has(expr)`, `cache.get(key)`). Like a
 * folded property of an unfrozen object (guarded-reads.ts), a lookup made
 * before any foreign code in the call folds to what the collection holds at
 * compile time, behind an entry guard that asks the collection again with the
 * built-in method (`mapGet(cache, key) === value`). A cached value is then a
 * known object, read behind guards in turn: the interpreter's program, parsed
 * once by the library, is what kos specializes on.
 *
 * A residual store into such a collection (`cache.set(key, parsed)`, a
 * `delete`, a `clear`) is recorded: a lookup folded as absent whose key the
 * code itself then stores fails its own guard on the next call, so the
 * version is specialized again once the cache holds the entry (compiler/index.ts).
 */
import { types as utilTypes } from "node:util";
import { Specializer } from "./specializer.js";
import { S, type Val } from "./values.js";
import { collectionLookup, type CollectionOp } from "../content-guards.js";
import { MAX_CONTENT_GUARDS } from "./guarded-reads.js";

declare module "./specializer.js" {
  interface Specializer {
    /** `fn.call(receiver, ...args)` for Map/Set `has`/`get` on a known collection, folded behind a guard; else null. */
    collectionRead(fn: Function, receiver: Val, args: Val[]): Val | null;
    /** Records a residual Map/Set store (`set`, `add`, `delete`, `clear`) on a known collection. */
    noteCollectionWrite(fn: Function, receiver: Val, args: Val[]): void;
  }
}

const MapHas = Map.prototype.has;
const MapGet = Map.prototype.get;
const SetHas = Set.prototype.has;
const WRITES = new Map<Function, "key" | "all">([
  [Map.prototype.set, "key"], [Map.prototype.delete, "key"], [Map.prototype.clear, "all"],
  [Set.prototype.add, "key"], [Set.prototype.delete, "key"], [Set.prototype.clear, "all"],
]);

/** Whether a built-in never runs user code: Map/Set lookups compare keys with SameValueZero. */
export function isCollectionLookup(fn: Function): boolean {
  return fn === MapHas || fn === MapGet || fn === SetHas;
}

const P = Specializer.prototype;

P.collectionRead = function (this: Specializer, fn: Function, receiver: Val, args: Val[]): Val | null {
  const op: CollectionOp | null = fn === MapHas ? "has" : fn === MapGet ? "get" : fn === SetHas ? "sethas" : null;
  if (!op || receiver.k !== "s" || args.length === 0 || args[0]!.k !== "s") return null;
  const c = receiver.v;
  if (c === null || typeof c !== "object" || utilTypes.isProxy(c)) return null;
  if (op === "sethas" ? !utilTypes.isSet(c) : !utilTypes.isMap(c)) return null;
  if (this.options.freeze !== "guard") return null;
  this.contentGuards ??= [];
  this.staleMiss = true;
  if (this.foreignRan || this.contentGuards.length >= MAX_CONTENT_GUARDS) return null;
  const key = (args[0] as { v: unknown }).v;
  const value = collectionLookup(op, c, key);
  if (!this.contentGuards.some((g) => g.collection === op && g.obj === c && Object.is(g.collectionKey, key))) {
    this.contentGuards.push({ obj: c, key: "", value, collection: op, collectionKey: key });
  }
  return S(value);
};

P.noteCollectionWrite = function (this: Specializer, fn: Function, receiver: Val, args: Val[]): void {
  const what = WRITES.get(fn);
  if (!what || receiver.k !== "s" || receiver.v === null || typeof receiver.v !== "object") return;
  if (what === "key" && (args.length === 0 || args[0]!.k !== "s")) {
    (this.storedCollectionKeys ??= []).push({ obj: receiver.v, all: true });
    return;
  }
  (this.storedCollectionKeys ??= []).push(what === "all" ? { obj: receiver.v, all: true } : { obj: receiver.v, key: (args[0] as { v: unknown }).v });
};

declare module "./specializer.js" {
  interface Specializer {
    /** Residual stores into known Maps and Sets: a key, or every key (`clear`, a key kos does not know). */
    storedCollectionKeys: Array<{ obj: object; key?: unknown; all?: boolean }>;
  }
}
