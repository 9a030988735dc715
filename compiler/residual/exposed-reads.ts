/**
 * Upward-exposed reads: the variables a run of statements may read before it
 * has surely written them (a read that can see the value from before the
 * statements ran). A must-write analysis over structured code, conservative
 * wherever it is not simple: a loop's writes do not count after it (it may
 * run no time), a `try`'s do not count after it, nor do writes inside a
 * condition's branches or the right side of `&&`. Nested functions are not
 * entered: the caller rejects variables that they capture.
 */
import { childKeys, isFunctionNode, type Node } from "../ast.js";

/** Which variable an identifier reference names (null: none that is asked about), and whether it reads it. */
export type TargetOf = (identifier: Node) => { key: string; reads: boolean } | null;

type Assigned = Set<string> | null; // null: this point is never reached

/**
 * `skip`: statements read as doing nothing (the run being moved, inside a
 * loop that is read whole: its own writes must not hide a read after it).
 */
export function exposedReads(statements: Node[], targetOf: TargetOf, skip: ReadonlySet<Node> = new Set(), budget: { nodes: number } = { nodes: Infinity }): Set<string> {
  const exposed = new Set<string>();
  const breaks = new Map<string, Set<string>[]>();
  // What `expr` added to its set, newest last, so that a part that may not run (a branch of `?:`,
  // the right of `&&`) is read on the set itself and its writes taken back after, where it was
  // read on a copy: every `&&` of a long run copied every variable written before it. expr enters
  // no statement, so all that one call adds is to the one set it was given. Outlining valibot's
  // residual spent 498 ms here in 3 compiles, 285 ms with this (CPU profiles,
  // scripts/compile-profile.mjs; docs/notes/compile-time.md).
  const added: string[] = [];
  const assign = (a: Set<string>, key: string): void => {
    if (a.has(key)) return;
    a.add(key);
    added.push(key);
  };
  const exprApart = (n: Node, a: Set<string>): void => {
    const mark = added.length;
    expr(n, a);
    while (added.length > mark) a.delete(added.pop()!);
  };

  // Past its budget it stops reading (the caller then gives up: see outline-blocks.ts).
  const expr = (n: Node, a: Set<string>): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst" || isFunctionNode(n) || --budget.nodes < 0) return;
    if (Array.isArray(n)) {
      for (const x of n) expr(x, a);
      return;
    }
    switch (n.type) {
      case "Identifier": {
        const t = targetOf(n);
        if (t && t.reads && !a.has(t.key)) exposed.add(t.key);
        return;
      }
      case "AssignmentExpression":
        if (n.operator === "=" && n.left.type === "Identifier") {
          expr(n.right, a);
          const t = targetOf(n.left);
          if (t) assign(a, t.key);
          return;
        }
        break;
      case "ConditionalExpression":
        expr(n.test, a);
        exprApart(n.consequent, a);
        exprApart(n.alternate, a);
        return;
      case "LogicalExpression":
        expr(n.left, a);
        exprApart(n.right, a);
        return;
      case "ChainExpression":
        // A short-circuit may skip any part after the first `?.`.
        exprApart(n.expression, a);
        return;
    }
    for (const k of childKeys(n)) expr(n[k], a);
  };

  const meet = (xs: Assigned[]): Assigned => {
    const reached = xs.filter((x): x is Set<string> => x !== null);
    if (!reached.length) return null;
    return new Set([...reached[0]!].filter((k) => reached.every((x) => x.has(k))));
  };

  const list = (stmts: Node[], a: Assigned): Assigned => {
    for (const s of stmts) {
      if (a === null) return null;
      a = stmt(s, a);
    }
    return a;
  };

  const stmt = (s: Node, a: Set<string>): Assigned => {
    if (skip.has(s) || --budget.nodes < 0) return a;
    switch (s.type) {
      case "ExpressionStatement":
        expr(s.expression, a);
        return a;
      case "VariableDeclaration":
        for (const d of s.declarations) {
          expr(d.init, a);
          // A declared pattern's defaults run too.
          if (d.id.type !== "Identifier") expr(d.id, a);
        }
        return a;
      case "BlockStatement":
      case "StaticBlock":
        return list(s.body, a);
      case "IfStatement": {
        expr(s.test, a);
        return meet([stmt(s.consequent, new Set(a)), s.alternate ? stmt(s.alternate, new Set(a)) : a]);
      }
      case "LabeledStatement": {
        const own: Set<string>[] = [];
        breaks.set(s.label.name, own);
        const after = stmt(s.body, new Set(a));
        breaks.delete(s.label.name);
        return meet([after, ...own]);
      }
      case "BreakStatement":
        if (s.label) breaks.get(s.label.name)?.push(new Set(a));
        return null;
      case "ContinueStatement":
        return null;
      case "ReturnStatement":
      case "ThrowStatement":
        expr(s.argument, a);
        return null;
      case "ForStatement": {
        const init = s.init ? (s.init.type === "VariableDeclaration" ? stmt(s.init, new Set(a)) : (expr(s.init, a), a)) : a;
        if (init === null) return null;
        exprApart(s.test, init);
        stmt(s.body, new Set(init));
        exprApart(s.update, init);
        return init;
      }
      case "WhileStatement":
        expr(s.test, a);
        stmt(s.body, new Set(a));
        return a;
      case "DoWhileStatement": {
        const body = stmt(s.body, new Set(a));
        exprApart(s.test, body ?? a);
        return a;
      }
      case "ForInStatement":
      case "ForOfStatement":
        expr(s.right, a);
        exprApart(s.left, a);
        stmt(s.body, new Set(a));
        return a;
      case "SwitchStatement":
        expr(s.discriminant, a);
        for (const c of s.cases) {
          exprApart(c.test, a);
          list(c.consequent, new Set(a));
        }
        return a;
      case "TryStatement":
        stmt(s.block, new Set(a));
        if (s.handler) stmt(s.handler.body, new Set(a));
        if (s.finalizer) stmt(s.finalizer, new Set(a));
        return a;
      case "ClassDeclaration":
        expr(s.superClass, a);
        expr(s.body, a);
        return a;
      default:
        // Function declarations, empty statements, `debugger`: nothing read here.
        return a;
    }
  };

  list(statements, new Set());
  return exposed;
}
