/**
 * Outlining: a residual function too big for V8 to optimize is split, its
 * largest self-contained runs of statements moved into functions of the
 * generated module (declared once, beside the main function) and called in
 * their place. What a run shares with the rest of the function passes
 * through parameters, and the one variable it may change for the code after
 * it comes back as the result, so the split code runs exactly as the whole:
 *
 *     r = f_1(input, arg, r);      // function f_1(input, arg, r) { ...; return r; }
 *
 * A run is moved only when that is exact, judged on the function's own scope
 * analysis (eslint-scope): it does not `return`, jump out of itself or read
 * `arguments`; every variable it shares is one no closure captures (a copy
 * could then go stale) and that is initialised when the run starts; at most
 * one shared variable is written, and not where a `try` around the run could
 * see a write that an exception cut short. `this` becomes a parameter.
 *
 * Unrolling a loop over an interpreter's program, or a for-in over a schema's
 * properties, is what makes functions this big; most of their code is the
 * rarely taken paths (a validator's error reports), which are the big blocks
 * that go first.
 */
import { childKeys, id, isFunctionNode, type Node } from "../ast.js";
import { analyzeScopes, type ScopeInfo, type Variable, type Scope } from "../analyze/scopes.js";
import { exposedReads } from "./exposed-reads.js";
import { scanRun } from "./run-control.js";

export interface OutlineOptions {
  /** The most syntax nodes one function keeps (compile.ts: what V8 still optimizes). */
  limit: number;
  strict: boolean;
  /** A fresh module-level name for the i-th outlined function. */
  nameFor(i: number): string;
  /** The parameter that carries `this` into an outlined function. */
  thisName: string;
  /** The smallest run worth a call (MIN_OUTLINED_NODES; tests use less). */
  minNodes?: number;
  /**
   * Called before each round's scope analysis and each run's plan: throws where the compile ran
   * past its time (compile.ts). Checked only after the split, a tiering compile of deep-equal
   * that reached its 1,579 ms limit while splitting went on to 2,196 ms before it fell back.
   */
  checkTime?: () => void;
}

export interface Outlined {
  name: string;
  node: Node;
}

/**
 * Runs smaller than this stay where they are: below about a hundred nodes
 * the call costs more than the code it would move, and V8 would inline it
 * straight back (460 bytes of bytecode, --max-inlined-bytecode-size).
 */
const MIN_OUTLINED_NODES = 100;

interface Candidate {
  list: Node[];
  statements: Node[];
  size: number;
  start: number;
  end: number;
  inTry: boolean;
  /** The nodes around the run, outermost first, down to the block whose list holds it. */
  ancestors: Node[];
}

interface Plan {
  candidate: Candidate;
  params: Variable[];
  result: Variable | null;
  locals: Variable[];
  /** Locals whose every use is in the run: their declarations leave the main function. */
  movedDeclarations: Variable[];
  usesThis: boolean;
  ownLabel: string | null;
}

/**
 * Nodes the liveness reads may visit, per node of the function: each run
 * reads what follows it, so the work grows with the square of the size.
 * Unbounded, pako's `Inflate#push` (a 40,000-node residual, most runs
 * rejected) took 120 s; at 40 visits a node the package sweep's slowest
 * outlining takes about a second. Past it the function is not split (and is
 * specialized again with less unrolling, as before outlining).
 */
const LIVENESS_VISITS_PER_NODE = 40;

/** Splits `fn` in place until it has at most `limit` nodes (or nothing more can move); returns the functions made. */
export function outlineLargeBlocks(fn: Node, options: OutlineOptions): Outlined[] {
  const outlined: Outlined[] = [];
  let before = Infinity;
  let sizes = nodeSizes(fn);
  const budget = { nodes: LIVENESS_VISITS_PER_NODE * sizes.get(fn)! };
  for (let round = 0; ; round++) {
    if (round > 0) sizes = nodeSizes(fn);
    let size = sizes.get(fn)!;
    // Each round must shrink the function (a run's call is not free): else it stops.
    if (size <= options.limit || size >= before) break;
    before = size;
    options.checkTime?.();
    const info = analyzeScopes(fn, options.strict);
    const candidates = findCandidates(fn, sizes, options.limit, options.minNodes ?? MIN_OUTLINED_NODES).sort((a, b) => b.size - a.size);
    const plans: Plan[] = [];
    for (const c of candidates) {
      if (size <= options.limit) break;
      if (plans.some((p) => c.start <= p.candidate.end && p.candidate.start <= c.end)) continue;
      options.checkTime?.();
      const plan = planOutline(fn, info, c, options.strict, budget);
      // A plan made on liveness reads that ran out is not trusted; the runs already planned are.
      if (budget.nodes < 0) break;
      // The call passes every shared variable: a run must be bigger than that.
      if (!plan || plan.params.length + 4 >= c.size) continue;
      plans.push(plan);
      size -= c.size - plan.params.length - 4;
    }
    if (!plans.length) break;
    const heads = forHeads(fn);
    for (const plan of plans) outlined.push(applyPlan(plan, options.nameFor(outlined.length), options.thisName, heads));
    dropEmptyDeclarations(fn);
    if (budget.nodes < 0) break;
  }
  return outlined;
}

function nodeSizes(root: Node): Map<Node, number> {
  const sizes = new Map<Node, number>();
  const visit = (n: Node): number => {
    let total = 1;
    if (n.type !== "KosConst") {
      for (const k of childKeys(n)) {
        const v = n[k];
        if (!v) continue;
        if (Array.isArray(v)) {
          for (const x of v) if (x) total += visit(x);
        } else total += visit(v);
      }
    }
    sizes.set(n, total);
    return total;
  };
  visit(root);
  return sizes;
}

/**
 * Runs of statements worth moving, in the function's own code (not in nested
 * functions or switch cases): each statement, and consecutive statements
 * grouped up to half the limit (an unrolled loop leaves one long list).
 */
function findCandidates(fn: Node, sizes: Map<Node, number>, limit: number, minNodes: number): Candidate[] {
  const out: Candidate[] = [];
  const ancestors: Node[] = [];
  const add = (list: Node[], statements: Node[], size: number, inTry: boolean) => {
    if (size < minNodes || size > limit) return;
    out.push({ list, statements, size, start: statements[0].range[0], end: statements[statements.length - 1].range[1], inTry, ancestors: [...ancestors] });
  };
  const fromList = (list: Node[], inTry: boolean) => {
    let run: Node[] = [];
    let runSize = 0;
    const flush = () => {
      if (run.length > 1) add(list, run, runSize, inTry);
      run = [];
      runSize = 0;
    };
    for (const s of list) {
      const size = sizes.get(s)!;
      add(list, [s], size, inTry);
      if (runSize + size > limit / 2) flush();
      if (size <= limit / 2) {
        run.push(s);
        runSize += size;
      }
    }
    flush();
  };
  const visit = (n: Node, inTry: boolean): void => {
    // A `with` body's names resolve through its object at run time: nothing in it moves.
    if (!n || typeof n !== "object" || n.type === "KosConst" || isFunctionNode(n) || n.type === "ClassDeclaration" || n.type === "ClassExpression" || n.type === "WithStatement") return;
    ancestors.push(n);
    if (n.type === "BlockStatement") fromList(n.body, inTry);
    if (n.type === "TryStatement") {
      visit(n.block, true);
      if (n.handler) visit(n.handler.body, true);
      if (n.finalizer) visit(n.finalizer, true);
    } else if (n.type === "SwitchStatement") {
      for (const c of n.cases) for (const s of c.consequent) visit(s, inTry);
    } else {
      for (const k of childKeys(n)) {
        const v = n[k];
        if (Array.isArray(v)) v.forEach((x) => x && visit(x, inTry));
        else if (v) visit(v, inTry);
      }
    }
    ancestors.pop();
  };
  visit(fn.body, false);
  return out;
}

/**
 * What can run after the run, as separate pieces (each read as if nothing
 * were written before it, which only makes more variables live): the rest of
 * each enclosing block, the rest of an enclosing switch case and the cases it
 * falls through to, and each enclosing loop, switch and try whole (a loop's
 * next iteration runs the code before the run too).
 */
function continuation(c: Candidate): Node[][] {
  const pieces: Node[][] = [c.list.slice(c.list.indexOf(c.statements[c.statements.length - 1]) + 1)];
  for (let i = c.ancestors.length - 2; i >= 0; i--) {
    const a = c.ancestors[i];
    const child = c.ancestors[i + 1];
    if (a.type === "BlockStatement") pieces.push(a.body.slice(a.body.indexOf(child) + 1));
    else if (/^(For|ForIn|ForOf|While|DoWhile|Switch)Statement$/.test(a.type)) pieces.push([a]);
    else if (a.type === "TryStatement") pieces.push([a.handler?.body, a.finalizer].filter(Boolean));
    // The switch whole reads as from its start, where a case may write a variable before the run
    // (`case k: v = 0; if (!v) { <run: v = 1> } use(v)`): the rest of the run's case, and the cases
    // it falls through to, are a piece of their own (random programs, seed 3062 #1894, at a 150-node
    // outline limit: the run's write stayed in the outlined function).
    if (a.type === "SwitchStatement") {
      const k = a.cases.findIndex((cs: Node) => cs.consequent.includes(child));
      if (k >= 0) pieces.push([...a.cases[k].consequent.slice(a.cases[k].consequent.indexOf(child) + 1), ...a.cases.slice(k + 1).flatMap((cs: Node) => cs.consequent)]);
    }
  }
  return pieces;
}

type ScopeWithVariableScope = Scope & { variableScope: Scope };

/** What moving the run needs (parameters, the result, locals), or null where moving it would not be exact. */
function planOutline(fn: Node, info: ScopeInfo, c: Candidate, strict: boolean, budget: { nodes: number }): Plan | null {
  const inside = (n: Node) => n.range[0] >= c.start && n.range[1] <= c.end;
  const ownLabel = c.statements.length === 1 && c.statements[0].type === "LabeledStatement" && c.statements[0].body.type === "BlockStatement" ? c.statements[0].label.name : null;
  const fnScope = info.functionScope;
  const outer = new Map<Variable, { written: boolean }>();
  // What each variable is to the run, judged once: a variable read 1,000 times in the run was
  // judged at each read, over all its references (mingo's 17,303-node residual: most of the
  // outlining's 140 ms a compile).
  const allUsesInside = new Map<Variable, boolean>();
  const usedOnlyInside = (v: Variable): boolean => {
    let r = allUsesInside.get(v);
    if (r === undefined) allUsesInside.set(v, (r = v.references.every((ref) => inside(ref.identifier))));
    return r;
  };
  const kinds = new Map<Variable, "own" | "outer" | "partly declared">();
  const kindOf = (v: Variable) => {
    let k = kinds.get(v);
    if (k === undefined) {
      const declaredInside = v.identifiers.filter(inside).length;
      kinds.set(v, (k = declaredInside === v.identifiers.length && declaredInside > 0 ? "own" : declaredInside > 0 ? "partly declared" : "outer"));
    }
    return k;
  };
  // Each identifier is judged as the scan reaches it, so that a run that cannot move stops
  // being scanned there: the largest runs of mingo's residual (11,084 nodes and down) were each
  // scanned whole, then refused at an identifier.
  const judge = (identifier: Node): boolean => {
    // A variable the run declares (`let x;` has no reference of its own) must not be used after it.
    const declared = info.variableOfDeclaration(identifier);
    if (declared && !usedOnlyInside(declared)) return false;
    const ref = info.referenceOf(identifier);
    if (!ref || !ref.resolved) return true; // a module or global name: the same in the outlined function
    const v = ref.resolved;
    if (v.name === "arguments" && v.defs.length === 0) return v.scope.block !== fn;
    const kind = kindOf(v);
    // Its own variable: it must not be used after the run (a `var`, or a `let` of the enclosing block).
    if (kind === "own") return usedOnlyInside(v);
    if (kind === "partly declared") return false;
    // Shared with the rest of the function: passed by value, so no closure may see it change.
    if ((ref.from as ScopeWithVariableScope).variableScope !== fnScope) return false;
    if (!outer.has(v)) {
      if (v.references.some((r) => (r.from as ScopeWithVariableScope).variableScope !== fnScope)) return false;
      const def = v.defs[0];
      if (!def) return false;
      const lexical = (def.type === "Variable" && (def as { parent?: Node }).parent?.kind !== "var") || def.type === "ClassName";
      // Initialised before the run: declared before it in an enclosing block (not a switch's, whose cases can jump past it).
      if (lexical && (!(def.name.range[1] < c.start) || v.scope.type === "switch")) return false;
      outer.set(v, { written: false });
    }
    if (ref.isWrite()) {
      const def = v.defs[0]!;
      // A write the original would refuse (a constant, the function's own name) must still be refused.
      if ((def.type === "Variable" && (def as { parent?: Node }).parent?.kind === "const") || def.type !== "Variable" && def.type !== "Parameter") return false;
      outer.get(v)!.written = true;
    }
    return true;
  };
  const scan = scanRun(c.statements, ownLabel, strict, judge);
  if (!scan) return null;
  const written = [...outer].filter(([, s]) => s.written).map(([v]) => v);
  const writtenSet = new Set(written);
  const targetOf = (identifier: Node) => {
    const ref = info.referenceOf(identifier);
    return ref && ref.resolved && writtenSet.has(ref.resolved) ? { key: ref.resolved.name, reads: ref.isRead() } : null;
  };
  // Read before the run writes it: it comes in. Read after the run before a write: it goes out.
  const comesIn = written.length ? exposedReads(c.statements, targetOf, new Set(), budget) : new Set<string>();
  const goesOut = new Set<string>();
  const run = new Set<Node>(c.statements);
  if (written.length) for (const piece of continuation(c)) for (const k of exposedReads(piece, targetOf, run, budget)) goesOut.add(k);
  // In a loop the run itself runs again after it, and the continuation reads the loop with the run
  // skipped: what the run reads before writing comes from its own last run, so it goes out too
  // (`for (…) { <run: v = f(v)> }` passed `v` in on every iteration and lost the write: random
  // programs, seed 3081 #1991, at a 150-node outline limit).
  if (c.ancestors.some((a) => /^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(a.type))) for (const k of comesIn) goesOut.add(k);
  const results = written.filter((v) => goesOut.has(v.name));
  if (results.length > 1 || (results.length === 1 && c.inTry)) return null;
  const locals = written.filter((v) => !goesOut.has(v.name) && !comesIn.has(v.name));
  const movedDeclarations = locals.filter((v) => v.references.every((r) => inside(r.identifier)));
  const params = [...outer.keys()].filter((v) => !locals.includes(v)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { candidate: c, params, result: results[0] ?? null, locals, movedDeclarations, usesThis: scan.usesThis, ownLabel };
}

function applyPlan(plan: Plan, name: string, thisName: string, heads: Set<Node>): Outlined {
  const { candidate: c, result } = plan;
  let body: Node[] = plan.ownLabel ? c.statements[0].body.body : c.statements;
  const resultReturn = (): Node => ({ type: "ReturnStatement", argument: result ? id(result.name) : null });
  // `break` of the run's own label, and `this`, in the function's own code.
  const rewrite = (n: Node, ownThis: boolean): Node => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return n;
    if (n.type === "ThisExpression" && !ownThis) return id(thisName);
    if (n.type === "BreakStatement" && n.label && n.label.name === plan.ownLabel && !ownThis) return resultReturn();
    const inner = ownThis || (isFunctionNode(n) && n.type !== "ArrowFunctionExpression");
    for (const k of childKeys(n)) {
      const v = n[k];
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = v[i] && rewrite(v[i], inner);
      else if (v) n[k] = rewrite(v, inner);
    }
    return n;
  };
  body = body.map((s) => rewrite(s, false));
  const declarations: Node[] = plan.locals.length
    ? [{ type: "VariableDeclaration", kind: "let", declarations: plan.locals.map((v) => ({ type: "VariableDeclarator", id: id(v.name), init: null })) }]
    : [];
  const params = [...(plan.usesThis ? [id(thisName)] : []), ...plan.params.map((v) => id(v.name))];
  const node: Node = {
    type: "FunctionExpression",
    id: null,
    params,
    generator: false,
    async: false,
    body: { type: "BlockStatement", body: [...declarations, ...body, ...(result ? [resultReturn()] : [])] },
  };
  const args = [...(plan.usesThis ? [{ type: "ThisExpression" }] : []), ...plan.params.map((v) => id(v.name))];
  const callNode: Node = { type: "CallExpression", callee: id(name), arguments: args, optional: false };
  const replacement: Node = { type: "ExpressionStatement", expression: result ? { type: "AssignmentExpression", operator: "=", left: id(result.name), right: callNode } : callNode };
  c.list.splice(c.list.indexOf(c.statements[0]), c.statements.length, replacement);
  // The variables that now live in the outlined function leave the main one's declarations.
  for (const v of plan.movedDeclarations) {
    const def = v.defs[0] as { type: string; node: Node; parent?: Node };
    if (def.type === "Variable" && def.parent && !def.node.init && (!heads.has(def.parent) || def.parent.declarations.length > 1)) def.parent.declarations = def.parent.declarations.filter((d: Node) => d !== def.node);
  }
  return { name, node };
}

/** The declarations in `for` heads (they cannot be left with no declarator). */
function forHeads(fn: Node): Set<Node> {
  const heads = new Set<Node>();
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "ForStatement" && n.init?.type === "VariableDeclaration") heads.add(n.init);
    if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && n.left.type === "VariableDeclaration") heads.add(n.left);
    for (const k of childKeys(n)) visit(n[k]);
  };
  visit(fn.body);
  return heads;
}

/** `let` statements left with no declarator (a `for` head keeps its own: only statement lists are cleaned). */
function dropEmptyDeclarations(fn: Node): void {
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    const list: Node[] | null = n.type === "BlockStatement" ? n.body : n.type === "SwitchCase" ? n.consequent : null;
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i].type === "VariableDeclaration" && list[i].declarations.length === 0) list.splice(i, 1);
    }
    for (const k of childKeys(n)) visit(n[k]);
  };
  visit(fn.body);
}
