/**
 * The model of one closure binding (closure.ts reads them): what a name's value is, and
 * whether it can change, judged from the script's analysis (script-analysis.ts), from the
 * stack when the value was read, or from the global object's property descriptor. A
 * function's bindings are described lazily, each at its first lookup (ClosureBindings).
 */
import type { BindingKind, BindingFacts } from "./binding-facts.js";
import { INTRINSIC_GLOBALS } from "./intrinsic-globals.js";
import { initialised, type LazyInit } from "./lazy-init.js";
import type { FunctionFacts, FunctionFactsCache } from "./function-facts.js";
import type { RemoteObject } from "./inspector-holder.js";

export interface ClosureBinding {
  name: string;
  /**
   * The value when read (the real object, by reference). Reads are cached per function:
   * for a stable binding this is its value for good; an unstable one is a snapshot,
   * read again with `readClosure(fn, { fresh: true })`.
   */
  value: unknown;
  scope: "closure" | "module" | "script" | "global";
  kind: BindingKind;
  /** The binding is never reassigned after initialisation (per the enclosing script's source): its value, not the object's contents, is fixed. */
  stable: boolean;
  /** Why not stable, naming the binding and the line: "`let count` is reassigned at lib.js:42". */
  unstableReason?: string;
  /** Possibly in its temporal dead zone when read: the inspector shows the TDZ hole as `undefined`, so a let/const/class with an initialiser that reads as undefined is flagged. */
  tdz?: boolean;
  /**
   * Unstable or in its temporal dead zone for now, as the stack or its value stood when read: a
   * later read may find it fixed (its activation returned, its declarator or first use has run).
   */
  revisable?: true;
  /** For scope "global": the value is the intrinsic of that name as it was when kos loaded. */
  builtin?: boolean;
  /** A RegExp literal no code outside its own `.test`/`.exec` calls can reach (BindingFacts.privateRegExp). */
  privateRegExp?: true;
  /** Judged without the script's analysis, which was deferred (a large script): not cached, judged again when asked again. */
  deferred?: true;
}

/**
 * A binding written only by its declaring activation is fixed once that activation has
 * returned: it is not on the stack when the value was read (and cannot be suspended, see
 * ScriptAnalysis.activationOf). An undefined value of a top-level binding stays unstable: it
 * is also what an ES module's binding reads as before its module body has run (a cycle can
 * call into a module whose body has not started, with no frame of it on the stack); and of a
 * `let`, the hole of a declaration its activation returned before. A function's `var` or
 * parameter has neither: once its activation returned, undefined is its value for good
 * (d3-format's `var width = specifier.width`, undefined unless the specifier sets one, kept
 * every format closure without a width from compiling).
 */
function settled(functions: FunctionFactsCache, facts: BindingFacts, ro: RemoteObject, ff: FunctionFacts, frames: Map<string, number[]> | null): boolean {
  const settles = facts.settles!;
  if ((ro.type === "undefined" && (settles.top || facts.kind === "let")) || !frames || !ff.script?.hash) return false;
  const p = functions.parsedFunction(ff);
  if (!p) return false;
  const positions = frames.get(ff.script.hash) ?? [];
  if (!p.analysis.activationRunning(settles, positions)) return true;
  return !!facts.declaredBy && p.analysis.activationPast(settles, facts.declaredBy.end, positions);
}

/**
 * A lazily initialised binding (lazy-init.ts) is fixed once its value passes its test and no
 * frame of its script stands where a write may be running.
 */
function lazilyInitialised(lazy: LazyInit, value: unknown, ff: FunctionFacts, frames: Map<string, number[]> | null): boolean {
  if (!initialised(lazy, value) || !frames || !ff.script?.hash) return false;
  const positions = frames.get(ff.script.hash) ?? [];
  return !positions.some((p) => lazy.ranges.some(([start, end]) => p >= start && p <= end));
}

/** A binding V8 lists in one of the function's scopes (`v8`: the scope's kind, "Closure", "Module", ...). */
export function describeBinding(functions: FunctionFactsCache, name: string, v8: string, ro: RemoteObject, value: unknown, ff: FunctionFacts, frames: Map<string, number[]> | null): ClosureBinding {
  const facts = functions.factsFor(ff, name);
  // A top-level declaration that V8 lists in a Closure scope is a wrapped module's (CommonJS
  // loaded by a path kos did not recognise as CommonJS, e.g. through another loader).
  const scope: ClosureBinding["scope"] = v8 === "Module" ? "module" : v8 === "Script" ? "script" : facts?.declaredIn === "module" || facts?.declaredIn === "script" ? "module" : "closure";
  if (!facts) {
    const where = ff.script ? ff.script.file : "its script";
    return { name, value, scope, kind: "unknown", stable: false, unstableReason: `\`${name}\` has no declaration kos can see in ${where} (${ff.names.has(name) ? "not declared in an enclosing scope of the source" : ff.why})`, ...(ff.deferred ? { deferred: true as const } : {}) };
  }
  const b: ClosureBinding = { name, value, scope, kind: facts.kind, stable: facts.stable };
  if (v8 === "With" || v8 === "Eval") {
    b.stable = false;
    b.unstableReason = `\`${name}\` lives in a ${v8 === "With" ? "`with`" : "direct `eval`"} scope`;
  } else if (!facts.stable && facts.settles && settled(functions, facts, ro, ff, frames)) {
    b.stable = true;
  } else if (!facts.stable && facts.lazyInit && lazilyInitialised(facts.lazyInit, value, ff, frames)) {
    b.stable = true;
  } else if (!facts.stable && facts.lazyInit && !initialised(facts.lazyInit, value)) {
    // Set on first use, and not used yet: the same reason, with what makes it fixed (handlebars'
    // template, `if (!compiled) compiled = compileInput()`, before its first render; sweep33).
    b.unstableReason =
      facts.lazyInit.when === "stored"
        ? `${facts.unstableReason}, where every write stores the same value and it does not hold that value yet (a helper that replaces itself on its first call): call the function once before jit(), or let tiering compile it`
        : `${facts.unstableReason}, where it is set on first use and its value does not pass the test that guards that write yet: call the function once before jit(), or let tiering compile it`;
  } else if (!facts.stable) {
    b.unstableReason = facts.unstableReason;
  }
  if (v8 === "Script" && facts.kind !== "const" && b.stable) {
    // A classic script's top-level `let` or `class` is a binding of the global lexical scope, which
    // every classic script shares: another one may reassign it, which this script's source cannot
    // show (sweep41: a `vm.runInThisContext` script's reassignment went unseen).
    b.stable = false;
    b.unstableReason = `\`${name}\` is a top-level \`${facts.kind}\` of a classic script, which any other script can reassign`;
  }
  if (ro.type === "undefined" && facts.hasInitialiser && !facts.initialisedFirst) b.tdz = true;
  if (facts.privateRegExp && b.stable && value instanceof RegExp) b.privateRegExp = true;
  if ((!b.stable && (facts.settles || facts.lazyInit)) || b.tdz) b.revisable = true;
  return b;
}

/**
 * A free name that reaches the global object: read its descriptor, never a getter.
 * Its declaration kind (a classic script's top-level `var`) is looked up only when asked for.
 */
export function describeGlobal(name: string, facts: () => BindingFacts | null): ClosureBinding | null {
  const d = Object.getOwnPropertyDescriptor(globalThis, name);
  if (!d) return null;
  const b = { name, value: undefined as unknown, scope: "global", kind: "unknown", stable: false } as ClosureBinding;
  let kind: BindingKind | undefined;
  Object.defineProperty(b, "kind", { enumerable: true, get: () => (kind ??= facts()?.kind ?? "unknown") });
  if (!("value" in d)) {
    b.unstableReason = `global \`${name}\` is an accessor property; reading it runs code`;
    return b;
  }
  b.value = d.value;
  b.stable = d.writable === false && d.configurable === false;
  if (!b.stable) b.unstableReason = `global \`${name}\` is a ${d.writable ? "writable" : "configurable"} property of globalThis`;
  if (INTRINSIC_GLOBALS.has(name) && Object.is(INTRINSIC_GLOBALS.get(name), d.value)) b.builtin = true;
  return b;
}

/**
 * A function's bindings, each described at its first lookup (see readUncached); listing
 * them (size, keys, iteration) describes them all. Inner scopes shadow outer ones.
 */
export class ClosureBindings extends Map<string, ClosureBinding> {
  private complete = false;
  private readonly absent = new Set<string>();
  constructor(private readonly source: { describe(name: string): ClosureBinding | null; names(): string[] }) {
    super();
  }
  /** A binding described so far is `revisable`: the next read of the function reads it again (ClosureReader.read). */
  revisable = false;
  override get(name: string): ClosureBinding | undefined {
    if (super.has(name)) return super.get(name);
    if (this.complete || this.absent.has(name)) return undefined;
    const b = this.source.describe(name);
    if (b?.revisable) this.revisable = true;
    if (b && !b.deferred) super.set(name, b);
    else if (!b) this.absent.add(name);
    return b ?? undefined;
  }
  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  private all(): this {
    if (!this.complete) {
      const known = new Map(super.entries());
      super.clear();
      for (const name of this.source.names()) {
        if (super.has(name)) continue;
        const b = known.get(name) ?? this.source.describe(name);
        if (b?.revisable) this.revisable = true;
        if (b) super.set(name, b);
      }
      this.complete = true;
    }
    return this;
  }
  override get size(): number {
    return this.all() && super.size;
  }
  override keys(): MapIterator<string> {
    return this.all() && super.keys();
  }
  override values(): MapIterator<ClosureBinding> {
    return this.all() && super.values();
  }
  override entries(): MapIterator<[string, ClosureBinding]> {
    return this.all() && super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, ClosureBinding]> {
    return this.entries();
  }
  override forEach(cb: (value: ClosureBinding, key: string, map: Map<string, ClosureBinding>) => void, thisArg?: unknown): void {
    this.all();
    super.forEach(cb, thisArg);
  }
}
