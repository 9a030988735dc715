/** Parameter names of a function, for naming its inputs (tiering, bound arguments). */
import { parseFunction } from "./parse.js";

/** The simple name of each parameter (null for a pattern or a rest element), or null if the source cannot be parsed. */
export function parameterNames(fn: Function): Array<string | null> | null {
  try {
    const parsed = parseFunction(fn);
    return parsed.node.params.map((p: { type: string; name?: string; left?: { type: string; name?: string }; argument?: { name?: string } }) =>
      p.type === "Identifier" ? p.name! : p.type === "AssignmentPattern" && p.left?.type === "Identifier" ? p.left.name! : null,
    );
  } catch {
    return null;
  }
}
