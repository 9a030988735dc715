/**
 * Whether residual code may let the compiled function's own `arguments` object escape before a
 * read that kos judged plain (specialize/own-arguments.ts). The specializer takes those reads to run
 * no code on the promise that nothing else holds the object yet (code that holds it could make an
 * item an accessor); this checks the promise on the code it made, whatever path its values took.
 *
 * The object is reached through `arguments` (outside nested non-arrow functions, which have their
 * own) and through every variable given it by a plain `v = arguments` or `v = w` from such a
 * variable. A use of one of those names is a plain read when it is the object of a member read
 * kos judged plain (the specializer's set of them, `plain`) and not written, deleted, called as a method (`arguments[0]()` passes it
 * as `this`) or destructured into. Every other use may let it escape: handed to a call, stored,
 * returned, written (`arguments[0] = x`, which in sloppy code also writes the parameter it is
 * mapped to), a read kos did not mark (past the count, or at a key such as `toString`, it may run
 * an Object.prototype getter with the object as receiver), or a name that merely collides.
 *
 * An escape matters only where it may run before a plain read. The residual function is
 * structured code, so outside loops and `switch` (and nested functions, which run whenever they
 * are called) one use may run before another only if it comes first in the source, and not in the
 * other branch of an `if` or `?:`. A fork's generic branch (speculation.ts) that hands the object on
 * then leaves the reads of its specialized branch, and those before it, plain. A read kos folded
 * to a value (a guarded count or item) has no place in the code: with one, any escape matters.
 */
import { isReferenceIdentifier, childKeys, type Node } from "./ast.js";

/** One place of a node in the code (a node may be held in more than one): its parent's place, its order. */
interface Place { node: Node; up: Place | null; order: number; nested: boolean }

/**
 * Escapes times plain reads compared one by one (each a walk up the code's nesting), beyond which
 * every escape is taken to come first. sprintf-js's 6-placeholder format has 74 reads and 6 escapes.
 */
const MAX_PAIRS = 100_000;

/**
 * Whether a use of the own `arguments` of `root` (a FunctionExpression) that may let it escape can
 * run before one of its plain reads, in it or in the functions of its own (`others`: callback
 * bodies, residual versions). `folded`: some read was folded to a value, with no place in the code.
 */
export function argumentsEscapeBeforeRead(root: Node, plain: ReadonlySet<Node>, others: readonly Node[] = [], folded = false): boolean {
  const uses = new Map<string, Place[]>();
  let order = 0;
  // `own`: `arguments` here is the root's; `nested`: inside a function other than the root.
  const visit = (n: Node, up: Place | null, own: boolean, nested: boolean): void => {
    if (!n || typeof n.type !== "string") return;
    const place: Place = { node: n, up, order: order++, nested };
    if (up && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) own = false;
    if (up && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression")) nested = true;
    place.nested = nested;
    if (n.type === "Identifier" && up && isReferenceIdentifier(n, up.node) && (n.name !== "arguments" || own)) {
      let list = uses.get(n.name);
      if (!list) uses.set(n.name, (list = []));
      list.push(place);
    }
    for (const key of childKeys(n)) {
      const v = n[key];
      if (Array.isArray(v)) for (const c of v) visit(c, place, own, nested);
      else if (v) visit(v, place, own, nested);
    }
  };
  visit(root, null, true, false);
  for (const f of others) visit(f, null, false, true);

  const aliases = new Set<string>(["arguments"]);
  const work = ["arguments"];
  const escapes: Place[] = [];
  const reads: Place[] = [];
  while (work.length) {
    for (const use of uses.get(work.pop()!) ?? []) {
      const target = aliasTarget(use);
      if (target !== null) {
        if (!aliases.has(target)) {
          aliases.add(target);
          work.push(target);
        }
        continue;
      }
      const read = plainRead(use, plain);
      if (read) reads.push(read);
      else if (!declaresOrWrites(use)) escapes.push(use);
    }
  }
  if (escapes.length === 0) return false;
  if (folded || escapes.length * reads.length > MAX_PAIRS) return true;
  return reads.some((r) => {
    const above = new Set<Place>();
    for (let p: Place | null = r; p; p = p.up) above.add(p);
    return escapes.some((e) => mayRunBefore(e, r, above));
  });
}

/** `v = x` or `let v = x` with `x` the use: v, else null. */
function aliasTarget(use: Place): string | null {
  const p = use.up!.node;
  if (p.type === "AssignmentExpression" && p.operator === "=" && p.right === use.node && p.left.type === "Identifier") return p.left.name;
  if (p.type === "VariableDeclarator" && p.init === use.node && p.id.type === "Identifier") return p.id.name;
  return null;
}

/** The variable's own declaration, or a store to it (it then holds something else, whose reads are judged by their marks). */
function declaresOrWrites(use: Place): boolean {
  const p = use.up!.node;
  return (p.type === "VariableDeclarator" && p.id === use.node) || (p.type === "AssignmentExpression" && p.operator === "=" && p.left === use.node);
}

/** The place of the marked read whose object is this use, if it is only read there. */
function plainRead(use: Place, plain: ReadonlySet<Node>): Place | null {
  const m = use.up!;
  if (m.node.type !== "MemberExpression" || m.node.object !== use.node || !plain.has(m.node)) return null;
  const parent = m.up;
  if (!parent) return m;
  const p = parent.node;
  const n = m.node;
  switch (p.type) {
    case "AssignmentExpression":
      return p.left !== n ? m : null;
    case "UpdateExpression":
    case "ChainExpression":
    case "ArrayPattern":
    case "RestElement":
    case "AssignmentPattern":
      return null;
    case "UnaryExpression":
      return p.operator !== "delete" ? m : null;
    case "CallExpression":
    case "NewExpression":
      return p.callee !== n ? m : null;
    case "TaggedTemplateExpression":
      return p.tag !== n ? m : null;
    case "ForInStatement":
    case "ForOfStatement":
      return p.left !== n ? m : null;
    case "Property":
      // A value in an object pattern is a target; in an object literal, a value (the read).
      return p.value !== n || parent.up?.node.type !== "ObjectPattern" ? m : null;
    default:
      return m;
  }
}

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement", "SwitchStatement"]);

/** Whether the use `e` may run before the read `r` (`above`: r and its ancestors) in one call (see the file comment). */
function mayRunBefore(e: Place, r: Place, above: ReadonlySet<Place>): boolean {
  if (e.nested || r.nested) return true;
  let common: Place | null = e;
  let fromE: Place | null = null;
  while (common && !above.has(common)) {
    fromE = common;
    common = common.up;
  }
  // Different trees (the root and a function of its own): no order between them. Inside the read
  // (`arguments[g(arguments)]`): its operands run before it reads.
  if (!common || common === r) return true;
  for (let p: Place | null = common; p; p = p.up) if (LOOPS.has(p.node.type)) return true;
  let fromR: Place | null = null;
  for (let p: Place | null = r; p && p !== common; p = p.up) fromR = p;
  const c = common.node;
  if (fromE && fromR && (c.type === "IfStatement" || c.type === "ConditionalExpression")) {
    const branch = (p: Place) => (p.node === c.consequent ? 1 : p.node === c.alternate ? 2 : 0);
    const be = branch(fromE);
    const br = branch(fromR);
    if (be && br && be !== br) return false;
  }
  return e.order < r.order;
}
