/**
 * `String(x)` of a value kos knows to be a number, a boolean, a string, a bigint or undefined,
 * written `"" + x`. For those types the two are the same string (both are ToString(x); ToPrimitive
 * of a primitive is itself), and neither runs code of the program; they differ only on a symbol
 * (String gives its description, `+` throws) and on an object (String converts with the hint
 * "string", `+` with "default"), which are left as the call.
 *
 * Why: V8 (Node 20, TurboFan) keeps `String(x)` a call into the String constructor builtin, where
 * `"" + x` of a number is its number-to-string cache inline. The json-serializer fixture's version
 * (its `String(n)` of the id, the total and each item's qty and price) ran 838 -> 798 ns a call
 * with those written `"" + n`, against 769 ns for fast-json-stringify, which writes `'' + n` (CPU
 * time, lowest of 16 windows of 25 ms each, one process).
 */
import { isNativeFunction } from "../builtins.js";
import type { Node } from "../ast.js";
import type { Val } from "./values.js";

/** The engine's String as kos loaded it; a replacement the program made before is not it. */
const StringIntrinsic: unknown = isNativeFunction(String) ? String : undefined;

/** Types whose ToString through `+` is String's: ToPrimitive leaves them as they are. */
const CONVERTS_ALIKE = new Set(["number", "boolean", "string", "bigint", "undefined"]);

/** `"" + x` for `String(x)` where `x`'s type makes them equal, else null (the call stays). */
export function stringOfPrimitive(fn: Val, args: readonly Val[], residual: (v: Val) => Node): Node | null {
  if (fn.k !== "s" || fn.v !== StringIntrinsic || args.length !== 1) return null;
  const x = args[0]!;
  if (x.k !== "d" || x.type === undefined || !CONVERTS_ALIKE.has(x.type)) return null;
  return { type: "BinaryExpression", operator: "+", left: { type: "Literal", value: "", raw: '""' }, right: residual(x) };
}
