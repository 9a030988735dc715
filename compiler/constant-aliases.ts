/**
 * Names the residual binds only to one constant.
 *
 * source-names.ts reads a failing call's receiver under the source's name
 * through a block binding, `{ let tbl = <the module's tbl>; r = tbl.ops.add(2, 3); }`,
 * so that V8's message says "tbl.ops.add is not a function". Elsewhere in the
 * same output, a call kos had to keep inline (`log.push(tbl.ops.add(2, 3), x)`,
 * its callee read first) reads the constant with its `sourceName`, and the
 * assembler prints it as `tbl` when no identifier of the output takes that
 * name. The block's own `let tbl` took it, so those printed "$k_ref_1.ops.add"
 * (fuzz seeds 5140 and 5142). Where every binding of a name in the output is
 * such a block alias of one constant, every read of the name, inside a block
 * or not, reads that constant: the name can also be the constant's parameter.
 */
import { forEachPatternName, walk, type Node } from "./ast.js";

/** A binding of this name holds something else (a parameter, a local, another constant). */
const CONFLICT: unique symbol = Symbol("conflict");

/**
 * Name → constant for the names whose every binding in `roots` is a `let`/`const`
 * declarator initialized with that one constant (a KosConst of the same value). A name
 * the global object has is left out: a read of it outside the blocks may mean the global.
 */
export function constantBlockAliases(roots: Node[]): Map<string, unknown> {
  const seen = new Map<string, unknown>();
  const bind = (name: string, value: unknown) => {
    const prev = seen.has(name) ? seen.get(name) : value;
    seen.set(name, prev === value ? value : CONFLICT);
  };
  const conflict = (name: string) => void seen.set(name, CONFLICT);
  for (const root of roots) {
    walk(root, (n) => {
      if (n.type === "KosConst") return false;
      if (n.type === "VariableDeclaration") {
        // (A `var` is the function's binding from its start, `undefined` before its statement runs.)
        for (const d of n.declarations as Node[]) {
          if (n.kind !== "var" && d.id.type === "Identifier" && d.init?.type === "KosConst") bind(d.id.name as string, d.init.value);
          else forEachPatternName(d.id, conflict);
        }
      } else if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") {
        if (n.id) conflict(n.id.name as string);
        for (const p of n.params as Node[]) forEachPatternName(p, conflict);
      } else if ((n.type === "ClassDeclaration" || n.type === "ClassExpression") && n.id) conflict(n.id.name as string);
      else if (n.type === "CatchClause") forEachPatternName(n.param, conflict);
      return;
    });
  }
  const out = new Map<string, unknown>();
  for (const [name, value] of seen) if (value !== CONFLICT && !(name in globalThis)) out.set(name, value);
  return out;
}
