/**
 * Reads of the compiled function's own `arguments` object that run none of the program's code.
 *
 * The root's `arguments` is an ordinary object the engine makes for the call (strict, or sloppy and
 * mapped to the parameters): its `length` and its items below it are own data properties, and its
 * prototype is Object.prototype, whose own prototype can never change. Only code that holds the
 * object can make one of them an accessor or change its prototype, so while no code other than
 * kos's reads ever sees it, `arguments.length` and `arguments[k]` read data: no getter, no proxy
 * trap, nothing foreign (guarded-reads.ts folds on through them). An item past the count reads
 * Object.prototype[k], which the program may make a getter (one that sees `arguments` as its
 * receiver); that read is plain only where the count is known (an arity guard) to cover k, or where
 * Object.prototype is guarded to lack k, like any absent key kos folds (knownHas). A key of another
 * kind (`callee`, `toString`, a symbol, a dynamic one that may be `1.5`) stays a read of memory.
 *
 * "No other code sees it" is checked on the residual code, not assumed: compile.ts scans it
 * (arguments-escape.ts) and, where the object is handed on, stored, written or deleted anywhere in
 * it, specializes again with these reads counted as foreign code, as before. The Babel and
 * TypeScript lowerings of default and rest parameters read only; so does a library that hands its
 * `arguments` to a helper kos inlines (sprintf-js's `sprintf_format(parse_tree, arguments)`, whose
 * `argv[cursor++]` per placeholder made every later read of the parsed format a run-time read).
 */
import type { Node } from "../ast.js";
import { Specializer, type Env, type Slot } from "./specializer.js";
import { S, type Val } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    /** A read of the root's `arguments` was taken as plain data (compile.ts then checks that it does not escape before). */
    ownArgumentsReadsKept?: boolean;
    /** One such read was folded to a value (no place in the code: compile.ts checks that it never escapes). */
    ownArgumentsFolded?: boolean;
    /** The residual member reads of the root's `arguments` taken as plain (arguments-escape.ts judges every other use). */
    plainArgumentReads?: Set<Node>;
    /** The root's `arguments` was evaluated as a value, or an arrow of the root names it (pristineArguments). */
    rootArgumentsReached?: boolean;
    /** The root's `arguments` items where its count is guarded at entry (index.ts, rootArguments). */
    rootArgumentItems?: Val[] | null;
    ownArgumentsRead(key: unknown): OwnArgumentsRead;
  }
}

/**
 * What a read of the root's `arguments` at a known key is: its value where the guarded count
 * decides it, "plain" for a read that runs no code, "foreign" for one that may.
 */
export type OwnArgumentsRead = { value: Val } | "plain" | "foreign";

/**
 * The environment entry holding the count the root's `arguments` is known to reach on this path
 * (a static number): from a test that held, `arguments.length > 1` (Babel's default parameters).
 * Never a real slot; dropped where paths join (joins.ts keeps only the running frames' slots).
 */
export const ARGUMENTS_REACH: Slot = Object.freeze({ name: "(arguments.length reaches)", kind: "marker", pinned: false, reassigned: false, hoist: false, declared: true }) as Slot;

/** Whether `x` (a source expression, as tested) reads the root's own `arguments` here. */
export function ownArgumentsNode(s: Specializer, x: Node): boolean {
  if (!s.options.ownArgumentsKept || x.type !== "Identifier" || !s.env) return false;
  const variable = s.frame.info.scopes.resolve(x);
  if (x.name === "arguments" && (!variable || variable.defs.length === 0)) return s.frame.root && !s.frame.info.parsed.kind.startsWith("arrow");
  const slot = variable ? s.frame.slots.get(variable) : undefined;
  const st = slot ? s.env.get(slot) : undefined;
  return !!st && (st.val ? st.val.k === "d" && !!st.val.ownArguments : !!st.ownArguments);
}

/** Records that the root's `arguments` has at least `count` items on `env`'s path. */
export function noteArgumentsReach(env: Env, count: number): void {
  const known = env.get(ARGUMENTS_REACH)?.val;
  if (known && known.k === "s" && (known.v as number) >= count) return;
  env.set(ARGUMENTS_REACH, { val: S(count) });
}

/** An array index as a number (a canonical index string too: sprintf-js's `argv[ph.param_no]`), else null. */
function indexOf(key: unknown): number | null {
  if (typeof key === "number") return Number.isInteger(key) && key >= 0 && key < 4294967295 && !Object.is(key, -0) ? key : null;
  if (typeof key === "string" && /^(0|[1-9]\d{0,9})$/.test(key)) {
    const k = Number(key);
    return k < 4294967295 ? k : null;
  }
  return null;
}

/**
 * A read folded to a value has no place in the code, so compile.ts takes any escape of `arguments`
 * to come before it (ownArgumentsFolded). Not one made in the root's own code, outside residual
 * loops, before the object was evaluated as a value anywhere (pristineArguments): nothing can
 * have held it yet.
 * ramda's curried shells test `arguments.length === 0` first and forward `arguments` to an `apply`
 * read at run time (apply-guards.ts): the other branch's escape sent every attempt back with the
 * reads counted as foreign, and the forwarding was not inlined.
 */
export function noteFolded(s: Specializer): void {
  if (pristineArguments(s)) return;
  s.ownArgumentsFolded = true;
}

/**
 * Whether no code can have held the root's `arguments` yet at this point (see noteFolded): the
 * object was never evaluated as a value (identifiers.ts, argumentsObject: handed to a call,
 * stored, written through), no arrow of the root names it (index.ts), and no residual loop could
 * run such code before this point on an earlier iteration.
 */
export function pristineArguments(s: Specializer): boolean {
  return s.frame.root && !s.rootArgumentsReached && s.residualLoops === 0;
}

Specializer.prototype.ownArgumentsRead = function (this: Specializer, key: unknown): OwnArgumentsRead {
  if (!this.options.ownArgumentsKept) return "foreign";
  const items = this.rootArgumentItems;
  if (key === "length") {
    this.ownArgumentsReadsKept = true;
    if (!items) return "plain";
    noteFolded(this);
    return { value: S(items.length) };
  }
  const k = indexOf(key);
  if (k === null) return "foreign";
  if (items && k < items.length) {
    this.ownArgumentsReadsKept = true;
    // A read of the item (index.ts, rootArguments, marked) has its place; a known value has none.
    if (items[k]!.k !== "d") noteFolded(this);
    return { value: items[k]! };
  }
  // Below a count a test on this path showed (`arguments.length > k && arguments[k] …`).
  const reach = this.env?.get(ARGUMENTS_REACH)?.val;
  if (reach && reach.k === "s" && k < (reach.v as number)) {
    this.ownArgumentsReadsKept = true;
    return "plain";
  }
  // Possibly past the count: Object.prototype must lack the key, guarded like any folded absence
  // (where it has it now, the read may run its getter: no guard to keep). Only at entry, before any
  // foreign code: V8 answers `k in Object.prototype` slowly, 8-10 ns for the check against 0.5 ns
  // for a property of an ordinary object (.scratch microbenchmark, Node 20), and in sprintf-js each
  // fork after a placeholder's conversion checked one more, for one folded read after it: 1.12x the
  // library became 1.05x. Nor is that guard a reason to speculate after foreign code
  // (speculation.ts, staleMiss): a read kept plain pays only for the reads of other objects after
  // it, which say so themselves.
  if ((this.foreignEpoch ?? 0) > 0 || Reflect.getOwnPropertyDescriptor(Object.prototype, String(k))) return "foreign";
  const stale = this.staleMiss;
  const has = this.knownHas(Object.prototype, String(k));
  this.staleMiss = stale;
  if (has !== false) return "foreign";
  this.ownArgumentsReadsKept = true;
  if (!items) return "plain";
  noteFolded(this);
  return { value: S(undefined) };
};
