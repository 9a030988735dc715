/**
 * `try` statements: a block that can neither throw nor leave except by
 * jumps is evaluated in place; otherwise the try stays, with the slots its
 * block and handlers assign in their variables throughout, since any
 * statement in it may throw.
 */
import type { Node } from "../ast.js";
import { Specializer, id, type Env, pushFix } from "./specializer.js";
import { D, S, type VirtualObject } from "./values.js";
import { evaluateHolding, heldInTry } from "./try-held-objects.js";
import { foreignSince } from "./foreign-state.js";

declare module "./specializer.js" {
  interface Specializer {
    tryStatement(n: Node): void;
  }
}

const P = Specializer.prototype;

P.tryStatement = function (this: Specializer, n: Node): void {
  if (!n.finalizer && tryBlockFolds(this, n)) return;
  // First with the objects it only reads left virtual (try-held-objects.ts).
  const held = heldInTry(this, n);
  if (held.size > 0 && evaluateHolding(this, held, () => residualTry(this, n, held))) return;
  residualTry(this, n, new Set());
};

function residualTry(s: Specializer, n: Node, held: ReadonlySet<VirtualObject>): void {
  residualTryBody.call(s, n, held);
}

function residualTryBody(this: Specializer, n: Node, held: ReadonlySet<VirtualObject>): void {
  // Any statement in the try block may throw: the slots it (or the handlers) assign live in their
  // variables throughout, and the objects it references are allocated, but for those it only reads.
  this.escapeReferencedIn([n], held);
  const assigned = this.slotsAssignedIn([n]);
  for (const s of assigned) this.materialize(s);
  const wasPinned = [...assigned].map((s) => s.pinned);
  for (const s of assigned) {
    this.declare(s);
    s.pinned = true;
  }
  const head = this.env!;
  this.dynDepth++;
  this.tryDepth++;
  this.env = new Map(head);
  // The handler and the finalizer can start from any point of the block: after whatever foreign
  // code it ran on any of its paths (foreign-state.ts).
  const marks = this.foreignMarks ?? 0;
  const block = this.collect(() => this.block(n.block.body));
  const afterTry: Env | null = this.env;
  let handler: Node = null;
  let afterCatch: Env | null = null;
  if (n.handler) {
    this.env = new Map(head);
    foreignSince(this, marks, this.env);
    const h = n.handler;
    const body = this.collect(() => {
      if (h.param) {
        const name = this.fresh("e");
        this.hoistName(name);
        handler = { type: "CatchClause", param: id(name), body: null };
        this.bindPattern(h.param, D(id(name)), "let");
      } else handler = { type: "CatchClause", param: null, body: null };
      this.block(h.body.body);
    });
    handler.body = { type: "BlockStatement", body: body };
    afterCatch = this.env;
  }
  let finalizer: Node = null;
  let afterFinally: Env | null | "none" = "none";
  if (n.finalizer) {
    this.env = new Map(head);
    foreignSince(this, marks, this.env);
    finalizer = { type: "BlockStatement", body: this.collect(() => this.block(n.finalizer.body)) };
    afterFinally = this.env;
  }
  this.dynDepth--;
  this.tryDepth--;
  assigned.forEach((s) => void s);
  [...assigned].forEach((s, i) => (s.pinned = wasPinned[i]! || !!s.latePinned));
  const edges = [];
  if (afterTry) edges.push({ env: afterTry, fix: pushFix(block) });
  if (afterCatch && handler) edges.push({ env: afterCatch, fix: pushFix((handler as Node).body.body) });
  this.env = this.merge(edges);
  if (this.env) for (const s of assigned) if (this.env.has(s)) this.env.set(s, { val: null });
  if (afterFinally === null) this.env = null;
  this.out.push({ type: "TryStatement", block: { type: "BlockStatement", body: block }, handler, finalizer });
  void S;
}

/**
 * A try block that evaluates to nothing at run time (everything in it folded, leaving at most
 * jumps): nothing in it can throw, so the handler never runs, and the block is evaluated in
 * place. jmespath's `_looksLikeJSON` tests a literal with `try { JSON.parse(s); return true }
 * catch { return false }`; kept as a try, its result joined both branches and the lexer's
 * literal stayed dynamic. A block that leaves anything else runs as a try, as before.
 */
function tryBlockFolds(s: Specializer, n: Node): boolean {
  const edgesBefore = s.targets.map((t) => t.edges.length);
  // What the attempt changes besides the environment, put back if it is undone: the block is then
  // evaluated again from the same point. Left as the attempt had them, its foreign calls made every
  // read of an unfrozen object in the try dynamic (jsonpath-plus: `JSONPath` wraps all its work in a
  // try, and its `new JSONPathClass(…)` ran as a call), and its unrolling used the budget up.
  const before = { foreignRan: s.foreignRan, budget: s.budget, guards: s.contentGuards?.length, lengthGuards: s.lengthGuards?.length, forks: s.forks, genericNodes: s.genericNodes };
  const p = s.probe(() => s.block(n.block.body));
  if (p.emitted.every(doesNothingButJump)) {
    p.commit();
    return true;
  }
  p.undo();
  s.foreignRan = before.foreignRan;
  s.budget = before.budget;
  if (before.guards !== undefined) s.contentGuards.length = before.guards;
  if (before.lengthGuards !== undefined) s.lengthGuards.length = before.lengthGuards;
  s.forks = before.forks;
  s.genericNodes = before.genericNodes;
  // Jumps the block made out of itself (a `return` in an inlined call) are not taken after all.
  s.targets.forEach((t, i) => {
    if (i < edgesBefore.length) t.edges.length = edgesBefore[i]!;
  });
  return false;
}

function doesNothingButJump(n: Node): boolean {
  if (n.type === "EmptyStatement" || n.type === "BreakStatement" || n.type === "ContinueStatement") return true;
  if (n.type === "BlockStatement") return (n.body as Node[]).every(doesNothingButJump);
  if (n.type === "LabeledStatement") return doesNothingButJump(n.body);
  return false;
}
