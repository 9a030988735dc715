/**
 * Blocks the evaluator leaves: fix-up blocks that stayed empty, blocks that
 * declare nothing, labels no jump names, and a `break L` that is the last
 * thing its labeled block does.
 */
import { childKeys, walk, type Node } from "../ast.js";

/**
 * The nodes that hold statements (and the jumps, which `unlabel` counts). Outside nested functions
 * and classes (a static block holds statements), every block, `if`, label and jump of a function
 * sits under these alone: past the first walk, which finds whether there is a class, the walks of a
 * function without one leave expressions and the other statements unentered. On sift's tiering
 * residual (23,000 nodes) its two runs took 78 ms of CPU entering them, 60 ms not (median of 5).
 */
const HOLDS_STATEMENTS = new Set([
  "Program", "BlockStatement", "StaticBlock", "IfStatement", "LabeledStatement", "BreakStatement", "ContinueStatement", "WithStatement",
  "SwitchStatement", "SwitchCase", "TryStatement", "CatchClause", "WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement",
]);

const declaresLexically = (s: Node) => (s.type === "VariableDeclaration" && s.kind !== "var") || s.type === "ClassDeclaration" || s.type === "FunctionDeclaration";

export function flattenBlocks(fn: Node): boolean {
  let changed = false;
  const labelUses = new Map<string, number>();
  // Whether the function's own code holds a class, and whether the first walk has told.
  let hasClass = false;
  let classesKnown = false;
  /** The first walk does not enter the tests of `if` and `case`: a class there is found here. */
  const noteClasses = (e: Node): void =>
    walk(e, (x) => {
      if (x.type === "ClassExpression" || x.type === "ClassDeclaration") hasClass = true;
      if (hasClass || x.type === "KosConst" || x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression" || x.type === "FunctionDeclaration") return false;
      return;
    });

  /** Removes `break label` in tail position of `list` (recursing into trailing blocks and ifs). */
  const dropTailBreak = (list: Node[], label: string): void => {
    const last = list[list.length - 1];
    if (!last) return;
    if (last.type === "BreakStatement" && last.label?.name === label) {
      list.pop();
      changed = true;
      return dropTailBreak(list, label);
    }
    if (last.type === "BlockStatement") dropTailBreak(last.body, label);
    else if (last.type === "IfStatement") {
      dropTailBreak(last.consequent.type === "BlockStatement" ? last.consequent.body : [], label);
      if (last.alternate?.type === "BlockStatement") dropTailBreak(last.alternate.body, label);
    } else if (last.type === "LabeledStatement" && last.body.type === "BlockStatement") dropTailBreak(last.body.body, label);
  };

  /**
   * The list flattened: itself when nothing in it moves, not a copy. With this and the stores below
   * made only where a child changed, its first run took 17.0 ms of CPU on sift's tiering residual
   * against 25.6 (medians of 11, docs/notes/cleanup-pass-cost.md).
   */
  const flattenList = (list: Node[]): Node[] => {
    let out: Node[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const was = list[i]!;
      const s = visit(was);
      const spliced = !s || s.type === "EmptyStatement" || (s.type === "BlockStatement" && !s.body.some(declaresLexically));
      if (!out) {
        if (!spliced && s === was) continue;
        out = list.slice(0, i);
      }
      if (!s) continue;
      if (s.type === "EmptyStatement") {
        changed = true;
        continue;
      }
      if (spliced) {
        out.push(...s.body);
        changed = true;
        continue;
      }
      out.push(s);
    }
    return out ?? list;
  };

  const visit = (n: Node): Node => {
    if (!n || typeof n !== "object") return n;
    if (n.type === "ClassExpression" || n.type === "ClassDeclaration") hasClass = true;
    switch (n.type) {
      case "KosConst":
        return n;
      case "BlockStatement":
        n.body = flattenList(n.body);
        return n;
      case "SwitchCase":
        if (n.test && !hasClass && !classesKnown) noteClasses(n.test);
        n.consequent = flattenList(n.consequent);
        return n;
      case "LabeledStatement": {
        if (n.body.type === "BlockStatement") dropTailBreak(n.body.body, n.label.name);
        n.body = visit(n.body);
        return n;
      }
      case "IfStatement": {
        // Past the first walk, `hasClass` is known for every test: nothing this pass does makes a
        // class. Walking each test again on the second walk was 148 of the 453 nodes this walk
        // entered in a compile of json-serializer (docs/notes/compile-time.md).
        if (!hasClass && !classesKnown) noteClasses(n.test);
        // An `if` tests ToBoolean: `if (!!x)` is `if (x)` (a forwarded `t = !x; if (!t)` leaves it).
        while (n.test.type === "UnaryExpression" && n.test.operator === "!" && n.test.argument.type === "UnaryExpression" && n.test.argument.operator === "!") {
          n.test = n.test.argument.argument;
          changed = true;
        }
        n.consequent = visit(n.consequent);
        if (n.alternate) {
          n.alternate = visit(n.alternate);
          if (n.alternate.type === "BlockStatement" && n.alternate.body.length === 0) {
            n.alternate = null;
            changed = true;
          }
        }
        const empty = (b: Node) => b.type === "BlockStatement" && b.body.length === 0;
        if (!empty(n.consequent)) return n;
        changed = true;
        // `if (t) {} else S` is `if (!t) S`; `if (t) {}` is `t;` (removeDeadStores drops it when pure).
        // An `if` tests ToBoolean, so `if (!!x)` is `if (x)`: a negated test loses its `!`.
        const negated = n.test.type === "UnaryExpression" && n.test.operator === "!" ? n.test.argument : { type: "UnaryExpression", operator: "!", prefix: true, argument: n.test };
        if (n.alternate) return { type: "IfStatement", test: negated, consequent: n.alternate, alternate: null };
        return { type: "ExpressionStatement", expression: n.test };
      }
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "ArrowFunctionExpression":
        return n;
      default:
        if (classesKnown && !hasClass && !HOLDS_STATEMENTS.has(n.type)) return n;
        {
          // Stores only where a child changed: most are returned as they were.
          const keys = childKeys(n);
          for (let j = 0; j < keys.length; j++) {
            const v = n[keys[j]!];
            if (Array.isArray(v)) {
              for (let i = 0; i < v.length; i++) {
                const x = v[i];
                if (x && typeof x === "object" && typeof x.type === "string") {
                  const r = visit(x);
                  if (r !== x) v[i] = r;
                }
              }
            } else if (v && typeof v === "object" && typeof v.type === "string") {
              const r = visit(v);
              if (r !== v) n[keys[j]!] = r;
            }
          }
        }
        return n;
    }
  };
  visit(fn.body);
  classesKnown = true;
  // Labels nothing jumps to. A `break L` or `continue L` stands inside the statement labeled L, so
  // counting jumps on the way down (children before the label they sit in) has seen every jump to
  // L when L is reached: one walk, where a count of the whole tree first was a second. A jump to
  // the loop or switch it would reach unlabeled anyway loses its label first (the specializer
  // names every jump out of a residual switch: `L: switch (op) { case "add": …; break L; }`).
  // `inner`: the labels of the innermost enclosing breakable statement and loop (null: unlabeled).
  interface Inner { brk: string | null | undefined; cont: string | null | undefined }
  const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);
  const unlabel = (n: Node, inner: Inner): Node => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return n;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) {
        const x = n[i];
        const r = unlabel(x, inner);
        if (r !== x) n[i] = r;
      }
      return n;
    }
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") return n;
    if (!hasClass && !HOLDS_STATEMENTS.has(n.type)) return n;
    if ((n.type === "BreakStatement" || n.type === "ContinueStatement") && n.label) {
      if (n.label.name === (n.type === "BreakStatement" ? inner.brk : inner.cont)) {
        n.label = null;
        changed = true;
        return n;
      }
      labelUses.set(n.label.name, (labelUses.get(n.label.name) ?? 0) + 1);
      return n;
    }
    let own = inner;
    if (n.type === "LabeledStatement" && (LOOPS.has(n.body.type) || n.body.type === "SwitchStatement")) {
      const name = n.label.name;
      own = LOOPS.has(n.body.type) ? { brk: name, cont: name } : { brk: name, cont: inner.cont };
      unlabelChildren(n.body, own);
    } else {
      if (LOOPS.has(n.type)) own = { brk: null, cont: null };
      else if (n.type === "SwitchStatement") own = { brk: null, cont: inner.cont };
      unlabelChildren(n, own);
    }
    if (n.type === "LabeledStatement" && !labelUses.has(n.label.name)) {
      changed = true;
      return n.body;
    }
    return n;
  };
  /** Each child slot of `n` unlabeled, stored back only where it changed. */
  const unlabelChildren = (n: Node, inner: Inner): void => {
    const keys = childKeys(n);
    for (let j = 0; j < keys.length; j++) {
      const v = n[keys[j]!];
      if (!v) continue;
      const r = unlabel(v, inner);
      if (r !== v) n[keys[j]!] = r;
    }
  };
  unlabel(fn.body, { brk: undefined, cont: undefined });
  if (changed) visit(fn.body);
  return changed;
}
