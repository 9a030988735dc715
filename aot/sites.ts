/**
 * The top-level functions of a module that `kos build` can replace: function
 * declarations (`function f() {}`) and constants bound to a function
 * (`const f = (x) => ...`). Only these have a module-level binding that the
 * output can point at the optimized version.
 */
import { Node, SyntaxKind, type ArrowFunction, type FunctionDeclaration, type FunctionExpression, type MethodDeclaration, type SourceFile, type VariableStatement } from "ts-morph";

export type FunctionNode = FunctionDeclaration | ArrowFunction | FunctionExpression | MethodDeclaration;

/** Where a class method lives (class-methods.ts). */
export interface MethodInfo {
  /** The class's name for messages (`(anonymous class)` when it has none). */
  className: string;
  /** The property key the method is stored under. */
  key: string;
  isStatic: boolean;
  /** Index of the class among the module's emitted classes, in document order (matches the emitted JS). */
  classIndex: number;
  /** Names declared between the class and module scope: a free name in the method may not mean the module's binding. */
  shadowed: Set<string>;
  /** The first private name the method uses (`#x` (line 12)), or null: it is then compiled to sit in its class body. */
  privateUse: string | null;
}

export interface FunctionSite {
  /** `declaration` for `function f`, `variable` for `const f = ...`, `method` for a class method. */
  kind: "declaration" | "variable" | "method";
  /** The binding name; for a method, its property key (V8 names a method's frames by its key). */
  name: string;
  sourceFile: SourceFile;
  /** The statement (FunctionDeclaration or VariableStatement), or the MethodDeclaration. */
  statement: FunctionDeclaration | VariableStatement | MethodDeclaration;
  /** Set for class methods. */
  method?: MethodInfo;
  fn: FunctionNode;
  /** 1-based position of the statement's first token. */
  line: number;
  column: number;
  exported: boolean;
  /** `export default function f` */
  defaultExport: boolean;
  params: string[];
  /** Why it cannot be optimized at all (generator, async, no body, destructured params…), or null. */
  unsupported: string | null;
}

/** Every top-level function of `sf`, in source order. */
export function topLevelFunctions(sf: SourceFile): FunctionSite[] {
  const out: FunctionSite[] = [];
  for (const st of sf.getStatements()) {
    if (Node.isFunctionDeclaration(st)) {
      const name = st.getName();
      if (!name || !st.hasBody()) continue;
      out.push(site("declaration", name, sf, st, st));
    } else if (Node.isVariableStatement(st)) {
      for (const d of st.getDeclarations()) {
        const init = d.getInitializer();
        if (!init || !Node.isIdentifier(d.getNameNode())) continue;
        const fn = unwrap(init);
        if (fn && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) out.push(site("variable", d.getName(), sf, st, fn));
      }
    }
  }
  return out;
}

function unwrap(n: Node): Node | undefined {
  let cur: Node | undefined = n;
  while (cur && (Node.isParenthesizedExpression(cur) || Node.isAsExpression(cur) || Node.isSatisfiesExpression(cur))) cur = cur.getExpression();
  return cur;
}

function site(kind: FunctionSite["kind"], name: string, sf: SourceFile, statement: FunctionDeclaration | VariableStatement, fn: FunctionNode): FunctionSite {
  const { line, column } = sf.getLineAndColumnAtPos(statement.getStart());
  const params = fn.getParameters().map((p) => (Node.isIdentifier(p.getNameNode()) ? p.getName() : ""));
  return {
    kind, name, sourceFile: sf, statement, fn, line, column,
    exported: (statement as FunctionDeclaration | VariableStatement).isExported(),
    defaultExport: Node.isFunctionDeclaration(statement) && statement.isDefaultExport(),
    params,
    unsupported: unsupportedReason(fn, statement),
  };
}

/** Constructs kos build cannot optimize however the compiler evolves (it would change the function's kind). */
export function unsupportedReason(fn: FunctionNode, statement: Node): string | null {
  if (fn.isAsync()) return "async functions are not optimized";
  if (!Node.isArrowFunction(fn) && fn.isGenerator()) return "generators are not optimized";
  if (Node.isVariableStatement(statement) && statement.getDeclarationKind() !== "const") return "only `const` bindings can be replaced (a `let`/`var` may be reassigned)";
  if (fn.getParameters().some((p) => !Node.isIdentifier(p.getNameNode()))) return "destructured parameters are not supported";
  if (fn.getParameters().some((p) => p.isRestParameter())) return "rest parameters are not supported";
  if (fn.getDescendantsOfKind(SyntaxKind.ThisKeyword).some((t) => enclosingFunction(t) === fn) && Node.isArrowFunction(fn)) return "`this` in a top-level arrow function";
  return null;
}

function enclosingFunction(n: Node): Node | undefined {
  return n.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a) || Node.isArrowFunction(a) || Node.isMethodDeclaration(a));
}
