/**
 * Rewriting `break` and `continue` when a loop or switch is replaced by plain
 * blocks (loop unrolling, constant switch). Each iteration becomes a labeled
 * block: `continue` turns into `break <iteration label>`, `break` into
 * `break <loop label>`. Jumps that belong to a nested loop, switch or
 * function are left alone.
 */
import { walk, type Node } from "./ast.js";

const isLoop = (n: Node): boolean =>
  n.type === "ForStatement" || n.type === "ForInStatement" || n.type === "ForOfStatement" || n.type === "WhileStatement" || n.type === "DoWhileStatement";
const isFunction = (n: Node): boolean =>
  n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

export interface JumpTargets {
  /** Label that an unlabeled (or own-labeled) `break` should now name; null to leave breaks alone. */
  breakTo: string | null;
  /** Label that an unlabeled (or own-labeled) `continue` should now break out of; null to leave alone. */
  continueTo: string | null;
  /** The labels the replaced statement had (`outer: for …`). */
  ownLabels: Set<string>;
  /** A switch only captures `break`, a loop captures both. */
  capturesContinue: boolean;
}

/** Rewrites the jumps in `node` that target the replaced statement. Returns how many were rewritten. */
export function retargetJumps(node: Node, t: JumpTargets): number {
  let count = 0;
  const visit = (n: Node, inLoop: boolean, inSwitch: boolean): void => {
    if (!n || typeof n.type !== "string" || n.type === "KosConst") return;
    if (isFunction(n)) return;
    if (n.type === "BreakStatement") {
      const mine = n.label ? t.ownLabels.has(n.label.name) : !inLoop && !inSwitch;
      if (mine && t.breakTo) {
        n.label = { type: "Identifier", name: t.breakTo };
        count++;
      }
      return;
    }
    if (n.type === "ContinueStatement") {
      const mine = n.label ? t.ownLabels.has(n.label.name) : !inLoop;
      if (mine && t.capturesContinue && t.continueTo) {
        n.type = "BreakStatement";
        n.label = { type: "Identifier", name: t.continueTo };
        count++;
      }
      return;
    }
    const loop = inLoop || isLoop(n);
    const sw = inSwitch || n.type === "SwitchStatement";
    for (const key of Object.keys(n)) {
      if (key === "type" || key === "loc" || key === "label") continue;
      const v = n[key];
      if (Array.isArray(v)) v.forEach((c) => c && typeof c === "object" && visit(c, loop, sw));
      else if (v && typeof v === "object" && typeof v.type === "string") visit(v, loop, sw);
    }
  };
  visit(node, false, false);
  return count;
}

/** True when some `break <label>` inside `node` names `label`. */
export function breaksTo(node: Node, label: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === "BreakStatement" && n.label?.name === label) found = true;
    return;
  });
  return found;
}

/**
 * Statements after which control never reaches the next statement in the same
 * list. Labeled statements, `try` and `switch` are conservatively "may complete".
 */
export function endsAbruptly(stmt: Node): boolean {
  switch (stmt.type) {
    case "ReturnStatement":
    case "ThrowStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return true;
    case "BlockStatement":
      return stmt.body.some(endsAbruptly);
    case "IfStatement":
      return !!stmt.alternate && endsAbruptly(stmt.consequent) && endsAbruptly(stmt.alternate);
    default:
      return false;
  }
}
