/**
 * Sliding windows over typed arrays (predictive commoning, as GCC's
 * -fpredictive-commoning does): a loop stepping `i` by one that reads
 * `a[i]`, `a[i + 1]`, …, `a[i + 6]` loads each element seven times, once per
 * iteration it stays in the window. After the evaluator unrolls the inner
 * loop of a convolution or an FIR filter, that is exactly what is left:
 *
 *   for (; i < n; i++) { acc = 0 + 0.0044 * s[i + 0]; …; acc = acc + 0.0044 * s[i + 6]; out[i] = acc; }
 *
 * The rewrite keeps the window in locals and loads one new element per
 * iteration, as a careful engineer writes it by hand
 * (fixtures/convolution/hand.ts):
 *
 *   if (<guard>) { let s_0 = s[i], …, s_5 = s[i + 5];
 *     for (; i < n; i++) { const s_6 = s[i + 6]; acc = 0 + 0.0044 * s_0; …; out[i] = acc; s_0 = s_1; …; s_5 = s_6; } }
 *   else <the loop as it was>
 *
 * Exact behind one guard, checked once per entry to the loop (loop
 * versioning): every array the loop indexes is a real typed array (reading
 * one runs no user code, so a read may move or repeat), none that the loop
 * writes shares a buffer with a windowed one (so no store changes a value
 * held in the window), `i` is an int32 (so `i + 1 + c` and `i + (c + 1)` name
 * the same element), and every variable the loop reads before assigning it
 * holds a primitive. The loop itself may only compute on primitives: no
 * calls, no property reads but typed-array elements, no `in`/`instanceof`,
 * so nothing in it can run user code, and every value it makes is a
 * primitive too. A loop with `continue` or a label is left alone (the window
 * turns at the end of the body). A SharedArrayBuffer written by another
 * thread during the loop is a data race either way.
 *
 * Measured: the convolution fixture ran 6.33 µs a call as the evaluator
 * left it and 4.25 µs by hand (BENCHMARKS.md, jit, before this pass).
 */
import { childKeys, clone, walk, type Node } from "../ast.js";
import type { ResidualContext } from "./pipeline.js";
import { bufferOf, hasIntrinsicLength, isTypedArray } from "./typed-array-checks.js";

/** A window wider than this stays as loads: the locals would outnumber the registers (x64 has 16 for doubles). */
const MAX_WINDOW = 16;
/** Offsets further than this from `i` are not windowed (an index that far is rarely a stencil). */
const MAX_OFFSET = 1024;

const GLOBAL_CONSTANTS = new Set(["undefined", "NaN", "Infinity"]);

interface WindowRead {
  node: Node;
  base: string;
  offset: number;
}

interface Analysis {
  ok: boolean;
  /** Arrays read and written through `x[...]`, and those whose `length` the loop reads. */
  readBases: Set<string>;
  writeBases: Set<string>;
  lengthBases: Set<string>;
  /** Names used other than as an array base or the induction variable (must not be bases). */
  scalars: Set<string>;
  /** Scalars written anywhere in the loop. */
  assigned: Set<string>;
  /** Scalars read before the body's straight-line code assigns them: they hold their entry value. */
  entryReads: Set<string>;
  windows: WindowRead[];
}

export function slideWindows(fn: Node, ctx: ResidualContext): boolean {
  if (!ctx.kosHelpers) return false;
  const declared = declaredNames(fn);
  const used = new Set<string>();
  walk(fn, (n) => void (n.type === "Identifier" && used.add(n.name)));
  let changed = false;
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") return;
    for (const k of childKeys(n)) visit(n[k]);
    const list: Node[] | null = n.type === "BlockStatement" ? n.body : n.type === "SwitchCase" ? n.consequent : null;
    if (!list) return;
    for (let s = 0; s < list.length; s++) {
      if (list[s].type !== "ForStatement") continue;
      const out = rewrite(list[s], declared, used);
      if (out) {
        list.splice(s, 1, ...out);
        s += out.length - 1;
        changed = true;
      }
    }
  };
  visit(fn.body);
  return changed;
}

/** Parameters and every variable the function declares (not in nested functions): the names the loop may read. */
function declaredNames(fn: Node): Set<string> {
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

/** `i++`, `++i`, `i += 1`, `i = i + 1`: the induction variable's name, or null. */
function stepByOne(update: Node | null): string | null {
  if (!update) return null;
  if (update.type === "UpdateExpression" && update.operator === "++" && update.argument.type === "Identifier") return update.argument.name;
  if (update.type !== "AssignmentExpression" || update.left.type !== "Identifier") return null;
  const name = update.left.name;
  const one = (e: Node) => e.type === "Literal" && e.value === 1;
  if (update.operator === "+=" && one(update.right)) return name;
  if (update.operator === "=" && update.right.type === "BinaryExpression" && update.right.operator === "+") {
    const { left, right } = update.right;
    if ((left.type === "Identifier" && left.name === name && one(right)) || (right.type === "Identifier" && right.name === name && one(left))) return name;
  }
  return null;
}

/** The integer constant `e` is, or null. */
function intConstant(e: Node): number | null {
  if (e.type === "Literal" && typeof e.value === "number" && Number.isInteger(e.value) && !Object.is(e.value, -0)) return e.value;
  if (e.type === "UnaryExpression" && e.operator === "-" && e.argument.type === "Literal" && typeof e.argument.value === "number" && Number.isInteger(e.argument.value)) return -e.argument.value;
  return null;
}

/** The offset `index` takes from `i` (`i`, `i + c`, `c + i`, `i - c`), or null. */
function offsetFrom(index: Node, i: string): number | null {
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

function analyze(loop: Node, i: string, declared: Set<string>): Analysis {
  const a: Analysis = { ok: true, readBases: new Set(), writeBases: new Set(), lengthBases: new Set(), scalars: new Set(), assigned: new Set(), entryReads: new Set(), windows: [] };
  // Assigned by the body's straight-line code so far (before any branch): later reads see the loop's own values.
  const defined = new Set<string>();
  // Temporaries the straight-line code set to `i + c` (their only assignment in the loop): `a[t]` is `a[i + c]` after it.
  const affine = new Map<string, number>();
  const writes = new Map<string, number>();
  walk(loop, (n) => {
    const target = n.type === "AssignmentExpression" ? n.left : n.type === "UpdateExpression" ? n.argument : null;
    if (target?.type === "Identifier") writes.set(target.name, (writes.get(target.name) ?? 0) + 1);
  });
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
      const offset = offsetFrom(p, i) ?? (p.type === "Identifier" ? (affine.get(p.name) ?? null) : null);
      if (offset !== null) a.windows.push({ node: m, base: m.object.name, offset });
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
          const c = offsetFrom(e.right, i);
          if (c !== null && writes.get(e.left.name) === 1) affine.set(e.left.name, c);
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
  if (loop.test && !expr(loop.test)) return a;
  inBody = true;
  stmt(loop.body, true);
  if (!a.ok) return a;
  // An array is only ever indexed: a base used as a value, or assigned, could be anything.
  for (const b of [...a.readBases, ...a.writeBases]) if (a.scalars.has(b) || b === i) a.ok = false;
  return a;
}

/** The statements that replace `loop`, or null to keep it. */
function rewrite(loop: Node, declared: Set<string>, used: Set<string>): Node[] | null {
  const i = stepByOne(loop.update);
  if (!i || !declared.has(i) && !(loop.init?.type === "VariableDeclaration")) return null;
  if (loop.init && loop.init.type === "VariableDeclaration" && (loop.init.kind !== "let" && loop.init.kind !== "var")) return null;
  // The fast copy: analyzed, then rewritten in place.
  const fast = clone(loop);
  const initDeclared = new Set(declared);
  if (fast.init?.type === "VariableDeclaration") for (const d of fast.init.declarations) if (d.id.type === "Identifier") initDeclared.add(d.id.name);
  const a = analyze(fast, i, initDeclared);
  if (!a.ok) return null;
  // Windowed: arrays only read, at two or more offsets from `i` within MAX_WINDOW.
  const byBase = new Map<string, WindowRead[]>();
  for (const w of a.windows) if (!a.writeBases.has(w.base)) (byBase.get(w.base) ?? byBase.set(w.base, []).get(w.base)!).push(w);
  const windows: Array<{ base: string; min: number; max: number; reads: WindowRead[] }> = [];
  for (const [base, reads] of byBase) {
    const offsets = new Set(reads.map((r) => r.offset));
    const min = Math.min(...offsets);
    const max = Math.max(...offsets);
    if (offsets.size >= 2 && max - min < MAX_WINDOW) windows.push({ base, min, max, reads });
  }
  if (windows.length === 0) return null;

  const fresh = (hint: string): string => {
    let name = hint;
    for (let k = 2; used.has(name) || initDeclared.has(name); k++) name = `${hint}_${k}`;
    used.add(name);
    return name;
  };
  const idn = (name: string): Node => ({ type: "Identifier", name });
  const lit = (v: unknown): Node => ({ type: "Literal", value: v });
  const index = (c: number): Node => (c === 0 ? idn(i) : { type: "BinaryExpression", operator: c > 0 ? "+" : "-", left: idn(i), right: lit(Math.abs(c)) });
  const at = (base: string, c: number): Node => ({ type: "MemberExpression", object: idn(base), property: index(c), computed: true, optional: false });
  const assign = (name: string, value: Node): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: idn(name), right: value } });
  const declare = (kind: string, pairs: Array<[string, Node]>): Node => ({ type: "VariableDeclaration", kind, declarations: pairs.map(([name, init]) => ({ type: "VariableDeclarator", id: idn(name), init })) });

  const preload: Array<[string, Node]> = [];
  const top: Node[] = [];
  const turn: Node[] = [];
  for (const w of windows) {
    const names: string[] = [];
    for (let c = w.min; c <= w.max; c++) names.push(fresh(`${w.base}_${c - w.min}`));
    for (let c = w.min; c < w.max; c++) preload.push([names[c - w.min]!, at(w.base, c)]);
    top.push(declare("const", [[names[names.length - 1]!, at(w.base, w.max)]]));
    for (let k = 0; k + 1 < names.length; k++) turn.push(assign(names[k]!, idn(names[k + 1]!)));
    for (const r of w.reads) {
      const node = r.node;
      for (const key of Object.keys(node)) delete node[key];
      node.type = "Identifier";
      node.name = names[r.offset - w.min]!;
    }
  }
  const body = fast.body.type === "BlockStatement" ? fast.body.body : [fast.body];
  fast.body = { type: "BlockStatement", body: [...top, ...body, ...turn] };

  // The guard, after the loop's own initialization.
  const call = (f: Function, hint: string, arg: Node): Node => ({ type: "CallExpression", callee: { type: "KosConst", value: f, path: null, hint }, arguments: [arg], optional: false });
  const and = (l: Node | null, r: Node): Node => (l ? { type: "LogicalExpression", operator: "&&", left: l, right: r } : r);
  const bin = (operator: string, left: Node, right: Node): Node => ({ type: "BinaryExpression", operator, left, right });
  const typeofIs = (name: string, op: string, t: string): Node => bin(op, { type: "UnaryExpression", operator: "typeof", prefix: true, argument: idn(name) }, lit(t));
  let guard: Node | null = null;
  for (const b of new Set([...a.readBases, ...a.writeBases])) guard = and(guard, a.lengthBases.has(b) ? call(hasIntrinsicLength, "hasIntrinsicLength", idn(b)) : call(isTypedArray, "isTypedArray", idn(b)));
  for (const w of windows) for (const out of a.writeBases) guard = and(guard, bin("!==", call(bufferOf, "bufferOf", idn(w.base)), call(bufferOf, "bufferOf", idn(out))));
  guard = and(guard, and(typeofIs(i, "===", "number"), bin("===", bin("|", idn(i), lit(0)), idn(i))));
  for (const name of a.entryReads) {
    if (GLOBAL_CONSTANTS.has(name) && !initDeclared.has(name)) continue;
    // A primitive: `typeof` is neither "object" (null aside) nor "function".
    guard = and(guard, { type: "LogicalExpression", operator: "||", left: and(typeofIs(name, "!==", "object"), typeofIs(name, "!==", "function")), right: bin("===", idn(name), lit(null)) });
  }

  const init = loop.init;
  const slow = { ...loop, init: null };
  fast.init = null;
  const versioned: Node = {
    type: "IfStatement",
    test: guard,
    consequent: { type: "BlockStatement", body: [...(preload.length ? [declare("let", preload)] : []), fast] },
    alternate: { type: "BlockStatement", body: [slow] },
  };
  if (!init) return [versioned];
  // A declaration keeps its own block, where only the loop saw it.
  if (init.type === "VariableDeclaration") return [{ type: "BlockStatement", body: [init, versioned] }];
  return [{ type: "ExpressionStatement", expression: init }, versioned];
}
