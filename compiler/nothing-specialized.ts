/**
 * A version that specialized nothing: its code is the original's again, with entry guards in
 * front. It cannot gain, and its guards and forwarding cost a call: semver's `satisfies` on a
 * fixed range (the range is only passed on to `new Range(range, options)`) ran 0.88-0.96x the
 * original until the gain check dropped it at call 256,000. compile.ts settles such a function on
 * the original instead (NOTHING_SPECIALIZED).
 *
 * The test is on the trees, not the text: the residual may rename every binding (`er` becomes
 * `e`), read a closure's object through a reference of its own (`Range` becomes `$k_ref_2`), pass
 * on a parameter known to be undefined as `void 0` (semver's tiering form, whose calls leave out
 * `options`), and hoist bare declarations (`let e;`). Anything else that differs (a literal where the original
 * read a name, a folded read chain, a `typeof` decided, an inlined call, an unrolled loop, a
 * lowered default) is a specialization, as are residual versions, specialized callbacks, unroll
 * budget spent and speculation forks.
 */
import type { Node } from "./ast.js";
import type { SpecializeResult } from "./specialize/index.js";

type Done = Pick<SpecializeResult, "node" | "versions" | "callbackBodies" | "budgetUsed" | "forksUsed">;

/** Whether `result` (cleaned up, before assembly) is `original` (the parsed function node) again, names aside. */
export function specializedNothing(original: Node, result: Done): boolean {
  if (result.versions.length || result.callbackBodies.length || result.budgetUsed > 0 || result.forksUsed > 0) return false;
  // Content guards are not asked about: a residual that is the original's own code reads what the
  // original reads, so it depends on no folded content. A closure's `fn.apply(this, arguments)`
  // resolved `fn.apply` (one guard), could not inline it, and the version was the wrapper again
  // behind its guards: 1.21-1.26x the original's time under a fixed `hotCalls`.
  const body: Node = original.body.type === "BlockStatement" ? original.body : { type: "BlockStatement", body: [{ type: "ReturnStatement", argument: original.body }] };
  return sameShape(original.params, result.node.params) && sameShape(body, result.node.body);
}

const IGNORED = new Set(["start", "end", "loc", "range", "raw", "name", "kind", "shorthand", "directive"]);

/** `let e;`, `"use strict"` and `;`: the residual adds the first and may drop the others. */
const bare = (n: unknown): boolean => {
  const s = n as Node | null;
  return !!s && (s.type === "EmptyStatement" || (s.type === "VariableDeclaration" && s.declarations.every((d: Node) => d.id.type === "Identifier" && d.init == null)) || (s.type === "ExpressionStatement" && typeof s.directive === "string"));
};

const isStringCall = (n: Node): boolean => n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === "String" && n.arguments.length === 1 && n.arguments[0].type !== "SpreadElement";
const isEmptyConcat = (n: Node): boolean => n.type === "BinaryExpression" && n.operator === "+" && n.left.type === "Literal" && n.left.value === "";

const isVoid0 = (n: Node): boolean => n.type === "UnaryExpression" && n.operator === "void" && n.argument.type === "Literal" && n.argument.value === 0;

function sameShape(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const x = a.filter((n) => !bare(n));
    const y = b.filter((n) => !bare(n));
    return x.length === y.length && x.every((n, i) => sameShape(n, y[i]));
  }
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return Object.is(a, b);
  const p = a as Node;
  const q = b as Node;
  // A binding the original reads by name, read by the residual by another name, as the object
  // itself, or as `undefined` (a parameter the calls leave out, passed on as V8's feedback saw it):
  // the same read. Any other primitive in its place is a fold.
  if (p.type === "Identifier") return q.type === "Identifier" || (q.type === "KosConst" ? q.value === undefined || ((typeof q.value === "object" || typeof q.value === "function") && q.value !== null) : isVoid0(q));
  if (q.type === "KosConst") return p.type === "Literal" && !p.regex && Object.is(p.value, q.value);
  // `String(x)` written `"" + x` for a primitive x (specialize/string-conversions.ts), or just `x`
  // where a string comes before it (residual/chain-appends.ts): the same conversion, not a fold
  // (semver's tiering form, its `String(version)` on a version profiled as a string).
  if (isStringCall(p) && p.type !== q.type) return sameShape(p.arguments[0], isEmptyConcat(q) ? q.right : q);
  if (p.type !== q.type) return false;
  // `catch {` is written `catch (e) {` again.
  if (p.type === "CatchClause" && p.param == null && q.param?.type === "Identifier") return sameShape(p.body, q.body);
  for (const k of new Set([...Object.keys(p), ...Object.keys(q)])) {
    if (!IGNORED.has(k) && !sameShape(p[k], q[k])) return false;
  }
  return true;
}
