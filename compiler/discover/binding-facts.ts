/**
 * The verdict a script's source gives on one binding (BindingFacts), and what
 * is judged of a declaration alone: its kind, whether it is in its scope's own
 * body, whether a function can only have been made after it ran. The scope
 * shapes are eslint-scope's, as script-analysis.ts reads them.
 */
import type { Node } from "../ast.js";
import type { LazyInit } from "./lazy-init.js";

export type BindingKind = "const" | "let" | "var" | "function" | "class" | "import" | "param" | "catch" | "unknown";

export type Def = { type: string; node: Node; parent?: Node; name: Node };
export type Ref = { identifier: Node; resolved: Variable | null; from: Scope; init?: boolean; isWrite(): boolean };
export type Variable = { name: string; defs: Def[]; references: Ref[]; scope: Scope };
export type Scope = {
  type: string; block: Node; upper: Scope | null; set: Map<string, Variable>; through: Ref[];
  childScopes: Scope[]; isStrict: boolean; directCallToEvalScope: boolean;
};

/** The source text's verdict on one name, as seen from one function. */
export interface BindingFacts {
  kind: BindingKind;
  /** Where it is declared: the module/CJS top level, the script's top level, or an enclosing function or block. */
  declaredIn: "module" | "script" | "closure" | "global";
  stable: boolean;
  /** Names the binding and the line of the first write that makes it unstable. */
  unstableReason?: string;
  /** A let/const/class with an initialiser (an undefined value read from it may be the TDZ hole). */
  hasInitialiser: boolean;
  /**
   * The function asking was made after this declaration had run (see createdAfterInit): an
   * undefined value read from the binding is its value, not the TDZ hole.
   */
  initialisedFirst?: true;
  /**
   * Set on an unstable binding whose every write runs in the declaring scope's own activation
   * (its top-level statements and blocks, not a nested function): once that activation has
   * returned, nothing can write it again. `[start, end)` is the activation's source range,
   * `top` says it is the script's top level. See `settled`.
   */
  settles?: { start: number; end: number; top: boolean };
  /**
   * With `settles`: the end of the binding's one declarator (`var x = …`), outside any loop. Once
   * every frame of the activation stands past it, the declarator has run and will not run again:
   * the binding is fixed though the activation still runs. See `settled`.
   */
  declaredBy?: { end: number };
  /** A `var` whose one write is its declarator: unstable only until that has run (script-analysis.ts). */
  varDeclared?: true;
  /**
   * A stable binding initialised with a RegExp literal without the y flag, in a script with no
   * `with` or direct `eval` and not exported, whose every other use is as the argument of a
   * `.match(…)` call or, without the g flag, as the receiver of a `.test(…)` or `.exec(…)` call:
   * no code outside these calls can reach the object, so its source, flags and lastIndex stay as
   * the literal made them (a global match sets lastIndex to 0 first and leaves it 0; without g,
   * none of these writes it). See regexp-calls.ts.
   */
  privateRegExp?: true;
  /** Set on an unstable binding every write of which initialises it lazily (lazy-init.ts): fixed once its value passes `when`. */
  lazyInit?: LazyInit;
  /**
   * An import binding: the module it names and the export it takes ("default", or "*" for a
   * namespace). The import is fixed here, but the export is a live binding its own module may
   * reassign (live-imports.ts asks that module's source).
   */
  importFrom?: { source: string; imported: string };
}

/**
 * Whether the function of scope `own` can only have been made after the declaration of `v`
 * (a let, const or class of `scope`) had run. The inspector reads a binding in its temporal dead
 * zone as undefined, like one that holds undefined (picomatch's `const posix = opts.windows`,
 * read by the matcher it returns). It can: every function from `own` up to `scope` is a function
 * or arrow expression (a declaration is made when its scope is entered, before any statement),
 * the outermost of them starts after the declaration ends, and the declaration is not in a
 * `switch` (a case can jump past it). Statements of a block run in order, so an expression after
 * the declaration is evaluated after it, each time.
 */
export function createdAfterInit(own: Scope, v: Variable, scope: Scope): boolean {
  if (scope.type === "switch") return false;
  const def = v.defs[0]!;
  const declEnd = def.type === "ClassName" ? def.node.end : (def.parent ?? def.node).end;
  if (typeof declEnd !== "number") return false;
  let outermost: Node | null = null;
  for (let s: Scope | null = own; s && s !== scope; s = s.upper) {
    if (s.type === "function") {
      const block = s.block as Node;
      if (block.type !== "FunctionExpression" && block.type !== "ArrowFunctionExpression") return false;
      outermost = block;
    } else if (s.type === "class-field-initializer" || s.type === "class-static-block") return false;
  }
  return !!outermost && outermost.start >= declEnd;
}

export function isBodyOf(block: Node, decl: Node): boolean {
  const body = block.type === "Program" ? block.body : block.body?.type === "BlockStatement" ? block.body.body : null;
  return Array.isArray(body) && body.includes(decl);
}

export function kindOf(def: Def): BindingKind {
  switch (def.type) {
    case "Variable": return (def.parent?.kind as BindingKind) ?? "var";
    case "FunctionName": return "function";
    case "ClassName": return "class";
    case "Parameter": return "param";
    case "CatchClause": return "catch";
    case "ImportBinding": return "import";
    default: return "unknown";
  }
}
