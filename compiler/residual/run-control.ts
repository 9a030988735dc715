/**
 * What a run of statements does with control flow and its receiver, for
 * outlining (outline-blocks.ts): whether it can become a function of its own
 * and be called in its place, and whether it reads `this`.
 */
import { childKeys, isFunctionNode, type Node } from "../ast.js";

/**
 * The run's control flow and receiver: null if it returns, jumps out of
 * itself (other than `break` of its own label), reads `arguments` or
 * `new.target`, yields, awaits, calls `eval`, holds a `with`, or declares a
 * function in sloppy code (annex B hoists it out of its block).
 */
export function scanRun(statements: Node[], ownLabel: string | null, strict: boolean, judge: (identifier: Node) => boolean): { usesThis: boolean } | null {
  let usesThis = false;
  let ok = true;
  const labels: string[] = [];
  // fnDepth: nested functions entered; ownThis: inside a nested function with its own `this`.
  const visit = (n: Node, fnDepth: number, ownThis: boolean, loops: number, breakables: number): void => {
    if (!ok || !n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, fnDepth, ownThis, loops, breakables);
      return;
    }
    switch (n.type) {
      case "Identifier":
        if (!judge(n)) ok = false;
        return;
      case "ThisExpression":
        if (!ownThis) usesThis = true;
        return;
      case "Super":
      case "MetaProperty":
        // The function's own `super` and `new.target` (an arrow's are its enclosing function's).
        if (!ownThis) ok = false;
        break;
      case "YieldExpression":
      case "AwaitExpression":
        if (fnDepth === 0) ok = false;
        break;
      case "ReturnStatement":
        if (fnDepth === 0) ok = false;
        break;
      case "BreakStatement":
      case "ContinueStatement":
        if (fnDepth === 0) {
          if (n.label) {
            if (!labels.includes(n.label.name) && !(n.type === "BreakStatement" && n.label.name === ownLabel)) ok = false;
          } else if (n.type === "BreakStatement" ? breakables === 0 : loops === 0) ok = false;
        }
        return;
      case "CallExpression":
        if (n.callee.type === "Identifier" && n.callee.name === "eval") ok = false;
        break;
      case "WithStatement":
        ok = false;
        return;
      case "FunctionDeclaration":
        if (!strict && fnDepth === 0) ok = false;
        break;
      case "LabeledStatement":
        if (fnDepth === 0 && n.label.name !== ownLabel) {
          labels.push(n.label.name);
          visit(n.body, fnDepth, ownThis, loops, breakables);
          labels.pop();
          return;
        }
        visit(n.body, fnDepth, ownThis, loops, breakables);
        return;
    }
    if (isFunctionNode(n)) {
      const arrow = n.type === "ArrowFunctionExpression";
      for (const k of childKeys(n)) visit(n[k], fnDepth + 1, ownThis || !arrow, 0, 0);
      return;
    }
    const loop = LOOPS.has(n.type);
    const nextLoops = loop ? loops + 1 : loops;
    const nextBreakables = loop || n.type === "SwitchStatement" ? breakables + 1 : breakables;
    for (const k of childKeys(n)) {
      const v = n[k];
      if (v) visit(v, fnDepth, ownThis, nextLoops, nextBreakables);
    }
  };
  visit(statements, 0, false, 0, 0);
  return ok ? { usesThis } : null;
}

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
