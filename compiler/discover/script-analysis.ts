/**
 * What a script's own source says about the bindings its functions close over:
 * where each is declared, of which kind, and whether anything writes it after
 * its initialisation. One parse and one eslint-scope analysis per script,
 * reused for every function of that script (the caller caches this object).
 */
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import * as eslintScope from "eslint-scope";
import { forEachPatternName, type Node } from "../ast.js";
import { LineIndex } from "./line-index.js";
import { lazyInitOf, NONE } from "./lazy-init.js";
import { INTRINSIC_GLOBALS } from "./intrinsic-globals.js";
import { createdAfterInit, isBodyOf, kindOf, type BindingFacts, type Ref, type Scope, type Variable } from "./binding-facts.js";

/** How a script was loaded, which decides how its top level is scoped. */
export type ScriptFlavour = "module" | "commonjs" | "script";

/** Scopes whose code runs in the enclosing function's own activation (when that activation runs them). */
const SAME_ACTIVATION_SCOPES = new Set(["block", "for", "switch", "catch", "class"]);

/** The CommonJS wrapper's parameters: bindings of every CJS module's top level. */
const CJS_WRAPPER_PARAMS = new Set(["exports", "require", "module", "__filename", "__dirname"]);

function isFunctionNode(n: Node): boolean {
  return n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";
}

/** Parsed and analysed source of one script. */
const LOOP_TYPES = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);

export class ScriptAnalysis {
  readonly ast: Node;
  private readonly manager: { acquire(node: Node, inner?: boolean): Scope | null };
  private readonly functions: Node[] = [];
  private readonly fnAtOffset = new Map<number, Node | null>();
  private readonly loopHeads = new Set<Node>();
  private readonly dynamicBelow = new Map<Scope, Scope | null>();

  /** Throws acorn's SyntaxError when the text does not parse; callers turn that into a reason. */
  constructor(readonly source: string, readonly flavour: ScriptFlavour, readonly fileLabel: string, readonly lineOffset = 0, readonly lines = new LineIndex(source)) {
    this.ast = acorn.parse(source, {
      ecmaVersion: "latest",
      sourceType: flavour === "module" ? "module" : "script",
      allowReturnOutsideFunction: flavour === "commonjs",
      allowHashBang: true,
      // No `locations`: it doubled acorn's time on valibot's 206 KB bundle (85 → 167 ms, best of 5);
      // lines come from offsets through `positionOf` instead.
      ranges: true,
    });
    // eslint-scope 9 mis-scopes class static blocks with ecmaVersion "latest" (5 scopes instead of 6 in a probe); 2022 is right.
    this.manager = eslintScope.analyze(this.ast, { ecmaVersion: 2022, sourceType: flavour, fallback: "iteration" } as never) as never;
    walk.full(this.ast, (n: Node) => {
      if (isFunctionNode(n)) this.functions.push(n);
      else if (n.type === "ForInStatement" || n.type === "ForOfStatement") this.loopHeads.add(n.left);
    });
  }

  /**
   * The function node V8 places at `offset`: V8's [[FunctionLocation]] is the
   * start of the parameter list, so it lies between the node's start and its body.
   */
  functionAt(offset: number): Node | null {
    const known = this.fnAtOffset.get(offset);
    if (known !== undefined) return known;
    let best: Node | null = null;
    for (const f of this.functions) {
      if (f.start <= offset && offset <= f.body.start && (!best || f.start >= best.start)) best = f;
    }
    this.fnAtOffset.set(offset, best);
    return best;
  }

  /**
   * Whether the code of `fnNode` is strict: module code, or inside a class, or under a
   * "use strict" directive of the script or of an enclosing function (its own included).
   */
  isStrictAt(fnNode: Node): boolean {
    if (this.flavour === "module") return true;
    const directive = (body: Node[] | undefined): boolean => {
      for (const st of body ?? []) {
        if (st.type !== "ExpressionStatement" || typeof st.directive !== "string") break;
        if (st.directive === "use strict") return true;
      }
      return false;
    };
    if (directive(this.ast.body)) return true;
    // Down from the script to the node, through the nodes whose range holds it.
    let n: Node = this.ast;
    for (;;) {
      if (n.type === "ClassBody" || n.type === "ClassDeclaration" || n.type === "ClassExpression") return true;
      if (isFunctionNode(n) && n.body?.type === "BlockStatement" && directive(n.body.body)) return true;
      if (n === fnNode) return false;
      let next: Node | null = null;
      for (const k of Object.keys(n)) {
        const c = n[k];
        for (const x of Array.isArray(c) ? c : [c]) {
          if (x && typeof x === "object" && typeof x.type === "string" && x.start <= fnNode.start && fnNode.end <= x.end) next = x;
        }
        if (next) break;
      }
      if (!next) return false;
      n = next;
    }
  }

  /** The verdict for `name` as the function `fnNode` sees it, or null when no declaration is visible. */
  factsFor(fnNode: Node, name: string): BindingFacts | null {
    const own = this.manager.acquire(fnNode);
    // Start above the function's own scope: its parameters and locals are not closure bindings.
    let scope = own ? own.upper : null;
    for (; scope; scope = scope.upper) {
      const v = scope.set.get(name);
      if (v && v.defs.length > 0) {
        const facts = this.judge(v, scope);
        if (facts.hasInitialiser && own && createdAfterInit(own, v, scope)) facts.initialisedFirst = true;
        if ((facts.stable || facts.varDeclared) && facts.declaredIn !== "script" && facts.declaredIn !== "global" && this.isPrivateRegExp(v, scope)) facts.privateRegExp = true;
        return facts;
      }
      if (v && name === "arguments" && scope.type === "function") return this.judgeImplicitArguments(v);
      if (v && scope.type !== "global") return null;
    }
    if (this.flavour === "commonjs" && CJS_WRAPPER_PARAMS.has(name)) return this.judgeWrapperParam(name);
    return null;
  }

  private where(node: Node): string {
    const line = this.lines.positionOf(node.start).line + this.lineOffset;
    return `${this.fileLabel}:${line}`;
  }

  private declaredIn(scope: Scope): BindingFacts["declaredIn"] {
    if (scope.type === "module") return "module";
    if (scope.type === "function" && scope.block.type === "Program") return "module";
    if (scope.type === "global") return "script";
    return "closure";
  }

  private judge(v: Variable, scope: Scope): BindingFacts {
    const def = v.defs[0]!;
    const kind = kindOf(def);
    const declaredIn = this.declaredIn(scope);
    const hasInitialiser = (kind === "let" || kind === "const") ? def.node.init != null : kind === "class";
    const facts: BindingFacts = { kind, declaredIn, stable: true, hasInitialiser };
    const label = `\`${kind === "unknown" ? "" : `${kind} `}${v.name}\``;
    const unstable = (why: string): BindingFacts => ({ ...facts, stable: false, unstableReason: `${label} ${why}` });

    if (kind === "import") {
      const spec = def.node;
      const source = def.parent?.source?.value;
      const imported = spec.type === "ImportDefaultSpecifier" ? "default" : spec.type === "ImportNamespaceSpecifier" ? "*" : spec.imported?.type === "Identifier" ? spec.imported.name : spec.imported?.value;
      if (typeof source === "string" && typeof imported === "string") facts.importFrom = { source, imported };
      return facts;
    }
    if (kind === "const") return facts;
    // A function expression's own name is immutable (writes are ignored or throw).
    if (kind === "function" && def.node.type === "FunctionExpression") return facts;
    if (kind === "class" && def.node.type === "ClassExpression") return facts;

    const varsOnly = kind === "var" && v.defs.every((d) => d.type === "Variable");
    if (v.defs.length > 1 && !varsOnly) return unstable(`is declared ${v.defs.length} times (again at ${this.where(v.defs[1]!.name)})`);
    if (kind === "var" && def.parent && def.parent.type === "VariableDeclaration" && this.loopHeads.has(def.parent)) {
      return unstable(`is a for-in/for-of loop variable (${this.where(def.name)})`);
    }
    // eslint-scope leaves some references to a script's global-scope bindings unresolved
    // (the global scope is dynamic), so there they are also looked up by name in `through`.
    const refs = scope.type === "global" ? [...v.references, ...scope.through.filter((r) => r.identifier.name === v.name)] : v.references;
    const write = refs.find((r) => r.isWrite() && !r.init);
    const inits = kind === "var" ? refs.filter((r) => r.isWrite() && r.init) : [];
    if (write || inits.length > 1) {
      const why = write ? `is reassigned at ${this.where(write.identifier)}` : `is initialised twice (again at ${this.where(inits[1]!.identifier)})`;
      const u = unstable(why);
      // A parameter is a `let` of its function's activation, unless sloppy code's mapped `arguments`
      // (which can escape, and write it later) aliases it.
      const mappedArguments = kind === "param" && !scope.isStrict && (scope.set.get("arguments")?.references.length ?? 0) > 0;
      const settles = (kind === "var" || kind === "let" || (kind === "param" && !mappedArguments)) && !this.dynamicScopeIn(scope) ? this.activationOf(scope, refs) : null;
      if (settles) u.settles = settles;
      if (write && inits.length <= 1 && (kind === "var" || kind === "let") && !this.dynamicScopeIn(scope)) {
        const ids = new Set(refs.map((r) => r.identifier));
        const lazy = lazyInitOf(refs.filter((r) => r.isWrite() && !r.init).map((r) => r.identifier), (n) => ids.has(n), (n) => this.parentOf(n), !this.declaresUndefined(), this.flavour === "module" && this.hasTopLevelAwait(), (n) => this.builtinMember(n));
        if (lazy) u.lazyInit = lazy;
      }
      return u;
    }
    // A `var` holds `undefined` from its activation's start until its declarator runs, and a
    // declarator in a loop body runs again at each iteration: its one initialiser is a write like
    // any other, fixed once its activation has returned (sweep46 #2: a closure made before
    // `var conf = "set"` ran was compiled on `undefined`, and one called in a loop whose body
    // declares `var rate = 10 + i` on the first iteration's rate).
    if (kind === "var" && inits.length === 1) {
      const u = unstable(`is set by its declaration at ${this.where(inits[0]!.identifier)}, which may not have run yet, or may run again`);
      const settles = !this.dynamicScopeIn(scope) ? this.activationOf(scope, refs) : null;
      u.varDeclared = true;
      if (settles) {
        u.settles = settles;
        // Past a declarator outside any loop, the binding is fixed even while its activation still
        // runs (a CommonJS script's `var rules = …` read by a function it jits and calls in a loop
        // further down; a test's `var lib = …` before its `jit(lib.f)`).
        const declarator = this.enclosing(inits[0]!.identifier, "VariableDeclarator");
        if (declarator && !this.inLoop(declarator)) u.declaredBy = { end: declarator.end };
      }
      return u;
    }
    if (kind === "function" && def.node.type === "FunctionDeclaration" && !scope.isStrict && !isBodyOf(scope.block, def.node)) {
      return unstable(`is a sloppy-mode block function, re-bound when its block runs (${this.where(def.name)})`);
    }
    if (kind === "param" && !scope.isStrict) {
      const args = scope.set.get("arguments");
      const linking = args?.references.find((r) => !this.readsLengthOnly(r.identifier as Node));
      if (linking) return unstable(`can be written through the sloppy-mode \`arguments\` object (${this.where(linking.identifier)})`);
    }
    const dyn = this.dynamicScopeIn(scope);
    if (dyn) return unstable(`may be written by ${dyn.type === "with" ? "a `with` statement" : "a direct `eval`"} at ${this.where(dyn.block)}`);
    return facts;
  }

  /**
   * `arguments.length`, read (not assigned, updated or deleted): the object reaches no other code
   * there (its `length` is its own data property until code that holds it redefines it), so it
   * writes no parameter. ramda's `_curry2` switches on `arguments.length` and returns closures over
   * its parameters, which compile as constants with this. An index read may not: past the count it
   * reaches Object.prototype, where a getter gets the object as its receiver.
   */
  private readsLengthOnly(use: Node): boolean {
    const member = this.parentOf(use);
    if (!member || member.type !== "MemberExpression" || member.object !== use || member.computed || member.property.name !== "length") return false;
    const outer = this.parentOf(member);
    if (!outer) return true;
    if ((outer.type === "AssignmentExpression" && outer.left === member) || outer.type === "UpdateExpression" || (outer.type === "UnaryExpression" && outer.operator === "delete")) return false;
    if ((outer.type === "ForInStatement" || outer.type === "ForOfStatement") && outer.left === member) return false;
    // A destructuring target (`[arguments.length] = xs`, `({ n: arguments.length } = o)`) writes it.
    return !(outer.type === "ArrayPattern" || outer.type === "AssignmentPattern" || outer.type === "RestElement" || (outer.type === "Property" && outer.value === member && this.parentOf(outer)?.type === "ObjectPattern"));
  }

  /** See BindingFacts.privateRegExp. */
  private isPrivateRegExp(v: Variable, scope: Scope): boolean {
    if (v.defs.length !== 1) return false;
    const def = v.defs[0]!;
    const init = def.type === "Variable" ? def.node.init : null;
    if (!init || init.type !== "Literal" || !init.regex || /y/.test(init.regex.flags)) return false;
    if (this.dynamicScopeIn(scope) || (def.parent && this.exportedDeclarations().has(def.parent))) return false;
    const { receivers, matched } = this.regExpCallUses();
    const global = init.regex.flags.includes("g");
    return v.references.every((r) => (r.init && r.identifier === def.name) || (!r.isWrite() && (matched.has(r.identifier) || (!global && receivers.has(r.identifier)))));
  }

  private parents: Map<Node, Node> | null = null;
  /** A node's parent in the script (the map is made at the first question: most scripts never ask). */
  private parentOf(n: Node): Node | undefined {
    if (!this.parents) {
      const parents = new Map<Node, Node>();
      walk.fullAncestor(this.ast, (node: Node, _st: unknown, ancestors: Node[]) => {
        if (ancestors.length > 1) parents.set(node, ancestors[ancestors.length - 2]!);
      });
      this.parents = parents;
    }
    return this.parents.get(n);
  }

  private undefinedDeclared: boolean | null = null;
  /** Whether some scope of the script declares a binding named `undefined` (then `x === undefined` is not the test it reads as). */
  /**
   * The built-in function `<Global>.<name>` reads (`Object.assign`), as kos loaded it, where no
   * scope of the script declares that global's name; NONE otherwise. Read by descriptor: no getter runs.
   */
  private builtinMember(n: Node): unknown {
    if (n.type !== "MemberExpression" || n.computed || n.object.type !== "Identifier" || n.property.type !== "Identifier") return NONE;
    const global = INTRINSIC_GLOBALS.get(n.object.name);
    if ((typeof global !== "object" && typeof global !== "function") || global === null) return NONE;
    const scopes = (this.manager as unknown as { scopes: Scope[] }).scopes;
    if (scopes.some((sc) => (sc.set.get(n.object.name)?.defs.length ?? 0) > 0)) return NONE;
    const d = Reflect.getOwnPropertyDescriptor(global, n.property.name);
    return d && "value" in d && typeof d.value === "function" ? d.value : NONE;
  }

  private declaresUndefined(): boolean {
    if (this.undefinedDeclared !== null) return this.undefinedDeclared;
    const scopes = (this.manager as unknown as { scopes: Scope[] }).scopes;
    return (this.undefinedDeclared = scopes.some((s) => s.type !== "global" && s.set.has("undefined")));
  }

  private regExpUses: { receivers: Set<Node>; matched: Set<Node> } | null = null;
  /**
   * Identifiers that are the receiver of a `.test(…)` or `.exec(…)` call (`re.test(s)`), and those
   * that are the one argument of a `.match(…)` call (`s.match(re)`).
   */
  private regExpCallUses(): { receivers: Set<Node>; matched: Set<Node> } {
    if (this.regExpUses) return this.regExpUses;
    const receivers = new Set<Node>();
    const matched = new Set<Node>();
    walk.full(this.ast, (n: Node) => {
      if (n.type !== "CallExpression") return;
      const c = n.callee;
      if (c.type !== "MemberExpression" || c.computed) return;
      if (c.object.type === "Identifier" && (c.property.name === "test" || c.property.name === "exec")) receivers.add(c.object);
      if (c.property.name === "match" && n.arguments.length === 1 && n.arguments[0].type === "Identifier") matched.add(n.arguments[0]);
    });
    return (this.regExpUses = { receivers, matched });
  }

  /**
   * What this module says of its export `name` (an ES module's own source): the line where the
   * local binding it exports is reassigned (importers see the new value: imports are live), or
   * the modules it re-exports the name from, to ask next. Null where nothing reassigns it.
   */
  exportedWrite(name: string): { reassigned: string } | { from: Array<{ source: string; name: string }> } | null {
    const from: Array<{ source: string; name: string }> = [];
    let local: string | null = null;
    const nameOf = (n: Node | null | undefined): string | null => (!n ? null : n.type === "Identifier" ? (n.name as string) : typeof n.value === "string" ? (n.value as string) : null);
    for (const st of this.ast.body as Node[]) {
      if (st.type === "ExportNamedDeclaration") {
        const d = st.declaration;
        if (d?.type === "FunctionDeclaration" || d?.type === "ClassDeclaration") {
          if (nameOf(d.id) === name) local = name;
        } else if (d?.type === "VariableDeclaration") {
          for (const decl of d.declarations as Node[]) forEachPatternName(decl.id, (id) => void (id === name && (local = name)));
        }
        for (const sp of (st.specifiers ?? []) as Node[]) {
          if (nameOf(sp.exported) !== name) continue;
          if (st.source) from.push({ source: st.source.value as string, name: nameOf(sp.local) ?? name });
          else local = nameOf(sp.local);
        }
      } else if (st.type === "ExportDefaultDeclaration" && name === "default") {
        const d = st.declaration;
        // `export default <expression>` exports a value, bound to nothing the module can write.
        if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && d.id) local = nameOf(d.id);
      } else if (st.type === "ExportAllDeclaration" && !st.exported && name !== "default") {
        from.push({ source: st.source.value as string, name });
      }
    }
    if (local === null) return from.length ? { from } : null;
    const module = ((this.manager as unknown as { globalScope: Scope }).globalScope.childScopes.find((c) => c.type === "module") ?? null) as Scope | null;
    const v = module?.set.get(local);
    if (!module || !v) return null;
    // Writes the module body makes itself have run by the time an importer's code does (the body
    // has finished; TypeScript's `(function (E) {…})(E || (E = {}))` enum and namespace output is
    // such a write), as for a binding its own activation settles (activationOf): only writes a
    // function of the module can make later count, and any write where a top-level await can
    // suspend the body.
    const later = this.hasTopLevelAwait() ? (r: Ref) => r.isWrite() && !r.init : (r: Ref) => {
      if (!r.isWrite() || r.init) return false;
      let sc: Scope | null = r.from;
      while (sc && sc !== module && SAME_ACTIVATION_SCOPES.has(sc.type)) sc = sc.upper;
      return sc !== module;
    };
    const write = v.references.find(later);
    return write ? { reassigned: `\`${local}\` is exported by ${this.fileLabel}, which reassigns it at ${this.where(write.identifier)}` } : null;
  }

  private exported: Set<Node> | null = null;
  /** Declarations an `export` statement declares (their bindings are reachable by importers). */
  private exportedDeclarations(): Set<Node> {
    if (this.exported) return this.exported;
    const found = new Set<Node>();
    for (const st of this.ast.body as Node[]) if ((st.type === "ExportNamedDeclaration" || st.type === "ExportDefaultDeclaration") && st.declaration) found.add(st.declaration);
    return (this.exported = found);
  }

  /** An enclosing function's own `arguments` object, captured by an arrow: fixed unless assigned (sloppy code only). */
  private judgeImplicitArguments(v: Variable): BindingFacts {
    const w = v.references.find((r) => r.isWrite());
    if (w) return { kind: "unknown", declaredIn: "closure", stable: false, hasInitialiser: false, unstableReason: `\`arguments\` is reassigned at ${this.where(w.identifier)}` };
    return { kind: "unknown", declaredIn: "closure", stable: true, hasInitialiser: false };
  }

  private judgeWrapperParam(name: string): BindingFacts {
    const top = (this.manager as unknown as { globalScope: Scope }).globalScope;
    const scopes = [top, ...top.childScopes];
    for (const s of scopes) {
      const w = s.through.find((r) => r.identifier.name === name && r.isWrite());
      if (w) return { kind: "param", declaredIn: "module", stable: false, hasInitialiser: false, unstableReason: `\`${name}\` (CommonJS wrapper parameter) is reassigned at ${this.where(w.identifier)}` };
    }
    return { kind: "param", declaredIn: "module", stable: true, hasInitialiser: false };
  }

  /**
   * The declaring activation's range when every write in `refs` runs in it: each write's scope
   * reaches `scope` through blocks only, and the activation cannot be suspended and resumed
   * (a generator, an async function, a module with top-level await), which would let it write
   * after kos has looked.
   */
  private activationOf(scope: Scope, refs: Ref[]): BindingFacts["settles"] | null {
    const block = scope.block;
    const top = block.type === "Program";
    if (!top && (block.generator || block.async)) return null;
    if (scope.type === "global" || (!top && scope.type !== "function")) return null;
    if (scope.type === "module" && this.hasTopLevelAwait()) return null;
    for (const r of refs) {
      if (!r.isWrite()) continue;
      let s: Scope | null = r.from;
      while (s && s !== scope && SAME_ACTIVATION_SCOPES.has(s.type)) s = s.upper;
      if (s !== scope) return null;
    }
    return { start: block.start, end: block.end, top };
  }

  private topLevelAwait: boolean | null = null;
  private hasTopLevelAwait(): boolean {
    if (this.topLevelAwait !== null) return this.topLevelAwait;
    let found = false;
    const skip = (): void => {};
    walk.recursive(this.ast, null, {
      FunctionDeclaration: skip, FunctionExpression: skip, ArrowFunctionExpression: skip,
      AwaitExpression: () => void (found = true),
      ForOfStatement: (n: Node, st: null, c: (n: Node, st: null) => void) => {
        if (n.await) found = true;
        c(n.left, st); c(n.right, st); c(n.body, st);
      },
    } as never);
    return (this.topLevelAwait = found);
  }

  /**
   * Whether the activation `settles` names may still be running, given the source offsets of
   * the frames of this script on the stack: a frame is that activation when the innermost
   * function around its position is the activation's own (or none, for the top level).
   */
  activationRunning(settles: NonNullable<BindingFacts["settles"]>, positions: readonly number[]): boolean {
    for (const p of positions) {
      if (p < settles.start || p > settles.end) continue;
      let inner: Node | null = null;
      for (const f of this.functions) {
        if (f.start <= p && p < f.end && (!inner || f.start >= inner.start)) inner = f;
      }
      if (settles.top ? inner === null : inner !== null && inner.start === settles.start && inner.end === settles.end) return true;
    }
    return false;
  }

  /** The nearest ancestor of `n` (itself included) of type `type`. */
  private enclosing(n: Node, type: string): Node | null {
    for (let m: Node | null = n; m; m = this.parentOf(m)) if (m.type === type) return m;
    return null;
  }

  /** Whether `n` sits in a loop of its function (or of the top level). */
  private inLoop(n: Node): boolean {
    for (let m = this.parentOf(n); m; m = this.parentOf(m)) {
      if (LOOP_TYPES.has(m.type)) return true;
      if (m.type === "FunctionDeclaration" || m.type === "FunctionExpression" || m.type === "ArrowFunctionExpression") return false;
    }
    return false;
  }

  /**
   * Whether every frame of the activation `settles` names among `positions` stands at or past
   * `end`: a statement of it that ends there has run in each running activation, and (outside a
   * loop) will not run again in it; a closure it made sees its own activation's binding.
   */
  activationPast(settles: NonNullable<BindingFacts["settles"]>, end: number, positions: readonly number[]): boolean {
    for (const p of positions) {
      if (p < settles.start || p > settles.end) continue;
      let inner: Node | null = null;
      for (const f of this.functions) {
        if (f.start <= p && p < f.end && (!inner || f.start >= inner.start)) inner = f;
      }
      const own = settles.top ? inner === null : inner !== null && inner.start === settles.start && inner.end === settles.end;
      if (own && p < end) return false;
    }
    return true;
  }

  /** A `with` or direct-eval scope at or below `scope`: either can write a binding the analysis cannot see. */
  private dynamicScopeIn(scope: Scope): Scope | null {
    const known = this.dynamicBelow.get(scope);
    if (known !== undefined) return known;
    let found: Scope | null = scope.type === "with" || scope.directCallToEvalScope ? scope : null;
    for (const c of scope.childScopes) {
      if (found) break;
      found = this.dynamicScopeIn(c);
    }
    this.dynamicBelow.set(scope, found);
    return found;
  }

  /** Free names of `fnNode` that resolve to nothing in this script (globals, or undeclared). */
  globalNamesOf(fnNode: Node): string[] {
    const own = this.manager.acquire(fnNode);
    if (!own) return [];
    const names = new Set<string>();
    const visit = (s: Scope): void => {
      for (const r of s.through) if (!r.resolved || r.resolved.scope.type === "global") names.add(r.identifier.name);
    };
    visit(own);
    return [...names];
  }
}
