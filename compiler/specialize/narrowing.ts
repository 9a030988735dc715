/**
 * Type narrowing: what a test that held (or failed) says about the
 * variables it tested, for the code it guards.
 */
import { walk, type Node } from "../ast.js";
import { Specializer, type Env } from "./specializer.js";
import { noteArgumentsReach, ownArgumentsNode } from "./own-arguments.js";
import { S } from "./values.js";
import { prototypeHint } from "./new-expressions.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Narrows what the current environment knows from the source test `test` having had this outcome. */
    narrow(test: Node, outcome: boolean): void;
    /** Records that the source variable `x` holds `value` here (a `switch` case entered only by matching). */
    narrowToValue(x: Node, value: unknown): void;
    /** Names each source test assigns (assignedNames), per test node: a test is narrowed on at every evaluation. */
    testAssigns?: WeakMap<Node, Set<string>>;
  }
}

const P = Specializer.prototype;

/**
 * What a test that held (or failed) says about the types of variables, for
 * the code it guards: `typeof x === "string"`, `Array.isArray(x)`,
 * `Number.isInteger(x)`, `x === null`, and `&&`/`||`/`!` of those. Only
 * facts about variables whose value lives in their residual variable are
 * recorded; code after an `if` that always leaves keeps the other branch's.
 */
P.narrow = function (this: Specializer, test: Node, outcome: boolean): void {
  narrow(this, test, outcome);
};

P.narrowToValue = function (this: Specializer, x: Node, value: unknown): void {
  if (!exactlyKnown(value)) return;
  const lit: Node = value === undefined ? { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0 } } : { type: "Literal", value, ...(typeof value === "bigint" ? { bigint: String(value) } : {}) };
  narrow(this, { type: "BinaryExpression", operator: "===", left: x, right: lit }, true);
};

function narrow(s: Specializer, test: Node, outcome: boolean): void {
  const env = s.env;
  if (!env) return;
  // A variable the test itself assigns holds, after the test, what it was given, not what was tested:
  // `typeof x === "string" && (x = y)` held says nothing of x.
  let assignedSet: Set<string> | null = null;
  const assigned = {
    has(name: string): boolean {
      if (!assignedSet) {
        const memo = (s.testAssigns ??= new WeakMap());
        assignedSet = memo.get(test) ?? null;
        if (!assignedSet) memo.set(test, (assignedSet = assignedNames(test)));
      }
      return assignedSet.has(name);
    },
  };
  const setType = (x: Node, type: string) => {
    if (x.type !== "Identifier" || assigned.has(x.name)) return;
    const slot = s.slotOf(x);
    if (!slot || slot.pinned) return;
    const st = env.get(slot);
    if (st && st.val === null) env.set(slot, { ...st, type });
    else if (st && st.val && st.val.k === "d") env.set(slot, { val: { ...st.val, type } });
  };
  const setNonNull = (x: Node) => {
    if (x.type !== "Identifier" || assigned.has(x.name)) return;
    const slot = s.slotOf(x);
    if (!slot || slot.pinned) return;
    const st = env.get(slot);
    if (st && st.val === null) env.set(slot, { ...st, nonNull: true });
    else if (st && st.val && st.val.k === "d") env.set(slot, { val: { ...st.val, nonNull: true } });
  };
  const setIsArray = (x: Node, value: boolean) => {
    if (x.type !== "Identifier" || assigned.has(x.name)) return;
    const slot = s.slotOf(x);
    if (!slot || slot.pinned) return;
    const st = env.get(slot);
    const fact = { value, epoch: s.foreignEpoch ?? 0 };
    if (st && st.val === null) env.set(slot, { ...st, isArray: fact });
    else if (st && st.val && st.val.k === "d") env.set(slot, { val: { ...st.val, isArray: fact } });
  };
  // `x instanceof C` held: x's prototype chain has C.prototype. As a hint (its method calls are
  // checked against the method read at run time, method-guards.ts), C.prototype is x's prototype:
  // mustache's `view instanceof Context ? view : new Context(view)` then joins two values with the
  // same hint, and `context.lookup(name)` inlines behind its test.
  // `x === "add"` held: x is that primitive, known (its variable holds it too). Not for a variable a
  // closure may write (pinned, or lazily captured), whose value a call in the test could change.
  const setValue = (x: Node, value: unknown) => {
    if (x.type !== "Identifier" || assigned.has(x.name)) return;
    const slot = s.slotOf(x);
    if (!slot || slot.pinned || slot.lazy) return;
    const st = env.get(slot);
    if (st && st.val === null) env.set(slot, { val: S(value), inVar: true });
    else if (st && st.val && st.val.k === "d") env.set(slot, { val: S(value) });
  };
  const setProto = (x: Node, ctor: Node) => {
    if (x.type !== "Identifier" || ctor.type !== "Identifier" || assigned.has(x.name)) return;
    const slot = s.slotOf(x);
    if (!slot || slot.pinned) return;
    const C = knownFunction(s, ctor);
    const proto = C ? prototypeHint(C) : null;
    if (!proto) return;
    const st = env.get(slot);
    if (st && st.val === null && !st.proto) env.set(slot, { ...st, proto });
    else if (st && st.val && st.val.k === "d" && !st.val.proto) env.set(slot, { val: { ...st.val, proto } });
  };
  const walkTest = (t: Node, holds: boolean): void => {
    if (t.type === "UnaryExpression" && t.operator === "!") return walkTest(t.argument, !holds);
    if (t.type === "LogicalExpression") {
      // `a && b` held: both held. `a || b` failed: both failed.
      if ((t.operator === "&&" && holds) || (t.operator === "||" && !holds)) {
        walkTest(t.left, holds);
        walkTest(t.right, holds);
      }
      return;
    }
    if (t.type === "BinaryExpression" && ["===", "!==", "==", "!="].includes(t.operator)) {
      // `x !== null` held, or `x === null` failed (loosely: `x != null`): x is not null (or undefined).
      const isNull = (e: Node) => e.type === "Literal" && e.value === null && !e.regex;
      const other = isNull(t.right) ? t.left : isNull(t.left) ? t.right : null;
      const equal = t.operator === "===" || t.operator === "==";
      if (other && equal !== holds) setNonNull(other);
      if (t.operator === "==" || t.operator === "!=") return;
      const positive = (t.operator === "===") === holds;
      if (positive) {
        // `typeA === typeB` held where typeB holds a known primitive (a folded `typeof b` of a
        // specialized b): typeA is that primitive too, so a `switch (typeA)` it guards folds.
        const lit = exactPrimitive(t.right) ?? knownExactVariable(s, env, t.right, assigned);
        if (lit) setValue(t.left, lit.value);
        else {
          const lit2 = exactPrimitive(t.left) ?? knownExactVariable(s, env, t.left, assigned);
          if (lit2) setValue(t.right, lit2.value);
        }
      }
      const [a, b] = t.left.type === "UnaryExpression" && t.left.operator === "typeof" ? [t.left, t.right] : [t.right, t.left];
      if (a.type === "UnaryExpression" && a.operator === "typeof" && b.type === "Literal" && typeof b.value === "string" && positive) setType(a.argument, b.value);
      return;
    }
    if (t.type === "BinaryExpression" && ["<", "<=", ">", ">="].includes(t.operator)) return argumentsReach(s, env, t, holds, assigned);
    if (t.type === "BinaryExpression" && t.operator === "instanceof" && holds) return setProto(t.left, t.right);
    if (isIntrinsicArrayIsArray(s, t)) setIsArray(t.arguments[0], holds);
    if (t.type === "CallExpression" && holds && t.arguments.length === 1 && t.callee.type === "MemberExpression" && !t.callee.computed) {
      const owner = t.callee.object.type === "Identifier" ? t.callee.object.name : null;
      const m = t.callee.property.name;
      if (owner === "Array" && m === "isArray") setType(t.arguments[0], "object");
      if (owner === "Number" && (m === "isInteger" || m === "isFinite" || m === "isSafeInteger")) setType(t.arguments[0], "number");
    }
  };
  walkTest(test, outcome);
}

/**
 * `arguments.length > k` (or `>=`, `<`, `<=`, either way round) with a number literal, as it
 * held or failed: the root's own `arguments` has at least that many items on this path, so its reads
 * below that count run no code (own-arguments.ts). Its length cannot change while nothing else holds it.
 */
function argumentsReach(s: Specializer, env: Env, t: Node, holds: boolean, assigned: { has(name: string): boolean }): void {
  const lengthOf = (e: Node): boolean => e.type === "MemberExpression" && !e.computed && e.property.name === "length" && e.object.type === "Identifier" && !assigned.has(e.object.name) && ownArgumentsNode(s, e.object);
  const num = (e: Node): number | null => (e.type === "Literal" && typeof e.value === "number" && Number.isFinite(e.value) && e.value >= 0 ? e.value : null);
  // As `length <op> c`.
  const flip: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
  const [op, c] = lengthOf(t.left) && num(t.right) !== null ? [t.operator as string, num(t.right)!] : lengthOf(t.right) && num(t.left) !== null ? [flip[t.operator]!, num(t.left)!] : [null, null];
  if (op === null || c === null) return;
  // What held: `length > c` or `length >= c` (a failed `<=` or `<` is one of those).
  const held = holds ? op : ({ "<": ">=", "<=": ">" } as Record<string, string>)[op];
  if (held === ">") noteArgumentsReach(env, Math.floor(c) + 1);
  else if (held === ">=") noteArgumentsReach(env, Math.ceil(c));
}

/**
 * The primitive a literal denotes, where `x === literal` pins x to exactly it: not 0 (x may be -0),
 * not a regular expression. `void 0` is undefined.
 */
function exactPrimitive(e: Node): { value: unknown } | null {
  if (e.type === "UnaryExpression" && e.operator === "void" && e.argument.type === "Literal" && !e.argument.regex) return { value: undefined };
  if (e.type !== "Literal" || e.regex) return null;
  const v = e.bigint != null ? BigInt(e.bigint) : e.value;
  return exactlyKnown(v) ? { value: v } : null;
}

/**
 * The primitive a variable of this frame holds, known, where `x === variable` pins x to exactly it:
 * a slot the test does not assign and no closure may write (pinned, or lazily captured), whose value
 * is a static exactly-known primitive, as it was when the test read it.
 */
function knownExactVariable(s: Specializer, env: Env, e: Node, assigned: { has(name: string): boolean }): { value: unknown } | null {
  if (e.type !== "Identifier" || assigned.has(e.name)) return null;
  const slot = s.slotOf(e);
  if (!slot || slot.pinned || slot.lazy) return null;
  const v = env.get(slot)?.val;
  return v && v.k === "s" && exactlyKnown(v.v) ? { value: v.v } : null;
}

/** A primitive that only itself is `===` to: not 0 (-0 equals it), not NaN (nothing does). */
function exactlyKnown(v: unknown): boolean {
  if (typeof v === "number") return v === v && v !== 0;
  return v === null || v === undefined || ["string", "boolean", "bigint"].includes(typeof v);
}

/** Names assigned (or updated, or declared by a pattern) anywhere in a test. */
function assignedNames(test: Node): Set<string> {
  const names = new Set<string>();
  const targets = (p: Node | null | undefined): void => {
    if (!p) return;
    if (p.type === "Identifier") names.add(p.name);
    else if (p.type === "ObjectPattern") for (const q of p.properties) targets(q.type === "RestElement" ? q.argument : q.value);
    else if (p.type === "ArrayPattern") for (const q of p.elements) targets(q);
    else if (p.type === "RestElement") targets(p.argument);
    else if (p.type === "AssignmentPattern") targets(p.left);
  };
  // Not into functions: a variable a closure assigns is captured, and captured ones are never narrowed.
  walk(test, (n) => {
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "ClassExpression") return false;
    if (n.type === "AssignmentExpression") targets(n.left);
    else if (n.type === "UpdateExpression") targets(n.argument);
  });
  return names;
}

/** The function a name holds, where kos knows it without running anything (a slot's value, a stable closure binding); else null. */
function knownFunction(s: Specializer, name: Node): Function | null {
  const slot = s.slotOf(name);
  if (slot) {
    const v = s.env?.get(slot)?.val;
    return v && v.k === "s" && typeof v.v === "function" ? (v.v as Function) : null;
  }
  if (s.frame.info.scopes.resolve(name)) return null;
  const found = s.options.lookupFree(s.frame.info.fn, name.name, s.frame.info.fn !== s.rootFn);
  return found.found && found.stable && typeof found.value === "function" ? (found.value as Function) : null;
}

/**
 * `Array.isArray(x)` where `Array` is the global (no binding of the function or of `scope`
 * names it); the call site then runs the intrinsic, under the documented assumption that
 * built-ins are not replaced after jit.
 */
function isIntrinsicArrayIsArray(s: Specializer, t: Node): boolean {
  if (t.type !== "CallExpression" || t.optional || t.arguments.length !== 1 || t.arguments[0].type !== "Identifier") return false;
  const c = t.callee;
  if (c.type !== "MemberExpression" || c.computed || c.optional || c.object.type !== "Identifier" || c.object.name !== "Array" || c.property.name !== "isArray") return false;
  if (s.frame.info.scopes.resolve(c.object)) return false;
  const scope = s.options.scope as Record<string, unknown> | undefined;
  return !scope || !Object.prototype.hasOwnProperty.call(scope, "Array") || scope.Array === Array;
}
