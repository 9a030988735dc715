/**
 * Object and array literals. A literal of plain fields stays virtual (its
 * fields tracked, virtual-objects.ts) until it escapes; one with spreads,
 * holes, methods, accessors or computed keys evaluates its parts in order
 * and keeps the literal.
 */
import { expandShorthand, type Node } from "../ast.js";
import { walk } from "../ast.js";
import { Specializer, id } from "./specializer.js";
import { D, type Val } from "./values.js";
import { spreadUnderSourceNames, underSourceNames } from "./source-names.js";
import { declarableName } from "./source-name-plans.js";
import { isIndex } from "./objects.js";

declare module "./specializer.js" {
  interface Specializer {
    arrayLiteral(n: Node): Val;
    objectLiteral(n: Node): Val;
  }
}

const P = Specializer.prototype;

P.arrayLiteral = function (this: Specializer, n: Node): Val {
  const elements = n.elements as Array<Node | null>;
  if (elements.some((e) => e === null || e.type === "SpreadElement")) {
    // A spread iterates when the literal is built: if a later element needs statements, they would run
    // before it. Then the literal stays as written.
    const p = this.probe(() => this.evalSeq(elements.filter(Boolean) as Node[], (e) => (e.type === "SpreadElement" ? this.spreadOperand(this.expr(e.argument)) : this.expr(e))));
    if (p.emitted.length) {
      p.undo();
      return literalUnderSourceNames(this, n);
    }
    const vals = p.result;
    // A spread of a value kos knows is not iterable (`[...cfg.count]`, `count` 5) always throws, and
    // V8 words it from the operand as written ("cfg.count is not iterable"): the literal stays as
    // written, under the source's names. Built from the folded value, it said "5 is not iterable"
    // (sweep21, repro-2).
    const present = elements.filter(Boolean) as Node[];
    if (present.some((e, k) => e.type === "SpreadElement" && (notIterable(vals[k]!) || plainObjectMade(vals[k]!)))) {
      p.undo();
      return literalUnderSourceNames(this, n);
    }
    p.commit();
    let i = 0;
    const literal: Node = { type: "ArrayExpression", elements: elements.map((e) => (e === null ? null : e.type === "SpreadElement" ? { type: "SpreadElement", argument: this.residual(vals[i++]!) } : this.residual(vals[i++]!))) };
    // A spread runs the operand's iterator (a generator of the program's, a proxy) when the literal
    // is built; an array kos made, or a string, iterates with the built-ins.
    if (present.some((e, k) => e.type === "SpreadElement" && !(vals[k]!.k === "v" || (vals[k]!.k === "s" && typeof (vals[k] as { v: unknown }).v === "string")))) this.foreignCodeMayRun();
    return spreadsUnderSourceNames(this, elements, literal) ?? D(literal, "object");
  }
  const vals = this.evalSeq(elements as Node[], (e) => this.expr(e));
  return { k: "v", o: this.newVirtual("array", new Map(vals.map((v, i) => [String(i), this.stable(v)]))) };
};

/**
 * The literal as written, its locals read under their source names (verbatim's `sourceNamed`): a
 * call in it that fails names them as V8 does ("fn is not a function" for rambda's
 * `{ ...obj, [p]: fn(obj[p]) }` with `fn` missing, where the copy said "fn_6", sweep26 repro-2).
 */
function literalUnderSourceNames(s: Specializer, n: Node): Val {
  const named = new Map<string, Node>();
  const copy = s.verbatim(n, named);
  return named.size ? { ...underSourceNames(s, named, copy), type: "object" } as Val : D(copy, "object");
}

/**
 * An object kos made from a literal, whose prototype is Object.prototype: spreading it into an
 * array throws unless a program gave Object.prototype an iterator. Kept as written, the literal
 * reads it by its variable, and V8's message names that ("lo is not iterable", where the
 * allocation kos made said "obj is not iterable"; sweep28).
 */
function plainObjectMade(v: Val): boolean {
  return v.k === "v" && v.o.kind === "object" && v.o.proto === undefined;
}

/** A known primitive that has no iterator (every primitive but a string). */
function notIterable(v: Val): boolean {
  return v.k === "s" && (v.v === null || (typeof v.v !== "object" && typeof v.v !== "function" && typeof v.v !== "string"));
}

/**
 * "o is not iterable" names the spread's operand as the source writes it: a spread of a variable
 * the residual reads from a temporary (`o_1`, a later unrolled iteration's `o_5_6`) runs in
 * `{ let o = o_1; r = [...o]; }`. Only temporaries never written again (reading one early is
 * the same), and only names nothing else in the literal reads. Null when nothing is renamed.
 */
function spreadsUnderSourceNames(s: Specializer, elements: Array<Node | null>, literal: Node): Val | null {
  const names = new Map<string, string>();
  const renamed: Array<{ spread: Node; name: string }> = [];
  // Spreads of paths (`...T[o.m].f`): their constants and temporaries, bound under the source's names.
  const bound = new Map<string, Node>();
  const paths: Array<{ spread: Node; operand: Node }> = [];
  elements.forEach((e, k) => {
    const spread = literal.elements[k];
    if (e?.type === "SpreadElement" && spread?.type === "SpreadElement" && e.argument.type !== "Identifier") {
      const plan = spreadUnderSourceNames(s, e.argument, spread.argument);
      if (plan && plan.declarations.every((d) => !bound.has(d.name) || bound.get(d.name) === d.init)) {
        for (const d of plan.declarations) bound.set(d.name, d.init);
        paths.push({ spread, operand: plan.operand });
      }
      return;
    }
    // A variable kos knows the value of, read from a constant it passes in (remeda's `[...arr1, ...arr2]`
    // with `arr2` the caller's specialized `c`: "c is not iterable", sweep29 repro-2): bound under its name.
    if (e?.type === "SpreadElement" && e.argument.type === "Identifier" && spread?.type === "SpreadElement" && spread.argument.type === "KosConst" && declarableName(e.argument.name)) {
      const name = e.argument.name as string;
      if (bound.has(name) && bound.get(name) !== spread.argument) return;
      bound.set(name, spread.argument);
      paths.push({ spread, operand: id(name) });
      return;
    }
    if (!e || e.type !== "SpreadElement" || e.argument.type !== "Identifier" || spread?.argument.type !== "Identifier") return;
    const source = e.argument.name as string;
    const residual = spread.argument.name as string;
    if (source === residual || !s.immutable.has(residual) || !declarableName(source) || (names.has(source) && names.get(source) !== residual)) return;
    names.set(source, residual);
    renamed.push({ spread, name: source });
  });
  if (!names.size && !bound.size) return null;
  let taken = false;
  walk(literal, (x) => {
    if (taken || x.type === "KosConst") return false;
    if (x.type === "Identifier" && (names.has(x.name) || bound.has(x.name))) taken = true;
    return;
  });
  if (taken || [...bound.keys()].some((name) => names.has(name))) return null;
  for (const r of renamed) r.spread.argument = id(r.name);
  for (const p of paths) p.spread.argument = p.operand;
  for (const [name, init] of bound) if (init.type === "Identifier") names.set(name, init.name);
  const constants = [...bound].filter(([, init]) => init.type === "KosConst");
  if (!constants.length) return { ...underSourceNames(s, new Map([...names].map(([name, residual]) => [name, id(residual)])), literal), type: "object" } as Val;
  const result = s.fresh("r");
  s.hoistName(result);
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [...[...names].map(([name, residual]) => ({ type: "VariableDeclarator", id: id(name), init: id(residual) })), ...constants.map(([name, init]) => ({ type: "VariableDeclarator", id: id(name), init }))] },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: literal } },
    ],
  });
  return D(id(result), "object");
}

P.objectLiteral = function (this: Specializer, n: Node): Val {
  const props = n.properties as Node[];
  const simple = props.every((p) => p.type === "Property" && p.kind === "init" && !p.method && (!p.computed ? p.key.type === "Identifier" || p.key.type === "Literal" : true) && keyName(p) !== "__proto__");
  if (simple && props.every((p) => !p.computed)) {
    const vals = this.evalSeq(props, (p) => this.expr(p.value));
    const keys = props.map(keyName);
    // Integer-like keys come first in property order: keep such objects real (their literal keeps the order right).
    if (keys.every((k) => k !== null && !isIndex(k))) {
      return { k: "v", o: this.newVirtual("object", new Map(vals.map((v, i) => [keys[i]!, this.stable(v)]))) };
    }
    return D({ type: "ObjectExpression", properties: props.map((p, i) => ({ type: "Property", kind: "init", method: false, shorthand: false, computed: false, key: { ...p.key }, value: this.residual(vals[i]!) })) }, "object");
  }
  // Methods, accessors, spread, computed keys: evaluate the parts in order, keep the literal.
  const parts: Node[] = [];
  for (const p of props) {
    if (p.type === "SpreadElement") parts.push(p.argument);
    else {
      if (p.computed) parts.push(p.key);
      if (p.kind === "init" && !p.method) parts.push(p.value);
    }
  }
  const spreads = new Set(props.filter((p) => p.type === "SpreadElement").map((p) => p.argument));
  const keys = new Set(props.filter((p) => p.type === "Property" && p.computed).map((p) => p.key));
  const probe = this.probe(() => this.evalSeq(parts, (e) => (spreads.has(e) ? this.spreadOperand(this.expr(e)) : keys.has(e) ? propertyKey(this, this.expr(e)) : this.expr(e))));
  if (probe.emitted.length && props.some((p) => p.type === "SpreadElement" || p.kind !== "init")) {
    // A spread reads its getters when the literal is built: statements for later parts would run first.
    probe.undo();
    return literalUnderSourceNames(this, n);
  }
  probe.commit();
  const vals = probe.result;
  // Building the literal runs code of the program's: a spread reads the operand's getters (or a
  // proxy's traps), and a computed key that is an object converts through its toString.
  let k = 0;
  for (const p of props) {
    const v = p.type === "SpreadElement" || p.computed ? vals[k] : undefined;
    if (p.type === "SpreadElement" || p.computed) k++;
    if (p.type === "Property" && p.kind === "init" && !p.method) k++;
    // (An object kos made has data properties only, and a primitive converts with the built-ins.)
    if (v && v.k !== "v" && !(v.k === "s" && (v.v === null || (typeof v.v !== "object" && typeof v.v !== "function")))) {
      this.foreignCodeMayRun();
      break;
    }
  }
  let i = 0;
  const properties = props.map((p) => {
    if (p.type === "SpreadElement") return { type: "SpreadElement", argument: this.residual(vals[i++]!) };
    const key = p.computed ? this.residual(vals[i++]!) : { ...p.key };
    if (p.kind !== "init" || p.method) return { type: "Property", kind: p.kind, method: p.method, shorthand: false, computed: p.computed, key, value: this.verbatim(p.value) };
    const prop: Node = { type: "Property", kind: "init", method: false, shorthand: p.shorthand, computed: p.computed, key, value: this.residual(vals[i++]!) };
    return p.shorthand ? expandShorthand(prop) : prop;
  });
  return D({ type: "ObjectExpression", properties }, "object");
};

/**
 * A computed key converted where the literal converts it: right after its expression, before the
 * value (ToPropertyKey runs an object's `Symbol.toPrimitive`, `toString` or `valueOf`). Kept as it
 * was, a key that is an object converted when the literal was built, after every value the
 * statements before it had evaluated (sweep42: "value a, value b, key a, key b"; a key that threw
 * did so after the values' effects). `Reflect.ownKeys({ [k]: 0 })[0]` is the key the literal makes,
 * a symbol included. A primitive converts with the built-ins alone, and stays as it is.
 */
function propertyKey(s: Specializer, key: Val): Val {
  if (key.k === "s" && (key.v === null || (typeof key.v !== "object" && typeof key.v !== "function"))) return key;
  if (key.k === "d" && key.type !== undefined && key.type !== "object" && key.type !== "function") return key;
  s.foreignCodeMayRun();
  const known = key.k !== "d";
  const k = known ? key : s.stable(key, "key");
  const literal: Node = { type: "ObjectExpression", properties: [{ type: "Property", kind: "init", method: false, shorthand: false, computed: true, key: s.residual(k), value: { type: "Literal", value: 0, raw: "0" } }] };
  const converted: Node = { type: "MemberExpression", computed: true, optional: false, object: { type: "CallExpression", optional: false, callee: s.constNode(REFLECT_OWN_KEYS), arguments: [literal] }, property: { type: "Literal", value: 0, raw: "0" } };
  if (known) return D(converted);
  // A key of unknown type is most often a string: only an object (or a function) is converted here,
  // with no allocation for the rest (a primitive converts in the literal, running nothing).
  const typeIs = (t: string): Node => ({ type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: s.residual(k) }, right: { type: "Literal", value: t, raw: JSON.stringify(t) } });
  const isObject: Node = { type: "LogicalExpression", operator: "||", left: { type: "LogicalExpression", operator: "&&", left: typeIs("object"), right: { type: "BinaryExpression", operator: "!==", left: s.residual(k), right: { type: "Literal", value: null, raw: "null" } } }, right: typeIs("function") };
  return D({ type: "ConditionalExpression", test: isObject, consequent: converted, alternate: s.residual(k) });
}

/** As kos loaded it. */
const REFLECT_OWN_KEYS = Reflect.ownKeys;

function keyName(p: Node): string | null {
  if (p.type !== "Property") return null;
  if (!p.computed && p.key.type === "Identifier") return p.key.name;
  if (p.key.type === "Literal") return String(p.key.value);
  return null;
}
