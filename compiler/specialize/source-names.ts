/**
 * V8's errors name the operand as the code writes it: "o.f is not a
 * function", "o is not a constructor", "o is not iterable", "Cannot
 * destructure property 'p' of 'o'". In the residual the operand may be read
 * from another variable: an inlined function's `o` renamed `o_1` because its
 * caller has an `o` too, or bound to the caller's `y`, or a constant kos
 * folded. Where such an operation may fail that way (kos does not know the
 * operand, or knows it fails and keeps it as written), it is emitted in a
 * block that declares the source's name:
 *
 *     { let o = y; r = o.f(a); }
 *
 * The operand is the first thing the operation evaluates, so evaluating it in
 * the declaration just before changes no order; nothing else in the statement
 * may name `o` (it would read the copy), else it stays as it is.
 */
import { types as utilTypes } from "node:util";
import { walk, type Node } from "../ast.js";
import { id, type Specializer } from "./specializer.js";
import { D, type Val } from "./values.js";

// Names a block's `let` cannot take (or that would shadow a global the residual reads by name).
const NOT_DECLARABLE = new Set(["arguments", "eval", "undefined", "NaN", "Infinity", "let", "yield", "await", "static", "implements", "interface", "package", "private", "protected", "public"]);

/** Whether a block's `let` can take this name. */
export function declarableName(name: string): boolean {
  return !NOT_DECLARABLE.has(name);
}

/** The variable a receiver path starts from (`o` of `o.g.h`), through non-computed member reads. */
function pathRoot(n: Node): Node | null {
  while (n.type === "MemberExpression" && !n.computed && !n.optional) n = n.object;
  return n.type === "Identifier" ? n : null;
}

/** Whether two receiver paths read the same properties (`o.g` and `o_1.g`). */
function samePath(a: Node, b: Node): boolean {
  while (a.type === "MemberExpression" && b.type === "MemberExpression") {
    if (a.computed || b.computed || a.property.name !== b.property.name) return false;
    a = a.object;
    b = b.object;
  }
  return a.type === "Identifier" && b.type === "Identifier";
}

/** Whether `n` reads a variable of this name (never looking into constants: they hold user data). */
export function mentions(n: Node, name: string): boolean {
  let found = false;
  walk(n, (x) => {
    if (found || x.type === "KosConst") return false;
    if (x.type === "Identifier" && x.name === name) found = true;
    return;
  });
  return found;
}

/**
 * Whether `n` reads a variable of this name from outside itself: a function in it whose parameters
 * bind the name reads its own (expression-eval's `e.map(function (e) { … })`, where the block's
 * `let e = e_1` would be shadowed there, and said `e_1.map is not a function`, sweep14).
 */
function readsFree(n: Node, name: string): boolean {
  let found = false;
  walk(n, (x) => {
    if (found || x.type === "KosConst") return false;
    if ((x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression") && (x.params as Node[]).some((p) => p.type === "Identifier" && p.name === name)) return false;
    if (x.type === "Identifier" && x.name === name) found = true;
    return;
  });
  return found;
}

/**
 * `n` with the constants the source reads under `name` (a KosConst of that value whose `sourceName`
 * is `name`) read from the block binding of that name instead: in `tbl.ops.add(x, tbl.ops.mul(2, y))`
 * kept as written, the inner call's receiver is the same module binding, and V8's message for it
 * names `tbl` too ("tbl.ops.mul is not a function", where the block's `let tbl` had made the
 * assembler print the constant's own name, "$k_ref_1.ops.mul", fuzz seeds 5140 and 5142).
 * Functions and classes are left as they are (one of them could bind the name itself). Fresh nodes
 * along each changed path; `n` itself when nothing changes.
 */
export function constantsUnderName(n: Node, name: string, value: unknown): Node {
  const copy = (x: Node): Node => {
    if (!x || typeof x !== "object") return x;
    if (x.type === "KosConst") return x.sourceName === name && x.value === value ? id(name) : x;
    if (x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ClassExpression" || x.type === "ClassDeclaration") return x;
    let out: Node | null = null;
    for (const k of Object.keys(x)) {
      const v = x[k];
      let next: unknown = v;
      if (Array.isArray(v)) {
        const items = v.map((c) => (c && typeof c === "object" && typeof c.type === "string" ? copy(c) : c));
        if (items.some((c, i) => c !== v[i])) next = items;
      } else if (v && typeof v === "object" && typeof v.type === "string") next = copy(v);
      if (next !== v) (out ??= { ...x })[k] = next;
    }
    return out ?? x;
  };
  return copy(n);
}

/** `constantsUnderName` for every declaration of a block whose value is a constant. */
function constantsUnderNames(n: Node, declarations: Array<{ name: string; init: Node }>): Node {
  for (const d of declarations) if (d.init.type === "KosConst") n = constantsUnderName(n, d.name, d.init.value);
  return n;
}

/**
 * Which part of the residual operand the source's name stands for: the root variable of the
 * same property path (`o.g` read as `o_1.g`: `o_1`), or, for a source that is a plain variable,
 * the whole operand (`o` read as `y`, `y.list` or a constant kos folded). The operand is the
 * first thing its statement evaluates, so declaring it just before changes no order. Null when
 * nothing would change or the name cannot be declared.
 */
function planRename(source: Node, operand: Node): { sourceName: string; residualRoot: Node } | null {
  let sourceName: string;
  let residualRoot: Node;
  if (source.type === "Identifier") {
    sourceName = source.name;
    residualRoot = operand;
  } else if (samePath(source, operand)) {
    sourceName = pathRoot(source)!.name;
    residualRoot = pathRoot(operand)!;
  } else return null;
  if ((residualRoot.type === "Identifier" && residualRoot.name === sourceName) || NOT_DECLARABLE.has(sourceName)) return null;
  // `let o = o.inner` would read the new `o` in its temporal dead zone.
  if (mentions(residualRoot, sourceName)) return null;
  return { sourceName, residualRoot };
}

/** The source's names for an operand read from other variables or constants (planRenames). */
export interface Renames {
  /** Block bindings to declare first: each a residual variable or a constant, which reading runs nothing. */
  declarations: Array<{ name: string; init: Node }>;
  /** The operand as the source writes it, reading those names. */
  operand: Node;
}

/** The value a constant of the residual stands for (a reference, a literal, `void 0`, `-1`), or null for any other node. */
function foldedValue(n: Node): { value: unknown } | null {
  if (n.type === "KosConst") return { value: n.value };
  if (n.type === "Literal" && !n.regex) return { value: n.value };
  if (n.type === "UnaryExpression" && n.argument.type === "Literal" && typeof n.argument.value === "number") {
    if (n.operator === "void") return { value: undefined };
    if (n.operator === "-") return { value: -n.argument.value };
  }
  return null;
}

/**
 * The module binding a non-computed property path starts from (`qs` of `qs.parse`), with its value,
 * where reading the path off that value gives `value` now by data properties alone (no getter, no
 * proxy: reading it again at run time runs nothing the original does not); null otherwise. Free
 * names only: the root's stable closure or module bindings, or the `scope` option.
 */
function bindingPathRoot(s: Specializer, path: Node, value: unknown): { id: Node; value: unknown } | null {
  const keys: string[] = [];
  let n = path;
  while (n.type === "MemberExpression" && !n.computed && !n.optional && n.property.type === "Identifier") {
    keys.unshift(n.property.name);
    n = n.object;
  }
  if (n.type !== "Identifier" || keys.length === 0 || !declarableName(n.name)) return null;
  const info = s.frame.info;
  let rootValue: unknown;
  if (info.scopes.resolve(n)) {
    // A variable of the function that holds a value kos knows here, and keeps it (`const q = qs`).
    const slot = s.slotOf(n);
    const known = slot && s.env ? s.env.get(slot)?.val : undefined;
    if (!known || known.k !== "s" || !neverReassigned(s, n)) return null;
    rootValue = known.v;
  } else if ((s.frame.root || info.fn === s.rootFn) && Object.prototype.hasOwnProperty.call(s.options.scope, n.name)) rootValue = s.options.scope[n.name];
  else {
    let found;
    try {
      found = s.options.lookupFree(info.fn, n.name, info.fn !== s.rootFn);
    } catch {
      return null;
    }
    if (!found.found || !found.stable) return null;
    rootValue = found.value;
  }
  let v: unknown = rootValue;
  for (let i = 0; i < keys.length; i++) {
    if (v === null || (typeof v !== "object" && typeof v !== "function") || utilTypes.isProxy(v)) return null;
    let d: PropertyDescriptor | undefined;
    for (let o: object | null = v as object; o !== null && !d; o = Reflect.getPrototypeOf(o)) {
      if (utilTypes.isProxy(o)) return null;
      d = Reflect.getOwnPropertyDescriptor(o, keys[i]!);
    }
    // A key no object of the chain has reads undefined, running nothing; only the last one
    // (a missing key before it makes the read throw, which is not a folded value).
    if (!d && i === keys.length - 1) v = undefined;
    else if (!d || !("value" in d)) return null;
    else v = d.value;
  }
  return v === value ? { id: n, value: rootValue } : null;
}

/** Fields of a node that are not its children (the operator, a literal's value, a member's `computed`). */
const SCALAR_FIELDS = ["operator", "computed", "optional", "prefix", "value", "regex"];

/**
 * For an operand whose shape is the source's, node for node, with some of its variables read
 * under other names (`T[o_1.m]` for `T[o.m]`, `o[key_3_4]` for `o[key]`, `$k_ref_0[v.m]` for
 * `T[o.m]`): block bindings of the source's names to what the residual reads, and the operand read
 * through them. Each binding's value is a residual variable or a constant kos passes in, so
 * declaring it first runs nothing. A name the operand reads before any code of the program's can
 * run in it may be bound to any variable; one read after a property read or a converting operator
 * only where the source's variable is never written after its initialisation, since a getter could
 * otherwise change it in between. Null when the shapes differ, nothing differs, or a name cannot
 * be taken.
 */
function planRenames(s: Specializer | null, source: Node, operand: Node): Renames | null {
  const bound = new Map<string, Node>();
  // Whether code of the program's may have run earlier in the operand: a property read (a getter),
  // or an operator that converts an object (valueOf). A name read before any such point reads the
  // value it had when the block began (culori's `converters[color.mode]`, `color` reassigned elsewhere).
  let mayHaveRun = false;
  let ok = true;
  const same = (a: Node, b: Node): boolean => {
    if (!ok) return false;
    if (a.type === "Identifier") {
      if (b.type === "Identifier" && b.name === a.name) return true;
      if (b.type !== "Identifier" && b.type !== "KosConst" && !(b.type === "Literal" && !b.regex)) return (ok = false);
      if (b.type === "Identifier" && mayHaveRun && !(s && neverReassigned(s, a))) return (ok = false);
      if (!declarableName(a.name)) return (ok = false);
      const prev = bound.get(a.name);
      if (prev && !(prev.type === b.type && (prev.type === "Identifier" ? prev.name === b.name : prev.value === b.value))) return (ok = false);
      bound.set(a.name, b);
      return true;
    }
    // A property path the source reads off a module binding (or a constant variable), which kos read at compile time
    // (`(fn || qs.parse)(v)` as `(fn || $k_value_1)(v)`): read at run time again, as the source
    // does, off a block binding of that module value, so that V8 names it as written
    // ("(fn || qs.parse) is not a function"; url-parse's `Url#set`, sweep24).
    const folded = a.type === "MemberExpression" && s ? foldedValue(b) : null;
    if (folded) {
      const root = bindingPathRoot(s!, a, folded.value);
      if (!root) return (ok = false);
      if (!same(root.id, s!.constNode(root.value))) return false;
      mayHaveRun = true;
      return true;
    }
    // A computed key the residual folded to a name (`o[k]()` read as `obj.q()`): the key's variable
    // bound to that name, as a string (sweep25 repro-8: "$k_value_1.q is not a function").
    if (a.type === "MemberExpression" && b.type === "MemberExpression" && a.computed && !b.computed && a.property.type === "Identifier" && !a.optional && !b.optional && b.property.type === "Identifier") {
      if (!same(a.object, b.object)) return false;
      if (!same(a.property, { type: "Literal", value: b.property.name, raw: JSON.stringify(b.property.name) })) return false;
      mayHaveRun = true;
      return true;
    }
    if (a.type !== b.type || a.type === "KosConst") return (ok = false);
    for (const k of SCALAR_FIELDS) if (k in a || k in b) if (k === "regex" ? JSON.stringify(a.regex) !== JSON.stringify(b.regex) : !Object.is(a[k], b[k]) && !(k === "optional" && !a[k] && !b[k])) return (ok = false);
    if (a.type === "MemberExpression") {
      if (!same(a.object, b.object)) return false;
      if (a.computed ? !same(a.property, b.property) : a.property.name !== b.property.name) return (ok = false);
      mayHaveRun = true;
      return true;
    }
    if (a.type === "Literal" || a.type === "ThisExpression") return true;
    // `(0, cfg.obj.m)(x)`: a callee that drops its reference (sweep27 repro-3).
    if (a.type === "SequenceExpression") return a.expressions.length === b.expressions.length ? a.expressions.every((x: Node, i: number) => same(x, b.expressions[i])) : (ok = false);
    if (a.type === "UnaryExpression" || a.type === "BinaryExpression" || a.type === "LogicalExpression" || a.type === "ConditionalExpression") {
      for (const k of ["argument", "left", "right", "test", "consequent", "alternate"]) if (a[k] && !same(a[k], b[k])) return false;
      if (!(a.type === "UnaryExpression" && (a.operator === "typeof" || a.operator === "void" || a.operator === "!"))) mayHaveRun = true;
      return true;
    }
    return (ok = false);
  };
  if (!same(source, operand) || bound.size === 0) return null;
  // A binding whose value reads another bound name would read it in its temporal dead zone.
  for (const [, init] of bound) for (const name of bound.keys()) if (mentions(init, name)) return null;
  const rebuilt = (a: Node, b: Node): Node => {
    if (a.type === "Identifier") return bound.has(a.name) ? id(a.name) : b;
    // A path read again (above): the source's own path, in fresh nodes.
    if (a.type === "MemberExpression" && b.type !== "MemberExpression") {
      const path = (n: Node): Node => (n.type === "Identifier" ? id(n.name) : { type: "MemberExpression", object: path(n.object), property: id(n.property.name), computed: false, optional: false });
      return path(a);
    }
    if (a.type === "MemberExpression") return { ...b, object: rebuilt(a.object, b.object), property: a.computed ? rebuilt(a.property, b.property) : b.property, computed: a.computed };
    const out: Node = { ...b };
    for (const k of ["argument", "left", "right", "test", "consequent", "alternate"]) if (a[k]) out[k] = rebuilt(a[k], b[k]);
    if (a.type === "SequenceExpression") out.expressions = a.expressions.map((x: Node, i: number) => rebuilt(x, b.expressions[i]));
    return out;
  };
  return { declarations: [...bound].map(([name, init]) => ({ name, init })), operand: rebuilt(source, operand) };
}

/**
 * The call (built with its receiver, or its callee, read from the residual
 * variable) with that variable read under its source name, or null when it
 * stays as built. `source` is the receiver (`o`, `o.g`) or the callee (`fn`)
 * as the source writes it.
 */
export function callUnderSourceName(s: Specializer, source: Node, call: Node, sourceCallee?: Node): Val | null {
  // V8 names an assigned callee by its target: `(f = c || "dflt")(v)` fails as "f is not a function"
  // (sweep24 repro-3, where kos's residual called `(c || "dflt")(v)` and named that).
  if (source.type === "AssignmentExpression" && source.operator === "=" && source.left.type === "Identifier") source = source.left;
  const callee = call.callee;
  // The receiver of a method call, or the callee itself (`fn()`).
  const path: Node = callee.type === "MemberExpression" ? callee.object : callee;
  // A computed callee is read as the source writes it, key included, where it can be.
  if (sourceCallee?.type === "MemberExpression" && sourceCallee.computed) {
    const whole = callUnderSourceNames(s, source, call, sourceCallee);
    if (whole) return whole;
  }
  const plan = planRename(source, path);
  if (!plan) return callUnderSourceNames(s, source, call, sourceCallee);
  const { sourceName, residualRoot } = plan;
  if ((call.arguments as Node[]).some((a) => readsFree(a, sourceName)) || (callee.type === "MemberExpression" && callee.computed && mentions(callee.property, sourceName))) return null;
  const result = s.fresh("r");
  s.hoistName(result);
  const rename = (n: Node): Node => (n === residualRoot ? id(sourceName) : { ...n, object: rename(n.object) });
  // A computed key that reads the same variable (`o.fns[o.i]` from `o_1.fns[o_1.i]`) reads it
  // under the source's name too: the block's `o` holds what `o_1` holds, and V8 prints the key as
  // written ("o.fns[o.i] is not a function"). Not where the key writes the variable or makes a function.
  // Only for a variable never written after its initialisation: a getter the receiver path runs
  // could otherwise change it before the key is read.
  const sourceRoot = source.type === "Identifier" ? source : pathRoot(source);
  const property = callee.type === "MemberExpression" && callee.computed && residualRoot.type === "Identifier" && sourceRoot && neverReassigned(s, sourceRoot) ? readsUnderName(callee.property, residualRoot.name, sourceName) : null;
  const renamed: Node = constantsUnderNames(
    { ...call, callee: callee.type === "MemberExpression" ? { ...callee, object: rename(callee.object), ...(property ? { property } : {}) } : rename(callee) },
    [{ name: sourceName, init: residualRoot }],
  );
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(sourceName), init: residualRoot }] },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: renamed } },
    ],
  });
  return D(id(result));
}

/**
 * The call with its receiver (or callee) read as the source writes it, through block bindings of
 * the source's names (planRenames): `{ let T = $k_ref_0, o = o_1; r = T[o.m].f(); }` for the source's
 * `T[o.m].f()` (culori's `converters[color.mode].rgb(color)` said `converters[color_3.mode].rgb`,
 * sweep14). Null where it stays as built: the arguments, or a computed key of the callee, name a
 * bound name.
 */
function callUnderSourceNames(s: Specializer, source: Node, call: Node, sourceCallee?: Node): Val | null {
  const callee = call.callee;
  // The whole callee where the source's is known (`o[key]()` read as `o[w]()`: the key's name too),
  // else its receiver.
  const whole = sourceCallee?.type === "MemberExpression" && callee.type === "MemberExpression" ? planRenames(s, sourceCallee, callee) : null;
  const path: Node = callee.type === "MemberExpression" ? callee.object : callee;
  const plan = whole ?? planRenames(s, source, path);
  if (!plan) return null;
  const names = plan.declarations.map((d) => d.name);
  const others = [...(call.arguments as Node[]), ...(!whole && callee.type === "MemberExpression" && callee.computed ? [callee.property] : [])];
  if (others.some((a) => names.some((name) => mentions(a, name)))) return null;
  const result = s.fresh("r");
  s.hoistName(result);
  const renamed: Node = constantsUnderNames({ ...call, callee: whole ? plan.operand : callee.type === "MemberExpression" ? { ...callee, object: plan.operand } : plan.operand }, plan.declarations);
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: plan.declarations.map((d) => ({ type: "VariableDeclarator", id: id(d.name), init: d.init })) },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: renamed } },
    ],
  });
  return D(id(result));
}

/**
 * Whether the variable the source names here (`id`, an identifier of the function being specialized)
 * is never written after its initialisation: then whatever residual variable holds its value holds
 * it for the whole statement, and reading it early (or from a block's copy) reads the same value.
 */
function neverReassigned(s: Specializer, id: Node): boolean {
  const scopes = s.frame.info.scopes;
  const variable = scopes.resolve(id);
  return !!variable && variable.defs.length > 0 && !scopes.isReassigned(variable);
}

/**
 * `n` with its reads of the variable `from` made reads of `to`; null where `n` assigns `from`, makes
 * a function (which could read it later), or does not read it.
 */
function readsUnderName(n: Node, from: string, to: string): Node | null {
  let reads = false;
  let unsafe = false;
  walk(n, (x) => {
    if (unsafe || x.type === "KosConst") return false;
    if (x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression" || x.type === "ClassExpression") unsafe = true;
    else if ((x.type === "AssignmentExpression" || x.type === "UpdateExpression") && mentions(x.type === "AssignmentExpression" ? x.left : x.argument, from)) unsafe = true;
    else if (x.type === "Identifier" && x.name === from) reads = true;
    return;
  });
  if (unsafe || !reads) return null;
  const copy = (x: Node): Node => {
    if (!x || typeof x !== "object" || x.type === "KosConst") return x;
    if (Array.isArray(x)) return x.map(copy) as unknown as Node;
    if (x.type === "Identifier") return x.name === from ? id(to) : x;
    const out: Node = x.type === "Property" && x.shorthand ? { ...x, shorthand: false } : { ...x };
    for (const k of Object.keys(x)) {
      const v = x[k];
      // A member's non-computed property and an object literal's plain key are names, not reads.
      if ((x.type === "MemberExpression" && k === "property" && !x.computed) || (x.type === "Property" && k === "key" && !x.computed)) continue;
      if (v && typeof v === "object") out[k] = copy(v);
    }
    return out;
  };
  return copy(n);
}

/**
 * A method call on a receiver kos does not know, whose key the source computes from a variable
 * kos folded (`obj[name]()` with `name` known): V8 names the callee as written, "obj[name] is not
 * a function", where the folded `obj.filter()` reads "obj.filter is not a function"
 * (json-logic-engine's and jsonpath's interpreters call methods so). The key is read from a block
 * binding of the source's name, next to the receiver's own (callUnderSourceName):
 * `{ let name = "filter"; r = obj[name](); }`. Null when the key is not such a constant.
 */
export function methodCallUnderSourceNames(s: Specializer, sourceCallee: Node, call: Node): Val | null {
  const callee = call.callee;
  const keyName: string | undefined = sourceCallee.computed && sourceCallee.property.type === "Identifier" ? sourceCallee.property.name : undefined;
  const key: Node | null = callee.type !== "MemberExpression" ? null : !callee.computed ? (callee.property.type === "Identifier" ? { type: "Literal", value: callee.property.name, raw: JSON.stringify(callee.property.name) } : null) : callee.property.type === "Literal" ? callee.property : null;
  if (keyName === undefined || !key || NOT_DECLARABLE.has(keyName) || mentions(call, keyName)) return callUnderSourceName(s, sourceCallee.object, call, sourceCallee);
  const declarations: Node[] = [];
  let object = callee.object;
  const plan = planRename(sourceCallee.object, callee.object);
  if (plan && plan.sourceName !== keyName && !(call.arguments as Node[]).some((a) => mentions(a, plan.sourceName))) {
    declarations.push({ type: "VariableDeclarator", id: id(plan.sourceName), init: plan.residualRoot });
    const rename = (n: Node): Node => (n === plan.residualRoot ? id(plan.sourceName) : { ...n, object: rename(n.object) });
    object = rename(object);
  }
  declarations.push({ type: "VariableDeclarator", id: id(keyName), init: key });
  const result = s.fresh("r");
  s.hoistName(result);
  const renamed: Node = constantsUnderNames(
    { ...call, callee: { ...callee, object, property: id(keyName), computed: true } },
    declarations.map((d) => ({ name: d.id.name as string, init: d.init as Node })),
  );
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: renamed } },
    ],
  });
  return D(id(result));
}

/**
 * A call of what another call returned, `g(o)()`, where kos inlined `g` and holds its result in a
 * variable: V8 names the callee as written, "g(...) is not a function", where the residual's
 * `ret()` reads "ret is not a function". The residual calls the variable where it holds a function,
 * and otherwise calls it as `g()(…)` through a block binding of the source's name that returns it:
 * `if (typeof ret === "function") r = ret(a); else { let g = () => ret; r = g()(a); }` (the arguments
 * are evaluated before the engine finds the callee not callable, as in the original). `new` of such
 * a result likewise: `new (g())(a)` reads "g(...) is not a constructor". Null where the source's
 * callee is not such a call.
 */
export function callOfResultUnderSourceName(s: Specializer, source: Node, call: Node): Val | null {
  if (source.type !== "CallExpression" || source.callee.type !== "Identifier" || source.optional) return null;
  const name: string = source.callee.name;
  const callee = call.callee;
  if (callee.type !== "Identifier" || callee.name === name || NOT_DECLARABLE.has(name) || mentions(call, name)) return null;
  const result = s.fresh("r");
  s.hoistName(result);
  const assignTo = (right: Node): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right } });
  const returnsIt: Node = { type: "ArrowFunctionExpression", id: null, params: [], body: callee, expression: true, async: false, generator: false };
  s.emit({
    type: "IfStatement",
    test: { type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: callee }, right: { type: "Literal", value: "function", raw: '"function"' } },
    consequent: { type: "BlockStatement", body: [assignTo(call)] },
    alternate: {
      type: "BlockStatement",
      body: [
        { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(name), init: returnsIt }] },
        assignTo({ ...call, callee: { type: "CallExpression", optional: false, callee: id(name), arguments: [] } }),
      ],
    },
  });
  return D(id(result));
}

/**
 * A statement whose operand (`operand`, found in `stmt`) is read under its source name:
 * `{ let o = y; <stmt with o> }`, when `source` is a variable path the residual reads from
 * another variable (`o` bound to the caller's `y`, or renamed `o_1`). Null when it stays as
 * built (same name, a name a `let` cannot take, or the statement names it already).
 */
export function statementUnderSourceName(source: Node, stmt: Node, operand: Node, replace: (renamed: Node) => void, s?: Specializer): Node | null {
  const plan = planRename(source, operand);
  if (!plan) {
    // A path with computed keys or constants (`const { f } = T[o.m].zz` read from `$k_ref_0[v.m].zz`).
    const renames = planRenames(s ?? null, source, operand);
    if (!renames || renames.declarations.some((d) => mentions(stmt, d.name))) return null;
    replace(renames.operand);
    return {
      type: "BlockStatement",
      body: [{ type: "VariableDeclaration", kind: "let", declarations: renames.declarations.map((d) => ({ type: "VariableDeclarator", id: id(d.name), init: d.init })) }, stmt],
    };
  }
  const { sourceName, residualRoot } = plan;
  if (mentions(stmt, sourceName)) return null;
  const rename = (n: Node): Node => (n === residualRoot ? id(sourceName) : { ...n, object: rename(n.object) });
  replace(rename(operand));
  return {
    type: "BlockStatement",
    body: [{ type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(sourceName), init: residualRoot }] }, stmt],
  };
}

/**
 * A call whose spread arguments the source writes as variables the residual reads under other
 * names (`out.push(...b)` read as `...b_5_6`, an unrolled loop's binding): V8's "b is not iterable"
 * names the variable as written. Each is read under its source name from a block binding,
 * `{ let b = b_5_6; r = out.push(...b); }`, where nothing writes it after its initialisation (so
 * reading it before the callee changes no value) and nothing else in the call names `b`. Null when
 * the call stays as built.
 */
export function spreadsUnderSourceNames(s: Specializer, sourceArgs: Node[], call: Node): Val | null {
  const names = new Map<string, Node>();
  const args = (call.arguments as Node[]).map((a, i) => {
    const src = sourceArgs[i];
    if (a.type !== "SpreadElement" || src?.type !== "SpreadElement" || src.argument.type !== "Identifier") return a;
    const sourceName: string = src.argument.name;
    // A variable (never written after its initialisation, so reading it before the callee reads
    // the same value), or a constant kos folded it to (`...b` with `b` undefined: "b is not iterable").
    const value: Node = a.argument;
    const readable = value.type === "Identifier" ? value.name !== sourceName && neverReassigned(s, src.argument) : isConstantNode(value);
    if (!readable || !declarableName(sourceName) || names.has(sourceName)) return a;
    names.set(sourceName, value);
    return { type: "SpreadElement", argument: id(sourceName) };
  });
  if (names.size === 0) return null;
  const parts: Node[] = [call.callee, ...(call.arguments as Node[]).filter((a, i) => args[i] === a)];
  for (const name of names.keys()) if (parts.some((p) => mentions(p, name))) return null;
  const result = s.fresh("r");
  s.hoistName(result);
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [...names].map(([name, init]) => ({ type: "VariableDeclarator", id: id(name), init })) },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: { ...call, arguments: args } } },
    ],
  });
  return D(id(result));
}

/**
 * A spread's operand as the source writes it (planRenames), where what it binds is a constant kos
 * passes in or a temporary never written again: other parts of the call or literal run before the
 * spread, so its root is no longer the first thing read (`[...T[o.m].f]` read as
 * `[...$k_ref_0[v.m].f]`, sweep14). Null otherwise.
 */
export function spreadUnderSourceNames(s: Specializer, source: Node, operand: Node): Renames | null {
  if (source.type === "Identifier") return null;
  const plan = planRenames(s, source, operand);
  if (!plan || !plan.declarations.every((d) => d.init.type === "KosConst" || (d.init.type === "Identifier" && s.immutable.has(d.init.name)))) return null;
  return plan;
}

/** A residual expression that evaluates to a fixed value and runs nothing: a literal, `void 0`, `-1`, a constant kos passes in. */
function isConstantNode(n: Node): boolean {
  if (n.type === "Literal" || n.type === "KosConst") return true;
  return n.type === "UnaryExpression" && (n.operator === "void" || n.operator === "-") && n.argument.type === "Literal";
}

/**
 * An expression copied with some locals under their source names (verbatim's `sourceNamed`):
 * `{ let fn4 = fn4_3; r = <copy>; }`. The declarations only read local variables no closure
 * writes, so reading them just before the copy changes nothing.
 */
export function underSourceNames(s: Specializer, names: Map<string, string>, copy: Node): Val {
  const result = s.fresh("r");
  s.hoistName(result);
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [...names].map(([name, residual]) => ({ type: "VariableDeclarator", id: id(name), init: id(residual) })) },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: copy } },
    ],
  });
  return D(id(result));
}
