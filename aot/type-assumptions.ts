/**
 * TypeScript types that feed the compiler. A parameter declared as a typed
 * array (`Float64Array`, …) is passed as `assume: "typedarray:Float64Array"`
 * and listed in `trustAssumptions`, so the build output carries no type guard
 * for it: the type checker already stands behind it.
 *
 * Only typed arrays are trusted: they are the case where the guard is a real
 * cost in a hot loop (an `instanceof` per call) and where TS types are rarely
 * lied to. Primitive types are left to the compiler's own guards.
 */
import { Node, type SourceFile } from "ts-morph";
import type { TypeAssumption } from "../compiler/types.js";
import type { FunctionSite } from "./sites.js";

const TYPED_ARRAYS = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
]);

/** Typed-array parameters of a function, from their declared TypeScript types. */
export function typedArrayParams(site: FunctionSite): Record<string, TypeAssumption> {
  const out: Record<string, TypeAssumption> = {};
  for (const p of site.fn.getParameters()) {
    if (p.hasQuestionToken() || p.hasInitializer()) continue; // may be undefined
    const t = p.getType();
    if (t.isUnion() || t.isIntersection()) continue;
    const name = t.getSymbol()?.getName();
    // `Float64Array<ArrayBufferLike>` in newer lib typings: the symbol name is still `Float64Array`.
    if (name && TYPED_ARRAYS.has(name) && t.getText().replace(/<.*>$/, "").endsWith(name)) {
      out[p.getName()] = `typedarray:${name}` as TypeAssumption;
    }
  }
  return out;
}

/** Maps a type name recorded by the profiler (`number`, `Float64Array`, …) to an assumption, when there is one. */
export function assumptionFromObservedType(type: string | undefined): TypeAssumption | null {
  if (!type) return null;
  if (TYPED_ARRAYS.has(type)) return `typedarray:${type}` as TypeAssumption;
  if (["number", "string", "boolean", "bigint", "function"].includes(type)) return type as TypeAssumption;
  if (type === "array" || type === "Array") return "array";
  return null;
}

/**
 * Module-level constants that TypeScript declares immutable all the way down:
 * initialized `as const`, or annotated `readonly T[]` / `ReadonlyArray<T>` /
 * `readonly [...]` of primitives. kos build deep-freezes these (in the output
 * too), which lets the compiler fold reads from them; runtime `jit` cannot
 * know this and leaves such objects alone.
 */
export function readonlyConstants(sf: SourceFile): string[] {
  const names: string[] = [];
  for (const st of sf.getVariableStatements()) {
    if (st.getDeclarationKind() !== "const" || st.hasDeclareKeyword()) continue;
    for (const d of st.getDeclarations()) {
      if (!Node.isIdentifier(d.getNameNode())) continue;
      const init = d.getInitializer();
      if (!init) continue;
      const asConst = Node.isAsExpression(init) && init.getTypeNode()?.getText() === "const";
      const typeNode = d.getTypeNode();
      let readonlyPrimitives = false;
      if (typeNode) {
        const t = typeNode.getType();
        const text = typeNode.getText().replace(/\s+/g, " ");
        const isReadonlyArray = /^readonly /.test(text) || /^ReadonlyArray</.test(text);
        const elements = t.isArray() || t.isTuple() ? (t.isTuple() ? t.getTupleElements() : [t.getArrayElementTypeOrThrow()]) : (t.getTypeArguments?.() ?? []);
        readonlyPrimitives = isReadonlyArray && elements.length > 0 && elements.every((e) => e.isNumber() || e.isString() || e.isBoolean() || e.isLiteral() || e.isNumberLiteral() || e.isStringLiteral() || e.isBooleanLiteral());
      }
      if (asConst || readonlyPrimitives) names.push(d.getName());
    }
  }
  return names;
}
