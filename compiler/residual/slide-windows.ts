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
import { analyze, declaredNames, elementGuard, GLOBAL_CONSTANTS, stepIsInt32, type Analysis, type ElementRead } from "./element-code.js";

/** A window wider than this stays as loads: the locals would outnumber the registers (x64 has 16 for doubles). */
const MAX_WINDOW = 16;

export function slideWindows(fn: Node, ctx: ResidualContext): boolean {
  if (!ctx.kosHelpers) return false;
  // The function's names, each read the first time a loop that steps by one needs it: most
  // residuals have none, and three more walks of each would add to every compile. Most such loops
  // are refused before the step's `typeof` check and the fresh names (sift's tiering residual:
  // the pass took 49 ms of CPU with the three read together, 27 ms this way, median of 5). Each is
  // still read before the first rewrite changes the tree, as when the three were read together.
  let declared: Set<string> | null = null;
  let early: Set<string> | null = null;
  let used: Set<string> | null = null;
  const declaredOf = () => (declared ??= declaredNames(fn));
  const earlyOf = () => (early ??= initializedEarly(fn));
  const usedOf = () => {
    if (used) return used;
    const names = new Set<string>();
    walk(fn, (n) => void (n.type === "Identifier" && names.add(n.name)));
    return (used = names);
  };
  let changed = false;
  // `before`: the names declared by statements that ran before this point, in this list and the
  // lists around it (a binding declared later is in its temporal dead zone here). A chain of
  // lists, not a set copied at each block: copying made acorn's parser functions compile 3.5x
  // slower (the sweep's acorn: 35 s against 10 s).
  const visit = (n: Node, before: Declared | null): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach((x) => visit(x, before));
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") return;
    const list: Node[] | null = n.type === "BlockStatement" ? n.body : n.type === "SwitchCase" ? n.consequent : null;
    if (!list) {
      for (const k of childKeys(n)) visit(n[k], before);
      return;
    }
    if (n.type === "SwitchCase" && n.test) visit(n.test, before);
    const here: Declared = { names: [], parent: before };
    for (let s = 0; s < list.length; s++) {
      const stmt = list[s];
      visit(stmt, here);
      if (stmt.type === "ForStatement" && stepByOne(stmt.update)) {
        const out = rewrite(stmt, declaredOf(), (name) => earlyOf().has(name) || declaredIn(here, name), usedOf);
        if (out) {
          list.splice(s, 1, ...out);
          s += out.length - 1;
          changed = true;
        }
      }
      if (stmt.type === "VariableDeclaration") for (const d of stmt.declarations) if (d.id.type === "Identifier") here.names.push(d.id.name);
    }
  };
  visit(fn.body, null);
  return changed;
}

/** Names declared by the statements run so far, list by list outwards. */
interface Declared {
  names: string[];
  parent: Declared | null;
}

function declaredIn(scope: Declared | null, name: string): boolean {
  for (let s = scope; s; s = s.parent) if (s.names.includes(name)) return true;
  return false;
}

/**
 * Element loads a windowed loop must save to repay its guard, which runs once per entry: kos's
 * checks cost 12-30 ns a call here (a /tmp probe, Node 20.20.2), 2-5 calls for a loop, and the
 * convolution fixture saved 2.1 µs over 1,018 iterations of 6 saved loads (0.34 ns a load). So a
 * loop whose bound says it has fewer iterations than REPAY_LOADS over the loads it saves per
 * iteration runs as it was, after a check of a few comparisons.
 */
const REPAY_LOADS = 256;

/**
 * `bound - i >= trips` for a test `i < bound` (or `<=`) whose bound the loop does not change: the
 * short loops that would not repay the guard. Null for other tests (the guard is paid).
 */
function tripCheck(test: Node | null, i: string, a: Analysis, trips: number): Node[] {
  if (!test || test.type !== "BinaryExpression" || (test.operator !== "<" && test.operator !== "<=") || test.left.type !== "Identifier" || test.left.name !== i) return [];
  let stable = true;
  walk(test.right, (n) => {
    if (n.type === "Identifier" && a.assigned.has(n.name)) stable = false;
    // A BigInt bound (`i < 300n`) compares, and would throw in `300n - i`.
    if ((n.type === "Literal" || n.type === "KosConst") && typeof n.value !== "number") stable = false;
  });
  if (!stable) return [];
  // Numbers only: `10n - i` would throw where `i < 10n` does not.
  const names = new Set<string>();
  // (Not the arrays of `a.length`, typed arrays by then, nor the `length` key itself.)
  walk(test.right, (n, parent) => void (n.type === "Identifier" && !(parent?.type === "MemberExpression" && !parent.computed) && names.add(n.name)));
  const numbers: Node[] = [...names].map((name) => ({ type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: { type: "Identifier", name } }, right: { type: "Literal", value: "number" } }));
  return [...numbers, { type: "BinaryExpression", operator: ">=", left: { type: "BinaryExpression", operator: "-", left: clone(test.right), right: { type: "Identifier", name: i } }, right: { type: "Literal", value: trips } }];
}

/** Parameters, `var`s and the hoisted `let` that opens the body: initialized before any statement runs. */
function initializedEarly(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params) if (p.type === "Identifier") names.add(p.name);
  const first = fn.body.body[0];
  if (first?.type === "VariableDeclaration" && first.kind === "let") for (const d of first.declarations) if (d.id.type === "Identifier" && !d.init) names.add(d.id.name);
  walk(fn.body, (n) => {
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") return false;
    if (n.type === "VariableDeclaration" && n.kind === "var") for (const d of n.declarations) if (d.id.type === "Identifier") names.add(d.id.name);
  });
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

/** The statements that replace `loop`, or null to keep it. */
function rewrite(loop: Node, declared: Set<string>, setBefore: (name: string) => boolean, usedOf: () => Set<string>): Node[] | null {
  const i = stepByOne(loop.update);
  if (!i || !declared.has(i) && !(loop.init?.type === "VariableDeclaration")) return null;
  if (loop.init && loop.init.type === "VariableDeclaration" && (loop.init.kind !== "let" && loop.init.kind !== "var")) return null;
  const initDeclared = new Set(declared);
  const initNames = new Set<string>();
  if (loop.init?.type === "VariableDeclaration") for (const d of loop.init.declarations) if (d.id.type === "Identifier") initNames.add(d.id.name);
  for (const name of initNames) initDeclared.add(name);
  // Most loops are refused (a call, a property read): on the loop itself, before it is copied (the
  // copies of mustache's inlined loops were a seventh of this pass).
  if (!analyze(loop, i, initDeclared).ok) return null;
  // The fast copy: analyzed, then rewritten in place.
  const fast = clone(loop);
  const a = analyze(fast, i, initDeclared);
  if (!a.ok) return null;
  // The guard reads the step and the entry values with `typeof`, which throws in a binding's
  // temporal dead zone: only names initialized before any statement runs, or by the loop's own init.
  const initialized = (name: string) => setBefore(name) || initNames.has(name) || (GLOBAL_CONSTANTS.has(name) && !declared.has(name));
  if (!initialized(i) || ![...a.entryReads].every(initialized)) return null;
  // Windowed: arrays only read, at two or more offsets from `i` within MAX_WINDOW.
  const byBase = new Map<string, ElementRead[]>();
  for (const w of a.reads) if (!a.writeBases.has(w.base)) (byBase.get(w.base) ?? byBase.set(w.base, []).get(w.base)!).push(w);
  const windows: Array<{ base: string; min: number; max: number; reads: ElementRead[] }> = [];
  for (const [base, reads] of byBase) {
    const offsets = new Set(reads.map((r) => r.offset));
    const min = Math.min(...offsets);
    const max = Math.max(...offsets);
    if (offsets.size >= 2 && max - min < MAX_WINDOW) windows.push({ base, min, max, reads });
  }
  if (windows.length === 0) return null;

  const used = usedOf();
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
  const saved = windows.reduce((n, w) => n + (w.max - w.min), 0);
  const trips = tripCheck(fast.test, i, a, Math.ceil(REPAY_LOADS / saved));
  // A bound that reads no `length` is checked with the cheap tests, before kos's calls.
  let readsLength = false;
  for (const t of trips) walk(t, (n) => void (n.type === "MemberExpression" && (readsLength = true)));
  const guard = elementGuard(a, windows.map((w) => w.base), initDeclared, [...stepIsInt32(i), ...(readsLength ? [] : trips)], readsLength ? trips : []);
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
