/**
 * The online partial evaluator: one walk over a function with an abstract
 * environment. Static computations happen now; dynamic ones become residual
 * code, in the original order. This file holds the state and the mechanics
 * every node family shares: slots and environments, residual emission,
 * ordering of pending operands, jump targets and merges. The node families
 * add their methods in their own files (expressions.ts, statements.ts,
 * loops.ts, calls.ts, objects.ts, patterns.ts, verbatim.ts), the way acorn's
 * parser is split; index.ts puts them together.
 */
import { walk, type Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { buildLiteral } from "../emit.js";
import type { Scope, Variable } from "../analyze/scopes.js";
import type { FreezePolicy } from "../types.js";
import { D, NULL_PROTO, S, UNDEF, sameVal, type ArrayFact, type DynamicValue, type Val, type VirtualObject, type VirtualState } from "./values.js";
import { FnInfoCache, type FnInfo } from "./fn-info.js";

/** A binding instance: one variable of one activation (root or inlined call). */
/**
 * Whether a closure may capture `variable` before its declaration runs: a reference earlier
 * in the source, or one inside a function declaration (hoisted: made at block entry, as
 * jsonpath-plus's `function addRet` over the `const ret` above it is).
 */
export function referencedBeforeDeclaration(variable: Variable): boolean {
  const decl = variable.defs[0]?.name as Node | undefined;
  if (!decl) return true;
  // A closure in the binding's own initialiser (`const visit = (n) => n.kids.map(visit)`) is made before it is bound.
  const init = (variable.defs[0]?.node as Node | undefined)?.init as Node | undefined;
  return variable.references.some((r) => {
    if ((r.identifier as Node).start < decl.start) return true;
    if (init && (r.identifier as Node).start >= init.start && (r.identifier as Node).end <= init.end) return true;
    for (let s: Scope | null = r.from; s && s !== variable.scope; s = s.upper) if ((s.block as Node).type === "FunctionDeclaration") return true;
    return false;
  });
}

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
   * closures in cases a fixed program never reaches. Parameters stay pinned:
   * with them lazy, brace-expansion's `expand` (parameters captured by an
   * inlined arrow) grew a 1.2 MB residual in 34 s of compile.
   */
  lazy?: boolean;
  /** Pinned late, by a closure made on some path: paths evaluated before may hold its value elsewhere. */
  latePinned?: boolean;
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
  /** Under a virtual object's key: its state on this path (val is null then). */
  obj?: VirtualState;
}
/** Slots, and virtual objects (their state on this path). Copied at every branch, so each path has its own. */
export type Env = Map<Slot | VirtualObject, SlotState>;

/** A control-flow edge into a join point: the environment and the block where its fix-up assignments go. */
export interface Edge { env: Env; fix: Node[]; value?: Val }

const DEAD_STATE: VirtualState = Object.freeze({ props: new Map<string, Val>(), residual: null });

/**
 * A slot state for a variable that now holds the dynamic value `x`: its prototype hint, and,
 * with `typed`, what is known of its type (`typeof`, not null), which the variable's reads then
 * carry (read): a closure kos made is a function and never null.
 */
function withFacts(st: SlotState, x: DynamicValue, typed: boolean): SlotState {
  if (x.proto) st.proto = x.proto;
  if (typed && x.type) st.type = x.type;
  if (typed && x.nonNull) st.nonNull = true;
  return st;
}

/** `name.key`, or `name["key"]` for a key that is not an identifier. */
function memberOf(name: string, key: string): Node {
  const plain = /^[A-Za-z_$][\w$]*$/.test(key);
  return { type: "MemberExpression", object: id(name), property: plain ? id(key) : { type: "Literal", value: key, raw: JSON.stringify(key) }, computed: !plain, optional: false };
}

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
export type FreeLookup = (fn: Function, name: string, reached?: boolean) => { found: true; value: unknown; stable: boolean; reason?: string; privateRegExp?: true; factoryParam?: true } | { found: false; global?: boolean };

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
}

export interface SpecializerOptions {
  freeze: FreezePolicy;
  fastmath: boolean;
  unrollBudget: number;
  /** `performance.now()` past which the compile stops, with the budget it came from (ms). */
  deadline?: { at: number; budgetMs: number };
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
  /** Unroll a for-in over an unfrozen object kos does not own, its keys guarded (loops.ts); off for a compile's last, smallest attempt. */
  guardedForIn?: boolean;
  /** Syntax nodes an unrolled guarded for-in may emit before the compile stops (loops.ts); compile.ts then tries again without. */
  forInNodes?: number;
  /** The root, when its `#names` may stay residual (kos build's `privateNames`). */
  privateNamesRoot?: Function;
  /** `new` expressions whose instances escaped in an earlier attempt: made by their constructor, for real. */
  realInstanceSites?: ReadonlySet<object>;
  /** Stop the attempt at the first instance kos made itself that escapes on the fast path (InstanceEscaped): compile.ts starts again with that site real. */
  stopAtInstanceEscape?: boolean;
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

/**
 * Bound on the work of one compile, in environment entries joined at branches (each join visits every
 * variable in scope, so it grows with inlining depth times branching; about 0.45 s per million here).
 * Measured: the nine fixtures join at most 763; the real interpreters' natural uses at most 107,800
 * (sift, 0.6 s); in the package sweep, unspecialized compiles of EventEmitter's emit 1.09 million
 * (1.6 s) and qs.stringify 5.8 million (2.6 s). A recursive JSON Schema validator
 * (@cfworker/json-schema) inlined on schema parts it no longer knew joined 23 million per attempt,
 * 10 s each, three attempts, before the size limit failed it. Past this bound the compile stops at
 * once with RESIDUAL_TOO_LARGE (a retry with smaller budgets joins as much).
 */
const MAX_JOIN_WORK = 8_000_000;
/**
 * The same bound once a for-in over an unfrozen object was unrolled (loops.ts): compile.ts then
 * specializes again with that loop kept, rather than fail. Measured: valibot's 9-property schema
 * joins 48,524 with it; @cfworker/json-schema's 8-property schema passed 8 million in 2.8 s,
 * with every property's recursive validation inlined.
 */
export const MAX_JOIN_WORK_GUARDED_FOR_IN = 1_000_000;

export class Specializer {
  out: Node[] = [];
  env: Env | null = new Map();
  dynDepth = 0;
  /** `try` statements being evaluated (a throw inside one may be caught, so what ran before it counts). */
  tryDepth = 0;
  /** Environment entries joined so far, this compile (the cost that grows with inlining depth; see MAX_JOIN_WORK). */
  joinWork = 0;
  /** Calls of checkDeadline since the clock was last read. */
  private deadlineTicks = 0;
  /** For-in loops over unfrozen objects unrolled so far (loops.ts): joins are then bounded lower. */
  guardedForIns = 0;
  targets: Target[] = [];
  frame!: Frame;
  readonly inlineStack: string[] = [];
  readonly hoisted: Slot[] = [];
  readonly used = new Set<string>();
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
  /** Virtual objects escaped since a probe began (to undo when the probe is thrown away). */
  escapes: VirtualObject[] = [];
  budget: number;
  prefix: string;
  private nameCounter = 0;
  private objectIds = new Map<unknown, number>();

  constructor(readonly options: SpecializerOptions, prefix: string) {
    this.infos = new FnInfoCache(options.privateNamesRoot ?? null);
    this.budget = options.unrollBudget;
    this.prefix = prefix;
  }

  // ---- names -------------------------------------------------------------

  reserveWords(words: Iterable<string>): void {
    for (const w of words) this.used.add(w);
  }

  /** A residual identifier no source word and no other generated name uses. */
  fresh(hint: string): string {
    let base = hint.replace(/[^A-Za-z0-9_$]/g, "_").slice(0, 24) || "t";
    if (/^\d/.test(base)) base = `_${base}`;
    if (RESERVED.has(base)) base = `${base}_`;
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    for (;;) {
      const name = `${base}_${++this.nameCounter}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }

  /** Column (0-based, in the function's text) of the construct the last failure named, for the diagnostic. */
  failColumn: number | null = null;

  fail(code: ConstructorParameters<typeof JitError>[0], message: string, node?: Node): never {
    this.failColumn = node?.loc?.start?.column ?? null;
    throw new JitError(code, message, node?.loc?.start?.line ?? null);
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
    return buildLiteral(v) ?? { type: "KosConst", value: v, path: null };
  }

  /** Residual expression for an abstract value (virtual objects escape here). */
  residual(x: Val): Node {
    if (x.k === "s") return this.constNode(x.v);
    if (x.k === "d") return x.e;
    return this.escape(x.o);
  }

  // ---- virtual objects ------------------------------------------------------

  /** A new virtual object with these fields, known on the current path. */
  newVirtual(kind: VirtualObject["kind"], props: Map<string, Val> = new Map(), proto?: object): VirtualObject {
    const o: VirtualObject = proto ? { kind, proto } : { kind };
    this.env?.set(o, { val: null, obj: { props, residual: null } });
    return o;
  }

  /** What the current path knows of a virtual object. */
  vstate(o: VirtualObject): VirtualState {
    if (!this.env) return DEAD_STATE;
    const st = this.env.get(o)?.obj;
    if (!st) return this.fail("INTERNAL", "a virtual object is used on a path where it was not made");
    return st;
  }

  /** Its fields on the current path, or null once it escaped. */
  fields(o: VirtualObject): ReadonlyMap<string, Val> | null {
    const st = this.vstate(o);
    return st.residual ? null : st.props;
  }

  /** A field store on the current path (a new state: other paths keep theirs). */
  setField(o: VirtualObject, key: string, v: Val): void {
    if (!this.env) return;
    const st = this.vstate(o);
    const props = new Map(st.props);
    props.set(key, v);
    this.env.set(o, { val: null, obj: { props, residual: st.residual } });
  }

  deleteField(o: VirtualObject, key: string): void {
    if (!this.env) return;
    const st = this.vstate(o);
    const props = new Map(st.props);
    props.delete(key);
    this.env.set(o, { val: null, obj: { props, residual: st.residual } });
  }

  /**
   * Allocates a virtual object for real, as a statement here (its fields are
   * literals or stable temporaries, so allocating it early has no effect
   * anyone can see), and returns its variable.
   */
  escape(o: VirtualObject): Node {
    const st = this.vstate(o);
    if (st.residual) return id(st.residual);
    if (!o.name) {
      o.name = this.fresh(o.kind === "array" ? "arr" : "obj");
      this.hoistName(o.name);
    }
    const name = o.name;
    if (!this.env) return id(name);
    this.env.set(o, { val: null, obj: { props: st.props, residual: name } });
    this.escapes.push(o);
    if (!this.generic) {
      o.escapedOnFastPath = true;
      if (o.proto && o.site && this.options.stopAtInstanceEscape) throw new InstanceEscaped(o.site);
    }
    this.allocating.add(o);
    let allocation: Node;
    try {
      allocation = o.proto ? this.instanceAllocation(o.proto, st.props, name) : this.allocation(o.kind, st.props, name);
    } finally {
      this.allocating.delete(o);
    }
    this.out.push({ type: "ExpressionStatement", expression: allocation });
    // Fields of objects allocated while this one was (a cycle: `rt._i = it` with `it.rt = rt`) that
    // point back to it: they were allocated holding undefined there, and get it now.
    for (let i = 0; i < this.backReferences.length; ) {
      const b = this.backReferences[i]!;
      if (b.target !== o) {
        i++;
        continue;
      }
      this.backReferences.splice(i, 1);
      this.out.push({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: memberOf(b.holder, b.key), right: id(name) } });
    }
    return id(name);
  }

  /** Virtual objects whose allocation is being built (escape), and fields that point back to them. */
  private readonly allocating = new Set<VirtualObject>();
  private readonly backReferences: Array<{ holder: string; key: string; target: VirtualObject }> = [];

  /**
   * A field's value in an allocation: a virtual object whose own allocation is still being built
   * (the two refer to each other) is not allocated yet, so the field holds undefined until it is.
   */
  private fieldValue(holder: string, key: string, v: Val): Node {
    if (v.k === "v" && this.allocating.has(v.o)) {
      this.backReferences.push({ holder, key, target: v.o });
      return { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } };
    }
    return this.residual(v);
  }

  private allocation(kind: VirtualObject["kind"], props: ReadonlyMap<string, Val>, name: string): Node {
    const literal: Node =
      kind === "array"
        ? { type: "ArrayExpression", elements: [...props.values()].map((v, i) => this.fieldValue(name, String(i), v)) }
        : {
            type: "ObjectExpression",
            properties: [...props].map(([k, v]) => ({
              type: "Property", kind: "init", method: false, shorthand: false, computed: false,
              key: /^[A-Za-z_$][\w$]*$/.test(k) ? id(k) : { type: "Literal", value: k, raw: JSON.stringify(k) },
              value: this.fieldValue(name, k, v),
            })),
          };
    return { type: "AssignmentExpression", operator: "=", left: id(name), right: literal };
  }

  /**
   * An instance with its prototype: `name = Object.create(P), name.a = x, …`. Its fields were
   * stored only where no object on the prototype chain has the key (guarded), so assigning them
   * defines own data properties in the same order, as the constructor's stores did.
   */
  private instanceAllocation(proto: object, props: ReadonlyMap<string, Val>, name: string): Node {
    const protoNode: Node = proto === NULL_PROTO ? { type: "Literal", value: null, raw: "null" } : this.residual({ k: "s", v: proto });
    const parts: Node[] = [{ type: "AssignmentExpression", operator: "=", left: id(name), right: { type: "CallExpression", optional: false, callee: this.residual({ k: "s", v: Object.create }), arguments: [protoNode] } }];
    for (const [k, v] of props) {
      parts.push({ type: "AssignmentExpression", operator: "=", left: memberOf(name, k), right: this.fieldValue(name, k, v) });
    }
    return parts.length === 1 ? parts[0]! : { type: "SequenceExpression", expressions: parts };
  }

  private readonly hoistedNames: string[] = [];
  hoistName(name: string): void {
    this.hoistedNames.push(name);
  }
  hoistedDeclarations(): string[] {
    // Unique: bindings declared in place may share a name (nameInPlace), and be hoisted too.
    return [...new Set([...this.hoisted.map((s) => s.name), ...this.hoistedNames])];
  }

  /** Residual names bound once and never written again (const temporaries, unassigned parameters). */
  readonly immutable = new Set<string>();

  /**
   * A temporary holding `e`, assigned now and declared at the top of the
   * residual function (a declaration in place could end up in a block that
   * closes before a later use; the clean-up passes move single-use ones back).
   */
  temp(e: Node, hint = "t", type?: string): Val {
    if (isTrivial(e)) return D(e, type);
    const name = this.fresh(hint);
    this.immutable.add(name);
    this.hoistName(name);
    this.emit(assign(name, e));
    return D(id(name), type);
  }

  /** Pins a dynamic value so that it can be used more than once or later. */
  stable(x: Val, hint = "t"): Val {
    if (x.k !== "d" || isTrivial(x.e) || (x.e.type === "Identifier" && this.immutable.has(x.e.name))) return x;
    const t = this.temp(x.e, hint, x.type);
    if (t.k === "d") {
      if (x.closure) t.closure = x.closure;
      if (x.arrayLength !== undefined) t.arrayLength = x.arrayLength;
      if (x.arrayFlag) t.arrayFlag = x.arrayFlag;
      if (x.isArray) t.isArray = x.isArray;
      if (x.proto) t.proto = x.proto;
    }
    return t;
  }

  /**
   * Evaluates operands in order. A dynamic operand is a residual expression
   * not yet evaluated; if a later operand emits statements, the earlier
   * pending ones move into temporaries before those statements, so the
   * residual code keeps the source's order of evaluation.
   */
  evalSeq<T>(items: T[], evalOne: (item: T) => Val): Val[] {
    const vals: Val[] = [];
    const out = this.out;
    for (const item of items) {
      const mark = out.length;
      const v = evalOne(item);
      if (out.length !== mark) this.hoistPending(vals, mark);
      vals.push(v);
    }
    return vals;
  }

  hoistPending(vals: Val[], at: number): void {
    const decls: Node[] = [];
    let written: Set<string> | null = null;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]!;
      if (v.k !== "d" || isTrivial(v.e)) continue;
      if (v.e.type === "Identifier") {
        // A variable the statements in between cannot change keeps its value without a copy:
        // a temporary, or a slot no closure captures that those statements do not assign
        // (`out = out + s` rather than `t = out; …; out = t + s`).
        if (this.immutable.has(v.e.name)) continue;
        written ??= namesWritten(this.out.slice(at));
        if (!written.has(v.e.name) && !written.has("arguments") && this.isUncapturedSlotName(v.e.name)) continue;
      }
      const name = this.fresh("t");
      this.immutable.add(name);
      this.hoistName(name);
      decls.push(assign(name, v.e));
      vals[i] = D(id(name), v.type);
    }
    if (decls.length) this.out.splice(at, 0, ...decls);
  }

  /** A residual variable of a slot of a running frame that no closure captures. */
  isUncapturedSlotName(name: string): boolean {
    for (const f of [this.frame, ...(this.frameStack ?? [])]) {
      for (const slot of f.slots.values()) if (slot.name === name) return !slot.pinned;
    }
    return false;
  }

  // ---- slots -------------------------------------------------------------

  /** Values in flight that joins must keep (an instance its constructor is building: constructors.ts). */
  readonly liveValues: Val[] = [];

  /** The compiled function reads `new.target` (as undefined): its residual code sends `new` to the original. */
  rootNewTarget = false;

  /** Slots no code reads after the join being made (see loops.ts, slotsDeadAfter). */
  deadSlots: Set<Slot> | null = null;

  /** Residual loop bodies being evaluated: one residual binding serves every iteration there. */
  residualLoops = 0;
  /** Loop evaluations thrown away because a held object changed (loop-invariants.ts), this compile. */
  heldRetries = 0;

  newSlot(variable: Variable, kind: string, nameHint?: string, functionScoped = false, blockScoped = false): Slot {
    const info = this.frame.info;
    const captured = info.captured.has(variable);
    // One activation's `var` is one binding in the original too, unless a residual loop
    // runs the activation again (each iteration's closures would then share the residual variable).
    // A `let`/`const` likewise, where no closure can read it before its declaration runs (its
    // temporal dead zone is then never observable): TypeBox's `const knownKeys`, captured by a
    // `valueKeys.every(...)` after the loop over it, kept the loop a loop while pinned.
    const lazy = captured && this.residualLoops === 0 && (functionScoped || (blockScoped && !referencedBeforeDeclaration(variable)));
    const pinned = captured && !lazy;
    // The root function's own variables keep their names where no other binding took them.
    let name: string;
    if (this.frame.root && !nameHint && !this.claimed.has(variable.name) && !RESERVED.has(variable.name)) {
      name = variable.name;
      this.claimed.add(name);
      this.used.add(name);
    } else name = this.fresh(nameHint ?? variable.name);
    if (name === variable.name) this.sourceNames.add(name);
    const slot: Slot = {
      name,
      kind,
      pinned,
      reassigned: info.scopes.isReassigned(variable),
      hoist: false,
      declared: false,
      ...(lazy ? { lazy } : {}),
    };
    this.frame.slots.set(variable, slot);
    return slot;
  }

  /**
   * Source names that root bindings declared in place hold (`let fn2 = …` in its own block), by the
   * source variable that holds them. Another evaluation of that declaration (a speculation's copy
   * of a `try` block, a later unrolled iteration) is declared in place too, in another block: it can
   * take the same name, which engine messages then print ("fn2 is not a function", fuzz seed 4092
   * #4627 printed fn2_124). Only names every holder declares in place: a hoisted one may be read
   * from a value kos kept (an immutable temporary), which a block's binding would shadow.
   */
  private readonly inPlaceNames = new Map<string, Variable>();

  /** Names a root binding about to be declared in place (see inPlaceNames). */
  nameInPlace(slot: Slot, variable: Variable): void {
    const owner = this.inPlaceNames.get(variable.name);
    if (slot.name === variable.name) {
      if (!owner) this.inPlaceNames.set(variable.name, variable);
      return;
    }
    if (owner !== variable) return;
    slot.name = variable.name;
    this.sourceNames.add(slot.name);
  }

  /** Makes sure a slot's residual variable is declared (at the top of the residual function). */
  declare(slot: Slot): void {
    if (slot.declared || slot.hoist) return;
    slot.hoist = true;
    this.hoisted.push(slot);
  }

  read(slot: Slot): Val {
    if (!this.env) return UNDEF; // dead code: an operand before this read always threw (see expr)
    const st = this.env.get(slot);
    if (!st) this.fail("UNSUPPORTED", `'${slot.name}' is read before its declaration (temporal dead zone)`);
    if (st.val) return st.val;
    const d = D(id(slot.name), st.type);
    if (st.nonNull) d.nonNull = true;
    if (st.isArray) d.isArray = st.isArray;
    if (st.proto) d.proto = st.proto;
    if (st.arrayLength !== undefined) {
      d.arrayLength = st.arrayLength;
      if (st.arrayFlag) d.arrayFlag = st.arrayFlag;
    }
    return d;
  }

  /**
   * Puts a slot's current value into its residual variable, if it is not there. With
   * `keepStatic`, a static value stays known as well (for residual code that reads the
   * variable once, here: a verbatim expression); without, the slot becomes dynamic, as a
   * residual loop whose body assigns it needs.
   */
  materialize(slot: Slot, keepStatic = false): void {
    const st = this.env!.get(slot);
    if (!st || !st.val || (slot.pinned && !slot.latePinned)) return;
    if (st.inVar) {
      // Already in its variable (a specialized parameter, or kept static by an earlier copy).
      if (!keepStatic) this.env!.set(slot, { val: null });
      return;
    }
    if (st.val.k === "d" && st.val.e.type === "Identifier" && st.val.e.name === slot.name) return;
    this.declare(slot);
    this.emit(assign(slot.name, this.residual(st.val)));
    // The variable now holds the value: its prototype hint (method-guards.ts) stays with it.
    const hint = st.val.k === "d" ? st.val.proto : st.val.k === "v" ? st.val.o.proto : undefined;
    this.env!.set(slot, keepStatic && st.val.k === "s" ? { val: st.val, inVar: true } : hint ? { val: null, proto: hint } : { val: null });
  }

  /** Assigns a value to a slot (not a declaration). */
  write(slot: Slot, x: Val, node?: Node): void {
    if (!this.env) return; // dead code: the value's expression always threw (see expr)
    if (slot.kind === "const") this.fail("UNSUPPORTED", `assignment to the constant '${slot.name}'`, node);
    if (slot.pinned || x.k === "d") {
      if (!slot.declared) this.declare(slot);
      this.emit(assign(slot.name, this.residual(x)));
      // A prototype hint stays on a captured variable too: it is only a hint (method-guards.ts tests
      // the method it reads), so a closure that reassigns the variable cannot make it wrong.
      const st: SlotState = x.k === "d" && x.arrayLength !== undefined && !slot.pinned ? { val: null, arrayLength: x.arrayLength, ...(x.arrayFlag ? { arrayFlag: x.arrayFlag } : {}) } : x.k === "d" && x.proto ? { val: null, proto: x.proto } : { val: null };
      // A captured variable's type could change behind kos's back (a closure may write it); a local's cannot.
      this.env!.set(slot, x.k === "d" && !slot.pinned ? withFacts(st, x, true) : st);
      return;
    }
    this.env!.set(slot, { val: x });
  }

  /** Declares a slot with its initial value (let/const/var initialisers, parameters). */
  init(slot: Slot, x: Val, declKind: "let" | "const" | "var"): void {
    if (!this.env) return; // dead code (see write)
    if (slot.pinned) {
      // Captured: a real binding in place, so closures see it (and per-iteration copies stay distinct).
      slot.declared = true;
      this.emit({ type: "VariableDeclaration", kind: declKind === "var" ? "let" : declKind, declarations: [{ type: "VariableDeclarator", id: id(slot.name), init: this.residual(x) }] });
      const known = slot.reassigned || x.k === "d" ? null : x;
      // Never written again (by this function or a closure), the binding keeps the value's type for good.
      this.env!.set(slot, !known && x.k === "d" ? withFacts({ val: null }, x, !slot.reassigned) : { val: known });
      return;
    }
    if (x.k === "d" && !isTrivial(x.e) && !(x.e.type === "Identifier" && this.immutable.has(x.e.name))) {
      this.declare(slot);
      if (!slot.reassigned) this.immutable.add(slot.name);
      this.emit(assign(slot.name, x.e));
      this.env!.set(slot, withFacts({ val: null }, x, true));
      return;
    }
    this.env!.set(slot, { val: x });
  }

  // ---- control flow ------------------------------------------------------

  copyEnv(): Env {
    return new Map(this.env!);
  }

  /** An edge from the current point: the environment now, and a fix-up block emitted here. */
  edgeHere(value?: Val): Edge {
    const fix: Node[] = [];
    this.out.push({ type: "BlockStatement", body: fix });
    const e: Edge = { env: this.env!, fix };
    if (value) e.value = value;
    return e;
  }

  /**
   * Joins control-flow edges. A slot keeps a static value only if every
   * edge agrees on it; otherwise each edge that knew a value writes it to the
   * slot's variable in its fix-up block.
   */
  /**
   * Stops the compile once it has used its time (`maxCompileMs`). Called at every join and
   * inlined call; the clock is read one call in 64.
   */
  checkDeadline(): void {
    const deadline = this.options.deadline;
    if (!deadline || (++this.deadlineTicks & 63) !== 0) return;
    if (performance.now() > deadline.at) {
      this.fail("RESIDUAL_TOO_LARGE", `the specialization took more than its ${deadline.budgetMs} ms (maxCompileMs) before it was done: it inlines and unrolls more than it can pay back`);
    }
  }

  merge(edges: Edge[]): Env | null {
    const live = edges.filter((e) => e.env);
    if (live.length === 0) return null;
    if (live.length === 1) return live[0]!.env;
    this.joinWork += live[0]!.env.size * live.length;
    this.checkDeadline();
    if (this.joinWork > (this.guardedForIns ? MAX_JOIN_WORK_GUARDED_FOR_IN : MAX_JOIN_WORK)) {
      this.fail("RESIDUAL_TOO_LARGE", `the specialization joined more than ${MAX_JOIN_WORK} variable states at its branches: it inlines calls on values it does not know too deeply to pay off`);
    }
    const result: Env = new Map();
    const running = new Set<Slot>();
    for (const f of [this.frame, ...(this.frameStack ?? [])]) for (const slot of f.slots.values()) running.add(slot);
    for (const [key, first] of live[0]!.env) {
      if (first.obj) continue;
      const slot = key as Slot;
      // A local of a call that has returned (the join after an inlined body): no code reads it again
      // (closures that capture it keep it pinned), so it needs no value at the join.
      if (!slot.pinned && !running.has(slot)) continue;
      // Untouched since the fork: every edge holds the very state object (environments are
      // copied by reference and states never change in place), so it is the join's too.
      let shared = true;
      for (let i = 1; i < live.length && shared; i++) shared = live[i]!.env.get(slot) === first;
      if (shared) {
        result.set(slot, first);
        continue;
      }
      const states = live.map((e) => e.env.get(slot));
      if (states.some((s) => !s)) continue;
      if (slot.pinned && !slot.latePinned) {
        result.set(slot, states.every((s) => sameVal(s!.val, first.val)) ? first : { val: null });
        continue;
      }
      if (states.every((s) => sameVal(s!.val, first.val))) {
        if (first.val === null) {
          // What every path knows of the variable.
          const t = first.type;
          const n = first.arrayLength;
          const r: SlotState = { val: null };
          if (n !== undefined && states.every((s) => s!.arrayLength === n && s!.arrayFlag === first.arrayFlag)) {
            r.arrayLength = n;
            if (first.arrayFlag) r.arrayFlag = first.arrayFlag;
          }
          if (t && states.every((s) => s!.type === t)) r.type = t;
          if (states.every((s) => s!.nonNull)) r.nonNull = true;
          if (first.proto && states.every((s) => s!.proto === first.proto)) r.proto = first.proto;
          const fact = first.isArray;
          if (fact && states.every((s) => s!.isArray?.value === fact.value && s!.isArray.epoch === fact.epoch)) r.isArray = fact;
          result.set(slot, r);
        } else if (first.val.k === "d" && !states.every((s) => s!.val!.k === "d" && s!.val!.type === (first.val as DynamicValue).type && s!.val!.nonNull === (first.val as DynamicValue).nonNull && s!.val!.isArray === (first.val as DynamicValue).isArray)) {
          // The same variable, narrowed differently on the way: keep only what every path knows.
          const d = D(first.val.e, states.every((s) => (s!.val as DynamicValue).type === (first.val as DynamicValue).type) ? first.val.type : undefined);
          if (states.every((s) => (s!.val as DynamicValue).nonNull)) d.nonNull = true;
          const fact = first.val.isArray;
          if (fact && states.every((s) => (s!.val as DynamicValue).isArray?.value === fact.value && (s!.val as DynamicValue).isArray!.epoch === fact.epoch)) d.isArray = fact;
          result.set(slot, { val: d });
        } else result.set(slot, states.every((s) => s!.inVar) ? first : { val: first.val });
        continue;
      }
      // A variable nothing reads after this join (a loop's cursor) needs no value here: reconciling it
      // would allocate an instance it held on one path (`while (c) { …; c = c.parent }`).
      if (this.deadSlots?.has(slot)) continue;
      for (let i = 0; i < live.length; i++) {
        const st = states[i]!;
        if (st.val && !(st.val.k === "d" && st.val.e.type === "Identifier" && st.val.e.name === slot.name)) {
          live[i]!.fix.push(assign(slot.name, this.residualAt(live[i]!, st.val)));
        }
      }
      this.declare(slot);
      result.set(slot, { val: null });
    }
    this.mergeVirtuals(live, result);
    return result;
  }

  /**
   * Joins what the edges know of virtual objects that exist on all of them.
   * An object that escaped on one path is allocated on the others too, in
   * their fix-up blocks, into the same variable; so is one whose fields
   * differ in shape. Same-shaped objects stay virtual: a field the paths
   * disagree on becomes a variable each path writes. Objects made on some
   * paths only are unreachable after the join (a slot or field that held
   * one on some path only was written to a variable, escaping it there).
   */
  private mergeVirtuals(live: Edge[], result: Env): void {
    const stateAt = (e: Edge, o: VirtualObject) => e.env.get(o)!.obj!;
    const differing: VirtualObject[] = [];
    for (const [key, st] of live[0]!.env) {
      if (!st.obj || !live.every((e) => e.env.get(key)?.obj)) continue;
      const o = key as VirtualObject;
      // The same state on every path needs nothing.
      if (live.every((e) => stateAt(e, o) === st.obj)) result.set(o, st);
      else differing.push(o);
    }
    if (differing.length === 0) return;
    // An object no running frame can reach any more (a finished call's operand stack) is dropped
    // rather than allocated: nothing after the join uses it. (Walked only when some object differs:
    // the walk visits every slot of every running frame on every edge.)
    const reachable = this.reachableVirtuals(live);
    const objs = differing.filter((o) => reachable.has(o));
    if (objs.length === 0) return;
    // Escapes spread (an allocation escapes what its fields hold): repeat until no path allocates more.
    for (let changed = true; changed; ) {
      changed = false;
      for (const o of objs) {
        const states = live.map((e) => stateAt(e, o));
        if (states.every((st) => st.residual)) continue;
        const keys = [...states[0]!.props.keys()];
        const sameShape = states.every((st) => !st.residual && st.props.size === keys.length && keys.every((k) => st.props.has(k)));
        if (!sameShape) {
          live.forEach((e, i) => {
            if (!states[i]!.residual) this.residualAt(e, { k: "v", o });
          });
          changed = true;
          continue;
        }
        for (const k of keys) {
          const vals = states.map((st) => st.props.get(k)!);
          if (vals.every((v) => sameVal(v, vals[0]!))) continue;
          // A field that holds different objects on different paths: those objects are allocated.
          live.forEach((e, i) => {
            const v = vals[i]!;
            if (v.k === "v" && !stateAt(e, v.o).residual) {
              this.residualAt(e, v);
              changed = true;
            }
          });
        }
      }
    }
    for (const o of objs) {
      const states = live.map((e) => stateAt(e, o));
      if (states[0]!.residual) {
        result.set(o, { val: null, obj: states[0]! });
        continue;
      }
      const props = new Map<string, Val>();
      for (const k of states[0]!.props.keys()) {
        const vals = states.map((st) => st.props.get(k)!);
        if (vals.every((v) => sameVal(v, vals[0]!))) {
          props.set(k, vals[0]!);
          continue;
        }
        const t = this.fresh("f");
        this.hoistName(t);
        live.forEach((e, i) => e.fix.push(assign(t, this.residualAt(e, vals[i]!))));
        props.set(k, D(id(t)));
      }
      result.set(o, { val: null, obj: { props, residual: null } });
    }
  }

  /**
   * Virtual objects that the running frames' slots, receivers and arguments
   * reach on some edge, directly or through fields. Values a caller holds
   * while an inlined call runs (a pending operand) have the same state on
   * every edge, since the call cannot reach them.
   */
  reachableVirtuals(live: Edge[]): Set<VirtualObject> {
    const found = new Set<VirtualObject>();
    for (const e of live) {
      const visit = (v: Val | null | undefined) => {
        if (!v || v.k !== "v") return;
        const st = e.env.get(v.o)?.obj;
        if (!st || found.has(v.o)) return;
        found.add(v.o);
        for (const x of st.props.values()) visit(x);
      };
      for (const f of [this.frame, ...(this.frameStack ?? [])]) {
        for (const slot of f.slots.values()) visit(e.env.get(slot)?.val);
        visit(f.thisVal);
        for (const a of f.args ?? []) visit(a);
      }
      for (const v of this.liveValues) visit(v);
    }
    return found;
  }

  /**
   * Residual for a value at an edge: escapes of virtual objects are emitted
   * into that edge's fix-up and recorded in its environment (the current
   * one when the edge has none of its own).
   */
  residualAt(edge: { fix: Node[]; env?: Env }, x: Val): Node {
    const saved = this.out;
    const savedEnv = this.env;
    this.out = edge.fix;
    if (edge.env) this.env = edge.env;
    try {
      return this.residual(x);
    } finally {
      this.out = saved;
      this.env = savedEnv;
    }
  }

  newTarget(partial: Partial<Target>): Target {
    return { labels: [], breakable: false, continuable: false, isReturn: false, dynDepth: this.dynDepth, label: null, edges: [], ...partial };
  }

  labelOf(t: Target): string {
    if (!t.label) t.label = this.fresh(t.labels[0] ?? (t.isReturn ? "ret" : "L"));
    return t.label;
  }

  /** Leaves to a target: records the edge, emits the residual jump if control is dynamic. Afterwards the point is unreachable. */
  jump(t: Target, kind: "break" | "continue", value?: Val): void {
    if (!this.env) return;
    if (t.variant) {
      for (const s of t.variant) this.materialize(s);
      this.checkHeld(t);
      if (!t.native) t.edges.push({ env: this.env, fix: [] });
      this.out.push(t.native ? { type: "ContinueStatement", label: id(this.labelOf(t)) } : { type: "BreakStatement", label: id(this.labelOf(t)) });
      this.env = null;
      return;
    }
    const edge = this.edgeHere(value);
    t.edges.push(edge);
    // Always a residual `break`: other paths may continue after this point in the residual code
    // (the next unrolled iteration after a dynamic `continue`). flattenBlocks drops the ones in tail position.
    this.out.push({ type: "BreakStatement", label: id(this.labelOf(t)) });
    void kind;
    this.env = null;
  }

  /** Runs `body` with `t` as an active target, then joins its edges with the fall-through. */
  withTarget(t: Target, body: () => void): void {
    this.targets.push(t);
    try {
      body();
    } finally {
      this.targets.pop();
    }
    const edges = [...t.edges];
    if (this.env) edges.push(this.edgeHere());
    this.env = this.merge(edges);
  }

  findTarget(kind: "break" | "continue", label: string | null, node: Node): Target {
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i]!;
      if (t.isReturn) break;
      if (label ? t.labels.includes(label) && (kind === "break" ? !t.continuable : t.continuable) : kind === "break" ? t.breakable : t.continuable) return t;
    }
    return this.fail("INTERNAL", `no target for ${kind}${label ? ` ${label}` : ""}`, node);
  }

  // ---- probes --------------------------------------------------------------

  /** Runs `f` tentatively; `undo()` restores the environment and discards what it emitted. */
  probe<T>(f: () => T): { result: T; emitted: Node[]; undo: () => void; commit: () => void } {
    const env = this.env ? this.copyEnv() : null;
    const escapesAt = this.escapes.length;
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

export const id = (name: string): Node => ({ type: "Identifier", name });
export const assign = (name: string, right: Node): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(name), right } });

/** An expression that can be duplicated or moved without changing what it computes (no reads that can change). */
/** Names assigned (or updated) anywhere in `nodes`, nested functions included; "arguments" when it is mentioned. */
function namesWritten(nodes: Node[]): Set<string> {
  const names = new Set<string>();
  for (const n of nodes) {
    walk(n, (x) => {
      if (x.type === "Identifier" && x.name === "arguments") names.add("arguments");
      const target = x.type === "AssignmentExpression" ? x.left : x.type === "UpdateExpression" ? x.argument : x.type === "ForInStatement" || x.type === "ForOfStatement" ? x.left : null;
      if (target) walk(target, (t) => void (t.type === "Identifier" && names.add(t.name)));
    });
  }
  return names;
}

export function isTrivial(e: Node): boolean {
  if (e.type === "Literal") return !e.regex;
  if (e.type === "KosConst") return true;
  // The literal forms buildLiteral makes: -x, void 0, 0/0, 1/0.
  if (e.type === "UnaryExpression" && (e.operator === "-" || e.operator === "void") && e.argument.type === "Literal" && typeof e.argument.value !== "string") return true;
  if (e.type === "UnaryExpression" && e.operator === "-" && e.argument.type === "BinaryExpression") return isTrivial(e.argument);
  return e.type === "BinaryExpression" && e.operator === "/" && e.left.type === "Literal" && e.right.type === "Literal" && typeof e.left.value === "number" && e.right.value === 0;
}

/** Trivial, or an identifier (a variable read: stable as long as nothing writes that variable in between). */
export function isTrivialStable(e: Node): boolean {
  return isTrivial(e) || e.type === "Identifier";
}

const RESERVED = new Set("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined NaN Infinity".split(" "));
