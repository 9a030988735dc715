/**
 * Flow-sensitive constant propagation for `let` bindings: walks each block in
 * order, knowing the value of a `let` after `let x = K` or `x = K` (K a
 * constant), and replaces reads with K until the next write. At an `if` the
 * two branches are followed separately and only values both agree on
 * survive; a loop, `switch`, `try` or labeled block forgets every binding it
 * writes (its body may run any number of times, or be left early). Bindings a
 * closure can see are never tracked: a call could change them behind our back.
 * Generic code keeps flags such as `first` in a serializer; once loops over a
 * schema are unrolled, this pass resolves them.
 */
import { forEachChildSlot, isConstant, isConst, makeConst, walk, type Node, constantValue } from "../ast.js";
import { scopesOf, type CompileContext } from "../context.js";
import type { ScopeInfo, Variable } from "../analyze/scopes.js";
import { evalBinary } from "./fold-constants.js";

type Env = Map<Variable, Node>;

export function trackLetValues(ctx: CompileContext): void {
  const scopes = scopesOf(ctx);
  const tracked = trackableLets(ctx.root, scopes);
  if (tracked.size === 0) return;
  const pass = new Tracker(scopes, tracked);
  pass.list(ctx.root.body.body, new Map());
  if (pass.changed) ctx.changed = true;
}

/** `let` bindings of this function that no nested function references. */
function trackableLets(root: Node, scopes: ScopeInfo): Set<Variable> {
  const out = new Set<Variable>();
  walk(root.body, (n) => {
    if (n.type === "VariableDeclaration" && n.kind === "let") {
      for (const d of n.declarations) {
        const v = d.id.type === "Identifier" ? scopes.variableOfDeclaration(d.id) : undefined;
        if (v && v.defs.length === 1) out.add(v);
      }
    }
  });
  // Drop anything a closure references.
  walk(root.body, (n) => {
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") {
      walk(n, (m) => {
        if (m.type === "Identifier") {
          const v = scopes.resolve(m);
          if (v) out.delete(v);
        }
      });
      return false;
    }
    return;
  });
  return out;
}

class Tracker {
  changed = false;
  constructor(private scopes: ScopeInfo, private tracked: Set<Variable>) {}

  /** Processes a statement list in order; returns the environment at its normal end, or null if it cannot end normally. */
  list(stmts: Node[], env: Env): Env | null {
    let current: Env | null = env;
    for (const s of stmts) {
      if (!current) break;
      current = this.statement(s, current);
    }
    return current;
  }

  private written(node: Node): Set<Variable> {
    const out = new Set<Variable>();
    walk(node, (n) => {
      if (n.type !== "Identifier") return;
      const ref = this.scopes.referenceOf(n);
      if (ref?.isWrite() && ref.resolved && this.tracked.has(ref.resolved)) out.add(ref.resolved);
    });
    return out;
  }

  /** Replaces reads of known bindings in `node`, skipping bindings `node` itself writes. */
  private substitute(node: Node, env: Env): void {
    if (env.size === 0) return;
    const writes = this.written(node);
    walk(node, (n) =>
      forEachChildSlot(n, (c, replace) => {
        if (c.type !== "Identifier") return;
        if ((n.type === "MemberExpression" && c === n.property && !n.computed) || (n.type === "Property" && c === n.key && !n.computed)) return;
        const ref = this.scopes.referenceOf(c);
        if (!ref || ref.isWrite() || !ref.resolved || writes.has(ref.resolved)) return;
        const known = env.get(ref.resolved);
        if (!known) return;
        if (n.type === "Property") n.shorthand = false;
        replace(makeConst(constantValue(known)));
        this.changed = true;
      }),
    );
  }

  /** Substitutes in an expression slot, including when the whole expression is one read. */
  private substituteExpr(expr: Node, env: Env): Node {
    const box: Node = { type: "ExpressionStatement", expression: expr };
    this.substitute(box, env);
    return box.expression;
  }

  private forget(env: Env, vars: Set<Variable>): Env {
    for (const v of vars) env.delete(v);
    return env;
  }

  private statement(s: Node, env: Env): Env | null {
    switch (s.type) {
      case "VariableDeclaration": {
        for (const d of s.declarations) {
          if (d.init) d.init = this.substituteExpr(d.init, env);
          const v = d.id.type === "Identifier" ? this.scopes.variableOfDeclaration(d.id) : undefined;
          if (v && this.tracked.has(v)) {
            if (d.init && isConstant(d.init) && isPrimitiveConst(d.init)) env.set(v, d.init);
            else if (!d.init) env.set(v, makeConst(undefined));
            else env.delete(v);
          } else this.forget(env, this.written(d));
        }
        return env;
      }
      case "ExpressionStatement": {
        const e = s.expression;
        if (e.type === "AssignmentExpression" && e.left.type === "Identifier") {
          const ref = this.scopes.referenceOf(e.left);
          const v = ref?.resolved;
          if (v && this.tracked.has(v)) {
            const inner = this.written(e.right);
            if (inner.size === 0) {
              e.right = this.substituteExpr(e.right, env);
              if (e.operator === "=") {
                if (isConstant(e.right) && isPrimitiveConst(e.right)) env.set(v, e.right);
                else env.delete(v);
                return env;
              }
              const known = env.get(v);
              if (known && isConstant(e.right)) {
                const r = evalBinary(e.operator.slice(0, -1), constantValue(known), constantValue(e.right));
                if (r.ok) {
                  e.operator = "=";
                  e.right = makeConst(r.value);
                  env.set(v, e.right);
                  this.changed = true;
                  return env;
                }
              }
              if (known && e.operator !== "**=" && /^[-+*/%&|^]=$|^<<=$|^>>>?=$/.test(e.operator)) {
                // `a += E` with `a` known is `a = K + E`: the earlier stores to `a` become dead.
                e.right = { type: "BinaryExpression", operator: e.operator.slice(0, -1), left: makeConst(constantValue(known)), right: e.right };
                e.operator = "=";
                this.changed = true;
              }
              env.delete(v);
              return env;
            }
          }
        }
        this.substitute(s, env);
        return this.forget(env, this.written(s));
      }
      case "ReturnStatement":
      case "ThrowStatement":
        if (s.argument) s.argument = this.substituteExpr(s.argument, env);
        return null;
      case "BreakStatement":
      case "ContinueStatement":
        return null;
      case "IfStatement": {
        s.test = this.substituteExpr(s.test, env);
        const afterTest = this.forget(new Map(env), this.written(s.test));
        const a = this.branch(s.consequent, new Map(afterTest));
        const b = s.alternate ? this.branch(s.alternate, new Map(afterTest)) : new Map(afterTest);
        if (!a) return b;
        if (!b) return a;
        const merged: Env = new Map();
        for (const [v, k] of a) {
          const other = b.get(v);
          if (other && Object.is(constantValue(other), constantValue(k))) merged.set(v, k);
        }
        return merged;
      }
      case "BlockStatement":
        return this.list(s.body, env);
      case "EmptyStatement":
        return env;
      case "LabeledStatement":
        if (s.body.type === "BlockStatement") {
          // Inside, statements run in order until a `break` leaves early; afterwards, forget what the block writes.
          this.list(s.body.body, new Map(env));
          return this.forget(env, this.written(s));
        }
        break;
    }
    {
      {
        // Loops, switch, try, labeled statements: forget what they write, track inside with what is left.
        const writes = this.written(s);
        const inside = this.forget(new Map(env), writes);
        this.substitute(s, inside);
        return this.forget(env, writes);
      }
    }
  }

  private branch(s: Node, env: Env): Env | null {
    return s.type === "BlockStatement" ? this.list(s.body, env) : this.statement(s, env);
  }

}

const isPrimitiveConst = (n: Node): boolean => {
  const v = isConst(n) ? n.value : n.value;
  return v === null || (typeof v !== "object" && typeof v !== "function");
};
