/**
 * Statements: declarations, blocks, `if`, `switch`, labels, jumps, `return`,
 * `throw` and `try`. A test that is static selects its branch; a dynamic one
 * evaluates both branches and joins their environments (see `merge`). This
 * file holds statement lists and the dispatch over statement types; `if`
 * (if-statements.ts), `switch` (switch-statements.ts) and `try`
 * (try-statements.ts) have files of their own.
 */
import type { Node } from "../ast.js";
import { walk } from "../ast.js";
import { Specializer, id, type Slot } from "./specializer.js";
import { referencedBeforeDeclaration } from "./slots.js";
import { D, UNDEF } from "./values.js";
import { privateRegExp } from "./regexp-calls.js";
import { statementUnderSourceName } from "./source-names.js";
import { declarationUnderSlot } from "./function-names.js";

declare module "./specializer.js" {
  interface Specializer {
    statements(list: Node[]): void;
    statement(n: Node, labels?: string[]): void;
    statementInner(n: Node, labels?: string[]): void;
    block(list: Node[]): void;
    scopedStatements(list: Node[]): void;
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
    // Its arguments evaluated, the rest of the statement cannot restart as a call of the original.
    const out = s.out;
    const start = out.length;
    const pre = preEvaluate(s, list[j]!);
    // The values are this statement's, on this path: an enclosing speculation's other branch (where
    // they were never evaluated) evaluates the statement afresh (fuzz seed 5101 #515).
    try {
      // As statementAt does: the root's residual statements keep their source position.
      const loc = list[j]!.loc;
      if (s.frame.root && loc && out === s.out) for (let i = start; i < out.length; i++) if (!out[i].loc) out[i].loc = loc;
      if (!s.env) return;
      if (s.foreignRan && s.staleMiss && !s.generic && readsMemory(s, list[j]!) && !declaresOuterCaptured(s, list, j)) {
        const rest = () => {
          if (!statementAt(s, list, j)) statementsFrom(s, list, j + 1);
        };
        const asCall = j === 0 && !pre ? restartAsCall(s, list) : null;
        if (s.speculate(rest, asCall ?? rest, asCall !== null)) return;
      }
      if (statementAt(s, list, j)) return;
    } finally {
      if (pre) {
        s.preEvaluatedNews?.delete(pre);
        s.preEvaluatedStores?.delete(pre);
      }
    }
  }
}

/**
 * A statement that evaluates `new C(args)` first, with an argument that may run foreign code: its
 * callee and arguments are evaluated now (new-expressions.ts, preEvaluateNew), so that the
 * statement is speculated on after them. The `new` node when it did.
 */
function preEvaluate(s: Specializer, st: Node): Node | null {
  if (s.generic || s.options.freeze !== "guard") return null;
  const store = s.preEvaluateFieldStore(st);
  if (store) return store;
  const n = leadingNew(st);
  if (!n || !n.arguments.some((a: Node) => !isInert(a))) return null;
  const [callee] = s.preEvaluateNew(n);
  // Constructing a function of the program reads its prototype chain, unfrozen: worth speculating on.
  if (s.foreignRan && callee && callee.k === "s" && typeof callee.v === "function" && !Object.isFrozen(callee.v)) s.staleMiss = true;
  return n;
}

/** An argument whose evaluation runs no code and reads no property. */
function isInert(a: Node): boolean {
  return a.type === "Identifier" || a.type === "Literal" || a.type === "ThisExpression" || a.type === "ArrowFunctionExpression" || a.type === "FunctionExpression";
}

/**
 * The `new C(args)` (C a name, no spread) that a statement evaluates before anything else:
 * `const x = new C(…)…`, `x = new C(…)…`, `return new C(…)…`, `new C(…)…;`, where `…` is member
 * reads and method calls on the instance. Null for any other statement.
 */
function leadingNew(st: Node): Node | null {
  let e: Node | null = null;
  if (st.type === "VariableDeclaration" && st.declarations.length === 1) e = st.declarations[0].init;
  else if (st.type === "ReturnStatement") e = st.argument;
  else if (st.type === "ExpressionStatement") {
    e = st.expression;
    if (e && e.type === "AssignmentExpression") e = e.operator === "=" && e.left.type === "Identifier" ? e.right : null;
  }
  while (e) {
    if (e.type === "NewExpression") return e.callee.type === "Identifier" && !e.arguments.some((a: Node) => a.type === "SpreadElement") ? e : null;
    if (e.type === "MemberExpression" && !e.optional) e = e.object;
    else if (e.type === "CallExpression" && !e.optional && e.callee.type === "MemberExpression" && !e.callee.optional) e = e.callee.object;
    else return null;
  }
  return null;
}

/**
 * Statement `list[j]`; true when it evaluated the rest of the list too (an `if` whose branches
 * each went on with it: see if-statements.ts, shapeSplit).
 */
function statementAt(s: Specializer, list: Node[], j: number): boolean {
  const st = list[j]!;
  if (st.type !== "IfStatement" || j + 1 >= list.length) {
    s.statement(st);
    return false;
  }
  // As P.statement does: the root's residual statements keep their source position.
  const out = s.out;
  const start = out.length;
  const restRange = { start: list[j + 1]!.start as number, end: list[list.length - 1]!.end as number };
  const split = s.ifStatement(st, declaresOuterCaptured(s, list, j + 1) ? undefined : () => statementsFrom(s, list, j + 1), restRange);
  if (s.frame.root && st.loc && out === s.out) for (let i = start; i < out.length; i++) if (!out[i].loc) out[i].loc = st.loc;
  return split;
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

/**
 * Whether a statement reads properties or calls anything (else there is nothing to fold again before the next one).
 * Asked of the same source statements again at each unrolled iteration and inlined call, and of each
 * statement nested in one already asked of: remembered per statement for the compile (the walks were
 * 2.6% of the CPU of compiling mustache, json-logic-js, sift, jmespath and mingo, ctprobe.mjs).
 */
function readsMemory(s: Specializer, st: Node): boolean {
  const memo = s.readsMemoryOf;
  let r = memo.get(st);
  if (r === undefined) memo.set(st, (r = walkReadsMemory(st)));
  return r;
}

function walkReadsMemory(st: Node): boolean {
  let found = false;
  walk(st, (x) => {
    if (found) return false;
    // A `new` reads its constructor's prototype and runs its body, which reads and stores like a call.
    if (x.type === "MemberExpression" || x.type === "CallExpression" || x.type === "NewExpression" || x.type === "ForInStatement" || x.type === "ForOfStatement") found = true;
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
      if (st.type !== "ClassDeclaration" && !referencedBeforeDeclaration(variable)) continue;
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
  // At every statement too, not only at joins and inlined calls: a generic branch inlines nothing
  // and may join nothing for a long stretch (nedb's `match` ran 2 s past its maxCompileMs so).
  this.checkDeadline();
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
        if (n.kind !== "var" && d.id.type === "Identifier") ownEvaluationSlot(this, d.id, n.kind);
        const v = (n.kind !== "var" ? privateRegExp(this, d) : null) ?? this.expr(d.init);
        if (!this.env) return; // the initialiser always threw (see expr)
        if (v.k === "s" && (v.v === null || v.v === undefined) && d.id.type !== "Identifier" && !(d.id.type === "AssignmentPattern")) {
          // Destructuring null or undefined throws: keep the declaration as written for the engine's message
          // (under the source's name when the residual reads the value from another variable).
          const decl = this.verbatim(d);
          const stmt: Node = { type: "VariableDeclaration", kind: n.kind === "var" ? "let" : n.kind, declarations: [decl] };
          this.emit(statementUnderSourceName(d.init, stmt, decl.init, (r) => void (decl.init = r), this) ?? { type: "BlockStatement", body: [stmt] });
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
        this.env!.set(slot, { val: null });
        this.emit(declarationUnderSlot(copy, n.id.name, slot.name, "ClassExpression"));
        return;
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
      // The operand is the error path: its calls stay calls (inlining.ts).
      const wasThrowing = this.inThrowOperand;
      this.inThrowOperand = true;
      let v;
      try {
        v = this.expr(n.argument);
      } finally {
        this.inThrowOperand = wasThrowing;
      }
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

/**
 * Before a `let`/`const` initializer runs: where the binding's slot is one another evaluation of
 * this declaration declared (the other arm of a speculation's fork), this evaluation gets its own
 * now, as bindIdentifier (patterns.ts) would give it at the declaration. A closure the initializer
 * makes that names the binding (`const kw = { get v() { return kw.getV(); } }`) then names this
 * evaluation's binding, not the other arm's (object-scan's `find`: "kwargs_4 is not defined").
 */
function ownEvaluationSlot(s: Specializer, target: Node, kind: "let" | "const"): void {
  const variable = s.frame.info.scopes.variableOfDeclaration(target);
  if (!variable || !s.env) return;
  const early = s.frame.slots.get(variable);
  // (Its closures will name the new slot as it is now named: a recursive `const rec = (c) => rec(c.l)`
  // in a fork's second arm was then declared under the source's name, and threw "rec_3 is not defined".)
  if (early && early.pinned && !early.latePinned && early.declared && !s.env.has(early)) s.newSlot(variable, kind, undefined, false, true).keepName = true;
}
