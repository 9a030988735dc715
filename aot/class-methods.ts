/**
 * The class methods of a module that `kos build` can rewrite: plain methods
 * (instance and static) of class declarations and class expressions, with a
 * body and a key known at build time. The rewritten method is installed on
 * the live class at the end of the module (build.ts), so the class must be
 * reachable from a module-level binding; that is checked against the live
 * values (probe.ts), not here.
 *
 * Left as written, with the reason: getters, setters and constructors (not
 * sites at all), computed keys, `#private` methods (no property to
 * replace), decorated methods and classes (a decorator may replace either),
 * and what `unsupportedReason` refuses for functions (async, generators,
 * destructured or rest parameters).
 */
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression, type MethodDeclaration, type SourceFile } from "ts-morph";
import { unsupportedReason, type FunctionSite } from "./sites.js";

type ClassNode = ClassDeclaration | ClassExpression;

/** Classes that produce JavaScript, in document order (the order of the classes in the emitted JS). */
export function emittedClasses(sf: SourceFile): ClassNode[] {
  const out: ClassNode[] = [];
  sf.forEachDescendant((n) => {
    if (!Node.isClassDeclaration(n) && !Node.isClassExpression(n)) return;
    if (Node.isClassDeclaration(n) && n.hasDeclareKeyword()) return;
    if (n.getAncestors().some((a) => Node.isModuleDeclaration(a) && a.hasDeclareKeyword())) return;
    out.push(n);
  });
  return out;
}

/** Every class method of `sf` with a body, in source order. */
export function classMethods(sf: SourceFile): FunctionSite[] {
  const out: FunctionSite[] = [];
  emittedClasses(sf).forEach((cls, classIndex) => {
    const className = classNameOf(cls);
    const shadowed = enclosingNames(cls);
    const keys = new Map<string, number>();
    for (const m of cls.getMembers()) {
      const k = memberKey(m);
      if (k !== null) keys.set(k, (keys.get(k) ?? 0) + 1);
    }
    for (const m of cls.getMethods()) {
      if (!m.hasBody()) continue;
      const nameNode = m.getNameNode();
      const key = Node.isIdentifier(nameNode) ? nameNode.getText() : Node.isStringLiteral(nameNode) || Node.isNoSubstitutionTemplateLiteral(nameNode) ? nameNode.getLiteralText() : null;
      const { line, column } = sf.getLineAndColumnAtPos(m.getStart());
      const isStatic = m.isStatic();
      const display = key ?? nameNode.getText();
      out.push({
        kind: "method", name: display, sourceFile: sf, statement: m, fn: m, line, column,
        exported: false, defaultExport: false,
        params: m.getParameters().map((p) => (Node.isIdentifier(p.getNameNode()) ? p.getName() : "")),
        method: { className, key: display, isStatic, classIndex, shadowed, privateUse: privateUse(m) },
        unsupported: methodUnsupported(cls, m, key, keys.get(`${isStatic ? "static " : ""}${key}`) ?? 0),
      });
    }
  });
  return out;
}

/** `Class.prototype.key` or `Class.key`, for reports. */
export function methodDisplayName(site: FunctionSite): string {
  const m = site.method!;
  return `${m.className}${m.isStatic ? "" : ".prototype"}.${m.key}`;
}

function methodUnsupported(cls: ClassNode, m: MethodDeclaration, key: string | null, sameKey: number): string | null {
  if (Node.isPrivateIdentifier(m.getNameNode())) return "private methods (#name) are not rewritten: they are not properties kos build can replace";
  if (key === null) return "computed method keys are not rewritten: the key is not known at build time";
  if (m.getDecorators().length > 0) return "decorated methods are not rewritten (a decorator may replace the method)";
  if (cls.getDecorators().length > 0) return "methods of decorated classes are not rewritten (a decorator may replace the class)";
  if (m.hasModifier(SyntaxKind.AbstractKeyword)) return "abstract methods have no body";
  if (sameKey > 1) return `the class defines \`${key}\` more than once (an accessor or a second method of the same key)`;
  return unsupportedReason(m, m);
}

/**
 * The first private name (`this.#x`, `#x in o`) the method uses: such a
 * method is compiled with the compiler's `privateNames` and its code placed
 * inside the class body, where `#x` resolves (method-install.ts).
 */
function privateUse(m: MethodDeclaration): string | null {
  const p = m.getBody()?.getFirstDescendantByKind(SyntaxKind.PrivateIdentifier);
  return p ? `\`${p.getText()}\` (line ${p.getStartLineNumber()})` : null;
}

/** Key of a class member for duplicate detection (`static k` apart from `k`); null for constructors, index signatures and computed keys. */
function memberKey(m: Node): string | null {
  if (!Node.isMethodDeclaration(m) && !Node.isGetAccessorDeclaration(m) && !Node.isSetAccessorDeclaration(m) && !Node.isPropertyDeclaration(m)) return null;
  const n = m.getNameNode();
  const key = Node.isIdentifier(n) ? n.getText() : Node.isStringLiteral(n) ? n.getLiteralText() : null;
  if (key === null) return null;
  // A getter and its setter share one key; count the pair once against a method of that key.
  const prefix = m.isStatic() ? "static " : "";
  return Node.isSetAccessorDeclaration(m) && m.getGetAccessor() ? `${prefix}${key} (set)` : `${prefix}${key}`;
}

function classNameOf(cls: ClassNode): string {
  const own = cls.getName();
  if (own) return own;
  let holder: Node | undefined = cls.getParent();
  while (holder && (Node.isParenthesizedExpression(holder) || Node.isAsExpression(holder) || Node.isSatisfiesExpression(holder))) holder = holder.getParent();
  if (holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode())) return holder.getName();
  return "(anonymous class)";
}

/**
 * Names declared in the functions and blocks around `cls` (and a class
 * expression's own name): inside the class they hide module-level bindings
 * of the same name, so the compiler must not be given the module's value.
 * Conservative: every declaration anywhere in an enclosing function counts.
 */
function enclosingNames(cls: ClassNode): Set<string> {
  const names = new Set<string>();
  if (Node.isClassExpression(cls) && cls.getName()) names.add(cls.getName()!);
  for (const a of cls.getAncestors()) {
    if (Node.isSourceFile(a)) break;
    const fnLike = Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a) || Node.isArrowFunction(a) || Node.isMethodDeclaration(a) || Node.isConstructorDeclaration(a) || Node.isGetAccessorDeclaration(a) || Node.isSetAccessorDeclaration(a);
    const block = Node.isBlock(a) || Node.isModuleBlock(a) || Node.isCaseBlock(a) || Node.isForStatement(a) || Node.isForOfStatement(a) || Node.isForInStatement(a) || Node.isCatchClause(a);
    if (!fnLike && !block) continue;
    if (fnLike) {
      for (const p of a.getParameters()) for (const id of [p.getNameNode(), ...p.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier)]) if (Node.isIdentifier(id)) names.add(id.getText());
      if ((Node.isFunctionExpression(a) || Node.isFunctionDeclaration(a)) && a.getName()) names.add(a.getName()!);
    }
    for (const d of a.getDescendants()) {
      if (d === cls || d.getAncestors().includes(cls)) continue; // the class's own members' locals hide nothing at the class
      if (Node.isVariableDeclaration(d) || Node.isFunctionDeclaration(d) || Node.isClassDeclaration(d) || Node.isEnumDeclaration(d) || Node.isParameterDeclaration(d) || Node.isBindingElement(d)) {
        const n = d.getNameNode();
        if (n && Node.isIdentifier(n)) names.add(n.getText());
      }
      if (Node.isImportEqualsDeclaration(d) || Node.isModuleDeclaration(d)) names.add(d.getName());
    }
  }
  return names;
}
