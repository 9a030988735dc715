/**
 * `specialize: { schema }` for a function whose signature is `Check(...args)`:
 * TypeScript overloads compile to a rest parameter, and the name a user takes
 * from the docs is the one the function hands its argument on under
 * (`Visit(args[0], args[1], args[2])`, where Visit's first parameter is
 * `schema`). Such a name means that rest position, for the argument count
 * the function is called with (compiler/index.ts compiles at the first call).
 */
import { walk, type Node } from "./ast.js";
import { functionNodeOrNull } from "./parse.js";
import { readClosure } from "./discover/closure.js";
import { parameterNames } from "./parameters.js";
import type { JitOptions } from "./types.js";

const intrinsicToString = Function.prototype.toString;


/**
 * `options.specialize` with each name that is no parameter but is what every forwarding call
 * passes a rest item as, replaced by that item's argument position; null when no name maps
 * (then the names are checked, and reported, as usual). Only for functions that use the rest
 * array by `args.length` and `args[k]` reads alone, and without `argumentCount`.
 */
export function restPositionsForNames(fn: Function, options: JitOptions): Record<string, unknown> | null {
  const specialize = options.specialize;
  if (!specialize || options.argumentCount !== undefined) return null;
  // Cheap tests first: this runs for every explicit jit(), and most have neither a rest parameter
  // nor a name to map.
  if (!Object.keys(specialize).some((k) => k !== "this" && !/^\d+$/.test(k))) return null;
  if (!intrinsicToString.call(fn).includes("...")) return null;
  const node = functionNodeOrNull(fn);
  if (!node) return null;
  const params = node.params as Node[];
  const restAt = params.findIndex((p) => p.type === "RestElement" && p.argument.type === "Identifier");
  if (restAt < 0) return null;
  const names = parameterNames(fn) ?? [];
  const out: Record<string, unknown> = {};
  let mapped = false;
  for (const [key, value] of Object.entries(specialize)) {
    const at = key === "this" || names.includes(key) || /^\d+$/.test(key) ? null : forwardedPosition(fn, node, params[restAt]!.argument.name, key);
    if (at === null) out[key] = value;
    else {
      out[String(restAt + at)] = value;
      mapped = true;
    }
  }
  return mapped ? out : null;
}

/** The rest index every call in `fnNode` passes to a parameter named `name`, or null. */
function forwardedPosition(fn: Function, fnNode: Node, restName: string, name: string): number | null {
  let plainReads = true;
  const positions = new Set<number>();
  const itemIndex = (e: Node): number | null =>
    e && e.type === "MemberExpression" && e.computed && e.object.type === "Identifier" && e.object.name === restName && e.property.type === "Literal" && Number.isInteger(e.property.value) && e.property.value >= 0 ? e.property.value : null;
  walk(fnNode.body, (n, parent) => {
    if (!plainReads) return false;
    if (n.type === "Identifier" && n.name === restName && parent) {
      const read = parent.type === "MemberExpression" && parent.object === n && (parent.computed ? itemIndex(parent) !== null : parent.property.name === "length");
      if (!read) plainReads = false;
    }
    const target = n.type === "AssignmentExpression" ? n.left : n.type === "UpdateExpression" || (n.type === "UnaryExpression" && n.operator === "delete") ? n.argument : null;
    if (target && target.type === "MemberExpression" && target.object.type === "Identifier" && target.object.name === restName) plainReads = false;
    if (n.type !== "CallExpression" || n.callee.type !== "Identifier") return;
    const args = n.arguments as Node[];
    for (let j = 0; j < args.length; j++) {
      const i = itemIndex(args[j]);
      if (i === null) continue;
      const closure = readClosure(fn);
      const callee = closure.ok ? closure.bindings.get(n.callee.name) : undefined;
      if (!callee || !callee.stable || typeof callee.value !== "function") continue;
      if (parameterNames(callee.value as Function)?.[j] === name) positions.add(i);
    }
    return;
  });
  return plainReads && positions.size === 1 ? [...positions][0]! : null;
}
