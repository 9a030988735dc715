/**
 * Planning the source's names for a residual operand (source-names.ts uses
 * them): which variables of the source an operand read under other names
 * (`o_1.g` for `o.g`, `y` or a folded constant for `o`) stands for, whether a
 * block may declare them, and whether reading them early reads the same value.
 * Each plan is a list of block bindings whose values run nothing to read.
 */
import { types as utilTypes } from "node:util";
import { expandShorthand, walk, type Node } from "../ast.js";
import { id, type Specializer } from "./specializer.js";
// Names a block's `let` cannot take (or that would shadow a global the residual reads by name).
export const NOT_DECLARABLE = new Set(["arguments", "eval", "undefined", "NaN", "Infinity", "let", "yield", "await", "static", "implements", "interface", "package", "private", "protected", "public"]);

/** Whether a block's `let` can take this name. */
export function declarableName(name: string): boolean {
  return !NOT_DECLARABLE.has(name);
}

/** The variable a receiver path starts from (`o` of `o.g.h`), through non-computed member reads. */
export function pathRoot(n: Node): Node | null {
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
export function readsFree(n: Node, name: string): boolean {
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
 * Which part of the residual operand the source's name stands for: the root variable of the
 * same property path (`o.g` read as `o_1.g`: `o_1`), or, for a source that is a plain variable,
 * the whole operand (`o` read as `y`, `y.list` or a constant kos folded). The operand is the
 * first thing its statement evaluates, so declaring it just before changes no order. Null when
 * nothing would change or the name cannot be declared.
 */
export function planRename(source: Node, operand: Node): { sourceName: string; residualRoot: Node } | null {
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
export function planRenames(s: Specializer | null, source: Node, operand: Node): Renames | null {
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
 * Whether the variable the source names here (`id`, an identifier of the function being specialized)
 * is never written after its initialisation: then whatever residual variable holds its value holds
 * it for the whole statement, and reading it early (or from a block's copy) reads the same value.
 */
export function neverReassigned(s: Specializer, id: Node): boolean {
  const scopes = s.frame.info.scopes;
  const variable = scopes.resolve(id);
  return !!variable && variable.defs.length > 0 && !scopes.isReassigned(variable);
}

/**
 * `n` with its reads of the variable `from` made reads of `to`; null where `n` assigns `from`, makes
 * a function (which could read it later), or does not read it.
 */
export function readsUnderName(n: Node, from: string, to: string): Node | null {
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
    const out: Node = x.type === "Property" && x.shorthand ? expandShorthand(x) : { ...x };
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
