/**
 * Whether a residual runs straight through: no loop, and no call but kos's own (its helpers, the
 * miss path's call of the original). Such a version under the gain check's size takes a few tens
 * of ns at most (the fixtures' horner 3 ns, matmul4 27 ns), far too short for the clock to tell it
 * from the original, and nothing is put in front of it. A version with a loop or a call can take
 * microseconds (slugify on its options: 12 µs a call, and no faster than the library), and is timed
 * at its entry (compiler/entry-gain-check.ts).
 */
import { walk, type Node } from "./ast.js";

const LOOPS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement"]);

/** True when `nodes` hold no loop and call nothing but what `isOwnCall` accepts (a call or `new` node). */
export function runsStraightThrough(nodes: Node[], isOwnCall: (call: Node) => boolean): boolean {
  let straight = true;
  for (const node of nodes) {
    if (!straight) break;
    walk(node, (n) => {
      if (!straight) return false;
      if (LOOPS.has(n.type) || n.type === "TaggedTemplateExpression") straight = false;
      else if ((n.type === "CallExpression" || n.type === "NewExpression") && !isOwnCall(n)) straight = false;
    });
  }
  return straight;
}
