/**
 * Loads a TypeScript project with ts-morph and rejects it early, with a
 * file:line, when it cannot be built: a missing or invalid tsconfig, or a
 * syntax error. Type errors are checked by the caller (build.ts, with
 * diagnostics.ts), after this load, because what they stop depends on the
 * project's `noEmitOnError`, which is recorded here before it is overridden.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Project, ts, type SourceFile } from "ts-morph";
import { BuildError } from "./errors.js";

export interface LoadedProject {
  project: Project;
  /** Absolute path of the tsconfig. */
  tsconfigPath: string;
  /** Directory of the tsconfig: report paths are relative to it. */
  rootDir: string;
  /** Absolute output directory the JS is emitted for. */
  outDir: string;
  /** True when the emitted JS is ES modules (import/export), false for CommonJS. */
  esm: boolean;
  /** The project's own TS sources (no .d.ts, nothing from node_modules), sorted by path. */
  sourceFiles: SourceFile[];
  /** The tsconfig's `noEmitOnError`: with type errors, write nothing (else write tsc's plain output). */
  noEmitOnError: boolean;
}

/** Formats a path for messages: relative to the project when inside it. */
export function displayPath(rootDir: string, file: string): string {
  const rel = relative(rootDir, file);
  return rel.startsWith("..") ? file : rel;
}

/**
 * Opens the project at `tsconfig` (a file, or a directory holding tsconfig.json).
 * `outDir` overrides the tsconfig's `outDir`.
 */
export function loadProject(tsconfig: string, outDir?: string): LoadedProject {
  let tsconfigPath = resolve(tsconfig);
  if (existsSync(tsconfigPath) && statSync(tsconfigPath).isDirectory()) tsconfigPath = join(tsconfigPath, "tsconfig.json");
  if (!existsSync(tsconfigPath)) {
    throw new BuildError("EBUILD_NO_TSCONFIG", `no tsconfig found (pass --project path/to/tsconfig.json)`, { file: tsconfigPath });
  }
  const rootDir = dirname(tsconfigPath);
  let project: Project;
  try {
    project = new Project({ tsConfigFilePath: tsconfigPath });
    // kos type-checks with the TypeScript ts-morph bundles (6.0), where options the project's own
    // compiler (5.x) accepts are deprecated errors: `moduleResolution: "node"` (TS5107),
    // `downlevelIteration` (TS5101; heap-js's tsconfig, sweep30 F4). TypeScript 6 still implements
    // them. The project's own `ignoreDeprecations`, where it sets one, stays.
    if (project.getCompilerOptions().ignoreDeprecations === undefined && ts.versionMajorMinor === "6.0") {
      project = new Project({ tsConfigFilePath: tsconfigPath, compilerOptions: { ignoreDeprecations: "6.0" } });
    }
  } catch (e) {
    throw new BuildError("EBUILD_TSCONFIG", `cannot read tsconfig: ${(e as Error).message}`, { file: tsconfigPath }, { cause: e });
  }
  const configErrors = project.getConfigFileParsingDiagnostics?.() ?? [];
  const fatal = configErrors.find((d) => d.getCategory() === ts.DiagnosticCategory.Error);
  if (fatal) throw new BuildError("EBUILD_TSCONFIG", flatten(fatal.getMessageText()), { file: tsconfigPath });

  const opts = project.getCompilerOptions();
  const noEmitOnError = opts.noEmitOnError === true;
  const resolvedOut = resolve(outDir ?? opts.outDir ?? join(rootDir, "kos-out"));
  // Everything (JS, .d.ts, maps) goes under one directory so it can be renamed into place at once.
  project.compilerOptions.set({ outDir: resolvedOut, declarationDir: undefined, noEmit: false, emitDeclarationOnly: false, noEmitOnError: false });
  const moduleKind = project.getCompilerOptions().module;
  const sourceFiles = project.getSourceFiles()
    .filter((f) => !f.isDeclarationFile() && !f.isFromExternalLibrary() && !f.isInNodeModules())
    .sort((a, b) => (a.getFilePath() < b.getFilePath() ? -1 : 1));
  if (!opts.rootDir && sourceFiles.length > 0) {
    // tsc's default: the longest common directory of the input files (the tsconfig's directory for composite projects).
    project.compilerOptions.set({ rootDir: opts.composite ? rootDir : commonDirectory(sourceFiles.map((f) => f.getFilePath())) });
  }

  for (const sf of sourceFiles) {
    const diags = project.getProgram().compilerObject.getSyntacticDiagnostics(sf.compilerNode);
    if (diags.length > 0) {
      const d = diags[0]!;
      const { line, character } = sf.compilerNode.getLineAndCharacterOfPosition(d.start ?? 0);
      throw new BuildError("EBUILD_SYNTAX", `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
        { file: sf.getFilePath(), line: line + 1, column: character + 1, display: displayPath(rootDir, sf.getFilePath()) });
    }
  }
  const esm = sourceFiles.length === 0 ? true : isEsm(project, moduleKind, sourceFiles[0]!);
  return { project, tsconfigPath, rootDir, outDir: resolvedOut, esm, sourceFiles, noEmitOnError };
}

function flatten(m: string | { getMessageText(): string } | unknown): string {
  if (typeof m === "string") return m;
  const t = (m as { getMessageText?: () => string }).getMessageText;
  return typeof t === "function" ? t.call(m) : String(m);
}

/** ES module output unless the project emits CommonJS (module CommonJS, or Node16/NodeNext in a CommonJS package). */
function isEsm(_project: Project, kind: ts.ModuleKind | undefined, sample: SourceFile): boolean {
  if (kind === ts.ModuleKind.CommonJS || kind === ts.ModuleKind.UMD || kind === ts.ModuleKind.AMD) return false;
  if (kind === ts.ModuleKind.Node16 || kind === ts.ModuleKind.NodeNext || (kind as number) === 101 /* Node18 */) {
    return sample.compilerNode.impliedNodeFormat !== ts.ModuleKind.CommonJS;
  }
  return true;
}

function commonDirectory(files: string[]): string {
  let parts = dirname(files[0]!).split("/");
  for (const f of files.slice(1)) {
    const other = dirname(f).split("/");
    let i = 0;
    while (i < parts.length && i < other.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join("/") || "/";
}
