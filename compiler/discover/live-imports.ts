/**
 * Whether an ES module import can change. The importing module cannot reassign it, but the
 * binding is live: `import { mode } from "./a.mjs"` reads what a.mjs's `export let mode` holds
 * now, and a.mjs's own `setMode(v) { mode = v; }` changes it for every importer. Folded as a
 * constant, the jitted function kept the value it saw at compile time (sweep23 repro-4). So the
 * exporting module's source is asked too (ScriptAnalysis.exportedWrite), through its
 * re-exports, and an export it reassigns makes the import unstable, named with that line.
 *
 * Where the exporting module cannot be found or read (a bare specifier resolved another way, a
 * loader's virtual module), the import stays fixed, as before: the documented limit.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { ScriptRecord, ScriptRegistry } from "./script-registry.js";
import { ScriptAnalysis } from "./script-analysis.js";

/** Re-exports followed from one import (`export * from`, `export { x } from`): barrels nest a few deep. */
const MAX_HOPS = 6;

/** The URL `specifier` names from a module at `rec`, or null. */
function resolveFrom(rec: ScriptRecord, specifier: string): string | null {
  try {
    if (/^(\.{1,2}\/|\/|file:)/.test(specifier)) return new URL(specifier, rec.url).href;
    if (!rec.url.startsWith("file:")) return null;
    // A package: resolved as `require` would, which picks the "require" condition of an exports
    // map where the importer took "import"; a wrong file gives no verdict (below), not a wrong one.
    return pathToFileURL(createRequire(rec.file).resolve(specifier)).href;
  } catch {
    return null;
  }
}

/** Why an import of `imported` from `source`, made in the module at `rec`, can change; null if it cannot, as far as kos can see. */
export function liveImportWrite(registry: ScriptRegistry, rec: ScriptRecord, source: string, imported: string): string | null {
  // A namespace object is fixed; its properties are read (and guarded) like any object's.
  if (imported === "*") return null;
  const seen = new Set<string>();
  let pending: Array<{ from: ScriptRecord; source: string; name: string }> = [{ from: rec, source, name: imported }];
  for (let hop = 0; hop < MAX_HOPS && pending.length; hop++) {
    const next: typeof pending = [];
    for (const p of pending) {
      const url = resolveFrom(p.from, p.source);
      if (!url || seen.has(`${url}#${p.name}`)) continue;
      seen.add(`${url}#${p.name}`);
      const target = registry.byUrl(url);
      // CommonJS seen through an import: its named exports are copied once, not live.
      if (!target || !target.isModule) continue;
      const analysis = registry.analysis(target, false);
      if (!(analysis instanceof ScriptAnalysis)) continue;
      const said = analysis.exportedWrite(p.name);
      if (!said) continue;
      if ("reassigned" in said) return `\`${imported}\` is a live import: ${said.reassigned}`;
      for (const f of said.from) next.push({ from: target, source: f.source, name: f.name });
    }
    pending = next;
  }
  return null;
}
