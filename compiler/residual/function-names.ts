/**
 * Gives each function and class expression of the residual the name its
 * source definition gave it (specialize/function-names.ts records them): where
 * the residual defines it under another name (`cb_2 = () => 0`, a temporary,
 * a property) or under none (`[() => 0][0]`), it is wrapped so that
 * NamedEvaluation gives the source's name, `({ ["cb"]: () => 0 }).cb`; one the
 * source left unnamed but the residual assigns to a variable becomes
 * `(0, function () {})`. Run once, after the clean-up passes have moved the
 * expressions where they stay.
 */
import type { Node } from "../ast.js";
import { definitionName } from "../specialize/function-names.js";

export function keepFunctionNames(root: Node, names: ReadonlyMap<Node, string>): void {
  if (names.size === 0) return;
  const visit = (n: Node, parent: Node | null, set: (next: Node) => void): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      n.forEach((c, i) => visit(c, parent, (next) => (n[i] = next)));
      return;
    }
    if (typeof n.type !== "string" || n.type === "KosConst") return;
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") visit(n[k], n, (next) => (n[k] = next));
    const want = names.get(n);
    if (want === undefined || definitionName(n, parent) === want) return;
    set(named(n, want));
  };
  visit(root, null, () => {});
}

function named(fn: Node, name: string): Node {
  if (name === "") return { type: "SequenceExpression", expressions: [{ type: "Literal", value: 0, raw: "0" }, fn] };
  // A computed key only for `__proto__` (`{ "__proto__": f }` sets the prototype): an object literal
  // with a computed key is built at run time, slowly: expr-eval's evaluator, which makes its closures
  // in the hot path, ran 1.2x the library with it against 3.8-4.1x.
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? { type: "Identifier", name } : { type: "Literal", value: name, raw: JSON.stringify(name) };
  return {
    type: "MemberExpression",
    object: { type: "ObjectExpression", properties: [{ type: "Property", key, value: fn, kind: "init", computed: name === "__proto__", method: false, shorthand: false }] },
    property: { ...key },
    computed: key.type === "Literal",
    optional: false,
  };
}
