/**
 * Loops. While the condition is static the loop unfolds, iteration by
 * iteration, whatever its shape (`for` with several initialisers, `while`,
 * `do`, `for-of` over known arrays and strings, `for-in` over known
 * objects), within the unrolling budget. When the condition becomes dynamic
 * (or the budget runs out) the rest stays a loop: the slots it assigns move
 * to their variables first, and everything else it reads stays static.
 * What for-of and for-in visit, and their guards, are in for-in-of.ts.
 */
import { walk, type Node } from "../ast.js";
import { contentGuardTest, type ContentGuard } from "../content-guards.js";
import { Specializer, id, type Slot, type Target, pushFix } from "./specializer.js";
import { UNDEF, type Val } from "./values.js";
import { bindLeft, callKeptInHeader, describesValue, guardItem, guardKeys, knownItems, knownKeys, madeObjectHas, notIterableAsWritten, tooBigToUnroll, type LoopState } from "./for-in-of.js";
import { iterationsLeft, newUniformState, sameStepAgain, UNIFORM_RUN, UNROLLED_FIRST, type UniformState } from "./uniform-iterations.js";
import { statementUnderSourceName } from "./source-names.js";
import { copyableAsWritten, isInert, mayComplete } from "./loop-shapes.js";
import { exitOnDynamicConjuncts } from "./loop-test-exits.js";

declare module "./specializer.js" {
  interface Specializer {
    loop(n: Node, labels: string[]): void;
    iteration(body: Node, labels: string[], before?: () => void): void;
  }
}

const P = Specializer.prototype;

P.loop = function (this: Specializer, n: Node, labels: string[]): void {
  const breakT = this.newTarget({ labels, breakable: true });
  const state: LoopState = { started: false };
  const outerStart = this.out.length;
  this.targets.push(breakT);
  try {
    if (n.type === "ForStatement" && n.init) {
      if (n.init.type === "VariableDeclaration") {
        if (n.init.kind !== "var" && (n.init.declarations as Node[]).some((d) => capturesLoopBinding(this, d.id))) {
          // Each iteration has its own binding, which the evaluator's one slot per variable cannot
          // give: the loop runs as written (its reads of the rest of the function are its
          // residual values, as in a copied closure), and the rest of the function compiles.
          if (!copyableAsWritten(n)) this.fail("UNSUPPORTED", "a closure captures the per-iteration binding of a `for (let …)` loop whose body returns, uses `arguments`, jumps to a label outside it or declares a `var`", n);
          this.emit(this.verbatim(n));
          return;
        }
        this.statement(n.init);
      } else this.drop(this.expr(n.init));
      if (!this.env) return; // the initialiser always threw (see expr)
    }
    let items: Val[] | null = null;
    if (n.type === "ForOfStatement" || n.type === "ForInStatement") {
      if (n.await) this.fail("UNSUPPORTED", "for await", n);
      const emittedBefore = this.out.length;
      const evaluated = this.expr(n.right);
      const inHeader = n.type === "ForOfStatement" && this.out.length === emittedBefore && callKeptInHeader(n.right, evaluated);
      const right = inHeader ? evaluated : this.stable(evaluated, "it");
      if (!this.env) return; // the iterated expression always threw (see expr)
      let keysOf: object | undefined;
      if (n.type === "ForOfStatement") {
        items = knownItems(this, right);
        if (items && right.k === "v" && right.o.kind === "array") state.itemsMade = right;
      }
      else {
        const known = knownKeys(this, right);
        items = known?.keys ?? null;
        keysOf = known?.live;
        if (known?.made) state.keysMade = known.made;
      }
      if (!items && n.type === "ForOfStatement" && right.k === "s" && (right.v === null || typeof right.v !== "object" || right.v === undefined) && typeof right.v !== "string" && typeof right.v !== "function") {
        // Iterating a known non-iterable throws: keep the header as written for the engine's message.
        const header: Node = { type: "ForOfStatement", await: false, left: this.verbatim(n.left), right: this.verbatim(n.right), body: { type: "BlockStatement", body: [] } };
        this.emit(statementUnderSourceName(n.right, header, header.right, (r) => void (header.right = r), this) ?? header);
        this.env = null;
        return;
      }
      const notIterable = !items && !inHeader && n.type === "ForOfStatement" && (right.k !== "s" || (right.v !== null && (typeof right.v === "object" || typeof right.v === "function"))) ? notIterableAsWritten(this, n.right, right) : null;
      const describeValue = !items && !inHeader && n.type === "ForOfStatement" && right.k === "d" && right.e.type === "Identifier" && describesValue(this, n.right);
      if (!items) this.residualLoop(n, labels, breakT, { started: false, right, ...(notIterable ? { notIterable } : {}), ...(describeValue ? { describeValue } : {}) });
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

/** Whether a loop of the function `fnNode` other than `n` holds `n` (nested functions not entered). */
function inAnotherLoop(fnNode: Node, n: Node): boolean {
  let nested = false;
  walk(fnNode, (x) => {
    if (nested || x === n) return false;
    if (x !== fnNode && (x.type === "FunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ArrowFunctionExpression")) return false;
    if (LOOP_TYPES.has(x.type) && x.start <= n.start && n.end <= x.end) nested = true;
    return !nested;
  });
  return nested;
}

/**
 * Variables of the current frame that nothing reads once the loop `n` is done: every read is
 * inside the loop, the loop is in no other loop of its function (nothing runs it again), and no
 * closure captures them. A wrong answer here could only make a later read fail the compile
 * (its slot is gone), never give a stale value.
 */
function slotsDeadAfter(s: Specializer, n: Node): Set<Slot> | null {
  const info = s.frame.info;
  // A fact of the source, asked again at every evaluation of the loop (each unrolled iteration
  // of an enclosing loop, each inlined call): it walked the whole function each time, 213 ms in
  // 3 compiles of jsonpath-plus's path (2% of their CPU), 4 ms after (docs/notes/compile-time.md).
  const known = (info.loopInLoop ??= new Map());
  let nested = known.get(n);
  if (nested === undefined) known.set(n, (nested = inAnotherLoop(info.node, n)));
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
    s.residualLoop(n, labels, breakT, state.items ? { started: true, items: state.items, index: 0, tailIndex: state.tailIndex!, inTail: true, ...(state.source ? { source: state.source } : {}), ...(state.keysOf ? { keysOf: state.keysOf } : {}), ...(state.keysMade ? { keysMade: state.keysMade } : {}), ...(state.itemsMade ? { itemsMade: state.itemsMade } : {}) } : { started: true });
  } finally {
    s.generic = wasGeneric;
  }
}


declare module "./specializer.js" {
  interface Specializer {
    /** Speculative passes of loop iterations running inside one another (drive). */
    nestedLoopPasses?: number;
  }
}

/**
 * Speculative passes of loop iterations that may nest (each runs the rest of its loop). A stack
 * machine's unfrozen 3,201-instruction program nested 640 deep before the compiler's stack ran out
 * and the function fell back; its 801-instruction one reached 602, and the real interpreters of
 * the bench 20 at most (json-logic-js 9, expr-eval 20, mustache 15).
 */
const MAX_NESTED_LOOP_PASSES = 256;

/**
 * In a speculated pass over an unfrozen array or object (`state.guardEach`): the item about to be
 * read (and the array's length), or the key about to be visited, as it was read at entry; else
 * the rest of the loop runs in the shared residual loop from this index.
 */
function checkItemOrLeave(s: Specializer, state: LoopState): void {
  const guards: ContentGuard[] = [];
  if (state.source) {
    guards.push({ obj: state.source, key: "length", value: state.items!.length });
    const item = state.index! < state.items!.length ? state.items![state.index!]! : null;
    if (item && item.k === "s") guards.push({ obj: state.source, key: String(state.index), value: item.v });
  } else if (state.keysOf && state.index! < state.items!.length) {
    guards.push({ obj: state.keysOf, key: (state.items![state.index!] as { v: unknown }).v as string, value: undefined, has: true });
  }
  const test = contentGuardTest(guards, (v) => s.constNode(v), s.options.ownKeysChecks?.check);
  if (!test) return;
  const before = s.env!;
  const leave = s.collect(() => {
    s.env = new Map(before);
    if (state.tailIndex) s.emit({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(state.tailIndex), right: { type: "Literal", value: state.index!, raw: String(state.index!) } } });
    s.jump(state.tail!, "break");
  });
  s.out.push({ type: "IfStatement", test: { type: "UnaryExpression", operator: "!", prefix: true, argument: test }, consequent: { type: "BlockStatement", body: leave }, alternate: null });
  s.env = before;
}

/** What a speculated pass of a loop carries over from the iterations before it (see drive). */
interface Carried {
  uniform: UniformState;
  unrolled: number;
  stop: boolean;
  tests: { before: TestRead | null; now: TestRead | null; fits: boolean };
}

/** A loop test's two numbers (testSides) at the start of one iteration. */
interface TestRead {
  iter: number;
  sides: [number, number];
}

/**
 * Unrolls iterations from `state` on while the test stays static. After
 * foreign code may have run in an iteration, the rest of the loop is
 * speculated on again (speculation.ts): unrolled as before behind a guard,
 * next to the rest as a residual loop.
 */
function drive(s: Specializer, n: Node, labels: string[], breakT: Target, state: LoopState, first: number, carried?: Carried): void {
  const items = state.items ?? null;
  // A speculated pass continues the loop: what the iterations before it emitted counts.
  const uniform = carried ? { ...carried.uniform } : newUniformState();
  let uniformStop = carried ? carried.stop : false;
  let unrolledHere = carried ? carried.unrolled : 0;
  // The loop test's numbers at the start of the last two iterations (iteration, [a, b] of `a < b`),
  // read while the iterations start to look uniform; `fits`: the loop was found to end within the
  // iterations always unrolled.
  let testBefore = carried ? carried.tests.before : null;
  let testNow = carried ? carried.tests.now : null;
  let fits = carried ? carried.tests.fits : false;
  const tripsLeft = (): number | null => {
    if (items) return state.itemsMade || state.keysMade ? null : items.length - state.index!;
    if (!testBefore || !testNow || testNow.iter !== testBefore.iter + 1 || n.test?.type !== "BinaryExpression") return null;
    return iterationsLeft(n.test.operator, testBefore.sides, testNow.sides);
  };
  // The code the iteration just unrolled, for the uniformity check (null: nothing a loop would run).
  const unrolled = (): void => {
    const last = s.out[s.out.length - 1];
    const code = last && !isInert(last) ? last : null;
    unrolledHere++;
    if (!sameStepAgain(uniform, code)) return;
    // Iterations that emit the very same code (no number moves) fold nothing from being unrolled,
    // nor do the first UNROLLED_FIRST of a uniform loop that runs past them (iterationsLeft).
    if (unrolledHere >= UNROLLED_FIRST || uniform.steps!.length === 0) uniformStop = true;
    else if (!fits) {
      const left = tripsLeft();
      if (left !== null && unrolledHere + left > UNROLLED_FIRST) uniformStop = true;
      else if (left !== null) fits = true;
    }
  };
  for (let iter = first; s.env; iter++) {
    if (iter > 0 && !s.foreignRan && state.guardEach && state.tail && (state.source || state.keysOf) && !s.generic) {
      // No foreign code since the last check, but what ran before it may have written items past it
      // (`arr[2] = x` while at the first): the item is checked as it is reached, and a failed check
      // continues in the shared residual loop, as a failed speculation does.
      checkItemOrLeave(s, state);
      if (!s.env) return;
    }
    if (iter > 0 && s.foreignRan && (s.staleMiss || state.source || state.keysOf) && !s.generic && !uniformStop) {
      // Each speculated iteration runs the rest of the loop inside its pass: past this many, the
      // rest is a residual loop, as when the budget runs out, before the compiler's stack does.
      if ((s.nestedLoopPasses ?? 0) >= MAX_NESTED_LOOP_PASSES) {
        s.residualLoop(n, labels, breakT, state);
        return;
      }
      // Each pass starts from this iteration's state (a speculative pass may run twice).
      const at = { ...state };
      const before: Carried = { uniform: { ...uniform }, unrolled: unrolledHere, stop: uniformStop, tests: { before: testBefore, now: testNow, fits } };
      s.forkAnyway = !!(state.source || state.keysOf);
      let forked: boolean;
      try {
        forked = s.speculate(() => {
          // From here on each item is checked as it is reached, foreign code or not: what ran may have
          // written items past the next one (`arr[2] = x` while at the first read 3, sweep18).
          const a = { ...at, guardEach: true };
          if (a.source) guardItem(s, a);
          if (a.keysOf) guardKeys(s, a);
          s.nestedLoopPasses = (s.nestedLoopPasses ?? 0) + 1;
          try {
            drive(s, n, labels, breakT, a, iter, before);
          } finally {
            s.nestedLoopPasses--;
          }
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
      let item: Val;
      if (state.itemsMade && state.itemsMade.k === "v") {
        // The array as it is now: its length and the item at this index.
        const fields = s.fields(state.itemsMade.o);
        if (!fields) {
          s.residualLoop(n, labels, breakT, state);
          return;
        }
        if (state.index! >= fields.size) return;
        item = fields.get(String(state.index!)) ?? UNDEF;
      } else {
        if (state.index! >= items.length) return;
        item = items[state.index!]!;
      }
      if (state.keysMade && state.index! > 0) {
        const has = madeObjectHas(s, state.keysMade, (items[state.index!] as { v: string }).v);
        // Allocated, and maybe changed by code kos does not follow: the rest checks `key in obj`.
        if (has === null) {
          s.residualLoop(n, labels, breakT, state);
          return;
        }
        if (!has) {
          state.index!++;
          continue;
        }
      }
      state.index!++;
      const mark = s.out.length;
      s.iteration(n.body, labels, () => bindLeft(s, n.left, item, n.type === "ForOfStatement"));
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
        const exits = exitOnDynamicConjuncts(s, n.test, breakT);
        if (exits === false) return;
        if (exits === null) {
          s.residualLoop(n, labels, breakT, state);
          return;
        }
      } else {
        p.commit();
        const truthy = p.result.k === "v" ? true : !!(p.result as { v: unknown }).v;
        if (!truthy) return;
        if (!fits && !uniformStop && unrolledHere < UNROLLED_FIRST && uniform.run >= UNIFORM_RUN - 2) {
          const sides = testSides(s, n.test);
          testBefore = testNow;
          testNow = sides ? { iter, sides } : null;
        }
      }
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
 * The two numbers a loop test `a < b` (or `<=`, `>`, `>=`) compares, where each side is a name or a
 * literal read as a static number; null otherwise. Read in a probe that is thrown away.
 */
function testSides(s: Specializer, test: Node): [number, number] | null {
  if (test.type !== "BinaryExpression" || !["<", "<=", ">", ">="].includes(test.operator)) return null;
  const plain = (x: Node) => x.type === "Identifier" || (x.type === "Literal" && typeof x.value === "number");
  if (!plain(test.left) || !plain(test.right)) return null;
  const p = s.probe(() => [s.expr(test.left), s.expr(test.right)] as const);
  p.undo();
  const [a, b] = p.result;
  return a.k === "s" && b.k === "s" && typeof a.v === "number" && typeof b.v === "number" ? [a.v, b.v] : null;
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

