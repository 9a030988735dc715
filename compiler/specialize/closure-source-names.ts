/**
 * A closure copied from an inlined function reads the inlined function's
 * locals under their residual names (`visitor` is `visitor_1` when the caller
 * has a `visitor` too), and V8's messages print them: acorn-walk's
 * `walk.recursive`, whose closure calls `visitor[n.type](n)`, said
 * "visitor_1[n.type] is not a function" on 1,069 of 2,000 inputs (round 13).
 *
 * Where it is exact, the copy reads such a local under its source name again,
 * from a constant declared at the top of its body on each call:
 *
 *     function c(n) { const visitor = visitor_1; return visitor[n.type](n); }
 *
 * Exact when the binding is never written after its initialisation and has no
 * temporal dead zone (a parameter or a `var`): a call of the closure cannot
 * run that initialisation, so the value read at the start of the call is the
 * one every read in the call sees. Not when a function nested in the closure
 * reads it (it could outlive the call, and a `var` read before its
 * initialisation would stay undefined there), nor in parameter defaults (they
 * run before the body), nor where the closure has the source name for
 * anything else (a declaration, a property key: taken, conservatively).
 */
import { walk, type Node } from "../ast.js";
import { declarableName } from "./source-name-plans.js";
import type { Slot } from "./specializer.js";

/** A reference in the closure renamed to its residual variable, with what the scope analysis says of its binding. */
export interface CapturedRead {
  ref: Node;
  slot: Slot;
  /** eslint-scope's first definition of the binding: `Parameter`, or `Variable` with its declaration as `parent`. */
  def: { type: string; parent?: Node | null } | undefined;
}

function isFunction(n: Node): boolean {
  return n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration";
}

/**
 * Gives each closure `copy` makes (itself, or the outermost functions in it) the source names of
 * the captured locals it reads, where exact (see above): their references keep the source's name,
 * and `renames` maps the closure's body to its copy that declares them, for cloneWith.
 */
export function closureSourceNames(copy: Node, reads: CapturedRead[], renames: Map<Node, Node>, clone: (n: Node) => Node): void {
  if (reads.length === 0) return;
  const closures: Node[] = [];
  walk(copy, (y) => {
    if (isFunction(y)) {
      closures.push(y);
      return false;
    }
    return;
  });
  for (const fn of closures) {
    const names = sourceNamesIn(fn, reads, renames);
    if (names.size) renames.set(fn.body, declared(clone(fn.body), names));
  }
}

/** The source names `fn` can read its captured locals under (source → residual), their references taken out of `renames`. */
function sourceNamesIn(fn: Node, reads: CapturedRead[], renames: Map<Node, Node>): Map<string, string> {
  const out = new Map<string, string>();
  // The references in the closure's body outside nested functions; the rest are excluded.
  const inBody = new Set<Node>();
  walk(fn.body, (y) => {
    if (isFunction(y)) return false;
    inBody.add(y);
    return;
  });
  const inFn = new Set<Node>();
  walk(fn, (y) => void inFn.add(y));
  const bySource = new Map<string, { residual: string; refs: Node[]; ok: boolean }>();
  for (const r of reads) {
    if (!inFn.has(r.ref)) continue;
    const name = r.ref.name as string;
    const noDeadZone = r.def?.type === "Parameter" || (r.def?.type === "Variable" && r.def.parent?.kind === "var");
    const ok = noDeadZone && !r.slot.reassigned && r.slot.name !== name && declarableName(name) && inBody.has(r.ref);
    const e = bySource.get(name);
    if (!e) bySource.set(name, { residual: r.slot.name, refs: [r.ref], ok });
    else {
      e.refs.push(r.ref);
      e.ok &&= ok && e.residual === r.slot.name;
    }
  }
  // A name the closure has for anything else (its own name, a parameter, a declaration, a key).
  const taken = new Set<string>();
  walk(fn, (y) => {
    if (y.type === "Identifier" && !renames.has(y)) taken.add(y.name as string);
  });
  for (const [name, e] of bySource) {
    if (!e.ok || taken.has(name)) continue;
    out.set(name, e.residual);
    for (const ref of e.refs) renames.delete(ref);
  }
  return out;
}

/** A copied body with `const <source> = <residual>;` first (after its directives); an arrow's expression becomes its return. */
function declared(body: Node, names: Map<string, string>): Node {
  const decl: Node = {
    type: "VariableDeclaration",
    kind: "const",
    declarations: [...names].map(([source, residual]) => ({ type: "VariableDeclarator", id: { type: "Identifier", name: source }, init: { type: "Identifier", name: residual } })),
  };
  if (body.type !== "BlockStatement") return { type: "BlockStatement", body: [decl, { type: "ReturnStatement", argument: body }] };
  const list: Node[] = body.body;
  let at = 0;
  while (at < list.length && typeof list[at]!.directive === "string") at++;
  return { ...body, body: [...list.slice(0, at), decl, ...list.slice(at)] };
}
