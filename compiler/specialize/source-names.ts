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
import type { Node } from "../ast.js";
import { id, type Specializer } from "./specializer.js";
import { D, type Val } from "./values.js";
import { readsOuterName } from "./outer-name-reads.js";
import { NOT_DECLARABLE, declarableName, mentions, neverReassigned, pathRoot, planRename, planRenames, readsFree, readsUnderName, type Renames } from "./source-name-plans.js";

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
    if (!renames || renames.declarations.some((d) => mentions(stmt, d.name) && readsOuterName(stmt, d.name))) return null;
    replace(renames.operand);
    return {
      type: "BlockStatement",
      body: [{ type: "VariableDeclaration", kind: "let", declarations: renames.declarations.map((d) => ({ type: "VariableDeclarator", id: id(d.name), init: d.init })) }, stmt],
    };
  }
  const { sourceName, residualRoot } = plan;
  if (mentions(stmt, sourceName) && readsOuterName(stmt, sourceName)) return null;
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
export function underSourceNames(s: Specializer, names: Map<string, Node>, copy: Node): Val {
  const result = s.fresh("r");
  s.hoistName(result);
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [...names].map(([name, init]) => ({ type: "VariableDeclarator", id: id(name), init })) },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: copy } },
    ],
  });
  return D(id(result));
}
