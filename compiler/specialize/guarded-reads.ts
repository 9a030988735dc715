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

declare module "./specializer.js" {
  interface Specializer {
    contentGuards: Array<{ obj: object; key: PropertyKey; value: unknown }>;
    foreignRan: boolean;
  }
}

const P = Specializer.prototype;

/** Most content guards one version may check at entry; beyond it, reads stay dynamic. */
const MAX_CONTENT_GUARDS = 256;

P.guardedRead = function (this: Specializer, obj: object, key: PropertyKey): Val | null {
  if (this.options.freeze !== "guard") return null;
  if (!this.contentGuards) this.contentGuards = [];
  if (this.foreignRan || this.dynDepth > 0 || this.contentGuards.length >= MAX_CONTENT_GUARDS) return null;
  if (utilTypes.isProxy(obj) || ArrayBuffer.isView(obj)) return null;
  const d = Reflect.getOwnPropertyDescriptor(obj, key);
  if (!d || !("value" in d)) return null;
  if (typeof d.value === "function") return null;
  this.contentGuards.push({ obj, key, value: d.value });
  return S(d.value);
};

P.guardedItems = function (this: Specializer, arr: unknown[]): Val[] | null {
  if (this.options.freeze !== "guard" || this.foreignRan || this.dynDepth > 0) return null;
  if (!this.contentGuards) this.contentGuards = [];
  if (this.contentGuards.length + arr.length + 1 >= MAX_CONTENT_GUARDS) return null;
  const items: Val[] = [];
  this.contentGuards.push({ obj: arr, key: "length", value: arr.length });
  for (let i = 0; i < arr.length; i++) {
    const d = Reflect.getOwnPropertyDescriptor(arr, i);
    if (!d || !("value" in d)) return null;
    this.contentGuards.push({ obj: arr, key: String(i), value: d.value });
    items.push(S(d.value));
  }
  return items;
};

P.foreignCodeMayRun = function (this: Specializer): void {
  this.foreignRan = true;
};
