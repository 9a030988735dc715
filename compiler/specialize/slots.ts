/**
 * Slots: the variables of the running frames, as the environment tracks them.
 * A slot holds a static value, a virtual object or a dynamic value (with
 * what is known of it); reads give that value, writes record it, and a slot
 * is given its residual variable (materialized) only where its value must
 * exist at run time.
 */
import type { Node } from "../ast.js";
import type { Scope, Variable } from "../analyze/scopes.js";
import { D, UNDEF, type DynamicValue, type Val } from "./values.js";
import { RESERVED, Specializer, assign, id, type Slot, type SlotState } from "./specializer.js";
import { isTrivial } from "./temporaries.js";
import { hintedRead } from "./join-hints.js";

declare module "./specializer.js" {
  interface Specializer {
    isUncapturedSlotName(name: string): boolean;
    newSlot(variable: Variable, kind: string, nameHint?: string, functionScoped?: boolean, blockScoped?: boolean): Slot;
    nameInPlace(slot: Slot, variable: Variable): void;
    declare(slot: Slot): void;
    read(slot: Slot): Val;
    materialize(slot: Slot, keepStatic?: boolean): void;
    write(slot: Slot, x: Val, node?: Node): void;
    init(slot: Slot, x: Val, declKind: "let" | "const" | "var"): void;
  }
}

const P = Specializer.prototype;

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

/**
 * A slot state for a variable that now holds the dynamic value `x`: its prototype hint, and,
 * with `typed`, what is known of its type (`typeof`, not null), which the variable's reads then
 * carry (read): a closure kos made is a function and never null.
 */
function withFacts(st: SlotState, x: DynamicValue, typed: boolean): SlotState {
  if (x.proto) st.proto = x.proto;
  if (typed && x.type) st.type = x.type;
  if (typed && x.nonNull) st.nonNull = true;
  if (typed && x.ownArguments) st.ownArguments = true;
  return st;
}


/** A residual variable of a slot of a running frame that no closure captures. */
P.isUncapturedSlotName = function (this: Specializer, name: string): boolean {
  for (const f of [this.frame, ...(this.frameStack ?? [])]) {
    for (const slot of f.slots.values()) if (slot.name === name) return !slot.pinned;
  }
  return false;
};

// ---- slots -------------------------------------------------------------

P.newSlot = function (this: Specializer, variable: Variable, kind: string, nameHint?: string, functionScoped = false, blockScoped = false): Slot {
  const info = this.frame.info;
  const captured = info.captured.has(variable);
  // One activation's `var` is one binding in the original too, unless a residual loop
  // runs the activation again (each iteration's closures would then share the residual variable).
  // A `let`/`const` likewise, where no closure can read it before its declaration runs (its
  // temporal dead zone is then never observable): TypeBox's `const knownKeys`, captured by a
  // `valueKeys.every(...)` after the loop over it, kept the loop a loop while pinned.
  // Inside a residual loop, a `let`/`const` whose declaration runs there is a binding of one
  // iteration: lazy too, declared at the top of the loop's body. TypeBox's `const knownKeys` inside
  // its loop over an order's lines kept the loop over each line's keys a loop while pinned: its
  // Value.Check ran at 2.91x the library, 4.40x lazy (CPU medians, one build per process). A `var`
  // is one binding of its activation, which may have started before the loop: it stays pinned there.
  const blockLazy = blockScoped && !referencedBeforeDeclaration(variable);
  const lazy = captured && ((functionScoped && this.residualLoops === 0) || blockLazy);
  const pinned = captured && !lazy;
  // The root function's own variables keep their names where no other binding took them.
  let name: string;
  // Not a block's binding whose name the function also reads as a global elsewhere: hoisted (a `try`
  // keeps the slots its block assigns in variables), it would shadow those reads
  // (`try { const JSON = c; … } …; JSON.stringify(x)`, sweep28 repro-1).
  // Nor a name an inlined callee reads as a global: declared, it would capture those reads.
  if (this.frame.root && !nameHint && !this.claimed.has(variable.name) && !RESERVED.has(variable.name) && !(blockScoped && info.scopes.free.has(variable.name)) && !this.inlinedFree.has(variable.name)) {
    name = variable.name;
    this.claimed.add(name);
    this.used.add(name);
    this.declared.add(name);
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
    ...(lazy && this.residualLoops > 0 ? { loopHoist: this.loopHoists[this.loopHoists.length - 1]! } : {}),
  };
  this.frame.slots.set(variable, slot);
  return slot;
};

/** Names a root binding about to be declared in place (see inPlaceNames). */
P.nameInPlace = function (this: Specializer, slot: Slot, variable: Variable): void {
  const owner = this.inPlaceNames.get(variable.name);
  if (slot.name === variable.name) {
    if (!owner) this.inPlaceNames.set(variable.name, variable);
    return;
  }
  if (owner !== variable || slot.keepName) return;
  // Hoisted already (a `try` keeps the slots its block assigns in variables), the slot may have been
  // written under its old name on another evaluation of this declaration (a speculation's other
  // branch): that name stays declared too. Renamed alone, the top declared the source name and that
  // branch assigned the old one (sweep23: "fl_6 is not defined").
  if (slot.hoist) this.hoistName(slot.name);
  slot.name = variable.name;
  this.sourceNames.add(slot.name);
};

/** Makes sure a slot's residual variable is declared (at the top of the residual function). */
P.declare = function (this: Specializer, slot: Slot): void {
  if (slot.declared || slot.hoist) return;
  slot.hoist = true;
  (slot.loopHoist ?? this.hoisted).push(slot);
};

P.read = function (this: Specializer, slot: Slot): Val {
  if (!this.env) return UNDEF; // dead code: an operand before this read always threw (see expr)
  const st = this.env.get(slot);
  if (!st) this.fail("UNSUPPORTED", `'${slot.name}' is read before its declaration (temporal dead zone)`);
  if (st.val) return st.val;
  if (this.hintPasses?.length) {
    const hinted = hintedRead(this, slot, st);
    if (hinted) return hinted;
  }
  if (slot.scopeEnded) this.fail("UNSUPPORTED", `'${slot.name}' is a binding of an inlined call that has ended (a closure it returned reads it)`);
  const d = D(id(slot.name), st.type);
  if (st.nonNull) d.nonNull = true;
  if (st.isArray) d.isArray = st.isArray;
  if (st.proto) d.proto = st.proto;
  if (st.ownArguments) d.ownArguments = true;
  if (st.arrayLength !== undefined) {
    d.arrayLength = st.arrayLength;
    if (st.arrayFlag) d.arrayFlag = st.arrayFlag;
  }
  return d;
};

/**
 * Puts a slot's current value into its residual variable, if it is not there. With
 * `keepStatic`, a static value stays known as well (for residual code that reads the
 * variable once, here: a verbatim expression); without, the slot becomes dynamic, as a
 * residual loop whose body assigns it needs.
 */
P.materialize = function (this: Specializer, slot: Slot, keepStatic = false): void {
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
};

/** Assigns a value to a slot (not a declaration). */
P.write = function (this: Specializer, slot: Slot, x: Val, node?: Node): void {
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
};

/** Declares a slot with its initial value (let/const/var initialisers, parameters). */
P.init = function (this: Specializer, slot: Slot, x: Val, declKind: "let" | "const" | "var"): void {
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
  // A function expression given lazy (lazy-closures.ts) is made only where its code is needed.
  if (x.k === "d" && !x.lazyClosure && !isTrivial(x.e) && !(x.e.type === "Identifier" && this.immutable.has(x.e.name))) {
    this.declare(slot);
    if (!slot.reassigned) this.immutable.add(slot.name);
    this.emit(assign(slot.name, x.e));
    this.env!.set(slot, withFacts({ val: null }, x, true));
    return;
  }
  this.env!.set(slot, { val: x });
};

// ---- control flow ------------------------------------------------------
