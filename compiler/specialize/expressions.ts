/**
 * Expressions: identifiers, operators, conditionals, assignments, sequences
 * and templates. Each returns an abstract value; residual code for dynamic
 * parts is built in source evaluation order (see `evalSeq`). This file holds
 * the dispatch over expression types and the operators; identifiers
 * (identifiers.ts), values chosen by a dynamic test (branch-values.ts) and
 * assignments (assignments.ts) have files of their own.
 */
import { constantValue, isConstant, type Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import { isTrivial } from "./temporaries.js";
import { KNOWN_GLOBALS } from "../builtins.js";
import { D, S, UNDEF, isPrimitive, knownNullish, knownTruthy, typeOfVal, type Val } from "./values.js";
import { binaryResultType, foldBinary, foldUnary, primitiveTypes, templateString } from "./operators.js";

declare module "./specializer.js" {
  interface Specializer {
    expr(n: Node): Val;
    drop(x: Val): void;
    binary(op: string, a: Val, b: Val, n: Node): Val;
  }
}

const P = Specializer.prototype;

/** `${e}`: a template's conversion of one substitution, on its own. */
function oneSubstitution(e: Node): Node {
  const empty = (tail: boolean): Node => ({ type: "TemplateElement", tail, value: { raw: "", cooked: "" } });
  return { type: "TemplateLiteral", quasis: [empty(false), empty(true)], expressions: [e] };
}

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
      // Each substitution is converted to a string right after it is evaluated, before the next:
      // converting an object runs its toString/valueOf (foreign code), which can change what a
      // later substitution reads (`${cfg.p}|${x}|${cfg.p}`, sweep25 repro-6). Such a value is
      // converted in place (a pending `${x}`, moved into a temporary if a later substitution needs
      // statements), and the code after it is evaluated as after foreign code.
      let converted = false;
      const conversions = new Set<Node>();
      const vals = this.evalSeq(n.expressions as Node[], (e) => {
        if (converted) {
          this.foreignCodeMayRun();
          converted = false;
        }
        const v = this.expr(e);
        if (v.k === "s" ? templateString(v.v).ok : v.k === "d" && v.type !== undefined && primitiveTypes.has(v.type)) return v;
        converted = true;
        const conversion = oneSubstitution(this.residual(v));
        conversions.add(conversion);
        return D(conversion, "string");
      });
      if (converted) this.foreignCodeMayRun();
      if (vals.every((v) => v.k === "s" && templateString(v.v).ok)) {
        let s = "";
        n.quasis.forEach((q: Node, i: number) => {
          s += q.value.cooked;
          if (i < vals.length) s += String((vals[i] as { v: unknown }).v);
        });
        return S(s);
      }
      return D({
        type: "TemplateLiteral",
        quasis: n.quasis.map((q: Node) => ({ type: "TemplateElement", tail: q.tail, value: { raw: q.value.raw, cooked: q.value.cooked } })),
        // A conversion still in place (nothing moved it) is the substitution itself again.
        expressions: vals.map((v) => {
          const e = this.residual(v);
          return conversions.has(e) ? e.expressions[0] : e;
        }),
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
      // `typeof (0, x)` reads `x` as a value (an undeclared one throws); `typeof x` does not.
      let argument = this.residual(a);
      if (n.operator === "typeof" && argument.type === "Identifier" && n.argument.type !== "Identifier") argument = { type: "SequenceExpression", expressions: [{ type: "Literal", value: 0, raw: "0" }, argument] };
      return D({ type: "UnaryExpression", operator: n.operator, prefix: true, argument }, type);
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
      const lazy = this.lazyClosure(n);
      if (lazy) return lazy;
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
  if (x.k !== "d" || isTrivial(x.e)) return;
  // A variable of the residual reads nothing; a global may be undeclared (a ReferenceError) or an
  // accessor of the global object (its getter runs), unless it is a built-in kos assumes unmodified
  // (sweep41: `notDeclared;` in a `try` threw nothing, a `globalThis` getter did not run).
  if (x.e.type === "Identifier" && (this.declared.has(x.e.name) || droppableGlobal(x.e.name))) return;
  this.emit({ type: "ExpressionStatement", expression: x.e });
};

function droppableGlobal(name: string): boolean {
  if (name === "arguments") return true;
  if (!KNOWN_GLOBALS.has(name)) return false;
  const d = Reflect.getOwnPropertyDescriptor(globalThis, name);
  return d !== undefined && "value" in d;
}

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
