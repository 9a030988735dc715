/**
 * One generic rest per statement list. After foreign code may have run, the
 * rest of a statement list is speculated on again (speculation.ts): `if
 * (guards) { folded rest } else { generic rest }`. In an interpreter each
 * statement of the folded rest can run foreign code again (a read of the
 * input, a callback) and fork again, and each fork copied the rest of the list
 * generically: code grew with the square of the list's foreign points.
 * valibot's 9-property object schema hit the limit on generic code
 * (MAX_GENERIC_NODES) after its first property, and ran at 0.85x the library.
 *
 * Here the forks of one list share one generic rest, the way the speculated
 * iterations of a loop share one residual loop (loops.ts) and a tracing JIT's
 * side exits share the interpreter. A failed guard at statement k sets an
 * entry index and leaves to the shared rest, which runs statement k' only
 * when the entry is at most k':
 *
 *     end: { rest: { if (g_j) { S_j …  if (g_k) { S_k … break end; } from = k; break rest; … }
 *                    from = j; break rest; }
 *            if (from <= j) G_j   …   if (from <= k) G_k   … }
 *
 * G_k is evaluated once, generically, as the old generic branches were, from
 * the join of the paths that ran G_(k-1) and the failed guards that enter at
 * k (values that differ move to variables at each jump). A path that enters
 * later is joined only there: its environment already has what the statements
 * it skips declare (`const entry = …` in a loop body), and the join at the
 * head of the rest would have lost it.
 *
 * Only where every statement of the rest can run inside a block of its own:
 * a binding that a closure captures, or that a `try` around the list pinned
 * to its variable, is declared in place (Specializer.init), and a class
 * declaration is too; a later statement in another block would not see them
 * (fuzz seed 4056 #528: a `const` in a try block, read after a failed guard,
 * read the hoisted `let` of the same name instead). Such lists fork as before.
 */
import { walk, type Node } from "../ast.js";
import { buildLiteral } from "../emit.js";
import { Specializer, assign, id, type Edge, type Env, type Target } from "./specializer.js";
import { D } from "./values.js";
import type { Variable } from "../analyze/scopes.js";

export interface SharedRest {
  /** Where failed guards leave to, with their environments (each edge with its `entry`). */
  target: Target;
  /** The residual variable holding the index of the first statement to run generically. */
  entry: string;
}

declare module "./specializer.js" {
  interface Specializer {
    /** Statements of `list` from `from`, speculated on again after foreign code; `rest` is the list's shared generic rest, if one is open. */
    statementsFrom(list: Node[], from: number, rest?: SharedRest): void;
    /** The fork at `list[from]` that opens the list's shared generic rest; false when the list cannot share one (nothing was done). */
    forkWithSharedRest(list: Node[], from: number): boolean;
  }
}

const P = Specializer.prototype;

/** Whether statements `list[from..]` can each run in a block of their own (see the file comment). */
export function canShareRest(s: Specializer, list: Node[], from: number): boolean {
  const scopes = s.frame.info.scopes;
  for (let k = from; k < list.length; k++) {
    const st = list[k]!;
    if (st.type === "ClassDeclaration") return false;
    if (st.type !== "VariableDeclaration") continue;
    if (s.tryDepth > 0) return false;
    let inPlace = false;
    for (const d of st.declarations as Node[]) {
      walk(d.id, (x) => {
        if (x.type !== "Identifier") return;
        const v = scopes.variableOfDeclaration(x);
        if (v && (s.frame.info.captured.has(v) || s.frame.slots.get(v)?.pinned)) inPlace = true;
      });
    }
    if (inPlace) return false;
  }
  return true;
}

/** The generic side of a fork inside a shared rest: record where to start, and leave to it. */
export function leaveToRest(s: Specializer, rest: SharedRest, at: number): void {
  if (!s.env) return;
  s.emit(assign(rest.entry, buildLiteral(at)!));
  const edge = s.edgeHere();
  edge.entry = at;
  edge.slots = new Map(s.frame.slots);
  rest.target.edges.push(edge);
  s.out.push({ type: "BreakStatement", label: id(s.labelOf(rest.target)) });
  s.env = null;
}

P.forkWithSharedRest = function (this: Specializer, list: Node[], from: number): boolean {
  if (!canShareRest(this, list, from)) return false;
  const entry = this.fresh("from");
  const rest: SharedRest = { target: this.newTarget({}), entry };
  const end = this.newTarget({});
  const start = this.out.length;
  this.targets.push(end, rest.target);
  let forked: boolean;
  try {
    forked = this.speculate(() => {
      this.statement(list[from]!);
      this.statementsFrom(list, from + 1, rest);
      // The folded rest ran to the list's end: past the generic rest.
      if (this.env) this.jump(end, "break");
    }, () => leaveToRest(this, rest, from));
  } finally {
    this.targets.splice(this.targets.length - 2, 2);
  }
  if (!forked) return false;
  this.hoistName(entry);
  const folded = this.out.splice(start);
  if (rest.target.label) this.out.push({ type: "LabeledStatement", label: id(rest.target.label), body: { type: "BlockStatement", body: folded } });
  else this.out.push(...folded);
  // The fork's join is unreachable (both sides left): the generic rest starts from the failed guards' edges.
  this.env = null;
  if (rest.target.edges.length) genericRest(this, list, rest);
  const edges = [...end.edges];
  if (this.env) edges.push(this.edgeHere());
  this.env = this.merge(edges);
  if (end.label) {
    const inner = this.out.splice(start);
    this.out.push({ type: "LabeledStatement", label: id(end.label), body: { type: "BlockStatement", body: inner } });
  }
  return true;
};

/**
 * An edge whose path declared the list's variables in evaluations of their own (the folded rest,
 * one speculative pass, another): its states moved to the slots the frame has now, which the
 * generic rest reads, each written from the edge's variable where it held it there.
 */
function sameSlots(s: Specializer, e: Edge, declared: ReadonlySet<Variable>): Edge {
  let env: Env | null = null;
  for (const variable of declared) {
    const was = e.slots!.get(variable);
    const now = s.frame.slots.get(variable);
    if (!was) continue;
    if (!now || now === was || !e.env.has(was)) continue;
    env ??= new Map(e.env);
    const st = env.get(was)!;
    env.delete(was);
    if (st.val) env.set(now, { val: st.val });
    else {
      const d = D(id(was.name), st.type);
      if (st.nonNull) d.nonNull = true;
      env.set(now, { val: d });
    }
  }
  return env ? { ...e, env } : e;
}

/** Adds the variables the list-level statement `st` declares. */
function declaredBy(s: Specializer, st: Node, into: Set<Variable>): void {
  if (st.type !== "VariableDeclaration") return;
  const scopes = s.frame.info.scopes;
  for (const d of st.declarations as Node[]) {
    walk(d.id, (x) => {
      if (x.type !== "Identifier") return;
      const v = scopes.variableOfDeclaration(x);
      if (v) into.add(v);
    });
  }
}

/**
 * `if (from <= k) G_k` for each statement from the first entry on, evaluated generically; from
 * the last entry on, every path runs the statements as they are.
 */
function genericRest(s: Specializer, list: Node[], rest: SharedRest): void {
  const byEntry = new Map<number, Edge[]>();
  for (const e of rest.target.edges) {
    const at = e.entry!;
    if (!byEntry.has(at)) byEntry.set(at, []);
    byEntry.get(at)!.push(e);
  }
  const first = Math.min(...byEntry.keys());
  const last = Math.max(...byEntry.keys());
  const wasGeneric = s.generic;
  s.generic = true;
  s.foreignRan = true;
  try {
    let flow: Edge[] = [];
    // Variables that list[first..k-1] declare: the entries after them declared them on their own.
    const declared = new Set<Variable>();
    for (let k = first; k <= last; k++) {
      if (k > first) declaredBy(s, list[k - 1]!, declared);
      const incoming = [...flow, ...(byEntry.get(k) ?? []).map((e) => sameSlots(s, e, declared))]
      s.env = incoming.length ? s.merge(incoming) : null;
      flow = [];
      // No path runs G_k: the ones before it ended, and the later ones enter after it.
      if (!s.env || k === last) continue;
      s.dynDepth++;
      let body: Node[];
      try {
        body = s.collect(() => s.statement(list[k]!));
      } finally {
        s.dynDepth--;
      }
      if (s.env) {
        const fix: Node[] = [];
        body.push({ type: "BlockStatement", body: fix });
        flow = [{ env: s.env, fix }];
      }
      const test: Node = { type: "BinaryExpression", operator: "<=", left: id(rest.entry), right: buildLiteral(k)! };
      s.out.push({ type: "IfStatement", test, consequent: { type: "BlockStatement", body }, alternate: null });
    }
    for (let k = last; k < list.length && s.env; k++) s.statement(list[k]!);
  } finally {
    s.generic = wasGeneric;
  }
}
