/**
 * Stores to residual variables that nothing reads: `x = E` becomes `E`
 * (kept for its effects, dropped if it has none). The evaluator writes
 * escaped allocations and materialized values to variables before it knows
 * whether anything will read them.
 */
import { childKeys, type Node } from "../ast.js";

/**
 * No effect and no exception. `typeof name` only for names in `early` (parameters and the
 * hoisted `let`, initialised before any statement): another name could be in its temporal
 * dead zone, where `typeof` throws.
 */
const pureIn = (early: ReadonlySet<string>) => {
  const pure = (e: Node): boolean =>
  e.type === "Literal" || e.type === "KosConst" || e.type === "Identifier" ||
  // `this` throws only before super() in a derived constructor, which kos never compiles.
  e.type === "ThisExpression" ||
  // Making a function evaluates nothing (a closure the evaluator inlined everywhere is left unused).
  e.type === "FunctionExpression" || e.type === "ArrowFunctionExpression" ||
  (e.type === "UnaryExpression" && e.operator === "typeof" && e.argument.type === "Identifier" && early.has(e.argument.name)) ||
  (e.type === "UnaryExpression" && (e.operator === "void" || e.operator === "!" || (e.operator === "-" && e.argument.type === "Literal" && typeof e.argument.value === "number")) && pure(e.argument)) ||
  (e.type === "BinaryExpression" && e.operator === "/" && e.left.type === "Literal" && e.right.type === "Literal" && typeof e.left.value === "number" && e.right.value === 0) ||
  (e.type === "ArrayExpression" && e.elements.every((x: Node) => x && x.type !== "SpreadElement" && pure(x))) ||
  (e.type === "ObjectExpression" && e.properties.every((p: Node) => p.type === "Property" && p.kind === "init" && !p.computed && !p.method && pure(p.value))) ||
  // ToBoolean and strict (in)equality run no user code.
  (e.type === "LogicalExpression" && (e.operator === "&&" || e.operator === "||" || e.operator === "??") && pure(e.left) && pure(e.right)) ||
  (e.type === "ConditionalExpression" && pure(e.test) && pure(e.consequent) && pure(e.alternate)) ||
  (e.type === "BinaryExpression" && (e.operator === "===" || e.operator === "!==") && pure(e.left) && pure(e.right));
  return pure;
};

/**
 * The nodes that hold statements. Outside nested functions (which the rewrite does not enter) and
 * classes (a static block holds statements), every statement list sits under these alone.
 */
const HOLDS_STATEMENTS = new Set([
  "Program", "BlockStatement", "StaticBlock", "IfStatement", "LabeledStatement", "WithStatement",
  "SwitchStatement", "SwitchCase", "TryStatement", "CatchClause", "WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement",
]);

export function removeDeadStores(fn: Node): boolean {
  const body: Node[] = fn.body.body;
  const first = body[0];
  // Without a hoisted `let` there are no stores to remove, but statements without effect still go.
  const lead = first?.type === "VariableDeclaration" && first.kind === "let" ? 1 : 0;
  const hoisted = new Set<string>(lead ? first.declarations.map((d: Node) => d.id.name) : []);
  const reads = new Set<string>();
  const declared = new Set<string>([...hoisted, ...fn.params.map((p: Node) => (p.type === "RestElement" ? p.argument.name : p.name))]);
  const pure = pureIn(new Set(declared));
  // Whether the code holds a class (its static blocks hold statements under an expression).
  let sawClass = false;
  // The nodes on the way down to each plain store of a hoisted name (`path`: those above the node
  // counted now). Past the statement lists, the rewrite enters only these: the others hold no
  // store it could drop. It entered every node, in each of the round's runs: the pass took 15.6 ms
  // of CPU on mingo's explicit residual against 29.9, 26.5 on mustache's against 52.1 (medians of
  // 11, docs/notes/cleanup-pass-cost.md).
  const path: Node[] = [];
  const storeAncestors = new Set<Node>();
  // One walk for the reads and the declared names (two walks were a fifth of the clean-up's time
  // on the validator fixture).
  const countReads = (n: Node, parent: Node | null, key: string | null) => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) countReads(n[i], parent, key);
      return;
    }
    if (n.type === "Identifier") {
      const isPlainStore = parent?.type === "AssignmentExpression" && key === "left" && parent.operator === "=";
      if (!isPlainStore) reads.add(n.name);
      else if (hoisted.has(n.name)) for (let i = path.length - 1; i >= 0 && !storeAncestors.has(path[i]!); i--) storeAncestors.add(path[i]!);
      return;
    }
    // `(f = E)(x)`: V8 names a callee that fails by what it assigns ("f is not a function"), so the
    // store stays even if nothing reads `f` (sweep24 repro-3 said "(c || "dflt") is not a function").
    if ((n.type === "CallExpression" || n.type === "NewExpression") && n.callee.type === "AssignmentExpression" && n.callee.operator === "=" && n.callee.left.type === "Identifier") reads.add(n.callee.left.name);
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier") declared.add(n.id.name);
    if (n.type === "CatchClause" && n.param?.type === "Identifier") declared.add(n.param.name);
    if (n.type === "FunctionDeclaration" && n.id) declared.add(n.id.name);
    if (n.type === "ClassBody") sawClass = true;
    path.push(n);
    if (n.type === "MemberExpression" && !n.computed) countReads(n.object, n, "object");
    else if (n.type === "Property" && !n.computed) countReads(n.value, n, "value");
    else {
      const keys = childKeys(n);
      for (let i = 0; i < keys.length; i++) countReads(n[keys[i]!], n, keys[i]!);
    }
    path.pop();
  };
  countReads(body.slice(lead), null, null);
  const dead = new Set([...hoisted].filter((n) => !reads.has(n)));
  let changed = false;
  const isDeadStore = (e: Node) => e?.type === "AssignmentExpression" && e.operator === "=" && e.left.type === "Identifier" && dead.has(e.left.name);
  const rewrite = (n: Node): Node => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return n;
    if (Array.isArray(n)) {
      // In place: a copy of every list and argument array was garbage for each of the round's runs.
      let kept = 0;
      for (let i = 0; i < n.length; i++) {
        const x = n[i];
        const r = rewrite(x);
        if (r && r.type === "ExpressionStatement" && pure(r.expression) && r.expression.type !== "Identifier") {
          changed = true;
          continue;
        }
        // A read of a local as a statement does nothing (a global's could throw: those stay).
        if (r && r.type === "ExpressionStatement" && r.expression.type === "Identifier" && declared.has(r.expression.name)) {
          changed = true;
          continue;
        }
        // Stores only where something moved or changed: most slots keep what they held.
        if (kept !== i || r !== x) n[kept] = r;
        kept++;
      }
      if (kept !== n.length) n.length = kept;
      return n;
    }
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") return n;
    // Only statement lists and dead stores change: what holds neither is left unentered.
    if (!sawClass && !HOLDS_STATEMENTS.has(n.type) && (dead.size === 0 || !storeAncestors.has(n))) return n;
    const keys = childKeys(n);
    for (let i = 0; i < keys.length; i++) {
      const v = n[keys[i]!];
      if (!v) continue;
      const r = rewrite(v);
      if (r !== v) n[keys[i]!] = r;
    }
    if (isDeadStore(n)) {
      changed = true;
      return n.right;
    }
    return n;
  };
  fn.body.body = [...body.slice(0, lead), ...rewrite(body.slice(lead))];
  return changed;
}
