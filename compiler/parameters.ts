/** Parameter names of a function, for naming its inputs (tiering, bound arguments). */
import { parseFunction } from "./parse.js";

/**
 * The key each parameter is specialized by: its simple name, its position as a string for a
 * destructured one (`{ strict } = {}` at position 2 is "2", as `specialize: { 2: … }` names it),
 * null for a rest element; or null if the source cannot be parsed.
 */
export function parameterNames(fn: Function): Array<string | null> | null {
  try {
    const parsed = parseFunction(fn);
    return parsed.node.params.map((p: { type: string; name?: string; left?: { type: string; name?: string }; argument?: { name?: string } }, i: number) =>
      p.type === "Identifier" ? p.name! : p.type === "AssignmentPattern" && p.left?.type === "Identifier" ? p.left.name! : p.type === "RestElement" ? null : String(i),
    );
  } catch {
    return null;
  }
}
