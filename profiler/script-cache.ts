/**
 * The functions `kos profile` finds in a script (function-source.ts), kept
 * on disk by the script's content, so that the next profile of the same code
 * does not parse it again. The analysis parses every script that holds hot
 * code, to attribute the ticks of inlined functions and to hash hot ones, and
 * acorn is cold in the `kos` process: json-logic-js, mustache and sift (75 KB)
 * took 35-49 ms of a 0.54 s `kos profile` of bench/programs/rules.ts. A
 * program's dependencies change far less often than it is profiled.
 *
 * Directory: `KOS_CACHE_DIR`, else `<cwd>/node_modules/.cache/kos` (as the
 * compile cache, compiler/cache.ts), under `scripts/`. A directory that
 * cannot be read or written only means parsing again.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parsedScriptFunctions, seedScriptFunctions, type SourceFunction } from "./function-source.js";

// Part of every key: a kos whose function-source.ts reads scripts differently must not use what an
// older one wrote. Bump it with any change to SourceFunction or to how it is found.
const FORMAT = "script-functions-1";

interface Entry {
  format: string;
  functions: SourceFunction[];
}

export class ScriptFunctionCache {
  private readonly dir: string;
  /** Sources seen this run that the cache did not have: written by persist() if they were parsed. */
  private readonly missed = new Map<string, string>();

  constructor(dir: string = process.env.KOS_CACHE_DIR ?? join(process.cwd(), "node_modules", ".cache", "kos")) {
    this.dir = join(resolve(dir), "scripts");
  }

  private keyOf(source: string): string {
    return createHash("sha256").update(FORMAT).update("\0").update(source).digest("hex");
  }

  /** Installs the cached functions of `source` for function-source.ts, if the cache has them. */
  prime(source: string): void {
    if (parsedScriptFunctions(source) !== undefined || this.missed.has(source)) return;
    const key = this.keyOf(source);
    try {
      const entry = JSON.parse(readFileSync(join(this.dir, `${key}.json`), "utf8")) as Entry;
      if (entry.format === FORMAT && Array.isArray(entry.functions)) {
        seedScriptFunctions(source, entry.functions);
        return;
      }
    } catch {
      /* not cached, or unreadable: parsed when needed */
    }
    this.missed.set(source, key);
  }

  /** Writes the functions of every missed source that the analysis parsed. */
  persist(): void {
    for (const [source, key] of this.missed) {
      const parsed = parsedScriptFunctions(source);
      if (!parsed) continue;
      try {
        mkdirSync(this.dir, { recursive: true });
        // Written whole, then renamed: a concurrent `kos profile` never reads half a file.
        const tmp = join(this.dir, `${key}.${process.pid}.tmp`);
        writeFileSync(tmp, JSON.stringify({ format: FORMAT, functions: parsed.functions } satisfies Entry));
        renameSync(tmp, join(this.dir, `${key}.json`));
      } catch {
        return; // a read-only directory: the next run parses again
      }
    }
    this.missed.clear();
  }
}
