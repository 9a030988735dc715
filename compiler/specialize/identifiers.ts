/**
 * Identifiers: a local's slot and its value, a free name's value (the
 * `scope` option, the closure kos read, the globals it folds or reads by
 * name), a global named by inlined code, and `arguments`.
 */
import type { Node } from "../ast.js";
import { KNOWN_GLOBALS, FOLDABLE_GLOBALS } from "../builtins.js";
import { Specializer, id } from "./specializer.js";
import { D, S, UNDEF, type Val } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    globalRef(name: string): Node;
    identifier(n: Node): Val;
    freeVariable(name: string, n: Node): Val;
    slotOf(n: Node): import("./specializer.js").Slot | null;
  }
}

const P = Specializer.prototype;

P.slotOf = function (this: Specializer, n: Node) {
  const variable = this.frame.info.scopes.resolve(n);
  if (!variable) return null;
  return this.frame.slots.get(variable) ?? null;
};

P.identifier = function (this: Specializer, n: Node): Val {
  const scopes = this.frame.info.scopes;
  const variable = scopes.resolve(n);
  if (variable) {
    const slot = this.frame.slots.get(variable);
    if (slot) return this.read(slot);
    // A function expression's own name (`function g() { … g() … }`), not a function declared in its body.
    if (variable.defs[0]?.type === "FunctionName" && variable.scope.type === "function-expression-name") return this.ownName(n);
    if (variable.name === "arguments" && variable.defs.length === 0) return this.argumentsObject(n);
    return this.fail("UNSUPPORTED", `'${n.name}' is read before its declaration (temporal dead zone)`, n);
  }
  if (n.name === "arguments" && !this.frame.info.parsed.kind.startsWith("arrow")) return this.argumentsObject(n);
  return this.freeVariable(n.name, n);
};

declare module "./specializer.js" {
  interface Specializer {
    ownName(n: Node): Val;
  }
}

/**
 * The function's own name, read in its body. kos parses a function's text alone, where a
 * declaration's name reads as a function expression's, which always means the function itself.
 * A declaration's name is a binding of the scope around it, which the program may reassign
 * (`decl = jit(decl)`, a logging wrapper): V8 lists that binding in the function's closure, and
 * where the script reassigns it, the function falls back naming the write (sweep41 #8: a counter
 * kept on the function, `decl.count`, was kept on the original where the program had put the
 * jitted one in its place). A function expression's own name is not in its closure.
 */
P.ownName = function (this: Specializer, n: Node): Val {
  const fn = this.frame.info.fn;
  const found = this.options.lookupFree(fn, n.name, fn !== this.rootFn);
  if (found.found && found.declaredFunction && (found.value === fn || !found.stable)) {
    if (!found.stable) return this.fail("FREE_VARIABLE", found.reason ?? `the function's own name '${n.name}' can be reassigned`, n);
  }
  return S(fn);
};

declare module "./specializer.js" {
  interface Specializer {
    freeVariableOrNull(name: string): Val | null;
    argumentsObject(n: Node): Val;
  }
}

/** The value of a free name, or null when kos cannot say (a global that may not exist). */
P.freeVariableOrNull = function (this: Specializer, name: string): Val | null {
  // `scope` supplies the root function's free names, also where it calls itself.
  if ((this.frame.root || this.frame.info.fn === this.rootFn) && Object.prototype.hasOwnProperty.call(this.options.scope, name)) return S(this.options.scope[name]);
  const found = this.options.lookupFree(this.frame.info.fn, name, this.frame.info.fn !== this.rootFn);
  if (found.found) {
    if (!found.stable) return this.fail("FREE_VARIABLE", found.reason ?? `the free variable '${name}' can change after jit`);
    if (found.privateRegExp) this.privateRegExps.add(found.value);
    return S(found.value);
  }
  if (name === "undefined") return UNDEF;
  if (FOLDABLE_GLOBALS.has(name)) return S((globalThis as Record<string, unknown>)[name]);
  if (KNOWN_GLOBALS.has(name)) return D(this.globalRef(name));
  // Any other global (`hasOwnProperty` in a sloppy script, a program's own `globalThis.config`) is
  // read by name where the source reads it: a getter, a missing name's ReferenceError, all as written.
  if (!found.found && found.global) return D(this.globalRef(name));
  return null;
};

/**
 * A global named by inlined code. The residual function keeps the root's own names, so a
 * global the callee reads (`Math`, `k`) would resolve to a root binding of the same name
 * (`function f(Math, a) { return helper(a); }`): there it is read as a property of the global object.
 */
P.globalRef = function (this: Specializer, name: string): Node {
  if (this.frame.info.fn === this.rootFn) return id(name);
  const rootNames = this.infos.get(this.rootFn).scopes.declaredNames;
  if (!rootNames.has(name)) return id(name);
  if (rootNames.has("globalThis") || !KNOWN_GLOBALS.has(name)) return this.fail("UNSUPPORTED", `inlined code reads the global '${name}', which the compiled function declares too`);
  return { type: "MemberExpression", object: id("globalThis"), property: id(name), computed: false, optional: false };
};

P.freeVariable = function (this: Specializer, name: string, n: Node): Val {
  const v = this.freeVariableOrNull(name);
  if (v) return v;
  return this.fail("FREE_VARIABLE", `free variable '${name}' has no value kos can see: pass it in the \`scope\` option`, n);
};

P.argumentsObject = function (this: Specializer, n: Node): Val {
  if (this.frame.root) {
    if (this.frame.info.parsed.kind === "arrow") return this.fail("USES_ARGUMENTS", "an arrow function's `arguments` belongs to its enclosing function", n);
    // Never null; and its reads run no code while nothing else sees it (own-arguments.ts).
    // From here code may hold it (own-arguments.ts, pristineArguments).
    this.rootArgumentsReached = true;
    const d = D(id("arguments"), "object");
    d.nonNull = true;
    if (this.options.ownArgumentsKept) d.ownArguments = true;
    return d;
  }
  // Handed to Array methods through `.call` (fn-info.ts, argumentsAsArray): an array of the call's
  // arguments, which those methods read as they read the arguments object; it is never made (escape).
  if (this.frame.info.argumentsAsArray && this.frame.args) {
    const o = this.newVirtual("array", new Map(this.frame.args.map((v, i) => [String(i), v])));
    o.argumentsOf = true;
    return { k: "v", o };
  }
  return this.fail("USES_ARGUMENTS", "`arguments` escapes in an inlined function", n);
};
