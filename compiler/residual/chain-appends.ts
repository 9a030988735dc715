/**
 * String concatenations as one chain from the left: `acc = acc + ("\"k\":" + E)` becomes
 * `acc = acc + "\"k\":" + E`, `"{" + ("\"id\":" + E)` becomes `"{\"id\":" + E`, and
 * `s + ("" + E)` becomes `s + E`. Inlining a serializer's per-field call leaves its result
 * grouped on the right, where the code a person writes (and a code generator such as
 * fast-json-stringify emits) appends piece after piece.
 *
 * Why: V8 (Node 20) builds the string faster so. The json-serializer fixture's version, edited by
 * hand to these shapes, ran 834 ns a call as generated, 803 with the literals folded and the
 * `"" +` dropped, 782 chained from the left, against 804 for fast-json-stringify (CPU time,
 * lowest of 40 windows of 25 ms each, one process, .scratch/ab.mjs of the fjs branch).
 *
 * Exact: `X + (Y + Z)` and `(X + Y) + Z` are the same string when `Y + Z` concatenates (Y a
 * string) and X is a primitive, or when X is a string and Y a primitive and Z a string: each
 * side is converted once (ToPrimitive with no hint, then ToString), in the same order, and the
 * pieces are joined in the same order. X and Y are never read as anything but what they hold:
 * string literals, concatenations with a string literal in them, and accumulators (mergeAppends'
 * variables whose every write is such a concatenation or a literal, so they hold a primitive).
 * `X + ("" + E)` is `X + E` for a string X: E is converted to a string once either way. The one
 * difference: a result past the engine's longest string (2^29 - 24 characters) throws its
 * RangeError before E's conversion instead of after it, the trade merge-appends.ts makes too.
 */
import { childKeys, type Node } from "../ast.js";
import { accumulators } from "./merge-appends.js";

const isStringLiteral = (e: Node): boolean => e.type === "Literal" && typeof e.value === "string";
const isPlus = (e: Node): boolean => e.type === "BinaryExpression" && e.operator === "+";
const literal = (value: string): Node => ({ type: "Literal", value, raw: JSON.stringify(value) });
const plus = (left: Node, right: Node): Node => ({ type: "BinaryExpression", operator: "+", left, right });

/** A string whatever its operands hold: a string literal, a template, a `+` with a string operand. */
function knownString(e: Node): boolean {
  if (isStringLiteral(e) || e.type === "TemplateLiteral") return true;
  return isPlus(e) && (knownString(e.right) || knownString(e.left));
}

export function chainAppends(fn: Node): boolean {
  const accs = accumulators(fn);
  const primitive = (e: Node): boolean => knownString(e) || (e.type === "Identifier" && accs.has(e.name)) || (e.type === "Literal" && !(e as { regex?: unknown }).regex);
  let changed = false;

  const chain = (e: Node): Node => {
    for (;;) {
      const x = e.left;
      const r = e.right;
      if (!isPlus(r)) return e;
      let next: Node | null = null;
      // "a" + ("b" + E) -> "ab" + E
      if (isStringLiteral(x) && isStringLiteral(r.left)) next = plus(literal(x.value + r.left.value), r.right);
      // s + ("" + E) -> s + E
      else if (knownString(x) && isStringLiteral(r.left) && r.left.value === "") next = plus(x, r.right);
      // p + (s + Z) -> (p + s) + Z
      else if (knownString(r.left) && primitive(x)) next = plus(plus(x, r.left), r.right);
      // s + (p + "z") -> (s + p) + "z"
      else if (knownString(x) && primitive(r.left) && isStringLiteral(r.right)) next = plus(plus(x, r.left), r.right);
      if (!next) return e;
      changed = true;
      e = next;
      // The new left may chain too: "a" + ("b" + ("c" + E)) -> ("a" + "b") + ("c" + E) first.
      e.left = isPlus(e.left) ? chain(e.left) : e.left;
    }
  };

  const visit = (n: Node): Node => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return n;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) n[i] = visit(n[i]);
      return n;
    }
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ClassBody") return n;
    for (const k of childKeys(n)) n[k] = visit(n[k]);
    return isPlus(n) ? chain(n) : n;
  };
  visit(fn.body);
  return changed;
}
