/**
 * What a residual's own tests tell about its variables: after
 * `if (typeof v !== "object" || v === null) throw …`, or `if (!Array.isArray(v)) return …`,
 * `v` holds neither null nor undefined until it is written again. nullish-reads.ts reads such a
 * variable's properties as written, with no `??` test: the json-serializer fixture's version
 * checked `typeof value !== "object" || value === null` and then read
 * `(value ?? $k_nullRead(value, "id")).id` for each of its properties.
 *
 * A fact here only decides whether a read throws from the helper or from the function itself
 * (nullish-reads.ts: the message is the same), never what the program computes.
 */
import { childKeys, forEachPatternName, walk, type Node } from "../ast.js";

/** What a test being false rules out for a variable. */
interface Excluded {
  nullish: boolean;
  null: boolean;
  undefined: boolean;
}

const isVoid0 = (n: Node): boolean => (n.type === "UnaryExpression" && n.operator === "void" && n.argument.type === "Literal") || (n.type === "Identifier" && n.name === "undefined");
const isNull = (n: Node): boolean => n.type === "Literal" && n.value === null && !n.regex;
const typeofOf = (n: Node): string | null => (n.type === "UnaryExpression" && n.operator === "typeof" && n.argument.type === "Identifier" ? n.argument.name : null);
const isArrayIsArray = (n: Node): boolean =>
  (n.type === "MemberExpression" && !n.computed && n.object.type === "Identifier" && n.object.name === "Array" && n.property.name === "isArray") || (n.type === "KosConst" && n.value === Array.isArray);

/** Variables that are neither null nor undefined wherever `test` is false. */
export function nonNullWhenFalse(test: Node): Set<string> {
  const facts = new Map<string, Excluded>();
  const note = (name: string, what: Partial<Excluded>) => {
    const e = facts.get(name) ?? { nullish: false, null: false, undefined: false };
    facts.set(name, { nullish: e.nullish || !!what.nullish, null: e.null || !!what.null, undefined: e.undefined || !!what.undefined });
  };
  // `test` false: each disjunct false.
  const falseOf = (t: Node): void => {
    if (t.type === "LogicalExpression" && t.operator === "||") {
      falseOf(t.left);
      falseOf(t.right);
      return;
    }
    if (t.type === "UnaryExpression" && t.operator === "!") return truthyOf(t.argument);
    if (t.type !== "BinaryExpression") return;
    const { operator: op, left, right } = t;
    // `typeof v !== "string"` false: `v` is a string (or a number, a function…); "object" leaves null.
    const tv = typeofOf(left) ?? typeofOf(right);
    const tag = left.type === "Literal" ? left.value : right.type === "Literal" ? right.value : undefined;
    if (tv !== null && typeof tag === "string" && (op === "!==" || op === "!=")) {
      if (tag === "object") note(tv, { undefined: true });
      else if (tag !== "undefined") note(tv, { nullish: true });
      return;
    }
    const name = left.type === "Identifier" ? left.name : right.type === "Identifier" ? right.name : null;
    const other = left.type === "Identifier" ? right : left;
    if (name === null || name === "undefined") return;
    if (op === "===" && isNull(other)) note(name, { null: true });
    else if (op === "===" && isVoid0(other)) note(name, { undefined: true });
    else if (op === "==" && (isNull(other) || isVoid0(other))) note(name, { nullish: true });
  };
  // `x` truthy.
  const truthyOf = (x: Node): void => {
    if (x.type === "Identifier") note(x.name, { nullish: true });
    else if (x.type === "LogicalExpression" && x.operator === "&&") {
      truthyOf(x.left);
      truthyOf(x.right);
    } else if (x.type === "CallExpression" && !x.optional && isArrayIsArray(x.callee) && x.arguments.length >= 1 && x.arguments[0].type === "Identifier") {
      note(x.arguments[0].name, { nullish: true });
    }
  };
  falseOf(test);
  const out = new Set<string>();
  for (const [name, e] of facts) if (e.nullish || (e.null && e.undefined)) out.add(name);
  return out;
}

/** Whether running `s` never reaches what follows it: it ends in a `throw`, `return`, `break` or `continue` on every path. */
export function alwaysExits(s: Node): boolean {
  switch (s.type) {
    case "ThrowStatement":
    case "ReturnStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return true;
    case "BlockStatement":
      return s.body.some(alwaysExits);
    case "IfStatement":
      return !!s.alternate && alwaysExits(s.consequent) && alwaysExits(s.alternate);
    default:
      return false;
  }
}

/** The variables `x` itself writes (not its children): assignments, updates, declarations, patterns, for-in/of heads, catch and function parameters. */
function ownWrites(x: Node, add: (name: string) => void): void {
  switch (x.type) {
    case "AssignmentExpression":
      if (x.left.type === "Identifier") add(x.left.name);
      else if (x.left.type !== "MemberExpression") forEachPatternName(x.left, add);
      break;
    case "UpdateExpression":
      if (x.argument.type === "Identifier") add(x.argument.name);
      break;
    case "VariableDeclarator":
      forEachPatternName(x.id, add);
      break;
    case "ForInStatement":
    case "ForOfStatement":
      if (x.left.type === "Identifier") add(x.left.name);
      else if (x.left.type !== "VariableDeclaration" && x.left.type !== "MemberExpression") forEachPatternName(x.left, add);
      break;
    case "CatchClause":
      if (x.param) forEachPatternName(x.param, add);
      break;
    case "FunctionExpression":
    case "FunctionDeclaration":
    case "ArrowFunctionExpression":
      for (const p of x.params) forEachPatternName(p, add);
      if (x.id) add(x.id.name);
      break;
  }
}

/** The variables `n` writes (assignments, updates, declarations, patterns, for-in/of heads), nested functions included. */
export function namesWritten(n: Node, out = new Set<string>()): Set<string> {
  const add = (name: string) => void out.add(name);
  walk(n, (x) => {
    if (x.type === "KosConst") return false;
    ownWrites(x, add);
    return;
  });
  return out;
}

/**
 * Which variables each subtree of one tree writes, as `namesWritten` tells, from one walk: each
 * node's span of pre-order positions, and each variable's writes by position, so that "does this
 * statement write `v`" is a search. Asked of every loop and labeled block around every other,
 * `namesWritten` walked each subtree once per statement around it: 350 ms of a 4 s compile of
 * nedb's `match` (sweep40), whose inlined calls nest labeled blocks hundreds deep.
 */
export class WrittenIndex {
  private readonly spans = new Map<Node, { first: number; last: number }>();
  private readonly positions = new Map<string, number[]>();

  /**
   * `askedOf`: the node types `writes` will be asked about; only their spans are kept. With a span
   * for each of its 23,000 nodes, nullishReads took 81 ms of CPU on sift's tiering residual; with
   * the spans of loops, labels, switches and tries, the only ones it asks of, 68 ms (median of 5).
   *
   * `inFunctionBodies`: given, it is also filled with what `namesWritten` finds in the body of each
   * function nested in `root`, from the same walk: not a walk for the functions and one for each of
   * their bodies. With that and its count that stops at its bound, nullishReads took 47.4 ms of CPU
   * on sift's tiering residual against 54.2 (medians of 11, docs/notes/cleanup-pass-cost.md).
   */
  constructor(root: Node, askedOf?: ReadonlySet<string>, inFunctionBodies?: Set<string>) {
    let at = 0;
    // One callback for the walk, not one made per node.
    let current = 0;
    const add = (name: string): void => {
      let list = this.positions.get(name);
      if (!list) this.positions.set(name, (list = []));
      list.push(current);
    };
    const addNested = (name: string): void => {
      add(name);
      inFunctionBodies!.add(name);
    };
    // `nested`: inside the body of a function nested in `root`.
    const visit = (x: Node, nested: boolean): void => {
      if (!x || typeof x.type !== "string" || x.type === "KosConst") return;
      const first = at++;
      current = first;
      ownWrites(x, nested ? addNested : add);
      const fn = inFunctionBodies !== undefined && (x.type === "FunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ArrowFunctionExpression");
      const keys = childKeys(x);
      for (let k = 0; k < keys.length; k++) {
        const v = x[keys[k]!];
        const inner = nested || (fn && keys[k] === "body");
        if (Array.isArray(v)) for (let i = 0; i < v.length; i++) visit(v[i], inner);
        else if (v) visit(v, inner);
      }
      if (!askedOf || askedOf.has(x.type)) this.spans.set(x, { first, last: at - 1 });
    };
    visit(root, false);
  }

  /** Whether `n` writes `name`; a node not indexed (made since, or of a type not in `askedOf`) is walked. */
  writes(n: Node, name: string): boolean {
    const span = this.spans.get(n);
    if (!span) return namesWritten(n).has(name);
    const list = this.positions.get(name);
    if (!list) return false;
    // Positions were pushed in pre-order: the first one at or after the span's start.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < span.first) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo]! <= span.last;
  }
}
