/**
 * The online partial evaluator: one walk over a function with an abstract
 * environment. Static computations happen now; dynamic ones become residual
 * code, in the original order. This file holds the state and the mechanics
 * every node family shares: residual emission, fresh names and probes;
 * temporaries and the ordering of pending operands (temporaries.ts), jump
 * targets (jump-targets.ts), variables (slots.ts), virtual objects
 * (virtual-objects.ts) and joins (joins.ts) have files of their own. The node
 * families add their methods in their own files (expressions.ts,
 * statements.ts, loops.ts, calls.ts, objects.ts, patterns.ts, verbatim.ts),
 * the way acorn's parser is split; index.ts puts them together.
 */
import { monotonicMs } from "../../intrinsic-clocks.js";
import type { OwnKeysChecks } from "../content-guards.js";
import type { Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { buildLiteral } from "../emit.js";
import type { Variable } from "../analyze/scopes.js";
import type { FreezePolicy } from "../types.js";
import { S, UNDEF, type ArrayFact, type DynamicValue, type Val, type VirtualObject, type VirtualState } from "./values.js";
import { FnInfoCache, type FnInfo } from "./fn-info.js";

/** A binding instance: one variable of one activation (root or inlined call). */
export interface Slot {
  name: string;
  kind: string;
  /** Captured by a nested function: every write is emitted, and it is declared in place. */
  pinned: boolean;
  /** Written after its initialisation somewhere in its function. */
  reassigned: boolean;
  /** Needs a `let name;` at the top of the residual function. */
  hoist: boolean;
  /** Declared already (a parameter, or in place). */
  declared: boolean;
  /**
   * Captured by a nested function, but a `var` of an activation that no
   * residual loop repeats: it is pinned only once a closure that captures it
   * is made (verbatim.ts), on the path that makes it. Interpreters make
   * closures in cases a fixed program never reaches. Parameters stay pinned,
   * unless bound to an object kos allocated (patterns.ts, lazyParameter): with
   * all of them lazy, brace-expansion's `expand` (parameters captured by an
   * inlined arrow) grew a 1.2 MB residual in 34 s of compile.
   */
  lazy?: boolean;
  /** Pinned late, by a closure made on some path: paths evaluated before may hold its value elsewhere. */
  latePinned?: boolean;
  /**
   * Declared in place in the block of an inlined call that has ended (inlining.ts): code after that
   * block cannot name it. Its value is read as the constant it holds, or the code that would name
   * it is not inlined.
   */
  scopeEnded?: boolean;
  /**
   * Its residual name is final: code may name it already (a closure in its own initializer, made
   * before the declaration runs), so declaring it in place must not rename it (nameInPlace).
   */
  keepName?: true;
  /**
   * A lazy `let`/`const` declared inside a residual loop's body: one binding per iteration, so it
   * is declared at the top of that body (residual-loops.ts), not of the function, where every
   * iteration's closures would share it.
   */
  loopHoist?: Slot[];
}

/** What the evaluator knows of a slot at a program point: a value, or null when it lives in its residual variable. */
export interface SlotState {
  val: Val | null;
  /** The residual variable holds `val` too (a guarded parameter): nothing to write when it is needed there. */
  inVar?: boolean;
  /** With `val` null: the `typeof` the variable's value is known to have here (from a test that narrowed it). */
  type?: string;
  /** With `val` null: the variable is known not to hold null here (see DynamicValue.nonNull). */
  nonNull?: true;
  /** With `val` null: the variable holds an Array kos allocated with this many items (see DynamicValue). */
  arrayLength?: number;
  arrayFlag?: string;
  /** With `val` null: what `Array.isArray` gave for the variable's value (see DynamicValue.isArray). */
  isArray?: ArrayFact;
  /** With `val` null: the prototype hint of the value the variable was given (see DynamicValue.proto). */
  proto?: object;
  /** With `val` null: the variable holds the root's own `arguments` (see DynamicValue.ownArguments). */
  ownArguments?: true;
  /** Under a virtual object's key: its state on this path (val is null then). */
  obj?: VirtualState;
}
/** Slots, and virtual objects (their state on this path). Copied at every branch, so each path has its own. */
export type Env = Map<Slot | VirtualObject, SlotState>;

/** A control-flow edge into a join point: the environment and the block where its fix-up assignments go. */
export interface Edge { env: Env; fix: Node[]; value?: Val }

/** Where `break`, `continue` and `return` go. */
export interface Target {
  labels: string[];
  breakable: boolean;
  continuable: boolean;
  isReturn: boolean;
  dynDepth: number;
  label: string | null;
  edges: Edge[];
  /** Continue point of a residual loop: its slots must be in their variables at every jump here. */
  variant?: Set<Slot>;
  /** A residual loop continues natively (`continue L`) rather than by leaving a labeled block. */
  native?: boolean;
}

/**
 * Free-variable lookup for one function. `global: true` says the name is not a binding of any
 * scope the function closes over (it resolves on this realm's global object, or not at all):
 * generated code reading it by name at the same point reads what the original reads.
 * `reached`: the function is a callee or a getter, not the one being compiled; a large script
 * it lives in is then analysed only if it already is (discover/script-registry.ts).
 * `factoryParam`: the binding is a parameter of an enclosing function (not of a module wrapper):
 * each function that factory made holds its own value of it, its configuration.
 */
export type FreeLookup = (fn: Function, name: string, reached?: boolean) => { found: true; value: unknown; stable: boolean; reason?: string; privateRegExp?: true; factoryParam?: true; /** A function declaration's binding. */ declaredFunction?: true } | { found: false; global?: boolean };

/**
 * A private field of a known object (`this.#x` on a specialized receiver), read where generated
 * code cannot reach it: its value, and whether the class's source says it never changes after
 * construction (discover/private-fields.ts). `fn` is the function whose code names `#x`.
 */
export type PrivateLookup = (fn: Function, obj: object, name: string) => { found: true; value: unknown; stable: boolean; reason?: string } | { found: false; reason: string };

export interface Frame {
  info: FnInfo;
  slots: Map<Variable, Slot>;
  thisVal: Val;
  /** Arguments of an inlined call (for `arguments.length` / `arguments[k]`); in the root, null unless its argument count is guarded (index.ts rootArguments). */
  args: Val[] | null;
  root: boolean;
  ret: Target | null;
  depth: number;
  key: string;
  /**
   * The call's signature as inlineCall read it at entry, `this` first then each argument: a
   * constant's type and value, an object's identity, an object kos made with its primitive fields
   * then, or "d" (residual-versions.ts compares levels of a recursion by it).
   */
  signature?: readonly string[];
  /**
   * What `new.target` is here: "root" in the compiled function (undefined: the residual code
   * sends construct calls to the original), the defining frame's in an arrow, else undefined
   * (an inlined call is a call).
   */
  newTarget?: "root" | "unknown";
  /**
   * An inlined call of this known function with simple parameters: a fork at the start of its body
   * (nothing of it has run yet) can take the call itself as its generic branch (statements.ts).
   */
  restartable?: Function;
  /** Residual loops being evaluated where the frame was entered (residual-versions.ts loopedRecursionCall). */
  loopsAtEntry?: number;
  /** Bodies of its function inlined before it on its signature with numbers erased (residual-versions.ts generalizedCall). */
  shapeBodiesAtEntry?: number;
}

/** What compile.ts learns of instances allocated where they escaped inside their own constructor. */
export interface InConstructorAllocations {
  sites: Set<object>;
  firstUsed(): void;
}

/** How often a callee's body was inlined, and the syntax nodes of its source each time, summed (inline-counts.ts). */
export interface InlinedCount {
  times: number;
  nodes: number;
}

export interface SpecializerOptions {
  freeze: FreezePolicy;
  fastmath: boolean;
  unrollBudget: number;
  /** `monotonicMs()` past which the compile stops, with the budget it came from (ms). */
  deadline?: { at: number; budgetMs: number };
  /** Bodies inlined by callee over the compile's attempts (inline-counts.ts), for the deadline's reason. */
  inlinedCounts?: Map<Function, InlinedCount>;
  /** Speculation forks allowed in one compile (speculation.ts has the default). */
  maxForks?: number;
  maxDepth: number;
  lookupFree: FreeLookup;
  /** Private fields of known objects (absent: every `#x` outside kos build falls back). */
  lookupPrivate?: PrivateLookup;
  /** Root-only values from the `scope` option. */
  scope: Record<string, unknown>;
  /** Fold reads of keys absent from unfrozen objects (guarded-reads.ts); off for a compile whose own stores would break those guards. */
  foldAbsent?: boolean;
  /** Keys of objects kos does not own that an earlier attempt's code stored to after folding them (guarded-reads.ts, storesKey): read at run time. */
  stateKeys?: ReadonlyMap<object, ReadonlySet<PropertyKey>>;
  /** Unroll a for-in over an unfrozen object kos does not own, its keys guarded (for-in-of.ts); off for a compile's last, smallest attempt. */
  guardedForIn?: boolean;
  /** Syntax nodes an unrolled guarded for-in may emit before the compile stops (for-in-of.ts); compile.ts then tries again without. */
  forInNodes?: number;
  /** Syntax nodes the generic branches of speculation forks may emit in all (speculation.ts has the default). */
  maxGenericNodes?: number;
  /** The function a fork's generic branch calls with no argument (speculation.ts): runtime `jit` counts those misses. */
  forkMissHook?: string;
  /** Where the guards of a speculation write out their keys checks (content-guards.ts), one per compile. */
  ownKeysChecks?: OwnKeysChecks;
  /** Whether each source statement reads memory (statements.ts, readsMemory), one per compile: a fact about the text, the same in every attempt. */
  readsMemoryOf?: WeakMap<Node, boolean>;
  /** The root, when its `#names` may stay residual (kos build's `privateNames`). */
  privateNamesRoot?: Function;
  /** `new` expressions whose instances escaped in an earlier attempt: made by their constructor, for real. */
  realInstanceSites?: ReadonlySet<object>;
  /** Reads of the root's own `arguments` run no code (own-arguments.ts): compile.ts checks that it never escapes. */
  ownArgumentsKept?: boolean;
  /** Stop the attempt at the first instance kos made itself that escapes on the fast path (InstanceEscaped): compile.ts starts again with that site real. */
  stopAtInstanceEscape?: boolean;
  /** Set: an instance that escapes while its own constructor runs in place is allocated there (fast-path-escapes.ts); `sites` are their `new` expressions, `firstUsed` is called at the first. */
  allocateInConstructor?: InConstructorAllocations;
}

/**
 * Thrown by `escape` under `stopAtInstanceEscape`: the rest of the attempt would be thrown away
 * (compile.ts specializes again with the site made by its constructor), so it ends here.
 * jsonpath-plus's `JSONPath(path, …)` spent 420 ms (warm) in a first attempt that a constructed
 * instance escaped from, and 1 ms in the attempt after it.
 */
export class InstanceEscaped extends Error {
  constructor(readonly site: object) {
    super("an instance kos made escaped");
  }
}

export class Specializer {
  out: Node[] = [];
  env: Env | null = new Map();
  dynDepth = 0;
  /** Evaluating the operand of a `throw`: a cold path, whose calls stay calls (inlining.ts). */
  inThrowOperand = false;
  /** `try` statements being evaluated (a throw inside one may be caught, so what ran before it counts). */
  tryDepth = 0;
  /** Environment entries joined so far, this compile (the cost that grows with inlining depth; see MAX_JOIN_WORK in joins.ts). */
  joinWork = 0;
  /** Calls of checkDeadline since the clock was last read. */
  private deadlineTicks = 0;
  /** For-in loops over unfrozen objects unrolled so far (for-in-of.ts): joins are then bounded lower. */
  guardedForIns = 0;
  targets: Target[] = [];
  frame!: Frame;
  readonly inlineStack: string[] = [];
  readonly hoisted: Slot[] = [];
  readonly used = new Set<string>();
  /** Every name the residual declares so far (root bindings, temporaries, a callee's renamed locals). */
  readonly declared = new Set<string>();
  /** Free names (globals and the like) of the callees inlined so far: the residual must not declare them. */
  readonly inlinedFree = new Set<string>();
  /** Source names already given to a root binding. */
  readonly claimed = new Set<string>();
  /**
   * Residual variables that carry a source binding's own name: engine messages print them
   * ("acc.toFixed is not a function"), so the clean-up must not replace them where a message
   * would (forward-temporaries.ts).
   */
  readonly sourceNames = new Set<string>();
  readonly infos: FnInfoCache;
  /** RegExp objects read from bindings no other code can reach (BindingFacts.privateRegExp): a fact about the object, true on every path. */
  readonly privateRegExps = new Set<unknown>();
  /**
   * Objects kos made and froze at compile time so that folds may read them freely, each with the
   * unfrozen copy the residual code names instead (regexp-calls.ts): no code but the intrinsic test
   * and exec ever receives either, so the copy behaves as the frozen one, and V8 runs a frozen
   * RegExp's test on its slow path (52 against 23 ns a call, Node 20.20.2).
   */
  readonly runtimeCopies = new Map<object, object>();
  /** Virtual objects escaped since a probe began (to undo when the probe is thrown away). */
  escapes: VirtualObject[] = [];
  budget: number;
  prefix: string;
  private nameCounter = 0;
  /** fresh's hints made into identifiers (the same few hints come back thousands of times a compile). */
  private readonly freshBases = new Map<string, string>();
  /**
   * The names `in globalThis` answers true for, taken at this compile's first fresh name: a
   * fresh name must not shadow a global the code reads. `name in globalThis` for each new name
   * cost 1.3 µs (the string internalized, then looked up on the global object; 200,000 names,
   * Node 20.20.2), 2.5% of the real libraries' compiles (19,500 names a round of all ten).
   * Nothing a compile runs defines globals, so one look per compile sees what each would.
   */
  private globalNames: Set<string> | null = null;
  private objectIds = new Map<unknown, number>();
  /** Whether a source statement reads memory (statements.ts, readsMemory): a fact about its text, kept for the compile's attempts. */
  readonly readsMemoryOf: WeakMap<Node, boolean>;
  /** The identifiers and `this` of a source subtree, in walk order (objects.ts, escapeReferencedIn): a fact about its text. */
  readonly referencesIn = new WeakMap<Node, Node[]>();

  constructor(readonly options: SpecializerOptions, prefix: string) {
    this.infos = new FnInfoCache(options.privateNamesRoot ?? null);
    this.readsMemoryOf = options.readsMemoryOf ?? new WeakMap();
    this.budget = options.unrollBudget;
    this.prefix = prefix;
  }

  // ---- names -------------------------------------------------------------

  /**
   * `used` only grows, so a function's words, reserved once, stay reserved: every inlined call
   * reserved its callee's words again (53,000-82,000 words a compile of jsonpath-plus's path:
   * 0.8-1.1% of its CPU; docs/notes/compile-time.md).
   */
  private readonly reservedWordSets = new WeakSet<ReadonlySet<string>>();

  reserveWords(words: ReadonlySet<string>): void {
    if (this.reservedWordSets.has(words)) return;
    this.reservedWordSets.add(words);
    for (const w of words) this.used.add(w);
  }

  /**
   * Whether code of `info` (a callee or a constructor) can be inlined here without one of its free
   * names (a global it reads, `typeof x` of an undeclared one) meaning a variable the residual
   * declared: an inlined `typeof arg` read kos's temporary `arg`, and a helper reading a global
   * `$k_generic` read kos's own (sweep41). On success its free names are kept from later
   * declarations. Called as it is inlined (later callees' names are not known before).
   */
  admitsFreeNames(free: Iterable<string>): boolean {
    const names = [...free];
    if (names.some((n) => this.declared.has(n) || n.startsWith(this.prefix))) return false;
    for (const n of names) this.inlinedFree.add(n);
    return true;
  }

  /** A residual identifier no source word and no other generated name uses. */
  fresh(hint: string): string {
    let base = this.freshBases.get(hint);
    if (base === undefined) {
      base = hint.replace(/[^A-Za-z0-9_$]/g, "_").slice(0, 24) || "t";
      if (/^\d/.test(base)) base = `_${base}`;
      if (RESERVED.has(base)) base = `${base}_`;
      this.freshBases.set(hint, base);
    }
    const globals = (this.globalNames ??= namesOnGlobal());
    if (!this.used.has(base) && !globals.has(base)) {
      this.used.add(base);
      this.declared.add(base);
      return base;
    }
    for (;;) {
      const name = `${base}_${++this.nameCounter}`;
      if (!this.used.has(name) && !globals.has(name)) {
        this.used.add(name);
        this.declared.add(name);
        return name;
      }
    }
  }

  fail(code: ConstructorParameters<typeof JitError>[0], message: string, node?: Node): never {
    // The column travels on the error: kept on the specializer, a failure an inlined call caught
    // (the call stays as written) left its column for a later failure that had none.
    throw new JitError(code, message, node?.loc?.start?.line ?? null, { column: node?.loc?.start?.column ?? null });
  }

  // ---- emission ------------------------------------------------------------

  emit(stmt: Node): void {
    if (this.env) this.out.push(stmt);
  }

  /** Runs `f` with residual statements going to a new list, and returns that list. */
  collect(f: () => void): Node[] {
    const saved = this.out;
    const list: Node[] = [];
    this.out = list;
    try {
      f();
    } finally {
      this.out = saved;
    }
    return list;
  }

  /** A literal for a primitive, or a reference node for an object (materialized by emit.ts). */
  constNode(v: unknown): Node {
    return buildLiteral(v) ?? { type: "KosConst", value: (typeof v === "object" && v !== null && this.runtimeCopies.get(v)) || v, path: null };
  }

  /** Residual expression for an abstract value (virtual objects escape here). */
  residual(x: Val): Node {
    if (x.k === "s") return this.constNode(x.v);
    if (x.k === "d") return x.e;
    return this.escape(x.o);
  }

  // ---- virtual objects ------------------------------------------------------

  /** Virtual objects whose allocation is being built (virtual-objects.ts, escape), and fields that point back to them. */
  readonly allocating = new Set<VirtualObject>();
  readonly backReferences: Array<{ holder: string; key: string; target: VirtualObject }> = [];
  private readonly hoistedNames: string[] = [];

  hoistName(name: string): void {
    this.hoistedNames.push(name);
  }
  /** Where a nested function's declarations start (residual-versions.ts): they are taken out by hoistedSince. */
  hoistMark(): { slots: number; names: number } {
    return { slots: this.hoisted.length, names: this.hoistedNames.length };
  }
  hoistedSince(mark: { slots: number; names: number }): string[] {
    const slots = this.hoisted.splice(mark.slots);
    const names = this.hoistedNames.splice(mark.names);
    return [...new Set([...slots.map((s) => s.name), ...names])];
  }
  hoistedDeclarations(): string[] {
    // Unique: bindings declared in place may share a name (nameInPlace), and be hoisted too.
    return [...new Set([...this.hoisted.map((s) => s.name), ...this.hoistedNames])];
  }

  /** Residual names bound once and never written again (const temporaries, unassigned parameters). */
  readonly immutable = new Set<string>();

  /** Values in flight that joins must keep (an instance its constructor is building: constructors.ts). */
  readonly liveValues: Val[] = [];

  /** The compiled function reads `new.target` (as undefined): its residual code sends `new` to the original. */
  rootNewTarget = false;

  /** Slots no code reads after the join being made (see loops.ts, slotsDeadAfter). */
  deadSlots: Set<Slot> | null = null;

  /** Residual loop bodies being evaluated: one residual binding serves every iteration there. */
  residualLoops = 0;
  /** Per residual loop being evaluated, innermost last: the lazy bindings to declare at the top of its body. */
  readonly loopHoists: Slot[][] = [];
  /** Loop evaluations thrown away because a held object changed (loop-invariants.ts), this compile. */
  heldRetries = 0;

  /**
   * Source names that root bindings declared in place hold (`let fn2 = …` in its own block), by the
   * source variable that holds them. Another evaluation of that declaration (a speculation's copy
   * of a `try` block, a later unrolled iteration) is declared in place too, in another block: it can
   * take the same name, which engine messages then print ("fn2 is not a function", fuzz seed 4092
   * #4627 printed fn2_124). Only names every holder declares in place: a hoisted one may be read
   * from a value kos kept (an immutable temporary), which a block's binding would shadow.
   */
  readonly inPlaceNames = new Map<string, Variable>();

  copyEnv(): Env {
    // Entry by entry, in order: `new Map(env)` goes through the iterator protocol and took 30-40%
    // longer at the 10-100 entries an environment holds (1.36 against 0.97 us at 46, the mean over
    // a compile of sift's query; /tmp/mapcopy3.mjs, Node 20.20.2). Every call kos evaluates takes a
    // copy (a probe), and copies were 4.8% of the CPU of compiling mustache, json-logic-js, sift,
    // jmespath and mingo (ctprobe.mjs).
    const copy: Env = new Map();
    this.env!.forEach(copyEntry, copy);
    return copy;
  }

  /**
   * Stops the compile once it has used its time (`maxCompileMs`). Called at every join and
   * inlined call; the clock is read one call in 64.
   */
  checkDeadline(): void {
    const deadline = this.options.deadline;
    if (!deadline || (++this.deadlineTicks & 63) !== 0) return;
    if (monotonicMs() > deadline.at) {
      this.fail("RESIDUAL_TOO_LARGE", `the specialization took more than its ${deadline.budgetMs} ms (maxCompileMs) before it was done${this.mostInlinedNote()}: it inlines and unrolls more than it can pay back`);
    }
  }

  // ---- probes --------------------------------------------------------------

  /** Runs `f` tentatively; `undo()` restores the environment and discards what it emitted. */
  probe<T>(f: () => T): { result: T; emitted: Node[]; undo: () => void; commit: () => void } {
    const env = this.env ? this.copyEnv() : null;
    const escapesAt = this.escapes.length;
    const marks = this.foreignMarks ?? 0;
    const saved = this.out;
    const list: Node[] = [];
    this.out = list;
    let result: T;
    try {
      result = f();
    } finally {
      this.out = saved;
    }
    return {
      result,
      emitted: list,
      undo: () => {
        // Virtual objects' states are in the environment: restoring it un-escapes them.
        this.env = env;
        this.escapes.length = escapesAt;
        // Not whether foreign code ran (foreign-state.ts): the caller mostly emits what it probed in
        // another form (an optional chain copied as written), whose reads run that code all the same.
        if ((this.foreignMarks ?? 0) !== marks) this.foreignRan = true;
      },
      commit: () => {
        for (const s of list) this.out.push(s);
      },
    };
  }

  objectId(v: unknown): number {
    let n = this.objectIds.get(v);
    if (n === undefined) this.objectIds.set(v, (n = this.objectIds.size + 1));
    return n;
  }

  static readonly UNDEF = UNDEF;
  static readonly S = S;
}

function copyEntry(this: Env, state: SlotState, key: Slot | VirtualObject): void {
  this.set(key, state);
}

export const id = (name: string): Node => ({ type: "Identifier", name });
/** A fix-up block at the end of `list` (where an edge's assignments go before a join), returned. */
export function pushFix(list: Node[]): Node[] {
  const fix: Node[] = [];
  list.push({ type: "BlockStatement", body: fix });
  return fix;
}
export const assign = (name: string, right: Node): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(name), right } });

/** Every string key `in globalThis` finds: the global object's own names and those of its prototypes. */
function namesOnGlobal(): Set<string> {
  const names = new Set<string>();
  for (let o: object | null = globalThis; o !== null; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) names.add(k);
  }
  return names;
}

export const RESERVED = new Set("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined NaN Infinity".split(" "));
