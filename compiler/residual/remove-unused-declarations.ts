/**
 * Declarations that no residual code reads or writes any more (specialization
 * made them static): names of the hoisted `let` at the top of the function,
 * and block-scoped `let`/`const` that inlined bodies leave behind
 * (`{ let data_59 = arg_48; }` once every use of `data_59` folded away).
 */
import { childKeys, type Node } from "../ast.js";

/**
 * Every identifier reference by name (declarator ids, labels, and non-computed keys are not
 * references), and into `lists` the statement lists of the function's own code (not of nested
 * functions): one walk for both.
 */
function countReferences(root: Node[], lists: Node[][]): Map<string, number> {
  const refs = new Map<string, number>();
  let nested = 0;
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) visit(n[i]);
      return;
    }
    switch (n.type) {
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "ArrowFunctionExpression":
        nested++;
        for (const k of childKeys(n)) visit(n[k]);
        nested--;
        return;
      case "BlockStatement":
        if (!nested) lists.push(n.body);
        break;
      case "SwitchCase":
        if (!nested) lists.push(n.consequent);
        break;
      case "Identifier":
        refs.set(n.name, (refs.get(n.name) ?? 0) + 1);
        return;
      case "MemberExpression":
        visit(n.object);
        if (n.computed) visit(n.property);
        return;
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition":
        if (n.computed) visit(n.key);
        visit(n.value);
        return;
      case "VariableDeclarator":
        if (n.id.type !== "Identifier") visit(n.id);
        visit(n.init);
        return;
      case "LabeledStatement":
        visit(n.body);
        return;
      case "BreakStatement":
      case "ContinueStatement":
        return;
    }
    for (const k of childKeys(n)) visit(n[k]);
  };
  visit(root);
  return refs;
}

export function removeUnusedDeclarations(fn: Node): boolean {
  const body: Node[] = fn.body.body;
  const first = body[0];
  const hoisted = first?.type === "VariableDeclaration" && first.kind === "let" && !first.declarations.some((d: Node) => d.init) ? first : null;
  // Nested blocks only: the top-level list was never swept.
  const lists: Node[][] = [];
  const refs = countReferences(hoisted ? body.slice(1) : body, lists);
  let changed = false;
  if (hoisted) {
    const kept = hoisted.declarations.filter((d: Node) => refs.has(d.id.name));
    if (kept.length !== hoisted.declarations.length) {
      changed = true;
      if (kept.length) hoisted.declarations = kept;
      else body.shift();
    }
  }
  // An initialiser that can be dropped: no effect, and no TDZ read (a parameter or a hoisted name
  // is initialised before any statement runs; another name might not be yet).
  const early = new Set<string>([...(hoisted?.declarations ?? []).map((d: Node) => d.id.name), ...fn.params.filter((p: Node) => p.type === "Identifier").map((p: Node) => p.name)]);
  const droppable = (e: Node | null): boolean =>
    !e || e.type === "Literal" || e.type === "KosConst" || (e.type === "Identifier" && early.has(e.name)) ||
    (e.type === "UnaryExpression" && e.operator === "void" && droppable(e.argument));
  const sweep = (list: Node[]): void => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s === hoisted || s?.type !== "VariableDeclaration" || s.kind === "var") continue;
      const kept = s.declarations.filter((d: Node) => d.id.type !== "Identifier" || early.has(d.id.name) || refs.has(d.id.name) || !droppable(d.init));
      if (kept.length === s.declarations.length) continue;
      changed = true;
      if (kept.length) s.declarations = kept;
      else list.splice(i--, 1);
    }
  };
  for (const list of lists) sweep(list);
  // A function declared in the residual that nothing names any more but itself: the helpers a
  // specialized body declares whose every call ran in place (specialize/patterns.ts, hoistFunctions).
  // Left, each call would still make the closure.
  const sweepFunctions = (list: Node[]): void => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s?.type !== "FunctionDeclaration" || !s.id) continue;
      const total = refs.get(s.id.name) ?? 0;
      if (total > (countReferences([s], []).get(s.id.name) ?? 0)) continue;
      changed = true;
      list.splice(i--, 1);
    }
  };
  sweepFunctions(body);
  for (const list of lists) sweepFunctions(list);
  return changed;
}
