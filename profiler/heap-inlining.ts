/**
 * Allocation sites when V8 inlined the allocating function.
 *
 * What we found (Node 20, V8 11.3): the sampling heap profiler walks the
 * physical stack and names each optimized frame by its outermost function.
 * A function inlined into its caller disappears: in a test where `makeNode`
 * (which allocates) was inlined into `tick`, 100% of the sampled bytes went
 * to `tick`, and the profile's nodes carry only the function's start
 * (callFrame line/column) and no allocation position, so the profile alone
 * cannot tell which inlined callee allocated. (`--no-turbo-inlining` would
 * restore the frames at the price of changing the program's speed.)
 *
 * What kos does: for each site it reads the site's script, finds the
 * functions the site's function calls by name that are defined in the same
 * script and allocate (object, array or template literals, `new`, spread,
 * allocating array and string methods), and reports them as
 * `inlinedCandidates` with their lines: the places to look when a hot
 * caller is blamed for memory it does not allocate itself. It is a source
 * analysis, not a measurement, and says so.
 */
import { functionAt, scriptFunctions } from "./function-source.js";
import { readSourceFromDisk, type SourceReader } from "./hot.js";

export interface InlinedCandidate {
  functionName: string;
  /** 1-based line of the candidate's definition. */
  line: number;
}

const ALLOCATES = /\bnew\s+[A-Za-z_$]|[=(,:?]\s*[[{]|\breturn\s*[[{]|\.\.\.|`|\.(map|filter|slice|concat|split|fill|from|keys|values|entries|join|padStart|padEnd|repeat)\s*\(|\bArray\s*\(/;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Functions called by name from the function at (line, column) of `url`
 * (1-based) that are defined in the same script and contain allocating
 * syntax. Empty when the source cannot be read or parsed.
 */
export function inlinedCandidates(url: string, line: number, column: number, sourceOf: SourceReader = readSourceFromDisk): InlinedCandidate[] {
  if (!url || line < 1) return [];
  const source = sourceOf(url);
  const script = source === undefined ? undefined : scriptFunctions(source);
  if (!script) return [];
  const me = functionAt(script, line - 1, Math.max(0, column - 1));
  if (!me) return [];
  const body = script.source.slice(me.bodyStart, me.textEnd);
  const out: InlinedCandidate[] = [];
  const seen = new Set<string>();
  for (const f of script.functions) {
    if (f === me || !f.name || !/^[A-Za-z_$][\w$]*$/.test(f.name) || seen.has(f.name)) continue;
    if (!new RegExp(`(^|[^\\w$.])${escapeRe(f.name)}\\s*\\(`).test(body)) continue;
    const text = script.source.slice(f.bodyStart, f.textEnd);
    if (!ALLOCATES.test(text)) continue;
    seen.add(f.name);
    out.push({ functionName: f.name, line: f.startLine });
  }
  return out;
}
