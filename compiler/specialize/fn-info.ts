/**
 * What the evaluator needs to know about one function's source, computed once
 * per function and cached: the parsed tree (never mutated: residual code is
 * always built from fresh nodes), its scope analysis, which bindings are
 * captured by nested functions, and every identifier word in its text (so
 * that generated names never collide with a name the code uses).
 */
import { parseFunction, normalizeBody, type ParsedFunction } from "../parse.js";
import { analyzeScopes, type ScopeInfo, type Variable, type Scope } from "../analyze/scopes.js";
import { JitError } from "../jit-error.js";
import { walk, isReferenceIdentifier, type Node } from "../ast.js";
import { KNOWN_GLOBALS } from "../builtins.js";
import { scopeCorner } from "./scope-corners.js";
import { scriptStrictness } from "../discover/closure.js";
import { aliasedMethodCallee, argumentsReadAsArray, readByArrayMethod } from "../arguments-reads.js";

export interface FnInfo {
  fn: Function;
  parsed: ParsedFunction;
  /** The function node with a block body. */
  node: Node;
  scopes: ScopeInfo;
  /** Bindings referenced from a nested function: they live in real residual variables. */
  captured: Set<Variable>;
  /** Identifier words of the source text. */
  words: Set<string>;
  /** The function uses `arguments` of its own. */
  usesArguments: boolean;
  /** An arrow inside it reads the function's `arguments`: an arrow kept as a closure reads whatever `arguments` is around it. */
  argumentsInArrow: boolean;
  /** Its `arguments` is only read, or handed to Array methods through `.call` (arguments-reads.ts, argumentsReadAsArray). */
  argumentsAsArray: boolean;
  /** The function uses `this` of its own (outside nested non-arrow functions). */
  usesThis: boolean;
  /** Reason this function can only be called, never specialized (eval, with, super …). */
  opaque: JitError | null;
  /** Free names other than known globals (closure and module bindings). */
  freeNames: string[];
  /** Number of AST nodes (inlining heuristics). */
  size: number;
  /**
   * The body means the same in strict and sloppy code, nested functions included: no `this`, no
   * `arguments`, no `delete`, no write to a property (sloppy code ignores a failed one, strict code
   * throws), no function declared in a block. Such a callee inlines into a root of the other mode.
   */
  strictnessNeutral: boolean;
  /**
   * Sloppy code's `<name>.call(arguments, …)` with `<name>` a free binding (`var slice = [].slice`):
   * `arguments` is handed on only if that binding does not hold an Array method that just reads it
   * (arguments-reads.ts, readsAsAliasedArrayMethod), which the root checks on its value.
   */
  argumentsAliases?: Array<{ name: string; call: Node }>;
  /** A class constructor's instance fields, in order (class-info.ts): defined before its body runs. */
  fields?: string[];
  /** Per function body in this tree (the function's own, or a nested one's): its `var` declarators' identifiers, filled by `varIdentifiers`. */
  varIdentifiers?: Map<Node, Node[]>;
  /** Per loop of this function: whether another loop of the function holds it (loops.ts, slotsDeadAfter), filled as loops are asked about. */
  loopInLoop?: Map<Node, boolean>;
}

/**
 * The identifiers that `var` declarations of `body` bind (nested functions and classes left out),
 * in source order; computed once per body. Every inlined call walked its callee's whole body for
 * them: 136 ms of 1,887 in 25 compiles of json-logic-js's rule, whose `apply` inlines itself.
 */
export function varIdentifiers(info: FnInfo, body: Node, fnNode: Node): Node[] {
  const cache = (info.varIdentifiers ??= new Map());
  let ids = cache.get(body);
  if (ids) return ids;
  ids = [];
  const found = ids;
  walk(body, (x) => {
    if (x !== fnNode && (x.type === "FunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ArrowFunctionExpression" || x.type === "ClassExpression" || x.type === "ClassDeclaration")) return false;
    if (x.type === "VariableDeclaration" && x.kind === "var") {
      for (const d of x.declarations) walk(d.id, (idn) => void (idn.type === "Identifier" && found.push(idn)));
    }
    return;
  });
  cache.set(body, ids);
  return ids;
}

// A class field's initializer runs when an instance is made, later than the code around the class:
// it reads its variables as a closure does (sweep46 #4: `let x = 1; class C { v = x; } x = k;`
// dropped the write, and `new C().v` read 1). eslint-scope gives it a scope of its own, as it does
// a static block.
const ACTIVATION_SCOPES = new Set(["function", "class-field-initializer", "class-static-block"]);
const nearestFunctionScope = (s: Scope): Scope => {
  let c: Scope | null = s;
  while (c && !ACTIVATION_SCOPES.has(c.type)) c = c.upper;
  return c ?? s;
};

const lineOf = (n: Node): number | null => n?.loc?.start?.line ?? null;
/** Where `n` starts, as JitError's options (the caret of the diagnostic goes under it). */
const at = (n: Node): { column: number | null } => ({ column: n?.loc?.start?.column ?? null });

/** Constructs that make a function opaque to the evaluator (it is called as is, or the root falls back). */
function findOpaque(node: Node): JitError | null {
  let found: JitError | null = null;
  const visit = (fnNode: Node, own: boolean) => {
    found ??= scopeCorner(fnNode);
    walk(fnNode, (n) => {
      if (found) return false;
      if (n !== fnNode && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) {
        visit(n, false);
        return false;
      }
      if (n !== fnNode && n.type === "ArrowFunctionExpression") {
        visit(n, own);
        return false;
      }
      switch (n.type) {
        case "WithStatement":
          found = new JitError("USES_WITH", "the function uses `with`", lineOf(n), at(n));
          return false;
        case "Super":
          if (own) found = new JitError("USES_SUPER", "the function uses `super`", lineOf(n), at(n));
          return false;
        case "MetaProperty":
          // `new.target` is evaluated (constructors.ts refuses constructors that read it).
          return false;
        case "CallExpression":
          if (n.callee.type === "Identifier" && n.callee.name === "eval") found = new JitError("USES_EVAL", "the function calls `eval`", lineOf(n), at(n));
          return;
        case "TaggedTemplateExpression":
          found = new JitError("TAGGED_TEMPLATE", "tagged templates are not compiled: a tag sees one template object per call site, and specialized code would have other sites", lineOf(n), at(n));
          return false;
        case "YieldExpression":
        case "AwaitExpression":
          return;
      }
      return;
    });
  };
  visit(node, true);
  return found;
}

/**
 * A sloppy function with simple parameters has a mapped `arguments`: writing a parameter changes
 * `arguments[i]`, and writing `arguments[i]` changes the parameter (`function f(a) { arguments[0] =
 * 5; return a; }` returns 5). kos keeps the two apart, so such a function, where it both uses
 * `arguments` and writes a parameter, or writes or hands out `arguments`, is called as it is.
 * (Conservative: a nested binding of a parameter's name counts as the parameter.)
 */
function mappedArgumentsWritten(node: Node, strict: boolean, usesArguments: boolean, aliases: Array<{ name: string; call: Node }>): JitError | null {
  if (strict || !usesArguments || !(node.params as Node[]).every((p) => p.type === "Identifier")) return null;
  const params = new Set((node.params as Node[]).map((p) => p.name as string));
  let found: JitError | null = null;
  // Every target a write reaches: a name, `arguments[k]`, or the names and members inside a
  // destructuring pattern (`[a] = …`, `({ x: arguments[0] } = …)`, `for ([a] of …)`).
  const written = (target: Node | null | undefined): void => {
    if (found || !target) return;
    switch (target.type) {
      case "Identifier":
        if (params.has(target.name)) found = new JitError("USES_ARGUMENTS", `the function is sloppy code whose \`arguments\` is linked to its parameters, and it writes the parameter '${target.name}'`, lineOf(target), at(target));
        return;
      case "MemberExpression":
        if (target.object.type === "Identifier" && target.object.name === "arguments") found = new JitError("USES_ARGUMENTS", "the function is sloppy code whose `arguments` is linked to its parameters, and it writes `arguments[…]`", lineOf(target), at(target));
        return;
      case "ArrayPattern":
        for (const e of target.elements as Array<Node | null>) written(e);
        return;
      case "ObjectPattern":
        for (const p of target.properties as Node[]) written(p.type === "RestElement" ? p.argument : p.value);
        return;
      case "RestElement":
        written(target.argument);
        return;
      case "AssignmentPattern":
        written(target.left);
        return;
      case "VariableDeclaration":
        // `for (var a of …)`: each iteration writes the declared names (a `let` or `const` declares new ones).
        if (target.kind === "var") for (const d of target.declarations as Node[]) written(d.id);
        return;
    }
  };
  // What a node writes when it runs: assignments and updates, a `var` with an initialiser
  // (`var level = level || "info"` writes the parameter of that name), the targets of `for-in` and
  // `for-of`, and a function declaration of a parameter's name (it replaces the value at entry).
  const writes = (n: Node): void => {
    if (n.type === "AssignmentExpression") written(n.left);
    else if (n.type === "UpdateExpression") written(n.argument);
    else if (n.type === "VariableDeclaration" && n.kind === "var") for (const d of n.declarations as Node[]) written(d.init ? d.id : null);
    else if (n.type === "ForInStatement" || n.type === "ForOfStatement") written(n.left);
  };
  for (const s of (node.body?.body ?? []) as Node[]) if (s.type === "FunctionDeclaration") written(s.id);
  walk(node, (n, parent) => {
    if (found) return false;
    if (n !== node && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression")) {
      // A nested function can write a parameter through its closure, but its own `arguments` is its
      // own (an arrow's is this function's: its writes to it count here too).
      if (n.type !== "ArrowFunctionExpression") {
        walk(n, (m) => {
          if (m.type === "AssignmentExpression") written(m.left.type === "MemberExpression" ? null : m.left);
          else if (m.type === "UpdateExpression") written(m.argument.type === "MemberExpression" ? null : m.argument);
          else if (m.type === "ForInStatement" || m.type === "ForOfStatement") written(m.left.type === "VariableDeclaration" ? null : m.left.type === "MemberExpression" ? null : m.left);
        });
        return false;
      }
    }
    writes(n);
    if (n.type === "Identifier" && n.name === "arguments" && isReferenceIdentifier(n, parent)) {
      // `arguments.length`, a read of `arguments[k]`, a spread, a forwarding `f.apply(t, arguments)` and
      // an Array method that only reads it (`[].slice.call(arguments, 1)`) read the values as they are
      // (a parameter written before is caught above); anything else hands the object itself on, where
      // it could be written.
      const forwarded = parent?.type === "CallExpression" && parent.arguments[1] === n && parent.callee.type === "MemberExpression" && !parent.callee.computed && parent.callee.property.name === "apply";
      const readOnly = (parent?.type === "MemberExpression" && parent.object === n) || parent?.type === "SpreadElement" || forwarded || readByArrayMethod(n, parent);
      // `slice.call(arguments, 1)`: read-only if `slice` holds `[].slice`, which its value tells (the root checks it).
      const alias = readOnly ? null : aliasedMethodCallee(n, parent);
      if (alias !== null) aliases.push({ name: alias, call: parent! });
      else if (!readOnly) found = new JitError("USES_ARGUMENTS", "the function is sloppy code whose `arguments` is linked to its parameters, and it hands `arguments` on", lineOf(n), at(n));
    }
    return;
  });
  return found;
}

/**
 * Sloppy code's `arguments.callee` is the function being called: the original, where the compiled
 * version would give itself (`arguments.callee === f` was false). Such a function is called as it
 * is. (With other than simple parameters, `arguments.callee` throws in both, as in strict code.)
 */
/**
 * A function declared in a block of sloppy code is also a `var` of the function around it once the
 * block has run (Annex B.3.3), and a `switch` case's too. kos declares it in its block only: after
 * the block, `typeof c` read the outer binding or a global (sweep41).
 */
function sloppyBlockFunction(node: Node, strict: boolean): JitError | null {
  if (strict) return null;
  let found: JitError | null = null;
  const bodies = new Set<Node>();
  walk(node, (n, parent) => {
    if (found) return false;
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") bodies.add(n.body);
    if (n.type === "FunctionDeclaration" && n !== node && parent && !bodies.has(parent)) {
      found = new JitError("UNSUPPORTED", `the function declares '${n.id?.name ?? "?"}' in a block of sloppy code, where it is also a \`var\` of the function (Annex B)`, lineOf(n), at(n));
      return false;
    }
    return;
  });
  return found;
}

/**
 * Sloppy code that reads a function's legacy `caller` (`who.caller === outer`): which function calls
 * which is what kos changes when it inlines (an inlined `outer` made the version `who`'s caller, sweep39).
 */
function legacyCallerRead(node: Node, strict: boolean): JitError | null {
  if (strict) return null;
  let found: JitError | null = null;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === "MemberExpression" && ((!n.computed && n.property.type === "Identifier" && n.property.name === "caller") || (n.computed && n.property.type === "Literal" && n.property.value === "caller"))) {
      found = new JitError("UNSUPPORTED", "the function reads a function's `caller` (legacy stack inspection), which depends on which function calls which, and kos changes that", lineOf(n), at(n));
      return false;
    }
    return;
  });
  return found;
}

function calleeRead(node: Node, strict: boolean, usesArguments: boolean): JitError | null {
  if (strict || !usesArguments || !(node.params as Node[]).every((p) => p.type === "Identifier")) return null;
  let found: JitError | null = null;
  walk(node, (n) => {
    if (found) return false;
    // A nested function's `arguments` is its own.
    if (n !== node && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) return false;
    if (n.type === "MemberExpression" && n.object.type === "Identifier" && n.object.name === "arguments" && (n.computed ? n.property.type === "Literal" && n.property.value === "callee" : n.property.name === "callee")) {
      found = new JitError("USES_ARGUMENTS", "the function is sloppy code that reads `arguments.callee` (the function itself, which a compiled version is not)", lineOf(n), at(n));
    }
    return;
  });
  return found;
}

function ownUses(node: Node): { usesThis: boolean; usesArguments: boolean; argumentsInArrow: boolean } {
  let usesThis = false;
  let usesArguments = false;
  let argumentsInArrow = false;
  const arrows: Node[] = [];
  walk(node, (n, parent) => {
    if (n !== node && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) return false;
    if (n.type === "ArrowFunctionExpression" && n !== node) arrows.push(n);
    if (n.type === "ThisExpression") usesThis = true;
    if (n.type === "Identifier" && n.name === "arguments" && isReferenceIdentifier(n, parent)) usesArguments = true;
    return;
  });
  for (const a of arrows) {
    if (argumentsInArrow) break;
    walk(a, (n, parent) => {
      if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration") return false;
      if (n.type === "Identifier" && n.name === "arguments" && isReferenceIdentifier(n, parent)) argumentsInArrow = true;
      return !argumentsInArrow;
    });
  }
  return { usesThis, usesArguments, argumentsInArrow };
}

/** Words strict code reserves that sloppy code may use as names (`eval` and `arguments` are handled apart). */
const STRICT_RESERVED = new Set(["implements", "interface", "let", "package", "private", "protected", "public", "static", "yield"]);

/** See FnInfo.strictnessNeutral. */
function isStrictnessNeutral(node: Node): boolean {
  let neutral = true;
  const bodies = new Set<Node>();
  walk(node, (n, parent) => {
    if (!neutral) return false;
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") {
      bodies.add(n.body);
      // Duplicate parameter names are a syntax error in strict code.
      const names = (n.params as Node[]).filter((p) => p.type === "Identifier").map((p) => p.name as string);
      if (new Set(names).size !== names.length) neutral = false;
    }
    switch (n.type) {
      case "ThisExpression":
      case "WithStatement":
        neutral = false;
        return false;
      case "Identifier":
        // Names strict code reserves (a sloppy `let` or `static` variable) do not parse there.
        if ((n.name === "arguments" && isReferenceIdentifier(n, parent)) || STRICT_RESERVED.has(n.name)) neutral = false;
        return;
      case "Literal":
        // Legacy octal numbers and escapes are syntax errors in strict code.
        if (typeof n.raw === "string" && (/^0\d/.test(n.raw) || (typeof n.value === "string" && /\\(0\d|[1-7])/.test(n.raw)))) neutral = false;
        return;
      case "TemplateElement":
        if (/\\(0\d|[1-7])/.test(n.value?.raw ?? "")) neutral = false;
        return;
      case "UnaryExpression":
        if (n.operator === "delete") neutral = false;
        return;
      case "AssignmentExpression":
      case "ForInStatement":
      case "ForOfStatement":
        if (n.left.type !== "Identifier" && n.left.type !== "VariableDeclaration") neutral = false;
        return;
      case "UpdateExpression":
        if (n.argument.type !== "Identifier") neutral = false;
        return;
      case "FunctionDeclaration":
        // Annex B: a function declared in a block is also a `var` of the function in sloppy code.
        if (parent && !bodies.has(parent)) neutral = false;
        return;
    }
    return;
  });
  return neutral;
}

export function loadFnInfo(fn: Function, privateNames = false): FnInfo {
  const parsed = parseFunction(fn, privateNames);
  const info = infoOf(fn, parsed, normalizeBody(parsed.node));
  if (!parsed.modeFromScript || info.strictnessNeutral) return info;
  // An arrow or a method whose body means something else in sloppy code (a write to a frozen
  // object is ignored there, and throws in strict code: ini's `parse(str, frozenOptions)` threw
  // under kos): its mode is its script's. Unknown (no inspector), it runs as the original.
  const strict = scriptStrictness(fn);
  if (strict === true) {
    const { strictAssumed: _assumed, ...rest } = parsed;
    const known = { ...rest, modeRead: true };
    return infoOf(fn, known, normalizeBody(known.node));
  }
  if (strict === false) {
    const sloppy = { ...parsed, strict: false, modeRead: true };
    return infoOf(fn, sloppy, normalizeBody(sloppy.node));
  }
  const what = parsed.kind === "arrow" ? "an arrow function" : "a method";
  return { ...info, opaque: info.opaque ?? new JitError("UNSUPPORTED", `${what} runs in the mode (strict or sloppy) of the code around it, which kos could not read from its script, and its body would behave differently in the other`, parsed.node.loc?.start.line ?? null) };
}

/** The analyses of a function node (a parsed function, or a class constructor kos assembled). */
/** A binding no code can assign: a `const`, a function expression's own name, a class's name inside its body. */
function immutableBinding(v: Variable): boolean {
  return v.defs.some((d) => (d.type === "Variable" && (d.parent as Node | null)?.kind === "const") || (d.type === "FunctionName" && v.scope.type === "function-expression-name") || (d.type === "ClassName" && v.scope.type === "class"));
}

export function infoOf(fn: Function, parsed: ParsedFunction, node: Node): FnInfo {
  const scopes = analyzeScopes(node, parsed.strict);
  const captured = new Set<Variable>();
  let constantWrite: JitError | null = null;
  const stack: Scope[] = [scopes.functionScope];
  // The name of a named function expression lives in a scope of its own, above the function's.
  for (let up = scopes.functionScope.upper; up && up.block === node; up = up.upper) stack.push(up);
  while (stack.length) {
    const scope = stack.pop()!;
    for (const v of scope.variables) {
      const home = nearestFunctionScope(v.scope);
      if (v.references.some((r) => nearestFunctionScope(r.from) !== home)) captured.add(v);
      // A closure the function makes, and a destructuring with a property target, are kept as
      // written, where a binding that cannot be assigned (a `const`, a function expression's own
      // name, a class's inner name) becomes a `let` of the version: a write there went through where
      // the original throws, or in sloppy code ignores a write to the name (sweep44).
      if (!constantWrite && immutableBinding(v)) {
        const w = v.references.find((r) => r.isWrite() && !r.init);
        if (w) constantWrite = new JitError("UNSUPPORTED", `'${v.name}' is assigned${nearestFunctionScope(w.from) !== home ? " by a closure" : ""}, and cannot be (a TypeError, or ignored in sloppy code for a function's own name)`, lineOf(w.identifier), at(w.identifier));
      }
    }
    // (The function-name scope's child is the function's own scope, already on the stack.)
    if (scope.type !== "function-expression-name") stack.push(...scope.childScopes);
  }
  const words = new Set(parsed.source.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const { usesThis, usesArguments, argumentsInArrow } = ownUses(node);
  if (parsed.kind === "arrow" && (usesThis || usesArguments)) {
    // An arrow's `this` and `arguments` belong to where it was defined, which kos cannot see.
  }
  let size = 0;
  walk(node, () => void size++);
  const freeNames = [...scopes.free.keys()].filter((n) => !KNOWN_GLOBALS.has(n) && n !== "arguments");
  const aliases: Array<{ name: string; call: Node }> = [];
  const opaque = findOpaque(node) ?? mappedArgumentsWritten(node, parsed.strict, usesArguments, aliases) ?? calleeRead(node, parsed.strict, usesArguments) ?? sloppyBlockFunction(node, parsed.strict) ?? legacyCallerRead(node, parsed.strict);
  // An alias that is not a free name (a local or a parameter of this function) hands `arguments` on as written.
  const local = aliases.find((a) => !freeNames.includes(a.name));
  const aliasOpaque = local ? new JitError("USES_ARGUMENTS", `the function is sloppy code whose \`arguments\` is linked to its parameters, and it hands \`arguments\` on to '${local.name}.call'`, lineOf(local.call), at(local.call)) : null;
  return { fn, parsed, node, scopes, captured, words, usesArguments, argumentsInArrow, argumentsAsArray: usesArguments && argumentsReadAsArray(node), usesThis, opaque: opaque ?? aliasOpaque ?? constantWrite, freeNames, size, strictnessNeutral: isStrictnessNeutral(node), ...(aliases.length ? { argumentsAliases: aliases } : {}) };
}

// Analyses are immutable once made (the evaluator never mutates a source tree),
// so one per function serves every compilation: this is a cache, not state.
const analyses = new WeakMap<Function, FnInfo | JitError>();
// Parsed with `#names` allowed (kos build's `privateNames`), kept apart: runtime compiles never see them.
const privateNameAnalyses = new WeakMap<Function, FnInfo | JitError>();

/** Loaded functions (a failed load is remembered as its error). */
export class FnInfoCache {
  private readonly map = analyses;
  /**
   * `privateNamesRoot`: the one function analysed with private names allowed (kos build places its
   * code in its own class body). Functions it calls or inlines are analysed as always, so a
   * `#name` of theirs still refuses: it would name another class's member.
   */
  constructor(private readonly privateNamesRoot: Function | null = null) {}
  get(fn: Function): FnInfo {
    const permissive = fn === this.privateNamesRoot;
    const map = permissive ? privateNameAnalyses : this.map;
    let r = map.get(fn);
    if (!r) {
      try {
        r = loadFnInfo(fn, permissive);
      } catch (e) {
        if (!(e instanceof JitError)) throw e;
        r = e;
      }
      map.set(fn, r);
    }
    if (r instanceof JitError) throw r;
    return r;
  }
}
