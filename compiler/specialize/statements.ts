/**
 * Statements: declarations, blocks, `if`, `switch`, labels, jumps, `return`,
 * `throw` and `try`. A test that is static selects its branch; a dynamic one
 * evaluates both branches and joins their environments (see `merge`).
 */
import type { Node } from "../ast.js";
import { walk } from "../ast.js";
import { Specializer, id, type Env, type Slot, pushFix } from "./specializer.js";
import { referencedBeforeDeclaration } from "./slots.js";
import { D, UNDEF, knownTruthy, type Val } from "./values.js";
import { privateRegExp } from "./regexp-calls.js";
import { statementUnderSourceName } from "./source-names.js";

declare module "./specializer.js" {
  interface Specializer {
    statements(list: Node[]): void;
    statement(n: Node, labels?: string[]): void;
    statementInner(n: Node, labels?: string[]): void;
    block(list: Node[]): void;
    scopedStatements(list: Node[]): void;
    /**
     * A statement `if`. With `rest` (what follows it in its statement list), the rest may be
     * evaluated in each branch instead of after the join (true when it was: see shapeSplit).
     */
    ifStatement(n: Node, rest?: () => void): boolean;
    /** Splits made so far, this compile (see shapeSplit). */
    shapeSplits?: number;
    switchStatement(n: Node, labels: string[]): void;
    slotsAssignedIn(nodes: Node[]): Set<Slot>;
  }
}

const P = Specializer.prototype;
const FnCall = Function.prototype.call;

P.statements = function (this: Specializer, list: Node[]): void {
  statementsFrom(this, list, 0);
};

/**
 * A statement list from index `from`. After foreign code may have run, the
 * rest of the list is speculated on again (speculation.ts): folded as before
 * behind a guard, next to its generic evaluation.
 */
function statementsFrom(s: Specializer, list: Node[], from: number): void {
  for (let j = from; j < list.length; j++) {
    if (!s.env) return;
    if (s.foreignRan && s.staleMiss && !s.generic && readsMemory(list[j]!) && !declaresOuterCaptured(s, list, j)) {
      const rest = () => {
        s.statement(list[j]!);
        statementsFrom(s, list, j + 1);
      };
      if (s.speculate(rest, j === 0 ? restartAsCall(s, list) ?? rest : rest)) return;
    }
    const st = list[j]!;
    if (st.type === "IfStatement" && j + 1 < list.length) {
      // As P.statement does: the root's residual statements keep their source position.
      const out = s.out;
      const start = out.length;
      const split = s.ifStatement(st, declaresOuterCaptured(s, list, j + 1) ? undefined : () => statementsFrom(s, list, j + 1));
      if (s.frame.root && st.loc && out === s.out) for (let i = start; i < out.length; i++) if (!out[i].loc) out[i].loc = st.loc;
      if (split) return;
      continue;
    }
    s.statement(st);
  }
}

/** Binding names a declaration pattern declares, as their identifier nodes. */
function patternIdentifiers(p: Node | null, out: Node[]): void {
  if (!p) return;
  if (p.type === "Identifier") out.push(p);
  else if (p.type === "ObjectPattern") for (const q of p.properties) patternIdentifiers(q.type === "RestElement" ? q.argument : q.value, out);
  else if (p.type === "ArrayPattern") for (const q of p.elements) patternIdentifiers(q, out);
  else if (p.type === "RestElement") patternIdentifiers(p.argument, out);
  else if (p.type === "AssignmentPattern") patternIdentifiers(p.left, out);
}

/**
 * Whether `list[from..]` declares a `let`, `const` or class that a function outside those
 * statements reads: a function declaration of the same list, hoisted above them wherever it is
 * written (`function next() { return scanner.scan(); }` and `let scanner = …`). A fork or a shape split
 * evaluates those statements once per branch, each declaring the binding under a name of its
 * own, and the function outside reads neither: jsonc-parser's `format` threw "scanner_3 is not
 * defined" on every call. Such a rest is evaluated once.
 */
function declaresOuterCaptured(s: Specializer, list: Node[], from: number): boolean {
  const info = s.frame.info;
  if (info.captured.size === 0 || from >= list.length) return false;
  const start: number = list[from]!.start;
  const end: number = list[list.length - 1]!.end;
  // Function declarations of the list are hoisted to its start, before any fork, wherever they are written.
  const hoisted = list.filter((st) => st.type === "FunctionDeclaration");
  const outside = (b: Node): boolean => b.start < start || b.end > end || hoisted.some((h) => h.start <= b.start && b.end <= h.end);
  for (let k = from; k < list.length; k++) {
    const st = list[k]!;
    const ids: Node[] = [];
    if (st.type === "VariableDeclaration" && st.kind !== "var") for (const d of st.declarations) patternIdentifiers(d.id, ids);
    else if (st.type === "ClassDeclaration" && st.id) ids.push(st.id);
    for (const name of ids) {
      const v = info.scopes.variableOfDeclaration(name);
      if (!v || !info.captured.has(v)) continue;
      for (const r of v.references) {
        let fnScope: { type: string; upper: unknown; block: unknown } | null = r.from;
        while (fnScope && fnScope.type !== "function") fnScope = fnScope.upper as typeof fnScope;
        const block = fnScope?.block as Node | undefined;
        if (block && block !== info.node && outside(block)) return true;
      }
    }
  }
  return false;
}

/**
 * The generic branch of a fork at the very start of an inlined callee's body: nothing of the callee
 * has run (its parameters are plain names, bound to the call's evaluated arguments), so calling the
 * function with the same receiver and arguments does exactly what its generic evaluation would. A
 * generic evaluation copied the rest of the body (typebox's `Visit` brought its 30-case switch into
 * every property's generic branch, and the generic code's bound stopped the forks half way through
 * the schema); the call is one node. Null where that does not hold.
 */
function restartAsCall(s: Specializer, list: Node[]): (() => void) | null {
  const f = s.frame;
  if (f.root || !f.restartable || !f.ret || !f.args || f.newTarget || f.info.node.body?.body !== list) return null;
  const fn = f.restartable;
  const thisVal = f.thisVal;
  const args = f.args;
  return () => {
    const argNodes = args.map((a) => s.residual(a));
    const call: Node = thisVal.k === "s" && thisVal.v === undefined
      ? { type: "CallExpression", optional: false, callee: s.constNode(fn), arguments: argNodes }
      : { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: s.constNode(FnCall), property: id("call"), computed: false, optional: false }, arguments: [s.constNode(fn), s.residual(thisVal), ...argNodes] };
    s.foreignCodeMayRun();
    s.jump(f.ret!, "break", s.stable(D(call), "ret"));
  };
}

/** Whether a statement reads properties or calls anything (else there is nothing to fold again before the next one). */
function readsMemory(st: Node): boolean {
  let found = false;
  walk(st, (x) => {
    if (found) return false;
    if (x.type === "MemberExpression" || x.type === "CallExpression" || x.type === "ForInStatement" || x.type === "ForOfStatement") found = true;
    return !found;
  });
  return found;
}

P.block = function (this: Specializer, list: Node[]): void {
  const body = this.collect(() => this.scopedStatements(list));
  if (body.length) this.out.push({ type: "BlockStatement", body });
};

/**
 * A statement list with its own lexical scope. Bindings a closure captures
 * get their slots first, so a closure made before the declaration refers to
 * them; if the declaration is never reached (after a `return`), an
 * unreachable declaration keeps the binding in its temporal dead zone.
 */
P.scopedStatements = function (this: Specializer, list: Node[]): void {
  const scopes = this.frame.info.scopes;
  const early: Slot[] = [];
  for (const st of list) {
    if (!((st.type === "VariableDeclaration" && st.kind !== "var") || st.type === "ClassDeclaration")) continue;
    const ids: Node[] = [];
    if (st.type === "ClassDeclaration") ids.push(st.id);
    else for (const d of st.declarations) walk(d.id, (x) => void (x.type === "Identifier" && ids.push(x)));
    for (const idn of ids) {
      const variable = scopes.variableOfDeclaration(idn);
      if (!variable || !this.frame.info.captured.has(variable)) continue;
      // A slot left by an earlier evaluation of this block (a try block's attempt that was undone, an
      // unrolled iteration) is not this evaluation's binding: a hoisted function of the block would
      // close over it, and the declaration would then make another (ejs's compileDebug template,
      // `try { let out = ""; function app(s) { out += s; } … }` inlined, threw "out_2 is not defined").
      const existing = this.frame.slots.get(variable);
      if (existing && !existing.declared && this.env?.has(existing)) continue;
      // A binding no closure can read before its declaration gets its slot there, lazily pinned (Specializer.newSlot).
      if (st.type !== "ClassDeclaration" && this.residualLoops === 0 && !referencedBeforeDeclaration(variable)) continue;
      early.push(this.newSlot(variable, st.type === "ClassDeclaration" ? "class" : st.kind));
    }
  }
  this.hoistFunctions(list);
  this.statements(list);
  for (const slot of early) {
    if (!slot.declared) this.out.push({ type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(slot.name), init: null }] });
  }
};

P.statement = function (this: Specializer, n: Node, labels: string[] = []): void {
  // Residual statements of the root function keep their source position, for the source map
  // (an inlined callee's positions are in another file: its code maps to the call's line).
  const out = this.out;
  const start = out.length;
  this.statementInner(n, labels);
  if (this.frame.root && n.loc && out === this.out) {
    for (let i = start; i < out.length; i++) if (!out[i].loc) out[i].loc = n.loc;
  }
};

P.statementInner = function (this: Specializer, n: Node, labels: string[] = []): void {
  switch (n.type) {
    case "ExpressionStatement":
      if (n.directive) return;
      this.drop(this.expr(n.expression));
      return;
    case "VariableDeclaration":
      for (const d of n.declarations as Node[]) {
        if (!this.env) return;
        if (!d.init) {
          if (n.kind === "var") continue;
          this.bindPattern(d.id, UNDEF, n.kind);
          continue;
        }
        const v = (n.kind !== "var" ? privateRegExp(this, d) : null) ?? this.expr(d.init);
        if (!this.env) return; // the initialiser always threw (see expr)
        if (v.k === "s" && (v.v === null || v.v === undefined) && d.id.type !== "Identifier" && !(d.id.type === "AssignmentPattern")) {
          // Destructuring null or undefined throws: keep the declaration as written for the engine's message
          // (under the source's name when the residual reads the value from another variable).
          const decl = this.verbatim(d);
          const stmt: Node = { type: "VariableDeclaration", kind: n.kind === "var" ? "let" : n.kind, declarations: [decl] };
          this.emit(statementUnderSourceName(d.init, stmt, decl.init, (r) => void (decl.init = r)) ?? { type: "BlockStatement", body: [stmt] });
          this.env = null;
          return;
        }
        this.bindPattern(d.id, v, n.kind, d.init);
      }
      return;
    case "FunctionDeclaration":
      return; // hoisted at block entry
    case "ClassDeclaration": {
      const variable = this.frame.info.scopes.variableOfDeclaration(n.id);
      const copy = this.verbatim(n);
      if (variable) {
        // A closure made before the declaration (a hoisted function that constructs it) already names its early slot.
        const slot = this.frame.slots.get(variable) ?? this.newSlot(variable, "class");
        slot.pinned = true;
        slot.declared = true;
        copy.id = id(slot.name);
        this.env!.set(slot, { val: null });
      }
      this.emit(copy);
      return;
    }
    case "EmptyStatement":
      return;
    case "DebuggerStatement":
      this.emit({ type: "DebuggerStatement" });
      return;
    case "BlockStatement":
      this.block(n.body);
      return;
    case "IfStatement":
      this.ifStatement(n);
      return;
    case "ReturnStatement": {
      const v = n.argument ? this.expr(n.argument) : UNDEF;
      if (!this.env) return;
      if (this.frame.root) {
        this.emit({ type: "ReturnStatement", argument: n.argument ? this.residual(v) : null });
        this.env = null;
        return;
      }
      this.jump(this.frame.ret!, "break", this.stable(v, "ret"));
      return;
    }
    case "ThrowStatement": {
      // A throw that no `try` of this compile catches ends the call: foreign code its operand runs
      // (`new Error(...)`, whose constructor is read at run time) cannot reach code after a later
      // join, since no path from here gets there. @cfworker/json-schema's validate throws for an
      // unsupported type before it reads the schema: counted, every read of the schema was dynamic.
      const foreignBefore = this.foreignRan;
      const v = this.expr(n.argument);
      if (!this.env) return;
      this.emit({ type: "ThrowStatement", argument: this.residual(v) });
      this.env = null;
      if (this.tryDepth === 0) this.foreignRan = foreignBefore;
      return;
    }
    case "BreakStatement":
      this.jump(this.findTarget("break", n.label?.name ?? null, n), "break");
      return;
    case "ContinueStatement":
      this.jump(this.findTarget("continue", n.label?.name ?? null, n), "continue");
      return;
    case "LabeledStatement": {
      const all = [...labels, n.label.name];
      const body = n.body;
      if (/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(body.type)) return this.loop(body, all);
      if (body.type === "SwitchStatement") return this.switchStatement(body, all);
      const t = this.newTarget({ labels: all });
      const start = this.out.length;
      this.withTarget(t, () => this.statement(body));
      if (t.label) {
        const inner = this.out.splice(start);
        this.out.push({ type: "LabeledStatement", label: id(t.label), body: { type: "BlockStatement", body: inner } });
      }
      return;
    }
    case "SwitchStatement":
      return this.switchStatement(n, labels);
    case "ForStatement":
    case "ForInStatement":
    case "ForOfStatement":
    case "WhileStatement":
    case "DoWhileStatement":
      return this.loop(n, labels);
    case "TryStatement":
      return this.tryStatement(n);
    case "WithStatement":
      return this.fail("USES_WITH", "the function uses `with`", n);
    default:
      return this.fail("UNSUPPORTED", `unsupported statement ${n.type}`, n);
  }
};

P.ifStatement = function (this: Specializer, n: Node, rest?: () => void): boolean {
  const t = this.expr(n.test);
  if (!this.env) return false;
  // A type that decides the test (a function kos saw made is truthy) takes one branch, as a constant does.
  const truthy = t.k === "d" ? knownTruthy(t) : undefined;
  if (t.k === "s" || t.k === "v" || truthy !== undefined) {
    if (truthy !== undefined) this.drop(t);
    const taken = t.k === "v" ? true : t.k === "s" ? !!t.v : truthy;
    const branch = taken ? n.consequent : n.alternate;
    if (branch) this.statement(branch);
    return false;
  }
  // Virtual objects need no allocation here: each branch has its own state of them, and the join reconciles them.
  const test = this.residual(t);
  const base = this.env;
  this.dynDepth++;
  this.env = new Map(base);
  this.narrow(n.test, true);
  const list1 = this.collect(() => this.statement(n.consequent));
  const env1 = this.env;
  // The second branch takes the environment itself: nothing reads it after the branches, and the
  // first branch had its own copy (each copy is a Map of every live variable: copies were a tenth
  // of json-logic-js's compile).
  this.env = base;
  this.narrow(n.test, false);
  const list2 = n.alternate ? this.collect(() => this.statement(n.alternate)) : [];
  const env2 = this.env;
  this.dynDepth--;
  let end1 = env1;
  let end2 = env2;
  const split = !!rest && !!env1 && !!env2 && shapeSplit(this, env1, env2);
  if (split) {
    this.shapeSplits = (this.shapeSplits ?? 0) + 1;
    this.dynDepth++;
    this.env = env1;
    for (const st of this.collect(rest!)) list1.push(st);
    end1 = this.env;
    this.env = env2;
    for (const st of this.collect(rest!)) list2.push(st);
    end2 = this.env;
    this.dynDepth--;
  }
  const edges = [];
  if (end1) {
    const fix: Node[] = [];
    list1.push({ type: "BlockStatement", body: fix });
    edges.push({ env: end1, fix });
  }
  if (end2) {
    const fix: Node[] = [];
    list2.push({ type: "BlockStatement", body: fix });
    edges.push({ env: end2, fix });
  }
  this.env = this.merge(edges);
  this.out.push({ type: "IfStatement", test, consequent: { type: "BlockStatement", body: list1 }, alternate: { type: "BlockStatement", body: list2 } });
  return split;
};

/**
 * Splits per compile. Each split evaluates the rest of a statement list once
 * more, so the code after the `if` is emitted twice; nested splits compound.
 * Counted on the natural uses of test/real: the nine fixtures make none,
 * jsonpath-plus 2 per compile (its options object), valibot's deep-frozen
 * schema reaches 8 in one attempt, which compiled in 1.5-1.7 s against
 * 1.5-1.6 s without splits, to code of the same size.
 */
const MAX_SHAPE_SPLITS = 8;

/**
 * Whether the rest of the statement list after a dynamic `if` should run in
 * each branch rather than after the join: a variable holds another virtual
 * object on each branch, or a virtual object that both branches still reach
 * has other keys on each (`const args = { path }; if (json !== undefined)
 * args.json = json;`). The join would allocate it, and everything
 * after it would read a real object at run time; in each branch it keeps its
 * shape, and reads of it fold (mix's polyvariant program points: one copy of
 * the continuation per static state).
 */
function shapeSplit(s: Specializer, env1: Env, env2: Env): boolean {
  if (s.generic || s.budget <= 0 || (s.shapeSplits ?? 0) >= MAX_SHAPE_SPLITS) return false;
  // A variable that holds another object kos made on each branch (`if (typeof x === "string") o =
  // { kind: "s" }; else o = { kind: "n" };`): the join would allocate both, and `o.kind` after it
  // would be read at run time.
  for (const slot of s.frame.slots.values()) {
    if (slot.pinned) continue;
    const a = env1.get(slot)?.val;
    const b = env2.get(slot)?.val;
    if (a?.k !== "v" || b?.k !== "v" || a.o === b.o) continue;
    if (!env1.get(a.o)?.obj?.residual && !env2.get(b.o)?.obj?.residual) return true;
  }
  for (const o of s.reachableVirtuals([{ env: env1, fix: [] }, { env: env2, fix: [] }])) {
    const a = env1.get(o)?.obj;
    const b = env2.get(o)?.obj;
    if (!a || !b || a === b || a.residual || b.residual) continue;
    if (a.props.size !== b.props.size) return true;
    for (const k of a.props.keys()) if (!b.props.has(k)) return true;
  }
  return false;
}

/** Slots of the current frame that code in `nodes` may assign (syntactically). */
P.slotsAssignedIn = function (this: Specializer, nodes: Node[]): Set<Slot> {
  const scopes = this.frame.info.scopes;
  const result = new Set<Slot>();
  for (const node of nodes) {
    if (!node) continue;
    walk(node, (x) => {
      if (x.type !== "Identifier") return;
      const ref = scopes.referenceOf(x);
      if (!ref || !ref.isWrite() || !ref.resolved) return;
      const slot = this.frame.slots.get(ref.resolved);
      if (slot) result.add(slot);
    });
  }
  return result;
};

P.switchStatement = function (this: Specializer, n: Node, labels: string[]): void {
  const disc = this.stable(this.expr(n.discriminant), "sw");
  if (!this.env) return;
  const cases = n.cases as Node[];
  const t = this.newTarget({ labels, breakable: true });
  if (disc.k === "s") {
    let start = -1;
    let dynamicTest = false;
    for (let i = 0; i < cases.length && start < 0; i++) {
      const c = cases[i]!;
      if (!c.test) continue;
      const p = this.probe(() => this.expr(c.test));
      if (p.result.k !== "s" || p.emitted.length) {
        p.undo();
        dynamicTest = true;
        break;
      }
      p.commit();
      if (disc.v === p.result.v) start = i;
    }
    if (!dynamicTest) {
      if (start < 0) start = cases.findIndex((c) => !c.test);
      if (start < 0) return;
      const bodyStart = this.out.length;
      this.withTarget(t, () => {
        const body = this.collect(() => {
          for (let i = start; i < cases.length && this.env; i++) this.statements(cases[i]!.consequent);
        });
        this.out.push({ type: "BlockStatement", body });
      });
      if (t.label) {
        const inner = this.out.splice(bodyStart);
        this.out.push({ type: "LabeledStatement", label: id(t.label), body: { type: "BlockStatement", body: inner } });
      }
      return;
    }
  }
  // Dynamic dispatch: a residual switch whose case bodies start from one environment.
  this.escapeReferencedIn(cases);
  const variant = this.slotsAssignedIn(cases);
  for (const s of variant) this.materialize(s);
  // Case tests run lazily, in order, until one matches: each stays in its `case`, and one that would
  // need statements of its own (which would run before the switch) is kept as written.
  const tests: Val[] = cases.filter((c) => c.test).map((c) => {
    const p = this.probe(() => this.expr(c.test));
    if (p.emitted.length) {
      p.undo();
      return D(this.verbatim(c.test));
    }
    p.commit();
    return p.result;
  });
  const head = this.env!;
  this.dynDepth++;
  const residualCases: Node[] = [];
  let ti = 0;
  t.dynDepth = this.dynDepth - 1;
  this.targets.push(t);
  let fallEnv: Env | null = null;
  for (const c of cases) {
    this.env = new Map(head);
    void fallEnv;
    const test = c.test ? this.residual(tests[ti++]!) : null;
    const body = this.collect(() => {
      this.statements(c.consequent);
      if (this.env) for (const s of variant) this.materialize(s);
    });
    fallEnv = this.env;
    residualCases.push({ type: "SwitchCase", test, consequent: body });
  }
  this.targets.pop();
  this.dynDepth--;
  const edges = [...t.edges];
  if (this.env) edges.push({ env: this.env, fix: residualCases.length ? pushFix(residualCases.at(-1)!.consequent) : [] });
  if (!cases.some((c) => !c.test)) edges.push({ env: head, fix: [] });
  // Jumps out of a residual switch are `break`s: label it when a jump named it.
  const sw: Node = { type: "SwitchStatement", discriminant: this.residual(disc), cases: residualCases };
  this.env = this.merge(edges.map((e) => ({ ...e })));
  if (!cases.some((c) => !c.test) && edges.at(-1)!.fix.length) {
    // The no-match path needs its fix-ups too: give the switch a default that does them.
    const last = residualCases.at(-1);
    if (last) last.consequent.push({ type: "BreakStatement", label: null });
    residualCases.push({ type: "SwitchCase", test: null, consequent: edges.at(-1)!.fix });
  }
  this.out.push(t.label ? { type: "LabeledStatement", label: id(t.label), body: sw } : sw);
};
