/**
 * Static evaluation of JavaScript operators on primitive values, and the type
 * each operator's result is known to have. Anything that could run user code
 * (an object operand: valueOf, toString, Symbol.toPrimitive) or throw is left
 * to residual code, so the engine produces its own result and message.
 */
export type Folded = { ok: true; value: unknown } | { ok: false };
const NO: Folded = { ok: false };

const isPrim = (v: unknown) => v === null || (typeof v !== "object" && typeof v !== "function");

export function foldBinary(op: string, a: unknown, b: unknown): Folded {
  if (op === "===") return { ok: true, value: a === b };
  if (op === "!==") return { ok: true, value: a !== b };
  // Loose equality with null or undefined converts nothing (`cached == null`), nor between two objects.
  if ((op === "==" || op === "!=") && (a == null || b == null || (!isPrim(a) && !isPrim(b)))) {
    const eq = a == null || b == null ? (a == null) === (b == null) : a === b;
    return { ok: true, value: op === "==" ? eq : !eq };
  }
  if (!isPrim(a) || !isPrim(b)) return NO;
  try {
    const x = a as never;
    const y = b as never;
    switch (op) {
      case "==": return { ok: true, value: a == b };
      case "!=": return { ok: true, value: a != b };
      case "<": return { ok: true, value: x < y };
      case ">": return { ok: true, value: x > y };
      case "<=": return { ok: true, value: x <= y };
      case ">=": return { ok: true, value: x >= y };
      case "+": return { ok: true, value: (x as number) + (y as number) };
      case "-": return { ok: true, value: x - y };
      case "*": return { ok: true, value: x * y };
      case "/": return { ok: true, value: x / y };
      case "%": return { ok: true, value: x % y };
      case "**": return { ok: true, value: (x as number) ** (y as number) };
      case "&": return { ok: true, value: x & y };
      case "|": return { ok: true, value: x | y };
      case "^": return { ok: true, value: x ^ y };
      case "<<": return { ok: true, value: x << y };
      case ">>": return { ok: true, value: x >> y };
      case ">>>": return { ok: true, value: x >>> y };
      default: return NO;
    }
  } catch {
    return NO;
  }
}

export function foldUnary(op: string, a: unknown): Folded {
  if (op === "typeof") return { ok: true, value: a === null ? "object" : typeof a };
  if (op === "!") return { ok: true, value: !a };
  if (op === "void") return { ok: true, value: undefined };
  if (!isPrim(a)) return NO;
  try {
    switch (op) {
      case "-": return { ok: true, value: -(a as number) };
      case "+": return { ok: true, value: +(a as number) };
      case "~": return { ok: true, value: ~(a as number) };
      default: return NO;
    }
  } catch {
    return NO;
  }
}

/** The `typeof` of a residual binary expression's result, when the operand types decide it. */
export function binaryResultType(op: string, ta: string | undefined, tb: string | undefined): string | undefined {
  switch (op) {
    case "===": case "!==": case "==": case "!=": case "<": case ">": case "<=": case ">=": case "in": case "instanceof":
      return "boolean";
    case "+":
      if (ta === "string" || tb === "string") return "string";
      return ta === "number" && tb === "number" ? "number" : undefined;
    case ">>>":
      return "number";
    default:
      // The other operand converts to a number or a BigInt, and a BigInt beside a number throws
      // (ECMA-262 13.15.3 ApplyStringOrNumericBinaryOperator): `(lo + hi) / 2` is a number.
      if (ta === "number" || tb === "number") return "number";
      if (ta === "bigint" && tb === "bigint") return "bigint";
      return undefined;
  }
}

/** The operand types for which an operator cannot call user code (valueOf/toString). */
export const primitiveTypes = new Set(["number", "string", "boolean", "bigint", "undefined", "symbol"]);

/** ToString of a primitive as template literals do it, or NO for symbols. */
export function templateString(v: unknown): Folded {
  if (typeof v === "symbol" || !isPrim(v)) return NO;
  return { ok: true, value: String(v) };
}
