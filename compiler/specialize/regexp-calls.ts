/**
 * Calls of RegExp.prototype.test and exec on a regular expression the call
 * itself makes: a literal (`/re/.test(s)`) or a constructor with a pattern kos
 * knows (`new RegExp(schema.pattern).test(value)`, the way TypeBox and other
 * schema interpreters check `pattern`). Each evaluation makes a fresh object
 * that nobody else holds, so the one kos makes at compile time stands for it:
 * - with a string kos knows, the result is computed now;
 * - otherwise the call runs on that one object, passed by reference. It is
 *   only ever the receiver of the intrinsic test or exec, and without the g or
 *   y flag neither writes its lastIndex (ECMA-262 22.2.7.2), so no call can
 *   tell it from a fresh one. Building a RegExp from a string cost 66 ns a call
 *   here (`new RegExp(p).test(s)` 83 ns against 17 ns on a kept object,
 *   Node 20.20.2), twice per record in the TypeBox program.
 * This rests on the documented assumption that built-ins are not modified
 * after jit: RegExp, RegExp.prototype.test and exec are checked to be the
 * intrinsics kos loaded with. A pattern that does not compile stays as written
 * (it throws where the original throws).
 */
import { walk, type Node } from "../ast.js";
import type { Specializer } from "./specializer.js";
import { D, S, type Val } from "./values.js";

const IntrinsicRegExp = RegExp;
const RegExpTest = RegExp.prototype.test;
const RegExpExec = RegExp.prototype.exec;
const StringMatch = String.prototype.match;
const RegExpMatch = RegExp.prototype[Symbol.match];
const StringReplace = String.prototype.replace;
const StringReplaceAll = String.prototype.replaceAll;
const RegExpReplace = RegExp.prototype[Symbol.replace];
/** The RegExp.prototype accessors that `Symbol.replace` and exec read (flags, global, unicode, …), as kos loaded. */
const FLAG_GETTERS = new Map(
  ["flags", "global", "ignoreCase", "multiline", "dotAll", "unicode", "unicodeSets", "sticky", "hasIndices"].map((k) => [k, Reflect.getOwnPropertyDescriptor(RegExp.prototype, k)?.get] as const),
);

function builtinsIntact(): boolean {
  return globalThis.RegExp === IntrinsicRegExp && RegExp.prototype.test === RegExpTest && RegExp.prototype.exec === RegExpExec;
}

/**
 * A RegExp of kos's own: frozen, so that folds read it freely (a frozen RegExp still runs test and
 * exec without g or y: they never write lastIndex), with an unfrozen copy for the residual code to
 * run on (Specializer.runtimeCopies): V8 takes its fast path only for a RegExp of the initial map.
 * Made frozen, the TypeBox program's two pattern tests cost 52 ns a call each against 23 ns.
 */
function ownRegExp(s: Specializer, pattern: string, flags: string): RegExp {
  const re = Object.freeze(new IntrinsicRegExp(pattern, flags));
  s.runtimeCopies.set(re, new IntrinsicRegExp(pattern, flags));
  return re;
}

/**
 * `/re/.test(x)`: with a primitive kos knows, the result (expression-eval tests every member name
 * against a literal, a number index too); otherwise, without the g or y flag, the call runs on one
 * RegExp kos makes now, as for a constructed one (below): a literal makes a fresh object at every
 * evaluation, 25-40 ns a call that no caller can tell from a kept one.
 */
export function regexLiteralTest(s: Specializer, n: Node): Val | null {
  const c = n.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || c.object.type !== "Literal" || !c.object.regex || c.property.name !== "test") return null;
  if (n.arguments.length !== 1 || n.arguments[0].type === "SpreadElement" || !builtinsIntact()) return null;
  let re: RegExp;
  try {
    re = ownRegExp(s, c.object.regex.pattern, c.object.regex.flags);
  } catch {
    return null;
  }
  const p = s.probe(() => s.expr(n.arguments[0]));
  const arg = p.result;
  // ToString of a primitive other than a symbol runs no code and cannot throw.
  if (arg.k === "s" && arg.v !== null && typeof arg.v !== "object" && typeof arg.v !== "function" && typeof arg.v !== "symbol") {
    p.commit();
    return S(Reflect.apply(RegExpTest, re, [String(arg.v)]) as boolean);
  }
  if (/[gy]/.test(c.object.regex.flags)) {
    p.undo();
    return null;
  }
  p.commit();
  const primitive = arg.k === "s" ? typeof arg.v !== "object" && typeof arg.v !== "function" : arg.k === "d" && arg.type !== undefined && arg.type !== "object" && arg.type !== "function";
  if (!primitive) s.foreignCodeMayRun();
  return D({ type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: s.residual(S(re)), property: { type: "Identifier", name: "test" }, computed: false, optional: false }, arguments: [s.residual(arg)] }, "boolean");
}

/** Whether `replace`, `replaceAll` and what they run on a RegExp (its Symbol.replace, exec, test, the flag accessors) are the intrinsics. */
function replaceIntact(): boolean {
  if (!builtinsIntact() || String.prototype.replace !== StringReplace || String.prototype.replaceAll !== StringReplaceAll || RegExp.prototype[Symbol.replace] !== RegExpReplace) return false;
  for (const [k, get] of FLAG_GETTERS) if (Reflect.getOwnPropertyDescriptor(RegExp.prototype, k)?.get !== get) return false;
  return true;
}

/** A primitive whose ToString runs no code and cannot throw (not a symbol). */
function plainPrimitive(v: Val | undefined): v is { k: "s"; v: string | number | boolean | bigint | null | undefined } {
  return !!v && v.k === "s" && (v.v === null || (typeof v.v !== "object" && typeof v.v !== "function" && typeof v.v !== "symbol"));
}

/**
 * A RegExp literal's own call on a string kos knows, computed now: a literal makes a fresh object
 * at every evaluation (with the intrinsic prototype, lastIndex 0), which only this call ever holds,
 * so running the intrinsic on a fresh copy at compile time gives what the call gives, whatever its
 * flags (a g or y literal's lastIndex starts at 0 and nobody reads what the call leaves in it).
 * - `/re/.exec(s)` that does not match: null. A match is an array with `index`, `input` and
 *   `groups`, which kos does not make: that call stays as written.
 * - `s.replace(/re/, r)` and `s.replaceAll(/re/g, r)` with `s` and `r` primitives: the string.
 *   (replaceAll with a literal without g throws a TypeError: left as written.)
 * jsonpath-plus's filter step strips its `?(…)` with `loc.replace(/^\?\((.*?)\)$/v, "$1")`, then tests
 * the result for a nested filter with `/…/gv.exec(safeLoc)`: both ran at every call, and the test
 * was dynamic, so both branches (the nested one making the query's instance escape) stayed.
 */
export function regexLiteralOnKnownString(s: Specializer, n: Node): Val | null {
  const c = n.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || c.property.type !== "Identifier") return null;
  const name = c.property.name as string;
  if (name === "exec") {
    if (c.object.type !== "Literal" || !c.object.regex || n.arguments.length !== 1 || n.arguments[0].type === "SpreadElement" || !builtinsIntact()) return null;
    const p = s.probe(() => s.expr(n.arguments[0]));
    const arg = p.result;
    let found: unknown = undefined;
    try {
      if (plainPrimitive(arg)) found = Reflect.apply(RegExpExec, new IntrinsicRegExp(c.object.regex.pattern, c.object.regex.flags), [String(arg.v)]);
    } catch {
      found = undefined;
    }
    if (found !== null) {
      p.undo();
      return null;
    }
    p.commit();
    return S(null);
  }
  if (name !== "replace" && name !== "replaceAll") return null;
  const args = n.arguments as Node[];
  if (args.length !== 2 || args[0]!.type !== "Literal" || !args[0]!.regex || args[1]!.type === "SpreadElement" || !replaceIntact()) return null;
  const regex = args[0]!.regex as { pattern: string; flags: string };
  if (name === "replaceAll" && !regex.flags.includes("g")) return null;
  // The receiver, the literal (which runs nothing), then the replacement: the source's order.
  const p = s.probe(() => [s.expr(c.object), s.expr(args[1]!)] as Val[]);
  const [recv, replacement] = p.result;
  if (!recv || recv.k !== "s" || typeof recv.v !== "string" || !plainPrimitive(replacement) || p.emitted.length > 0) {
    p.undo();
    return null;
  }
  let out: unknown;
  try {
    out = Reflect.apply(name === "replace" ? StringReplace : StringReplaceAll, recv.v, [new IntrinsicRegExp(regex.pattern, regex.flags), String(replacement.v)]);
  } catch {
    p.undo();
    return null;
  }
  p.commit();
  return S(out);
}

/**
 * `re.test(s)` on a RegExp literal held by a binding no other code can reach (jsonpointer's
 * `var hasExcape = /~/`, tested against each part of a pointer): with a primitive kos knows, the
 * result. Only `test`/`exec` calls ever receive the object, and without the g or y flag neither
 * writes its lastIndex, so its source, flags and lastIndex are the literal's for good. Computed on
 * a copy, so that kos never touches the library's object.
 */
export function privateRegExpTest(s: Specializer, n: Node): Val | null {
  const c = n.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || c.object.type !== "Identifier" || c.property.name !== "test") return null;
  if (n.arguments.length !== 1 || n.arguments[0].type === "SpreadElement" || !builtinsIntact()) return null;
  const p = s.probe(() => [s.expr(c.object), s.expr(n.arguments[0])] as Val[]);
  const [recv, arg] = p.result;
  const re = recv!.k === "s" && s.privateRegExps.has(recv!.v) ? (recv!.v as RegExp) : null;
  if (!re || re.global || re.sticky || Object.getPrototypeOf(re) !== IntrinsicRegExp.prototype || arg!.k !== "s" || p.emitted.length > 0) {
    p.undo();
    return null;
  }
  const v = arg!.v;
  // ToString of a primitive other than a symbol runs no code and cannot throw.
  if (v !== null && (typeof v === "object" || typeof v === "function" || typeof v === "symbol")) {
    p.undo();
    return null;
  }
  p.commit();
  return S(Reflect.apply(RegExpTest, new IntrinsicRegExp(re.source, re.flags), [String(v)]) as boolean);
}

/**
 * `str.match(re)` of a string kos knows and a RegExp literal with the g flag held by a binding no
 * other code can reach (its every use is as the argument of `.match`): the matches, a fresh array
 * of known strings each evaluation (or null), as the original makes one. A global match sets
 * lastIndex to 0 first and leaves it 0, so the object's state never changes. date-fns's `format`
 * tokenizes its format string this way (`formatStr.match(longFormattingTokensRegExp)`), and what
 * it builds from the tokens then folds.
 */
export function privateRegExpMatch(s: Specializer, n: Node): Val | null {
  const c = n.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || c.property.name !== "match") return null;
  if (n.arguments.length !== 1 || n.arguments[0].type !== "Identifier" || !builtinsIntact()) return null;
  if (String.prototype.match !== StringMatch || RegExp.prototype[Symbol.match] !== RegExpMatch) return null;
  const p = s.probe(() => [s.expr(c.object), s.expr(n.arguments[0])] as Val[]);
  const [recv, arg] = p.result;
  const re = arg!.k === "s" && s.privateRegExps.has(arg!.v) ? (arg!.v as RegExp) : null;
  if (!re || re.sticky || Object.getPrototypeOf(re) !== IntrinsicRegExp.prototype || recv!.k !== "s" || typeof recv!.v !== "string") {
    p.undo();
    return null;
  }
  if (!re.global) {
    // Without g, a match is an array with `index`, `input` and `groups`, which kos does not make;
    // no match is null, a constant (date-fns checks each character of its format string this way,
    // `str.match(unescapedLatinCharacterRegExp)`, and throws on a match). Non-global, the RegExp
    // reads lastIndex and never writes it.
    if (Reflect.apply(StringMatch, recv!.v, [new IntrinsicRegExp(re.source, re.flags)]) !== null) {
      p.undo();
      return null;
    }
    p.commit();
    return S(null);
  }
  // What evaluating the receiver emitted (an unfolded `.map` leaves statements) stays: it ran.
  p.commit();
  // Computed on a copy: kos never touches the library's object.
  const found = Reflect.apply(StringMatch, recv!.v, [new IntrinsicRegExp(re.source, re.flags)]) as string[] | null;
  if (found === null) return S(null);
  return { k: "v", o: s.newVirtual("array", new Map(found.map((x, i) => [String(i), S(x)]))) };
}

/** The RegExp `new RegExp(p[, flags])` or `RegExp(p[, flags])` makes, when kos knows it and may share it; else null. */
function knownRegExp(s: Specializer, made: Node): RegExp | null {
  if ((made.type !== "NewExpression" && made.type !== "CallExpression") || made.optional) return null;
  if (made.arguments.length < 1 || made.arguments.length > 2 || made.arguments.some((a: Node) => a.type === "SpreadElement")) return null;
  if (!builtinsIntact()) return null;
  // The constructor and its arguments: all known, or the expression stays as written.
  const head = s.probe(() => [s.expr(made.callee), ...made.arguments.map((a: Node) => s.expr(a))] as Val[]);
  const [ctor, pattern, flags] = head.result;
  // The global `RegExp`, read at run time (a dynamic identifier), or the intrinsic itself from `scope`.
  const isRegExp = (ctor!.k === "s" && ctor!.v === IntrinsicRegExp) || (ctor!.k === "d" && made.callee.type === "Identifier" && made.callee.name === "RegExp" && ctor!.e.type === "Identifier" && ctor!.e.name === "RegExp" && !s.frame.info.scopes.resolve(made.callee));
  const known = isRegExp && pattern!.k === "s" && typeof pattern!.v === "string" && (!flags || (flags.k === "s" && (flags.v === undefined || typeof flags.v === "string")));
  const flagText = flags?.k === "s" && typeof flags.v === "string" ? flags.v : "";
  if (!known || /[gy]/.test(flagText) || head.emitted.length > 0) {
    head.undo();
    return null;
  }
  try {
    const re = ownRegExp(s, pattern!.v as string, flagText);
    head.commit();
    return re;
  } catch {
    head.undo();
    return null;
  }
}

/** `new RegExp(p[, flags]).test(x)` or `.exec(x)` (also `RegExp(p)`) with `p` and `flags` strings kos knows. */
export function constructedRegExpCall(s: Specializer, n: Node): Val | null {
  const c = n.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || (c.property.name !== "test" && c.property.name !== "exec")) return null;
  if (n.arguments.length !== 1 || n.arguments[0].type === "SpreadElement") return null;
  const re = knownRegExp(s, c.object);
  if (!re) return null;
  const method = c.property.name === "test" ? RegExpTest : RegExpExec;
  const arg = s.expr(n.arguments[0]);
  if (arg.k === "s" && typeof arg.v === "string" && method === RegExpTest) return S(Reflect.apply(RegExpTest, re, [arg.v]));
  // A string is converted without user code; anything else (an object's toString) is foreign code.
  const primitive = arg.k === "s" ? typeof arg.v !== "object" && typeof arg.v !== "function" : arg.k === "d" && arg.type !== undefined && arg.type !== "object" && arg.type !== "function";
  if (!primitive) s.foreignCodeMayRun();
  return D({ type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: s.residual(S(re)), property: { type: "Identifier", name: c.property.name }, computed: false, optional: false }, arguments: [s.residual(arg)] }, method === RegExpTest ? "boolean" : undefined);
}

/**
 * `const re = new RegExp(p); … re.test(x)`: the binding's value when every use of it in the
 * function is as the receiver of `.test(…)` or `.exec(…)` (so the object never leaves, and
 * nothing writes it), and kos knows the pattern; else null.
 */
export function privateRegExp(s: Specializer, d: Node): Val | null {
  const init = d.init;
  if (!init || d.id.type !== "Identifier" || (init.type !== "NewExpression" && init.type !== "CallExpression")) return null;
  if (init.callee.type !== "Identifier" || init.callee.name !== "RegExp") return null;
  const scopes = s.frame.info.scopes;
  const variable = scopes.variableOfDeclaration(d.id);
  if (!variable || scopes.isReassigned(variable)) return null;
  const receivers = new Set<Node>();
  walk(s.frame.info.node, (x) => {
    const c = x.type === "CallExpression" ? x.callee : null;
    if (c && c.type === "MemberExpression" && !c.computed && !c.optional && (c.property.name === "test" || c.property.name === "exec") && c.object.type === "Identifier") receivers.add(c.object);
  });
  for (const r of variable.references as Array<{ identifier: Node; init?: boolean }>) {
    if (r.identifier === d.id) continue; // the initialisation
    if (!receivers.has(r.identifier)) return null;
  }
  const re = knownRegExp(s, init);
  return re ? S(re) : null;
}

/**
 * Whether a call kos leaves as written runs no code of the program's: `str.match(re)`, `re.test(str)`
 * or `re.exec(str)` with a private RegExp literal (above: no other code reaches it, so it has no own
 * `exec`, `lastIndex` or `Symbol.match` of the program's) and a string (ToString runs nothing), while
 * the built-ins are intact (the documented assumption). Such a call does not end what kos folded
 * from unfrozen objects before it: date-fns's `format` checked each character of its format string
 * with `str.match(unescapedLatinCharacterRegExp)`, and every later read of its formatters table was
 * re-checked after it, as after a call to unknown code.
 */
export function privateRegExpCallRunsNoUserCode(s: Specializer, fn: Function, thisVal: Val, args: Val[]): boolean {
  const [re, str] = fn === StringMatch ? [args[0], thisVal] : fn === RegExpTest || fn === RegExpExec ? [thisVal, args[0]] : [undefined, undefined];
  if (!re || !str || re.k !== "s" || !s.privateRegExps.has(re.v) || Object.getPrototypeOf(re.v) !== IntrinsicRegExp.prototype) return false;
  if (!(str.k === "s" ? typeof str.v === "string" : str.k === "d" && str.type === "string")) return false;
  return builtinsIntact() && String.prototype.match === StringMatch && RegExp.prototype[Symbol.match] === RegExpMatch;
}


/**
 * `str.replace(/re/flags, replacer)` on a string, with a RegExp literal (no y flag) and a replacer
 * that is a function expression or a string literal: `re2.test(str) ? str.replace(/re/flags,
 * replacer) : str`, `re2` one RegExp kos makes now with the literal's pattern and flags but g. A
 * replace that matches nothing returns the string itself (ECMA-262 22.2.6.11: the accumulated
 * result is the rest of the string from 0) and calls nothing of the program's: the literal and the
 * replacer are fresh objects that only the call would see, a function replacer is not converted to
 * a string, and a string literal's conversion runs nothing. A match runs the call as written. With
 * a string kos knows that does not match, the result is that string; one that matches is left to
 * the call's other folds. This is how escapers run
 * (`String(s).replace(/[&<>"'`=\/]/g, function (c) { return map[c]; })`): most of what they are
 * given has nothing to escape, and V8 runs a global replace with a function through the runtime
 * (127-147 ns a call against 95-98 ns with the test first, for 14 names and currencies of which 6
 * have a special character, Node 20.20.2). Like the test fold above, this rests on the built-ins
 * kos loaded with (replace, Symbol.replace, exec, test and the flag accessors, checked here).
 */
export function regexLiteralReplace(s: Specializer, n: Node): Val | null {
  const c = n.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || c.object.type === "Super" || c.property.name !== "replace" || n.optional) return null;
  if (n.arguments.length !== 2) return null;
  const [pattern, replacer] = n.arguments as Node[];
  if (pattern!.type !== "Literal" || !pattern!.regex || /y/.test(pattern!.regex.flags)) return null;
  const functional = replacer!.type === "FunctionExpression" || replacer!.type === "ArrowFunctionExpression";
  if (!functional && !(replacer!.type === "Literal" && typeof replacer!.value === "string")) return null;
  if (!replaceIntact()) return null;
  let re: RegExp;
  try {
    re = ownRegExp(s, pattern!.regex.pattern, pattern!.regex.flags.replace("g", ""));
  } catch {
    return null;
  }
  const p = s.probe(() => s.expr(c.object));
  const recv = p.result;
  const isString = recv.k === "s" ? typeof recv.v === "string" : recv.k === "d" && recv.type === "string";
  // A string kos knows that matches is left to the call's own folds.
  if (!isString || !s.env || (recv.k === "s" && Reflect.apply(RegExpTest, re, [recv.v]))) {
    p.undo();
    return null;
  }
  p.commit();
  if (recv.k === "s") return recv;
  const str = s.stable(recv, "str");
  const regexNode = { type: "Literal", value: pattern!.value, raw: pattern!.raw, regex: { ...pattern!.regex } };
  const replacerNode = s.residualArgument(s.expr(replacer!));
  const call = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: s.residual(str), property: { type: "Identifier", name: "replace" }, computed: false, optional: false }, arguments: [regexNode, replacerNode] };
  // A function replacer is the program's code, run on a match.
  if (functional) s.foreignCodeMayRun();
  const test = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: s.residual(S(re)), property: { type: "Identifier", name: "test" }, computed: false, optional: false }, arguments: [s.residual(str)] };
  return D({ type: "ConditionalExpression", test, consequent: call, alternate: s.residual(str) }, "string");
}
