/**
 * Code over typed arrays that runs no user code: what a residual pass that
 * keeps elements in locals (slide-windows.ts) may rewrite, and the guard
 * under which the rewrite is exact.
 *
 * A region qualifies when it computes on primitives only: literals,
 * variables the function declares, arithmetic and comparisons (no `in`,
 * `instanceof`), assignments to variables and to elements, element reads
 * `a[e]` and `a.length` of variables used only that way (the arrays), `if`,
 * `break`, `return` and `throw`; no calls, no other property reads. Then,
 * once the guard holds at entry, nothing in it can run user code: every
 * array is a real typed array (an element read runs none and may move; a
 * `length` read finds the intrinsic getter), and every variable read before
 * the region assigns it holds a primitive, so every value it makes is a
 * primitive too (ToPrimitive of one calls nothing). The guard also checks
 * that no array the region writes shares a buffer with one whose elements a
 * rewrite keeps in locals, so no store changes a value held. It reaches
 * kos's own copies of the intrinsics (compiler/typed-array-checks.ts).
 */
import { childKeys, walk, type Node } from "../ast.js";
import { bufferOf, hasIntrinsicLength, isTypedArray } from "../typed-array-checks.js";

/** Offsets further than this from the step variable are not windowed (an index that far is rarely a stencil). */
const MAX_OFFSET = 1024;

export const GLOBAL_CONSTANTS = new Set(["undefined", "NaN", "Infinity"]);

/** An element read at a known offset: from the step variable, or a constant index. */
export interface ElementRead {
  node: Node;
  base: string;
  offset: number;
}

export interface Analysis {
  ok: boolean;
  /** Arrays read and written through `x[...]`, and those whose `length` the loop reads. */
  readBases: Set<string>;
  writeBases: Set<string>;
  lengthBases: Set<string>;
  /** Names used other than as an array base or the step variable (must not be bases). */
  scalars: Set<string>;
  /** Scalars written anywhere in the loop. */
  assigned: Set<string>;
  /** Scalars read before the body's straight-line code assigns them: they hold their entry value. */
  entryReads: Set<string>;
  reads: ElementRead[];
}

/** Parameters and every variable the function declares (not in nested functions): the names the loop may read. */
export function declaredNames(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params) if (p.type === "Identifier") names.add(p.name);
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression" || n.type === "ClassExpression" || n.type === "ClassDeclaration") return;
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier") names.add(n.id.name);
    for (const k of childKeys(n)) visit(n[k]);
  };
  visit(fn.body);
  return names;
}

/** The integer constant `e` is, or null. */
export function intConstant(e: Node): number | null {
  if (e.type === "Literal" && typeof e.value === "number" && Number.isInteger(e.value) && !Object.is(e.value, -0)) return e.value;
  if (e.type === "UnaryExpression" && e.operator === "-" && e.argument.type === "Literal" && typeof e.argument.value === "number" && Number.isInteger(e.argument.value)) return -e.argument.value;
  return null;
}

/** The offset `index` takes from `i` (`i`, `i + c`, `c + i`, `i - c`), or null. */
export function offsetFrom(index: Node, i: string): number | null {
  const isI = (e: Node) => e.type === "Identifier" && e.name === i;
  if (isI(index)) return 0;
  if (index.type !== "BinaryExpression") return null;
  let c: number | null = null;
  if (index.operator === "+" && isI(index.left)) c = intConstant(index.right);
  else if (index.operator === "+" && isI(index.right)) c = intConstant(index.left);
  else if (index.operator === "-" && isI(index.left)) {
    const k = intConstant(index.right);
    c = k === null ? null : -k;
  }
  return c !== null && Math.abs(c) <= MAX_OFFSET ? c : null;
}

const BINARY_OK = new Set(["==", "!=", "===", "!==", "<", "<=", ">", ">=", "<<", ">>", ">>>", "+", "-", "*", "/", "%", "**", "|", "^", "&"]);
const UNARY_OK = new Set(["-", "+", "!", "~", "typeof", "void"]);

export function analyze(region: { test?: Node | null; body: Node }, i: string | null, declared: Set<string>): Analysis {
  const a: Analysis = { ok: true, readBases: new Set(), writeBases: new Set(), lengthBases: new Set(), scalars: new Set(), assigned: new Set(), entryReads: new Set(), reads: [] };
  // Assigned by the body's straight-line code so far (before any branch): later reads see the loop's own values.
  const defined = new Set<string>();
  // Temporaries the straight-line code set to `i + c` (their only assignment in the loop): `a[t]` is `a[i + c]` after it.
  const affine = new Map<string, number>();
  // Counted when first needed: most loops fail the walk below early (a call, a property read), and
  // the count walked the whole loop first.
  let writes: Map<string, number> | null = null;
  const writesOf = (): Map<string, number> => {
    if (writes) return writes;
    const w = (writes = new Map<string, number>());
    const count = (n: Node) => {
      const target = n.type === "AssignmentExpression" ? n.left : n.type === "UpdateExpression" ? n.argument : null;
      if (target?.type === "Identifier") w.set(target.name, (w.get(target.name) ?? 0) + 1);
    };
    walk(region.body, count);
    if (region.test) walk(region.test, count);
    return w;
  };
  let inBody = false;
  const fail = (): false => (a.ok = false);
  const readScalar = (name: string): boolean => {
    if (!declared.has(name) && !GLOBAL_CONSTANTS.has(name)) return fail();
    a.scalars.add(name);
    if (!(inBody && defined.has(name)) && name !== i) a.entryReads.add(name);
    return true;
  };
  const writeScalar = (name: string): boolean => {
    if (!declared.has(name) || name === i) return fail();
    a.scalars.add(name);
    a.assigned.add(name);
    return true;
  };
  const element = (m: Node, write: boolean): boolean => {
    if (m.type !== "MemberExpression" || m.optional || m.object.type !== "Identifier" || !declared.has(m.object.name)) return fail();
    if (!m.computed) {
      // `a.length`, read: the typed array's own length, where the guard finds the intrinsic getter.
      if (write || m.property.name !== "length") return fail();
      a.readBases.add(m.object.name);
      a.lengthBases.add(m.object.name);
      return true;
    }
    (write ? a.writeBases : a.readBases).add(m.object.name);
    if (!expr(m.property)) return false;
    if (!write && inBody) {
      const p = m.property;
      // With a step variable, the offset from it; without, a constant index.
      const offset = i === null ? intConstant(p) : (offsetFrom(p, i) ?? (p.type === "Identifier" ? (affine.get(p.name) ?? null) : null));
      if (offset !== null) a.reads.push({ node: m, base: m.object.name, offset });
    }
    return true;
  };
  const expr = (e: Node): boolean => {
    if (!a.ok) return false;
    switch (e.type) {
      case "Literal":
        return e.regex == null || fail();
      case "KosConst":
        return (e.value === null || (typeof e.value !== "object" && typeof e.value !== "function")) || fail();
      case "Identifier":
        return readScalar(e.name);
      case "BinaryExpression":
        return (BINARY_OK.has(e.operator) || fail()) && expr(e.left) && expr(e.right);
      case "LogicalExpression":
        return expr(e.left) && expr(e.right);
      case "ConditionalExpression":
        return expr(e.test) && expr(e.consequent) && expr(e.alternate);
      case "UnaryExpression":
        return (UNARY_OK.has(e.operator) || fail()) && expr(e.argument);
      case "SequenceExpression":
        return e.expressions.every(expr);
      case "MemberExpression":
        return element(e, false);
      case "UpdateExpression":
        if (e.argument.type === "Identifier") return readScalar(e.argument.name) && writeScalar(e.argument.name);
        return element(e.argument, false) && element(e.argument, true);
      case "AssignmentExpression":
        if (e.left.type === "Identifier") {
          if (e.operator !== "=" && !readScalar(e.left.name)) return false;
          return expr(e.right) && writeScalar(e.left.name);
        }
        if (e.operator !== "=" && !element(e.left, false)) return false;
        return element(e.left, true) && expr(e.right);
      default:
        return fail();
    }
  };
  const stmt = (s: Node, straight: boolean): boolean => {
    if (!a.ok) return false;
    switch (s.type) {
      case "ExpressionStatement": {
        const e = s.expression;
        if (!expr(e)) return false;
        // `x = …` in straight-line code: from here on `x` holds the loop's own value.
        if (straight && e.type === "AssignmentExpression" && e.operator === "=" && e.left.type === "Identifier") {
          defined.add(e.left.name);
          const c = i === null ? null : offsetFrom(e.right, i);
          if (c !== null && writesOf().get(e.left.name) === 1) affine.set(e.left.name, c);
        }
        return true;
      }
      case "VariableDeclaration":
        for (const d of s.declarations) {
          if (d.id.type !== "Identifier" || (d.init && !expr(d.init))) return fail();
          a.scalars.add(d.id.name);
          a.assigned.add(d.id.name);
          if (straight) defined.add(d.id.name);
        }
        return true;
      case "IfStatement":
        return expr(s.test) && stmt(s.consequent, false) && (!s.alternate || stmt(s.alternate, false));
      case "BlockStatement":
        return s.body.every((x: Node) => stmt(x, straight));
      case "EmptyStatement":
        return true;
      case "BreakStatement":
        // Any break leaves this loop (the body has no labeled statement of its own).
        return true;
      case "ReturnStatement":
      case "ThrowStatement":
        return !s.argument || expr(s.argument);
      default:
        return fail();
    }
  };
  if (region.test && !expr(region.test)) return a;
  inBody = true;
  stmt(region.body, true);
  if (!a.ok) return a;
  // An array is only ever indexed: a base used as a value, or assigned, could be anything.
  for (const b of [...a.readBases, ...a.writeBases]) if (a.scalars.has(b) || b === i) a.ok = false;
  return a;
}


const idn = (name: string): Node => ({ type: "Identifier", name });
const lit = (v: unknown): Node => ({ type: "Literal", value: v });

/** `typeof i === "number" && (i | 0) === i`: a step variable whose `i + 1 + c` is `i + (c + 1)`. */
export function stepIsInt32(i: string): Node[] {
  const typeofNumber: Node = { type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: idn(i) }, right: lit("number") };
  const int32: Node = { type: "BinaryExpression", operator: "===", left: { type: "BinaryExpression", operator: "|", left: idn(i), right: lit(0) }, right: idn(i) };
  return [{ type: "LogicalExpression", operator: "&&", left: typeofNumber, right: int32 }];
}

/**
 * The guard under which `a`'s region runs no user code and `kept` (arrays whose elements a rewrite
 * holds in locals) see no store: the checks of this file's comment, with `extra` after the
 * entry values' checks and `afterArrays` once the arrays are known to be typed arrays (a test that reads their `length`).
 */
export function elementGuard(a: Analysis, kept: string[], declared: ReadonlySet<string>, extra: Node[] = [], afterArrays: Node[] = []): Node {
  const call = (f: Function, hint: string, arg: Node): Node => ({ type: "CallExpression", callee: { type: "KosConst", value: f, path: null, hint }, arguments: [arg], optional: false });
  const and = (l: Node | null, r: Node): Node => (l ? { type: "LogicalExpression", operator: "&&", left: l, right: r } : r);
  const bin = (operator: string, left: Node, right: Node): Node => ({ type: "BinaryExpression", operator, left, right });
  const typeofIs = (name: string, op: string, t: string): Node => bin(op, { type: "UnaryExpression", operator: "typeof", prefix: true, argument: idn(name) }, lit(t));
  // The cheap tests first (`typeof`, comparisons): kos's checks cost 12-30 ns a call here
  // (/tmp probe, Node 20: the buffer getter allocates the ArrayBuffer of a small array).
  // The entry values first: `extra` may compute with them (a trip count), which must call nothing.
  let guard: Node | null = null;
  for (const name of a.entryReads) {
    if (GLOBAL_CONSTANTS.has(name) && !declared.has(name)) continue;
    // A primitive: `typeof` is neither "object" (null aside) nor "function".
    guard = and(guard, { type: "LogicalExpression", operator: "||", left: and(typeofIs(name, "!==", "object"), typeofIs(name, "!==", "function")), right: bin("===", idn(name), lit(null)) });
  }
  for (const test of extra) guard = and(guard, test);
  for (const b of new Set([...a.readBases, ...a.writeBases])) guard = and(guard, a.lengthBases.has(b) ? call(hasIntrinsicLength, "hasIntrinsicLength", idn(b)) : call(isTypedArray, "isTypedArray", idn(b)));
  for (const test of afterArrays) guard = and(guard, test);
  for (const held of kept) for (const out of a.writeBases) guard = and(guard, bin("!==", call(bufferOf, "bufferOf", idn(held)), call(bufferOf, "bufferOf", idn(out))));
  return guard!;
}
