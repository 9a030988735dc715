/**
 * Speculating again after foreign code. Reads of objects kos does not own are
 * folded only while nothing foreign can have run in the call (guarded-reads.ts);
 * after a call to unknown code or a read of a dynamic input (a getter), they
 * would be read at run time, and an interpreter's program would be
 * interpreted again from there on.
 *
 * Instead, the rest of a statement list (or of an unrolling loop) is
 * evaluated twice: once as if nothing had changed, folding reads with their
 * guards collected, and once as it is now (reads at run time, no further
 * speculation). The residual code checks the guards at that point and takes
 * one branch: `if (guards) { specialized rest } else { generic rest }`. Each
 * branch is exact on its own (the generic one is what kos emitted before),
 * so a configuration that a getter changed in the middle of a call gives, for
 * the rest of that call, what the original gives. The branches join where the
 * list ends; values they disagree on become dynamic there.
 *
 * Cost: the generic rest is emitted once per fork, without inlining calls
 * that have nothing static, so code grows with the number of foreign points
 * times the length of what follows them; MAX_FORKS bounds it.
 */
import { countNodes, sameTree, walk, type Node } from "../ast.js";
import type { ContentGuard } from "../content-guards.js";
import { contentGuardStatements } from "../keys-check-statements.js";
import { Specializer, assign, id } from "./specializer.js";
import { D, type Val } from "./values.js";
import { markForeign } from "./foreign-state.js";
import { markGeneric, onGenericPath } from "./fast-path-escapes.js";
import { noteSharedRead } from "./loop-shared-objects.js";
import { beginHintPass, endHintPass, noteSpeculatedEdges } from "./join-hints.js";


declare module "./specializer.js" {
  interface Specializer {
    /** Inside the generic branch of a fork: no speculation there. */
    generic: boolean;
    /** Inside the speculated rest of a fork. */
    inFork?: boolean;
    /** Set by a caller whose own state went stale (a for-of over an unfrozen array). */
    forkAnyway: boolean;
    forks: number;
    /** Syntax nodes of the generic branches emitted so far (they are never nested in one another). */
    genericNodes: number;
    speculate(spec: () => void, generic: () => void, genericCalls?: boolean): boolean;
    speculateValue(compute: () => Val): Val | null;
    speculateValueWith(spec: () => Val, generic: () => Val): Val | null;
    afterForeign(compute: () => Val): Val;
    unfrozenReadsFold(): boolean;
  }
}

/**
 * Forks per compiled function. Measured: expression-eval's 11-node expression
 * forks 14 times; json-logic-js's 12-operator rule about 120 (it compiles in
 * about 90 ms, most of it the generic rests). Beyond this the rest stays
 * generic, as without speculation.
 */
export const MAX_FORKS = 160;
/**
 * Generic branches' total size, in syntax nodes, beyond which no more forks
 * are made, where the compile sets none (compile.ts sets half its total size
 * bound). Each fork copies the rest of its statement list generically:
 * valibot's 9-property schema made 1.4 MB of residual (280-1000 ms to
 * compile) before the size limit of compile.ts sent it back with smaller
 * budgets.
 */
const MAX_GENERIC_NODES = 6_000;

const P = Specializer.prototype;

/**
 * Whether a read of an unfrozen object can still fold from here: before foreign code (behind an
 * entry guard), or where a fork may still re-check it (not in a generic branch, forks left).
 */
P.unfrozenReadsFold = function (this: Specializer): boolean {
  if (!this.foreignRan) return true;
  if (this.generic || this.options.freeze !== "guard") return false;
  return (this.forks ?? 0) < (this.options.maxForks ?? MAX_FORKS) && (this.genericNodes ?? 0) <= (this.options.maxGenericNodes ?? MAX_GENERIC_NODES);
};

/**
 * Runs `spec` speculatively and `generic` as things are, from the current
 * point, when foreign code may have run: see the file comment. Returns false
 * (having done nothing) when there is nothing to speculate on; the caller
 * then continues as usual.
 */
P.speculate = function (this: Specializer, spec: () => void, generic: () => void, genericCalls = false): boolean {
  return fork(this, spec, generic, false, genericCalls) !== null;
};

/**
 * A value computed after foreign code may have run (a call, in an
 * expression): speculated on like a statement list, with the two branches'
 * results joined in one variable. Null when there is nothing to speculate on.
 */
P.speculateValue = function (this: Specializer, compute: () => Val): Val | null {
  return fork(this, compute, compute, true);
};

/**
 * A call or `new` (its callee, arguments and inlined body): speculated on again where foreign
 * code may have run and a guarded read went stale, else computed as it is.
 */
P.afterForeign = function (this: Specializer, compute: () => Val): Val {
  if (this.foreignRan && this.staleMiss && !this.generic) {
    const v = this.speculateValue(compute);
    if (v) return v;
  }
  return compute();
};

/** The same, with a generic evaluation of its own (the rest of an unfolded array method as a loop). */
P.speculateValueWith = function (this: Specializer, spec: () => Val, generic: () => Val): Val | null {
  return fork(this, spec, generic, true);
};

const NO_VALUE: Val = { k: "s", v: undefined };

/** Calls, `new`s and tagged templates written in `list` (nested functions' bodies included). */
function callSites(list: Node[]): number {
  let n = 0;
  for (const st of list) {
    walk(st, (x) => {
      if (x.type === "CallExpression" || x.type === "NewExpression" || x.type === "TaggedTemplateExpression") n++;
    });
  }
  return n;
}

/**
 * `genericCalls`: the generic branch calls the function whose body the speculated one evaluates
 * (the start of an inlined callee, statements.ts restartAsCall), which is inlining of its own.
 */
function fork(s: Specializer, spec: () => Val | void, generic: () => Val | void, wantValue: boolean, genericCalls = false): Val | null {
  // Until an unfrozen object was read there is nothing to gain (frozen configurations): no fork is
  // tried, which keeps their compile time.
  const anyway = s.forkAnyway;
  s.forkAnyway = false;
  if (!s.foreignRan || !(s.staleMiss || anyway) || s.generic || !s.env || s.options.freeze !== "guard") return null;
  if ((s.forks ?? 0) >= (s.options.maxForks ?? MAX_FORKS) || (s.genericNodes ?? 0) > (s.options.maxGenericNodes ?? MAX_GENERIC_NODES)) return null;
  const outerGuards = s.contentGuards;
  try {
    return forkInner(s, spec, generic, wantValue, outerGuards, genericCalls);
  } catch (e) {
    // An inlined call around this point is thrown away (a construct it cannot compile): the guards it
    // collected go with it, and later reads are judged as after foreign code.
    s.contentGuards = outerGuards;
    s.foreignRan = true;
    s.generic = false;
    throw e;
  }
}

function forkInner(s: Specializer, spec: () => Val | void, generic: () => Val | void, wantValue: boolean, outerGuards: ContentGuard[], genericCalls: boolean): Val | null {
  // Virtual objects need nothing here: their states are part of the environment, so each branch
  // starts from the same one and the join reconciles them (Specializer.merge).
  let specVal: Val = NO_VALUE;
  s.dynDepth++;
  let first: ReturnType<Specializer["specPass"]>;
  const outer = s.targets.map((t) => ({ t, edges: t.edges.length }));
  const before = { forks: s.forks ?? 0, genericNodes: s.genericNodes ?? 0, budget: s.budget, inlined: s.framesInlined ?? 0, escapes: s.escapes.length, lengthGuards: s.lengthGuards?.length ?? 0, deferredCalls: s.deferredCalls ?? 0 };
  // Forks made inside this one's speculated rest are nested in it (its miss hook is the outer one).
  const outerFork = !s.inFork;
  s.inFork = true;
  try {
    first = s.specPass(() => {
      specVal = spec() ?? NO_VALUE;
    });
  } finally {
    s.dynDepth--;
    s.inFork = !outerFork;
  }
  const afterSpec = { budget: s.budget, inlined: s.framesInlined ?? 0, escapes: s.escapes.length, lengthGuards: s.lengthGuards?.length ?? 0, edges: outer.map(({ t }) => t.edges.length), deferredCalls: s.deferredCalls ?? 0 };
  // The pass starts as if nothing foreign had run (its reads are guarded here, at the fork), but
  // foreign code ran before it: a path that leaves the pass for a target outside it carries that
  // (foreign-state.ts), or the code after that target would fold on entry guards again.
  for (const { t, edges } of outer) for (let i = edges; i < t.edges.length; i++) if (t.edges[i]!.env) markForeign(t.edges[i]!.env);
  if (first.guards.length === 0 && first.valueTests.length === 0) {
    // Nothing was folded from memory before the first foreign point: this is the generic evaluation.
    for (const st of first.list) s.out.push(st);
    s.contentGuards = outerGuards;
    s.foreignRan = true;
    return specVal;
  }
  const result = wantValue ? s.fresh("v") : null;
  if (result) s.hoistName(result);
  const specEnv = s.env;
  const specLen = freshLength(s, specVal);
  if (result && specEnv) first.list.push(assign(result, s.residualAt({ fix: first.list }, specVal)));
  const specFix: Node[] = [];
  first.list.push({ type: "BlockStatement", body: specFix });
  s.contentGuards = outerGuards;

  s.env = first.base;
  const baseGeneric = onGenericPath(s.env);
  markGeneric(s.env);
  s.foreignRan = true;
  s.generic = true;
  s.dynDepth++;
  let genVal: Val = NO_VALUE;
  let genList: Node[];
  try {
    genList = s.collect(() => {
      genVal = generic() ?? NO_VALUE;
    });
  } finally {
    s.generic = false;
    s.dynDepth--;
  }
  // What each pass evaluated in place: calls inlined, and the unroll budget (loop iterations, statements).
  // A call of a residual version whose body is built later (residual-versions.ts planVersion) runs
  // specialized code where the generic rest calls the library, though nothing was built in the pass.
  const specWork = before.budget - afterSpec.budget + (afterSpec.inlined - before.inlined) + (afterSpec.deferredCalls > before.deferredCalls ? Infinity : 0);
  const genWork = afterSpec.budget - s.budget + ((s.framesInlined ?? 0) - afterSpec.inlined);
  if (!genericCalls && specWork <= genWork && callSites(first.list) >= callSites(genList)) {
    // The speculated rest inlined and unrolled nothing the generic one does not, and folded away
    // none of its calls (expression-eval's member name: the generic rest tests it with a RegExp,
    // 91 against 153 ns a call when that fork was not made): its guards fold only reads (a few
    // loads a run), not worth a copy of the rest. The generic rest alone is
    // emitted, as if the fork had not been tried, and the speculated pass is forgotten: its forks,
    // budget, escapes and jumps. valibot's issue building (`_addIssue`: `context.kind`, `.type`,
    // `.message`, `.reference` read after the foreign `_stringify` and message lookups) made 64 of
    // its 165 forks and 20,293 of its 25,710 generic nodes so, and the bound on those (compile.ts)
    // then left its last properties' `~run` calls in generic loops.
    outer.forEach(({ t, edges }, i) => t.edges.splice(edges, afterSpec.edges[i]! - edges));
    // Its jumps are taken by every call that reaches here, where that is the speculated path (join-hints.ts).
    if (!baseGeneric) for (const { t, edges } of outer) noteSpeculatedEdges(t.edges.slice(edges));
    s.escapes.splice(before.escapes, afterSpec.escapes - before.escapes);
    s.lengthGuards?.splice(before.lengthGuards, afterSpec.lengthGuards - before.lengthGuards);
    s.forks = before.forks;
    s.genericNodes = before.genericNodes;
    s.budget = before.budget - (afterSpec.budget - s.budget);
    s.framesInlined = before.inlined + ((s.framesInlined ?? 0) - afterSpec.inlined);
    s.contentGuards = outerGuards;
    s.foreignRan = true;
    for (const st of genList) s.out.push(st);
    return genVal;
  }
  s.forks = (s.forks ?? 0) + 1;
  s.genericNodes = (s.genericNodes ?? 0) + countNodes({ type: "BlockStatement", body: genList });
  const genEnv = s.env;
  const genLen = genEnv ? freshLength(s, genVal) : undefined;
  if (result && genEnv) genList.push(assign(result, s.residualAt({ fix: genList }, genVal)));
  const genFix: Node[] = [];
  genList.push({ type: "BlockStatement", body: genFix });

  const edges = [];
  if (specEnv) edges.push({ env: specEnv, fix: specFix });
  if (genEnv) edges.push({ env: genEnv, fix: genFix });
  s.env = s.merge(edges);
  s.foreignRan = true;
  const needsFlag = !!result && specLen !== undefined && !(specVal.k === "d" && specVal.arrayFlag) && (!genEnv || genLen !== specLen || (genVal.k === "d" && !!genVal.arrayFlag));
  if (!needsFlag && sameTree(first.list, genList)) {
    // Both branches came out the same (the folded reads changed nothing that was emitted, e.g. a
    // constructor kept as `new C()` on both): no test. Its reads were kos's own, not the program's.
    for (const st of first.list) s.out.push(st);
  } else {
    const flag = (): string => {
      const name = s.fresh("keysOk");
      s.hoistName(name);
      return name;
    };
    const guarded = contentGuardStatements(first.guards, (v) => s.constNode(v), s.options.ownKeysChecks?.check, flag, `${s.prefix}key`);
    // The join values it speculated on are tested first: a plain compare each, before any key walk.
    const valueTest = first.valueTests.reduce<Node | null>((acc, t) => (acc ? { type: "LogicalExpression", operator: "&&", left: acc, right: t } : t), null);
    let before: Node[] = guarded?.before ?? [];
    let test: Node = guarded?.test ?? valueTest!;
    if (valueTest && guarded) {
      // Key walks run only where the values hold (the flag they set is read only then).
      if (before.length) before = [{ type: "IfStatement", test: valueTest, consequent: { type: "BlockStatement", body: before }, alternate: null }];
      test = { type: "LogicalExpression", operator: "&&", left: valueTest, right: test };
    }
    // The generic branch reports that it ran (a call with no argument: FORK_MISS), so that runtime
    // `jit` can specialize again on what the objects hold now (compiler/fork-misses.ts).
    const hook = s.options.forkMissHook;
    // A fork not nested in another is marked: a small version keeps only those (assemble.ts).
    if (hook) genList.unshift({ type: "ExpressionStatement", expression: { type: "CallExpression", optional: false, callee: id(hook), arguments: [] }, ...(outerFork ? { outerFork: true } : {}) });
    s.out.push(...before, { type: "IfStatement", test, consequent: { type: "BlockStatement", body: first.list }, alternate: { type: "BlockStatement", body: genList } });
  }
  if (!result) return NO_VALUE;
  const joined = D(id(result));
  // A prototype hint is checked where it is used (method-guards.ts): the speculated side's will do.
  if (specVal.k === "d" && specVal.proto) joined.proto = specVal.proto;
  else if (specVal.k === "v" && specVal.o.proto) joined.proto = specVal.o.proto;
  // The speculative branch made an Array (an unfolded map): keep that hint, with a flag saying which
  // branch ran unless both did. `fn.apply(thisArg, it)` then spreads it (call-dispatch.ts applySpread).
  const n = specLen;
  if (n !== undefined && !(specVal.k === "d" && specVal.arrayFlag)) {
    joined.arrayLength = n;
    if (!genEnv || genLen !== n || (genVal.k === "d" && genVal.arrayFlag)) {
      const flag = s.fresh("made");
      s.hoistName(flag);
      first.list.splice(first.list.length - 1, 0, assign(flag, { type: "Literal", value: true, raw: "true" }));
      genList.splice(genList.length - 1, 0, assign(flag, { type: "Literal", value: false, raw: "false" }));
      joined.arrayFlag = flag;
    }
  }
  return joined;
}

declare module "./specializer.js" {
  interface Specializer {
    /** `valueTests`: what the variables it read where a join lost their value hold (join-hints.ts). */
    specPass(spec: () => void): { list: Node[]; guards: ContentGuard[]; base: NonNullable<Specializer["env"]>; valueTests: Node[] };
    snapshot(): Snapshot;
    restore(s: Snapshot): void;
  }
}

/** Virtual objects' states are part of `env`: restoring it restores them. */
interface Snapshot { env: NonNullable<Specializer["env"]>; escapes: number; edges: number[]; budget: number; forks: number }

/** One speculative evaluation, with reads folded again (and their guards collected) until foreign code runs. */
P.specPass = function (this: Specializer, spec: () => void) {
  // The environment before the fork is kept as it is (the speculative pass runs on a copy) for the
  // generic branch, which then takes it without another copy.
  const base = this.env!;
  this.env = new Map(base);
  this.foreignRan = false;
  const guards: ContentGuard[] = [];
  this.contentGuards = guards;
  beginHintPass(this, base);
  let list: Node[] = [];
  let valueTests: Node[] = [];
  try {
    list = this.collect(spec);
  } finally {
    valueTests = endHintPass(this);
  }
  return { list, guards, base, valueTests };
};

P.snapshot = function (this: Specializer): Snapshot {
  return { env: new Map(this.env!), escapes: this.escapes.length, edges: this.targets.map((t) => t.edges.length), budget: this.budget, forks: this.forks ?? 0 };
};

/** Forgets a speculative pass: its environment, escapes, the jumps it recorded, the budget it used. */
P.restore = function (this: Specializer, s: Snapshot): void {
  // A copy: the code that runs next writes to it, and a snapshot may be restored more than once.
  this.env = new Map(s.env);
  this.escapes.length = s.escapes;
  this.targets.forEach((t, i) => {
    if (i < s.edges.length) t.edges.length = s.edges[i]!;
  });
  this.budget = s.budget;
  this.forks = s.forks;
};

/** Items of an Array kos allocated (a virtual array, or a hinted one on every path), or undefined; on the current path. */
function freshLength(s: Specializer, v: Val): number | undefined {
  if (v.k === "v" && v.o.kind === "array") {
    noteSharedRead(s, v.o);
    return s.vstate(v.o).props.size;
  }
  return v.k === "d" ? v.arrayLength : undefined;
}
