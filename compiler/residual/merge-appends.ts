/**
 * Appends to a string accumulator that a check separates: `out = out + ","`,
 * then code that cannot see `out` (a type check that throws), then
 * `out = out + E` becomes the check, then `out = out + ("," + E)`, and
 * `"," + ("\"k\":" + E)` becomes `",\"k\":" + E`. A generic serializer
 * appends the separator and the next value as two appends; merged, the
 * json-serializer fixture ran at 781-819 ns against 821-854 ns (its hand
 * twin: 772-806 ns).
 *
 * Exact because the accumulator always holds a primitive (every assignment
 * to it is a string concatenation or a string literal), so converting it
 * later runs no code, and because nothing between the two appends reads or
 * writes it or jumps to code that could (no break or continue; a throw or a
 * return leaves it unread). String concatenation is associative.
 */
import { childKeys, walk, type Node } from "../ast.js";

const isString = (e: Node): boolean => e.type === "Literal" && typeof e.value === "string";

/** Always a string or a primitive the accumulator already holds: `"…"`, `acc + E`, `E + "…"`, a template. */
function stringy(e: Node, acc: string): boolean {
  if (isString(e) || e.type === "TemplateLiteral") return true;
  if (e.type === "Identifier") return e.name === acc;
  return e.type === "BinaryExpression" && e.operator === "+" && (stringy(e.left, acc) || stringy(e.right, acc));
}

const appendTo = (s: Node): { name: string; value: Node } | null => {
  if (s?.type !== "ExpressionStatement") return null;
  const e = s.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "Identifier") return null;
  const r = e.right;
  if (r.type !== "BinaryExpression" || r.operator !== "+" || r.left.type !== "Identifier" || r.left.name !== e.left.name) return null;
  return { name: e.left.name, value: r.right };
};

function mentions(n: Node, name: string): boolean {
  let found = false;
  walk(n, (x) => {
    if (found) return false;
    if (x.type === "Identifier" && x.name === name) found = true;
    return !found;
  });
  return found;
}

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);

/**
 * Whether a break or continue in `n` goes to code after it. One to a label, loop or switch inside
 * `n` stays inside: an optional field's `L: { v = o.k; if (v === undefined) break L; … }` between
 * two appends kept a separator as an append of its own (the json-serializer fixture's `","` before
 * its nested object).
 */
function jumps(n: Node, labels: ReadonlySet<string> = new Set(), loops = 0, switches = 0): boolean {
  if (!n || typeof n !== "object" || n.type === "KosConst") return false;
  if (Array.isArray(n)) return n.some((c) => jumps(c, labels, loops, switches));
  switch (n.type) {
    case "FunctionExpression":
    case "ArrowFunctionExpression":
    case "FunctionDeclaration":
      return false;
    case "BreakStatement":
      return n.label ? !labels.has(n.label.name) : loops + switches === 0;
    case "ContinueStatement":
      return n.label ? !labels.has(n.label.name) : loops === 0;
    case "LabeledStatement":
      return jumps(n.body, new Set([...labels, n.label.name]), loops, switches);
    case "SwitchStatement":
      return jumps(n.discriminant, labels, loops, switches) || jumps(n.cases, labels, loops, switches + 1);
  }
  const inner = LOOPS.has(n.type) ? loops + 1 : loops;
  return childKeys(n).some((k) => jumps(n[k], labels, inner, switches));
}

/** `L1 + (L2 + E)` is `L1L2 + E` for string literals L1 and L2. */
function concat(l: Node, e: Node): Node {
  if (e.type === "BinaryExpression" && e.operator === "+" && isString(e.left)) {
    const value = l.value + e.left.value;
    return { type: "BinaryExpression", operator: "+", left: { type: "Literal", value, raw: JSON.stringify(value) }, right: e.right };
  }
  if (isString(e)) {
    const value = l.value + e.value;
    return { type: "Literal", value, raw: JSON.stringify(value) };
  }
  return { type: "BinaryExpression", operator: "+", left: l, right: e };
}

/**
 * The function's accumulators: the names of its hoisted `let` (undefined, a primitive, until
 * written) whose every write is `acc = <string concatenation or literal>`, so that they always
 * hold a primitive, and that no nested function, catch or finally mentions.
 */
export function accumulators(fn: Node): Set<string> {
  // Accumulators: names of the hoisted `let` (undefined, a primitive, until written), every write
  // `acc = <string concatenation or literal>`, no other kind of write, and no nested function, catch
  // or finally mentions them (a handler would read the value a throw in between left).
  const first = fn.body.body[0];
  const hoisted = new Set<string>(first?.type === "VariableDeclaration" && first.kind === "let" && !first.declarations.some((d: Node) => d.init) ? first.declarations.map((d: Node) => d.id.name) : []);
  if (hoisted.size === 0) return hoisted;
  const writes = new Map<string, boolean>();
  const inClosure = new Set<string>();
  const visit = (n: Node, closure: boolean): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach((c) => visit(c, closure));
    if (n.type === "Identifier" && closure) inClosure.add(n.name);
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier") {
      const ok = n.operator === "=" && stringy(n.right, n.left.name);
      writes.set(n.left.name, (writes.get(n.left.name) ?? true) && ok);
    }
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") writes.set(n.argument.name, false);
    if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && n.left.type === "Identifier") writes.set(n.left.name, false);
    if (n.type === "AssignmentExpression" && n.left.type !== "Identifier") walk(n.left, (x) => void (x.type === "Identifier" && writes.set(x.name, false)));
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier" && n.init) writes.set(n.id.name, false);
    if (n.type === "TryStatement") {
      visit(n.block, closure);
      visit(n.handler, true);
      visit(n.finalizer, true);
      return;
    }
    const nested = closure || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration";
    for (const k of childKeys(n)) visit(n[k], nested);
  };
  visit(fn.body, false);
  return new Set([...hoisted].filter((name) => writes.get(name) === true && !inClosure.has(name)));
}

export function mergeAppends(fn: Node): boolean {
  const accs = accumulators(fn);
  if (accs.size === 0) return false;
  const accumulator = (name: string) => accs.has(name);

  let changed = false;
  const sweep = (list: Node[]): void => {
    for (let i = 0; i < list.length; i++) {
      const head = appendTo(list[i]);
      if (!head || !isString(head.value) || !accumulator(head.name)) continue;
      let j = i + 1;
      while (j < list.length && !mentions(list[j], head.name) && !jumps(list[j])) j++;
      const next = j < list.length ? appendTo(list[j]) : null;
      if (!next || next.name !== head.name || mentions(next.value, head.name)) continue;
      list[j].expression.right.right = concat(head.value, next.value);
      list.splice(i, 1);
      changed = true;
      i--;
    }
  };
  walk(fn.body, (n) => {
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") return false;
    if (n.type === "BlockStatement") sweep(n.body);
    else if (n.type === "SwitchCase") sweep(n.consequent);
  });
  return changed;
}
