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
import { childKeys, type Node } from "../ast.js";
import { definitionName } from "../specialize/function-names.js";

export function keepFunctionNames(root: Node, names: ReadonlyMap<Node, string>): void {
  if (names.size === 0) return;
  // The slot a node sits in is passed as (holder, key): a closure per child and Object.keys per node
  // made this walk 11 ms of each of mingo's compiles.
  const visit = (n: Node, parent: Node | null, holder: Node, slot: string | number): void => {
    if (!n || typeof n !== "object" || typeof n.type !== "string" || n.type === "KosConst") return;
    for (const k of childKeys(n)) {
      const v = n[k];
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) visit(v[i], n, v, i);
      } else visit(v, n, n, k);
    }
    const want = names.get(n);
    if (want === undefined || definitionName(n, parent) === want) return;
    holder[slot] = named(n, want);
  };
  visit(root, null, { root }, "root");
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
