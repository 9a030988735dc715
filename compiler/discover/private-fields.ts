/**
 * What a class's own source says about one private field (`#x`): whether the
 * field can change once an instance is built. Generated code outside the class
 * cannot read `#x` again behind a guard, so a field folds only when the class
 * body that declares it writes it nowhere but in its constructor's own
 * activation (not in a method, a static block, or a function made in the
 * constructor that could run later). The object must also be built: the
 * constructor must not be on the stack when the value is read
 * (`settles`, checked by the caller with the stack's positions).
 *
 * `#x` resolves to the innermost enclosing class that declares it; a nested
 * class declaring its own `#x` is a different field and is skipped.
 */
import * as walk from "acorn-walk";
import type { Node } from "../ast.js";

export interface PrivateFieldFacts {
  /** What `#x` is in the class that declares it, or "undeclared" when no enclosing class does. */
  member: "field" | "static field" | "method" | "accessor" | "undeclared";
  stable: boolean;
  /** Why it is not stable, with where the first write is. */
  reason?: string;
  /** The constructor's source range: the field is fixed once this activation has returned. */
  settles?: { start: number; end: number; top: false };
}

const isFunctionNode = (n: Node): boolean => n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

/** How `#name` is declared in this class body, if it is. */
function declaration(body: Node, name: string): PrivateFieldFacts["member"] | null {
  for (const m of body.body as Node[]) {
    if (m.key?.type !== "PrivateIdentifier" || m.key.name !== name) continue;
    if (m.type === "PropertyDefinition") return m.static ? "static field" : "field";
    if (m.type === "MethodDefinition") return m.kind === "get" || m.kind === "set" ? "accessor" : "method";
  }
  return null;
}

/** Is `n` (a private member) written by its parent: an assignment, an update, a pattern or a for-in/of target? */
function isWriteTarget(n: Node, ancestors: Node[]): boolean {
  const parent = ancestors[ancestors.length - 2];
  if (!parent) return false;
  if (parent.type === "AssignmentExpression") return parent.left === n;
  if (parent.type === "UpdateExpression") return true;
  if (parent.type === "ForInStatement" || parent.type === "ForOfStatement") return parent.left === n;
  if (parent.type === "ArrayPattern" || parent.type === "RestElement") return true;
  // acorn-walk visits an object pattern's property values and rest argument without their Property
  // or RestElement node (sweep40: `({ v: this.#x } = o)` read as no write). A computed key is
  // visited so too, and counts as a write here: a verdict of "can change" only costs a fold.
  if (parent.type === "ObjectPattern") return true;
  if (parent.type === "AssignmentPattern") return parent.left === n;
  if (parent.type === "Property") return ancestors[ancestors.length - 3]?.type === "ObjectPattern" && parent.value === n;
  return false;
}

/**
 * The verdict on `#name` as the function `fnNode` of the script `ast` names it. `where(offset)`
 * gives "file:line" for reasons.
 */
export function privateFieldFacts(ast: Node, fnNode: Node, name: string, where: (offset: number) => string): PrivateFieldFacts {
  // The class bodies around the function, innermost first.
  const around: Node[] = [];
  walk.full(ast, (n: Node) => {
    if (n.type === "ClassBody" && n.start <= fnNode.start && fnNode.end <= n.end) around.push(n);
  });
  around.sort((a, b) => b.start - a.start);
  let body: Node | null = null;
  let member: PrivateFieldFacts["member"] | null = null;
  for (const b of around) {
    member = declaration(b, name);
    if (member) {
      body = b;
      break;
    }
  }
  if (!body || !member) return { member: "undeclared", stable: false, reason: `no class around the function declares #${name}` };
  if (member === "accessor") return { member, stable: false, reason: `#${name} is a private accessor: reading it runs code` };
  if (member === "method") return { member, stable: false, reason: `#${name} is a private method, which the inspector does not list` };
  const ctorMethod = (body.body as Node[]).find((m) => m.type === "MethodDefinition" && m.kind === "constructor");
  const ctor: Node | null = member === "field" ? ctorMethod?.value ?? null : null;
  let firstBad: Node | null = null;
  walk.fullAncestor(body, (n: Node, _state: unknown, ancestors: Node[]) => {
    if (firstBad || n.type !== "MemberExpression" || n.property.type !== "PrivateIdentifier" || n.property.name !== name) return;
    // A nested class that declares its own #name: a different field.
    if (ancestors.some((a) => a !== body && a.type === "ClassBody" && declaration(a, name))) return;
    if (!isWriteTarget(n, ancestors)) return;
    let inner: Node | null = null;
    for (const a of ancestors) if (a !== n && isFunctionNode(a)) inner = a;
    // In the constructor's own activation, and of the instance being built (`other.#x = …` there
    // would change an instance built before).
    if (!ctor || inner !== ctor || n.object.type !== "ThisExpression") firstBad = n;
  });
  if (firstBad) {
    const at = where((firstBad as Node).start);
    const place = ctor ? "outside its constructor" : member === "static field" ? "after the class is defined" : "in a method";
    return { member, stable: false, reason: `#${name} is written ${place} (at ${at})` };
  }
  return ctor ? { member, stable: true, settles: { start: ctor.start, end: ctor.end, top: false } } : { member, stable: true };
}
