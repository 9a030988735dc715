/**
 * Loops. While the condition is static the loop unfolds, iteration by
 * iteration, whatever its shape (`for` with several initialisers, `while`,
 * `do`, `for-of` over known arrays and strings, `for-in` over known
 * objects), within the unrolling budget. When the condition becomes dynamic
 * (or the budget runs out) the rest stays a loop: the slots it assigns move
 * to their variables first, and everything else it reads stays static.
 */
import { countNodes, walk, type Node } from "../ast.js";
import { buildLiteral } from "../emit.js";
import { arrayIterationIntact } from "../builtins.js";
import { Specializer, id, type Slot, type Target, pushFix } from "./specializer.js";
import { NULL_PROTO, S, ownKeyOrder, type Val } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { types as utilTypes } from "node:util";
import { notIterableValue } from "../error-helpers.js";
import { newUniformState, sameStepAgain, UNROLLED_FIRST } from "./uniform-iterations.js";
import { statementUnderSourceName } from "./source-names.js";

declare module "./specializer.js" {
  interface Specializer {
    loop(n: Node, labels: string[]): void;
    iteration(body: Node, labels: string[], before?: () => void): void;
  }
}

export interface LoopState {
  /** for-of / for-in over a known sequence: the items left. */
  items?: Val[];
  index?: number;
  started: boolean;
  /** for-of / for-in over a value kos does not know: the iterated value, evaluated once. */
  right?: Val;
  /** for-of over an unfrozen array kos read with guards: re-checked after foreign code. */
  source?: unknown[];
  /**
   * for-in over an unfrozen object kos read with guards (its keys): after foreign code, a key
   * is visited only while `key in obj`, as the engine's for-in does for a key deleted meanwhile.
   */
  keysOf?: object;
  /** With `keysOf`: syntax nodes its unrolled iterations emitted so far (shared by the copies of this state). */
  emitted?: { nodes: number };
  /** Where speculated iterations go when their guards fail: one residual loop for all of them (see P.loop). */
  tail?: Target;
  /** With `tail` over items: the residual variable holding the index the tail loop starts from. */
  tailIndex?: string;
  /** This is the shared tail itself (residualTail): it starts from `tailIndex`. */
  inTail?: boolean;
  /** A residual for-of's test that throws the engine's "d.items is not iterable" (notIterableAsWritten). */
  notIterable?: Node;
}

const P = Specializer.prototype;

/** Items a for-of (or an array pattern) would visit, if kos knows them without running user code. */
export function knownItems(s: Specializer, v: Val): Val[] | null {
  if (v.k === "v" && v.o.kind === "array" && s.fields(v.o)) return [...s.fields(v.o)!.values()];
  if (v.k === "s" && typeof v.v === "string") return [...v.v].map((c) => S(c));
  if (v.k === "s" && Array.isArray(v.v) && !utilTypes.isProxy(v.v)) {
    const arr = v.v as unknown[];
    if (Object.getPrototypeOf(arr) !== Array.prototype || Object.prototype.hasOwnProperty.call(arr, Symbol.iterator)) return null;
    if (!arrayIterationIntact()) return null;
    if (!Object.isFrozen(arr)) return s.guardedItems(arr);
    const items: Val[] = [];
    for (let i = 0; i < arr.length; i++) {
      const f = readFrozenProperty(arr, String(i), s.options.freeze);
      if (!f.ok) return null;
      items.push(S(f.value));
    }
    return items;
  }
  return null;
}

function knownKeys(s: Specializer, v: Val): { keys: Val[]; live?: object } | null {
  // An instance's for-in visits its prototype's enumerable keys too: it runs as written.
  if (v.k === "v" && v.o.kind === "object" && (!v.o.proto || v.o.proto === NULL_PROTO) && s.fields(v.o)) return { keys: ownKeyOrder(s.fields(v.o)!).map(([k]) => S(k)) };
  if (v.k !== "s" || v.v === null || typeof v.v !== "object" || utilTypes.isProxy(v.v) || ArrayBuffer.isView(v.v)) return null;
  if (Object.isFrozen(v.v) && s.options.freeze !== "reference") {
    const proto = Object.getPrototypeOf(v.v);
    if (proto !== Object.prototype && proto !== null && proto !== Array.prototype) return null;
    const keys: Val[] = [];
    for (const k in v.v as object) keys.push(S(k));
    return { keys };
  }
  // An object kos does not own (a schema's `entries`, a rule table): its own enumerable keys,
  // guarded at entry by the for-in walk itself (sameOwnKeys), so that an inherited enumerable
  // key fails the guard too. Only where the walk is those keys now (it runs no user code: no
  // proxies here).
  if (s.options.freeze !== "guard" || s.options.guardedForIn === false || s.foreignRan) return null;
  const own = Object.keys(v.v);
  let i = 0;
  for (const k in v.v as object) if (k !== own[i++]) return null;
  if (i !== own.length) return null;
  const keys = s.guardedKeys(v.v as object);
  if (!keys) return null;
  s.guardedForIns++;
  return { keys: keys.map((k) => S(k)), live: v.v as object };
}

declare module "./specializer.js" {
  interface Specializer {
    guardedItems(arr: unknown[]): Val[] | null;
  }
}

/** Binds the loop variable of for-of/for-in for one iteration. */
export function bindLeft(s: Specializer, left: Node, value: Val): void {
  if (left.type === "VariableDeclaration") s.bindPattern(left.declarations[0].id, value, left.kind);
  else s.bindPattern(left, value, null);
}

P.loop = function (this: Specializer, n: Node, labels: string[]): void {
  const breakT = this.newTarget({ labels, breakable: true });
  const state: LoopState = { started: false };
  const outerStart = this.out.length;
  this.targets.push(breakT);
  try {
    if (n.type === "ForStatement" && n.init) {
      if (n.init.type === "VariableDeclaration") {
        if (n.init.kind !== "var" && (n.init.declarations as Node[]).some((d) => capturesLoopBinding(this, d.id))) {
          this.fail("UNSUPPORTED", "a closure captures the per-iteration binding of a `for (let …)` loop", n);
        }
        this.statement(n.init);
      } else this.drop(this.expr(n.init));
      if (!this.env) return; // the initialiser always threw (see expr)
    }
    let items: Val[] | null = null;
    if (n.type === "ForOfStatement" || n.type === "ForInStatement") {
      if (n.await) this.fail("UNSUPPORTED", "for await", n);
      const right = this.stable(this.expr(n.right), "it");
      if (!this.env) return; // the iterated expression always threw (see expr)
      let keysOf: object | undefined;
      if (n.type === "ForOfStatement") items = knownItems(this, right);
      else {
        const known = knownKeys(this, right);
        items = known?.keys ?? null;
        keysOf = known?.live;
      }
      if (!items && n.type === "ForOfStatement" && right.k === "s" && (right.v === null || typeof right.v !== "object" || right.v === undefined) && typeof right.v !== "string" && typeof right.v !== "function") {
        // Iterating a known non-iterable throws: keep the header as written for the engine's message.
        const header: Node = { type: "ForOfStatement", await: false, left: this.verbatim(n.left), right: this.verbatim(n.right), body: { type: "BlockStatement", body: [] } };
        this.emit(statementUnderSourceName(n.right, header, header.right, (r) => void (header.right = r)) ?? header);
        this.env = null;
        return;
      }
      const notIterable = !items && n.type === "ForOfStatement" && (right.k !== "s" || (right.v !== null && (typeof right.v === "object" || typeof right.v === "function"))) ? notIterableAsWritten(this, n.right, right) : null;
      if (!items) this.residualLoop(n, labels, breakT, { started: false, right, ...(notIterable ? { notIterable } : {}) });
      else {
        state.items = items;
        state.index = 0;
        if (n.type === "ForOfStatement" && right.k === "s" && Array.isArray(right.v) && !Object.isFrozen(right.v)) state.source = right.v as unknown[];
        if (keysOf) {
          state.keysOf = keysOf;
          state.emitted = { nodes: 0 };
        }
      }
    }
    if (this.env && !(items === null && (n.type === "ForOfStatement" || n.type === "ForInStatement"))) {
      if (!items || state.source || state.keysOf || items.every((x) => x.k === "s")) {
        // A loop whose state lives in its variables (for, while, do): every speculated iteration whose
        // guards fail continues in one shared residual loop, the way a tracing JIT's side exits share
        // the interpreter. Emitting that loop once per failed guard made expr-eval's 28-token program
        // 240 KB of code, too big for V8 to optimize.
        const tail = this.newTarget({});
        state.tail = tail;
        if (items) {
          // Over known items the tail needs where to start: each failed guard sets this index.
          state.tailIndex = this.fresh("from");
          this.hoistName(state.tailIndex);
        }
        const tailStart = this.out.length;
        this.targets.push(tail);
        try {
          drive(this, n, labels, breakT, state, 0);
        } finally {
          this.targets.pop();
        }
        if (tail.edges.length) residualTail(this, n, labels, breakT, tail, tailStart, state);
      } else drive(this, n, labels, breakT, state, 0);
    }
  } finally {
    this.targets.pop();
  }
  const edges = [...breakT.edges];
  if (this.env) edges.push(this.edgeHere());
  this.deadSlots = slotsDeadAfter(this, n);
  try {
    this.env = this.merge(edges);
  } finally {
    this.deadSlots = null;
  }
  if (breakT.label) {
    const inner = this.out.splice(outerStart);
    this.out.push({ type: "LabeledStatement", label: id(breakT.label), body: { type: "BlockStatement", body: inner } });
  }
};

const LOOP_TYPES = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);

/**
 * Variables of the current frame that nothing reads once the loop `n` is done: every read is
 * inside the loop, the loop is in no other loop of its function (nothing runs it again), and no
 * closure captures them. A wrong answer here could only make a later read fail the compile
 * (its slot is gone), never give a stale value.
 */
function slotsDeadAfter(s: Specializer, n: Node): Set<Slot> | null {
  const info = s.frame.info;
  let nested = false;
  walk(info.node, (x) => {
    if (nested || x === n) return false;
    if (x !== info.node && (x.type === "FunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ArrowFunctionExpression")) return false;
    if (LOOP_TYPES.has(x.type) && x.start <= n.start && n.end <= x.end) nested = true;
    return !nested;
  });
  if (nested) return null;
  const dead = new Set<Slot>();
  for (const [variable, slot] of s.frame.slots) {
    if (slot.pinned || info.captured.has(variable)) continue;
    if (variable.references.every((r) => !r.isRead() || (r.identifier.start >= n.start && r.identifier.end <= n.end))) dead.add(slot);
  }
  return dead;
}

/**
 * The shared rest of a loop whose speculated iterations failed their guards:
 * the code since `start` becomes a labeled block that those failures leave
 * (each with the loop's state written to its variables), followed by one
 * residual loop from the joined state. It runs as the generic branch of a
 * fork does: no further speculation.
 */
function residualTail(s: Specializer, n: Node, labels: string[], breakT: Target, tail: Target, start: number, state: LoopState): void {
  const inner = s.out.splice(start);
  // Code after the unrolled iterations (the loop's normal end) must not run into the tail. That
  // includes a residual loop the speculated iterations ended in (the unroll budget ran out): its
  // exit is an edge already recorded (residualLoopBody) with no `break`, since its code falls
  // through to the loop's end, which here is the tail. fuzzysort's `go` ran every target from
  // the second on twice. Where nothing falls through, the `break` is dead code.
  if (s.env) s.jump(breakT, "break");
  else if (mayComplete(inner)) s.out.push({ type: "BreakStatement", label: id(s.labelOf(breakT)) });
  s.out.push({ type: "LabeledStatement", label: id(s.labelOf(tail)), body: { type: "BlockStatement", body: [...inner, ...s.out.splice(start)] } });
  s.env = s.merge(tail.edges);
  if (!s.env) return;
  const wasGeneric = s.generic;
  s.generic = true;
  s.foreignRan = true;
  try {
    s.residualLoop(n, labels, breakT, state.items ? { started: true, items: state.items, index: 0, tailIndex: state.tailIndex!, inTail: true, ...(state.source ? { source: state.source } : {}), ...(state.keysOf ? { keysOf: state.keysOf } : {}) } : { started: true });
  } finally {
    s.generic = wasGeneric;
  }
}

/**
 * The labels some `break` in a labeled statement's body names (outside nested functions), each
 * body walked once: a labeled statement inside it that was asked about already gives its own
 * set. A walk per label, nested bodies walked again for each label around them, took 151 ms of
 * 20 compiles of json-logic-js's rule (about 8%).
 */
function breakLabels(): (labeled: Node) => Set<string> {
  const memo = new Map<Node, Set<string>>();
  return (labeled) => {
    let found = memo.get(labeled);
    if (found) return found;
    const set = (found = new Set<string>());
    walk(labeled.body, (x) => {
      if (x.type === "KosConst" || x.type === "FunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ArrowFunctionExpression") return false;
      const inner = x.type === "LabeledStatement" ? memo.get(x) : undefined;
      if (inner) {
        for (const l of inner) set.add(l);
        return false;
      }
      if (x.type === "BreakStatement" && x.label) set.add(x.label.name);
      return;
    });
    memo.set(labeled, found);
    return found;
  };
}

/**
 * Whether running `list` may end by reaching its end (JavaScript's "completes normally"),
 * conservatively: true unless every path ends in a jump. Statements after one that never
 * completes are unreachable and not looked at.
 */
function mayComplete(list: Node[], labels: (labeled: Node) => Set<string> = breakLabels()): boolean {
  for (const st of list) if (!statementMayComplete(st, labels)) return false;
  return true;
}

function statementMayComplete(st: Node, labels: (labeled: Node) => Set<string>): boolean {
  switch (st.type) {
    case "BreakStatement":
    case "ContinueStatement":
    case "ReturnStatement":
    case "ThrowStatement":
      return false;
    case "BlockStatement":
      return mayComplete(st.body, labels);
    case "IfStatement":
      return !st.alternate || statementMayComplete(st.consequent, labels) || statementMayComplete(st.alternate, labels);
    case "LabeledStatement":
      return statementMayComplete(st.body, labels) || labels(st).has(st.label.name);
    default:
      return true;
  }
}

/**
 * Unrolls iterations from `state` on while the test stays static. After
 * foreign code may have run in an iteration, the rest of the loop is
 * speculated on again (speculation.ts): unrolled as before behind a guard,
 * next to the rest as a residual loop.
 */
function drive(s: Specializer, n: Node, labels: string[], breakT: Target, state: LoopState, first: number): void {
  const items = state.items ?? null;
  const uniform = newUniformState();
  let uniformStop = false;
  let unrolledHere = 0;
  // The code the iteration just unrolled, for the uniformity check (null: nothing a loop would run).
  const unrolled = (): void => {
    const last = s.out[s.out.length - 1];
    const code = last && !isInert(last) ? last : null;
    unrolledHere++;
    if (sameStepAgain(uniform, code) && unrolledHere >= UNROLLED_FIRST) uniformStop = true;
  };
  for (let iter = first; s.env; iter++) {
    if (iter > 0 && s.foreignRan && (s.staleMiss || state.source || state.keysOf) && !s.generic) {
      // Each pass starts from this iteration's state (a speculative pass may run twice).
      const at = { ...state };
      s.forkAnyway = !!(state.source || state.keysOf);
      let forked: boolean;
      try {
        forked = s.speculate(() => {
          const a = { ...at };
          if (a.source) guardItem(s, a);
          if (a.keysOf) guardKeys(s, a);
          drive(s, n, labels, breakT, a, iter);
          // Leave the loop from inside this branch: the generic branch's residual loop exits on its own
          // edge, and code after both branches would run on either path.
          if (s.env) s.jump(breakT, "break");
        }, () => {
          if (!at.tail) return s.residualLoop(n, labels, breakT, { ...at });
          if (at.tailIndex) s.emit({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(at.tailIndex), right: { type: "Literal", value: at.index!, raw: String(at.index!) } } });
          s.jump(at.tail, "break");
        });
      } finally {
        s.forkAnyway = false;
      }
      if (forked) return;
    }
    if (s.budget <= 0 || uniformStop) {
      s.residualLoop(n, labels, breakT, state);
      return;
    }
    if (items) {
      if ((state.source || state.keysOf) && iter > 0 && s.foreignRan) {
        // The array (or object) may have changed since its items were read: the rest is a loop.
        s.residualLoop(n, labels, breakT, state);
        return;
      }
      if (state.index! >= items.length) return;
      const item = items[state.index!]!;
      state.index!++;
      const mark = s.out.length;
      s.iteration(n.body, labels, () => bindLeft(s, n.left, item));
      if (state.emitted) tooBigToUnroll(s, state, mark);
      unrolled();
      continue;
    }
    if (n.type === "DoWhileStatement" && iter === 0) {
      s.iteration(n.body, labels);
      state.started = true;
      continue;
    }
    if (n.test) {
      const p = s.probe(() => s.expr(n.test));
      // A test that calls a helper (`while (isAlphaNum(s[i])) i++`, jmespath's lexer) leaves the
      // inlined call's empty blocks behind even when it folds: they do nothing, and the loop unrolls.
      if (p.result.k === "d" || !p.emitted.every((x) => isInert(x))) {
        p.undo();
        s.residualLoop(n, labels, breakT, state);
        return;
      }
      p.commit();
      const truthy = p.result.k === "v" ? true : !!(p.result as { v: unknown }).v;
      if (!truthy) return;
    }
    if (n.type === "DoWhileStatement") {
      s.iteration(n.body, labels);
      unrolled();
      continue;
    }
    s.iteration(n.body, labels);
    unrolled();
    if (s.env && n.type === "ForStatement" && n.update) s.drop(s.expr(n.update));
  }
}

/**
 * A statement that does nothing: empty blocks, and a labeled block of such statements and
 * `break`s to its own label (what an inlined call that folded leaves: `ret: { {} break ret; }`).
 */
function isInert(n: Node, label: string | null = null): boolean {
  if (n.type === "EmptyStatement") return true;
  if (n.type === "BlockStatement") return (n.body as Node[]).every((x) => isInert(x, label));
  if (n.type === "BreakStatement") return label !== null && n.label?.name === label;
  if (n.type === "LabeledStatement") return isInert(n.body, n.label.name);
  return false;
}

/** In a speculative pass over an unfrozen array: the next item, and the length, must still be what was read. */
function guardItem(s: Specializer, state: LoopState): void {
  const arr = state.source!;
  s.contentGuards ??= [];
  s.contentGuards.push({ obj: arr, key: "length", value: state.items!.length });
  if (state.index! < state.items!.length) {
    const item = state.items![state.index!]!;
    if (item.k === "s") s.contentGuards.push({ obj: arr, key: String(state.index), value: item.v });
  }
}

/**
 * An unrolled for-in over an unfrozen object is kept only where the whole function fits the
 * residual size (compile.ts): once its iterations alone have emitted more than the bound, the
 * compile stops, and compile.ts specializes again with the loop kept (the bound and its
 * measurements are there). It stops sooner where the keys done so far, at their mean size,
 * project past PROJECTED_SLACK times the bound over all the keys.
 */
function tooBigToUnroll(s: Specializer, state: LoopState, mark: number): void {
  state.emitted!.nodes += countNodes({ type: "BlockStatement", body: s.out.slice(mark) });
  const bound = s.options.forInNodes ?? Infinity;
  const projected = (state.emitted!.nodes / Math.max(1, state.index!)) * state.items!.length;
  if (state.emitted!.nodes > bound || projected > PROJECTED_SLACK * bound) {
    s.fail("RESIDUAL_TOO_LARGE", `an unrolled for-in emitted ${state.emitted!.nodes} syntax nodes for ${state.index} of its ${state.items!.length} keys, past its bound of ${bound}`);
  }
}

/**
 * How far past the bound a for-in's projected size may be before it stops early: keys differ in
 * size, and a projection from the first ones may overshoot. valibot's 9-property schema emitted
 * 3,802 nodes for its first key (34,218 projected) and went on to its third (13,458 nodes) before
 * the bound stopped it; the iterations after the first were 16-70% of that thrown-away attempt
 * (100 ms of a 600 ms first compile, 55 of 80 ms warm; .scratch timings, Node 20.20.2).
 */
const PROJECTED_SLACK = 2;

/**
 * In a speculative pass over an unfrozen object's keys: the next key must still be there (`key in
 * obj`), which is what the engine's for-in checks of a key it listed at the start. Keys added
 * since are not visited, by either. A `sameOwnKeys` walk here instead cost valibot's 9-property
 * schema 11% of its time: one per property.
 */
function guardKeys(s: Specializer, state: LoopState): void {
  if (state.index! >= state.items!.length) return;
  s.contentGuards ??= [];
  const key = (state.items![state.index!] as { v: unknown }).v as string;
  s.contentGuards.push({ obj: state.keysOf!, key, value: undefined, has: true });
}

/**
 * In a residual loop over the keys an unfrozen object had when its for-in started: a key the
 * body's foreign code deleted since is skipped, as the engine's for-in does (a `key in obj`
 * check, the prototype chain included, as V8's ForInFilter).
 */
export function skipDeletedKey(s: Specializer, state: LoopState, key: Node, contT: Target): void {
  if (!state.keysOf || !s.env) return;
  const before = s.env;
  const skip = s.collect(() => {
    s.env = new Map(before);
    s.jump(contT, "continue");
  });
  const test: Node = { type: "UnaryExpression", operator: "!", prefix: true, argument: { type: "BinaryExpression", operator: "in", left: key, right: s.constNode(state.keysOf) } };
  s.out.push({ type: "IfStatement", test, consequent: { type: "BlockStatement", body: skip }, alternate: null });
  s.env = before;
}

function capturesLoopBinding(s: Specializer, pattern: Node): boolean {
  let found = false;
  const visit = (p: Node) => {
    if (p.type === "Identifier") {
      const v = s.frame.info.scopes.variableOfDeclaration(p);
      if (v && s.frame.info.captured.has(v)) found = true;
    } else if (p.type === "AssignmentPattern") visit(p.left);
    else if (p.type === "ObjectPattern") p.properties.forEach((q: Node) => visit(q.type === "RestElement" ? q.argument : q.value));
    else if (p.type === "ArrayPattern") p.elements.forEach((q: Node) => q && visit(q.type === "RestElement" ? q.argument : q));
  };
  visit(pattern);
  return found;
}

/**
 * How V8 names a simple iterable in "x is not iterable": an identifier, `this`, or a member
 * chain of names and literal indices, printed as written. Null for anything else.
 */
function writtenName(n: Node): string | null {
  if (n.type === "Identifier") return n.name;
  if (n.type === "ThisExpression") return "this";
  if (n.type !== "MemberExpression" || n.optional) return null;
  const base = writtenName(n.object);
  if (base === null) return null;
  if (!n.computed && n.property.type === "Identifier") return `${base}.${n.property.name}`;
  // V8 prints a literal key by its value: `o[0x10]` as "o[16]", `o["a b"]` as "o.a b".
  if (n.computed && n.property.type === "Literal" && typeof n.property.value === "number") return `${base}[${String(n.property.value)}]`;
  if (n.computed && n.property.type === "Literal" && typeof n.property.value === "string") return `${base}.${n.property.value}`;
  // A key read from a variable or a path: V8 prints it as written (`o[k]`, `o[q.j]`, `this[k]`).
  if (n.computed && (n.property.type === "Identifier" || n.property.type === "MemberExpression" || n.property.type === "ThisExpression")) {
    const key = writtenName(n.property);
    return key === null ? null : `${base}[${key}]`;
  }
  return null;
}

/**
 * A residual for-of over a value held in a temporary would throw "it is not iterable" where the
 * original says "c.list is not iterable". For null and undefined (the common case: an absent
 * option) and for primitives without an iterator, the engine's message is thrown as written,
 * before the loop; the test runs no code of the program's. So for an object or function that
 * no object on its prototype chain gives a Symbol.iterator, when no proxy is on the chain
 * (ejs's `for (const x of locals.items)` over a Date said "it is not iterable"; fuzz seed 2305
 * #554). An object with a getter for it is left to the loop, which runs the getter once.
 */
function notIterableAsWritten(s: Specializer, source: Node, value: Val): Node | null {
  // A call's result is named by its callee: "o.get is not a function or its return value is not iterable".
  const callee = source.type === "CallExpression" && !source.optional ? writtenName(source.callee) : null;
  const name = callee ?? writtenName(source);
  if (name === null) return null;
  const e = s.residual(value);
  if (e.type === "Identifier" && e.name === name) return null;
  const message = callee !== null ? `${callee} is not a function or its return value is not iterable` : `${name} is not iterable`;
  // Null and undefined, and a number, boolean, bigint or symbol while its prototype has no
  // Symbol.iterator (a program may give it one): the engine looks the iterator up on the prototype
  // there, so the test runs no code of the program's. Objects are read by their descriptors, which
  // runs no getter (notIterableValue); a proxy is left to the loop. One call of a shared helper,
  // not the test written out at each loop: written out, TypeBox's tiered `Value.Check` ran at 1.00x
  // the library instead of 1.44x (fixtures/real/typebox; the cause inside V8 was not pinned down).
  // Emitted just before the loop, and only where the loop is not written under the source's name
  // (`{ let ka = ka_2; for (const k of ka) … }`), whose message the engine gets right by itself.
  const test: Node = { type: "CallExpression", optional: false, callee: s.constNode(notIterableValue), arguments: [e] };
  return {
    type: "IfStatement",
    test,
    consequent: { type: "ThrowStatement", argument: { type: "NewExpression", callee: s.globalRef("TypeError"), arguments: [buildLiteral(message)!] } },
    alternate: null,
  };
}

/** One unrolled iteration: `continue` leaves a labeled block around it. */
P.iteration = function (this: Specializer, body: Node, labels: string[], before?: () => void): void {
  this.budget -= 1;
  const contT = this.newTarget({ labels, continuable: true });
  const start = this.out.length;
  this.targets.push(contT);
  const list = this.collect(() => {
    if (before) before();
    if (this.env) this.statement(body);
  });
  this.targets.pop();
  this.out.push({ type: "BlockStatement", body: list });
  this.budget -= list.length;
  const edges = [...contT.edges];
  if (this.env) edges.push({ env: this.env, fix: pushFix(list) });
  this.env = this.merge(edges);
  if (contT.label) {
    const inner = this.out.splice(start);
    this.out.push({ type: "LabeledStatement", label: id(contT.label), body: { type: "BlockStatement", body: inner } });
  }
};

