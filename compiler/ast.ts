/**
 * ESTree helpers shared by the passes. Nodes are plain acorn/ESTree objects
 * (typed loosely as `Node`: the passes check `type` before touching fields).
 *
 * kos adds one node type, `KosConst`: a value the compiler knows at compile
 * time. It never reaches astring: `emit.ts` turns it into a literal built from
 * the primitive, a fresh array literal, or a reference through the closure.
 * Carrying the value itself (not source text) is what keeps user data out of
 * generated source.
 */

// ESTree nodes are dynamic shapes; every pass guards on `node.type`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = any;

/** Where a known value came from, so `kos build` and the compile cache can reach it again. */
export interface ValuePath {
  root: "param" | "scope" | "self" | "global";
  name: string;
  keys: Array<string | number>;
}

export interface KosConstNode {
  type: "KosConst";
  value: unknown;
  path: ValuePath | null;
  /** A value the original code would build anew at each evaluation (e.g. `Object.keys(c)`): emitted as a literal, never shared. */
  fresh?: boolean;
  /** A name for the reference when there is no path (a helper of kos's own, such as compiler/typed-array-checks.ts's). */
  hint?: string;
  /**
   * The source's own name for the value (a function the source calls as `g(o)`), taken as the
   * reference's name where nothing else in the output has it: V8's messages then name it as the
   * source does ("g(...).call is not a function", not "$k_ref_1(...)").
   */
  sourceName?: string;
}

export function makeConst(value: unknown, path: ValuePath | null = null, fresh = false): KosConstNode {
  const node: KosConstNode = { type: "KosConst", value, path };
  if (fresh) node.fresh = true;
  return node;
}

export function isConst(node: Node): node is KosConstNode {
  return node != null && node.type === "KosConst";
}

/** True when `node` is a compile-time constant (KosConst or a non-regex literal). */
export function isConstant(node: Node): boolean {
  return isConst(node) || (node?.type === "Literal" && node.regex == null);
}

/** The value of a constant node; call only when isConstant(node). */
export function constantValue(node: Node): unknown {
  if (isConst(node)) return node.value;
  if (node.bigint != null) return BigInt(node.bigint);
  return node.value;
}

export function childPath(path: ValuePath | null, key: string | number): ValuePath | null {
  return path ? { root: path.root, name: path.name, keys: [...path.keys, key] } : null;
}

/**
 * Child slots of each ESTree node type, in evaluation order (as
 * eslint-visitor-keys lists them). A table lookup instead of Object.keys per
 * node: tree walks were the top of the compiler's own profile.
 */
const VISITOR_KEYS: Record<string, readonly string[]> = {
  ArrayExpression: ["elements"], ArrayPattern: ["elements"], ArrowFunctionExpression: ["params", "body"],
  AssignmentExpression: ["left", "right"], AssignmentPattern: ["left", "right"], AwaitExpression: ["argument"],
  BinaryExpression: ["left", "right"], BlockStatement: ["body"], BreakStatement: ["label"],
  CallExpression: ["callee", "arguments"], CatchClause: ["param", "body"], ChainExpression: ["expression"],
  ClassBody: ["body"], ClassDeclaration: ["id", "superClass", "body"], ClassExpression: ["id", "superClass", "body"],
  ConditionalExpression: ["test", "consequent", "alternate"], ContinueStatement: ["label"], DebuggerStatement: [],
  DoWhileStatement: ["body", "test"], EmptyStatement: [], ExpressionStatement: ["expression"],
  ForInStatement: ["left", "right", "body"], ForOfStatement: ["left", "right", "body"],
  ForStatement: ["init", "test", "update", "body"], FunctionDeclaration: ["id", "params", "body"],
  FunctionExpression: ["id", "params", "body"], Identifier: [], IfStatement: ["test", "consequent", "alternate"],
  ImportExpression: ["source"], LabeledStatement: ["label", "body"], Literal: [], KosConst: [],
  LogicalExpression: ["left", "right"], MemberExpression: ["object", "property"], MetaProperty: ["meta", "property"],
  MethodDefinition: ["key", "value"], NewExpression: ["callee", "arguments"], ObjectExpression: ["properties"],
  ObjectPattern: ["properties"], PrivateIdentifier: [], Program: ["body"], Property: ["key", "value"],
  PropertyDefinition: ["key", "value"], RestElement: ["argument"], ReturnStatement: ["argument"],
  SequenceExpression: ["expressions"], SpreadElement: ["argument"], StaticBlock: ["body"], Super: [],
  SwitchCase: ["test", "consequent"], SwitchStatement: ["discriminant", "cases"],
  TaggedTemplateExpression: ["tag", "quasi"], TemplateElement: [], TemplateLiteral: ["quasis", "expressions"],
  ThisExpression: [], ThrowStatement: ["argument"], TryStatement: ["block", "handler", "finalizer"],
  UnaryExpression: ["argument"], UpdateExpression: ["argument"], VariableDeclaration: ["declarations"],
  VariableDeclarator: ["id", "init"], WhileStatement: ["test", "body"], WithStatement: ["object", "body"],
  YieldExpression: ["argument"],
};

/**
 * The same table as a Map: a walk over valibot's bundle (27,110 nodes) took 0.90 ms with
 * `Map.get` against 1.11 ms indexing the object by the node's type (medians of 15, Node 20.20.2),
 * and tree walks are a tenth of a compile's CPU.
 */
const CHILD_KEYS = new Map<string, readonly string[]>(Object.entries(VISITOR_KEYS));

/** The child-node slots of `node` that hold nodes now, in evaluation order. */
export function childKeys(node: Node): readonly string[] {
  const keys = CHILD_KEYS.get(node.type);
  if (!keys) throw new Error(`kos: unknown node type ${node.type}`);
  return keys;
}

/** Calls `visit` on every node, pre-order. Return false from visit to skip a subtree. */
export function walk(node: Node, visit: (node: Node, parent: Node | null) => boolean | void, parent: Node | null = null): void {
  if (!node || typeof node.type !== "string") return;
  if (visit(node, parent) === false) return;
  const keys = childKeys(node);
  for (let k = 0; k < keys.length; k++) {
    const v = node[keys[k]!];
    if (!v) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i]) walk(v[i], visit, node);
    } else walk(v, visit, node);
  }
}

/** Each identifier a binding pattern declares (`x`, `{ a: x }`, `[x = 1, ...y]`), in source order. */
export function forEachPatternName(p: Node | null | undefined, f: (name: string) => void): void {
  if (!p) return;
  if (p.type === "Identifier") f(p.name as string);
  else if (p.type === "ObjectPattern") for (const q of p.properties as Node[]) forEachPatternName(q.type === "RestElement" ? q.argument : q.value, f);
  else if (p.type === "ArrayPattern") for (const q of p.elements as Array<Node | null>) forEachPatternName(q, f);
  else if (p.type === "AssignmentPattern") forEachPatternName(p.left, f);
  else if (p.type === "RestElement") forEachPatternName(p.argument, f);
}

/** Deep clone of an AST (KosConst values are shared, never copied). */
export function clone(node: Node): Node {
  if (Array.isArray(node)) return node.map(clone);
  if (!node || typeof node !== "object") return node;
  if (node.type === "KosConst") return { ...node };
  const out: Node = {};
  for (const key of Object.keys(node)) {
    const v = node[key];
    // A Literal's `value` (a RegExp) is shared; every other `value` (Property.value, MethodDefinition.value)
    // is a node and is copied: sharing it let a copy's edits reach the original (issue 9, bug 1).
    out[key] = v && typeof v === "object" && !(key === "value" && node.type === "Literal") && key !== "regex" ? clone(v) : v;
  }
  // Literal.value may be a RegExp; share it (it is rebuilt from regex by astring anyway).
  if (node.type === "Literal") out.value = node.value;
  return out;
}

/**
 * Two trees that run the same: the same node types and fields (source positions aside),
 * constants the same value (by identity), regexes the same source and flags.
 */
export function sameTree(a: Node, b: Node): boolean {
  return zipTrees(a, b, (p, q) => {
    if (p.type === "KosConst") return Object.is(p.value, q.value) && !!p.fresh === !!q.fresh;
    if (p.type === "Literal") return p.regex ? !!q.regex && p.regex.pattern === q.regex.pattern && p.regex.flags === q.regex.flags : Object.is(p.value, q.value) && p.bigint === q.bigint;
    return undefined;
  });
}

/**
 * Walks two trees side by side (source positions aside): false at the first difference.
 * `decide` sees each pair of nodes of the same type first, and settles it (true or false)
 * or lets the walk compare their fields (undefined).
 */
export function zipTrees(a: unknown, b: unknown, decide: (p: Node, q: Node) => boolean | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!zipTrees(a[i], b[i], decide)) return false;
    return true;
  }
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return Object.is(a, b);
  const p = a as Node;
  const q = b as Node;
  if (p.type !== q.type) return false;
  const settled = decide(p, q);
  if (settled !== undefined) return settled;
  const keys = new Set([...Object.keys(p), ...Object.keys(q)]);
  for (const k of keys) {
    if (k === "start" || k === "end" || k === "loc" || k === "range" || k === "raw") continue;
    if (!zipTrees(p[k], q[k], decide)) return false;
  }
  return true;
}

export function countNodes(node: Node): number {
  // Its own recursion, not `walk` with a counting callback: a compile counts its residual (and each
  // inlined body, fork and version) many times, and the counts were 1.9% of the CPU of compiling
  // mustache, json-logic-js, sift, jmespath and mingo (ctprobe.mjs). Counts what `walk` visits.
  if (!node || typeof node.type !== "string") return 0;
  let n = 1;
  const keys = childKeys(node);
  for (let k = 0; k < keys.length; k++) {
    const v = node[keys[k]!];
    if (!v) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i]) n += countNodes(v[i]);
    } else n += countNodes(v);
  }
  return n;
}

/**
 * `countNodes(node)` where it is below `limit`, else `limit` or more: the count stops there. For a caller that only
 * asks whether a function is small: a whole count of sift's tiering residual was one more
 * walk of its 31,000 nodes.
 */
export function countNodesUpTo(node: Node, limit: number): number {
  let n = 0;
  const count = (x: Node): void => {
    if (!x || typeof x.type !== "string" || n >= limit) return;
    n++;
    const keys = childKeys(x);
    for (let k = 0; k < keys.length; k++) {
      const v = x[keys[k]!];
      if (!v) continue;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (v[i]) count(v[i]);
      } else count(v);
    }
  };
  count(node);
  return n;
}

/**
 * An identifier that is a name in an expression, not a property key:
 * `n.arguments`, `{ arguments: 1 }` and `class { arguments() {} }` name a
 * property, not the function's `arguments` object.
 */
export function isReferenceIdentifier(n: Node, parent: Node | null): boolean {
  if (n.type !== "Identifier" || !parent) return n.type === "Identifier";
  if ((parent.type === "MemberExpression" || parent.type === "PropertyDefinition" || parent.type === "MethodDefinition") && parent.property === n && !parent.computed) return false;
  if ((parent.type === "Property" || parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") && parent.key === n && !parent.computed) return parent.type === "Property" && parent.shorthand;
  return true;
}

/**
 * A shorthand property written out in full (`{ x }` → `{ x: x_2 }`, its value renamed). `{ __proto__ }`
 * makes an own key, where `{ __proto__: v }` sets the prototype: written out, that key is computed,
 * `{ ["__proto__"]: v }`, which makes the own key again (sweep41).
 */
export function expandShorthand(p: Node): Node {
  const out: Node = { ...p };
  expandShorthandInPlace(out);
  return out;
}

/**
 * The same, on the property itself: for a pass that puts another expression or name in a shorthand
 * property's value, which astring would print as the value alone (`{ type, Array.isArray(v) ? … }`,
 * sweep of 2026-12-07: zod's `enum` failed to compile) or under the new name as the key.
 */
export function expandShorthandInPlace(p: Node): void {
  p.shorthand = false;
  if (!p.computed && p.key?.type === "Identifier" && p.key.name === "__proto__") {
    p.computed = true;
    p.key = { type: "Literal", value: "__proto__", raw: '"__proto__"' };
  }
}

export const isFunctionNode = (n: Node): boolean =>
  n?.type === "FunctionDeclaration" || n?.type === "FunctionExpression" || n?.type === "ArrowFunctionExpression";

export const id = (name: string): Node => ({ type: "Identifier", name });
export const block = (body: Node[]): Node => ({ type: "BlockStatement", body });
export const exprStmt = (expression: Node): Node => ({ type: "ExpressionStatement", expression });
export const call = (callee: Node, args: Node[]): Node => ({ type: "CallExpression", callee, arguments: args, optional: false });
export const member = (object: Node, property: Node, computed = false): Node => ({ type: "MemberExpression", object, property, computed, optional: false });
export const constDecl = (kind: "const" | "let" | "var", name: string, init: Node | null): Node => ({
  type: "VariableDeclaration",
  kind,
  declarations: [{ type: "VariableDeclarator", id: id(name), init }],
});
export const emptyStmt = (): Node => ({ type: "EmptyStatement" });

/** Statements that declare block-scoped names (their block cannot be flattened away). */
export function declaresLexically(stmt: Node): boolean {
  return (
    (stmt.type === "VariableDeclaration" && stmt.kind !== "var") ||
    stmt.type === "ClassDeclaration" ||
    stmt.type === "FunctionDeclaration"
  );
}

/** Rewrites each child slot of `node` with `f(child)` (the return value replaces the child). */
export function mapChildren(node: Node, f: (child: Node, key: string) => Node): void {
  for (const key of childKeys(node)) {
    const v = node[key];
    if (!v) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i]) v[i] = f(v[i], key);
    } else node[key] = f(v, key);
  }
}

/** JS truthiness of a constant value. */
export const truthy = (v: unknown): boolean => !!v;

/**
 * Calls `f(child, replace)` for every child node slot of `n` (never inside a
 * KosConst: its value is user data and must not be touched).
 */
export function forEachChildSlot(n: Node, f: (child: Node, replace: (next: Node) => void) => void): void {
  for (const key of childKeys(n)) {
    const v = n[key];
    if (!v) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i]) f(v[i], (next) => (v[i] = next));
    } else f(v, (next) => (n[key] = next));
  }
}

/** Every statement list under `root` (block bodies and switch-case bodies), outermost first. */
export function statementLists(root: Node): Node[][] {
  const lists: Node[][] = [];
  walk(root, (n) => {
    if (n.type === "BlockStatement" || n.type === "StaticBlock") lists.push(n.body);
    else if (n.type === "SwitchCase") lists.push(n.consequent);
  });
  return lists;
}

/**
 * Calls `f` on every statement list of the function body `root` (block, program and
 * switch-case bodies), innermost first, so that a list is seen after the lists nested in
 * it have been rewritten. Nested functions and constants (user data) are not entered.
 */
export function forEachStatementListInnermostFirst(root: Node, f: (list: Node[]) => void): void {
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) visit(n[i]);
      return;
    }
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") return;
    for (const k of childKeys(n)) visit(n[k]);
    const list: Node[] | null = n.type === "BlockStatement" || n.type === "Program" ? n.body : n.type === "SwitchCase" ? n.consequent : null;
    if (list) f(list);
  };
  visit(root);
}
