/**
 * The values a function closes over, read in-process and synchronously through
 * `node:inspector`: `Runtime.getProperties` on the function's `[[Scopes]]`
 * lists each scope's bindings (V8 lists only context-allocated ones, i.e. the
 * ones some closure captures, which includes every free name of `fn`).
 * Whether a binding can change comes from the script's own source
 * (script-analysis.ts); the live value comes back by reference.
 *
 * Cost, medians printed by test/compiler/discover/closure-cost.test.ts (Node 20.20.2,
 * this 2-core machine under a load average near 7, so read them as ranges over 4 runs):
 *   5 bindings: new script in a new task 11-33 ms (Debugger.enable replays every loaded
 *   script), new script in the same task 1.2-8 ms, another function of a parsed script
 *   0.4-0.5 ms, a fresh re-read 0.24-0.32 ms, a cached read 2 µs;
 *   50 bindings: 15-51 ms, 6-22 ms, 0.6-1.1 ms, 0.46-0.70 ms, 2 µs.
 * Hence everything is cached: per function (values and verdicts), per script (source,
 * line index, and the parsed tree for the 8 most recently used scripts). Verdicts are
 * found at a binding's first lookup: a read alone (values, no script analysis) is
 * 0.2-0.5 ms, so a function whose free names are all globals never enables the debugger.
 */
import { JitError } from "../jit-error.js";
import { openSession, type InspectorLoader, type SyncSession } from "./inspector-session.js";
import { ScriptRegistry } from "./script-registry.js";
import { stackPositions } from "./stack-positions.js";
import { privateFieldFacts, type PrivateFieldFacts } from "./private-fields.js";
import { InspectorHolder, type InternalProperty, type PropertyDescriptor_, type RemoteObject } from "./inspector-holder.js";
import { readBoundParts, type BoundParts } from "./bound-parts.js";
import { FunctionFactsCache, type FunctionLocation } from "./function-facts.js";
import { ClosureBindings, describeBinding, describeGlobal, type ClosureBinding } from "./closure-bindings.js";
import type { BindingFacts } from "./binding-facts.js";

export type { BindingKind } from "./binding-facts.js";
export type { ClosureBinding } from "./closure-bindings.js";
export type { FunctionLocation } from "./function-facts.js";

export type { BoundParts } from "./bound-parts.js";

export type ClosureInfo =
  | { ok: true; bindings: Map<string, ClosureBinding>; location: FunctionLocation | null; /** Bindings the read found in the function's scopes. */ size?: number }
  | { ok: false; code: "INSPECTOR_UNAVAILABLE" | "NO_SCOPES"; reason: string };

export interface ReadOptions {
  /** Read the values again instead of returning the cached read (the source analysis stays cached). */
  fresh?: boolean;
}

export type PrivateFieldRead = { found: true; value: unknown; stable: boolean; reason?: string } | { found: false; reason: string };

/**
 * Reads closures for one thread. The caches live here, not at module level, so
 * a caller (or a test) can hold its own reader; `readClosure` uses one
 * per-thread default reader, because a function's closure belongs to its isolate.
 */
/** See ClosureReader's largeThisCompile. */
const LARGE_CLOSURE = 100;

export class ClosureReader {
  private session: SyncSession | null = null;
  private unavailable: { code: "INSPECTOR_UNAVAILABLE"; reason: string } | null = null;
  /** The holder values pass through to and from the inspector (inspector-holder.ts). */
  private readonly remote = new InspectorHolder();
  private readonly closures = new WeakMap<Function, { info: ClosureInfo; compile: number }>();
  /**
   * Reads of more than LARGE_CLOSURE bindings, kept until the compile ends (releaseDebugger), not
   * for as long as the function lives: each read holds every binding of every scope the function
   * closes over (and what the compile described of them), so every function read in a large module
   * held its own copy of the module's. The package sweep compiled ts-morph's functions until the
   * process ran out of its 4 GB heap at about 80 s. Compiling 1,500 of them one after another
   * (.scratch/tsmem.mjs, heap after a forced GC): 390 MB and 9.9 s with every read kept, 174 MB
   * and 10.4 s with reads of more than 100 bindings dropped after each compile, 172 MB and 10.5 s
   * with all of them dropped: a read is reused within a compile, seldom across compiles.
   */
  private readonly largeThisCompile = new Map<Function, { info: ClosureInfo; compile: number }>();
  /** Compiles ended so far (releaseDebugger): a revisable read is read again once per compile. */
  private compiles = 0;
  /** Where each function read lives and the verdicts on its names (function-facts.ts). */
  private readonly functions = new FunctionFactsCache();

  constructor(private readonly loader?: InspectorLoader) {}

  private connect(): SyncSession | null {
    if (this.session || this.unavailable) return this.session;
    const r = openSession(this.loader);
    if (r.ok) {
      this.session = r.session;
      this.functions.registry = new ScriptRegistry(r.session);
    } else this.unavailable = { code: r.code, reason: r.reason };
    return this.session;
  }

  /** See releaseDebugger. */
  releaseDebugger(): void {
    this.compiles++;
    this.largeThisCompile.clear();
    this.functions.registry?.release();
  }

  /** Whether discovery has the debugger on now (for tests). */
  get debugging(): boolean {
    return this.functions.registry?.debugging ?? false;
  }

  read(fn: Function, options?: ReadOptions): ClosureInfo {
    if (typeof fn !== "function") return { ok: false, code: "NO_SCOPES", reason: `expected a function, got ${fn === null ? "null" : typeof fn}` };
    const cached = options?.fresh ? undefined : this.closures.get(fn) ?? this.largeThisCompile.get(fn);
    // A read that found a binding not fixed yet (revisable) is not the last word: a later compile
    // reads again (sweep48: `jit()` refused before `var conf = …` had run, and refused after too),
    // once, not at each of its lookups.
    if (cached && (cached.compile === this.compiles || !(cached.info.ok && cached.info.bindings instanceof ClosureBindings && cached.info.bindings.revisable))) return cached.info;
    const session = this.connect();
    if (!session) return { ok: false, code: this.unavailable!.code, reason: this.unavailable!.reason };
    let info: ClosureInfo;
    try {
      info = this.readUncached(session, fn);
    } catch (e) {
      info = { ok: false, code: "INSPECTOR_UNAVAILABLE", reason: `the inspector failed while reading ${fn.name || "an anonymous function"}: ${(e as Error).message}` };
    }
    (info.ok && (info.size ?? 0) > LARGE_CLOSURE ? this.largeThisCompile : this.closures).set(fn, { info, compile: this.compiles });
    return info;
  }

  /**
   * What a bound function binds: its target, `this` and leading arguments (V8's
   * [[TargetFunction]], [[BoundThis]], [[BoundArgs]]); null for any other
   * function or without the inspector.
   */
  bound(fn: Function): BoundParts | null {
    if (typeof fn !== "function") return null;
    const session = this.connect();
    return session ? readBoundParts(session, this.remote, fn) : null;
  }

  /** Runs `f` with large scripts analysed only if they already are. */
  withoutLargeScripts<T>(f: () => T): T {
    const saved = this.functions.largeScripts;
    this.functions.largeScripts = false;
    try {
      return f();
    } finally {
      this.functions.largeScripts = saved;
    }
  }

  /**
   * The private field `#name` of `obj` as the function `fn` names it: its value (from
   * `Runtime.getProperties`' privateProperties, by reference) and whether it is fixed
   * (private-fields.ts, then the constructor not on the stack).
   */
  privateField(fn: Function, obj: object, name: string): PrivateFieldRead {
    const session = this.connect();
    if (!session) return { found: false, reason: "the inspector is unavailable" };
    const facts = this.privateFacts(fn, name);
    if (!facts.ok) return { found: false, reason: facts.reason };
    const f = facts.facts;
    if (f.member !== "field" && f.member !== "static field") return { found: false, reason: f.reason ?? `#${name} is not a field` };
    if (!f.stable) return { found: true, value: undefined, stable: false, reason: f.reason ?? "" };
    try {
      return this.remote.withHolder(session, (post, holderId): PrivateFieldRead => {
        if (!holderId) return { found: false, reason: "globalThis is not extensible, so no object can be handed to the inspector" };
        const own = (post<{ privateProperties?: Array<{ name: string; value?: RemoteObject }> }>("Runtime.getProperties", { objectId: this.remote.remoteId(post, holderId, obj), ownProperties: true }).privateProperties ?? []).filter((p) => p.name === `#${name}`);
        if (own.length === 0) return { found: false, reason: `the object has no #${name}` };
        // Two classes of its chain each declare #name: the inspector does not say which is which.
        if (own.length > 1 || !own[0]!.value) return { found: false, reason: `${own.length} classes of the object's chain declare #${name}` };
        const [value] = this.remote.fetchValues(post, holderId, [own[0]!.value]);
        if (f.settles) {
          const frames = stackPositions();
          const ff = this.functions.get(fn);
          const p = ff ? this.functions.parsedFunction(ff) : null;
          if (!frames || !p || !ff?.script?.hash || p.analysis.activationRunning(f.settles, frames.get(ff.script.hash) ?? [])) {
            return { found: true, value, stable: false, reason: `#${name} is read while its constructor may still be running` };
          }
        }
        return { found: true, value, stable: true };
      });
    } catch (e) {
      return { found: false, reason: `the inspector failed: ${(e as Error).message}` };
    }
  }

  /** The class source's verdict on `#name` as `fn` names it, cached with the function's facts. */
  private privateFacts(fn: Function, name: string): { ok: true; facts: PrivateFieldFacts } | { ok: false; reason: string } {
    const r = this.read(fn);
    if (!r.ok) return { ok: false, reason: r.reason };
    void r.location; // finds the function in its script
    const ff = this.functions.get(fn);
    if (!ff) return { ok: false, reason: "V8 gives no location for the function" };
    const known = ff.privates?.get(name);
    if (known) return { ok: true, facts: known };
    const p = this.functions.parsedFunction(ff);
    if (!p) return { ok: false, reason: ff.why || "its script could not be analysed" };
    const a = p.analysis;
    const facts = privateFieldFacts(a.ast, p.node, name, (offset) => `${a.fileLabel}:${a.lines.positionOf(offset).line + a.lineOffset}`);
    (ff.privates ??= new Map()).set(name, facts);
    return { ok: true, facts };
  }

  location(fn: Function): FunctionLocation | null {
    if (typeof fn !== "function") return null;
    const known = this.functions.get(fn);
    if (known) return known.location;
    const r = this.read(fn);
    return r.ok ? r.location : null;
  }

  /** Whether `fn`'s code is strict, read from its script; null when the script cannot be read. */
  strictness(fn: Function): boolean | null {
    if (typeof fn !== "function") return null;
    if (!this.functions.has(fn)) {
      const r = this.read(fn);
      if (!r.ok) return null;
      void r.location; // the facts are found on demand
    }
    const ff = this.functions.get(fn);
    const p = ff ? this.functions.parsedFunction(ff) : null;
    return p ? p.analysis.isStrictAt(p.node) : null;
  }

  /** The text of 1-based `line` of the file `fn` lives in (the script V8 runs), or null. */
  sourceLine(fn: Function, line: number): string | null {
    if (typeof fn !== "function") return null;
    if (!this.functions.has(fn)) {
      const r = this.read(fn);
      if (r.ok) void r.location; // the facts are found on demand
    }
    const f = this.functions.get(fn);
    if (!f?.script?.lines) return null;
    return f.script.lines.lineText(line - f.script.startLine - 1);
  }

  private readUncached(session: SyncSession, fn: Function): ClosureInfo {
    return this.remote.withHolder(session, (post, holderId): ClosureInfo => {
      if (!holderId) return { ok: false, code: "INSPECTOR_UNAVAILABLE", reason: "globalThis is not extensible, so no object can be handed to the inspector" };
      const fnId = this.remote.remoteId(post, holderId, fn);
      const internals = post<{ internalProperties?: InternalProperty[] }>("Runtime.getProperties", { objectId: fnId, ownProperties: true }).internalProperties ?? [];
      const scopesRO = internals.find((p) => p.name === "[[Scopes]]")?.value;
      const locRO = internals.find((p) => p.name === "[[FunctionLocation]]")?.value?.value;
      if (!locRO && !internals.some((p) => p.name === "[[TargetFunction]]")) {
        return { ok: false, code: "NO_SCOPES", reason: `${fn.name || "the function"} is a native function: it has no source and closes over nothing` };
      }
      if (!scopesRO?.objectId) {
        const what = internals.some((p) => p.name === "[[TargetFunction]]") ? "a bound function" : "a native function or one without scopes";
        return { ok: false, code: "NO_SCOPES", reason: `${fn.name || "the function"} is ${what}: V8 lists no [[Scopes]] for it` };
      }

      const scopeList = post<{ result: PropertyDescriptor_[] }>("Runtime.getProperties", { objectId: scopesRO.objectId, ownProperties: true }).result.filter((p) => /^\d+$/.test(p.name));
      const found: Array<{ name: string; v8: string; ro: RemoteObject; value?: { v: unknown } }> = [];
      const seen = new Set<string>();
      let reachesGlobal = false;
      // Each scope as V8 hands it to the inspector: `{ description, object }`, `object` holding the
      // scope's variables as data properties. Read here, they make no remote objects: describing a
      // value for the protocol looks up `splice` on it (V8's array-like test), which ran a proxy's
      // `get` trap or a getter of the program's at each tier-up (sweep31 repro-2). Where a scope is
      // not so shaped (another V8), its variables are read through the protocol as before.
      const scopes = this.remote.fetchValues(post, holderId, scopeList.map((entry) => entry.value ?? { type: "undefined" }));
      scopeList.forEach((entry, i) => {
        const v8 = (entry.value?.description ?? "").split(" ")[0]!;
        if (v8 === "Global") {
          reachesGlobal = true;
          return;
        }
        if (!entry.value?.objectId) return;
        const variables = scopeVariables(scopes[i]);
        if (variables) {
          for (const [name, value] of variables) {
            if (seen.has(name)) continue; // inner scopes shadow outer ones
            seen.add(name);
            found.push({ name, v8, ro: { type: value === undefined ? "undefined" : typeof value }, value: { v: value } });
          }
          return;
        }
        const props = post<{ result: PropertyDescriptor_[] }>("Runtime.getProperties", { objectId: entry.value.objectId, ownProperties: true }).result;
        for (const p of props) {
          if (!p.value || seen.has(p.name)) continue;
          seen.add(p.name);
          found.push({ name: p.name, v8, ro: p.value });
        }
      });

      const remote = found.filter((f) => !f.value);
      const fetched = this.remote.fetchValues(post, holderId, remote.map((f) => f.ro));
      remote.forEach((f, i) => (f.value = { v: fetched[i] }));
      const values = found.map((f) => f.value!.v);
      // Where the stack stands as the values are read: a binding written only by its own
      // activation is fixed once that activation is not on the stack (see BindingFacts.settles).
      const frames = stackPositions();
      // Described on demand: a verdict needs the script's source analysis (Debugger.enable and a
      // parse of the whole script, 20-60 ms cold here), which a function whose free names are all
      // globals (a kernel using only Math) never needs.
      const facts = () => this.functions.of(fn, locRO ?? null);
      const raw = new Map(found.map((f, i) => [f.name, { v8: f.v8, ro: f.ro, value: values[i] }]));
      const bindings = new ClosureBindings({
        describe: (name) => {
          const r = raw.get(name);
          if (r) return describeBinding(this.functions, name, r.v8, r.ro, r.value, facts(), frames);
          const global = reachesGlobal ? describeGlobal(name, () => this.functions.factsFor(facts(), name)) : null;
          return global ?? hiddenBinding(name, () => this.functions.factsFor(facts(), name));
        },
        names: () => [...raw.keys(), ...(reachesGlobal ? this.functions.globalNames(facts()) : [])],
      });
      const info = { ok: true as const, bindings, location: null as FunctionLocation | null, size: raw.size };
      Object.defineProperty(info, "location", { enumerable: true, get: () => facts().location });
      return info;
    });
  }
}

let defaultReader: ClosureReader | null = null;
function reader(): ClosureReader {
  // The one piece of module state in discovery: a lazily made per-thread reader, so every
  // caller shares one inspector session and one cache (each module instance is per thread).
  return (defaultReader ??= new ClosureReader());
}

/**
 * Called where a compile ends: the debugger a discovery switched on goes off (see
 * ScriptRegistry.release); the next discovery that needs it switches it on again.
 */
export function releaseDebugger(): void {
  defaultReader?.releaseDebugger();
}

/** Whether the per-thread reader has the debugger on now (for tests). */
export function discoveryDebugging(): boolean {
  return defaultReader?.debugging ?? false;
}

/** The bindings `fn` closes over, innermost first, inner scopes shadowing outer ones. Cached per function; never throws. */
export function readClosure(fn: Function, options?: ReadOptions): ClosureInfo {
  return reader().read(fn, options);
}

/** One binding of `fn`'s closure, or null when `fn` does not see it (or closures cannot be read). */
export function lookupBinding(fn: Function, name: string, options?: ReadOptions): ClosureBinding | null {
  const info = reader().read(fn, options);
  return info.ok ? info.bindings.get(name) ?? null : null;
}

/** A bound function's target, `this` and bound arguments; null for other functions or without the inspector. */
export function readBound(fn: Function): BoundParts | null {
  return reader().bound(fn);
}

/**
 * One binding of `fn`'s closure for the compiler: `reached` (a callee or an export getter, not
 * the function being compiled) leaves a large script it lives in unanalysed, if it is not already.
 */
export function lookupBindingFor(fn: Function, name: string, reached: boolean): ClosureBinding | null {
  const r = reader();
  const get = (): ClosureBinding | null => {
    const info = r.read(fn);
    return info.ok ? info.bindings.get(name) ?? null : null;
  };
  return reached ? r.withoutLargeScripts(get) : get();
}

/**
 * Whether an arrow function's or a method's code is strict (its own text cannot say: only the script
 * around it can), or null when its script cannot be read (no inspector, or the source is gone).
 */
export function scriptStrictness(fn: Function): boolean | null {
  return reader().strictness(fn);
}

/** The private field `#name` of `obj`, as `fn`'s code names it (see ClosureReader.privateField). */
export function readPrivateField(fn: Function, obj: object, name: string): PrivateFieldRead {
  return reader().privateField(fn, obj, name);
}

/** The text of 1-based `line` of `fn`'s file, as V8 runs it; null when unknown. */
export function functionSourceLine(fn: Function, line: number): string | null {
  return reader().sourceLine(fn, line);
}

/** Where `fn`'s source text begins in its file; null for native and bound functions or without the inspector. */
export function functionLocation(fn: Function): FunctionLocation | null {
  return reader().location(fn);
}

// Lets JitError.atFunction point at file lines without jit-error.ts importing this module.
JitError.locator = { functionLocation, functionSourceLine };

/**
 * A name V8 does not list among a function's bindings and the global object does not have, which
 * the script still binds around the function: the name of an enclosing function expression
 * (`var Dinero = function Dinero(o) { … return { add() { return Dinero(…); } }; }`), which V8's
 * scope listing leaves out. It is no global: read by name in generated code, it threw "Dinero is
 * not defined", and `typeof Dinero` gave "undefined" (sweep17). kos cannot read its value, so the
 * binding is reported as one that cannot be folded, with the reason. Null where the script does
 * not bind it either (an undeclared name, which throws in both).
 */
function hiddenBinding(name: string, facts: () => BindingFacts | null): ClosureBinding | null {
  const f = facts();
  if (!f || f.declaredIn === "global") return null;
  const what = f.kind === "function" ? "the name of an enclosing function expression" : `a ${f.kind} binding around the function`;
  return { name, value: undefined, scope: "closure", kind: f.kind, stable: false, unstableReason: `'${name}' is ${what}, which V8 does not list among the function's closure bindings, so kos cannot read its value` };
}

/**
 * The variables of a scope as V8 gives it to the inspector (`{ description, object }`, both V8's
 * own objects, `object` one of null prototype whose data properties are the variables), or null
 * where it is shaped otherwise. Reads only own data properties: nothing of the program's runs.
 */
function scopeVariables(scope: unknown): Array<[string, unknown]> | null {
  if (scope === null || typeof scope !== "object") return null;
  const object = Reflect.getOwnPropertyDescriptor(scope, "object");
  const vars = object && "value" in object ? object.value : undefined;
  if (vars === null || typeof vars !== "object" || Reflect.getPrototypeOf(vars) !== null) return null;
  const out: Array<[string, unknown]> = [];
  for (const key of Reflect.ownKeys(vars)) {
    const d = Reflect.getOwnPropertyDescriptor(vars, key);
    if (typeof key !== "string" || !d || !("value" in d)) return null;
    out.push([key, d.value]);
  }
  return out;
}
