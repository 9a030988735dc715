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
import type { Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { openSession, type InspectorLoader, type SyncSession } from "./inspector-session.js";
import { ScriptRegistry, type ScriptRecord } from "./script-registry.js";
import { ScriptAnalysis, type BindingKind, type BindingFacts } from "./script-analysis.js";
import { INTRINSIC_GLOBALS } from "./intrinsic-globals.js";
import { stackPositions } from "./stack-positions.js";
import { privateFieldFacts, type PrivateFieldFacts } from "./private-fields.js";
import { initialised, type LazyInit } from "./lazy-init.js";

export type { BindingKind } from "./script-analysis.js";

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
  /** For scope "global": the value is the intrinsic of that name as it was when kos loaded. */
  builtin?: boolean;
  /** A RegExp literal no code outside its own `.test`/`.exec` calls can reach (BindingFacts.privateRegExp). */
  privateRegExp?: true;
  /** Judged without the script's analysis, which was deferred (a large script): not cached, judged again when asked again. */
  deferred?: true;
}

export interface BoundParts { target: Function; thisArg: unknown; args: unknown[] }

export interface FunctionLocation {
  /** Path or URL as Node names it ("<anonymous>" for `new Function` without a sourceURL). */
  file: string;
  /** 1-based line where `fn.toString()` begins in the file (V8's position when `exact` is false). */
  line: number;
  /** 1-based column where `fn.toString()` begins in the file (V8's position when `exact` is false). */
  column: number;
  scriptId?: string;
  /** true: `line`/`column` is where the function's source text starts; false: V8's [[FunctionLocation]] (the start of the parameter list), the source being unavailable. */
  exact?: boolean;
}

export type ClosureInfo =
  | { ok: true; bindings: Map<string, ClosureBinding>; location: FunctionLocation | null }
  | { ok: false; code: "INSPECTOR_UNAVAILABLE" | "NO_SCOPES"; reason: string };

export interface ReadOptions {
  /** Read the values again instead of returning the cached read (the source analysis stays cached). */
  fresh?: boolean;
}

type RemoteObject = { type: string; subtype?: string; value?: unknown; unserializableValue?: string; objectId?: string; description?: string };
type PropertyDescriptor_ = { name: string; value?: RemoteObject };
type InternalProperty = { name: string; value?: RemoteObject & { value?: { scriptId: string; lineNumber: number; columnNumber: number } } };

interface Holder { fn?: Function; out?: ArrayLike<unknown> }

/** Remote objects of one read, released after it. */
const OBJECT_GROUP = "kos-discover";
/** The holder alone, kept for the session. */
const HOLDER_GROUP = "kos-discover-holder";
// The intrinsic, captured when kos loads: a patched Function.prototype.toString must not change what we match.
const intrinsicToString = Function.prototype.toString;

/**
 * What is known about one function. It holds no parsed tree (trees are large and
 * kept only for recently used scripts): the function is found again by its offset,
 * and each name's verdict is memoised here once computed.
 */
interface FunctionFacts {
  location: FunctionLocation | null;
  script: ScriptRecord | null;
  /** V8's position of the function as an offset into the script source; -1 when unknown. */
  offset: number;
  why: string;
  names: Map<string, BindingFacts | null>;
  globals: string[] | null;
  /** Verdicts on private fields the function names (private-fields.ts). */
  privates?: Map<string, PrivateFieldFacts>;
  /** The script's analysis was deferred at the last attempt (see ScriptRegistry.analysis). */
  deferred?: boolean;
}

export type PrivateFieldRead = { found: true; value: unknown; stable: boolean; reason?: string } | { found: false; reason: string };

/**
 * Reads closures for one thread. The caches live here, not at module level, so
 * a caller (or a test) can hold its own reader; `readClosure` uses one
 * per-thread default reader, because a function's closure belongs to its isolate.
 */
export class ClosureReader {
  private session: SyncSession | null = null;
  private unavailable: { code: "INSPECTOR_UNAVAILABLE"; reason: string } | null = null;
  private registry: ScriptRegistry | null = null;
  /**
   * Our own object, known to the inspector for the session's life: `fn` takes the function,
   * `out` the values coming back. Prototype-less, so no inherited accessor can be reached.
   * Emptied after every read.
   */
  private readonly holder: Holder = Object.create(null) as Holder;
  private holderId: string | null = null;
  private readonly closures = new WeakMap<Function, ClosureInfo>();
  private readonly locations = new WeakMap<Function, FunctionFacts>();

  constructor(private readonly loader?: InspectorLoader) {}

  private connect(): SyncSession | null {
    if (this.session || this.unavailable) return this.session;
    const r = openSession(this.loader);
    if (r.ok) {
      this.session = r.session;
      this.registry = new ScriptRegistry(r.session);
    } else this.unavailable = { code: r.code, reason: r.reason };
    return this.session;
  }

  read(fn: Function, options?: ReadOptions): ClosureInfo {
    if (typeof fn !== "function") return { ok: false, code: "NO_SCOPES", reason: `expected a function, got ${fn === null ? "null" : typeof fn}` };
    const cached = options?.fresh ? undefined : this.closures.get(fn);
    if (cached) return cached;
    const session = this.connect();
    if (!session) return { ok: false, code: this.unavailable!.code, reason: this.unavailable!.reason };
    let info: ClosureInfo;
    try {
      info = this.readUncached(session, fn);
    } catch (e) {
      info = { ok: false, code: "INSPECTOR_UNAVAILABLE", reason: `the inspector failed while reading ${fn.name || "an anonymous function"}: ${(e as Error).message}` };
    }
    this.closures.set(fn, info);
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
    if (!session) return null;
    try {
      return this.withHolder(session, (post, holderId) => {
        if (!holderId) return null;
        const internals = post<{ internalProperties?: InternalProperty[] }>("Runtime.getProperties", { objectId: this.remoteId(post, holderId, fn), ownProperties: true }).internalProperties ?? [];
        const target = internals.find((p) => p.name === "[[TargetFunction]]")?.value;
        const thisRO = internals.find((p) => p.name === "[[BoundThis]]")?.value;
        const argsRO = internals.find((p) => p.name === "[[BoundArgs]]")?.value;
        if (!target || !thisRO || !argsRO?.objectId) return null;
        const [targetFn, thisArg, argList] = this.fetchValues(post, holderId, this.holder, [target, thisRO, argsRO]);
        if (typeof targetFn !== "function" || !Array.isArray(argList)) return null;
        return { target: targetFn as Function, thisArg, args: [...(argList as unknown[])] };
      });
    } catch {
      return null;
    }
  }

  /**
   * Runs `work` with the holder handed to the inspector (`holderId` null when it cannot be:
   * globalThis not extensible), then empties the holder and releases the remote objects made.
   */
  private withHolder<T>(session: SyncSession, work: (post: <R>(method: string, params: object) => R, holderId: string | null) => T): T {
    const post = <R>(method: string, params: object): R => session.post<R>(method, params);
    try {
      return work(post, this.holderObjectId(session));
    } finally {
      this.holder.fn = undefined;
      this.holder.out = undefined;
      try {
        session.post("Runtime.releaseObjectGroup", { objectGroup: OBJECT_GROUP });
      } catch {
        // Nothing to release when the session failed early.
      }
    }
  }

  /** The inspector's id for `value`, passed through the holder (no getter of it runs). */
  private remoteId(post: <R>(method: string, params: object) => R, holderId: string, value: unknown): string {
    this.holder.fn = value as Function;
    return post<{ result: RemoteObject }>("Runtime.callFunctionOn", { objectId: holderId, functionDeclaration: "function () { return this.fn; }", objectGroup: OBJECT_GROUP, silent: true }).result.objectId!;
  }

  /** Whether a large script is analysed when a lookup needs it (see ScriptRegistry.analysis). */
  private largeScripts = true;

  /** Runs `f` with large scripts analysed only if they already are. */
  withoutLargeScripts<T>(f: () => T): T {
    const saved = this.largeScripts;
    this.largeScripts = false;
    try {
      return f();
    } finally {
      this.largeScripts = saved;
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
      return this.withHolder(session, (post, holderId): PrivateFieldRead => {
        if (!holderId) return { found: false, reason: "globalThis is not extensible, so no object can be handed to the inspector" };
        const own = (post<{ privateProperties?: Array<{ name: string; value?: RemoteObject }> }>("Runtime.getProperties", { objectId: this.remoteId(post, holderId, obj), ownProperties: true }).privateProperties ?? []).filter((p) => p.name === `#${name}`);
        if (own.length === 0) return { found: false, reason: `the object has no #${name}` };
        // Two classes of its chain each declare #name: the inspector does not say which is which.
        if (own.length > 1 || !own[0]!.value) return { found: false, reason: `${own.length} classes of the object's chain declare #${name}` };
        const [value] = this.fetchValues(post, holderId, this.holder, [own[0]!.value]);
        if (f.settles) {
          const frames = stackPositions();
          const ff = this.locations.get(fn);
          const p = ff ? this.parsedFunction(ff) : null;
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
    const ff = this.locations.get(fn);
    if (!ff) return { ok: false, reason: "V8 gives no location for the function" };
    const known = ff.privates?.get(name);
    if (known) return { ok: true, facts: known };
    const p = this.parsedFunction(ff);
    if (!p) return { ok: false, reason: ff.why || "its script could not be analysed" };
    const a = p.analysis;
    const facts = privateFieldFacts(a.ast, p.node, name, (offset) => `${a.fileLabel}:${a.lines.positionOf(offset).line + a.lineOffset}`);
    (ff.privates ??= new Map()).set(name, facts);
    return { ok: true, facts };
  }

  location(fn: Function): FunctionLocation | null {
    if (typeof fn !== "function") return null;
    const known = this.locations.get(fn);
    if (known) return known.location;
    const r = this.read(fn);
    return r.ok ? r.location : null;
  }

  /** Whether `fn`'s code is strict, read from its script; null when the script cannot be read. */
  strictness(fn: Function): boolean | null {
    if (typeof fn !== "function") return null;
    if (!this.locations.has(fn)) {
      const r = this.read(fn);
      if (!r.ok) return null;
      void r.location; // the facts are found on demand
    }
    const ff = this.locations.get(fn);
    const p = ff ? this.parsedFunction(ff) : null;
    return p ? p.analysis.isStrictAt(p.node) : null;
  }

  /** The text of 1-based `line` of the file `fn` lives in (the script V8 runs), or null. */
  sourceLine(fn: Function, line: number): string | null {
    if (typeof fn !== "function") return null;
    if (!this.locations.has(fn)) {
      const r = this.read(fn);
      if (r.ok) void r.location; // the facts are found on demand
    }
    const f = this.locations.get(fn);
    if (!f?.script?.lines) return null;
    return f.script.lines.lineText(line - f.script.startLine - 1);
  }

  /**
   * Hands our holder to the inspector once per session: under an unguessable,
   * non-enumerable global name, evaluated as a bare identifier (nothing a program
   * did to `globalThis` can redirect it) and deleted at once.
   */
  private holderObjectId(session: SyncSession): string | null {
    if (this.holderId) return this.holderId;
    // Unique in this realm is all the name needs (a taken name fails the define below: null). Not
    // node:crypto's randomUUID: loading node:crypto loads node:stream, 4 ms of CPU at the first compile.
    const key = `__kos_discover_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2)}`;
    if (!Reflect.defineProperty(globalThis, key, { value: this.holder, configurable: true, enumerable: false, writable: false })) return null;
    try {
      this.holderId = session.post<{ result: RemoteObject }>("Runtime.evaluate", { expression: key, objectGroup: HOLDER_GROUP, silent: true }).result.objectId ?? null;
    } finally {
      Reflect.deleteProperty(globalThis, key);
    }
    return this.holderId;
  }

  private readUncached(session: SyncSession, fn: Function): ClosureInfo {
    const holder = this.holder;
    return this.withHolder(session, (post, holderId): ClosureInfo => {
      if (!holderId) return { ok: false, code: "INSPECTOR_UNAVAILABLE", reason: "globalThis is not extensible, so no object can be handed to the inspector" };
      const fnId = this.remoteId(post, holderId, fn);
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
      const found: Array<{ name: string; v8: string; ro: RemoteObject }> = [];
      const seen = new Set<string>();
      let reachesGlobal = false;
      for (const entry of scopeList) {
        const v8 = (entry.value?.description ?? "").split(" ")[0]!;
        if (v8 === "Global") {
          reachesGlobal = true;
          continue;
        }
        if (!entry.value?.objectId) continue;
        const props = post<{ result: PropertyDescriptor_[] }>("Runtime.getProperties", { objectId: entry.value.objectId, ownProperties: true }).result;
        for (const p of props) {
          if (!p.value || seen.has(p.name)) continue; // inner scopes shadow outer ones
          seen.add(p.name);
          found.push({ name: p.name, v8, ro: p.value });
        }
      }

      const values = this.fetchValues(post, holderId, holder, found.map((f) => f.ro));
      // Where the stack stands as the values are read: a binding written only by its own
      // activation is fixed once that activation is not on the stack (see BindingFacts.settles).
      const frames = stackPositions();
      // Described on demand: a verdict needs the script's source analysis (Debugger.enable and a
      // parse of the whole script, 20-60 ms cold here), which a function whose free names are all
      // globals (a kernel using only Math) never needs.
      const facts = () => this.functionFacts(fn, locRO ?? null);
      const raw = new Map(found.map((f, i) => [f.name, { v8: f.v8, ro: f.ro, value: values[i] }]));
      const bindings = new ClosureBindings({
        describe: (name) => {
          const r = raw.get(name);
          if (r) return this.describe(name, r.v8, r.ro, r.value, facts(), frames);
          return reachesGlobal ? describeGlobal(name, () => this.factsFor(facts(), name)) : null;
        },
        names: () => [...raw.keys(), ...(reachesGlobal ? this.globalNames(facts()) : [])],
      });
      const info = { ok: true as const, bindings, location: null as FunctionLocation | null };
      Object.defineProperty(info, "location", { enumerable: true, get: () => facts().location });
      return info;
    });
  }

  /** One call brings every remote value back as the real value, by reference (no getters run: arguments are passed, not read). */
  private fetchValues(post: <T>(m: string, p: object) => T, holderId: string, holder: Holder, ros: RemoteObject[]): unknown[] {
    if (ros.length === 0) return [];
    const args = ros.map((ro) => ro.objectId ? { objectId: ro.objectId } : ro.unserializableValue !== undefined ? { unserializableValue: ro.unserializableValue } : ro.type === "undefined" ? {} : { value: ro.value });
    post("Runtime.callFunctionOn", { objectId: holderId, functionDeclaration: "function () { this.out = arguments; }", arguments: args, objectGroup: OBJECT_GROUP, silent: true });
    const got = holder.out!;
    holder.out = undefined;
    return Array.from({ length: ros.length }, (_, i) => got[i]);
  }

  private functionFacts(fn: Function, loc: { scriptId: string; lineNumber: number; columnNumber: number } | null): FunctionFacts {
    const known = this.locations.get(fn);
    if (known) return known;
    const facts: FunctionFacts = { location: null, script: null, offset: -1, why: "V8 gives no [[FunctionLocation]]", names: new Map(), globals: null };
    this.locations.set(fn, facts);
    if (!loc || !this.registry) return facts;
    const rec = this.registry.get(loc.scriptId);
    facts.location = { file: rec?.file ?? "<unknown>", line: loc.lineNumber + 1, column: loc.columnNumber + 1, scriptId: loc.scriptId, exact: false };
    facts.why = "";
    if (!rec) return (facts.why = `script ${loc.scriptId} is unknown to the debugger`), facts;
    facts.script = rec;
    if (!rec.lines || rec.source == null) return (facts.why = `the source of ${rec.file} is no longer available`), facts;
    // Positions are in the resource; the source starts at (startLine, startColumn) in it.
    const relLine = loc.lineNumber - rec.startLine;
    const relCol = relLine === 0 ? loc.columnNumber - rec.startColumn : loc.columnNumber;
    const offset = rec.lines.offsetOf(relLine, relCol);
    facts.offset = offset;
    const text = Reflect.apply(intrinsicToString, fn, []) as string;
    const at = offset >= 0 ? rec.source.lastIndexOf(text, offset) : -1;
    if (at >= 0 && at + text.length >= offset) {
      const p = rec.lines.positionOf(at);
      facts.location = { ...facts.location, line: p.line + rec.startLine, column: (p.line === 1 ? p.column + rec.startColumn : p.column) + 1, exact: true };
    }
    const parsed = this.parsedFunction(facts);
    if (!parsed) facts.why ||= "the script could not be analysed";
    return facts;
  }

  /** The script's analysis and the function's node in it (re-parsing a script dropped from the recent set). */
  private parsedFunction(ff: FunctionFacts): { analysis: ScriptAnalysis; node: Node } | null {
    if (!ff.script || ff.offset < 0 || !this.registry) return null;
    const analysis = this.registry.analysis(ff.script, this.largeScripts);
    if (!(analysis instanceof ScriptAnalysis)) {
      ff.why = analysis.error;
      if ("deferred" in analysis) ff.deferred = true;
      return null;
    }
    ff.deferred = false;
    const node = analysis.functionAt(ff.offset);
    if (!node) {
      ff.why = `no function starts at offset ${ff.offset} of ${ff.script.file}`;
      return null;
    }
    return { analysis, node };
  }

  private factsFor(ff: FunctionFacts, name: string): BindingFacts | null {
    if (ff.names.has(name)) return ff.names.get(name)!;
    const p = this.parsedFunction(ff);
    const facts = p ? p.analysis.factsFor(p.node, name) : null;
    if (p) ff.names.set(name, facts); // unparsed: not memoised, a later read may parse
    return facts;
  }

  private globalNames(ff: FunctionFacts): string[] {
    if (ff.globals) return ff.globals;
    const p = this.parsedFunction(ff);
    if (!p) return [];
    return (ff.globals = p.analysis.globalNamesOf(p.node));
  }

  /**
   * A binding written only by its declaring activation is fixed once that activation has
   * returned: it is not on the stack when the value was read (and cannot be suspended, see
   * ScriptAnalysis.activationOf). An undefined value stays unstable: it is also what an ES
   * module's binding reads as before its module body has run (a cycle can call into a module
   * whose body has not started, with no frame of it on the stack).
   */
  private settled(settles: NonNullable<BindingFacts["settles"]>, ro: RemoteObject, ff: FunctionFacts, frames: Map<string, number[]> | null): boolean {
    if (ro.type === "undefined" || !frames || !ff.script?.hash) return false;
    const p = this.parsedFunction(ff);
    if (!p) return false;
    return !p.analysis.activationRunning(settles, frames.get(ff.script.hash) ?? []);
  }

  /**
   * A lazily initialised binding (lazy-init.ts) is fixed once its value passes its test and no
   * frame of its script stands where a write may be running.
   */
  private lazilyInitialised(lazy: LazyInit, value: unknown, ff: FunctionFacts, frames: Map<string, number[]> | null): boolean {
    if (!initialised(lazy.when, value) || !frames || !ff.script?.hash) return false;
    const positions = frames.get(ff.script.hash) ?? [];
    return !positions.some((p) => lazy.ranges.some(([start, end]) => p >= start && p <= end));
  }

  private describe(name: string, v8: string, ro: RemoteObject, value: unknown, ff: FunctionFacts, frames: Map<string, number[]> | null): ClosureBinding {
    const facts = this.factsFor(ff, name);
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
    } else if (!facts.stable && facts.settles && this.settled(facts.settles, ro, ff, frames)) {
      b.stable = true;
    } else if (!facts.stable && facts.lazyInit && this.lazilyInitialised(facts.lazyInit, value, ff, frames)) {
      b.stable = true;
    } else if (!facts.stable) {
      b.unstableReason = facts.unstableReason;
    }
    if (ro.type === "undefined" && facts.hasInitialiser && !facts.initialisedFirst) b.tdz = true;
    if (facts.privateRegExp && b.stable && value instanceof RegExp) b.privateRegExp = true;
    return b;
  }
}

/**
 * A free name that reaches the global object: read its descriptor, never a getter.
 * Its declaration kind (a classic script's top-level `var`) is looked up only when asked for.
 */
function describeGlobal(name: string, facts: () => BindingFacts | null): ClosureBinding | null {
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
class ClosureBindings extends Map<string, ClosureBinding> {
  private complete = false;
  private readonly absent = new Set<string>();
  constructor(private readonly source: { describe(name: string): ClosureBinding | null; names(): string[] }) {
    super();
  }
  override get(name: string): ClosureBinding | undefined {
    if (super.has(name)) return super.get(name);
    if (this.complete || this.absent.has(name)) return undefined;
    const b = this.source.describe(name);
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

let defaultReader: ClosureReader | null = null;
function reader(): ClosureReader {
  // The one piece of module state in discovery: a lazily made per-thread reader, so every
  // caller shares one inspector session and one cache (each module instance is per thread).
  return (defaultReader ??= new ClosureReader());
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
