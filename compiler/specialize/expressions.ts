/**
 * Expressions: identifiers, operators, conditionals, assignments, sequences
 * and templates. Each returns an abstract value; residual code for dynamic
 * parts is built in source evaluation order (see `evalSeq`).
 */
import { constantValue, isConstant, type Node } from "../ast.js";
import { KNOWN_GLOBALS, FOLDABLE_GLOBALS } from "../builtins.js";
import { Specializer, id, type Edge } from "./specializer.js";
import { isTrivial } from "./temporaries.js";
import { D, S, UNDEF, isPrimitive, knownNullish, knownTruthy, typeOfVal, type Val } from "./values.js";
import { binaryResultType, foldBinary, foldUnary, primitiveTypes, templateString } from "./operators.js";

declare module "./specializer.js" {
  interface Specializer {
    globalRef(name: string): Node;
    expr(n: Node): Val;
    drop(x: Val): void;
    identifier(n: Node): Val;
    freeVariable(name: string, n: Node): Val;
    slotOf(n: Node): import("./specializer.js").Slot | null;
    branchValue(test: Val, thenF: () => Val, elseF: () => Val, sources: Node[], shape: (t: Node, a: Node, b: Node) => Node): Val;
    assignment(n: Node): Val;
    update(n: Node): Val;
    binary(op: string, a: Val, b: Val, n: Node): Val;
  }
}

const P = Specializer.prototype;

P.expr = function (this: Specializer, n: Node): Val {
  // Dead code: an operand before this one always threw (an inlined call that cannot return), so
  // control never gets here; the statement that holds it checks the environment and stops.
  if (!this.env) return UNDEF;
  switch (n.type) {
    case "Literal":
      if (n.regex) return D({ type: "Literal", value: n.value, raw: n.raw, regex: { ...n.regex } }, "object");
      if (n.bigint != null) return S(BigInt(n.bigint));
      return S(n.value);
    case "Identifier":
      return this.identifier(n);
    case "ThisExpression":
      return this.frame.thisVal;
    case "TemplateLiteral": {
      const vals = this.evalSeq(n.expressions as Node[], (e) => this.expr(e));
      if (vals.every((v) => v.k === "s" && templateString(v.v).ok)) {
        let s = "";
        n.quasis.forEach((q: Node, i: number) => {
          s += q.value.cooked;
          if (i < vals.length) s += String((vals[i] as { v: unknown }).v);
        });
        return S(s);
      }
      // ToString of an object runs its toString/valueOf: foreign code.
      if (vals.some((v) => v.k !== "s" && !(v.k === "d" && v.type && primitiveTypes.has(v.type)))) this.foreignCodeMayRun();
      return D({
        type: "TemplateLiteral",
        quasis: n.quasis.map((q: Node) => ({ type: "TemplateElement", tail: q.tail, value: { raw: q.value.raw, cooked: q.value.cooked } })),
        expressions: vals.map((v) => this.residual(v)),
      }, "string");
    }
    case "SequenceExpression": {
      let last: Val = UNDEF;
      const exprs = n.expressions as Node[];
      exprs.forEach((e, i) => {
        const v = this.expr(e);
        if (i < exprs.length - 1) this.drop(v);
        else last = v;
      });
      return last;
    }
    case "UnaryExpression": {
      if (n.operator === "typeof" && n.argument.type === "Identifier" && !this.slotOf(n.argument) && !this.frame.info.scopes.resolve(n.argument)) {
        // `typeof undeclaredGlobal` must not throw: fold only names kos resolves.
        const free = this.freeVariableOrNull(n.argument.name);
        if (!free) return D({ type: "UnaryExpression", operator: "typeof", prefix: true, argument: this.globalRef(n.argument.name) }, "string");
        const f = foldUnary("typeof", (free as { v: unknown }).v);
        return free.k === "s" && f.ok ? S(f.value) : D({ type: "UnaryExpression", operator: "typeof", prefix: true, argument: this.residual(free) }, "string");
      }
      if (n.operator === "delete") return this.deleteExpression(n);
      const a = this.expr(n.argument);
      if (a.k === "s") {
        const f = foldUnary(n.operator, a.v);
        if (f.ok) return S(f.value);
      }
      if (a.k === "v") {
        if (n.operator === "typeof") return S("object");
        if (n.operator === "!") return S(false);
        if (n.operator === "void") return UNDEF;
      }
      // A value typed "object" (null included) is one: literals, built-in constructions, and narrowing by
      // `typeof x === "object"` or `Array.isArray(x)` say so (a `new` of user code is not typed).
      if (n.operator === "typeof" && a.k === "d" && a.type) return drop1(this, a, S(a.type));
      if (n.operator === "!" && a.k === "d") {
        const truthy = knownTruthy(a);
        if (truthy !== undefined) return drop1(this, a, S(!truthy));
      }
      const type = n.operator === "!" ? "boolean" : n.operator === "typeof" ? "string" : n.operator === "void" ? "undefined" : n.operator === "+" ? "number" : a.k === "d" && a.type === "number" ? "number" : undefined;
      if (n.operator === "void") return drop1(this, a, UNDEF);
      if ((n.operator === "+" || n.operator === "-" || n.operator === "~") && !(a.k === "s" ? isPrimitive(a.v) : a.k === "d" && a.type && primitiveTypes.has(a.type))) this.foreignCodeMayRun();
      // `!!b` of a boolean is `b` (a comparison, or another `!`).
      if (n.operator === "!" && a.k === "d" && a.e.type === "UnaryExpression" && a.e.operator === "!" && isBooleanNode(a.e.argument)) return D(a.e.argument, "boolean");
      return D({ type: "UnaryExpression", operator: n.operator, prefix: true, argument: this.residual(a) }, type);
    }
    case "BinaryExpression": {
      if (n.left.type === "PrivateIdentifier") return this.privateNamesHere() ? this.privateIn(n) : this.fail("USES_PRIVATE_NAME", "the function uses `#x in o`", n);
      const [a, b] = this.evalSeq([n.left, n.right], (e) => this.expr(e)) as [Val, Val];
      return this.binary(n.operator, a, b, n);
    }
    case "LogicalExpression": {
      const a = this.expr(n.left);
      const decide = (v: unknown) => (n.operator === "&&" ? !v : n.operator === "||" ? !!v : v !== null && v !== undefined);
      if (a.k === "s") return decide(a.v) ? a : this.expr(n.right);
      if (a.k === "v") return n.operator === "&&" ? this.expr(n.right) : a;
      // A type that decides the test (a function kos saw made is truthy and never null): no branch.
      const known = n.operator === "??" ? knownNullish(a) : knownTruthy(a);
      if (known !== undefined) {
        if (n.operator === "||" ? known : !known) return a;
        this.drop(a);
        return this.expr(n.right);
      }
      const left = this.stable(a);
      // `a && true` and `a || false` with a boolean `a` are `a` (what a folded check leaves behind).
      const identity = a.type === "boolean" ? (n.operator === "&&" ? true : n.operator === "||" ? false : null) : null;
      let right: Val | null = null;
      const joined = this.branchValue(
        n.operator === "&&" ? left : n.operator === "||" ? D({ type: "UnaryExpression", operator: "!", prefix: true, argument: this.residual(left) }, "boolean") : D({ type: "BinaryExpression", operator: "==", left: this.residual(left), right: { type: "Literal", value: null, raw: "null" } }, "boolean"),
        () => {
          // The right side runs where the left held (&&) or failed (||): a `typeof` test narrows it.
          if (n.operator !== "??") this.narrow(n.left, n.operator === "&&");
          return (right = this.expr(n.right));
        },
        () => left,
        [n.right],
        (_t, x, _y) => (identity !== null && isConstant(x) && constantValue(x) === identity ? this.residual(left) : { type: "LogicalExpression", operator: n.operator, left: this.residual(left), right: x }),
      );
      // `a && <falsy constant>` is falsy whichever side gives the value, `a || <truthy constant>`
      // truthy: a test on it takes one branch. d3-array's tickSpec, with `count` known, recursed
      // through `if (i2 < i1 && 0.5 <= count && count < 2) return tickSpec(…, count * 2)` into
      // 418 KB of code that never ran (1.6 s of compile).
      const r = right as Val | null;
      if (joined.k === "d" && r?.k === "s" && n.operator !== "??" && (n.operator === "&&") === !r.v) return { ...joined, truthy: !!r.v };
      return joined;
    }
    case "ConditionalExpression": {
      const t = this.expr(n.test);
      if (t.k === "s") return this.expr(t.v ? n.consequent : n.alternate);
      if (t.k === "v") return this.expr(n.consequent);
      const truthy = knownTruthy(t);
      if (truthy !== undefined) {
        // The test's own effects first, then the branch's.
        this.drop(t);
        return this.expr(truthy ? n.consequent : n.alternate);
      }
      return this.branchValue(t, () => (this.narrow(n.test, true), this.expr(n.consequent)), () => (this.narrow(n.test, false), this.expr(n.alternate)), [n.consequent, n.alternate],
        (test, x, y) => ({ type: "ConditionalExpression", test, consequent: x, alternate: y }));
    }
    case "AssignmentExpression":
      return this.assignment(n);
    case "UpdateExpression":
      return this.update(n);
    case "MemberExpression":
      return this.memberExpression(n);
    case "ChainExpression":
      return this.chain(n.expression);
    case "CallExpression":
      return this.callExpression(n);
    case "NewExpression":
      return this.newExpression(n);
    case "ArrayExpression":
      return this.arrayLiteral(n);
    case "ObjectExpression":
      return this.objectLiteral(n);
    case "FunctionExpression":
    case "ArrowFunctionExpression": {
      const e = this.verbatim(n);
      this.recordFunctionName(n, e);
      const d = D(e, "function");
      if (!n.id && !n.async && !n.generator) d.closure = { node: n, frame: this.frame, slots: new Map(this.frame.slots) };
      return d;
    }
    case "ClassExpression": {
      const e = this.verbatim(n);
      this.recordFunctionName(n, e);
      return D(e, "function");
    }
    case "TaggedTemplateExpression":
      return this.fail("TAGGED_TEMPLATE", "tagged templates are not compiled", n);
    case "ImportExpression":
      return this.fail("UNSUPPORTED", "dynamic import() resolves relative to the calling module", n);
    case "MetaProperty":
      if (n.meta?.name === "new") {
        // A call, not a construction: the compiled function sends `new` to the original (compile.ts).
        if (this.frame.newTarget === "unknown") return this.fail("USES_NEW_TARGET", "an arrow function's `new.target` belongs to where it was defined", n);
        if (this.frame.newTarget === "root") this.rootNewTarget = true;
        return UNDEF;
      }
      return this.fail("USES_NEW_TARGET", "the function uses import.meta", n);
    case "Super":
      return this.fail("USES_SUPER", "the function uses `super`", n);
    case "YieldExpression":
    case "AwaitExpression":
      return this.fail("UNSUPPORTED", `${n.type} outside a generator or async function`, n);
    default:
      return this.fail("UNSUPPORTED", `unsupported expression ${n.type}`, n);
  }
};

/** A residual expression whose value is always a boolean (comparisons, `!`, `in`, `instanceof`). */
function isBooleanNode(e: Node): boolean {
  if (e.type === "UnaryExpression") return e.operator === "!";
  return e.type === "BinaryExpression" && ["===", "!==", "==", "!=", "<", ">", "<=", ">=", "in", "instanceof"].includes(e.operator);
}

function drop1(s: Specializer, dropped: Val, result: Val): Val {
  s.drop(dropped);
  return result;
}

/** A value computed for its effects only: dynamic residual code still runs. */
P.drop = function (this: Specializer, x: Val): void {
  if (x.k !== "d" || isTrivial(x.e) || x.e.type === "Identifier") return;
  this.emit({ type: "ExpressionStatement", expression: x.e });
};

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
    if (variable.defs[0]?.type === "FunctionName" && variable.scope.type === "function-expression-name") return S(this.frame.info.fn);
    if (variable.name === "arguments" && variable.defs.length === 0) return this.argumentsObject(n);
    return this.fail("UNSUPPORTED", `'${n.name}' is read before its declaration (temporal dead zone)`, n);
  }
  if (n.name === "arguments" && !this.frame.info.parsed.kind.startsWith("arrow")) return this.argumentsObject(n);
  return this.freeVariable(n.name, n);
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
    return D(id("arguments"), "object");
  }
  return this.fail("USES_ARGUMENTS", "`arguments` escapes in an inlined function", n);
};

P.binary = function (this: Specializer, op: string, a: Val, b: Val, _n: Node): Val {
  if (a.k === "s" && b.k === "s") {
    const f = foldBinary(op, a.v, b.v);
    if (f.ok) return S(f.value);
    if (op === "in" && (typeof a.v === "string" || typeof a.v === "number" || typeof a.v === "symbol") && b.v !== null && (typeof b.v === "object" || typeof b.v === "function")) {
      const has = this.knownHas(b.v as object, typeof a.v === "number" ? String(a.v) : a.v);
      if (has !== null) return S(has);
    }
  }
  if (op === "in" && b.k === "v" && b.o.kind === "object" && a.k === "s" && (typeof a.v === "string" || typeof a.v === "number")) {
    // A key of an object kos made: its own fields, then its prototype's chain (guarded where unfrozen).
    const fields = this.fields(b.o);
    const k = String(a.v);
    if (fields?.has(k)) return S(true);
    const has = fields ? this.knownHas(b.o.proto ?? Object.prototype, k) : null;
    if (has !== null) return S(has);
  }
  if (op === "instanceof") {
    const known = this.instanceOf(a, b);
    if (known) return known;
  }
  if ((op === "===" || op === "!==") && (a.k === "v" || b.k === "v")) {
    if (a.k === "v" && b.k === "v") return S((a.o === b.o) === (op === "==="));
    const other = a.k === "v" ? b : a;
    if (other.k === "s") return S(op === "!==");
    // A virtual object is a fresh allocation: no dynamic value can be it.
    if (other.k === "d" && !(a.k === "v" && !this.fields(a.o)) && !(b.k === "v" && !this.fields(b.o))) {
      this.drop(other);
      return S(op === "!==");
    }
  }
  const ta = typeOfVal(a);
  const tb = typeOfVal(b);
  if (op === "===" || op === "!==") {
    // `b === true` of a boolean is `b`, `b === false` is `!b` (and the inverse for !==).
    const [x, y] = a.k === "s" ? [b, a] : [a, b];
    if (y.k === "s" && typeof y.v === "boolean" && x.k === "d" && (x.type === "boolean" || isBooleanNode(x.e))) {
      return y.v === (op === "===") ? D(x.e, "boolean") : D({ type: "UnaryExpression", operator: "!", prefix: true, argument: x.e }, "boolean");
    }
  }
  if (op === "===" || op === "!==" || op === "==" || op === "!=") {
    // A value known not to be null (or undefined) compared with null: no conversion runs.
    const [x, y] = a.k === "s" && a.v === null ? [b, a] : [a, b];
    if (y.k === "s" && y.v === null && x.k === "d" && x.nonNull && (op === "===" || op === "!==" || ta === "object")) {
      this.drop(x);
      return S(op === "!==" || op === "!=");
    }
    // A value whose type decides whether it is null or undefined, compared with either: no conversion runs.
    const [x2, y2] = a.k === "s" && (a.v === null || a.v === undefined) ? [b, a] : [a, b];
    if (y2.k === "s" && (y2.v === null || y2.v === undefined) && x2.k === "d") {
      const nullish = knownNullish(x2);
      if (nullish !== undefined) {
        // Known nullish is typed "undefined": it is undefined itself.
        const equal = op === "==" || op === "!=" ? nullish : nullish && y2.v === undefined;
        this.drop(x2);
        return S((op === "==" || op === "===") === equal);
      }
    }
  }
  // Identities on numbers: `x * 1`, `x / 1`, `x - 0`, `x + -0` give x itself (-0 and NaN included).
  if (ta === "number" && b.k === "s" && (((op === "*" || op === "/") && b.v === 1) || (op === "-" && Object.is(b.v, 0)) || (op === "+" && Object.is(b.v, -0)))) return a;
  if (tb === "number" && a.k === "s" && ((op === "*" && a.v === 1) || (op === "+" && Object.is(a.v, -0)))) return b;
  if (op === "+" && a.k === "s" && a.v === "" && tb === "string") return b;
  if (op === "+" && b.k === "s" && b.v === "" && ta === "string") return a;
  if ((op === "===" || op === "!==") && ta && tb && ta !== tb && primitiveTypes.has(ta) && primitiveTypes.has(tb)) {
    this.drop(a);
    this.drop(b);
    return S(op === "!==");
  }
  // An operand that may be an object is converted (valueOf, toString, Symbol.toPrimitive), and `in` and
  // `instanceof` ask a proxy or `Symbol.hasInstance`: foreign code may run (fuzz seed 1503 #1212: a
  // valueOf that logged, then `log.length` read back as the value folded at entry).
  // `x == null` converts nothing: IsLooselyEqual calls ToPrimitive only with a number, string, bigint or
  // symbol on the other side (ECMA-262 7.2.14). Counted as foreign code, object-path's `if (obj == null)`
  // stopped the folds of its unfrozen module object, and its recursive `objectPath.get` stayed a call.
  const nullishSide = (op === "==" || op === "!=") && ((a.k === "s" && a.v == null) || (b.k === "s" && b.v == null));
  const prim = (t: string | undefined, v: Val) => v.k === "s" ? isPrimitive(v.v) : !!t && primitiveTypes.has(t);
  if (op !== "===" && op !== "!==" && !nullishSide && (op === "in" || op === "instanceof" || !prim(ta, a) || !prim(tb, b))) this.foreignCodeMayRun();
  return D({ type: "BinaryExpression", operator: op, left: this.residual(a), right: this.residual(b) }, binaryResultType(op, ta, tb));
};

/**
 * A value chosen by a dynamic test. The branches are evaluated under dynamic
 * control; when neither emits statements nor leaves the environment
 * different, the residual is one expression (`a && b`, `t ? x : y`),
 * otherwise an `if` assigning a result variable.
 */
P.branchValue = function (this: Specializer, test: Val, thenF: () => Val, elseF: () => Val, sources: Node[], shape: (t: Node, a: Node, b: Node) => Node): Val {
  void sources;
  const testNode = this.residual(test);
  const base = this.env!;
  this.dynDepth++;
  let v1: Val | null = null;
  let v2: Val | null = null;
  this.env = new Map(base);
  const list1 = this.collect(() => (v1 = thenF()));
  const env1 = this.env;
  // The second branch takes the environment itself (statements.ts, ifStatement).
  this.env = base;
  const list2 = this.collect(() => (v2 = elseF()));
  const env2 = this.env;
  this.dynDepth--;
  const e1 = env1 ? { env: env1, fix: [] as Node[] } : null;
  const e2 = env2 ? { env: env2, fix: [] as Node[] } : null;
  // A virtual object a branch yields is allocated on that branch, in its own environment, before the
  // join: the join then sees it escaped there.
  const early = (v: Val | null, e: Edge | null) => {
    if (!v || !e || v.k !== "v") return null;
    const own = { fix: [] as Node[], env: e.env };
    const node = this.residualAt(own, v);
    return { fix: own.fix, node };
  };
  const pre1 = early(v1, e1);
  const pre2 = early(v2, e2);
  this.env = this.merge([e1, e2].filter(Boolean) as never);
  if (!this.env) {
    // Neither side goes on (each throws or returns): what they emitted is all that runs from here.
    this.out.push({ type: "IfStatement", test: testNode, consequent: { type: "BlockStatement", body: list1 }, alternate: list2.length ? { type: "BlockStatement", body: list2 } : null });
    return UNDEF;
  }
  const noFix = (!e1 || e1.fix.length === 0) && (!e2 || e2.fix.length === 0);
  // An object made in a branch and allocated only as its value (`data || {}`) stays a literal in place.
  const inPlace = (pre: { fix: Node[]; node: Node } | null): Node | null => {
    const st = pre?.fix.length === 1 ? pre.fix[0]! : null;
    const a = st?.type === "ExpressionStatement" ? st.expression : null;
    return a && a.type === "AssignmentExpression" && a.left.type === "Identifier" && pre!.node.type === "Identifier" && a.left.name === pre!.node.name ? a.right : null;
  };
  const lit1 = pre1 ? inPlace(pre1) : null;
  const lit2 = pre2 ? inPlace(pre2) : null;
  if (list1.length === 0 && list2.length === 0 && noFix && e1 && e2 && (!pre1 || lit1) && (!pre2 || lit2)) {
    const a = v1!, b = v2!;
    if (a.k === "s" && b.k === "s" && Object.is(a.v, b.v)) {
      this.drop(D(testNode));
      return a;
    }
    const ta = typeOfVal(a);
    const joinedInPlace = D(shape(testNode, lit1 ?? this.residual(a), lit2 ?? this.residual(b)), ta && ta === typeOfVal(b) ? ta : undefined);
    const pa = protoHintOf(a);
    if (pa && pa === protoHintOf(b)) joinedInPlace.proto = pa;
    return joinedInPlace;
  }
  const result = this.fresh("r");
  this.hoistName(result);
  const assignResult = (v: Val | null, list: Node[], e: { fix: Node[] } | null, pre: { fix: Node[]; node: Node } | null) => {
    if (!e || !v) return;
    const own = pre ?? { fix: [] as Node[], node: this.residualAt({ fix: [] }, v) };
    list.push(...own.fix, { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: own.node } });
    list.push(...e.fix);
  };
  assignResult(v1, list1, e1, pre1);
  assignResult(v2, list2, e2, pre2);
  this.emit({ type: "IfStatement", test: testNode, consequent: { type: "BlockStatement", body: list1 }, alternate: list2.length ? { type: "BlockStatement", body: list2 } : null });
  const joined = D(id(result));
  // Both sides hint the same prototype (an instance `new` made, a value narrowed by `instanceof`):
  // so does the result, for its method calls (method-guards.ts checks the method at run time).
  const p1 = e1 ? protoHintOf(v1) : null;
  const p2 = e2 ? protoHintOf(v2) : null;
  if ((p1 || p2) && (p1 === p2 || !e1 || !e2)) joined.proto = (p1 ?? p2)!;
  return joined;
};

/** The prototype a value is hinted to have: a dynamic value's hint, or a virtual instance's own prototype. */
function protoHintOf(v: Val | null): object | null {
  return !v ? null : v.k === "d" ? v.proto ?? null : v.k === "v" ? v.o.proto ?? null : null;
}

P.assignment = function (this: Specializer, n: Node): Val {
  const op: string = n.operator;
  if (n.left.type === "Identifier") {
    const slot = this.slotOf(n.left);
    if (!slot) {
      const variable = this.frame.info.scopes.resolve(n.left);
      if (variable) return this.fail("UNSUPPORTED", `assignment to '${n.left.name}' before its declaration`, n);
      return this.fail("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${n.left.name}'`, n);
    }
    if (slot.kind === "const") return this.fail("UNSUPPORTED", `assignment to the constant '${n.left.name}' (throws TypeError)`, n);
    if (op === "=") {
      const v = this.expr(n.right);
      const stable = this.stable(v, slot.name);
      this.write(slot, stable, n);
      return stable.k === "d" ? this.read(slot) : stable;
    }
    if (op === "&&=" || op === "||=" || op === "??=") {
      const cur = this.read(slot);
      const logicalOp = op.slice(0, 2);
      const decide = (v: unknown) => (logicalOp === "&&" ? !!v : logicalOp === "||" ? !v : v === null || v === undefined);
      if (cur.k === "s") {
        if (!decide(cur.v)) return cur;
        const v = this.stable(this.expr(n.right), slot.name);
        this.write(slot, v, n);
        return v;
      }
      this.materialize(slot);
      const curNode = id(slot.name);
      const test = logicalOp === "&&" ? D(curNode) : logicalOp === "||" ? D({ type: "UnaryExpression", operator: "!", prefix: true, argument: id(slot.name) }) : D({ type: "BinaryExpression", operator: "==", left: id(slot.name), right: { type: "Literal", value: null, raw: "null" } });
      this.branchValue(test, () => {
        const v = this.stable(this.expr(n.right), slot.name);
        this.write(slot, v, n);
        return UNDEF;
      }, () => UNDEF, [n.right], () => ({ type: "Literal", value: null, raw: "null" }));
      this.materialize(slot);
      return D(id(slot.name));
    }
    // The current value is read first; it needs a copy only if evaluating the right side emits
    // statements that may change it (hoistPending decides, as for any pending operand).
    const list = this.out;
    const mark = list.length;
    const pending = [this.read(slot)];
    const rhs = this.expr(n.right);
    if (list.length !== mark) this.hoistPending(pending, mark);
    const cur = pending[0]!;
    const v = this.stable(this.binary(op.slice(0, -1), cur, rhs, n), slot.name);
    this.write(slot, v, n);
    return v.k === "d" ? this.read(slot) : v;
  }
  if (n.left.type === "MemberExpression") return this.assignMember(n);
  return this.assignPattern(n);
};

P.update = function (this: Specializer, n: Node): Val {
  if (n.argument.type === "Identifier") {
    const slot = this.slotOf(n.argument);
    if (!slot) return this.fail("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${n.argument.name}'`, n);
    if (slot.kind === "const") return this.fail("UNSUPPORTED", `assignment to the constant '${n.argument.name}' (throws TypeError)`, n);
    const cur = this.read(slot);
    if (cur.k === "s" && (typeof cur.v === "number" || typeof cur.v === "bigint")) {
      const next = n.operator === "++" ? (cur.v as number) + ((typeof cur.v === "bigint" ? 1n : 1) as number) : (cur.v as number) - ((typeof cur.v === "bigint" ? 1n : 1) as number);
      this.write(slot, S(next), n);
      return S(n.prefix ? next : cur.v);
    }
    this.materialize(slot);
    this.declare(slot);
    // ToNumeric of an object runs its valueOf.
    if (!(cur.k === "s" ? isPrimitive(cur.v) : cur.k === "d" && cur.type && primitiveTypes.has(cur.type))) this.foreignCodeMayRun();
    return D({ type: "UpdateExpression", operator: n.operator, prefix: n.prefix, argument: id(slot.name) }, cur.k === "d" && cur.type === "number" ? "number" : undefined);
  }
  if (n.argument.type === "MemberExpression") return this.updateMember(n);
  return this.fail("UNSUPPORTED", `update of ${n.argument.type}`, n);
};
