/**
 * What a profile (live argument profiles, or a recorded `kos-profile.json`
 * entry) says is safe to speculate on. A constant object is speculated on by
 * identity, its folded contents behind content guards (never frozen); typed
 * arrays only by type (their elements change between calls).
 * The receiver (`this`) is an input like the arguments.
 */
import type { TypeAssumption } from "../compiler/types.js";
import { ArgumentProfile, typeTagOf } from "./feedback.js";
import { decodeValue, type ArgumentFeedback } from "./profile-format.js";

// Through process.getBuiltinModule, as dispatcher.ts: node:util's ES module evaluates every export.
const isProxy = process.getBuiltinModule("node:util").types.isProxy;

const TYPE_ASSUMPTIONS = new Set(["number", "string", "boolean", "bigint", "undefined", "function", "array", "object"]);

/** Deeply frozen: every reachable own data property holds a primitive or a frozen object (no functions, no typed arrays). */
export function isDeepFrozen(v: unknown, seen = new Set<object>()): boolean {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return true;
  if (typeof v === "function" || isProxy(v)) return false;
  if (seen.has(v as object)) return true;
  seen.add(v as object);
  if (ArrayBuffer.isView(v)) return false;
  if (!Object.isFrozen(v)) return false;
  for (const k of Reflect.ownKeys(v as object)) {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    if ("value" in d && !isDeepFrozen(d.value, seen)) return false;
  }
  return true;
}

export interface Speculation {
  specialize: Record<string, unknown>;
  assume: Record<string, TypeAssumption>;
  /** Set when `specialize` has positions inside a rest parameter, or the function reads positions past it (`readsMissing`): the count every profiled call had. */
  argumentCount?: number;
}

export interface SpeculationInput {
  paramNames: Array<string | null>;
  profiles: ArgumentProfile[];
  /** The receiver's profile, when the function mentions `this`. */
  receiver: ArgumentProfile | null;
  dropped: ReadonlySet<string>;
  /** Stable arguments recorded in a profile file, used for the first version. */
  recorded?: ArgumentFeedback[] | undefined;
  /**
   * Where a rest parameter starts (-1: none), and the argument count every profiled call had
   * (undefined when it varied). With both, constant arguments inside the rest parameter are
   * speculated on by position (`Check(...args)` called as `Check(schema, value)`).
   */
  restAt?: number;
  argumentCount?: number | undefined;
  /**
   * Whether the function reads a position of its `arguments` at or past that count (a transpiled
   * default parameter the callers never pass): the count alone is then worth a version, as a
   * missing formal parameter is (a stable `undefined`).
   */
  readsMissing?: boolean;
}

/** The values and types to compile the next version for. */
/** The parameter name at `i`, or null past the list (not Array.prototype's: a program may give it indices). */
function nameAt(names: ReadonlyArray<string | null>, i: number): string | null {
  return i >= 0 && i < names.length ? names[i] ?? null : null;
}

export function speculate(input: SpeculationInput): Speculation {
  const specialize: Record<string, unknown> = {};
  const assume: Record<string, TypeAssumption> = {};
  const consider = (name: string | null, stability: string, value: unknown, tag: string) => {
    if (!name || input.dropped.has(name)) return;
    if (stability === "constant") {
      const primitive = value === null || (typeof value !== "object" && typeof value !== "function");
      // A typed array is never speculated on by identity: its elements change between calls
      // (the DSP bench program refills one buffer per block), so identity bought guards on
      // every folded element read and made the program 14× slower. Its type is kept below.
      // Objects the caller did not freeze are folded behind content guards (freeze: "guard"), never frozen.
      // A proxy never: kos folds nothing through one, and looking at it (isFrozen, its prototype) runs its traps.
      // A function too (a callback every call passes: kos can inline it), guarded by identity.
      if (primitive || (!isProxy(value) && (isDeepFrozen(value) || typeof value === "function" || (typeof value === "object" && !ArrayBuffer.isView(value))))) {
        specialize[name] = value;
        return;
      }
    }
    if ((stability === "constant" || stability === "shape" || stability === "type") && (TYPE_ASSUMPTIONS.has(tag) || tag.startsWith("typedarray:"))) {
      assume[name] = tag as TypeAssumption;
    }
  };
  if (input.recorded) {
    for (const a of input.recorded) {
      if (a.index < 0) continue; // the receiver: speculated on from the live profile below
      const seen = a.index < input.profiles.length ? input.profiles[a.index] : undefined;
      if (a.stability === "constant" && a.value === undefined) {
        // A constant object cannot travel in a file: speculate on the one the first call passed (guarded by identity).
        consider(nameAt(input.paramNames, a.index), seen?.stability === "constant" ? "constant" : "type", seen?.constantValue, a.type ?? seen?.typeTag ?? "");
        continue;
      }
      const value = a.stability === "constant" && a.value !== undefined ? decodeValue(a.value) : undefined;
      consider(nameAt(input.paramNames, a.index), a.stability, value, a.type ?? (a.value !== undefined ? typeTagOf(value) : ""));
    }
  } else {
    input.profiles.forEach((p, i) => consider(nameAt(input.paramNames, i), p.stability, p.constantValue, p.typeTag));
  }
  const restAt = input.restAt ?? -1;
  const count = input.argumentCount;
  let positional = false;
  if (restAt >= 0 && count !== undefined && !input.recorded) {
    for (let i = restAt; i < count && i < input.profiles.length; i++) {
      const p = input.profiles[i];
      const key = String(i);
      if (!p || p.stability !== "constant" || input.dropped.has(key)) continue;
      const v = p.constantValue;
      const primitive = v === null || (typeof v !== "object" && typeof v !== "function");
      if (!primitive && !(typeof v === "object" && !ArrayBuffer.isView(v) && !isProxy(v))) continue;
      specialize[key] = v;
      positional = true;
    }
  }
  // A receiver is specialized on only as a deep-frozen constant object (`specialize: { this }`).
  const r = input.receiver;
  if (r && !input.dropped.has("this") && r.stability === "constant" && typeof r.constantValue === "object" && r.constantValue !== null && !ArrayBuffer.isView(r.constantValue) && !isProxy(r.constantValue)) {
    specialize.this = r.constantValue;
  }
  if (positional) return { specialize, assume, argumentCount: count! };
  // Babel's `var out = arguments.length > 2 && arguments[2] !== undefined ? arguments[2] : d`, called
  // with two arguments: the modern `out = d` compiled on `out === undefined`, this settled as "no
  // argument was stable" (sweep39 #8).
  if (restAt >= 0 && count !== undefined && input.readsMissing && !input.recorded) return { specialize, assume, argumentCount: count };
  return { specialize, assume };
}

/**
 * Nothing worth a version: no constant to specialize on. Type guards alone
 * only restate what V8 already speculates on, and cost a compile: the CRC-32
 * control compiled on `bytes is Uint8Array` ran at 0.70-1.00× of the original.
 */
export function isEmpty(s: Speculation): boolean {
  return Object.keys(s.specialize).length === 0 && s.argumentCount === undefined;
}
