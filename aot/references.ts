/**
 * Maps live values back to expressions that reach them in the output module,
 * for the compiler's `referenceExpression` callback: the compiled code says
 * `SCHEMA.properties.name` instead of needing a closure.
 *
 * Built by a breadth-first walk from the module's immutable top-level
 * bindings (const, function, class, import), in declaration order, so the
 * shortest path wins and the result is deterministic. Only own enumerable
 * data properties are followed (a getter could answer differently at run
 * time), and the walk is bounded in depth and size.
 */
import { memberExpression } from "./literal.js";
import type { ModuleBindings } from "./probe.js";

const MAX_DEPTH = 8;
const MAX_OBJECTS = 20_000;

export interface ReferenceIndex {
  /** An expression reaching `value` in the module, or null. */
  expressionFor(value: unknown): string | null;
  /** Every object reached, for before/after freeze checks. */
  objects(): object[];
}

export function buildReferenceIndex(bindings: ModuleBindings): ReferenceIndex {
  const paths = new Map<object, string>();
  // Symbols a module binding holds (`const SYM = Symbol("s")`): no literal makes one, so the output
  // reads the binding, as the source does (a read of `o[SYM]` was skipped as "needs $k_ref_0").
  const symbols = new Map<symbol, string>();
  let queue: Array<{ value: object; expr: string }> = [];
  for (const name of bindings.names) {
    if (!bindings.immutable.has(name)) continue;
    const b = bindings.get(name);
    if (b.found && typeof b.value === "symbol" && !symbols.has(b.value)) symbols.set(b.value, name);
    if (!b.found || !isObjectLike(b.value) || paths.has(b.value)) continue;
    paths.set(b.value, name);
    queue.push({ value: b.value, expr: name });
  }
  for (let depth = 0; depth < MAX_DEPTH && queue.length > 0 && paths.size < MAX_OBJECTS; depth++) {
    const next: typeof queue = [];
    for (const { value, expr } of queue) {
      if (typeof value === "function") continue; // function properties (statics) are rarely specialized on
      if (ArrayBuffer.isView(value)) continue;
      for (const key of Object.keys(value)) {
        const d = Object.getOwnPropertyDescriptor(value, key);
        if (!d || !("value" in d) || !isObjectLike(d.value) || paths.has(d.value)) continue;
        const e = Array.isArray(value) && /^\d+$/.test(key) ? `${expr}[${key}]` : memberExpression(expr, key);
        paths.set(d.value, e);
        next.push({ value: d.value, expr: e });
        if (paths.size >= MAX_OBJECTS) break;
      }
    }
    queue = next;
  }
  return {
    expressionFor: (v) => (isObjectLike(v) ? (paths.get(v) ?? globalExpression(v)) : typeof v === "symbol" ? (symbols.get(v) ?? wellKnownSymbol(v)) : null),
    objects: () => [...paths.keys()],
  };
}

function isObjectLike(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** Standard globals the compiled code may reference (e.g. `JSON` to guard a folded `JSON.stringify`). */
const GLOBAL_NAMES = ["JSON", "Math", "Object", "Array", "Number", "String", "Boolean", "BigInt", "Symbol", "Reflect", "Date", "RegExp",
  "Map", "Set", "WeakMap", "WeakSet", "Promise", "Error", "TypeError", "RangeError", "ArrayBuffer", "DataView", "Atomics",
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "parseInt", "parseFloat", "isNaN", "isFinite",
  "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI"];

let globals: Map<object, string> | null = null;

/** `globalThis.JSON`, `globalThis.Math.max`, … for standard built-ins; null for anything else. */
function globalExpression(v: object): string | null {
  if (!globals) {
    globals = new Map();
    const g = globalThis as unknown as Record<string, unknown>;
    for (const name of GLOBAL_NAMES) {
      const value = g[name];
      if (!isObjectLike(value) || globals.has(value)) continue;
      globals.set(value, `globalThis.${name}`);
    }
    for (const name of GLOBAL_NAMES) {
      const value = g[name];
      if (!isObjectLike(value)) continue;
      for (const key of Object.getOwnPropertyNames(value)) {
        const d = Object.getOwnPropertyDescriptor(value, key);
        if (d && "value" in d && isObjectLike(d.value) && !globals.has(d.value)) globals.set(d.value, memberExpression(`globalThis.${name}`, key));
      }
      const proto = (value as { prototype?: unknown }).prototype;
      if (isObjectLike(proto) && !globals.has(proto)) globals.set(proto, `globalThis.${name}.prototype`);
      if (isObjectLike(proto)) {
        for (const key of Object.getOwnPropertyNames(proto)) {
          const d = Object.getOwnPropertyDescriptor(proto, key);
          if (d && "value" in d && typeof d.value === "function" && !globals.has(d.value)) globals.set(d.value, memberExpression(`globalThis.${name}.prototype`, key));
        }
      }
    }
  }
  return globals.get(v) ?? null;
}

/** `globalThis.Symbol.iterator` and the other well-known symbols; null for any other symbol. */
function wellKnownSymbol(v: symbol): string | null {
  for (const key of Object.getOwnPropertyNames(Symbol)) {
    const d = Object.getOwnPropertyDescriptor(Symbol, key);
    if (d && "value" in d && d.value === v) return memberExpression("globalThis.Symbol", key);
  }
  return null;
}
