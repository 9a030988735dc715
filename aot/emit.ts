/**
 * Emits the project with ts-morph (the same JS, `.d.ts` and source maps tsc
 * would write), per source file, into memory. kos build then edits only the
 * JS of modules it optimizes, and only by appending or by same-length
 * replacement, so the `.d.ts` files are untouched and every existing source
 * map entry still points at the right place in the original TypeScript.
 */
import type { SourceFile } from "ts-morph";
import type { LoadedProject } from "./project.js";

export interface EmittedFile {
  /** Absolute path under the project's outDir. */
  path: string;
  text: string;
}

export interface ModuleOutput {
  sourceFile: SourceFile;
  /** The module's JS output, or null when it emits none. */
  js: EmittedFile | null;
  /** .d.ts, maps and anything else, kept byte for byte. */
  others: EmittedFile[];
}

/** Emits every source file of the project. */
export function emitProject(p: LoadedProject): ModuleOutput[] {
  return p.sourceFiles.map((sf) => {
    const out = sf.getEmitOutput();
    let js: EmittedFile | null = null;
    const others: EmittedFile[] = [];
    for (const f of out.getOutputFiles()) {
      const file = { path: f.getFilePath(), text: f.getText() };
      if (/\.(c|m)?js$/.test(file.path) && js === null) js = file;
      else others.push(file);
    }
    return { sourceFile: sf, js, others };
  });
}

/** Inserts `trailer` before a trailing `//# sourceMappingURL=` line, so the map link stays last. */
export function appendBeforeSourceMapComment(js: string, trailer: string): string {
  const m = /\n\/\/# sourceMappingURL=[^\n]*\n?$/.exec(js);
  if (!m) return js.endsWith("\n") ? js + trailer : `${js}\n${trailer}`;
  return js.slice(0, m.index + 1) + trailer + js.slice(m.index + 1);
}
