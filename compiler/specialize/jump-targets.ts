/**
 * Jump targets: where `break`, `continue` and `return` go. A jump records
 * its edge (the environment there) on its target, which joins them with the
 * fall-through where the construct ends (joins.ts); a residual `break` or
 * `continue` to the target's label is emitted wherever control is dynamic.
 */
import type { Node } from "../ast.js";
import type { Val } from "./values.js";
import { Specializer, id, type Edge, type Target } from "./specializer.js";

declare module "./specializer.js" {
  interface Specializer {
    edgeHere(value?: Val): Edge;
    newTarget(partial: Partial<Target>): Target;
    labelOf(t: Target): string;
    jump(t: Target, kind: "break" | "continue", value?: Val): void;
    withTarget(t: Target, body: () => void): void;
    findTarget(kind: "break" | "continue", label: string | null, node: Node): Target;
  }
}

const P = Specializer.prototype;

/** An edge from the current point: the environment now, and a fix-up block emitted here. */
P.edgeHere = function (this: Specializer, value?: Val): Edge {
  const fix: Node[] = [];
  this.out.push({ type: "BlockStatement", body: fix });
  const e: Edge = { env: this.env!, fix };
  if (value) e.value = value;
  return e;
};

P.newTarget = function (this: Specializer, partial: Partial<Target>): Target {
  return { labels: [], breakable: false, continuable: false, isReturn: false, dynDepth: this.dynDepth, label: null, edges: [], ...partial };
};

P.labelOf = function (this: Specializer, t: Target): string {
  if (!t.label) t.label = this.fresh(t.labels[0] ?? (t.isReturn ? "ret" : "L"));
  return t.label;
};

/** Leaves to a target: records the edge, emits the residual jump if control is dynamic. Afterwards the point is unreachable. */
P.jump = function (this: Specializer, t: Target, kind: "break" | "continue", value?: Val): void {
  if (!this.env) return;
  if (t.variant) {
    for (const s of t.variant) this.materialize(s);
    this.checkHeld(t);
    if (!t.native) t.edges.push({ env: this.env, fix: [] });
    this.out.push(t.native ? { type: "ContinueStatement", label: id(this.labelOf(t)) } : { type: "BreakStatement", label: id(this.labelOf(t)) });
    this.env = null;
    return;
  }
  const edge = this.edgeHere(value);
  t.edges.push(edge);
  // Always a residual `break`: other paths may continue after this point in the residual code
  // (the next unrolled iteration after a dynamic `continue`). flattenBlocks drops the ones in tail position.
  this.out.push({ type: "BreakStatement", label: id(this.labelOf(t)) });
  void kind;
  this.env = null;
};

/** Runs `body` with `t` as an active target, then joins its edges with the fall-through. */
P.withTarget = function (this: Specializer, t: Target, body: () => void): void {
  this.targets.push(t);
  try {
    body();
  } finally {
    this.targets.pop();
  }
  const edges = [...t.edges];
  if (this.env) edges.push(this.edgeHere());
  this.env = this.merge(edges);
};

P.findTarget = function (this: Specializer, kind: "break" | "continue", label: string | null, node: Node): Target {
  for (let i = this.targets.length - 1; i >= 0; i--) {
    const t = this.targets[i]!;
    if (t.isReturn) break;
    if (label ? t.labels.includes(label) && (kind === "break" ? !t.continuable : t.continuable) : kind === "break" ? t.breakable : t.continuable) return t;
  }
  return this.fail("INTERNAL", `no target for ${kind}${label ? ` ${label}` : ""}`, node);
};
