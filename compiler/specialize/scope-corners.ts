/**
 * Two places where JavaScript gives one name two bindings that kos's
 * evaluator would merge into one (found by round 13's language probes):
 *
 * - `catch (e) { var e = 2; }`: the `var` is the function's, but its
 *   initialiser assigns the catch parameter (Annex B.3.5), so `e` after the
 *   `catch` is still undefined.
 * - Parameters with default values get a scope of their own: a closure in a
 *   default reads the parameter, not the body's `var` of the same name
 *   (`(a = 1, g = () => a) => { var a = 5; return g(); }` gives 1), and a
 *   default cannot see the body's declarations (`(a = h()) => { function h() {} }`
 *   throws ReferenceError unless an outer `h` exists).
 *
 * Such a function is called as it is, with the construct and its line as the reason.
 */
import { walk, isReferenceIdentifier, type Node } from "../ast.js";
import { JitError } from "../jit-error.js";

const isFunction = (n: Node) => n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression";
const lineOf = (n: Node): number | null => n.loc?.start.line ?? null;

/** Names a binding pattern declares. */
function boundNames(p: Node | null | undefined, out: Set<string>): void {
  if (!p) return;
  if (p.type === "Identifier") out.add(p.name);
  else if (p.type === "ObjectPattern") for (const q of p.properties) boundNames(q.type === "RestElement" ? q.argument : q.value, out);
  else if (p.type === "ArrayPattern") for (const q of p.elements) boundNames(q, out);
  else if (p.type === "RestElement") boundNames(p.argument, out);
  else if (p.type === "AssignmentPattern") boundNames(p.left, out);
}

/** `var` declarations in `body` outside nested functions: each declarator's id node. */
function varDeclarators(body: Node, visit: (id: Node) => void): void {
  walk(body, (n) => {
    if (n !== body && isFunction(n)) return false;
    if (n.type === "VariableDeclaration" && n.kind === "var") for (const d of n.declarations) visit(d.id);
    return;
  });
}

/** The body's own declarations, as a default parameter must not see them: `var`s, functions, and top-level `let`/`const`/`class`. */
function bodyNames(fnNode: Node): Set<string> {
  const out = new Set<string>();
  if (fnNode.body.type !== "BlockStatement") return out;
  varDeclarators(fnNode.body, (id) => boundNames(id, out));
  for (const st of fnNode.body.body as Node[]) {
    if (st.type === "VariableDeclaration") for (const d of st.declarations) boundNames(d.id, out);
    else if ((st.type === "FunctionDeclaration" || st.type === "ClassDeclaration") && st.id) out.add(st.id.name);
  }
  // Functions declared in blocks are `var`s of the function in sloppy code (Annex B.3.3).
  walk(fnNode.body, (n) => {
    if (n !== fnNode.body && isFunction(n)) {
      if (n.type === "FunctionDeclaration" && n.id) out.add(n.id.name);
      return false;
    }
    return;
  });
  return out;
}

/** The first such corner in `fnNode` itself (not in functions nested in it), or null. */
export function scopeCorner(fnNode: Node): JitError | null {
  let found: JitError | null = null;
  // `catch (e) { … var e … }`
  walk(fnNode.body, (n) => {
    if (found) return false;
    if (n !== fnNode.body && isFunction(n)) return false;
    if (n.type === "CatchClause" && n.param) {
      const params = new Set<string>();
      boundNames(n.param, params);
      varDeclarators(n.body, (id) => {
        const names = new Set<string>();
        boundNames(id, names);
        for (const name of names) {
          if (!found && params.has(name)) found = new JitError("UNSUPPORTED", `\`var ${name}\` inside \`catch (${name})\`: its initialiser assigns the catch parameter, not the function's \`${name}\` (Annex B)`, lineOf(id));
        }
      });
    }
    return;
  });
  if (found) return found;
  // Parameters with expressions: their scope is not the body's.
  const params = fnNode.params as Node[];
  if (!params.some((p) => p.type !== "Identifier")) return null;
  const declared = bodyNames(fnNode);
  if (declared.size === 0) return null;
  const paramNames = new Set<string>();
  for (const p of params) boundNames(p, paramNames);
  for (const p of params) {
    walk(p, (n, parent) => {
      if (found) return false;
      if (isFunction(n)) {
        // A closure in a default reads the parameter; the body may have a `var` of its name.
        walk(n, (m, mp) => {
          if (!found && m.type === "Identifier" && paramNames.has(m.name) && declared.has(m.name) && isReferenceIdentifier(m, mp)) {
            found = new JitError("UNSUPPORTED", `a closure in a default parameter reads the parameter '${m.name}', which the body declares again: they are two bindings`, lineOf(m));
          }
        });
        return false;
      }
      if (n.type === "Identifier" && !paramNames.has(n.name) && declared.has(n.name) && isReferenceIdentifier(n, parent)) {
        found = new JitError("UNSUPPORTED", `a default parameter reads '${n.name}', which the body declares: defaults cannot see the body's declarations`, lineOf(n));
      }
      return;
    });
    if (found) return found;
  }
  return null;
}
