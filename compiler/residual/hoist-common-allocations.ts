/**
 * An object the evaluator kept virtual is allocated where it escapes, and
 * where it escapes on every path after a branch it is allocated once per
 * path: `if (typeof m === "function") { o = {…}; r = m(o); } else { r = m;
 * o = {…}; }`. This pass moves such a pair of identical allocations into one,
 * before the `if`.
 *
 * Why: valibot's issue objects, built behind two nested tests of the message
 * option, were written out three times for each check: 173 KB of code for a
 * 9-property schema specialized with `freeze: "deep"`, which V8's optimizing
 * compiler took 0.85 s to compile.
 *
 * Exact because what moves can neither be seen nor fail early:
 * - the statement is `x = <literal>`, an object or array literal of
 *   constants, literals and the function's own top-level variables (a fresh
 *   object: allocating one has no effect, and reading such a variable cannot
 *   throw once its declaration at the top has run);
 * - the `if` test and every statement before it in its arm are effect-free
 *   and cannot throw (identifiers, literals, `typeof`, comparisons; moves
 *   `y = z`), and none of them reads or writes `x` or writes what the
 *   literal reads;
 * - no nested function writes what the literal reads, and neither arm
 *   declares any of those names.
 */
import { childKeys, sameTree, walk, type Node } from "../ast.js";

/** Values the literal may hold: read without effect, and without throwing once declared. */
function plainValue(n: Node, names: Set<string>, locals: Set<string>): boolean {
  switch (n.type) {
    case "Identifier":
      names.add(n.name);
      return locals.has(n.name);
    case "Literal":
      return !n.regex;
    case "KosConst":
      return true;
    case "UnaryExpression":
      return (n.operator === "void" || n.operator === "-") && n.argument.type === "Literal" && !n.argument.regex;
    case "ObjectExpression":
      return n.properties.every((p: Node) => p.type === "Property" && p.kind === "init" && !p.computed && !p.method && (p.key.type === "Identifier" || p.key.type === "Literal") && plainValue(p.value, names, locals));
    case "ArrayExpression":
      return n.elements.every((e: Node | null) => e !== null && e.type !== "SpreadElement" && plainValue(e, names, locals));
    default:
      return false;
  }
}

/** `x = {…}` or `x = […]` with plain values: the target, the literal and the names it reads. */
function allocation(s: Node, locals: Set<string>): { target: string; value: Node; reads: Set<string> } | null {
  if (s?.type !== "ExpressionStatement") return null;
  const e = s.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "Identifier" || !locals.has(e.left.name)) return null;
  if (e.right.type !== "ObjectExpression" && e.right.type !== "ArrayExpression") return null;
  const reads = new Set<string>();
  if (!plainValue(e.right, reads, locals)) return null;
  return { target: e.left.name, value: e.right, reads };
}

/** A test with no effect that cannot throw: identifiers, literals, `typeof`, `!`, comparisons. */
function quietTest(n: Node, names: Set<string>, locals: Set<string>): boolean {
  switch (n.type) {
    case "Identifier":
      names.add(n.name);
      return locals.has(n.name);
    case "Literal":
      return !n.regex;
    case "KosConst":
      return true;
    case "UnaryExpression":
      return (n.operator === "typeof" || n.operator === "!" || n.operator === "void") && quietTest(n.argument, names, locals);
    case "BinaryExpression":
      return (n.operator === "===" || n.operator === "!==") && quietTest(n.left, names, locals) && quietTest(n.right, names, locals);
    case "LogicalExpression":
      return quietTest(n.left, names, locals) && quietTest(n.right, names, locals);
    default:
      return false;
  }
}

/** `y = z` or `y = <literal>`: a move, with no effect and no way to throw (y declared outside). */
function move(s: Node, locals: Set<string>): { target: string; source: string | null } | null {
  if (s?.type !== "ExpressionStatement") return null;
  const e = s.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "Identifier" || !locals.has(e.left.name)) return null;
  if (e.right.type === "Identifier" && locals.has(e.right.name)) return { target: e.left.name, source: e.right.name };
  if ((e.right.type === "Literal" && !e.right.regex) || e.right.type === "KosConst") return { target: e.left.name, source: null };
  return null;
}

/** Names declared directly in a block's list (a literal reading one must stay inside). */
function declaredIn(list: Node[]): Set<string> {
  const names = new Set<string>();
  for (const s of list) {
    if (s.type === "VariableDeclaration") for (const d of s.declarations) walk(d.id, (x) => void (x.type === "Identifier" && names.add(x.name)));
    else if ((s.type === "FunctionDeclaration" || s.type === "ClassDeclaration") && s.id) names.add(s.id.name);
  }
  return names;
}

/** The index of the first statement of `arm` that is `stmt`'s twin, reached through moves alone that leave it valid where it moves. */
function twinIndex(arm: Node[], target: string, value: Node, reads: Set<string>, locals: Set<string>): number {
  for (let i = 0; i < arm.length; i++) {
    const a = allocation(arm[i]!, locals);
    if (a && a.target === target && sameTree(a.value, value)) return i;
    const m = move(arm[i]!, locals);
    if (!m || m.target === target || m.source === target || reads.has(m.target)) return -1;
  }
  return -1;
}

/**
 * Before each top-level statement of the function: its parameters, its top-level `var` names, and
 * the `let` names declared by earlier top-level statements (the evaluator declares its
 * temporaries there). Bindings that exist and are past their temporal dead zone wherever that
 * statement runs, and never constants (a move to one would throw).
 */
function localsBefore(fn: Node): Array<Set<string>> {
  const names = new Set<string>();
  for (const p of fn.params as Node[]) if (p.type === "Identifier") names.add(p.name);
  const body = fn.body?.type === "BlockStatement" ? (fn.body.body as Node[]) : [];
  for (const s of body) if (s.type === "VariableDeclaration" && s.kind === "var") for (const d of s.declarations) if (d.id.type === "Identifier") names.add(d.id.name);
  return body.map((s) => {
    const before = new Set(names);
    if (s.type === "VariableDeclaration" && s.kind === "let") for (const d of s.declarations) if (d.id.type === "Identifier") names.add(d.id.name);
    return before;
  });
}

/** Names some nested function assigns (a call could change them under a moved read). */
function assignedInClosures(fn: Node): Set<string> {
  const names = new Set<string>();
  walk(fn.body, (n) => {
    if (n.type !== "FunctionExpression" && n.type !== "ArrowFunctionExpression" && n.type !== "FunctionDeclaration" && n.type !== "ClassExpression" && n.type !== "ClassDeclaration") return;
    walk(n, (x) => {
      if (x.type === "AssignmentExpression") walk(x.left, (y) => void (y.type === "Identifier" && names.add(y.name)));
      else if (x.type === "UpdateExpression" && x.argument.type === "Identifier") names.add(x.argument.name);
    });
    return false;
  });
  return names;
}

export function hoistCommonAllocations(fn: Node): boolean {
  if (fn.body?.type !== "BlockStatement") return false;
  let changed = false;
  const closureWritten = assignedInClosures(fn);
  const before = localsBefore(fn);
  const visit = (n: Node, locals: Set<string>): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, locals);
      return;
    }
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ClassExpression" || n.type === "ClassDeclaration") return;
    for (const key of childKeys(n)) visit(n[key], locals);
    const list: Node[] | null = n.type === "BlockStatement" ? n.body : n.type === "SwitchCase" ? n.consequent : null;
    if (list) changed = hoistInList(list, closureWritten, locals) || changed;
  };
  const top = fn.body.body as Node[];
  // Each top-level statement with the names that exist where it runs (a hoisted allocation can land
  // in the top-level list itself, so the list is rewritten per statement, from the last).
  for (let i = top.length - 1; i >= 0; i--) {
    const stmt = top[i]!;
    visit(stmt, before[i]!);
    const single = [stmt];
    if (hoistInList(single, closureWritten, before[i]!)) {
      top.splice(i, 1, ...single);
      changed = true;
    }
  }
  return changed;
}

/** Hoists twin allocations out of each two-armed `if` of `list` (its arms were visited first). */
function hoistInList(list: Node[], closureWritten: Set<string>, locals: Set<string>): boolean {
  let changed = false;
  for (let k = 0; k < list.length; k++) {
    const s = list[k]!;
    if (s.type !== "IfStatement" || s.consequent.type !== "BlockStatement" || s.alternate?.type !== "BlockStatement") continue;
    const testNames = new Set<string>();
    if (!quietTest(s.test, testNames, locals)) continue;
    const a = s.consequent.body as Node[];
    const b = s.alternate.body as Node[];
    const declared = new Set([...declaredIn(a), ...declaredIn(b)]);
    const hoisted: Node[] = [];
    for (let again = true; again; ) {
      again = false;
      for (let i = 0; i < a.length; i++) {
        const alloc = allocation(a[i]!, locals);
        if (!alloc) {
          if (!move(a[i]!, locals)) break;
          continue;
        }
        const { target, value, reads } = alloc;
        if (testNames.has(target) || declared.has(target) || [...reads].some((r) => declared.has(r) || closureWritten.has(r) || r === target)) continue;
        if (twinIndex(a, target, value, reads, locals) !== i) continue;
        const j = twinIndex(b, target, value, reads, locals);
        if (j < 0) continue;
        hoisted.push(a[i]!);
        a.splice(i, 1);
        b.splice(j, 1);
        again = true;
        break;
      }
    }
    if (hoisted.length) {
      if (b.length === 0) s.alternate = null;
      list.splice(k, 0, ...hoisted);
      k += hoisted.length;
      changed = true;
    }
  }
  return changed;
}
