/**
 * Results the evaluator computes only to test them. An inlined predicate
 * returns through a labeled block and a result variable, and `a && !p(x)`
 * joins its two sides into another variable, which an `if` then tests:
 *
 *     t = v !== void 0;
 *     if (t) { ret: { if (typeof v !== "string") { r = false; break ret; } r = true; } r2 = !r; } else { r2 = t; }
 *     if (r2) return false;
 *
 * A hand-written validator jumps instead: `if (typeof v !== "string") return false;`.
 * This pass moves a small jump (`return x`, `throw x`, a labeled `break` or
 * `continue`) that tests a variable read nowhere else back to where each value
 * of the variable is decided: into both branches of the `if` that assigns it,
 * and to each `r = true|false; break L` of a labeled block. The value of the
 * variable is then never needed.
 *
 * Exactness: the jump runs at the same point of the execution as before (no
 * statement runs between the assignment and the test), on the same values;
 * the variable is read only by the test, so dropping its assignments changes
 * nothing else. A `break`/`continue` without a label is moved only out of
 * `if` branches, never into a labeled block, where a loop inside would catch it.
 */
import { childKeys, clone, constantValue, forEachStatementListInnermostFirst, type Node } from "../ast.js";

interface JumpTest {
  name: string;
  negated: boolean;
  jump: Node;
}

/** Rounds: each can expose the next (an `if` threaded into its branches leaves a labeled block before the new test). */
const MAX_ROUNDS = 8;

export function threadBranchResults(fn: Node): boolean {
  let changed = false;
  // Counted once and kept exact as the rewrites go (Moves): a recount per round was a third of
  // this pass (validator fixture, 40 compiles: 139 ms of the pipeline's 514). Counted at the first
  // jump test, before any rewrite: most residuals have none, and the count was half of the pass
  // where it changed nothing (sift's query, ctprobe.mjs).
  let reads: Map<string, number> | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let did = false;
    forEachStatementListInnermostFirst(fn.body, (list) => {
      for (let i = 0; i + 1 < list.length; i++) {
        const test = jumpTest(list[i + 1]!);
        if (!test) continue;
        reads ??= countReads(fn.body);
        if (reads.get(test.name) !== 1) continue;
        const moves: Moves = { copies: 0, dropped: [] };
        if (threadIf(list[i]!, test, moves) || threadLabel(list[i]!, test, moves)) {
          list.splice(i + 1, 1);
          did = true;
          // The test's read of its variable is gone, and its jump now stands once per copy.
          reads.set(test.name, 0);
          const read = jumpRead(test.jump);
          if (read) reads.set(read, reads.get(read)! + moves.copies - 1);
          for (const name of moves.dropped) reads.set(name, reads.get(name)! - 1);
        }
      }
    });
    if (!did) break;
    changed = true;
  }
  return changed;
}

/** Reads of each name (an identifier that is not the target of a plain `=`), nested functions included. */
function countReads(root: Node): Map<string, number> {
  const reads = new Map<string, number>();
  const walk = (n: Node, parent: Node | null, key: string | null): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) walk(n[i], parent, key);
      return;
    }
    if (n.type === "Identifier") {
      if (!(parent?.type === "AssignmentExpression" && key === "left" && parent.operator === "=")) reads.set(n.name, (reads.get(n.name) ?? 0) + 1);
      return;
    }
    if (n.type === "MemberExpression" && !n.computed) return walk(n.object, n, "object");
    if (n.type === "Property" && !n.computed) return walk(n.value, n, "value");
    if (n.type === "VariableDeclarator") return walk(n.init, n, "init");
    if ((n.type === "BreakStatement" || n.type === "ContinueStatement" || n.type === "LabeledStatement")) return n.type === "LabeledStatement" ? walk(n.body, n, "body") : undefined;
    for (const k of childKeys(n)) walk(n[k], n, k);
  };
  walk(root, null, null);
  return reads;
}

/** What a rewrite did to reads: copies of the jump it placed, variables whose read it dropped. */
interface Moves {
  copies: number;
  dropped: string[];
}

/** The variable a small jump reads (`return x`, `throw x`), if any. */
function jumpRead(jump: Node): string | null {
  return (jump.type === "ReturnStatement" || jump.type === "ThrowStatement") && jump.argument?.type === "Identifier" ? jump.argument.name : null;
}

/** `if (r) J` or `if (!r) J`, with no else, where J is one small jump. */
function jumpTest(s: Node): JumpTest | null {
  if (s.type !== "IfStatement" || s.alternate) return null;
  const c = s.consequent.type === "BlockStatement" ? (s.consequent.body.length === 1 ? s.consequent.body[0] : null) : s.consequent;
  if (!c || !isSmallJump(c)) return null;
  const t = s.test;
  if (t.type === "Identifier") return { name: t.name, negated: false, jump: c };
  if (t.type === "UnaryExpression" && t.operator === "!" && t.argument.type === "Identifier") return { name: t.argument.name, negated: true, jump: c };
  return null;
}

function isSmallJump(s: Node): boolean {
  const simple = (e: Node | null) => !e || e.type === "Literal" || e.type === "Identifier" || e.type === "KosConst" || (e.type === "UnaryExpression" && e.operator === "void" && e.argument.type === "Literal");
  if (s.type === "ReturnStatement") return simple(s.argument);
  if (s.type === "ThrowStatement") return simple(s.argument) && !!s.argument;
  return s.type === "BreakStatement" || s.type === "ContinueStatement";
}

// Copies of the jump share its constants (ast.ts clone): a JSON round trip made a new array of the
// constant a `return p0` returned (a specialized argument's copy, not the argument itself), with
// NaN, -0 and undefined items rewritten as null (random programs, seed 3133 #1550).

/** `x = e` as a statement, for this name. */
function assignedValue(s: Node | undefined, name: string): Node | null {
  if (!s || s.type !== "ExpressionStatement") return null;
  const e = s.expression;
  return e.type === "AssignmentExpression" && e.operator === "=" && e.left.type === "Identifier" && e.left.name === name ? e.right : null;
}

function assigns(n: Node, name: string): boolean {
  let found = false;
  const walk = (x: Node): void => {
    if (found || !x || typeof x !== "object" || x.type === "KosConst") return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (x.type === "AssignmentExpression" && x.left.type === "Identifier" && x.left.name === name) found = true;
    if (x.type === "UpdateExpression" && x.argument.type === "Identifier" && x.argument.name === name) found = true;
    for (const k of childKeys(x)) walk(x[k]);
  };
  walk(n);
  return found;
}

/** The statement that runs `jump` when `value` (tested as the original test did) says so; null when it never does. */
function testOf(value: Node, test: JumpTest, moves: Moves): Node | null {
  const t = testFor(value, test);
  if (t) moves.copies++;
  return t;
}

function testFor(value: Node, test: JumpTest): Node | null {
  // A bigint literal's `value` is null in the nodes kos builds (emit.ts): its value is in `bigint`
  // (`r = 1n` read as falsy lost the branch it decided: random programs, seed 909 #528). A regex
  // literal is an object, truthy whatever its `value`.
  if (value.type === "Literal") return (value.regex ? true : !!constantValue(value)) !== test.negated ? clone(test.jump) : null;
  let t: Node;
  if (test.negated) t = value.type === "UnaryExpression" && value.operator === "!" ? value.argument : { type: "UnaryExpression", operator: "!", prefix: true, argument: value };
  else t = value.type === "UnaryExpression" && value.operator === "!" && value.argument.type === "UnaryExpression" && value.argument.operator === "!" ? value.argument.argument : value;
  return { type: "IfStatement", test: t, consequent: { type: "BlockStatement", body: [clone(test.jump)] }, alternate: null };
}

/** `if (c) { …; r = a } else { …; r = b }` then the test: the test moves into both branches. */
function threadIf(s: Node, test: JumpTest, moves: Moves): boolean {
  if (s.type !== "IfStatement" || !s.alternate) return false;
  const branches = [s.consequent, s.alternate].map((b: Node) => (b.type === "BlockStatement" ? b.body : null));
  if (branches.some((b) => !b || !assignedValue(b[b.length - 1], test.name))) return false;
  branches.forEach((body, i) => {
    const value = assignedValue(body![body!.length - 1], test.name)!;
    body!.pop();
    // `else { r = c }` after `if (c)`: c is falsy there (and truthy in the other branch), unless the branch changed it.
    let known: Node = value;
    if (value.type === "Identifier" && s.test.type === "Identifier" && value.name === s.test.name && !assigns(body, value.name)) {
      known = { type: "Literal", value: i === 0 };
      moves.dropped.push(value.name);
    }
    const t = testOf(known, test, moves);
    if (t) body!.push(t);
  });
  return true;
}

/**
 * `L: { …; r = false; break L; …; r = true }` then the test: each `r = v; break L`
 * becomes the jump or the break, and the final `r = v` the jump or nothing.
 */
function threadLabel(s: Node, test: JumpTest, moves: Moves): boolean {
  if (s.type !== "LabeledStatement" || s.body.type !== "BlockStatement") return false;
  if ((test.jump.type === "BreakStatement" || test.jump.type === "ContinueStatement") && !test.jump.label) return false;
  const label = s.label.name;
  const body: Node[] = s.body.body;
  const tail = assignedValue(body[body.length - 1], test.name);
  if (!tail || tail.type !== "Literal") return false;
  // Every assignment of r is `r = <literal>` right before `break L` (or the last statement), and every `break L` follows one.
  let ok = true;
  let pairs = 0;
  let assignments = 0;
  const check = (n: Node): void => {
    if (!ok || !n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) {
        const v = assignedValue(n[i], test.name);
        const next = n[i + 1];
        const breaksL = next?.type === "BreakStatement" && next.label?.name === label;
        if (v && v.type === "Literal" && (breaksL || (n === body && i === n.length - 1))) {
          if (breaksL) pairs++;
        } else if (n[i]?.type === "BreakStatement" && n[i].label?.name === label && !(i > 0 && assignedValue(n[i - 1], test.name)?.type === "Literal")) ok = false;
        check(n[i]);
      }
      return;
    }
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier" && n.left.name === test.name) assignments++;
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier" && n.argument.name === test.name) ok = false;
    if (n.type === "BreakStatement" && n.label?.name === label) return;
    for (const k of childKeys(n)) check(n[k]);
  };
  check(body);
  if (!ok || assignments !== pairs + 1) return false;
  const rewrite = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) {
        const v = assignedValue(n[i], test.name);
        const next = n[i + 1];
        if (v && v.type === "Literal" && next?.type === "BreakStatement" && next.label?.name === label) {
          const t = testOf(v, test, moves);
          n.splice(i, 2, t ?? next);
          continue;
        }
        rewrite(n[i]);
      }
      return;
    }
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") return;
    for (const k of childKeys(n)) rewrite(n[k]);
  };
  body.pop();
  rewrite(body);
  const t = testOf(tail, test, moves);
  if (t) body.push(t);
  return true;
}
