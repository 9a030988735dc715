/**
 * Safe JavaScript text for values that `kos build` itself writes into the
 * output (property keys of reference paths, names in comments). Project
 * rule: user data never enters generated source by concatenation, so every
 * string goes through `stringLiteral`, which escapes quotes, backslashes,
 * control characters and U+2028/U+2029.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(("break case catch class const continue debugger default delete do else enum export extends false finally for " +
  "function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
  "implements interface package private protected public await arguments eval undefined NaN Infinity").split(" "));

/** A double-quoted JS string literal for `s`. */
export function stringLiteral(s: string): string {
  // JSON.stringify escapes quotes, backslashes and C0 controls; add the two line separators JSON leaves raw.
  return JSON.stringify(s).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** True for names usable as a plain identifier (and as a dotted property name). */
export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** `base.key` when `key` is a plain identifier, else `base["key"]`. */
export function memberExpression(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${stringLiteral(key)}]`;
}

/** Text for a comment: no comment terminators, no line breaks. */
export function commentText(s: string): string {
  return s.replace(/\*\//g, "* /").replace(/[\r\n\u2028\u2029]+/g, " ");
}

/**
 * JS source that rebuilds plain data: primitives (with -0, NaN, ±Infinity,
 * bigint and undefined exact), arrays and plain objects of them, frozen
 * where the original is frozen. Null for anything else (functions, class
 * instances, shared or cyclic structure, which a literal would not keep).
 */
export function dataLiteral(value: unknown, seen: Set<object> = new Set()): string | null {
  switch (typeof value) {
    case "undefined": return "undefined";
    case "boolean": return value ? "true" : "false";
    case "string": return stringLiteral(value);
    case "bigint": return `${value < 0n ? "-" : ""}${value < 0n ? -value : value}n`;
    case "number":
      if (Number.isNaN(value)) return "NaN";
      if (value === Infinity) return "Infinity";
      if (value === -Infinity) return "-Infinity";
      if (Object.is(value, -0)) return "-0";
      return value < 0 ? `-${-value}` : String(value);
    case "object": break;
    default: return null;
  }
  if (value === null) return "null";
  if (seen.has(value)) return null;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  let body: string | null = null;
  if (Array.isArray(value) && proto === Array.prototype) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return null;
      const s = dataLiteral(value[i], seen);
      if (s === null) return null;
      items.push(s);
    }
    body = `[${items.join(", ")}]`;
  } else if (proto === Object.prototype) {
    const parts: string[] = [];
    for (const k of Reflect.ownKeys(value)) {
      if (typeof k === "symbol") return null;
      const d = Object.getOwnPropertyDescriptor(value, k)!;
      if (!("value" in d) || !d.enumerable || k === "__proto__") return null;
      const s = dataLiteral(d.value, seen);
      if (s === null) return null;
      parts.push(`${stringLiteral(k)}: ${s}`);
    }
    body = `{ ${parts.join(", ")} }`;
  }
  if (body === null) return null;
  return Object.isFrozen(value) ? `Object.freeze(${body})` : body;
}
