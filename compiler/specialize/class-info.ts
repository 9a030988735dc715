/**
 * A class as a constructor kos can run in place. `new C(a)` of a base class
 * defines C's instance fields on the new object, in order, then runs the
 * constructor's body; kos assembles one function of that shape, parsed from
 * the class's own source, and analyses it like any other function.
 *
 * Refused (the `new` then runs as written): derived classes (`super()`),
 * private members (the brand and `#x` belong to the class body), computed
 * field keys, field initializers that name a binding the constructor
 * declares (in the class they see the enclosing scope, not the constructor's),
 * and fields beside a constructor with parameter defaults or patterns (those
 * run after the fields are defined, and may read them).
 */
import * as acorn from "acorn";
import { JitError } from "../jit-error.js";
import { walk, isReferenceIdentifier, type Node } from "../ast.js";
import { infoOf, type FnInfo } from "./fn-info.js";
import { isAnonymousDefinition } from "./function-names.js";

// The intrinsic, captured when kos loads (see parse.ts).
const intrinsicToString = Function.prototype.toString;

// Analyses are immutable once made: a cache, like fn-info's.
const classes = new WeakMap<Function, FnInfo | JitError>();

/** The assembled constructor of class `C`, or a JitError saying why it cannot be run in place. */
export function classConstructorInfo(C: Function): FnInfo {
  let r = classes.get(C);
  if (!r) {
    try {
      r = load(C);
    } catch (e) {
      if (!(e instanceof JitError)) throw e;
      r = e;
    }
    classes.set(C, r);
  }
  if (r instanceof JitError) throw r;
  return r;
}

export function isClass(C: Function): boolean {
  return /^\s*class\b/.test(Reflect.apply(intrinsicToString, C, []) as string);
}

function load(C: Function): FnInfo {
  const source = Reflect.apply(intrinsicToString, C, []) as string;
  let cls: Node;
  try {
    cls = acorn.parseExpressionAt(`(${source})`, 0, { ecmaVersion: "latest", sourceType: "script", locations: true }) as Node;
  } catch (err) {
    throw new JitError("PARSE_ERROR", `acorn could not parse the class source: ${(err as Error).message}`);
  }
  if (cls.type !== "ClassExpression") throw new JitError("PARSE_ERROR", "the class source did not parse as a class");
  if (cls.superClass) throw new JitError("USES_SUPER", "a derived class constructs through super()", cls.loc?.start.line ?? null);
  let ctor: Node | null = null;
  const fields: string[] = [];
  const inits: Node[] = [];
  for (const m of cls.body.body as Node[]) {
    if (m.key?.type === "PrivateIdentifier" && !m.static) throw new JitError("USES_PRIVATE_NAME", "the class has private instance members (#names)", m.loc?.start.line ?? null);
    if (m.type === "MethodDefinition" && m.kind === "constructor") ctor = m.value;
    else if (m.type === "PropertyDefinition" && !m.static) {
      if (m.computed || (m.key.type !== "Identifier" && m.key.type !== "Literal")) throw new JitError("UNSUPPORTED", "a class field with a computed key", m.loc?.start.line ?? null);
      const name = m.key.type === "Identifier" ? m.key.name : String(m.key.value);
      fields.push(name);
      const given: Node = m.value ?? { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } };
      // A field names the anonymous function or class it holds (`onClick = () => …` is "onClick");
      // an assignment does not, so the value is taken through an object literal's key, which does
      // (sweep42: the inlined `new Button()` gave its handlers the name "").
      const key: Node = { type: "Literal", value: name, raw: JSON.stringify(name) };
      const value: Node = isAnonymousDefinition(given)
        ? { type: "MemberExpression", computed: true, optional: false, property: { ...key }, object: { type: "ObjectExpression", properties: [{ type: "Property", kind: "init", method: false, shorthand: false, computed: false, key: { ...key }, value: given }] } }
        : given;
      inits.push({
        type: "ExpressionStatement",
        start: m.start, end: m.end, loc: m.loc,
        expression: { type: "AssignmentExpression", operator: "=", start: m.start, end: m.end, loc: m.loc, left: { type: "MemberExpression", object: { type: "ThisExpression" }, property: { type: "Literal", value: name, raw: JSON.stringify(name) }, computed: true, optional: false }, right: value },
      });
    }
  }
  if (ctor && inits.length && (ctor.params as Node[]).some((p) => p.type !== "Identifier")) {
    // A base class defines its fields before its parameters are bound: a default that reads the
    // instance (`constructor(max = this.limit)`) sees them (sweep42). The assembled function binds
    // its parameters first.
    throw new JitError("UNSUPPORTED", "a class with fields whose constructor has parameter defaults or patterns (the fields are defined before they run)", ctor.loc?.start.line ?? null);
  }
  if (ctor && inits.length) {
    const declared = new Set<string>();
    walk(ctor, (x) => {
      if (x !== ctor && /Function/.test(x.type)) return false;
      if (x.type === "VariableDeclarator" || x.type === "FunctionDeclaration" || x.type === "ClassDeclaration") walk(x.id ?? {}, (p) => void (p.type === "Identifier" && declared.add(p.name)));
      return;
    });
    for (const p of ctor.params as Node[]) walk(p, (x) => void (x.type === "Identifier" && declared.add(x.name)));
    for (const init of inits) {
      walk(init.expression.right, (x, parent) => {
        if (x.type === "Identifier" && isReferenceIdentifier(x, parent) && declared.has(x.name)) throw new JitError("UNSUPPORTED", `a class field initializer names '${x.name}', which the constructor also declares`, init.loc?.start.line ?? null);
      });
    }
  }
  const node: Node = {
    type: "FunctionExpression", id: null, generator: false, async: false, expression: false,
    params: ctor ? ctor.params : [],
    body: { type: "BlockStatement", body: [...inits, ...(ctor ? ctor.body.body : [])], start: cls.start, end: cls.end, loc: cls.loc },
    start: cls.start, end: cls.end, loc: cls.loc,
  };
  const info = infoOf(C, { node, source, name: C.name, kind: "function", strict: true }, node);
  info.fields = fields;
  return info;
}
