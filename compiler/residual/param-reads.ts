/**
 * After its guard, a specialized object parameter *is* the value: the residual
 * reads the parameter, a local, instead of the closure slot that holds the
 * constant. The substitution must see scopes: the residual declares a source's
 * name in blocks of its own (`{ let x = …; for (const t of x) … }`, where an
 * engine message names the operand, source-names.ts), and an inlined callee's
 * blocks and nested functions may declare it too. Under such a declaration the
 * name is another variable (and in its own initialiser, one in its temporal
 * dead zone), so a constant there stays a reference.
 */
import { childKeys, forEachChildSlot, forEachPatternName, id, isFunctionNode, type Node } from "../ast.js";

/** Binding names a pattern declares, into `out`. */
function patternNames(p: Node | null | undefined, out: string[]): void {
  forEachPatternName(p, (name) => out.push(name));
}

/** Names the statements of one list declare for that list's scope (every kind, `var` included: conservative). */
function listNames(list: Node[], out: string[]): void {
  for (const st of list) {
    if (!st) continue;
    if (st.type === "VariableDeclaration") for (const d of st.declarations) patternNames(d.id, out);
    else if ((st.type === "FunctionDeclaration" || st.type === "ClassDeclaration") && st.id) out.push(st.id.name);
  }
}

/** `var` names a function body declares anywhere outside nested functions. */
function varNames(n: Node, out: string[]): void {
  if (!n || typeof n.type !== "string" || n.type === "KosConst" || isFunctionNode(n)) return;
  if (n.type === "VariableDeclaration" && n.kind === "var") for (const d of n.declarations) patternNames(d.id, out);
  for (const k of childKeys(n)) {
    const v = n[k];
    if (Array.isArray(v)) for (const c of v) varNames(c, out);
    else if (v) varNames(v, out);
  }
}

/** The names `n` declares for its own children. */
function scopeNames(n: Node): string[] {
  const out: string[] = [];
  switch (n.type) {
    case "BlockStatement":
    case "Program":
    case "StaticBlock":
      listNames(n.body, out);
      break;
    case "SwitchStatement":
      for (const c of n.cases) listNames(c.consequent, out);
      break;
    case "ForStatement":
      if (n.init?.type === "VariableDeclaration") listNames([n.init], out);
      break;
    case "ForInStatement":
    case "ForOfStatement":
      if (n.left.type === "VariableDeclaration") listNames([n.left], out);
      break;
    case "CatchClause":
      patternNames(n.param, out);
      break;
    case "ClassExpression":
    case "ClassDeclaration":
      if (n.id) out.push(n.id.name);
      break;
    default:
      if (isFunctionNode(n)) {
        if (n.id) out.push(n.id.name);
        for (const p of n.params) patternNames(p, out);
        if (n.body.type === "BlockStatement") varNames(n.body, out);
      }
  }
  return out;
}

/**
 * The receiver's entry in `paramOfValue`: a specialized `this` is read as `this` (V8 names it so in
 * its messages: "this[ev] is not a function", where the constant read "$k_this_0[ev] …").
 */
export const THIS = "this";

/**
 * Replaces, in place, each constant in `list` that is one of the parameters' specialized values
 * with a read of that parameter, wherever the parameter's name is not redeclared on the way.
 */
export function readParamsForConstants(list: Node[], paramOfValue: ReadonlyMap<unknown, string>): void {
  if (paramOfValue.size === 0) return;
  const names = new Set(paramOfValue.values());
  const visit = (n: Node, shadowed: ReadonlySet<string>): void => {
    const own = scopeNames(n).filter((x) => names.has(x));
    // THIS (the receiver) is rebound by every function but an arrow, and in a class body.
    if (names.has(THIS) && ((isFunctionNode(n) && n.type !== "ArrowFunctionExpression") || n.type === "ClassBody")) own.push(THIS);
    const inner = own.length ? new Set([...shadowed, ...own]) : shadowed;
    forEachChildSlot(n, (c, replace) => {
      if (c.type === "KosConst") {
        const p = paramOfValue.get(c.value);
        if (p !== undefined && !inner.has(p)) replace(p === THIS ? { type: "ThisExpression" } : id(p));
        return;
      }
      visit(c, inner);
    });
  };
  visit({ type: "BlockStatement", body: list }, new Set());
}

/**
 * Names the residual redeclares with `var` at the function's own level: such a `var` is the
 * parameter itself, and its initialiser writes it (`var x = x || {}` in an old-style body).
 */
export function varRedeclared(body: Node[]): Set<string> {
  const out: string[] = [];
  for (const st of body) varNames(st, out);
  return new Set(out);
}
