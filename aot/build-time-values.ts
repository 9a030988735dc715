/**
 * Which module-level values kos build may fold into the output, and the
 * load-time checks the others need.
 *
 * The probe imports the project once, at build time, and the compiler folds
 * what it reads there. A binding whose initializer the source text fixes
 * (literals, object and array literals of such parts, `Object.freeze` of
 * one, functions and classes, arithmetic, templates and references to other
 * such bindings, imported ones included; kos's `jit(fn, …)` of such parts,
 * which behaves as `fn`) holds the same value whenever the module loads. Any other (`process.env.X === "1"`, `Math.random()`,
 * `Date.now()`, `new …`, a call) may hold something else at run time: sweep
 * 30 (B2) found `log()` printing "[verbose]" because the build ran with
 * `APP_VERBOSE=1`. kos build may assume at run time only what the source
 * fixes or what is checked at run time, so for each optimized function it
 * finds the non-fixed bindings the function can reach (its body, and the
 * bodies of the project's functions, methods and fixed bindings it names,
 * transitively) and, by what the compiler can have folded from each value:
 *
 * - a primitive: checked when the module has loaded (`Object.is(VERBOSE, true)`);
 * - a frozen object of plain data: checked the same way, deeply, frozen included
 *   (one the compile froze, a specialized value, is checked by content and
 *   frozen by the output after the check);
 * - an object that is not frozen: nothing (the compiler folds only frozen
 *   objects' contents in kos build, `frozenOnly`; it reads this one by name);
 * - a function, or another frozen object: the function is not optimized,
 *   as no check the output can write tells the build-time value apart.
 *
 * The checks run once, at the end of the module, before the optimized
 * version is installed: a `const` never changes once initialized, and a
 * `let` that is reassigned is not folded by the compiler at all. When one
 * fails, the function stays the original for the whole run.
 *
 * Bindings declared outside the project (packages, `.d.ts`): their
 * primitives and frozen data are checked the same way; their functions are
 * trusted, as the package's source, not the environment, fixes them.
 */
import { Node, SyntaxKind, type Expression, type SourceFile, type VariableDeclaration } from "ts-morph";
import { JIT_MODULES } from "./discover.js";
import { dataLiteral } from "./literal.js";

/** A binding the function may read whose value the source does not fix. */
export interface LoadTimeValue {
  declaration: VariableDeclaration;
  /** The binding's name where it is declared. */
  name: string;
  sourceFile: SourceFile;
  /** Declared outside the project's sources (a package's `.d.ts`). */
  external: boolean;
  /** Why its value is not fixed, for the report: "`VERBOSE` is computed when the module loads (`process.env…`)". */
  why: string;
}

// Math functions whose result the arguments fix (`Math.random` is not among them).
const PURE_MATH = new Set(["abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "clz32", "cos", "cosh", "exp", "expm1", "floor", "fround", "hypot", "imul", "log", "log10", "log1p", "log2", "max", "min", "pow", "round", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"]);
const PURE_CONVERSIONS = new Set(["String", "Number", "Boolean", "BigInt", "Symbol"]);
const FIXED_GLOBALS = new Set(["undefined", "NaN", "Infinity"]);

/** Determinism of initializers and reachability of bindings over the project's sources. */
export class BuildTimeValues {
  private readonly fixed = new Map<VariableDeclaration, string | null>();

  constructor(private readonly projectFiles: Set<SourceFile>) {}

  /** Null when the source fixes the binding's value, else why not. */
  whyNotFixed(d: VariableDeclaration): string | null {
    if (this.fixed.has(d)) return this.fixed.get(d)!;
    // A cycle (`const a = b; const b = a;`) is not fixed: assume the worst while it is being decided.
    this.fixed.set(d, `\`${d.getName()}\` depends on itself`);
    const init = d.getInitializer();
    let why: string | null;
    if (!this.projectFiles.has(d.getSourceFile()) || isAmbient(d)) why = "it is declared outside the project";
    else if (!init) why = "it has no initializer";
    else if (!Node.isIdentifier(d.getNameNode())) why = "it is bound by destructuring";
    else {
      const bad = this.unfixedPart(init);
      why = bad === null ? null : `\`${clip(bad.getText())}\` is evaluated when the module loads`;
    }
    this.fixed.set(d, why);
    return why;
  }

  /** The first part of `e` whose value the source text does not fix, or null. */
  private unfixedPart(e: Node): Node | null {
    if (Node.isParenthesizedExpression(e) || Node.isAsExpression(e) || Node.isSatisfiesExpression(e) || Node.isNonNullExpression(e) || Node.isTypeAssertion(e)) return this.unfixedPart(e.getExpression());
    if (Node.isLiteralExpression(e) || Node.isNoSubstitutionTemplateLiteral(e) || Node.isTrueLiteral(e) || Node.isFalseLiteral(e) || Node.isNullLiteral(e)) return null;
    if (Node.isFunctionExpression(e) || Node.isArrowFunction(e) || Node.isClassExpression(e)) return null;
    if (Node.isIdentifier(e)) return this.fixedReference(e) ? null : e;
    if (Node.isArrayLiteralExpression(e)) return first(e.getElements(), (x) => this.unfixedPart(Node.isSpreadElement(x) ? x.getExpression() : x));
    if (Node.isObjectLiteralExpression(e)) {
      return first(e.getProperties(), (p) => {
        if (Node.isMethodDeclaration(p) || Node.isGetAccessorDeclaration(p) || Node.isSetAccessorDeclaration(p)) return null;
        if (Node.isSpreadAssignment(p)) return this.unfixedPart(p.getExpression());
        if (Node.isShorthandPropertyAssignment(p)) return this.fixedReference(p.getNameNode()) ? null : p;
        if (Node.isPropertyAssignment(p)) {
          const key = p.getNameNode();
          return (Node.isComputedPropertyName(key) ? this.unfixedPart(key.getExpression()) : null) ?? this.unfixedPart(p.getInitializerOrThrow());
        }
        return p;
      });
    }
    if (Node.isTemplateExpression(e)) return first(e.getTemplateSpans(), (s) => this.unfixedPart(s.getExpression()));
    if (Node.isPrefixUnaryExpression(e)) {
      const op = e.getOperatorToken();
      return op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken ? e : this.unfixedPart(e.getOperand());
    }
    if (Node.isTypeOfExpression(e) || Node.isVoidExpression(e)) return this.unfixedPart(e.getExpression());
    if (Node.isBinaryExpression(e)) {
      const op = e.getOperatorToken().getKind();
      if (op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment) return e;
      return this.unfixedPart(e.getLeft()) ?? this.unfixedPart(e.getRight());
    }
    if (Node.isConditionalExpression(e)) return this.unfixedPart(e.getCondition()) ?? this.unfixedPart(e.getWhenTrue()) ?? this.unfixedPart(e.getWhenFalse());
    if (Node.isPropertyAccessExpression(e)) {
      const obj = e.getExpression();
      // `Math.PI`, `Number.MAX_SAFE_INTEGER`: constants of the language.
      if (Node.isIdentifier(obj) && (obj.getText() === "Math" || obj.getText() === "Number") && this.isGlobal(obj)) return null;
      return this.unfixedPart(obj);
    }
    if (Node.isElementAccessExpression(e)) return this.unfixedPart(e.getExpression()) ?? this.unfixedPart(e.getArgumentExpressionOrThrow());
    if (Node.isCallExpression(e)) {
      const callee = e.getExpression();
      const args = () => first(e.getArguments(), (a) => this.unfixedPart(a));
      if (Node.isPropertyAccessExpression(callee) && Node.isIdentifier(callee.getExpression()) && this.isGlobal(callee.getExpression())) {
        const [obj, key] = [callee.getExpression().getText(), callee.getName()];
        if ((obj === "Object" && key === "freeze") || (obj === "Math" && PURE_MATH.has(key)) || (obj === "Symbol" && key === "for")) return args();
      }
      if (Node.isIdentifier(callee) && PURE_CONVERSIONS.has(callee.getText()) && this.isGlobal(callee)) return args();
      // kos's own `jit(fn, options)` behaves as `fn` does; kos build prebuilds the call site (splice.ts).
      if (Node.isIdentifier(callee) && isKosJit(callee)) return args();
      return e;
    }
    return e;
  }

  /** Whether the global of that name is meant (no declaration in the project or a package shadows it). */
  private isGlobal(id: Node): boolean {
    const decls = id.getSymbol()?.getDeclarations() ?? [];
    return decls.every((d) => !this.projectFiles.has(d.getSourceFile()) || isAmbient(d));
  }

  /** Whether a name refers to a fixed value: a fixed binding (imports followed), a function, class or enum. */
  private fixedReference(id: Node): boolean {
    if (FIXED_GLOBALS.has(id.getText()) && this.isGlobal(id)) return true;
    const decl = declarationOf(id);
    if (!decl) return false;
    if (Node.isFunctionDeclaration(decl) || Node.isClassDeclaration(decl) || Node.isEnumDeclaration(decl)) return true;
    if (Node.isVariableDeclaration(decl) && isTopLevel(decl)) return this.whyNotFixed(decl) === null;
    return false;
  }

  /**
   * The module-level bindings whose values the source does not fix that `roots` (a function, the
   * options of its jit() call, the names its annotations specialize on) can reach: named there, or
   * in the body of a project function, method or fixed binding named there, transitively.
   */
  reachable(roots: Node[]): LoadTimeValue[] {
    const seen = new Set<Node>();
    const found = new Map<VariableDeclaration, LoadTimeValue>();
    const visit = (root: Node) => {
      if (seen.has(root)) return;
      seen.add(root);
      if (Node.isIdentifier(root)) name(root);
      else root.forEachDescendant(name);
    };
    const name = (n: Node) => {
        if (!Node.isIdentifier(n)) return;
        const decl = declarationOf(n);
        if (!decl || seen.has(decl)) return;
        const inProject = this.projectFiles.has(decl.getSourceFile()) && !isAmbient(decl);
        // A global a package declares (`process`, `document`): the compiled code reads it by name at run time.
        if (!inProject && !isImported(n)) return;
        if (Node.isVariableDeclaration(decl) && isTopLevel(decl)) {
          const why = this.whyNotFixed(decl);
          if (why !== null) {
            found.set(decl, { declaration: decl, name: decl.getName(), sourceFile: decl.getSourceFile(), external: !inProject, why: `\`${decl.getName()}\`: ${why}` });
            return;
          }
          const init = decl.getInitializer();
          if (init) visit(init);
          return;
        }
        // The project's code the compiler may inline: functions, classes and their members.
        if (inProject && (Node.isFunctionDeclaration(decl) || Node.isClassDeclaration(decl) || Node.isMethodDeclaration(decl) || Node.isPropertyDeclaration(decl)
          || Node.isGetAccessorDeclaration(decl) || Node.isSetAccessorDeclaration(decl) || Node.isConstructorDeclaration(decl) || Node.isPropertyAssignment(decl))) visit(decl);
    };
    for (const r of roots) visit(r);
    return [...found.values()];
  }
}

/** The declaration a name refers to, imports followed to what they import. */
function declarationOf(id: Node): Node | undefined {
  const parent = id.getParent();
  // A shorthand property's symbol is the property; its value is the binding of that name.
  let sym = parent && Node.isShorthandPropertyAssignment(parent) && parent.getNameNode() === id ? parent.getValueSymbol() : id.getSymbol();
  if (!sym) return undefined;
  if (sym.isAlias()) sym = sym.getAliasedSymbol() ?? sym;
  return sym.getDeclarations()[0];
}

/**
 * The expression that reads `v` in module `sf`'s top level: its own name where it is declared,
 * else the local name of an import of it (`import { MODE as M }` → `M`, `import * as cfg` → `cfg.MODE`), or null.
 */
export function expressionIn(sf: SourceFile, v: LoadTimeValue): string | null {
  if (v.sourceFile === sf) return v.name;
  for (const imp of sf.getImportDeclarations()) {
    if (imp.isTypeOnly()) continue;
    const def = imp.getDefaultImport();
    if (def && declarationOf(def) === v.declaration) return def.getText();
    for (const n of imp.getNamedImports()) {
      const local = n.getAliasNode() ?? n.getNameNode();
      if (!n.isTypeOnly() && declarationOf(local) === v.declaration) return local.getText();
    }
    const ns = imp.getNamespaceImport();
    if (ns && imp.getModuleSpecifierSourceFile() === v.sourceFile && v.declaration.getVariableStatement()?.isExported()) return `${ns.getText()}.${v.name}`;
  }
  return null;
}

/** A `declare`d binding or one of a `.d.ts`: its value comes from elsewhere (a global, a package). */
function isAmbient(d: Node): boolean {
  if (d.getSourceFile().isDeclarationFile()) return true;
  const st = Node.isVariableDeclaration(d) ? d.getVariableStatement() : d;
  return st !== undefined && Node.isAmbientable(st) && st.hasDeclareKeyword();
}

/**
 * The nodes whose names a job's compiled code can depend on: the function, the options of its
 * jit() call, and the module-level names its specialize values read (`@kos.specialize s=SCHEMA`):
 * a frozen object computed at load is folded by content, not only guarded by identity.
 */
export function jobRoots(fn: Node, sf: SourceFile, options: Node | undefined, specializedNames: string[]): Node[] {
  const roots: Node[] = [fn];
  if (options) roots.push(options);
  for (const name of specializedNames) {
    const local = sf.getVariableDeclaration(name)?.getNameNode();
    if (local) { roots.push(local); continue; }
    for (const imp of sf.getImportDeclarations()) {
      for (const n of imp.getNamedImports()) if ((n.getAliasNode() ?? n.getNameNode()).getText() === name) roots.push(n.getAliasNode() ?? n.getNameNode());
      const def = imp.getDefaultImport();
      if (def?.getText() === name) roots.push(def);
    }
  }
  return roots;
}

/** Whether `id` names kos's `jit`, imported from a module discover.ts knows as kos's. */
function isKosJit(id: Node): boolean {
  const d = id.getSymbol()?.getDeclarations()[0];
  return d !== undefined && Node.isImportSpecifier(d) && d.getName() === "jit" && !d.isTypeOnly() && JIT_MODULES.includes(d.getImportDeclaration().getModuleSpecifierValue());
}

/** Whether a name is bound by an import (of a package or a project module). */
function isImported(id: Node): boolean {
  return id.getSymbol()?.isAlias() === true;
}

function isTopLevel(d: VariableDeclaration): boolean {
  return Node.isSourceFile(d.getVariableStatement()?.getParent() ?? d);
}

function first<T>(items: T[], f: (x: T) => Node | null): Node | null {
  for (const x of items) {
    const r = f(x);
    if (r !== null) return r;
  }
  return null;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** What the output checks for one value, or why no check can tell the build-time value apart. */
export type LoadCheck = { ok: true; check: string | null; described: string | null } | { ok: false; reason: string };

/**
 * The load-time check of a binding (`expr` names it in the output module) against `value`, its
 * build-time value. `sameData` names the output's deep-comparison helper.
 */
export function loadCheck(v: LoadTimeValue, expr: string, value: unknown, sameData: string, kosFreezes = false): LoadCheck {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    const lit = dataLiteral(value);
    if (lit === null) return { ok: false, reason: `it reads ${v.why}, and its value (${typeof value}) cannot be written for a load-time check` };
    return { ok: true, check: `Object.is(${expr}, ${lit})`, described: `${expr} is ${clip(lit)}` };
  }
  if (typeof value === "function") {
    if (v.external) return { ok: true, check: null, described: null };
    return { ok: false, reason: `it reads ${v.why}; that value is a function, which no load-time check can tell from the build's` };
  }
  if (!Object.isFrozen(value)) return { ok: true, check: null, described: null };
  const lit = dataLiteral(value);
  if (lit === null) return { ok: false, reason: `it reads ${v.why}; that value is a frozen object that is not plain data, which no load-time check can tell from the build's` };
  // An object the output freezes itself after the check (the compile froze it) is not frozen yet when checked.
  return { ok: true, check: `${sameData}(${expr}, ${lit}, ${!kosFreezes})`, described: `${expr} holds the build's frozen data` };
}

/**
 * The output's deep comparison of plain data (a function declaration, hoisted): `frozen` requires
 * every object to be frozen already, as at build time; else kos build freezes it after the check.
 */
export function sameDataHelper(name: string): string {
  return `function ${name}(v, w, frozen) { if (w === null || typeof w !== "object") return Object.is(v, w); if (v === null || typeof v !== "object" || (frozen && !Object.isFrozen(v)) || Object.getPrototypeOf(v) !== Object.getPrototypeOf(w)) return false; const a = Reflect.ownKeys(v), b = Reflect.ownKeys(w); if (a.length !== b.length) return false; for (let i = 0; i < a.length; i++) { const d = Object.getOwnPropertyDescriptor(v, a[i]); if (a[i] !== b[i] || !d || !("value" in d) || !${name}(d.value, w[b[i]], frozen)) return false; } return true; }\n`;
}

/** The condition an install runs under: every check, read when the module has loaded (a binding of a module in an import cycle may not be yet). */
export function loadCondition(checks: string[]): string | null {
  return checks.length === 0 ? null : `(() => { try { return ${checks.join(" && ")}; } catch { return false; } })()`;
}

/** A binding's build-time value: `{ found: false }` when the probe cannot read it. */
export type ValueOf = (v: LoadTimeValue) => Promise<{ found: true; value: unknown } | { found: false }>;

/**
 * The load-time checks an optimized function of module `sf` needs (`roots`: see `reachable`) (build-time-values.ts's note), their
 * descriptions for the report, or why it cannot be optimized. `sameData` names the output's helper.
 */
export async function loadChecksFor(roots: Node[], sf: SourceFile, values: BuildTimeValues, valueOf: ValueOf, sameData: string, kosFreezes: Set<string>): Promise<{ ok: true; checks: string[]; described: string[] } | { ok: false; reason: string }> {
  const checks: string[] = [];
  const described: string[] = [];
  for (const v of values.reachable(roots)) {
    const live = await valueOf(v);
    if (!live.found) return { ok: false, reason: `it reads ${v.why}, whose value kos build cannot read` };
    const expr = expressionIn(sf, v);
    const c = loadCheck(v, expr ?? v.name, live.value, sameData, expr !== null && kosFreezes.has(expr));
    if (!c.ok) return c;
    if (c.check === null) continue;
    if (expr === null) return { ok: false, reason: `it reads ${v.why}, which this module does not import, so it cannot check that value when it loads` };
    checks.push(c.check);
    described.push(c.described!);
  }
  return { ok: true, checks, described };
}

/** Reads a binding's build-time value from the probe: in its own module, or (declared in a package) through a project module importing it. */
export function buildTimeValue(projectFiles: SourceFile[], bindingsOf: (sf: SourceFile) => Promise<{ get(name: string): { found: true; value: unknown } | { found: false } }>): ValueOf {
  return async (v) => {
    const holders = v.external ? projectFiles : [v.sourceFile];
    for (const sf of holders) {
      const expr = expressionIn(sf, v);
      if (expr === null) continue;
      const [head, key] = expr.split(".");
      const b = (await bindingsOf(sf)).get(head!);
      if (!b.found) return b;
      if (key === undefined) return b;
      const ns = b.value as Record<string, unknown>;
      return ns !== null && typeof ns === "object" && Object.prototype.hasOwnProperty.call(ns, key) ? { found: true, value: ns[key] } : { found: false };
    }
    return { found: false };
  };
}

/** `lines` (statements of the trailer) run only when `condition` holds; as they are when it is null. */
export function underCondition(condition: string | null, lines: string[]): string[] {
  if (condition === null || lines.length === 0) return lines;
  return [`if (${condition}) {`, ...lines.map((l) => `  ${l}`), "}"];
}
