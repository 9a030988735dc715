/**
 * `t = E; S` where the temporary `t` is assigned once and read once, in `S`,
 * before anything that could run code or be skipped: `E` moves into `S`.
 * Evaluation order is kept, because nothing evaluated between the old place
 * of `E` and its new one can observe it or be observed by it (only literals
 * and variable reads may come first).
 */
import { childKeys, expandShorthandInPlace, type Node } from "../ast.js";
import type { ResidualContext } from "./pipeline.js";

/**
 * Where the read was found, and what the place makes observable of the expression in it:
 * `inCallee`, its text in a failing call's message; `asCallee`, the receiver a member
 * expression would pass; `named`, its text in a destructuring message; `typeofOperand`,
 * whether an undeclared name throws.
 */
type Found = { found: { parent: Node; key: string | number }; inCallee?: true; asCallee?: true; named?: true; typeofOperand?: true };
type Scan = Found | "blocked" | "clean";
/** `builtins`: `Math` and its kind name the built-ins; `unsafe`: variables the moved expression may write. */
type ScanContext = { builtins: boolean; unsafe: Set<string> };

function assignedTemp(s: Node): string | null {
  if (s.type !== "ExpressionStatement") return null;
  const e = s.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "Identifier") return null;
  return e.left.name;
}

export function forwardTemporaries(fn: Node, ctx: Pick<ResidualContext, "sourceNames">): boolean {
  const body: Node[] = fn.body.body;
  const hoisted = body[0]?.type === "VariableDeclaration" && body[0].kind === "let" ? new Set<string>(body[0].declarations.map((d: Node) => d.id.name)) : new Set<string>();
  if (hoisted.size === 0) return false;
  // Reads and writes of every hoisted name, anywhere (nested functions included).
  const reads = new Map<string, number>();
  const writes = new Map<string, number>();
  // Variables a nested function assigns: any call may run it.
  const closureWritten = new Set<string>();
  // The statement lists of the function's own code (not of nested functions), in one walk with
  // the counts: two walks were a fifth of the clean-up's time on the validator fixture.
  const lists: Node[][] = [fn.body.body];
  const count = (n: Node, parent: Node | null, key: string | null, nested: boolean) => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) count(n[i], parent, key, nested);
      return;
    }
    if (n.type === "Identifier" && nested && parent && ((parent.type === "AssignmentExpression" && key === "left") || parent.type === "UpdateExpression")) closureWritten.add(n.name);
    if (n.type === "Identifier" && hoisted.has(n.name)) {
      const isWrite = parent && ((parent.type === "AssignmentExpression" && key === "left") || parent.type === "UpdateExpression");
      const m = isWrite ? writes : reads;
      m.set(n.name, (m.get(n.name) ?? 0) + 1);
      if (parent?.type === "UpdateExpression" || (parent?.type === "AssignmentExpression" && key === "left" && parent.operator !== "=")) reads.set(n.name, (reads.get(n.name) ?? 0) + 1);
      return;
    }
    if (n.type === "MemberExpression" && !n.computed) return count(n.object, n, "object", nested);
    if (n.type === "Property" && !n.computed) return count(n.value, n, "value", nested);
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") nested = true;
    else if (!nested && n.type === "BlockStatement") lists.push(n.body);
    else if (!nested && n.type === "SwitchCase") lists.push(n.consequent);
    for (const k of childKeys(n)) count(n[k], n, k, nested);
  };
  count(body.slice(1), null, null, false);
  // `Math` and its kind name the built-ins unless the function declares a variable of that name.
  const builtins = ![...BUILTIN_NAMESPACES].some((name) => hoisted.has(name) || ctx.sourceNames.has(name));
  let changed = false;
  for (const list of lists) {
    for (let i = 0; i < list.length - 1; i++) {
      const t = assignedTemp(list[i]);
      if (!t || !hoisted.has(t) || writes.get(t) !== 1 || reads.get(t) !== 1) continue;
      const value = list[i].expression.right;
      const r = scanStatement(list[i + 1], t, { builtins, unsafe: new Set([...closureWritten, ...assignedIn(value)]) });
      if (r === "blocked" || r === "clean") continue;
      // A failing call's message prints its callee as written ("acc.toFixed is not a function"): a
      // variable or a constant read in a callee is a variable of the source (kos makes no temporary
      // for those), so it stays there by its name (fuzz seed 4014 #1416 printed `"0q".toFixed`).
      if (r.inCallee && (value.type === "Identifier" || value.type === "Literal" || value.type === "KosConst")) continue;
      // Likewise a variable the source names, whatever it holds: `acc = {…}; acc.toFixed(2)` failed
      // as `{(intermediate value)}.toFixed is not a function` (fuzz seed 4087 #4665), `fn = x.get(k);
      // fn()` as `x.get(...) is not a function`.
      if ((r.inCallee || r.named) && ctx.sourceNames.has(t)) continue;
      // `fn = o.m; fn()` calls m without a receiver; `o.m()` would pass o as `this`.
      if (r.asCallee && (value.type === "MemberExpression" || value.type === "ChainExpression")) continue;
      // `typeof t` of a variable never throws; `typeof x` of an undeclared x would not throw where `t = x` did.
      if (r.typeofOperand && value.type === "Identifier") continue;
      // A shorthand property (`{ t }`, copied from the source) is written out, or astring would print the expression alone.
      if (r.found.parent.type === "Property" && r.found.parent.shorthand) expandShorthandInPlace(r.found.parent);
      r.found.parent[r.found.key] = value;
      list.splice(i, 1);
      writes.set(t, 0);
      reads.set(t, 0);
      changed = true;
      i = Math.max(-1, i - 2);
    }
  }
  return changed;
}

function scanStatement(s: Node, t: string, c: ScanContext): Scan {
  switch (s.type) {
    case "ExpressionStatement":
      return scan(s, "expression", t, c);
    case "ReturnStatement":
    case "ThrowStatement":
      return s.argument ? scan(s, "argument", t, c) : "clean";
    case "IfStatement":
      return scan(s, "test", t, c);
    case "SwitchStatement":
      return scan(s, "discriminant", t, c);
    case "VariableDeclaration": {
      if (s.declarations.length !== 1 || !s.declarations[0].init) return "clean";
      const r = scan(s.declarations[0], "init", t, c);
      // "Cannot destructure 'acc' as it is undefined" prints the initialiser.
      return typeof r === "object" && s.declarations[0].id.type !== "Identifier" ? { ...r, named: true } : r;
    }
    default:
      return "blocked";
  }
}

/** Scans `parent[key]` in evaluation order. */
function scan(parent: Node, key: string | number, t: string, c: ScanContext): Scan {
  const n = parent[key];
  if (!n) return "clean";
  switch (n.type) {
    case "Identifier":
      // Another variable read first is read before the expression runs, as before the move, only
      // if the expression cannot write it: not one a closure writes (the call may run it) nor one
      // the expression assigns. `acc = …; m = x.map((v) => (acc = v)); return [acc, m]` read
      // `acc` before the callbacks ran (rerun30, repro-1).
      return n.name === t ? { found: { parent, key } } : c.unsafe.has(n.name) ? "blocked" : "clean";
    case "Literal":
    case "KosConst":
    case "ThisExpression":
      return "clean";
    case "UnaryExpression": {
      if (n.operator === "delete") return "blocked";
      const r = scan(n, "argument", t, c);
      if (typeof r === "object" && n.operator === "typeof" && r.found.parent === n) return { ...r, typeofOperand: true };
      if (r !== "clean") return r;
      return n.operator === "typeof" || n.operator === "!" || n.operator === "void" ? "clean" : "blocked";
    }
    case "BinaryExpression": {
      const a = scan(n, "left", t, c);
      if (a !== "clean") return a;
      const b = scan(n, "right", t, c);
      if (b !== "clean") return b;
      return n.operator === "===" || n.operator === "!==" ? "clean" : "blocked";
    }
    case "LogicalExpression":
    case "ConditionalExpression": {
      const r = scan(n, n.type === "LogicalExpression" ? "left" : "test", t, c);
      return r === "clean" ? "blocked" : r;
    }
    case "MemberExpression": {
      const a = scan(n, "object", t, c);
      if (a !== "clean") return a;
      if (n.computed) {
        const b = scan(n, "property", t, c);
        if (b !== "clean") return b;
      }
      return "blocked";
    }
    case "CallExpression":
    case "NewExpression": {
      if (n.optional) return "blocked";
      const a = n.callee.type === "MemberExpression" ? scanMemberCallee(n.callee, t, c) : scan(n, "callee", t, c);
      if (typeof a === "object") return a.found.parent === n ? { ...a, inCallee: true, asCallee: true } : { ...a, inCallee: true };
      if (a !== "clean") return a;
      for (let i = 0; i < n.arguments.length; i++) {
        if (n.arguments[i].type === "SpreadElement") return "blocked";
        const r = scan(n.arguments, i, t, c);
        if (r !== "clean") return r;
      }
      return "blocked";
    }
    case "AssignmentExpression": {
      if (n.left.type === "MemberExpression") {
        const a = scan(n.left, "object", t, c);
        if (a !== "clean") return a;
        if (n.left.computed) {
          const b = scan(n.left, "property", t, c);
          if (b !== "clean") return b;
        }
        if (n.operator !== "=") return "blocked";
      } else if (n.left.type !== "Identifier" || n.operator !== "=") return "blocked";
      const r = scan(n, "right", t, c);
      return r === "clean" ? "blocked" : r;
    }
    case "ArrayExpression": {
      for (let i = 0; i < n.elements.length; i++) {
        if (!n.elements[i] || n.elements[i].type === "SpreadElement") return "blocked";
        const r = scan(n.elements, i, t, c);
        if (r !== "clean") return r;
      }
      return "clean";
    }
    case "ObjectExpression": {
      for (const p of n.properties) {
        if (p.type !== "Property" || p.computed || p.kind !== "init") return "blocked";
        const r = scan(p, "value", t, c);
        if (r !== "clean") return r;
      }
      return "clean";
    }
    case "TemplateLiteral": {
      for (let i = 0; i < n.expressions.length; i++) {
        const r = scan(n.expressions, i, t, c);
        if (r !== "clean") return r;
      }
      return "blocked";
    }
    case "SequenceExpression": {
      for (let i = 0; i < n.expressions.length; i++) {
        const r = scan(n.expressions, i, t, c);
        if (r !== "clean") return r;
      }
      return "clean";
    }
    default:
      return "blocked";
  }
}

function scanMemberCallee(callee: Node, t: string, c: ScanContext): Scan {
  const a = scan(callee, "object", t, c);
  if (a !== "clean") return a;
  if (callee.computed) {
    const b = scan(callee, "property", t, c);
    if (b !== "clean") return b;
  }
  // The method is read before the arguments are evaluated, and the read may throw (a nullish
  // receiver) or run a getter: an argument forwarded into the call would then run after it.
  // `arg = 2 * x + 2; (void 0)[void 0](arg)` of an inlined `o.fns[o.i](v)` threw "Cannot read
  // properties of undefined" where the original threw the argument's BigInt TypeError (fuzz seed
  // 5123 #1159), and a `valueOf` of the argument never ran (#1870). A method of a built-in
  // namespace (`Math.sqrt`) is a data property of an object that is there: kos folds calls of
  // built-ins as intact everywhere, and its read runs nothing.
  return c.builtins && callee.object.type === "Identifier" && !callee.computed && BUILTIN_NAMESPACES.has(callee.object.name) ? "clean" : "blocked";
}

const BUILTIN_NAMESPACES = new Set(["Math", "JSON", "Reflect", "Object", "Array", "Number", "String", "Atomics"]);

/** Variables `e` assigns or updates (destructuring targets included). */
function assignedIn(e: Node): Set<string> {
  const out = new Set<string>();
  const targets = (t: Node): void => {
    if (!t || typeof t !== "object") return;
    if (t.type === "Identifier") out.add(t.name);
    else if (t.type === "ArrayPattern") t.elements.forEach(targets);
    else if (t.type === "ObjectPattern") t.properties.forEach((p: Node) => targets(p.type === "RestElement" ? p.argument : p.value));
    else if (t.type === "AssignmentPattern") targets(t.left);
    else if (t.type === "RestElement") targets(t.argument);
  };
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "AssignmentExpression") targets(n.left);
    if (n.type === "UpdateExpression") targets(n.argument);
    for (const k of childKeys(n)) visit(n[k]);
  };
  visit(e);
  return out;
}
