/**
 * Code generation. Values reach generated code in exactly two ways:
 * - literals this module builds from primitives (numbers including -0, NaN
 *   and ±Infinity, strings escaped by JSON.stringify plus U+2028/U+2029,
 *   bigints, booleans, null, undefined), and
 * - references: objects, functions and symbols become identifiers bound
 *   through the closure of `new Function` (or, for `kos build`, expressions
 *   the caller names).
 * No user string is ever concatenated into source. astring prints the tree.
 */
import * as astring from "astring";
import { generate, type Options } from "astring";
import { childKeys, clone, type Node, type ValuePath } from "./ast.js";

const lit = (value: unknown, raw: string): Node => ({ type: "Literal", value, raw });
const neg = (argument: Node): Node => ({ type: "UnaryExpression", operator: "-", prefix: true, argument });

/** An ESTree expression that evaluates to the primitive `v`, or null if `v` is not a literal-able primitive. */
export function buildLiteral(v: unknown): Node | null {
  switch (typeof v) {
    case "undefined":
      return { type: "UnaryExpression", operator: "void", prefix: true, argument: lit(0, "0") };
    case "boolean":
      return lit(v, String(v));
    case "number":
      // NaN and Infinity are written arithmetically: the identifiers could be shadowed.
      if (Number.isNaN(v)) return { type: "BinaryExpression", operator: "/", left: lit(0, "0"), right: lit(0, "0") };
      if (v === Infinity) return { type: "BinaryExpression", operator: "/", left: lit(1, "1"), right: lit(0, "0") };
      if (v === -Infinity) return neg({ type: "BinaryExpression", operator: "/", left: lit(1, "1"), right: lit(0, "0") });
      if (Object.is(v, -0)) return neg(lit(0, "0"));
      if (v < 0) return neg(lit(-v, String(-v)));
      return lit(v, String(v));
    case "string":
      return lit(v, JSON.stringify(v).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029"));
    case "bigint":
      if (v < 0n) return neg(buildLiteral(-v)!);
      return { type: "Literal", value: null, bigint: String(v), raw: `${String(v)}n` };
    case "object":
      return v === null ? lit(null, "null") : null;
    default:
      return null;
  }
}

/** Turns a value the generated code needs by identity into an expression (an identifier bound through the closure). */
export type ReferenceNamer = (value: unknown, path: ValuePath | string | null, sourceName?: string) => Node;

/** Replaces every KosConst in `root` (in place) with a literal, a fresh array literal, or a reference. */
export function materialize(root: Node, reference: ReferenceNamer): Node {
  const build = (value: unknown, path: ValuePath | string | null, _fresh: boolean, sourceName?: string): Node => buildLiteral(value) ?? reference(value, path, sourceName);
  const selfBound = new Set<Node>();
  const visit = (n: Node): Node => {
    if (!n || typeof n !== "object") return n;
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) n[i] = visit(n[i]);
      return n;
    }
    if (n.type === "KosConst") return build(n.value, n.path ?? n.hint ?? null, !!n.fresh, n.sourceName);
    // A block's binding of the constant's source name reads the constant by its own name
    // (`let tbl = $k_ref_1`): under the source's, it would read itself in its temporal dead zone.
    if (n.type === "VariableDeclarator" && n.init?.type === "KosConst" && n.id.type === "Identifier") {
      n.init = build(n.init.value, n.init.path ?? n.init.hint ?? null, !!n.init.fresh, n.init.sourceName === n.id.name ? undefined : n.init.sourceName);
      // `kos build` reaches a module's value by its own name: a block binding that name to it
      // (`{ let log = log; log.push(…) }`, for an engine message) would read itself in its temporal
      // dead zone. The block's name already is the module's binding: the binding is dropped.
      if (n.init.type === "Identifier" && n.init.name === n.id.name) selfBound.add(n);
    }
    if (n.type === "VariableDeclaration" && n.kind !== "var") {
      for (const d of n.declarations) visit(d);
      const kept = n.declarations.filter((d: Node) => !selfBound.has(d));
      if (kept.length === n.declarations.length) return n;
      if (kept.length) {
        n.declarations = kept;
        return n;
      }
      return { type: "EmptyStatement" };
    }
    // Child slots only, written only where a constant was replaced: Object.keys of every node and a
    // store to each of its keys took 15 ms of each of mingo's compiles.
    for (const k of childKeys(n)) {
      const v = n[k];
      if (!v || typeof v !== "object") continue;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const c = v[i];
          if (c && typeof c === "object") {
            const r = visit(c);
            if (r !== c) v[i] = r;
          }
        }
      } else {
        const r = visit(v);
        if (r !== v) n[k] = r;
      }
    }
    // `o["name"]` reads better as `o.name` (same semantics for identifier-like keys).
    if (n.type === "MemberExpression" && n.computed && n.property.type === "Literal" && typeof n.property.value === "string" && /^[A-Za-z_$][\w$]*$/.test(n.property.value)) {
      n.computed = false;
      n.property = { type: "Identifier", name: n.property.value };
    }
    return n;
  };
  return visit(root);
}

/**
 * How kos prints: astring's defaults, except that an optional chain used as the object of a member,
 * the callee of a call or of `new`, or a template's tag is parenthesized. astring ranks a chain with
 * member expressions and prints none: a chain the specializer moved there (`const u = o?.user;
 * return u.age`, or an inlined `return o?.user`) came out as `o?.user.age`, one chain, which gives
 * undefined for a null `o` where the original throws, and `(o?.f)()` as `o?.f()`. Between a literal
 * and a member: any operator's operand still prints bare.
 */
// (astring exports its precedence table and reads `expressionsPrecedence`; its typings list neither.)
const { EXPRESSIONS_PRECEDENCE } = astring as unknown as { EXPRESSIONS_PRECEDENCE: Record<string, number> };
export const PRINT_OPTIONS = { expressionsPrecedence: { ...EXPRESSIONS_PRECEDENCE, ChainExpression: 18.5 } } as Options;

export function generateSource(node: Node): string {
  return generate(node, PRINT_OPTIONS);
}

const pathText = (p: ValuePath | null): string =>
  p ? [p.name, ...p.keys.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`))].join("").replace(/\.\[/g, "[") : "ref";

/** Source for display only (inspect's per-pass view): references print as ‹path›. */
export function previewSource(fnNode: Node): string {
  const copy = materialize(clone(fnNode), (_v, path) => ({ type: "Identifier", name: `‹${typeof path === "string" ? path : pathText(path)}›` }));
  try {
    return generate(copy, PRINT_OPTIONS);
  } catch (e) {
    return `/* could not print: ${(e as Error).message} */`;
  }
}

export function referenceHint(path: ValuePath | null): string {
  return pathText(path).replace(/[^A-Za-z0-9_$]+/g, "_").slice(0, 40);
}
