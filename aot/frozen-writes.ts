/**
 * Whether the output may freeze what a compile folded. kos build folds a module object's contents
 * into the optimized code and freezes the object in its output (compile-job.ts, policy `deep`), so
 * that a later write cannot leave the code computing from old values. A write the project itself
 * makes would then fail where the program as written succeeds: `export function addRule(r) {
 * RULES.push(r); }` beside `@kos.specialize rules=RULES` threw "Cannot add property 3, object is
 * not extensible" in the output, and printed a different count in tsc's. So every reference to a
 * frozen object's module binding, in every file of the project, must be one that can neither write
 * it nor hand it (or an object inside it) to code that might:
 * - a read whose value is a primitive (`RULES[0].value > x`, `RULES.length`), by the checker's type;
 * - an argument of the optimized function itself, or a value of a `jit()` call site's `specialize`;
 * - a comparison, `typeof`, `in` or `instanceof`;
 * - a call of a method that only reads and returns a primitive (`RULES.indexOf(x)`), or of a
 *   built-in that does (`Array.isArray`, `Object.keys`, `JSON.stringify`).
 * Anything else (an assignment, `++`, `delete`, a mutating method, a value kept in a variable,
 * handed to another function, returned or put in a literal) leaves the function as written, with
 * the reference named. Code outside the project (a package's consumer writing an exported object)
 * cannot be seen; the README says so.
 */
import { Node, SyntaxKind, type SourceFile } from "ts-morph";

/** Methods that only read their receiver and return a primitive. */
const READ_ONLY_METHODS = new Set(["indexOf", "lastIndexOf", "includes", "join", "toString", "toLocaleString", "hasOwnProperty", "propertyIsEnumerable", "has", "startsWith", "endsWith", "charAt", "charCodeAt", "codePointAt", "toFixed"]);
/** Built-ins that only read their argument and return a primitive or a fresh value of primitives. */
const READ_ONLY_CALLS = new Set(["Array.isArray", "Object.keys", "Object.isFrozen", "Object.isSealed", "Object.isExtensible", "JSON.stringify", "String", "Number", "Boolean"]);
const COMPARISONS = new Set([
  SyntaxKind.EqualsEqualsEqualsToken, SyntaxKind.ExclamationEqualsEqualsToken, SyntaxKind.EqualsEqualsToken, SyntaxKind.ExclamationEqualsToken,
  SyntaxKind.InKeyword, SyntaxKind.InstanceOfKeyword,
]);

/** Strips parentheses, `!`, `as` and `satisfies` around `n`, upwards: the node whose parent uses the value. */
function outermost(n: Node): Node {
  let cur = n;
  for (let p = cur.getParent(); p && (Node.isParenthesizedExpression(p) || Node.isNonNullExpression(p) || Node.isAsExpression(p) || Node.isSatisfiesExpression(p) || Node.isTypeAssertion(p)); p = cur.getParent()) cur = p;
  return cur;
}

/** Why `ref`, a reference to a frozen object's binding, may write it or let it escape; null when it only reads. */
function unsafeUse(ref: Node, optimized: ReadonlySet<string>): string | null {
  // The member chain rooted at the reference: `RULES[0].value`.
  let top = outermost(ref);
  for (let p = top.getParent(); p && (Node.isPropertyAccessExpression(p) || Node.isElementAccessExpression(p)) && p.getExpression() === top; p = top.getParent()) top = outermost(p);
  const parent = top.getParent();
  if (!parent) return null;
  if (Node.isBinaryExpression(parent)) {
    const op = parent.getOperatorToken().getKind();
    if (parent.getLeft() === top && op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment) return "is written";
    if (COMPARISONS.has(op)) return null;
  }
  if ((Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) && (parent.getOperatorToken() === SyntaxKind.PlusPlusToken || parent.getOperatorToken() === SyntaxKind.MinusMinusToken)) return "is written";
  if (Node.isDeleteExpression(parent)) return "is written";
  if (Node.isTypeOfExpression(parent)) return null;
  if (Node.isCallExpression(parent)) {
    if (parent.getExpression() === top) {
      // A method of the object (or of an object inside it): `RULES.push(r)`, `RULES.indexOf(x)`.
      const name = Node.isPropertyAccessExpression(top) ? top.getName() : null;
      return name !== null && READ_ONLY_METHODS.has(name) && top !== ref ? null : `has its method ${name ?? "(computed)"} called`;
    }
    const calleeNode = parent.getExpression();
    const callee = calleeNode.getText();
    // The optimized function, by name or as a method (`v.dot(…)` of a method `dot`).
    // …or a method that only compares its arguments (`list.indexOf(RULES[0])`).
    if (optimized.has(callee) || (Node.isPropertyAccessExpression(calleeNode) && (optimized.has(calleeNode.getName()) || READ_ONLY_METHODS.has(calleeNode.getName()))) || READ_ONLY_CALLS.has(callee)) return null;
    return `is handed to ${callee}()`;
  }
  // `{ specialize: { rules: RULES } }` in a `jit()` call site: the specialization itself.
  if (Node.isPropertyAssignment(parent) || Node.isShorthandPropertyAssignment(parent)) {
    const literal = parent.getParent();
    const holder = literal?.getParent();
    if (holder && Node.isPropertyAssignment(holder) && holder.getName() === "specialize") return null;
  }
  // A read whose value is a primitive cannot write anything.
  const type = top.getType();
  if (top !== ref && (type.isString() || type.isNumber() || type.isBoolean() || type.isLiteral() || type.isBigInt() || type.isUndefined() || type.isNull())) return null;
  return "escapes (kept, returned or handed on)";
}

/**
 * Why the output may not freeze the objects `frozen` names (expressions such as `RULES[0]`, rooted
 * at bindings of module `sf`), naming the first reference that may write one; null when none may.
 * `optimized`: the names under which the optimized function is called.
 */
export function frozenWriteReason(frozen: readonly string[], sf: SourceFile, optimized: ReadonlySet<string>): string | null {
  const roots = new Set(frozen.map((f) => /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_]*/u.exec(f)?.[0]).filter((x): x is string => !!x));
  for (const root of roots) {
    const decl = sf.getVariableDeclaration(root);
    const name = decl?.getNameNode();
    if (!name || !Node.isIdentifier(name)) continue;
    for (const ref of name.findReferencesAsNodes()) {
      if (ref === name) continue;
      const p = ref.getParent();
      if (p && (Node.isImportSpecifier(p) || Node.isExportSpecifier(p) || Node.isImportClause(p) || Node.isNamespaceImport(p))) continue;
      const why = unsafeUse(ref, optimized);
      if (why === null) continue;
      const file = ref.getSourceFile();
      const line = ref.getStartLineNumber();
      const text = (file.getFullText().split("\n")[line - 1] ?? "").trim().slice(0, 80);
      return `${root} ${why} at ${file.getBaseName()}:${line} (\`${text}\`), and kos build freezes what it folds: the output would fail where the program writes it (runtime jit guards it instead)`;
    }
  }
  return null;
}
