/**
 * Binding patterns: parameters, declarations and assignment targets. A
 * pattern over a known value reads its parts now; over a dynamic value the
 * reads happen in residual code, in the order the engine would do them.
 * Defaults are evaluated only when the value is `undefined`, as the spec says.
 */
import type { Node } from "../ast.js";
import { clone, walk } from "../ast.js";
import { varIdentifiers } from "./fn-info.js";
import { FOR_OF_ITEM, knownItems } from "./for-in-of.js";
import { iterableOrNull, iterateOnce } from "../error-helpers.js";
import { Specializer, assign, id, type Slot } from "./specializer.js";
import { D, S, UNDEF, type Val } from "./values.js";
import { statementUnderSourceName } from "./source-names.js";
import { declarationUnderSlot } from "./function-names.js";

declare module "./specializer.js" {
  interface Specializer {
    /** `source`: the expression the value came from, as written (`const { p } = o`: `o`), for the engine's messages. */
    bindPattern(pattern: Node, value: Val, declKind: "let" | "const" | "var" | "param" | null, source?: Node): void;
    assignPattern(n: Node): Val;
    enterFunctionBody(fnNode: Node, args: Val[]): void;
    /** Binds one parameter (not a rest element) to its argument, failing as V8 words a parameter's failure. */
    bindParameter(p: Node, value: Val): void;
    declareVars(body: Node, fnNode: Node): void;
    hoistFunctions(statements: Node[]): void;
  }
}

const P = Specializer.prototype;

/** Binds one identifier of a pattern: a new binding (declarations, parameters) or an assignment. */
function bindIdentifier(s: Specializer, target: Node, value: Val, declKind: "let" | "const" | "var" | "param" | null): void {
  const scopes = s.frame.info.scopes;
  if (declKind === null) {
    const slot = s.slotOf(target);
    if (!slot) s.fail("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${target.name}'`, target);
    s.write(slot, s.stable(value, slot.name), target);
    return;
  }
  const variable = scopes.variableOfDeclaration(target) ?? scopes.resolve(target);
  if (!variable) s.fail("INTERNAL", `no binding for '${target.name}'`, target);
  if (declKind === "var") {
    const slot = s.frame.slots.get(variable) ?? s.newSlot(variable, "var", undefined, true);
    s.write(slot, s.stable(value, slot.name), target);
    return;
  }
  const early = s.frame.slots.get(variable);
  // An early slot (pinned from the start, scopedStatements) is this declaration's; one pinned late, by a closure on
  // another evaluation of it (a speculation fork's other branch), is not: that one was declared by its closure.
  const slot = early && early.pinned && !early.latePinned && !early.declared && !s.env!.has(early) ? early : s.newSlot(variable, declKind === "param" ? "let" : declKind, undefined, declKind === "param" && lazyParameter(s, value), declKind === "let" || declKind === "const");
  if (slot.pinned && !slot.latePinned && !slot.declared && s.frame.root) s.nameInPlace(slot, variable);
  s.init(slot, s.stable(value, slot.name), declKind === "param" ? "let" : declKind);
}

/**
 * Whether a parameter of an inlined call that a closure captures is pinned only once such a closure
 * is made (verbatim.ts), as an activation's `var` is: where its argument is an object kos allocated.
 * Pinned at entry, the object was allocated there, on every path: jsonpath-plus's `_trace(expr, val,
 * path, …)` captures `expr` and `path` in the closures of its `..`, `*` and filter cases, so the
 * path array of a fixed query was made real at the first step and every later step read it at run
 * time. Only for such arguments: with every captured parameter lazy, brace-expansion's `expand`
 * grew a 1.2 MB residual in 34 s of compile (a known value kept known is what unrolls more).
 * Not where the callee reads `arguments` (a sloppy function's parameters alias it).
 */
function lazyParameter(s: Specializer, value: Val): boolean {
  // (So is a function expression given lazy, lazy-closures.ts: pinned, it would be made at entry.)
  return (value.k === "v" || (value.k === "d" && !!value.lazyClosure)) && !s.frame.root && !s.frame.info.usesArguments;
}

P.bindPattern = function (this: Specializer, pattern: Node, value: Val, declKind, source?: Node): void {
  if (!this.env) return; // dead code: the value's expression always threw (see expr)
  switch (pattern.type) {
    case "Identifier":
      return bindIdentifier(this, pattern, value, declKind);
    case "AssignmentPattern": {
      // The default runs only when the value is undefined.
      if (value.k === "s") return this.bindPattern(pattern.left, value.v === undefined ? this.expr(pattern.right) : value, declKind);
      if (value.k === "v") return this.bindPattern(pattern.left, value, declKind);
      const v = this.stable(value);
      if (v.k === "d" && v.type && v.type !== "undefined") return this.bindPattern(pattern.left, v, declKind);
      const chosen = this.branchValue(
        D({ type: "BinaryExpression", operator: "===", left: this.residual(v), right: { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } } }, "boolean"),
        () => this.expr(pattern.right),
        () => v,
        [pattern.right],
        (t, a, b) => ({ type: "ConditionalExpression", test: t, consequent: a, alternate: b }),
      );
      // A parameter's object pattern with a default: V8 names what it destructures by the
      // conditional it desugars to, "(intermediate value)(intermediate value)(intermediate value)".
      return this.bindPattern(pattern.left, chosen, declKind, declKind === "param" && pattern.left.type === "ObjectPattern" ? DEFAULTED_PARAMETER : undefined);
    }
    case "ObjectPattern":
    case "ArrayPattern": {
      // A virtual array, or a known array whose items kos can read without running user code (frozen, or
      // read with guards): the pattern binds its items.
      const known = pattern.type === "ArrayPattern" && value.k === "s" && Array.isArray(value.v) ? knownItems(this, value) : null;
      const fields = value.k === "v" && value.o.kind === "array" ? this.fields(value.o) : null;
      if (pattern.type === "ArrayPattern" && (fields || known)) {
        const items = known ?? [...fields!.values()];
        (pattern.elements as Array<Node | null>).forEach((el, i) => {
          if (!el || !this.env) return;
          if (el.type === "RestElement") {
            const rest = { k: "v" as const, o: this.newVirtual("array", new Map(items.slice(i).map((v, j) => [String(j), v]))) };
            this.bindPattern(el.argument, rest, declKind);
          } else this.bindPattern(el, items[i] ?? UNDEF, declKind);
        });
        return;
      }
      // A rest element (`{ p = f(), ...rest }`) copies the whole pattern as written, its defaults
      // included: the properties before it bound first, their defaults ran twice (sweep27 repro-4).
      const hasRest = pattern.type === "ObjectPattern" && (pattern.properties as Node[]).some((prop) => prop.type === "RestElement");
      if (pattern.type === "ObjectPattern" && !hasRest && (value.k === "v" || (value.k === "s" && value.v !== null && value.v !== undefined)) && !defaultsReadOwnTargets(this, pattern)) {
        // Known source: each property read folds (or stays a read), in order, defaults only when undefined.
        const src = this.stable(value, "src");
        for (const prop of pattern.properties as Node[]) {
          if (!this.env) return;
          const key = prop.computed ? this.stable(this.expr(prop.key)) : S(prop.key.type === "Identifier" ? prop.key.name : String(prop.key.value));
          const inner = this.readMember(src, key, prop);
          if (nestedReadThrows(this, prop.value, inner)) return;
          this.bindPattern(prop.value, inner, declKind);
        }
        return;
      }
      return residualPattern(this, pattern, value, declKind, source);
    }
    case "MemberExpression": {
      if (declKind !== null) this.fail("INTERNAL", "member expression in a declaration", pattern);
      const [obj, key] = this.evalSeq([pattern.object, pattern.property], (e) => (e === pattern.property && !pattern.computed ? S(e.name) : this.expr(e))) as [Val, Val];
      this.drop(this.storeMember(obj, key, value, pattern));
      return;
    }
    default:
      this.fail("UNSUPPORTED", `pattern ${pattern.type}`, pattern);
  }
};

/**
 * A nested object pattern over a value kos knows is null or undefined (`let { a: { b } } = cfg`
 * where `cfg.a` folded to undefined): the engine fails reading its first key, "Cannot read
 * properties of undefined (reading 'b')". Destructured on its own, the residual said "Cannot
 * destructure property 'b' of '(void 0)'" (sweep41 #12). Emits that read, which throws, and ends
 * the path; false where the pattern is another (an array pattern, a default, a computed first key).
 */
function nestedReadThrows(s: Specializer, target: Node, v: Val): boolean {
  if (target.type !== "ObjectPattern" || v.k !== "s" || (v.v !== null && v.v !== undefined)) return false;
  const first = (target.properties as Node[])[0];
  if (!first || first.type !== "Property" || first.computed) return false;
  const key = first.key.type === "Identifier" ? first.key.name : String(first.key.value);
  const object: Node = v.v === null ? { type: "Literal", value: null, raw: "null" } : { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } };
  s.emit({ type: "ExpressionStatement", expression: { type: "MemberExpression", object, property: { type: "Literal", value: key, raw: JSON.stringify(key) }, computed: true, optional: false } });
  s.env = null;
  return true;
}

/**
 * An inlined callee's parameter pattern destructures its argument in the residual as a local does,
 * and V8 words the failure by the form: for a parameter, "Cannot destructure property 'a' of
 * 'object null' as it is null.", for `const { a } = v`, "… of 'v' …". For an argument that may be
 * null or undefined, a parameter with the pattern's first key throws first, with the parameter's
 * words: `if (v === null || v === void 0) (({ a: _ }) => 0)(v);` (it runs nothing else: the
 * engine throws before any key or default is read).
 */
function throwsAsParameter(s: Specializer, pattern: Node, v: Val): void {
  const first = (pattern.properties as Node[])[0];
  const key = first && first.type === "Property" && !first.computed ? first.key : null;
  const param: Node = { type: "ObjectPattern", properties: key ? [{ type: "Property", key: { ...key }, value: id("_"), kind: "init", computed: false, method: false, shorthand: false }] : [] };
  const arg = s.residual(v);
  const call: Node = { type: "ExpressionStatement", expression: { type: "CallExpression", optional: false, callee: { type: "ArrowFunctionExpression", id: null, params: [param], body: { type: "Literal", value: 0, raw: "0" }, expression: true, async: false, generator: false }, arguments: [arg] } };
  if (v.k === "s") {
    s.emit(call);
    return;
  }
  const isNullish: Node = {
    type: "LogicalExpression", operator: "||",
    left: { type: "BinaryExpression", operator: "===", left: arg, right: { type: "Literal", value: null, raw: "null" } },
    right: { type: "BinaryExpression", operator: "===", left: arg, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } } },
  };
  s.emit({ type: "IfStatement", test: isNullish, consequent: call, alternate: null });
}

P.assignPattern = function (this: Specializer, n: Node): Val {
  if (n.operator !== "=") return this.fail("UNSUPPORTED", "compound assignment to a pattern", n);
  // A property target (`({ p: o[k], q: k } = src)`): the engine evaluates each target, reads its
  // value and stores it, one property after another, so a store can change what a later target or
  // read sees, and a failure is worded as a read ("Cannot read properties of undefined (reading
  // 'p')"). Destructured into temporaries first, the stores came after every read (sweep25
  // repro-3 and repro-4): such an assignment is copied as written.
  if (hasPropertyTarget(n.left)) {
    const copy = this.verbatim(n);
    this.foreignCodeMayRun();
    return D(copy);
  }
  const v = this.stable(this.expr(n.right), "src");
  this.bindPattern(n.left, v, null, n.right);
  return v;
};

/** Whether a pattern stores into a property anywhere (`[o.a, b] = …`, `{ p: o[k] = 1 } = …`). */
function hasPropertyTarget(p: Node | null): boolean {
  if (!p) return false;
  switch (p.type) {
    case "MemberExpression":
      return true;
    case "ObjectPattern":
      return (p.properties as Node[]).some((prop) => hasPropertyTarget(prop.type === "RestElement" ? prop.argument : prop.value));
    case "ArrayPattern":
      return (p.elements as Array<Node | null>).some(hasPropertyTarget);
    case "RestElement":
      return hasPropertyTarget(p.argument);
    case "AssignmentPattern":
      return hasPropertyTarget(p.left);
    default:
      return false;
  }
}

/** `var` bindings and function declarations exist from the start of the function. */
P.declareVars = function (this: Specializer, body: Node, fnNode: Node): void {
  const scopes = this.frame.info.scopes;
  for (const idn of varIdentifiers(this.frame.info, body, fnNode)) {
    const variable = scopes.variableOfDeclaration(idn);
    if (variable && !this.frame.slots.has(variable)) {
      const slot = this.newSlot(variable, "var", undefined, true);
      this.init(slot, UNDEF, "var");
    }
  }
};

P.hoistFunctions = function (this: Specializer, statements: Node[]): void {
  const scopes = this.frame.info.scopes;
  // Every declaration's slot first: a function may call one declared after it (papaparse's
  // `serialize` calls `safe`, declared below it), and its copy must name that one's slot.
  const hoisted: Array<{ st: Node; slot: Slot }> = [];
  for (const st of statements) {
    if (st.type !== "FunctionDeclaration") continue;
    const variable = scopes.variableOfDeclaration(st.id);
    if (!variable) continue;
    const slot = this.frame.slots.get(variable) ?? this.newSlot(variable, "function");
    slot.pinned = true;
    slot.declared = true;
    hoisted.push({ st, slot });
  }
  for (const [i, { st, slot }] of hoisted.entries()) {
    // Two declarations of one name in a function body (sloppy code allows it, and a function body's
    // are var-like in strict code too): the last one is the binding's value. Declared twice, the
    // residual did not compile ("Identifier 'd_2' has already been declared"; sweep12, repro-4).
    if (hoisted.some((h, j) => j > i && h.slot === slot)) continue;
    const copy = this.verbatim(st);
    this.emit(declarationUnderSlot(copy, st.id.name, slot.name, "FunctionExpression"));
    // A helper declared inside the function (mingo's `resolvePath` in `resolve`) is a known closure
    // where nothing reassigns it: its calls run in place, as an arrow's do (closures.ts), and the
    // declaration stays for the code that takes it as a value. Held only as a variable, each of
    // mingo's 13 lookups called the generic helper.
    const known = !slot.reassigned && !st.async && !st.generator;
    this.env!.set(slot, known ? { val: { ...D(id(slot.name), "function"), closure: { node: st, frame: this.frame, slots: new Map(this.frame.slots) } } } : { val: null });
  }
};

P.enterFunctionBody = function (this: Specializer, fnNode: Node, args: Val[]): void {
  this.declareVars(fnNode.body, fnNode);
  const params = fnNode.params as Node[];
  params.forEach((p, i) => {
    if (!this.env) return;
    if (p.type === "RestElement") {
      const rest = { k: "v" as const, o: this.newVirtual("array", new Map(args.slice(i).map((v, j) => [String(j), v]))) };
      this.bindPattern(p.argument, rest, "param");
      return;
    }
    this.bindParameter(p, args[i] ?? UNDEF);
  });
};

P.bindParameter = function (this: Specializer, p: Node, value: Val): void {
  // A parameter that is an object pattern (not one with a default: V8 words that one otherwise).
  if (p.type === "ObjectPattern" && (value.k === "d" ? !value.type || value.type === "object" || value.type === "undefined" : value.k === "s" && value.v == null)) {
    if (value.k === "d") value = this.stable(value, "arg");
    throwsAsParameter(this, p, value);
  }
  this.bindPattern(p, value, "param");
};

/** A default that reads a binding of the same pattern must run after the earlier parts are bound. */
function defaultsReadOwnTargets(s: Specializer, pattern: Node): boolean {
  const names = new Set<string>();
  const targets = (p: Node): void => {
    if (!p) return;
    if (p.type === "Identifier") names.add(p.name);
    else if (p.type === "AssignmentPattern") targets(p.left);
    else if (p.type === "RestElement") targets(p.argument);
    else if (p.type === "ObjectPattern") p.properties.forEach((q: Node) => targets(q.type === "RestElement" ? q : q.value));
    else if (p.type === "ArrayPattern") p.elements.forEach(targets);
  };
  targets(pattern);
  let found = false;
  walk(pattern, (x) => {
    if (x.type === "AssignmentPattern") walk(x.right, (y) => void (y.type === "Identifier" && names.has(y.name) && (found = true)));
  });
  void s;
  return found;
}

/** Whether a pattern computes a property key anywhere in it (`{ [k]: v }`). */
function computesKey(p: Node | null): boolean {
  if (!p) return false;
  switch (p.type) {
    case "ObjectPattern":
      return (p.properties as Node[]).some((prop) => (prop.type === "RestElement" ? computesKey(prop.argument) : !!prop.computed || computesKey(prop.value)));
    case "ArrayPattern":
      return (p.elements as Array<Node | null>).some(computesKey);
    case "RestElement":
      return computesKey(p.argument);
    case "AssignmentPattern":
      return computesKey(p.left); // a default's own code is not the pattern's
    default:
      return false;
  }
}

/** The source of a parameter's object pattern that has a default (see bindPattern): printed as V8's desugared conditional. */
const DEFAULTED_PARAMETER: Node = { type: "ConditionalExpression" };

/**
 * Destructuring a value kos does not know: the residual code destructures it
 * with the source's own pattern shape (so the engine reads, iterates, applies
 * defaults and reports errors as the original does), into temporaries that
 * the pattern's targets are then bound from.
 */
function residualPattern(s: Specializer, pattern: Node, value: Val, declKind: "let" | "const" | "var" | "param" | null, source?: Node): void {
  if (defaultsReadOwnTargets(s, pattern)) s.fail("UNSUPPORTED", "a destructuring default reads another binding of the same pattern", pattern);
  const later: Array<{ target: Node; temp: string }> = [];
  const tempFor = (target: Node): Node => {
    const t = s.fresh(target.type === "Identifier" ? target.name : "el");
    s.hoistName(t);
    later.push({ target, temp: t });
    return id(t);
  };
  // A nested pattern keeps its shape (V8 words a failure inside it as "Cannot read properties of
  // undefined (reading 'y')", where destructuring a temporary said "… of 'el'"), unless it computes
  // a key, which would then be evaluated before the reads around it.
  const shape = (p: Node): Node => {
    if (p.type === "AssignmentPattern") return { type: "AssignmentPattern", left: shape(p.left), right: s.verbatim(p.right) };
    if (p.type === "ObjectPattern" && !computesKey(p)) {
      return {
        type: "ObjectPattern",
        properties: (p.properties as Node[]).map((prop) => (prop.type === "RestElement" ? { type: "RestElement", argument: tempFor(prop.argument) } : { type: "Property", kind: "init", method: false, shorthand: false, computed: false, key: { ...prop.key }, value: shape(prop.value) })),
      };
    }
    if (p.type === "ArrayPattern" && !computesKey(p)) {
      return { type: "ArrayPattern", elements: (p.elements as Array<Node | null>).map((el) => (el === null ? null : el.type === "RestElement" ? { type: "RestElement", argument: tempFor(el.argument) } : shape(el))) };
    }
    return tempFor(p);
  };
  let residualShape: Node;
  if (pattern.type === "ObjectPattern") {
    residualShape = {
      type: "ObjectPattern",
      properties: (pattern.properties as Node[]).map((prop) => {
        if (prop.type === "RestElement") return { type: "RestElement", argument: tempFor(prop.argument) };
        const key = prop.computed ? s.residual(s.stable(s.expr(prop.key))) : { ...prop.key };
        return { type: "Property", kind: "init", method: false, shorthand: false, computed: !!prop.computed, key, value: shape(prop.value) };
      }),
    };
  } else {
    residualShape = {
      type: "ArrayPattern",
      elements: (pattern.elements as Array<Node | null>).map((el) => (el === null ? null : el.type === "RestElement" ? { type: "RestElement", argument: tempFor(el.argument) } : shape(el))),
    };
  }
  let right = s.residual(value);
  if (source === FOR_OF_ITEM) {
    if (declKind === "let" || declKind === "const" || declKind === "var") right = failLikeForOfHead(s, pattern, residualShape, right);
    source = undefined;
  }
  let stmt: Node;
  let setRight: (r: Node) => void;
  if (pattern.type === "ArrayPattern" && (declKind === "let" || declKind === "const" || declKind === "var")) {
    // V8 words a failed array destructuring by its form: a declaration says "o is not iterable", an
    // assignment "number 127 is not iterable (cannot read property Symbol(Symbol.iterator))". A
    // declaration stays one: block-scoped names, copied into the temporaries after (no effect).
    const inner = new Map(later.map(({ temp }) => [temp, s.fresh(`${temp}_d`)]));
    const rename = (n: Node): void => {
      walk(n, (x) => {
        if (x.type === "KosConst") return false;
        if (x.type === "Identifier" && inner.has(x.name)) x.name = inner.get(x.name)!;
        return;
      });
    };
    rename(residualShape);
    const declarator: Node = { type: "VariableDeclarator", id: residualShape, init: right };
    stmt = {
      type: "BlockStatement",
      body: [
        { type: "VariableDeclaration", kind: "const", declarations: [declarator] },
        ...later.map(({ temp }) => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(temp), right: id(inner.get(temp)!) } })),
      ],
    };
    setRight = (r) => void (declarator.init = r);
  } else {
    const assignment: Node = { type: "AssignmentExpression", operator: "=", left: residualShape, right };
    stmt = { type: "ExpressionStatement", expression: assignment };
    setRight = (r) => void (assignment.right = r);
  }
  // "Cannot destructure property 'p' of 'o'" and "o is not iterable" name the source's expression.
  if (source === DEFAULTED_PARAMETER && right.type === "Identifier") {
    setRight({ type: "ConditionalExpression", test: { type: "BinaryExpression", operator: "===", left: right, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } } }, consequent: { ...right }, alternate: { ...right } });
    s.emit(stmt);
  } else s.emit((source && source !== DEFAULTED_PARAMETER ? statementUnderSourceName(source, stmt, right, setRight, s) : null) ?? stmt);
  s.foreignCodeMayRun();
  for (const { target, temp } of later) {
    if (!s.env) return;
    s.bindPattern(target, D(id(temp)), declKind);
  }
}

/**
 * Where the item fails the pattern before any code of the program's runs (an array pattern over a
 * value nothing iterates, an object pattern over null or undefined), the pattern is applied again
 * in a for-of head, over an iterable of kos's own that yields the item once, so that V8 throws its
 * own words for the original's loop. Returns what the pattern then destructures: for an array
 * pattern, the item as iterableOrNull gives it (error-helpers.ts), so that a proxy's iterator
 * method, or a getter's, is read once, and a missing one fails as ".for is not iterable" (V8's
 * words for a head's array pattern whatever the item; the re-run gets null) where destructuring
 * the proxy itself said "item is not iterable" (sweep13).
 */
function failLikeForOfHead(s: Specializer, pattern: Node, residualShape: Node, right: Node): Node {
  const rerun = (item: Node): Node => ({
    type: "ForOfStatement",
    await: false,
    left: { type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: clone(residualShape), init: null }] },
    right: { type: "CallExpression", optional: false, callee: s.constNode(iterateOnce), arguments: [item] },
    body: { type: "BlockStatement", body: [] },
  });
  if (pattern.type !== "ArrayPattern") {
    const fails: Node = { type: "BinaryExpression", operator: "==", left: right, right: { type: "Literal", value: null, raw: "null" } };
    s.emit({ type: "IfStatement", test: fails, consequent: { type: "BlockStatement", body: [rerun(right)] }, alternate: null });
    return right;
  }
  const iterable = s.fresh("iterable");
  s.hoistName(iterable);
  s.emit(assign(iterable, { type: "CallExpression", optional: false, callee: s.constNode(iterableOrNull), arguments: [right] }));
  const fails: Node = { type: "BinaryExpression", operator: "===", left: id(iterable), right: { type: "Literal", value: null, raw: "null" } };
  s.emit({ type: "IfStatement", test: fails, consequent: { type: "BlockStatement", body: [rerun({ type: "Literal", value: null, raw: "null" })] }, alternate: null });
  return id(iterable);
}
