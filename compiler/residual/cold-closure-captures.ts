/**
 * Closures in a speculation's generic branch get their own copies of the bindings they read.
 *
 * A generic branch (the statements after a fork miss's hook call, `$k_deopt();`) keeps the
 * library's closures: `valueKeys.every((key) => knownKeys.includes(key) || …(value)[key])`. A
 * binding any closure captures lives in a context V8 allocates when its scope is entered, and every
 * read and write of it goes through memory, on the fast path too, which never makes the closure.
 * TypeBox's `Value.Check` version captured its input (`value`), the nested object and each item of
 * an array (one block context per item): 160-185 ns a call, 137-142 ns with the closures of its
 * generic branches made capture nothing (CPU, min of 4 windows of 25 ms, 3 rounds, hand 68-71 ns).
 *
 * The rewrite: such a closure `C` becomes `((x, y) => C)(x, y)`: the arrow's parameters shadow the
 * bindings `C` reads, so `C` captures the arrow's, and the function's `x` and `y` stay in registers.
 * Exact where `C` can never tell the copy from the binding: each copied binding
 * - is declared in the function's own code (a `let`, `const` or `var`; a parameter where the
 *   function never names `arguments`, which would alias it in sloppy code), before `C` in the
 *   source and not in a switch's scope, so it is initialized when `C` is made (no temporal dead
 *   zone to move);
 * - is never written inside any function (`C` included), and every write of it in the function's
 *   own code comes before `C` is made: not inside a loop that also holds `C` (within the binding's
 *   scope, where a later iteration would write what `C` reads), and not after `C` in the source
 *   unless the write and `C` sit in the two arms of one `if` or `?:` (breaks and labels only jump
 *   forward, so nothing else reaches the write again).
 * `C` must be an argument or the callee of a call (or `new`): there it gets no inferred name, which
 * the arrow would take from it. Functions that name `eval` or use `with` are left alone.
 */
import { childKeys, id, isFunctionNode, walk, type Node } from "../ast.js";
import { analyzeScopes, type Scope, type Variable } from "../analyze/scopes.js";
import type { ResidualContext } from "./pipeline.js";

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);

export function copyColdCaptures(fn: Node, ctx: ResidualContext): boolean {
  const hook = ctx.forkMissHook;
  if (!hook) return false;
  const cold = coldClosures(fn, hook);
  if (cold.length === 0) return false;
  let dynamic = false;
  let namesArguments = false;
  walk(fn, (n) => {
    if (n.type === "WithStatement") dynamic = true;
    else if (n.type === "Identifier" && n.name === "eval") dynamic = true;
    else if (n.type === "Identifier" && n.name === "arguments") namesArguments = true;
  });
  if (dynamic) return false;
  const info = analyzeScopes(fn, false);
  const parents = new Map<Node, Node>();
  walk(fn, (n, p) => {
    if (p) parents.set(n, p);
  });
  const functionOf = (n: Node): Node => {
    let x = parents.get(n);
    while (x && !isFunctionNode(x)) x = parents.get(x);
    return x ?? fn;
  };
  const inside = (n: Node, outer: Node): boolean => n.range[0] >= outer.range[0] && n.range[1] <= outer.range[1];
  let changed = false;
  for (const { closure, parent } of cold) {
    const captured = new Map<string, Variable>();
    walk(closure, (n) => {
      if (n.type !== "Identifier") return;
      const v = info.resolve(n);
      if (v && ownBinding(v.scope, fn) && !inside(v.scope.block, closure)) captured.set(v.name, v);
    });
    const copies: string[] = [];
    for (const [name, v] of captured) {
      if (name === "arguments" || name === "eval") continue;
      if (safeToCopy(v, closure, fn, namesArguments, functionOf, parents, inside)) copies.push(name);
    }
    if (copies.length === 0) continue;
    const wrapped: Node = {
      type: "CallExpression",
      optional: false,
      callee: { type: "ArrowFunctionExpression", id: null, params: copies.map(id), body: closure, expression: true, async: false, generator: false },
      arguments: copies.map(id),
    };
    replaceChild(parent, closure, wrapped);
    changed = true;
  }
  return changed;
}

/** Closures of the function's own code (not inside another closure) that follow a hook call in a statement list around them. */
function coldClosures(fn: Node, hook: string): Array<{ closure: Node; parent: Node }> {
  const out: Array<{ closure: Node; parent: Node }> = [];
  const isHook = (st: Node): boolean => st?.type === "ExpressionStatement" && st.expression.type === "CallExpression" && st.expression.callee.type === "Identifier" && st.expression.callee.name === hook && st.expression.arguments.length === 0;
  const visit = (n: Node, parent: Node | null, coldHere: boolean): void => {
    if (!n || typeof n.type !== "string" || n.type === "KosConst") return;
    if (n !== fn && isFunctionNode(n)) {
      if (coldHere && parent && n.type !== "FunctionDeclaration" && unnamedSlot(parent, n)) out.push({ closure: n, parent });
      return;
    }
    for (const k of childKeys(n)) {
      const v = n[k];
      if (Array.isArray(v)) {
        let cold = coldHere;
        for (const x of v) {
          if (!cold && (n.type === "BlockStatement" || n.type === "SwitchCase" || n.type === "Program") && isHook(x)) cold = true;
          visit(x, n, cold);
        }
      } else if (v) visit(v, n, coldHere);
    }
  };
  visit(fn, null, false);
  return out;
}

/** A call's callee or argument: a function there gets no name from where it stands. */
function unnamedSlot(parent: Node, n: Node): boolean {
  return (parent.type === "CallExpression" || parent.type === "NewExpression") && (parent.callee === n || parent.arguments.includes(n));
}

/** The binding's scope is the function's own, or a block of its own code (no function in between). */
function ownBinding(scope: Scope, fn: Node): boolean {
  for (let s: Scope | null = scope; s; s = s.upper) {
    if (s.block === fn) return true;
    if (isFunctionNode(s.block)) return false;
  }
  return false;
}

function safeToCopy(v: Variable, closure: Node, fn: Node, namesArguments: boolean, functionOf: (n: Node) => Node, parents: Map<Node, Node>, inside: (n: Node, outer: Node) => boolean): boolean {
  if (v.defs.length !== 1) return false;
  const def = v.defs[0]!;
  if (def.type === "Parameter") {
    if (namesArguments) return false;
  } else if (def.type !== "Variable") return false;
  // A switch's cases share one scope, and a jump to a later case passes over a declaration: a binding
  // there may still be in its temporal dead zone where the closure is made.
  if (v.scope.block.type === "SwitchStatement") return false;
  // Declared before the closure in the source: initialized when it is made.
  if (!(def.name.range[1] <= closure.range[0])) return false;
  // Loops around the closure within the binding's scope (the scope's own node counts: a `for (let …)`).
  const loops: Node[] = [];
  for (let x: Node | undefined = closure; x && x !== fn; x = parents.get(x)) {
    if (LOOPS.has(x.type)) loops.push(x);
    if (x === v.scope.block) break;
  }
  for (const ref of v.references) {
    if (!ref.isWrite()) continue;
    const w = ref.identifier;
    if (functionOf(w) !== fn) return false;
    if (loops.some((l) => inside(w, l))) return false;
    if (w.range[0] > closure.range[0] && !exclusive(w, closure, parents)) return false;
  }
  return true;
}

/** `a` and `b` sit in the two arms of one `if` or `?:` (their nearest common ancestor). */
function exclusive(a: Node, b: Node, parents: Map<Node, Node>): boolean {
  const chainA: Node[] = [];
  for (let x: Node | undefined = a; x; x = parents.get(x)) chainA.push(x);
  const onA = new Set(chainA);
  let below: Node = b;
  let x: Node | undefined = parents.get(b);
  while (x && !onA.has(x)) {
    below = x;
    x = parents.get(x);
  }
  if (!x || (x.type !== "IfStatement" && x.type !== "ConditionalExpression")) return false;
  const belowA = chainA[chainA.indexOf(x) - 1];
  const arms = [x.consequent, x.alternate];
  return belowA !== undefined && arms.includes(below) && arms.includes(belowA) && below !== belowA;
}

function replaceChild(parent: Node, from: Node, to: Node): void {
  if (parent.callee === from) parent.callee = to;
  else parent.arguments = parent.arguments.map((a: Node) => (a === from ? to : a));
}
