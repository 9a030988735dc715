/**
 * Temporaries of the hoisted `let` whose lifetimes do not overlap share one
 * variable. Each variable is a register of the function's frame, and V8
 * builds an Error's stack trace in a time that grows with the registers of
 * every frame on the stack (Node 20: a `new Error` under a frame of 1,000
 * locals cost 17 µs, under one of a single local 3 µs, whether or not the
 * locals were live; `.scratch/errcost4.mjs`). filtrex's version, whose
 * coercion helpers were inlined with fresh temporaries each, declared 150
 * and made each of its returned errors about 2 µs dearer than the library's.
 *
 * Exact by construction, and so conservative: a temporary takes part only if
 * it is referenced outside every loop, switch and nested function (there,
 * the order of its references in the source is the order they run in: only
 * forward jumps, `break`, `try`/`catch`/`finally`, remain; an assignment's
 * store counts after its right side), is declared nowhere else, and is never
 * read where it may not have been assigned yet (it would read another
 * temporary's value instead of undefined). Two such temporaries whose first
 * and last references do not interleave then use one name.
 */
import { childKeys, expandShorthandInPlace, walk, type Node } from "../ast.js";
import type { ResidualContext } from "./pipeline.js";

/** Below this many hoisted temporaries the frame costs little, and the source is left as kos named it. */
const MIN_TEMPORARIES = 64;

type Assigned = Set<string> | null;

const join = (a: Assigned, b: Assigned): Assigned => (!a ? b : !b ? a : new Set([...a].filter((x) => b.has(x))));

export function shareTemporaries(fn: Node, ctx: ResidualContext): boolean {
  const body: Node[] = fn.body.body;
  const hoisted = body.slice(0, 3).find((s) => s.type === "VariableDeclaration" && s.kind === "let" && s.declarations.length >= MIN_TEMPORARIES && s.declarations.every((d: Node) => d.id.type === "Identifier" && !d.init));
  if (!hoisted) return false;
  const candidates = new Set<string>(hoisted.declarations.map((d: Node) => d.id.name as string).filter((x: string) => !ctx.sourceNames.has(x)));
  const spans = new Map<string, { first: number; last: number; refs: Node[] }>();
  const excluded = new Set<string>();
  const labels = new Map<string, Assigned[]>();
  let position = 0;
  // Loops, switches and nested functions: where source order is not the order of execution.
  let unordered = 0;

  const touch = (n: Node): void => {
    const name = n.name as string;
    if (!candidates.has(name)) return;
    if (unordered) excluded.add(name);
    const span = spans.get(name);
    if (span) {
      span.last = position;
      span.refs.push(n);
    } else spans.set(name, { first: position, last: position, refs: [n] });
    position++;
  };
  const read = (n: Node, d: Set<string>): void => {
    touch(n);
    if (!d.has(n.name)) excluded.add(n.name);
  };
  /** Every name inside is out: a nested function, a pattern, a declaration of the name elsewhere. */
  const exclude = (n: Node): void => walk(n, (x) => void (x.type === "Identifier" && excluded.add(x.name as string)));
  const unorderedWalk = (n: Node, d: Set<string>): void => {
    unordered++;
    for (const k of childKeys(n)) {
      const v = n[k];
      for (const c of Array.isArray(v) ? v : [v]) if (c && typeof c.type === "string") (/Statement|Declaration|SwitchCase|CatchClause/.test(c.type) ? stmt(c, new Set(d)) : expr(c, new Set(d)));
    }
    unordered--;
  };

  function expr(n: Node, d: Set<string>): void {
    switch (n.type) {
      case "Identifier":
        return read(n, d);
      case "Literal":
      case "KosConst":
      case "ThisExpression":
      case "Super":
      case "MetaProperty":
      case "TemplateElement":
      case "PrivateIdentifier":
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
      case "ClassExpression":
        return exclude(n);
      case "AssignmentExpression": {
        const left = n.left;
        if (left.type === "Identifier") {
          if (n.operator !== "=") read(left, d);
          expr(n.right, n.operator === "||=" || n.operator === "&&=" || n.operator === "??=" ? new Set(d) : d);
          touch(left);
          if (n.operator === "=") d.add(left.name);
          return;
        }
        if (left.type === "MemberExpression") {
          expr(left.object, d);
          if (left.computed) expr(left.property, d);
          return expr(n.right, d);
        }
        expr(n.right, d);
        return exclude(left);
      }
      case "UpdateExpression":
        if (n.argument.type === "Identifier") {
          read(n.argument, d);
          return touch(n.argument);
        }
        return expr(n.argument, d);
      case "LogicalExpression":
        expr(n.left, d);
        return expr(n.right, new Set(d));
      case "ConditionalExpression":
        expr(n.test, d);
        expr(n.consequent, new Set(d));
        return expr(n.alternate, new Set(d));
      case "ChainExpression":
        return expr(n.expression, new Set(d));
      case "MemberExpression":
        expr(n.object, d);
        if (n.computed) expr(n.property, d);
        return;
      case "Property":
        // A shorthand property's value may be renamed below: written out, its key keeps the name.
        if (n.shorthand) expandShorthandInPlace(n);
        if (n.computed) expr(n.key, d);
        return expr(n.value, d);
      default:
        for (const k of childKeys(n)) {
          const v = n[k];
          for (const c of Array.isArray(v) ? v : [v]) if (c && typeof c.type === "string") expr(c, d);
        }
    }
  }

  /** Walks a statement in order; returns the temporaries assigned on every path that completes it normally (null: none does). */
  function stmt(n: Node, d: Set<string>): Assigned {
    switch (n.type) {
      case "ExpressionStatement":
        expr(n.expression, d);
        return d;
      case "VariableDeclaration":
        if (n === hoisted) return d;
        for (const decl of n.declarations) {
          exclude(decl.id);
          if (decl.init) expr(decl.init, d);
        }
        return d;
      case "BlockStatement": {
        // After a statement that never completes, the rest of the block is dead: walked, but it completes nothing.
        let at: Set<string> = d;
        let completes = true;
        for (const s of n.body) {
          const next = stmt(s, at);
          if (!next) completes = false;
          at = next ?? new Set(at);
        }
        return completes ? at : null;
      }
      case "IfStatement": {
        expr(n.test, d);
        const a = stmt(n.consequent, new Set(d));
        return join(a, n.alternate ? stmt(n.alternate, new Set(d)) : d);
      }
      case "LabeledStatement": {
        const name = n.label.name as string;
        labels.set(name, []);
        let out = stmt(n.body, new Set(d));
        for (const b of labels.get(name)!) out = join(out, b);
        labels.delete(name);
        return out;
      }
      case "BreakStatement":
        if (n.label) labels.get(n.label.name)?.push(new Set(d));
        return null;
      case "ContinueStatement":
        return null;
      case "ReturnStatement":
      case "ThrowStatement":
        if (n.argument) expr(n.argument, d);
        return null;
      case "TryStatement":
        stmt(n.block, new Set(d));
        if (n.handler) {
          if (n.handler.param) exclude(n.handler.param);
          stmt(n.handler.body, new Set(d));
        }
        if (n.finalizer) stmt(n.finalizer, new Set(d));
        return d;
      case "FunctionDeclaration":
      case "ClassDeclaration":
        exclude(n);
        return d;
      case "EmptyStatement":
      case "DebuggerStatement":
        return d;
      default:
        // Loops and switches (and anything else): walked for their labelled breaks and names, which are left out.
        unorderedWalk(n, d);
        return d;
    }
  }

  stmt(fn.body, new Set());
  const slots: Array<{ name: string; last: number }> = [];
  const merged = new Set<string>();
  const order = [...spans].filter(([name]) => !excluded.has(name)).sort((a, b) => a[1].first - b[1].first);
  for (const [name, span] of order) {
    const slot = slots.find((s) => s.last < span.first);
    if (!slot) {
      slots.push({ name, last: span.last });
      continue;
    }
    for (const ref of span.refs) ref.name = slot.name;
    slot.last = span.last;
    merged.add(name);
  }
  if (merged.size === 0) return false;
  hoisted.declarations = hoisted.declarations.filter((decl: Node) => !merged.has(decl.id.name));
  return true;
}
