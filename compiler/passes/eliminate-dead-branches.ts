/**
 * Removes code that constants make unreachable: `if`, `?:`, `&&`, `||`, `??`
 * and `switch` on a known value, loops whose condition is known false,
 * statements after `return`/`throw`/`break`/`continue`, constant expression
 * statements, and blocks left with nothing block-scoped in them.
 */
import { constantValue, declaresLexically, emptyStmt, isConstant, mapChildren, type Node } from "../ast.js";
import { breaksTo, endsAbruptly, retargetJumps } from "../jumps.js";
import { isSideEffectFree } from "../analyze/effects.js";
import { freshName, scopesOf, type CompileContext } from "../context.js";
import type { ScopeInfo } from "../analyze/scopes.js";

export function eliminateDeadBranches(ctx: CompileContext): void {
  const pass = new DeadBranches(ctx);
  ctx.root.body = pass.visit(ctx.root.body);
  if (pass.changed) ctx.changed = true;
}

class DeadBranches {
  changed = false;
  private scopes: ScopeInfo;
  constructor(private ctx: CompileContext) {
    this.scopes = scopesOf(ctx);
  }

  /** Bindings that cannot be in their temporal dead zone: parameters, `var`s and function names. */
  private initialized = (id: Node): boolean => {
    const def = this.scopes.resolve(id)?.defs[0];
    return !!def && (def.type === "Parameter" || def.type === "FunctionName" || (def.type === "Variable" && def.parent?.kind === "var"));
  };

  visit = (node: Node): Node => {
    if (!node || typeof node.type !== "string" || node.type === "KosConst") return node;
    mapChildren(node, this.visit);
    switch (node.type) {
      case "IfStatement":
        if (!isConstant(node.test)) {
          // `if (<no effect>) {}` (what specialization leaves of a branch on a known type) goes away.
          if (isEmpty(node.consequent) && (!node.alternate || isEmpty(node.alternate)) && isSideEffectFree(node.test, this.initialized)) {
            this.changed = true;
            return emptyStmt();
          }
          if (node.alternate && isEmpty(node.alternate)) {
            node.alternate = null;
            this.changed = true;
          }
          return node;
        }
        this.changed = true;
        return constantValue(node.test) ? node.consequent : node.alternate ?? emptyStmt();
      case "ConditionalExpression":
        if (!isConstant(node.test)) return node;
        this.changed = true;
        return constantValue(node.test) ? node.consequent : node.alternate;
      case "LogicalExpression":
        return this.logical(node);
      case "SwitchStatement":
        return this.switchStatement(node);
      case "WhileStatement":
        if (isConstant(node.test) && !constantValue(node.test)) {
          this.changed = true;
          return emptyStmt();
        }
        return node;
      case "ForStatement":
        if (node.test && isConstant(node.test) && !constantValue(node.test)) {
          this.changed = true;
          if (!node.init) return emptyStmt();
          return node.init.type === "VariableDeclaration" ? { type: "BlockStatement", body: [node.init] } : { type: "ExpressionStatement", expression: node.init };
        }
        return node;
      case "BlockStatement":
      case "StaticBlock":
        node.body = this.statements(node.body);
        return node;
      case "SwitchCase":
        node.consequent = this.statements(node.consequent);
        return node;
      case "LabeledStatement":
        // `L: { …; break L; }`: the last break jumps to where control goes anyway.
        if (node.body.type === "BlockStatement") {
          const last = node.body.body[node.body.body.length - 1];
          if (last?.type === "BreakStatement" && last.label?.name === node.label.name) {
            node.body.body.pop();
            this.changed = true;
          }
        }
        if (node.body.type === "EmptyStatement") {
          this.changed = true;
          return node.body;
        }
        if (node.body.type === "BlockStatement" && !breaksTo(node.body, node.label.name)) {
          this.changed = true;
          return node.body;
        }
        return node;
    }
    return node;
  };

  private logical(node: Node): Node {
    if (!isConstant(node.left)) return node;
    const v = constantValue(node.left);
    this.changed = true;
    switch (node.operator) {
      case "&&": return v ? node.right : node.left;
      case "||": return v ? node.left : node.right;
      default: return v === null || v === undefined ? node.right : node.left;
    }
  }

  private switchStatement(node: Node): Node {
    if (!isConstant(node.discriminant)) return node;
    const d = constantValue(node.discriminant);
    let start = -1;
    for (let i = 0; i < node.cases.length; i++) {
      const c = node.cases[i];
      if (c.test === null) continue;
      if (!isConstant(c.test)) return node; // a test with effects must still run in order
      if (constantValue(c.test) === d) {
        start = i;
        break;
      }
    }
    if (start < 0) {
      // No case matched: every test was constant, so control goes to `default`, if any.
      start = node.cases.findIndex((c: Node) => c.test === null);
      if (start < 0) {
        this.changed = true;
        return emptyStmt();
      }
    }
    const body = node.cases.slice(start).flatMap((c: Node) => c.consequent);
    const label = freshName(this.ctx.shared, "switch");
    const block: Node = { type: "BlockStatement", body };
    const jumps = retargetJumps(block, { breakTo: label, continueTo: null, ownLabels: new Set(), capturesContinue: false });
    this.changed = true;
    block.body = this.statements(block.body);
    return jumps ? { type: "LabeledStatement", label: { type: "Identifier", name: label }, body: block } : block;
  }

  /** Drops dead statements from a statement list and splices in plain nested blocks. */
  private statements(list: Node[]): Node[] {
    const out: Node[] = [];
    let dead = false;
    for (const stmt of list) {
      if (dead) {
        // Hoisted declarations survive unreachable code: functions whole, `var` without its initialiser.
        if (stmt.type === "FunctionDeclaration") out.push(stmt);
        else if (stmt.type === "VariableDeclaration" && stmt.kind === "var") {
          out.push({ ...stmt, declarations: stmt.declarations.filter((d: Node) => d.id.type === "Identifier").map((d: Node) => ({ ...d, init: null })) });
        }
        this.changed = true;
        continue;
      }
      if (stmt.type === "EmptyStatement") {
        this.changed = true;
        continue;
      }
      if (stmt.type === "ExpressionStatement" && stmt.directive == null && isConstant(stmt.expression)) {
        this.changed = true;
        continue;
      }
      if (stmt.type === "BlockStatement" && !stmt.body.some(declaresLexically)) {
        out.push(...stmt.body);
        this.changed = true;
        if (stmt.body.some(endsAbruptly)) dead = true;
        continue;
      }
      out.push(stmt);
      if (endsAbruptly(stmt)) dead = true;
    }
    return out;
  }
}

const isEmpty = (n: Node): boolean => n.type === "EmptyStatement" || (n.type === "BlockStatement" && n.body.length === 0);
