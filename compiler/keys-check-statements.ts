/**
 * A content guard (content-guards.ts) whose folded `Object.keys` checks are written into the
 * version as statements: each for-in walk sets a flag, and the `if` that chooses the speculated
 * branch (or the entry guard) tests the flag with the guard's other parts. The guard's parts run
 * in their order and stop at the first that fails, as the one `&&` expression did.
 *
 * Why: a rule engine checks one or two rule objects' keys at each point where foreign code may
 * have run (json-logic-js: `Object.keys(logic)` for every operator node, about 10 checks a call).
 * Called as a function of its own per object (ownKeysCheck), each check cost a call that V8
 * did not inline into a version of a thousand lines: json-logic-js's natural use ran 128-132 ns a
 * call, 103-104 ns with the same walks written in place (CPU time, one process each, Node
 * 20.20.2; without any keys check, 68 ns). A probe over the rule's 24 objects: 3.9 ns a check
 * called, 2.9 ns written in place, 3.0 ns for an empty for-in.
 *
 * The walk `flag = false; for (const k in o) { if (flag || k !== "if") { flag = false; break; }
 * flag = true; }` for one key (5.3 ns a check through the counting form of ownKeysCheck, 3.9 ns
 * through this one, called); for other counts it counts in the flag and compares at the end.
 */
import type { Node } from "./ast.js";
import { contentGuardTest, type ContentGuard } from "./content-guards.js";
import { buildLiteral } from "./emit.js";

/**
 * Longest key list walked in place; a longer one is checked by the shared sameOwnKeys. The walk
 * compares each key with a literal, which V8 can do by reference (both are internalized
 * strings); compared with a list's items, as sameOwnKeys does, each key likely costs a call of
 * V8's string compare (not traced further): over a 9-key object, 51-53 ns a check that way
 * against 17-22 ns with literals, and 33-35 ns with literals for 16 keys (each test `n === i`
 * of the chain is an integer compare; .scratch/walk2.mjs and walk3.mjs, Node 20.20.2). The
 * limit was 8: a schema validator's 9-entry object schema (fixtures/real), checked through
 * sameOwnKeys, ran 717-774 ns a call, and 702-741 ns walked in place (medians of four paired
 * runs of .scratch/valprobe.mjs; hand-written 340-370 ns).
 */
const INLINE_KEYS_MAX = 16;

const id = (name: string): Node => ({ type: "Identifier", name });
const lit = (v: string | number | boolean): Node => buildLiteral(v)!;
const assign = (name: string, value: Node): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(name), right: value } });
const and = (left: Node, right: Node): Node => ({ type: "LogicalExpression", operator: "&&", left, right });
const block = (body: Node[]): Node => ({ type: "BlockStatement", body });

function walkedInPlace(g: ContentGuard): boolean {
  return !!g.keys && !g.names && g.keys.length <= INLINE_KEYS_MAX;
}

/**
 * Statements that set `flag` to whether `obj`'s for-in walk lists exactly `keys`, in order (own
 * enumerable keys first, then inherited ones: an inherited key fails it, which is only cautious).
 */
function keysWalk(obj: Node, keys: readonly string[], flag: string, key: string): Node[] {
  const header: Node = { type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: id(key), init: null }] };
  const fail = (value: Node): Node => block([assign(flag, value), { type: "BreakStatement", label: null }]);
  if (keys.length === 1) {
    const mismatch: Node = { type: "LogicalExpression", operator: "||", left: id(flag), right: { type: "BinaryExpression", operator: "!==", left: id(key), right: lit(keys[0]!) } };
    const body = block([{ type: "IfStatement", test: mismatch, consequent: fail(lit(false)), alternate: null }, assign(flag, lit(true))]);
    return [assign(flag, lit(false)), { type: "ForInStatement", left: header, right: obj, body }];
  }
  let mismatch: Node = lit(true);
  for (let i = keys.length - 1; i >= 0; i--) {
    mismatch = {
      type: "ConditionalExpression",
      test: { type: "BinaryExpression", operator: "===", left: id(flag), right: lit(i) },
      consequent: { type: "BinaryExpression", operator: "!==", left: id(key), right: lit(keys[i]!) },
      alternate: mismatch,
    };
  }
  const count: Node = { type: "ExpressionStatement", expression: { type: "UpdateExpression", operator: "++", prefix: false, argument: id(flag) } };
  const body = block([{ type: "IfStatement", test: mismatch, consequent: fail(lit(-1)), alternate: null }, count]);
  return [
    assign(flag, lit(0)),
    { type: "ForInStatement", left: header, right: obj, body },
    assign(flag, { type: "BinaryExpression", operator: "===", left: id(flag), right: lit(keys.length) }),
  ];
}

/**
 * The guard as `before` statements and a `test` read after them; `flag()` names the variable
 * they set (declared by the caller; asked for only where a walk is written in place), and `key`
 * each walk's loop variable (a name of kos's own, `$k_key`: a test about a program's loops
 * then tells the walks apart). Without
 * such a walk, or without `keysCheck` (the compile writes no checks out), `before` is empty and
 * `test` is contentGuardTest's. Null where there is no guard.
 */
export function contentGuardStatements(guards: readonly ContentGuard[], reference: (value: unknown, hint: string) => Node, keysCheck: ((g: ContentGuard) => Node | null) | undefined, flag: () => string, key: string): { before: Node[]; test: Node } | null {
  if (!keysCheck || !guards.some(walkedInPlace)) {
    const test = contentGuardTest(guards, reference, keysCheck);
    return test ? { before: [], test } : null;
  }
  const name = flag();
  const before: Node[] = [];
  let pending: ContentGuard[] = [];
  let started = false;
  for (const g of guards) {
    if (!walkedInPlace(g)) {
      pending.push(g);
      continue;
    }
    const prior = pending.length ? contentGuardTest(pending, reference, keysCheck) : null;
    pending = [];
    const walk = keysWalk(reference(g.obj, "obj"), g.keys!, name, key);
    if (prior) {
      // Earlier parts first, and the walk only where they held.
      before.push(assign(name, started ? and(id(name), prior) : prior));
      before.push({ type: "IfStatement", test: id(name), consequent: block(walk), alternate: null });
    } else if (started) before.push({ type: "IfStatement", test: id(name), consequent: block(walk), alternate: null });
    else before.push(...walk);
    started = true;
  }
  const rest = pending.length ? contentGuardTest(pending, reference, keysCheck) : null;
  return { before, test: rest ? and(id(name), rest) : id(name) };
}
