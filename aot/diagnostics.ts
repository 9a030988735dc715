/**
 * TypeScript's own diagnostics for `kos build`, in tsc's format
 * (`src/a.ts:3:7 - error TS2322: Type 'string' is not assignable to type
 * 'number'.`), so editors and CI parsers read them as they read tsc's.
 *
 * kos build type-checks because it trusts the types: parameters with a
 * trusted TypeScript type lose their runtime type guard, which is only sound
 * in a program that type-checks. It costs about as much as `tsc --noEmit`
 * (1.3 s on the sample project, fixtures/aot-project).
 *
 * The check runs on a program of its own, built the way tsc builds one, and
 * not on ts-morph's: ts-morph creates its source files without their module
 * format (`impliedNodeFormat`), so under `module: NodeNext` its program
 * reported TS1470 ("import.meta is not allowed in files which will build
 * into CommonJS output") on the sample project, which tsc builds cleanly.
 * Only the lib .d.ts files come from ts-morph's bundle (the same TypeScript
 * version), since the TypeScript inside ts-morph has no lib folder on disk.
 */
import { createRequire } from "node:module";
import { relative } from "node:path";
import { ts } from "ts-morph";

/** One TypeScript error, as `tsc` reports it. */
export interface TypeDiagnostic {
  /** Path as tsc prints it (relative to the working directory), or null for a project-wide error. */
  file: string | null;
  /** 1-based line and column, or null with `file`. */
  line: number | null;
  column: number | null;
  /** TypeScript's error number: 2322 for TS2322. */
  code: number;
  message: string;
  /** The whole line, as tsc prints it. */
  text: string;
}

/** Where lib files are served from: a path no real file has. */
const LIB_DIR = "/__kos_typescript_lib__";

/** The lib .d.ts files of ts-morph's TypeScript, by file name. Resolved from ts-morph's own folder, so it works wherever ts-morph does. */
function libFiles(): Map<string, string> {
  const fromTsMorph = createRequire(createRequire(import.meta.url).resolve("ts-morph"));
  const common = fromTsMorph("@ts-morph/common") as { getLibFiles(): Array<{ fileName: string; text: string }> };
  return new Map(common.getLibFiles().map((f) => [f.fileName, f.text]));
}

/** tsc's program for the project at `tsconfigPath`, with the tsconfig's own options. */
function tscProgram(tsconfigPath: string): ts.Program {
  const host0 = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} };
  let cfg = ts.getParsedCommandLineOfConfigFile(tsconfigPath, {}, host0);
  if (!cfg) throw new Error(`cannot read ${tsconfigPath}`);
  // The options TypeScript 6 deprecates, which the project's own 5.x compiler accepts, as project.ts
  // explains; read again with them allowed where the tsconfig does not say.
  if (cfg.options.ignoreDeprecations === undefined && ts.versionMajorMinor === "6.0") cfg = ts.getParsedCommandLineOfConfigFile(tsconfigPath, { ignoreDeprecations: "6.0" }, host0) ?? cfg;
  const libs = libFiles();
  const lib = (f: string) => (f.startsWith(`${LIB_DIR}/`) ? libs.get(f.slice(LIB_DIR.length + 1)) : undefined);
  const host = ts.createCompilerHost(cfg.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getDefaultLibLocation = () => LIB_DIR;
  host.getDefaultLibFileName = (o) => `${LIB_DIR}/${ts.getDefaultLibFileName(o)}`;
  host.fileExists = (f) => lib(f) !== undefined || fileExists.call(host, f);
  host.readFile = (f) => lib(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const text = lib(f);
    return text !== undefined ? ts.createSourceFile(f, text, language) : getSourceFile.call(host, f, language, onError, create);
  };
  return ts.createProgram({ rootNames: cfg.fileNames, options: cfg.options, projectReferences: cfg.projectReferences, host, configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(cfg) });
}

/** The errors `tsc -p tsconfigPath` would report (warnings and suggestions are not errors). */
export function typeErrors(tsconfigPath: string): TypeDiagnostic[] {
  const program = tscProgram(tsconfigPath);
  const cwd = process.cwd();
  const out: TypeDiagnostic[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      const file = relative(cwd, d.file.fileName) || d.file.fileName;
      out.push({ file, line: line + 1, column: character + 1, code: d.code, message, text: `${file}:${line + 1}:${character + 1} - error TS${d.code}: ${message}` });
    } else {
      out.push({ file: null, line: null, column: null, code: d.code, message, text: `error TS${d.code}: ${message}` });
    }
  }
  return out;
}

/** tsc's closing line: `Found 2 errors in the same file, starting at: src/a.ts:3`, or `Found 3 errors in 2 files.` */
export function summarize(errors: TypeDiagnostic[]): string {
  const files = [...new Set(errors.map((e) => e.file).filter((f): f is string => f !== null))];
  const n = errors.length;
  if (n === 1) return errors[0]!.file ? `Found 1 error in ${errors[0]!.file}:${errors[0]!.line}` : "Found 1 error.";
  if (files.length === 1) {
    const first = errors.find((e) => e.file !== null)!;
    return `Found ${n} errors in the same file, starting at: ${first.file}:${first.line}`;
  }
  return `Found ${n} errors${files.length > 0 ? ` in ${files.length} files` : ""}.`;
}
