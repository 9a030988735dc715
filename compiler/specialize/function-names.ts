/**
 * The names anonymous functions and classes get from where the source
 * defines them (ECMAScript's NamedEvaluation): `const cb = () => 0` makes a
 * function named "cb", `[function () {}][0]` one named "". The residual
 * defines the same function somewhere else: under a renamed variable
 * (`cb_2 = () => 0`, named "cb_2"), in a temporary, or forwarded into a use
 * (`[() => 0][0]`). Each function or class expression the specializer emits is
 * recorded here with its source name; residual/function-names.ts then gives
 * each one that name where it now stands (`({ ["cb"]: () => 0 }).cb`, or
 * `(0, function () {})` for ""). Code that keys a registry or a log by
 * `fn.name` or `constructor.name` saw other names.
 */
import type { Node } from "../ast.js";
import { Specializer, id } from "./specializer.js";
import type { FnInfo } from "./fn-info.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Residual function and class expressions, each with the name its source definition gives it. */
    functionNames: Map<Node, string>;
    /** Per function info: each anonymous function or class expression of its source, with the name it gets there. */
    sourceFunctionNames: WeakMap<FnInfo, Map<Node, string>> | undefined;
    /** Records `residual` (emitted for the source expression `n`) with the name `n` gets in the source. */
    recordFunctionName(n: Node, residual: Node): void;
  }
}

const P = Specializer.prototype;

/** Whether `n` is a function or class expression that takes its name from where it is defined. */
export function isAnonymousDefinition(n: Node): boolean {
  return (n?.type === "ArrowFunctionExpression" || n?.type === "FunctionExpression" || n?.type === "ClassExpression") && !n.id;
}

/**
 * The name NamedEvaluation gives the anonymous definition `child` of `parent`, or "" where none
 * does; null where it is not known before run time (a computed key that is not a literal).
 */
export function definitionName(child: Node, parent: Node | null): string | null {
  if (!parent) return "";
  switch (parent.type) {
    case "VariableDeclarator":
      return parent.init === child && parent.id.type === "Identifier" ? parent.id.name : "";
    case "AssignmentExpression":
      return parent.right === child && parent.left.type === "Identifier" && ["=", "&&=", "||=", "??="].includes(parent.operator) ? parent.left.name : "";
    case "AssignmentPattern":
      return parent.right === child && parent.left.type === "Identifier" ? parent.left.name : "";
    case "Property":
    case "PropertyDefinition":
      if (parent.value !== child || (parent.type === "Property" && (parent.kind !== "init" || parent.method || parent.shorthand))) return "";
      if (!parent.computed) {
        if (parent.key.type === "Identifier") return parent.key.name;
        if (parent.key.type === "Literal") return String(parent.key.value);
        return null;
      }
      return parent.key.type === "Literal" && typeof parent.key.value === "string" ? parent.key.value : null;
    case "ParenthesizedExpression":
      return null;
    default:
      return "";
  }
}

function namesOf(root: Node): Map<Node, string> {
  const names = new Map<Node, string>();
  const visit = (n: Node, parent: Node | null): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const c of n) visit(c, parent);
      return;
    }
    if (typeof n.type !== "string") return;
    if (isAnonymousDefinition(n)) {
      const name = definitionName(n, parent);
      if (name !== null) names.set(n, name);
    }
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type" && k !== "start" && k !== "end") visit(n[k], n);
  };
  visit(root, null);
  return names;
}

P.recordFunctionName = function (this: Specializer, n: Node, residual: Node): void {
  if (!isAnonymousDefinition(n) || !isAnonymousDefinition(residual)) return;
  const info = this.frame.info;
  const cache = (this.sourceFunctionNames ??= new WeakMap());
  let names = cache.get(info);
  if (!names) cache.set(info, (names = namesOf(info.node)));
  const name = names.get(n);
  if (name !== undefined) (this.functionNames ??= new Map()).set(residual, name);
};

/**
 * A function or class declaration copied under its slot's name. Renamed (`run` of an inlined callee
 * is `run_2` where its caller has a `run`), a declaration would name the function `run_2`, which
 * `fn.name`, `constructor.name` and V8's messages ("Class constructor Point_2 cannot be invoked
 * without 'new'") show: it becomes `let run_2 = function run() {…}`, a named expression whose own
 * name only its body could see, and every read there of the declared name was renamed to the slot.
 * Emitted at block entry, as a function declaration is hoisted; a class keeps its place and its
 * temporal dead zone.
 */
export function declarationUnderSlot(copy: Node, sourceName: string, slotName: string, expressionType: "FunctionExpression" | "ClassExpression"): Node {
  if (slotName === sourceName) return { ...copy, id: id(slotName) };
  return { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(slotName), init: { ...copy, type: expressionType, id: id(sourceName) } }] };
}
