/**
 * `specialize` keys that name an argument past the named parameters: a position inside a rest
 * parameter (`Check(...args)` specialized as `{ 0: schema }`), or, in a function that only reads
 * its `arguments` (compiler/arguments-reads.ts), a position past the formals or the name a
 * compiler's lowering declares from it. Babel compiles `function render(tpl = {}, data)` to
 * `function render() { var tpl = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : {}; … }`,
 * and the user's `jit(render, { specialize: { tpl } })` means position 0. Such a version is for
 * one argument count, which compiler/index.ts takes from the first call.
 */
import { functionNodeOrNull } from "./parse.js";
import { parameterNames } from "./parameters.js";
import { argumentsOnlyRead, loweredParameterPosition } from "./arguments-reads.js";
import type { JitOptions } from "./types.js";
import type { Node } from "./ast.js";

const intrinsicToString = Function.prototype.toString;
const POSITION = /^(0|[1-9]\d*)$/;

/**
 * `options.specialize` with lowered parameters' names replaced by their positions, when some key
 * needs the argument count and `argumentCount` is not given; null otherwise (the keys are then
 * checked, and reported, as usual).
 */
export function positionsNeedingCount(fn: Function, options: JitOptions): Record<string, unknown> | null {
  const specialize = options.specialize;
  if (!specialize || options.argumentCount !== undefined) return null;
  // Cheap tests first: this runs for every explicit jit().
  const keys = Object.keys(specialize).filter((k) => k !== "this");
  if (!keys.length) return null;
  const text = intrinsicToString.call(fn);
  if (!text.includes("arguments") && !text.includes("...")) return null;
  const names = parameterNames(fn);
  if (!names || keys.every((k) => names.includes(k))) return null;
  const node = functionNodeOrNull(fn);
  if (!node) return null;
  const params = node.params as Node[];
  const restAt = params.findIndex((p) => p.type === "RestElement");
  const readsArguments = restAt < 0 && node.type !== "ArrowFunctionExpression" && text.includes("arguments") && argumentsOnlyRead(node, false);
  const past = restAt >= 0 ? restAt : readsArguments ? params.length : Infinity;
  const out: Record<string, unknown> = {};
  let needsCount = false;
  for (const [key, value] of Object.entries(specialize)) {
    if (key === "this" || names.includes(key)) out[key] = value;
    else if (POSITION.test(key)) {
      out[key] = value;
      if (Number(key) >= past) needsCount = true;
    } else {
      const at = readsArguments ? loweredParameterPosition(node, key) : null;
      if (at === null || String(at) in out || Object.prototype.hasOwnProperty.call(specialize, String(at))) out[key] = value;
      else {
        out[String(at)] = value;
        if (at >= past) needsCount = true;
      }
    }
  }
  return needsCount ? out : null;
}
