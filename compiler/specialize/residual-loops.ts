/**
 * Residual loops: a loop whose condition is dynamic (or whose unrolling
 * budget ran out) stays a loop. Its body is evaluated once, with the slots
 * the loop assigns in their variables at the head and, where they are only
 * read, objects held virtual across iterations (loop-invariants.ts); every
 * path back to the head puts the slots there again. Where the body allows,
 * it becomes a plain native loop.
 */
import { type Node } from "../ast.js";
import { Specializer, id, type Env, type Slot, type Target } from "./specializer.js";
import { D, UNDEF, type Val, type VirtualObject, type VirtualState } from "./values.js";
import { statementUnderSourceName } from "./source-names.js";
import { foreignSince } from "./foreign-state.js";
import { bindLeft, iteratedAsWritten, skipDeletedKey, type LoopState } from "./for-in-of.js";
import { allocatedOnExits, shareBeforeLoop, sharedHeld, type SharedFrame } from "./loop-shared-objects.js";

declare module "./specializer.js" {
  interface Specializer {
    residualLoop(n: Node, labels: string[], breakT: Target, state: LoopState): void;
    /** A path back to a residual loop's head: its slots go to their variables, its held objects are checked. */
    backEdge(t: Target, variant: Iterable<Slot>): void;
  }
}

const P = Specializer.prototype;

/** Code that may run foreign code (calls, writes through objects): a later iteration sees its effects. */
function mayRunForeignCode(n: Node): boolean {
  let found = false;
  const visit = (x: Node) => {
    if (found || !x || typeof x !== "object") return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (x.type === "KosConst") return;
    if (x.type === "CallExpression" || x.type === "NewExpression" || x.type === "TaggedTemplateExpression" || (x.type === "AssignmentExpression" && x.left.type === "MemberExpression") || (x.type === "UpdateExpression" && x.argument.type === "MemberExpression") || (x.type === "UnaryExpression" && x.operator === "delete") || x.type === "ForOfStatement" || x.type === "ForInStatement") {
      found = true;
      return;
    }
    for (const k of Object.keys(x)) if (k !== "type" && k !== "loc") visit(x[k]);
  };
  visit(n);
  return found;
}

/**
 * Evaluations of one residual loop with objects held virtual before giving up on holding: each
 * round allocates what the last one found written. Three is what a loop that pushes a held object
 * into a held array needs (the array is written in the first round; allocated, it makes the object
 * escape in the second; the third holds).
 */
const HOLD_ROUNDS = 3;
/**
 * Thrown-away loop evaluations per compile, after which loops allocate what they reference, as
 * before holding. fast-safe-stringify's recursive `decirc` (a loop at every level of a recursion
 * on a growing depth) took 21 s to compile without a bound, 0.5 s with it. jmespath's query uses
 * 2; expr-eval and valibot reach 8, and with 32 ran at the same speed (4.82× and 5.04× expr-eval's
 * original, 1.00× and 1.01× valibot's) and compiled in the same 215 ms.
 */
const MAX_HELD_RETRIES = 8;

P.backEdge = function (this: Specializer, t: Target, variant: Iterable<Slot>): void {
  if (!this.env) return;
  for (const s of variant) this.materialize(s);
  this.checkHeld(t);
};

P.residualLoop = function (this: Specializer, n: Node, labels: string[], breakT: Target, state: LoopState): void {
  // A for-in over an object the function made checks each key it listed at run time (`key in obj`,
  // skipDeletedKey): the object is allocated before the loop, in the state the loop starts from.
  if (state.keysMade) this.residual(state.keysMade);
  // Likewise a for-of over an array the function made reads the allocated array's length and items.
  if (state.itemsMade) this.residual(state.itemsMade);
  if (mayRunForeignCode(n)) this.foreignCodeMayRun();
  const sources = [n.test, n.update, n.body, n.left].filter(Boolean);
  // First with the objects it only reads kept virtual (loop-invariants.ts); again with the ones a
  // back edge found changed allocated first; in the end the old way.
  const before = { snap: this.snapshot(), out: this.out.length, foreignRan: this.foreignRan, staleMiss: this.staleMiss, guards: this.contentGuards, guardCount: this.contentGuards?.length ?? 0 };
  const allocate = new Set<VirtualObject>();
  // Held objects the last round saw only allocated (handed out): shared this round, once per loop
  // (loop-shared-objects.ts), in a round of its own: if it fails, the rounds go on as without it.
  let share: Set<VirtualObject> | null = null;
  let rounds = HOLD_ROUNDS;
  for (let round = 0; round < rounds && this.heldRetries < MAX_HELD_RETRIES; round++) {
    const frame: SharedFrame | null = share ? shareBeforeLoop(this, share) : null;
    const held = this.holdVirtualsFor(sources, allocate);
    if (held.size === 0 && !frame) break;
    const edgeMarks = [...new Set([...this.targets, breakT])].map((t) => [t, t.edges.length] as const);
    if (frame) (this.sharedFrames ??= []).push(frame);
    let contT: Target;
    try {
      contT = residualLoopBody.call(this, n, labels, breakT, state, held);
    } finally {
      if (frame) this.sharedFrames!.pop();
    }
    const changed: Set<VirtualObject> | undefined = contT.heldChanged ?? (frame && !sharedHeld(frame) ? new Set(frame.objs) : undefined);
    if (!changed) {
      if (frame) allocatedOnExits(frame, edgeMarks.flatMap(([t, k]) => t.edges.slice(k).map((e) => e.env).filter(Boolean)));
      return;
    }
    // Those only handed out are shared next round, the others allocated; after a round that shared, all are.
    const escapedOnly: VirtualObject[] = rounds > HOLD_ROUNDS ? [] : [...changed].filter((o) => contT.heldEscaped?.has(o));
    this.heldRetries++;
    // The work thrown away still counts against the unrolling budget: a recursive function whose
    // every level holds and retries would otherwise multiply its compile time per level.
    const spent = this.budget;
    this.restore(before.snap);
    this.budget = Math.min(this.budget, spent);
    this.out.length = before.out;
    this.foreignRan = before.foreignRan;
    this.staleMiss = before.staleMiss;
    this.contentGuards = before.guards;
    if (this.contentGuards) this.contentGuards.length = before.guardCount;
    share = escapedOnly.length ? new Set(escapedOnly) : null;
    if (share) rounds++;
    for (const o of changed) if (!share?.has(o)) allocate.add(o);
    if (frame) for (const o of frame.objs) allocate.add(o);
  }
  this.escapeReferencedIn(sources);
  residualLoopBody.call(this, n, labels, breakT, state, null);
};

/** The loop as a residual loop, from the current environment; returns its continue target. */
const residualLoopBody = function (this: Specializer, n: Node, labels: string[], breakT: Target, state: LoopState, held: Map<VirtualObject, VirtualState> | null): Target {
  const variant = this.slotsAssignedIn([n.test, n.update, n.body, n.left].filter(Boolean));
  for (const s of variant) {
    this.materialize(s);
    this.declare(s);
  }
  const label = this.fresh(labels[0] ?? "loop");
  const contT = this.newTarget({ labels, continuable: true, variant: new Set<Slot>(variant), native: true });
  contT.label = label;
  if (held) contT.held = held;
  this.dynDepth++;
  this.residualLoops++;
  const hoists: Slot[] = [];
  this.loopHoists.push(hoists);
  breakT.dynDepth = this.dynDepth - 1;
  this.targets.push(contT);
  // The state the loop starts from, as a copy: the body goes on in `this.env` and may change it in
  // place (a variable copied into its own name for an engine message, `q = q_1`), and a for-of that
  // runs no iteration leaves from this state (tinyqueue's empty queue read `q` never assigned).
  const head = new Map(this.env!);
  // The states taken from the head after the body (its update after a `continue`, its exits) come
  // after any iteration: after whatever foreign code the body ran (foreign-state.ts).
  const marks = this.foreignMarks ?? 0;
  let loopNode: Node;
  // A for-of's iterated value, as the residual holds it (notIterableAsWritten wraps it).
  let iteratedValue: Node | null = null;
  let native: ReturnType<typeof nativeLoop> = null;
  let nativeExit: Env | null = null;
  try {
    if (state.items && state.tailIndex && state.inTail) {
      // The shared tail over known items (or a live unfrozen array), from the index the failed guard set.
      const idx = state.tailIndex;
      const live = state.source ? this.constNode(state.source) : state.itemsMade ? this.residual(state.itemsMade) : null;
      const arr = live ?? this.constNode(Object.freeze(state.items.map((x) => (x as { v: unknown }).v)));
      const itemName = this.fresh("item");
      const body = itemLoopBody(this, n, state, itemName, contT, variant, true);
      body.unshift({ type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: id(itemName), init: { type: "MemberExpression", object: arr, property: id(idx), computed: true, optional: false } }] });
      // A live array's length is read each time, as its iterator does; a known list has its own.
      const len: Node = live ? { type: "MemberExpression", object: { ...live }, property: id("length"), computed: false, optional: false } : { type: "Literal", value: state.items.length, raw: String(state.items.length) };
      loopNode = {
        type: "ForStatement",
        init: null,
        test: { type: "BinaryExpression", operator: "<", left: id(idx), right: len },
        update: { type: "UpdateExpression", operator: "++", prefix: false, argument: id(idx) },
        body: { type: "BlockStatement", body },
      };
    } else if (state.items && (state.source || state.itemsMade)) {
      // An unfrozen array after foreign code (or one the function made): the rest of the for-of reads
      // it as the array iterator does.
      const idx = this.fresh("i");
      this.hoistName(idx);
      const arrNode = (): Node => (state.source ? this.constNode(state.source) : { ...this.residual(state.itemsMade!) });
      const src = arrNode();
      const itemName = this.fresh("item");
      const body = itemLoopBody(this, n, state, itemName, contT, variant, false);
      body.unshift({ type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: id(itemName), init: { type: "MemberExpression", object: src, property: id(idx), computed: true, optional: false } }] });
      loopNode = {
        type: "ForStatement",
        init: { type: "AssignmentExpression", operator: "=", left: id(idx), right: { type: "Literal", value: state.index!, raw: String(state.index!) } },
        test: { type: "BinaryExpression", operator: "<", left: id(idx), right: { type: "MemberExpression", object: arrNode(), property: id("length"), computed: false, optional: false } },
        update: { type: "UpdateExpression", operator: "++", prefix: false, argument: id(idx) },
        body: { type: "BlockStatement", body },
      };
    } else if (state.items) {
      // A known sequence whose unrolling ran out of budget: loop over the rest at run time.
      const rest = state.items.slice(state.index);
      const arr = this.residual({ k: "v", o: this.newVirtual("array", new Map(rest.map((v, i) => [String(i), v]))) });
      const itemName = this.fresh("item");
      const body = itemLoopBody(this, n, state, itemName, contT, variant, true);
      loopNode = { type: "ForOfStatement", await: false, left: { type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: id(itemName), init: null }] }, right: arr, body: { type: "BlockStatement", body } };
    } else if (n.type === "ForOfStatement" || n.type === "ForInStatement") {
      const right = state.right ?? this.expr(n.right);
      // The header's operand is evaluated once, before the body: an object kos made is allocated
      // here, in the state the loop starts from (the body may hold it virtual and change it).
      const iterated = this.residual(right);
      iteratedValue = iterated;
      const rightNode: Node = state.describeValue && iterated.type === "Identifier" ? { type: "LogicalExpression", operator: "&&", left: iterated, right: { ...iterated } } : iterated;
      const itemName = this.fresh("item");
      const body = itemLoopBody(this, n, state, itemName, contT, variant, false);
      loopNode = { type: n.type, await: false, left: { type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: id(itemName), init: null }] }, right: rightNode, body: { type: "BlockStatement", body } };
    } else if ((n.type === "ForStatement" || n.type === "WhileStatement") && (native = nativeLoop(this, n, contT, variant))) {
      loopNode = native.node;
      nativeExit = native.exitEnv;
    } else {
      // for / while / do-while, in the general form `for (;;) { if (!test) break; body: { … } update }`.
      const exitIfNot = (t: Val) => {
        if (t.k === "d") {
          const before = this.env!;
          const exit = this.collect(() => {
            this.env = new Map(before);
            this.jump(breakT, "break");
          });
          this.out.push({ type: "IfStatement", test: { type: "UnaryExpression", operator: "!", prefix: true, argument: t.e }, consequent: { type: "BlockStatement", body: exit }, alternate: null });
          this.env = before;
        } else if (!(t.k === "s" ? t.v : true)) this.jump(breakT, "break");
      };
      const hasUpdate = n.type === "ForStatement" && !!n.update;
      if (hasUpdate || n.type === "DoWhileStatement") {
        contT.native = false;
        contT.label = this.fresh("body");
      }
      // A do-while whose first iteration was unfolded continues with its test first.
      const testFirst = n.type !== "DoWhileStatement" || state.started;
      const body = this.collect(() => {
        if (testFirst && n.test) exitIfNot(this.expr(n.test));
        if (!this.env) return;
        // The end of the body is an edge to the update (or the head): the variables it changes are
        // written there, inside the body's block, after whatever may leave the iteration early.
        // Written after the block was collected, they went before it: `for (…; i = n) { if (!s)
        // break; flag = true; }` set `flag` ahead of the `break` (micromustache's toPath, sweep 10).
        const inner = this.collect(() => {
          this.statement(n.body);
          this.backEdge(contT, variant);
        });
        if (contT.native) {
          this.out.push(...inner);
          return;
        }
        this.out.push({ type: "LabeledStatement", label: id(contT.label!), body: { type: "BlockStatement", body: inner } });
        if (!this.env && contT.edges.length === 0 && !usesLabel(inner, contT.label!, "BreakStatement")) return;
        if (!this.env) {
          this.env = new Map(head);
          foreignSince(this, marks, this.env);
          for (const s of variant) this.env.set(s, { val: null });
        }
        if (hasUpdate) this.drop(this.expr(n.update));
        if (!testFirst && this.env) exitIfNot(this.expr(n.test));
        this.backEdge(contT, variant);
      });
      loopNode = { type: "ForStatement", init: null, test: null, update: null, body: { type: "BlockStatement", body } };
    }
  } finally {
    this.targets.pop();
    this.dynDepth--;
    this.residualLoops--;
    this.loopHoists.pop();
  }
  if (hoists.length) loopNode.body.body.unshift({ type: "VariableDeclaration", kind: "let", declarations: hoists.map((slot) => ({ type: "VariableDeclarator", id: id(slot.name), init: null })) });
  const labeled: Node = { type: "LabeledStatement", label: id(label), body: loopNode };
  // "o is not iterable" names the source's variable, also when the residual reads it from another.
  const named = loopNode.type === "ForOfStatement" && n.type === "ForOfStatement" && !state.items ? statementUnderSourceName(n.right, labeled, loopNode.right, (r) => void (loopNode.right = r), this) : null;
  // Otherwise the loop iterates the value through the helper that words its failure as the source's.
  if (!named && state.notIterable && loopNode.type === "ForOfStatement" && iteratedValue) loopNode.right = iteratedAsWritten(this, iteratedValue, state.notIterable);
  this.out.push(named ?? labeled);
  if (loopNode.type === "ForOfStatement" || loopNode.type === "ForInStatement" || nativeExit || (state.items && (state.source || state.itemsMade || state.inTail))) {
    // Running out of items (or a false test) leaves the loop too: from the head's environment.
    const exitEnv = nativeExit ?? new Map(head);
    foreignSince(this, marks, exitEnv);
    for (const s of variant) exitEnv.set(s, { val: null });
    const fix: Node[] = [];
    this.out.push({ type: "BlockStatement", body: fix });
    breakT.edges.push({ env: exitEnv, fix });
  }
  this.env = null;
  void head;
  void UNDEF;
  return contT;
};


function usesLabel(node: Node, label: string, type: string): boolean {
  let found = false;
  const visit = (x: Node) => {
    // Never into a KosConst: its value is user data (walking it could run getters).
    if (!x || typeof x !== "object" || found || x.type === "KosConst") return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (x.type === type && x.label?.name === label) found = true;
    for (const k of Object.keys(x)) if (k !== "type") visit(x[k]);
  };
  visit(node);
  return found;
}

/**
 * `for (; test; update) body` as such, when the test and the update need no
 * statements of their own and leave the loop's slots in their variables:
 * the readable form, and the one V8's loop analysis knows best.
 */
function nativeLoop(s: Specializer, n: Node, contT: Target, variant: Set<Slot>): { node: Node; exitEnv: Env } | null {
  const tp = s.probe(() => (n.test ? s.expr(n.test) : null));
  if (tp.emitted.length || (tp.result && tp.result.k !== "d") || !s.env) {
    tp.undo();
    return null;
  }
  const afterTest = new Map(s.env);
  let updateNode: Node = null;
  if (n.type === "ForStatement" && n.update) {
    const up = s.probe(() => s.expr(n.update));
    const leavesStatic = [...variant].some((v) => s.env?.get(v)?.val);
    up.undo();
    if (up.emitted.length || leavesStatic || up.result.k !== "d") {
      tp.undo();
      return null;
    }
    updateNode = up.result.e;
  }
  s.env = new Map(afterTest);
  contT.native = true;
  const body = s.collect(() => {
    s.statement(n.body);
    s.backEdge(contT, variant);
  });
  return { node: { type: "ForStatement", init: null, test: tp.result ? (tp.result as { e: Node }).e : null, update: updateNode, body: { type: "BlockStatement", body } }, exitEnv: afterTest };
}

/**
 * The body of a residual loop over items: the item bound from `itemName` (a key deleted since the
 * for-in listed it skipped first, where `skipDeleted`), the loop's body, and the path back to its head.
 */
function itemLoopBody(s: Specializer, n: Node, state: LoopState, itemName: string, contT: Target, variant: Iterable<Slot>, skipDeleted: boolean): Node[] {
  return s.collect(() => {
    if (skipDeleted) skipDeletedKey(s, state, id(itemName), contT);
    bindLeft(s, n.left, D(id(itemName)), n.type === "ForOfStatement");
    if (s.env) s.statement(n.body);
    s.backEdge(contT, variant);
  });
}
