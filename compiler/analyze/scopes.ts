/**
 * Scope analysis of one function, by eslint-scope (the analyser ESLint
 * trusts): which binding each identifier resolves to, which bindings are ever
 * reassigned, and what the function's free variables are. Passes re-run it
 * after they change the tree: it is cheap at function size, and a stale
 * analysis is a classic source of miscompiles.
 */
import * as eslintScope from "eslint-scope";
import { childKeys, type Node } from "../ast.js";

// eslint-scope's types describe its own AST typings; the passes use ESTree nodes as `Node`.
type Variable = { name: string; defs: Array<{ type: string; node: Node; parent?: Node; name: Node }>; references: Reference[]; identifiers: Node[]; scope: Scope };
type Reference = { identifier: Node; resolved: Variable | null; from: Scope; init?: boolean; isWrite(): boolean; isRead(): boolean };
type Scope = { type: string; block: Node; variables: Variable[]; references: Reference[]; through: Reference[]; childScopes: Scope[]; upper: Scope | null };

export type { Variable, Reference, Scope };

export interface ScopeInfo {
  /** The function's own scope (parameters and top-level `var`s). */
  functionScope: Scope;
  /** The binding an identifier reference resolves to; null for free (global) names. */
  resolve(identifier: Node): Variable | null | undefined;
  /** The Reference object for an identifier occurrence, if it is a reference. */
  referenceOf(identifier: Node): Reference | undefined;
  /** True when the binding is written anywhere other than its own initialiser. */
  isReassigned(variable: Variable): boolean;
  /** Free variable references, by name. */
  free: Map<string, Reference[]>;
  /** Every name declared anywhere inside the function (for shadowing checks). */
  declaredNames: Set<string>;
  /** Variables declared in the function (all nested scopes), by declaring identifier node. */
  variableOfDeclaration(identifier: Node): Variable | undefined;
}



/**
 * eslint-scope compares `range`s (to tell parameter defaults from body code).
 * Passes synthesize nodes without ranges, so every analysis renumbers the
 * tree in source order first.
 */
function numberRanges(root: Node): void {
  let counter = 0;
  const visit = (n: Node): void => {
    const start = counter++;
    const keys = childKeys(n);
    for (let k = 0; k < keys.length; k++) {
      const v = n[keys[k]!];
      if (!v) continue;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (v[i]) visit(v[i]);
      } else visit(v);
    }
    n.range = [start, counter++];
  };
  visit(root);
}

function childrenOfUnlisted(node: Node): string[] {
  return node.type === "KosConst" ? [] : Object.keys(node);
}

export function analyzeScopes(fnNode: Node, strict: boolean): ScopeInfo {
  numberRanges(fnNode);
  const program: Node = { type: "Program", sourceType: "script", body: [{ type: "ExpressionStatement", expression: fnNode }], range: [0, fnNode.range[1] + 1] };
  const manager = (eslintScope as unknown as { analyze: Function }).analyze(program, {
    ecmaVersion: 2022,
    sourceType: "script",
    impliedStrict: strict,
    // KosConst's children are none (its value is data, possibly with `type` keys of its own); other
    // types esrecurse does not list, their keys. A function, not `childVisitorKeys: { KosConst: [] }`:
    // with that, esrecurse copied its whole key table for every pattern eslint-scope visits (one
    // PatternVisitor each), 1% of the CPU of compiling mustache, json-logic-js, sift, jmespath and
    // mingo (ctprobe.mjs). The same children either way.
    fallback: childrenOfUnlisted,
  });
  const functionScope: Scope = manager.acquire(fnNode, true);
  const byIdentifier = new Map<Node, Reference>();
  const byDeclaration = new Map<Node, Variable>();
  const declaredNames = new Set<string>();
  const stack: Scope[] = [functionScope];
  // The function-name scope of a named function expression sits above the function scope.
  let upper = functionScope.upper;
  while (upper && upper.block === fnNode) {
    for (const v of upper.variables) for (const d of v.identifiers) byDeclaration.set(d, v);
    upper = upper.upper;
  }
  while (stack.length) {
    const scope = stack.pop()!;
    for (const ref of scope.references) byIdentifier.set(ref.identifier, ref);
    for (const v of scope.variables) {
      if (v.name !== "arguments" || v.defs.length) declaredNames.add(v.name);
      // A class declaration's name is declared twice, in the enclosing scope and in the class's own
      // scope; the enclosing one (met first: parents come before their children) is what the
      // function's references resolve to.
      for (const d of v.identifiers) if (!byDeclaration.has(d)) byDeclaration.set(d, v);
    }
    stack.push(...scope.childScopes);
  }
  const free = new Map<string, Reference[]>();
  for (const ref of functionScope.through) {
    const list = free.get(ref.identifier.name) ?? [];
    list.push(ref);
    free.set(ref.identifier.name, list);
  }
  return {
    functionScope,
    resolve: (identifier) => {
      const ref = byIdentifier.get(identifier);
      return ref ? ref.resolved : undefined;
    },
    referenceOf: (identifier) => byIdentifier.get(identifier),
    isReassigned: (variable) => variable.defs.length !== 1 || variable.references.some((r) => r.isWrite() && !r.init),
    free,
    declaredNames,
    variableOfDeclaration: (identifier) => byDeclaration.get(identifier),
  };
}
